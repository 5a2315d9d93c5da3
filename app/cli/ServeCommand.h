#pragma once

#include "ModelCommands.h"

#include <string>

namespace cotlab::cli {

struct ServeArgs : ModelArgs {
    std::string host = "127.0.0.1";
    int port = 8000;  // 0: any free port (printed)
    std::string name; // the model name the server answers to (default: the model file or folder name)
};

// An OpenAI-compatible completions server over a local model (docs/teacher.md); runs until Ctrl-C.
int runServe(const ServeArgs& args);

} // namespace cotlab::cli
