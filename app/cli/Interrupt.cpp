#include "Interrupt.h"

#include <csignal>

namespace cotlab::cli {

namespace {

jobs::StopToken g_stop;

void onInterrupt(int)
{
    g_stop.requestStop();
}

} // namespace

const jobs::StopToken& stopOnInterrupt()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    return g_stop;
}

} // namespace cotlab::cli
