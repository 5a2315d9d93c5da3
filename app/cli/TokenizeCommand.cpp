// cotlab-cli tokenize: what the student sees — a training request's examples tokenised as the run will tokenise
// them, every token with its id and whether the loss covers it, and the token lengths against the max length.
#include "CommandLine.h"
#include "TrainCommands.h"
#include "store/Workspace.h"
#include "train/TokenPreview.h"
#include "util/Error.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace cotlab::cli {

namespace {

struct TokenizeArgs {
    TrainArgs train;
    int64_t count = 3;
    bool json = false;
    std::string jsonl; // every example's input_ids and labels, as transformers' trainers take them
    std::string colour = "auto";
};

// The token's text with its control characters made visible (a newline stays a line break after its mark).
std::string visible(const std::string& text)
{
    std::string out;
    for (const char c : text) {
        if (c == '\n')
            out += "\\n\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out;
}

nlohmann::json lengthJson(const train::LengthDistribution& d)
{
    return {{"mean", d.mean()},
            {"median", d.percentile(50)},
            {"p90", d.percentile(90)},
            {"p99", d.percentile(99)},
            {"max", d.max()}};
}

void writeJsonl(const train::TrainingPreview& preview, const std::string& path)
{
    std::ofstream out(path);
    if (!out)
        throw Error(path + ": cannot write");
    // As the run trains: examples cut to the max length, those whose prompt alone reaches it left out.
    for (const auto& e : preview.tokenized) {
        nlohmann::json ids = nlohmann::json::array(), labels = nlohmann::json::array();
        for (const auto& span : train::tokenSpans(e, *preview.tokenizer, preview.maxLength))
            if (!span.cut) {
                ids.push_back(span.id);
                labels.push_back(span.loss ? span.id : -100);
            }
        if (!ids.empty())
            out << nlohmann::json{{"input_ids", ids}, {"labels", labels}}.dump() << "\n";
    }
    if (!out.flush())
        throw Error(path + ": write failed (disk full?)");
}

int runTokenize(const CommandLine& cli, TokenizeArgs& args)
{
    auto& r = args.train.request;
    if (r.modelPath.empty() || (r.selection.task.empty() && r.selection.corpus.empty()))
        throw Error("tokenize needs --model and --task (or --corpus)");
    if (args.colour != "auto" && args.colour != "always" && args.colour != "never")
        throw Error("--colour: expected auto, always or never");
    completeDataOptions(args.train);
    store::Workspace ws(cli.workspace());
    const auto preview = train::previewTraining(ws.db(), r);
    if (!args.jsonl.empty())
        writeJsonl(preview, args.jsonl);
    const size_t shown = std::min(preview.tokenized.size(), size_t(std::max<int64_t>(0, args.count)));
    if (args.json) {
        nlohmann::json examples = nlohmann::json::array();
        for (size_t k = 0; k < shown; ++k) {
            nlohmann::json tokens = nlohmann::json::array();
            for (const auto& s : train::tokenSpans(preview.tokenized[k], *preview.tokenizer, preview.maxLength))
                tokens.push_back(
                    {{"id", s.id}, {"text", s.text}, {"loss", s.loss}, {"special", s.special}, {"cut", s.cut}});
            examples.push_back(
                {{"prompt", preview.examples[k].prompt}, {"target", preview.examples[k].target}, {"tokens", tokens}});
        }
        nlohmann::json out = {{"examples", int64_t(preview.tokenized.size())},
                              {"tokenizer", preview.tokenizerPath},
                              {"max_length", preview.maxLength},
                              {"cut", preview.cut},
                              {"left_out", preview.skipped},
                              {"prompt_tokens", lengthJson(preview.prompt)},
                              {"target_tokens", lengthJson(preview.target)},
                              {"total_tokens", lengthJson(preview.total)},
                              {"shown", examples}};
        if (!preview.chatLayout.empty())
            out["chat_template"] = preview.chatLayout;
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    const bool colour = args.colour == "always" || (args.colour == "auto" && isatty(STDOUT_FILENO));
    std::printf("tokenizer %s\n", preview.tokenizerPath.c_str());
    if (!preview.chatLayout.empty())
        std::printf("%s\n", preview.chatLayout.c_str());
    for (size_t k = 0; k < shown; ++k) {
        const auto spans = train::tokenSpans(preview.tokenized[k], *preview.tokenizer, preview.maxLength);
        int64_t inLoss = 0;
        for (const auto& s : spans)
            inLoss += s.loss;
        std::printf(
            "\n--- example %zu: %zu tokens, %lld in the loss%s ---\n", k + 1, spans.size(), (long long)inLoss,
            colour ? " (green: loss, grey: no loss, red: cut by the max length; shades alternate at token boundaries)"
                   : "");
        if (colour) {
            // Text as the model reads it, each token coloured by loss and shaded by turns so boundaries show.
            for (size_t t = 0; t < spans.size(); ++t) {
                const char* fg = spans[t].cut ? "31" : spans[t].loss ? "32" : "90";
                const char* bg = t % 2 ? "48;5;236" : "48;5;238";
                std::printf("\033[%s;%s%sm%s\033[0m", fg, bg, spans[t].special ? ";1" : "",
                            visible(spans[t].text).c_str());
            }
            std::printf("\n");
        } else {
            // One token a line: position, id, loss or not, its text as JSON (quotes, escapes, special tokens).
            for (size_t t = 0; t < spans.size(); ++t)
                std::printf("%6zu %8d %-4s %s\n", t, spans[t].id,
                            spans[t].cut    ? "cut"
                            : spans[t].loss ? "loss"
                                            : "-",
                            nlohmann::json(spans[t].text)
                                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                .c_str());
        }
    }
    std::printf("\n%s\n", preview.summary().c_str());
    if (!args.jsonl.empty())
        std::printf("wrote the input_ids and labels (-100: no loss) of the %lld examples the run trains on, cut to "
                    "%lld tokens, to %s\n",
                    (long long)(int64_t(preview.tokenized.size()) - preview.skipped), (long long)preview.maxLength,
                    args.jsonl.c_str());
    return 0;
}

} // namespace

void addTokenizeCommand(CommandLine& cli)
{
    auto args = std::make_shared<TokenizeArgs>();
    auto* cmd = cli.add("tokenize",
                        "What the student sees: the training examples tokenised as a run tokenises them, each token "
                        "with its id and whether the loss covers it, and their lengths against --max-length",
                        [&cli, args] { return runTokenize(cli, *args); });
    addDataOptions(cmd, args->train);
    cmd->add_option("--count", args->count, "Examples to print token by token")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print the statistics and the shown examples' tokens as JSON");
    cmd->add_option("--jsonl", args->jsonl,
                    "Write every example as {\"input_ids\", \"labels\"} (labels -100 where the loss does not look), "
                    "the shape transformers' trainers take");
    cmd->add_option("--colour", args->colour, "auto (on a terminal), always or never")->capture_default_str();
}

} // namespace cotlab::cli
