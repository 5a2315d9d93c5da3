#include "TerminalProgress.h"

#include <cstdio>
#include <unistd.h>

namespace cotlab::cli {

TerminalProgress::TerminalProgress() : m_enabled(isatty(STDERR_FILENO)), m_start(std::chrono::steady_clock::now()) {}

TerminalProgress::~TerminalProgress()
{
    finish();
}

jobs::ProgressSink TerminalProgress::sink()
{
    return [this](const jobs::Progress& p) { draw(p); };
}

void TerminalProgress::draw(const jobs::Progress& p)
{
    if (!m_enabled)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (m_drawn && now - m_last < std::chrono::milliseconds(100) && p.done != p.total)
        return;
    m_last = now;
    m_drawn = true;
    const double frac = p.total ? double(p.done) / double(p.total) : 0.0;
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    constexpr int kWidth = 30;
    const int filled = int(frac * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::string stage = p.stage;
    if (stage.size() > 50)
        stage = "..." + stage.substr(stage.size() - 47);
    const double eta = frac > 0.01 ? elapsed / frac - elapsed : 0.0;
    std::fprintf(stderr, "\r\033[K%s [%s] %5.1f%%  %.0fs elapsed, ~%.0fs left", stage.c_str(), bar.c_str(),
                 100.0 * frac, elapsed, eta);
    std::fflush(stderr);
}

void TerminalProgress::finish()
{
    if (m_enabled && m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }
}

} // namespace cotlab::cli
