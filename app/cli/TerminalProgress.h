#pragma once

#include "jobs/Progress.h"

#include <chrono>
#include <string>

namespace cotlab::cli {

// A progress bar on stderr, drawn only when stderr is a terminal, at most ten times a second.
class TerminalProgress {
public:
    TerminalProgress();
    ~TerminalProgress();
    jobs::ProgressSink sink();
    void finish();

private:
    void draw(const jobs::Progress& p);

    bool m_enabled;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last;
};

} // namespace cotlab::cli
