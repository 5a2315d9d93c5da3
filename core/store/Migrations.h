#pragma once

#include <vector>

namespace cotlab::store {

class Database;

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

// db/migrations/NNNN_name.sql, in order, embedded at build time.
const std::vector<Migration>& embeddedMigrations();

// Applies every migration newer than PRAGMA user_version, each in its own transaction that also sets
// user_version. A workspace newer than this build is an error, not silently used. Safe when several
// connections open an old workspace at once: each migration runs once, the others wait for it (up to
// kMigrationWaitMs) and skip it.
void migrate(Database& db);

constexpr int kMigrationWaitMs = 10 * 60 * 1000;

} // namespace cotlab::store
