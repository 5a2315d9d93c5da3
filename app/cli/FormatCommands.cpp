// cotlab-cli formats list|show: the prompt formats (core/train/PromptFormat) and what they make of stored data.
#include "CommandLine.h"
#include "store/Workspace.h"
#include "train/ChatLayout.h"
#include "train/TrainingRun.h"
#include "util/Error.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace cotlab::cli {

namespace {

struct FormatArgs {
    bool json = false;
    std::string format;
    std::string task;
    std::string split = "train";
    int64_t count = 1;
    std::string model; // a chat format's examples laid out with this model's chat template
    std::optional<std::string> tokenizer;
};

int runFormatsList(bool json)
{
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& f : train::builtInPromptFormats())
            out.push_back({{"name", f.name()},
                           {"title", f.title()},
                           {"description", f.description()},
                           {"source", f.source()},
                           {"uses_rationales", f.usesRationales()}});
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    for (const auto& f : train::builtInPromptFormats())
        std::printf("%-24s %s\n%-24s %s\n\n", f.name().c_str(), f.description().c_str(), "", f.source().c_str());
    std::printf("A format file of your own (.json, docs/prompt-formats.md) works wherever a name does.\n");
    return 0;
}

// The definition; with --task, the examples the format makes of the workspace's first questions.
int runFormatsShow(const CommandLine& cli, const FormatArgs& args)
{
    const auto format = train::findPromptFormat(args.format);
    if (args.task.empty()) {
        std::printf("%s\n", format.definition().c_str());
        return 0;
    }
    store::Workspace ws(cli.workspace());
    train::TrainingSelection selection;
    selection.task = args.task;
    selection.split = args.split;
    selection.format = format;
    selection.samplesPerInstance = 1;
    auto examples = train::collectExamples(ws.db(), selection);
    if (examples.empty())
        throw Error("the format '" + format.name() + "' makes no examples of task '" + args.task + "' split '" +
                    args.split + "' (no correct teacher rationale" +
                    (format.name() == "socratic" ? " written as sub-questions)" : ")"));
    if (format.usesChatTemplate() && !args.model.empty()) {
        examples.resize(std::min<size_t>(examples.size(), size_t(std::max<int64_t>(args.count, 0))));
        const auto chat = train::studentChatTemplate(args.model, args.tokenizer, format.name());
        const auto counts = train::applyChatTemplate(examples, chat);
        std::printf("%s\n\n", train::chatLayoutSummary(chat, counts).c_str());
    }
    for (size_t k = 0; k < examples.size() && int64_t(k) < args.count; ++k)
        std::printf("--- example %zu: prompt (no loss) ---\n%s\n--- target (loss) ---\n%s\n\n", k + 1,
                    examples[k].prompt.c_str(), examples[k].target.c_str());
    return 0;
}

} // namespace

void addFormatCommands(CommandLine& cli)
{
    auto args = std::make_shared<FormatArgs>();
    auto* group = cli.group("formats", "Prompt formats: how questions and rationales become training examples");
    auto* list = cli.add(
        "list", "The built-in prompt formats with their sources", [args] { return runFormatsList(args->json); }, group);
    list->add_flag("--json", args->json, "Print a JSON array");
    auto* show = cli.add(
        "show", "A format's definition, or with --task the examples it makes of the workspace's questions",
        [&cli, args] { return runFormatsShow(cli, *args); }, group);
    show->add_option("format", args->format, kPromptFormatHelp)->required();
    show->add_option("--task", args->task, "Render the examples of this task's first questions");
    show->add_option("--split", args->split, "Split of those questions")->capture_default_str();
    show->add_option("--count", args->count, "How many examples to print")->capture_default_str();
    show->add_option("--model", args->model,
                     "A chat format: lay the examples out with this model folder's chat template");
    show->add_option("--tokenizer", args->tokenizer, "The chat template beside this tokenizer instead");
}

} // namespace cotlab::cli
