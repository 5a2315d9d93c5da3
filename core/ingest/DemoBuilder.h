#pragma once

#include "ingest/SymbolicTasks.h"
#include "jobs/Progress.h"

#include <string>
#include <vector>

namespace cotlab::ingest {

// Builds the demo workspace from the bundled real data (resources/demo): every teacher file and benchmark
// file in it, in a fixed order, and the generated symbolic tasks of the CPU distillation experiment. Builds into a
// temporary file and renames it into place, so an interrupted first run never leaves a half-built demo behind.
class DemoBuilder {
public:
    // The demo data folder: $COTLAB_DEMO_DIR, the installed share/cotlab/demo next to the executable, or the
    // source tree's resources/demo. Empty when none exists.
    static std::string findDemoData(const std::string& executablePath);
    static std::vector<std::string> demoFiles(const std::string& demoDir);
    // The generated symbolic tasks the demo also holds (the CPU distillation experiment's data).
    static std::vector<SymbolicTaskOptions> demoSymbolicTasks();
    // Creates 'workspacePath' unless it exists. Returns true if it built it.
    static bool ensure(const std::string& workspacePath, const std::string& demoDir,
                       const jobs::ProgressSink& progress = {}, const jobs::StopToken* stop = nullptr);
};

} // namespace cotlab::ingest
