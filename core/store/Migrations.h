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
// user_version. A workspace newer than this build is an error, not silently used.
void migrate(Database& db);

} // namespace cotlab::store
