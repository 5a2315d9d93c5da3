#include "support/TestSupport.h"

#include "ingest/Importer.h"
#include "ingest/SymbolicTasks.h"
#include "store/Database.h"
#include "store/Workspace.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cotlab::test {

std::string sharedPath(const std::string& relative)
{
    return (std::filesystem::path(COTLAB_SHARED_DIR) / relative).string();
}

bool haveShared()
{
    return std::filesystem::is_directory(std::filesystem::path(COTLAB_SHARED_DIR) / "data");
}

std::string testDataPath(const std::string& relative)
{
    return (std::filesystem::path(COTLAB_TEST_DATA_DIR) / relative).string();
}

TempDir::TempDir()
{
    if (!m_dir.isValid())
        throw std::runtime_error("cannot create a temporary folder");
}

std::string TempDir::path(const std::string& name) const
{
    return m_dir.filePath(QString::fromStdString(name)).toStdString();
}

std::string writeFile(const std::string& path, const std::string& content)
{
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out)
        throw std::runtime_error("cannot write " + path);
    return path;
}

int64_t scalar(store::Database& db, const std::string& sql)
{
    store::Statement st(db, sql);
    st.step();
    return st.int64(0);
}

std::string textOf(store::Database& db, const std::string& sql)
{
    store::Statement st(db, sql);
    if (!st.step())
        return "<no row>";
    return st.isNull(0) ? "<null>" : st.string(0);
}

void importCoinFlips(const std::string& workspace, const std::string& folder, const std::string& split,
                     int64_t count, int items, uint64_t seed)
{
    ingest::SymbolicTaskOptions o;
    o.task = "coin_flip";
    o.split = split;
    o.count = count;
    o.items = items;
    o.seed = seed;
    const std::string path = folder + "/coin_flip-" + split + ".jsonl";
    {
        std::ofstream out(path);
        ingest::writeSymbolicTask(o, out);
    }
    store::Workspace ws(workspace);
    ingest::Importer::importFile(ws.db(), path);
}

} // namespace cotlab::test
