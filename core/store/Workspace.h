#pragma once

#include "store/Database.h"

#include <memory>
#include <string>

namespace cotlab::store {

// An open workspace file (*.cotlab): one SQLite database in WAL mode with foreign keys on, migrated to the
// schema of this build. One Workspace per thread; several threads may open the same file.
class Workspace {
public:
    explicit Workspace(const std::string& path);
    Database& db() { return *m_db; }
    const std::string& path() const { return m_path; }
    int schemaVersion() { return m_db->userVersion(); }

private:
    std::string m_path;
    std::unique_ptr<Database> m_db;
};

} // namespace cotlab::store
