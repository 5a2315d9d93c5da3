#include "util/Version.h"

#include <sqlite3.h>

namespace cotlab {

std::string cotlabVersion()
{
    return COTLAB_VERSION;
}

std::string sqliteVersion()
{
    return sqlite3_libversion();
}

} // namespace cotlab
