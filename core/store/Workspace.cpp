#include "store/Workspace.h"

#include "store/Migrations.h"
#include "util/Error.h"

#include <filesystem>

namespace cotlab::store {

Workspace::Workspace(const std::string& path) : m_path(path)
{
    std::error_code ec;
    const auto parent = std::filesystem::absolute(path, ec).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
        throw Error(path + ": folder " + parent.string() + " does not exist");
    m_db = std::make_unique<Database>(path);
    try {
        // Reject a file that is not SQLite before touching it.
        m_db->exec("SELECT count(*) FROM sqlite_schema");
    } catch (const Error&) {
        throw Error(path + ": not a CoTLab workspace (not an SQLite database)");
    }
    if (m_db->userVersion() == 0)
        m_db->exec("PRAGMA page_size = 8192"); // a new file: rationales average ~450 bytes of text
    m_db->exec("PRAGMA journal_mode = WAL");
    m_db->exec("PRAGMA synchronous = NORMAL");
    m_db->exec("PRAGMA foreign_keys = ON");
    m_db->exec("PRAGMA cache_size = -65536"); // 64 MiB page cache, bounded whatever the import size
    migrate(*m_db);
}

} // namespace cotlab::store
