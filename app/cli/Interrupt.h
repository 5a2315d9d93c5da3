#pragma once

#include "jobs/Progress.h"

namespace cotlab::cli {

// Installs handlers so that Ctrl-C (SIGINT) and SIGTERM ask the long-running command to stop at its next
// consistent point, and returns the one token they set.
const jobs::StopToken& stopOnInterrupt();

} // namespace cotlab::cli
