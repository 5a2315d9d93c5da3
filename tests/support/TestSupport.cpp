#include "support/TestSupport.h"

#include "store/Database.h"

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

} // namespace cotlab::test
