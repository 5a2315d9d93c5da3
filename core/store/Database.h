#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace cotlab::store {

class Database;

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value); // copied (SQLITE_TRANSIENT)
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, int value) { return bind(index, int64_t(value)); }
    Statement& bindStatic(int index, std::string_view value); // must outlive the next step()/reset()
    Statement& bindNull(int index);
    Statement& bindStatic(int index, const std::string& value) { return bindStatic(index, std::string_view(value)); }
    // Optional text that outlives the next step()/reset(), bound without a copy.
    Statement& bindStatic(int index, const std::optional<std::string>& value)
    {
        return value ? bindStatic(index, std::string_view(*value)) : bindNull(index);
    }
    Statement& bind(int index, const std::optional<std::string>& value);
    Statement& bind(int index, const std::optional<double>& value);
    Statement& bind(int index, const std::optional<int64_t>& value);

    // True while a row is available.
    bool step();
    void reset(); // also clears bindings
    void exec()
    {
        step();
        reset();
    }

    bool isNull(int column) const;
    int64_t int64(int column) const;
    double real(int column) const;
    std::string_view text(int column) const; // valid until the next step()
    std::string string(int column) const { return std::string(text(column)); }
    std::optional<std::string> optString(int column) const;
    std::optional<double> optReal(int column) const;
    std::optional<int64_t> optInt64(int column) const;

private:
    Database* m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

// One SQLite connection. Not shared between threads: each thread opens its own.
class Database {
public:
    explicit Database(const std::string& path, bool readOnly = false);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);
    int64_t lastInsertRowId() const;
    int changes() const;
    int userVersion();
    bool inTransaction() const;
    // How long a statement waits for another connection's lock before failing with "database is locked".
    void setBusyTimeout(int milliseconds);
    static constexpr int kDefaultBusyTimeoutMs = 5000;
    sqlite3* handle() const { return m_db; }
    const std::string& path() const { return m_path; }

    [[noreturn]] void fail(std::string_view what) const;

private:
    sqlite3* m_db = nullptr;
    std::string m_path;
};

// BEGIN IMMEDIATE on construction; ROLLBACK unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& m_db;
    bool m_open = true;
};

// Settings for one bulk load (an import), made before its transaction begins and undone after it ends.
// Foreign-key checks are off: the loader resolves every id it writes itself. When no other connection has the
// workspace open, the load also runs with a rollback journal instead of the write-ahead log: pages the load adds
// are then written once, straight to the file, where the WAL writes them twice and looks each one up again on
// every read (1M rationales: 13 s -> 8 s of SQLite time). Readers that open the workspace meanwhile wait for
// the commit. With other connections open, or without allowRollbackJournal, the WAL stays and readers go on
// reading.
class BulkLoadMode {
public:
    BulkLoadMode(Database& db, bool allowRollbackJournal);
    ~BulkLoadMode();
    BulkLoadMode(const BulkLoadMode&) = delete;
    BulkLoadMode& operator=(const BulkLoadMode&) = delete;
    bool rollbackJournal() const { return !m_journalMode.empty(); }

private:
    Database& m_db;
    std::string m_journalMode; // the mode to restore; empty when it was not changed
    int64_t m_synchronous = 1;
    bool m_foreignKeys = true;
};

} // namespace cotlab::store
