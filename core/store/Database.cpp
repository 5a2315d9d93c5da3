#include "store/Database.h"

#include "text/ReasoningParts.h"
#include "util/Error.h"

#include <sqlite3.h>

namespace cotlab::store {

namespace {
// Before SQLite initialises: without memory statistics, malloc and free skip a global mutex.
const bool kConfigured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
}();
// cotlab_thinking(text) and cotlab_answer(text): the two parts of a rationale (text/ReasoningParts.h), for the
// full-text index's view over rationales (migration 0009). The thinking is NULL when the text marks none; the answer
// is the whole text then.
void reasoningPart(sqlite3_context* context, int, sqlite3_value** argv, bool thinking)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(context);
        return;
    }
    const auto* data = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const std::string_view text(data ? data : "", size_t(sqlite3_value_bytes(argv[0])));
    const text::SearchColumns columns = text::searchColumns(text);
    if (thinking && !columns.thinking) {
        sqlite3_result_null(context);
        return;
    }
    const std::string_view part = thinking ? *columns.thinking : columns.answer;
    sqlite3_result_text64(context, part.data(), part.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void registerFunctions(sqlite3* db)
{
    constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    sqlite3_create_function_v2(
        db, "cotlab_thinking", 1, kFlags, nullptr,
        [](sqlite3_context* c, int n, sqlite3_value** v) { reasoningPart(c, n, v, true); }, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(
        db, "cotlab_answer", 1, kFlags, nullptr,
        [](sqlite3_context* c, int n, sqlite3_value** v) { reasoningPart(c, n, v, false); }, nullptr, nullptr, nullptr);
}

} // namespace

Database::Database(const std::string& path, bool readOnly) : m_path(path)
{
    (void)kConfigured;
    const int flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        const std::string message = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw Error(path + ": cannot open workspace: " + message);
    }
    sqlite3_extended_result_codes(m_db, 1);
    registerFunctions(m_db);
    setBusyTimeout(kDefaultBusyTimeoutMs);
}

Database::~Database()
{
    sqlite3_close_v2(m_db);
}

void Database::fail(std::string_view what) const
{
    throw Error(m_path + ": " + std::string(what) + ": " + sqlite3_errmsg(m_db));
}

void Database::exec(std::string_view sql)
{
    char* err = nullptr;
    const std::string s(sql);
    if (sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string message = err ? err : "unknown error";
        sqlite3_free(err);
        throw Error(m_path + ": " + message);
    }
}

int64_t Database::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

bool Database::inTransaction() const
{
    return sqlite3_get_autocommit(m_db) == 0;
}

void Database::setBusyTimeout(int milliseconds)
{
    sqlite3_busy_timeout(m_db, milliseconds);
}

int Database::userVersion()
{
    Statement st(*this, "PRAGMA user_version");
    st.step();
    return int(st.int64(0));
}

Statement::Statement(Database& db, std::string_view sql) : m_db(&db)
{
    if (sqlite3_prepare_v3(db.handle(), sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) !=
        SQLITE_OK)
        db.fail("cannot prepare '" + std::string(sql.substr(0, 60)) + "'");
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement&& other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt)
{
    other.m_stmt = nullptr;
}

Statement& Statement::bind(int index, int64_t value)
{
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    sqlite3_bind_double(m_stmt, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
    sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

Statement& Statement::bindStatic(int index, std::string_view value)
{
    sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
    return *this;
}

Statement& Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value)
{
    return value ? bind(index, std::string_view(*value)) : bindNull(index);
}

Statement& Statement::bind(int index, const std::optional<double>& value)
{
    return value ? bind(index, *value) : bindNull(index);
}

Statement& Statement::bind(int index, const std::optional<int64_t>& value)
{
    return value ? bind(index, *value) : bindNull(index);
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const std::string message = sqlite3_errmsg(m_db->handle());
    sqlite3_reset(m_stmt);
    throw Error(m_db->path() + ": " + message);
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

int64_t Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

std::string_view Statement::text(int column) const
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return p ? std::string_view(p, size_t(sqlite3_column_bytes(m_stmt, column))) : std::string_view();
}

std::optional<std::string> Statement::optString(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return std::string(text(column));
}

std::optional<double> Statement::optReal(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return real(column);
}

std::optional<int64_t> Statement::optInt64(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return int64(column);
}

Transaction::Transaction(Database& db) : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (m_open) {
        try {
            m_db.exec("ROLLBACK");
        } catch (...) {
        }
    }
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_open = false;
}

namespace {

std::string pragmaText(Database& db, const std::string& sql)
{
    Statement st(db, sql);
    return st.step() ? st.string(0) : std::string();
}

} // namespace

BulkLoadMode::BulkLoadMode(Database& db, bool allowRollbackJournal) : m_db(db)
{
    m_foreignKeys = pragmaText(db, "PRAGMA foreign_keys") == "1";
    db.exec("PRAGMA foreign_keys = OFF");
    const std::string mode = pragmaText(db, "PRAGMA journal_mode");
    if (!allowRollbackJournal || mode != "wal")
        return;
    m_synchronous = std::stoll(pragmaText(db, "PRAGMA synchronous"));
    try {
        // Leaving WAL needs the only connection; with others open SQLite keeps WAL (or reports the lock).
        if (pragmaText(db, "PRAGMA journal_mode = DELETE") != "delete")
            return;
    } catch (const Error&) {
        return;
    }
    m_journalMode = mode;
    db.exec("PRAGMA synchronous = FULL"); // one transaction: its syncs cost nothing next to the load
}

BulkLoadMode::~BulkLoadMode()
{
    try {
        if (!m_journalMode.empty()) {
            pragmaText(m_db, "PRAGMA journal_mode = " + m_journalMode);
            m_db.exec("PRAGMA synchronous = " + std::to_string(m_synchronous));
        }
        if (m_foreignKeys)
            m_db.exec("PRAGMA foreign_keys = ON");
    } catch (...) {
    }
}

} // namespace cotlab::store
