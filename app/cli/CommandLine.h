#pragma once

// How cotlab-cli's command groups plug into its parser: each group adds its sub-commands, binds their options and
// registers the function that runs each one (returning the exit code; failures throw with their message).
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace cotlab::cli {

class CommandLine {
public:
    explicit CommandLine(CLI::App& app) : m_app(app) {}

    // A sub-command of `parent` (the top level when null) that `run` carries out.
    CLI::App* add(const std::string& name, const std::string& description, std::function<int()> run,
                  CLI::App* parent = nullptr);
    // A sub-command that only groups others (corpus, review, ...).
    CLI::App* group(const std::string& name, const std::string& description);
    // The --workspace file (or COTLAB_WORKSPACE); an Error naming both when neither is given.
    const std::string& workspace() const;
    std::string& workspaceOption() { return m_workspace; }

    // After parsing: runs the command that was chosen.
    int runChosen() const;

private:
    CLI::App& m_app;
    std::string m_workspace;
    std::vector<std::pair<CLI::App*, std::function<int()>>> m_commands;
};

// Help texts several commands share.
inline constexpr const char* kModelHelp =
    "Hugging Face model folder (gpt2, opt, llama, qwen2, mistral), llama2.c checkpoint (.bin), or a LoRA adapter "
    "folder whose base is on this machine";
inline constexpr const char* kAdapterHelp =
    "PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) applied to --model";
inline constexpr const char* kTokenizerHelp =
    "Tokenizer file (tokenizer.json, SentencePiece .model, llama2.c .bin); default: the model folder's own";
inline constexpr const char* kDeviceHelp = "cpu, cuda, cuda:N or auto (CUDA when present)";
inline constexpr const char* kPromptFormatHelp =
    "Prompt format: cot, label, socratic, step-by-step, scotd, fine-tune-cot, distilling-step-by-step, answer-first "
    "(cotlab-cli formats list) or a format file (.json, docs/prompt-formats.md)";
inline constexpr const char* kPrecisionHelp = "fp32, bf16, fp16 (CUDA only) or auto (bf16 on CUDA, fp32 on the CPU)";

// The command groups, each in its own file.
void addStoreCommands(CommandLine& cli);   // import, export, stats, version (Commands.cpp)
void addModelCommands(CommandLine& cli);   // generate, score, convert, merge (ModelCommands.cpp)
void addServeCommand(CommandLine& cli);    // serve (ServeCommand.cpp)
void addTrainCommands(CommandLine& cli);   // train, runs, make-task (TrainCommands.cpp)
void addEvalCommands(CommandLine& cli);    // eval, evals (EvalCommands.cpp)
void addCorpusCommands(CommandLine& cli);  // corpus build|list|show|export|rename|delete (CorpusCommands.cpp)
void addSampleCommand(CommandLine& cli);   // sample (SampleCommand.cpp)
void addReviewCommands(CommandLine& cli);  // review create|list|export|import|stats|delete (ReviewCommands.cpp)
void addFormatCommands(CommandLine& cli);  // formats list|show (FormatCommands.cpp)
void addTokenizeCommand(CommandLine& cli); // tokenize (TokenizeCommand.cpp)

} // namespace cotlab::cli
