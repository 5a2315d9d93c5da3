#include "EvalCommands.h"

#include "CommandLine.h"
#include "Interrupt.h"
#include "ReviewCommands.h"
#include "store/EvaluationRepository.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

namespace cotlab::cli {

int runEval(const std::string& workspace, EvalArgs args)
{
    if (args.resume == 0 && args.run == 0 && args.request.modelPath.empty())
        throw Error("eval needs --run RUN or --model PATH (or --resume EVALUATION)");
    if (args.resume == 0 && args.request.task.empty())
        throw Error("eval needs --task");
    auto& r = args.request;
    r.workspace = workspace;
    if (args.run > 0)
        r.runId = args.run;
    if (!args.templateName.empty())
        r.format = train::findPromptFormat(args.templateName);
    const jobs::StopToken& stop = stopOnInterrupt();
    const auto progress = [](int64_t id, int64_t done, int64_t items, int64_t correct) {
        if (done == 0)
            std::printf("evaluation %lld  0/%lld\n", (long long)id, (long long)items);
        else
            std::printf("evaluation %lld  %lld/%lld  accuracy so far %.1f%%\n", (long long)id, (long long)done,
                        (long long)items, 100.0 * double(correct) / double(done));
        std::fflush(stdout);
    };
    const auto out = args.resume > 0 ? eval::resumeEvaluation(workspace, args.resume, progress, &stop)
                                     : eval::startEvaluation(r, progress, &stop);
    std::printf("evaluation %lld %s: accuracy %s, %lld right\n", (long long)out.evaluationId, out.status.c_str(),
                stats::describe(out.accuracy).c_str(), (long long)out.correct);
    if (out.seconds > 0)
        std::printf("batch size %lld, %lld tokens generated in %.1f s (%.1f tokens/s)\n", (long long)out.batchSize,
                    (long long)out.generatedTokens, out.seconds, double(out.generatedTokens) / out.seconds);
    if (const std::string note = eval::tokenLimitNote(out); !note.empty())
        std::printf("warning: %s (--max-new-tokens)\n", note.c_str());
    if (const std::string note = eval::withoutGoldNote(out); !note.empty())
        std::printf("note: %s\n", note.c_str());
    const auto contrast = eval::compareWithOriginals(workspace, out.evaluationId);
    if (contrast.questions > contrast.unlinked) {
        const auto& d = contrast.difference;
        std::printf("contrast: %lld pairs with the originals: originals %.1f%%, contrast %.1f%%, difference %s\n",
                    (long long)d.n, 100 * d.firstAccuracy, 100 * d.secondAccuracy, stats::describe(d).c_str());
        if (contrast.originalsNotEvaluated > 0)
            std::printf(
                "  originals without a result for this student: %lld (evaluate it, same --name, on their split)\n",
                (long long)contrast.originalsNotEvaluated);
        if (contrast.unlinked > 0)
            std::printf("  questions naming no original in the workspace: %lld\n", (long long)contrast.unlinked);
    }
    if (out.status == "stopped") {
        std::printf("continue it with: cotlab-cli --workspace %s eval --resume %lld\n", workspace.c_str(),
                    (long long)out.evaluationId);
        return 130;
    }
    return 0;
}

int runEvals(const std::string& workspace, bool json)
{
    store::Workspace ws(workspace);
    const auto list = store::EvaluationRepository(ws.db()).list();
    if (json) {
        nlohmann::ordered_json out = {{"evaluations", nlohmann::ordered_json::array()}};
        for (const auto& e : list)
            out["evaluations"].push_back(
                {{"id", e.id},
                 {"name", e.name},
                 {"run", e.runId ? nlohmann::ordered_json(*e.runId) : nullptr},
                 {"task", e.task},
                 {"split", e.split},
                 {"status", e.status},
                 {"items", e.items},
                 {"done", e.done},
                 {"correct", e.correct},
                 {"accuracy", e.accuracy ? nlohmann::ordered_json(e.accuracy->estimate) : nullptr},
                 {"ci_low", e.accuracy ? nlohmann::ordered_json(e.accuracy->low) : nullptr},
                 {"ci_high", e.accuracy ? nlohmann::ordered_json(e.accuracy->high) : nullptr},
                 {"ci_method", e.accuracy ? nlohmann::ordered_json("Wilson") : nullptr},
                 {"config", nlohmann::ordered_json::parse(e.configJson)},
                 {"message", e.message ? nlohmann::ordered_json(*e.message) : nullptr}});
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("%4s  %-36s %-26s %-6s %-9s %9s  %-15s %s\n", "id", "student", "task", "split", "status", "n",
                "accuracy", "95% Wilson CI");
    for (const auto& e : list) {
        char acc[32] = "-", ci[48] = "-";
        if (e.accuracy) {
            std::snprintf(acc, sizeof acc, "%.1f%%", 100 * e.accuracy->estimate);
            std::snprintf(ci, sizeof ci, "[%.1f%%, %.1f%%]", 100 * e.accuracy->low, 100 * e.accuracy->high);
        }
        const std::string n = std::to_string(e.done) + "/" + std::to_string(e.items);
        std::printf("%4lld  %-36s %-26s %-6s %-9s %9s  %-15s %s\n", (long long)e.id, e.name.c_str(), e.task.c_str(),
                    e.split.c_str(), e.status.c_str(), n.c_str(), acc, ci);
    }
    return 0;
}

int runEvalCompare(const std::string& workspace, int64_t first, int64_t second)
{
    const auto c = eval::compareEvaluations(workspace, first, second);
    std::printf("evaluations %lld and %lld on the %lld questions both answered: %.1f%% and %.1f%% right\n",
                (long long)first, (long long)second, (long long)c.n, 100 * c.firstAccuracy, 100 * c.secondAccuracy);
    std::printf("right only in %lld: %lld; only in %lld: %lld; both right: %lld; both wrong: %lld\n", (long long)first,
                (long long)c.onlyFirst, (long long)second, (long long)c.onlySecond, (long long)c.bothRight,
                (long long)c.bothWrong);
    std::printf("difference (%lld - %lld): %s\n", (long long)second, (long long)first, stats::describe(c).c_str());
    return 0;
}

void addEvalCommands(CommandLine& cli)
{
    auto ev = std::make_shared<EvalArgs>();
    auto& er = ev->request;
    auto* evalCmd = cli.add("eval",
                            "Evaluate a student on a task's split: generate, extract answers, store its rationales "
                            "and accuracy with a 95% interval (Ctrl-C stops; --resume continues)",
                            [&cli, ev] { return runEval(cli.workspace(), *ev); });
    evalCmd->add_option("--run", ev->run, "Evaluate this finished training run's model");
    evalCmd->add_option("--model", er.modelPath, kModelHelp);
    evalCmd->add_option("--tokenizer", er.tokenizerPath, kTokenizerHelp);
    evalCmd->add_option("--adapter", er.adapterPath, kAdapterHelp);
    evalCmd->add_option("--name", er.name, "Student name in the workspace (default: the run's or folder's name)");
    evalCmd->add_option("--task", er.task, "Task to evaluate on");
    evalCmd->add_option("--split", er.split, "Split to evaluate (train, dev, test, contrast)")->capture_default_str();
    evalCmd->add_option("--template", ev->templateName,
                        std::string(kPromptFormatHelp) +
                            ": how the student was trained (default: the run's, else cot)");
    evalCmd->add_option("--samples", er.samples, "Samples per question: 1 is greedy, more are majority-voted")
        ->capture_default_str();
    evalCmd->add_option("--temperature", er.temperature, "Sampling temperature (--samples > 1)")->capture_default_str();
    evalCmd->add_option("--top-p", er.topP, "Nucleus sampling mass (--samples > 1)")->capture_default_str();
    evalCmd->add_option("--seed", er.seed, "Sampling seed")->capture_default_str();
    evalCmd
        ->add_option("--max-new-tokens", er.maxNewTokens,
                     "Tokens per answer at most (0: 16 for label; for cot 256, or more when the teacher's rationales "
                     "on these questions are longer)")
        ->capture_default_str();
    evalCmd
        ->add_option("--batch-size", er.batchSize,
                     "Sequences generated together (0: chosen from the model's memory needs)")
        ->capture_default_str();
    evalCmd->add_option("--limit", er.limit, "Only the first N instances of the split (0: all)")->capture_default_str();
    evalCmd->add_option("--device", er.device, kDeviceHelp)->capture_default_str();
    evalCmd->add_option("--precision", er.precision, "fp32, bf16, fp16 (CUDA only) or auto")->capture_default_str();
    evalCmd->add_option("--resume", ev->resume, "Continue this stopped evaluation");

    auto evalsJson = std::make_shared<bool>(false);
    auto* evals = cli.add("evals", "Evaluations of the workspace with accuracy and 95% interval, newest first",
                          [&cli, evalsJson] { return runEvals(cli.workspace(), *evalsJson); });
    evals->add_flag("--json", *evalsJson, "Print one JSON object with configs");
    evals->require_subcommand(0, 1);
    auto evaluation = std::make_shared<int64_t>(0);
    auto out = std::make_shared<std::string>();
    auto* evalsExport = cli.add(
        "export",
        "Write an evaluation as a spreadsheet: Summary, Items, Labels and Agreement (.xlsx, "
        "or .csv files per sheet)",
        [&cli, evaluation, out] { return runEvalExport(cli.workspace(), *evaluation, *out); }, evals);
    evalsExport->add_option("evaluation", *evaluation, "Evaluation id (cotlab-cli evals)")->required();
    evalsExport->add_option("--out", *out, "File to write (.xlsx or .csv)")->required();
    auto pair = std::make_shared<std::pair<int64_t, int64_t>>();
    auto* compare = cli.add(
        "compare",
        "Two evaluations on the questions both answered: McNemar's exact test and the difference "
        "in accuracy with Newcombe's 95% interval",
        [&cli, pair] { return runEvalCompare(cli.workspace(), pair->first, pair->second); }, evals);
    compare->add_option("first", pair->first, "Evaluation id (cotlab-cli evals)")->required();
    compare->add_option("second", pair->second, "Evaluation id")->required();
}

} // namespace cotlab::cli
