#pragma once

#include <string>

namespace cotlab {

std::string cotlabVersion();
std::string sqliteVersion();

} // namespace cotlab
