// cotlab-cli: the command-line front end over cotlab_core (no Qt; builds on headless GPU servers).
#include "Commands.h"
#include "CorpusCommands.h"
#include "EvalCommands.h"
#include "ModelCommands.h"
#include "ReviewCommands.h"
#include "SampleCommand.h"
#include "ServeCommand.h"
#include "TrainCommands.h"
#include "ingest/SymbolicTasks.h"
#include "jobs/Progress.h"
#include "nn/CpuThreads.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fstream>

int main(int argc, char** argv)
{
    cotlab::nn::setCpuThreads(); // libtorch's default threads; OpenBLAS's pool kept from competing
    CLI::App app{"CoTLab command line: import, inspect and export chain-of-thought rationale workspaces"};
    app.require_subcommand(1);
    std::string workspace;
    app.add_option("-w,--workspace", workspace, "Workspace file (*.cotlab); created if missing")
        ->envname("COTLAB_WORKSPACE");

    cotlab::cli::ImportArgs importArgs;
    auto* import = app.add_subcommand("import", "Import files (rationale interchange JSONL, benchmark JSON, "
                                                "CommonsenseQA JSONL); one transaction per file");
    import->add_option("files", importArgs.files, "Files to import")->required()->check(CLI::ExistingFile);
    import->add_option("--format", importArgs.format, "auto, interchange, benchmark or commonsense_qa")
        ->capture_default_str();
    import->add_option("--task", importArgs.task, "Task name (benchmark and CommonsenseQA files)");
    import->add_option("--splits", importArgs.splits, "Fine-tune-CoT split file for a benchmark file")
        ->check(CLI::ExistingFile);
    import->add_option("--split", importArgs.split, "Split for a CommonsenseQA file (train, dev, test)");

    cotlab::cli::ExportArgs exportArgs;
    auto* exportCmd = app.add_subcommand("export", "Export the workspace as rationale interchange JSONL");
    exportCmd->add_option("--format", exportArgs.format, "jsonl")->capture_default_str();
    exportCmd->add_option("--out", exportArgs.out, "Output file")->required();
    exportCmd->add_option("--task", exportArgs.task, "Only this task");

    bool json = false;
    auto* stats = app.add_subcommand("stats", "Per task: instances, rationales, rationales per instance, teacher "
                                              "accuracy");
    stats->add_flag("--json", json, "Print one JSON object");

    app.add_subcommand("version", "Versions of CoTLab, SQLite and libtorch");

    const char* kModelHelp =
        "Hugging Face model folder (gpt2, opt, llama, qwen2, mistral) or llama2.c checkpoint (.bin)";
    const char* kTokenizerHelp = "Tokenizer file (tokenizer.json, SentencePiece .model, llama2.c .bin); default: "
                                 "the model folder's own";
    const char* kDeviceHelp = "cpu, cuda, cuda:N or auto (CUDA when present)";
    const char* kPrecisionHelp = "fp32, bf16, fp16 (CUDA only) or auto (bf16 on CUDA, fp32 on the CPU)";
    cotlab::cli::GenerateArgs gen;
    auto* generate = app.add_subcommand("generate", "Generate a continuation of a prompt; prints only the "
                                                    "continuation");
    generate->add_option("--model", gen.model, kModelHelp)->required();
    generate->add_option("--tokenizer", gen.tokenizer, kTokenizerHelp);
    generate->add_option("--prompt", gen.prompt, "Prompt text")->required();
    generate->add_option("--max-new-tokens", gen.maxNewTokens, "Tokens to generate at most")->capture_default_str();
    generate->add_flag("--greedy", gen.greedy, "Greedy decoding (default: sampling)");
    generate->add_option("--temperature", gen.temperature, "Sampling temperature")->capture_default_str();
    generate->add_option("--top-p", gen.topP, "Nucleus sampling mass")->capture_default_str();
    generate->add_option("--seed", gen.seed, "Sampling seed")->capture_default_str();
    generate->add_option("--stop", gen.stop, "Stop string (repeatable): output ends before it");
    generate->add_option("--device", gen.device, kDeviceHelp)->capture_default_str();
    generate->add_option("--precision", gen.precision, kPrecisionHelp)->capture_default_str();

    cotlab::cli::ScoreArgs sc;
    auto* score = app.add_subcommand("score", "Total log-probability of a continuation given a prompt");
    score->add_option("--model", sc.model, kModelHelp)->required();
    score->add_option("--tokenizer", sc.tokenizer, kTokenizerHelp);
    score->add_option("--prompt", sc.prompt, "Prompt text")->required();
    score->add_option("--continuation", sc.continuation, "Continuation text")->required();
    score->add_flag("--json", sc.json, "Print per-token log-probabilities as JSON");
    score->add_option("--device", sc.device, kDeviceHelp)->capture_default_str();
    score->add_option("--precision", sc.precision, kPrecisionHelp)->capture_default_str();

    cotlab::cli::ConvertArgs conv;
    auto* convert = app.add_subcommand("convert", "Write a model as a Hugging Face folder (config.json, "
                                                  "model.safetensors, tokenizer files), e.g. a llama2.c checkpoint");
    convert->add_option("--model", conv.model, kModelHelp)->required();
    convert->add_option("--tokenizer", conv.tokenizer, kTokenizerHelp);
    convert->add_option("--out", conv.out, "Folder to write")->required();

    cotlab::cli::TrainArgs tr;
    auto& req = tr.request;
    auto* trainCmd = app.add_subcommand("train", "Fine-tune a student on a task's teacher rationales (a run recorded "
                                                 "in the workspace; Ctrl-C stops with a checkpoint)");
    trainCmd->add_option("--model", req.modelPath, kModelHelp);
    trainCmd->add_option("--tokenizer", req.tokenizerPath, kTokenizerHelp);
    trainCmd->add_option("--task", req.selection.task, "Task to learn from");
    trainCmd->add_option("--split", req.selection.split, "Split whose rationales are used")->capture_default_str();
    trainCmd->add_option("--out", req.config.runDir, "Folder for checkpoints and the trained model (final/)");
    trainCmd->add_option("--name", req.name, "Run name (default: the output folder's name)");
    trainCmd
        ->add_option("--template", tr.templateName,
                     "cot (rationale then answer), label (answer only), socratic (sub-questions and answers) or "
                     "step-by-step (answer and rationale as two tasks)")
        ->capture_default_str();
    trainCmd->add_option("--corpus", req.selection.corpus,
                         "Train on a saved corpus's rationales (cotlab-cli corpus build); --task then narrows it");
    trainCmd->add_flag("--all-rationales", tr.allRationales, "Also train on rationales whose answer is wrong");
    trainCmd
        ->add_option("--samples-per-instance", req.selection.samplesPerInstance,
                     "At most this many rationales per question (0: all)")
        ->capture_default_str();
    trainCmd
        ->add_option("--questions", req.selection.questions,
                     "At most this many questions, drawn at random (0: all); smaller draws are subsets of larger")
        ->capture_default_str();
    trainCmd->add_option("--question-seed", req.selection.questionSeed, "Seed of the question draw")
        ->capture_default_str();
    trainCmd->add_option("--epochs", req.config.epochs, "Passes over the examples")->capture_default_str();
    trainCmd->add_option("--steps", req.config.maxSteps, "Optimizer steps (overrides --epochs)");
    trainCmd->add_option("--batch-size", req.config.batchSize, "Examples per micro-batch")->capture_default_str();
    trainCmd->add_option("--grad-accum", req.config.gradAccumulation, "Micro-batches per optimizer step")
        ->capture_default_str();
    trainCmd->add_option("--lr", req.config.learningRate, "Peak learning rate (AdamW)")->capture_default_str();
    trainCmd->add_option("--weight-decay", req.config.weightDecay, "AdamW weight decay")->capture_default_str();
    trainCmd->add_option("--warmup", req.config.warmupSteps, "Linear warm-up steps")->capture_default_str();
    trainCmd->add_option("--schedule", req.config.schedule, "cosine, linear or constant")->capture_default_str();
    trainCmd->add_option("--clip", req.config.clipNorm, "Gradient norm clip (0: off)")->capture_default_str();
    trainCmd->add_option("--seed", req.config.seed, "Data order seed")->capture_default_str();
    trainCmd->add_option("--max-length", req.maxLength, "Tokens per example at most")->capture_default_str();
    trainCmd->add_option("--checkpoint-every", req.config.checkpointEvery, "Steps between checkpoints (0: end only)")
        ->capture_default_str();
    trainCmd->add_option("--dev-split", req.devSplit,
                         "Measure the loss on this split's examples (e.g. dev) as training goes");
    trainCmd->add_option("--eval-every", req.config.evalEvery, "Steps between dev losses (0: at the end only)")
        ->capture_default_str();
    trainCmd->add_option("--device", req.device, kDeviceHelp)->capture_default_str();
    trainCmd
        ->add_option("--precision", req.config.precision,
                     "fp32, or mixed precision with float32 weights: bf16 (CUDA, or a CPU with bf16 support), "
                     "fp16 (CUDA, with dynamic loss scaling) or auto (bf16 on CUDA, fp32 on the CPU)")
        ->capture_default_str();
    trainCmd->add_option("--resume", tr.resumeRun, "Continue this stopped run from its checkpoint");
    trainCmd->add_option("--log-every", tr.logEvery, "Print a progress line every N steps")->capture_default_str();

    cotlab::ingest::SymbolicTaskOptions sym;
    std::string symOut;
    auto* makeTask = app.add_subcommand("make-task", "Write a generated symbolic task (last letter concatenation, "
                                                     "coin flip) with step-by-step rationales as interchange JSONL");
    makeTask->add_option("--task", sym.task, "last_letter_concatenation or coin_flip")->capture_default_str();
    makeTask->add_option("--count", sym.count, "Instances")->capture_default_str();
    makeTask->add_option("--items", sym.items, "Names (or coin flippers) per instance")->capture_default_str();
    makeTask->add_option("--split", sym.split, "train, dev or test")->capture_default_str();
    makeTask->add_option("--seed", sym.seed, "Seed")->capture_default_str();
    makeTask->add_option("--name", sym.name, "Task name in the file (default: --task)");
    makeTask->add_option("--out", symOut, "Output file")->required();

    cotlab::cli::EvalArgs ev;
    auto& er = ev.request;
    auto* evalCmd = app.add_subcommand("eval", "Evaluate a student on a task's split: generate, extract answers, store "
                                               "its rationales and accuracy with a 95% interval (Ctrl-C stops; "
                                               "--resume continues)");
    evalCmd->add_option("--run", ev.run, "Evaluate this finished training run's model");
    evalCmd->add_option("--model", er.modelPath, kModelHelp);
    evalCmd->add_option("--tokenizer", er.tokenizerPath, kTokenizerHelp);
    evalCmd->add_option("--name", er.name, "Student name in the workspace (default: the run's or folder's name)");
    evalCmd->add_option("--task", er.task, "Task to evaluate on");
    evalCmd->add_option("--split", er.split, "Split to evaluate (train, dev, test, contrast)")->capture_default_str();
    evalCmd->add_option(
        "--template", ev.templateName,
        "cot, label, socratic or step-by-step: how the student was trained (default: the run's template, "
        "else cot)");
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
    evalCmd->add_option("--resume", ev.resume, "Continue this stopped evaluation");

    bool evalsJson = false;
    auto* evalsCmd = app.add_subcommand("evals", "Evaluations of the workspace with accuracy and 95% interval, newest "
                                                 "first");
    evalsCmd->add_flag("--json", evalsJson, "Print one JSON object with configs");
    evalsCmd->require_subcommand(0, 1);
    int64_t exportEvaluation = 0;
    std::string evalOut;
    auto* evalsExport = evalsCmd->add_subcommand("export", "Write an evaluation as a spreadsheet: Summary, Items, "
                                                           "Labels and Agreement (.xlsx, or .csv files per sheet)");
    evalsExport->add_option("evaluation", exportEvaluation, "Evaluation id (cotlab-cli evals)")->required();
    evalsExport->add_option("--out", evalOut, "File to write (.xlsx or .csv)")->required();

    bool runsJson = false;
    auto* runsCmd = app.add_subcommand("runs", "Training runs of the workspace, newest first");
    runsCmd->add_flag("--json", runsJson, "Print one JSON object with configs, recipes and last losses");

    cotlab::cli::CorpusArgs co;
    auto* corpusCmd = app.add_subcommand("corpus", "Training corpora built from recipes (docs/corpus.md)");
    corpusCmd->require_subcommand(1);
    auto* corpusBuild = corpusCmd->add_subcommand("build", "Build a corpus from a recipe file and save it");
    corpusBuild->add_option("--recipe", co.recipe, "Recipe (JSON, docs/corpus.md)")
        ->required()
        ->check(CLI::ExistingFile);
    corpusBuild->add_option("--name", co.name, "Name to save it under")->required();
    corpusBuild->add_flag("--replace", co.replace, "Replace a corpus of that name");
    auto* corpusList = corpusCmd->add_subcommand("list", "Corpora of the workspace, newest first");
    corpusList->add_flag("--json", co.json, "Print one JSON object with the recipes");
    auto* corpusShow = corpusCmd->add_subcommand("show", "A corpus's recipe and what is left after each step");
    corpusShow->add_option("name", co.name, "Corpus")->required();
    auto* corpusExport =
        corpusCmd->add_subcommand("export", "Write a corpus as training JSONL with the trainer's template");
    corpusExport->add_option("name", co.name, "Corpus")->required();
    corpusExport->add_option("--out", co.out, "JSONL file to write")->required();
    corpusExport->add_option("--shape", co.shape, "prompt-completion or chat")->capture_default_str();
    corpusExport->add_option("--template", co.templateName, "cot, label, socratic or step-by-step")
        ->capture_default_str();
    auto* corpusRename = corpusCmd->add_subcommand("rename", "Rename a corpus");
    corpusRename->add_option("name", co.name, "Corpus")->required();
    corpusRename->add_option("new-name", co.newName, "New name")->required();
    auto* corpusDelete = corpusCmd->add_subcommand("delete", "Delete a corpus (not its rationales)");
    corpusDelete->add_option("name", co.name, "Corpus")->required();

    cotlab::cli::ServeArgs sv;
    auto* serve = app.add_subcommand("serve", "An OpenAI-compatible completions server over a local model "
                                              "(/v1/completions, /v1/chat/completions, /v1/models; docs/teacher.md)");
    serve->add_option("--model", sv.model, kModelHelp)->required();
    serve->add_option("--tokenizer", sv.tokenizer, kTokenizerHelp);
    serve->add_option("--name", sv.name, "Model name the server answers to (default: the file or folder name)");
    serve->add_option("--host", sv.host, "Address to listen on")->capture_default_str();
    serve->add_option("--port", sv.port, "Port (0: any free port, printed)")->capture_default_str();
    serve->add_option("--device", sv.device, kDeviceHelp)->capture_default_str();
    serve->add_option("--precision", sv.precision, "fp32, bf16, fp16 (CUDA only) or auto")->capture_default_str();

    cotlab::cli::SampleArgs sa;
    auto& sr = sa.request;
    auto* sample = app.add_subcommand("sample", "Sample teacher rationales from an OpenAI-compatible endpoint "
                                                "(vLLM, llama.cpp, TGI, Ollama, hosted APIs, cotlab-cli serve); tops "
                                                "up to --samples per instance, so running it again resumes");
    sample->add_option("--endpoint", sr.endpoint.baseUrl, "Base URL, e.g. http://localhost:8000/v1")->required();
    sample->add_option("--model", sr.endpoint.model, "Teacher model name as the endpoint knows it")->required();
    sample->add_flag("--chat", sr.endpoint.chat, "Use /chat/completions instead of /completions");
    sample
        ->add_option("--api-key-env", sa.apiKeyEnv,
                     "Environment variable holding the API key (never stored); when unset, the system keychain's "
                     "key for the endpoint (secret-tool, service cotlab, endpoint URL)")
        ->capture_default_str();
    sample->add_option("--price-prompt", sr.pricePromptPerMillion, "USD per million prompt tokens (cost tally)");
    sample->add_option("--price-completion", sr.priceCompletionPerMillion,
                       "USD per million completion tokens (cost tally)");
    sample->add_option("--task", sr.tasks, "Only these tasks (repeatable; default: all)");
    sample->add_option("--split", sr.split, "Only this split (default: any)");
    sample->add_option("--limit", sr.limit, "Only the first N instances (0: all)")->capture_default_str();
    sample->add_option("--samples", sr.samplesPerInstance, "Samples per instance to reach")->capture_default_str();
    sample->add_option("--template", sa.templateName, "zero-shot-cot, few-shot, socratic or custom")
        ->capture_default_str();
    sample->add_option("--template-text", sr.prompt.custom, "custom: the prompt with {question} and {choices}");
    sample->add_option("--trigger", sr.prompt.trigger, "zero-shot-cot: the trigger after 'A:'")->capture_default_str();
    sample->add_option("--exemplars", sr.prompt.exemplarsFile,
                       "few-shot: exemplars JSON (default: the bundled "
                       "few_shot_cot_prompts.json)");
    sample->add_flag("--no-answer-call", sa.noAnswerCall, "zero-shot-cot: skip the second call that reads the answer");
    sample->add_option("--temperature", sr.params.temperature, "Sampling temperature")->capture_default_str();
    sample->add_option("--top-p", sr.params.topP, "Nucleus sampling mass")->capture_default_str();
    sample->add_option("--max-tokens", sr.params.maxTokens, "Tokens per rationale at most")->capture_default_str();
    sample->add_option("--stop", sr.params.stop, "Stop strings (repeatable)");
    sample->add_option("--per-request", sr.maxPerRequest, "Samples asked for in one request (n)")
        ->capture_default_str();
    sample->add_option("--concurrency", sr.concurrency, "Requests in flight at once")->capture_default_str();
    sample->add_option("--rpm", sr.requestsPerMinute, "Requests per minute at most (0: no limit)");
    sample->add_option("--tpm", sr.tokensPerMinute, "Tokens per minute at most (0: no limit)");
    sample->add_option("--timeout", sr.endpoint.timeoutSeconds, "Seconds per request before it is retried")
        ->capture_default_str();
    sample->add_option("--attempts", sr.retry.maxAttempts, "Attempts per request (429, 5xx, timeouts are retried)")
        ->capture_default_str();

    cotlab::cli::ReviewArgs rv;
    auto* reviewCmd = app.add_subcommand("review", "Human evaluation studies: blind pairwise or single-rationale "
                                                   "labelling, agreement and results (docs/review.md)");
    reviewCmd->require_subcommand(1);
    auto* reviewCreate = reviewCmd->add_subcommand("create", "Sample instances and create a study");
    reviewCreate->add_option("--name", rv.name, "Study name")->required();
    reviewCreate
        ->add_option("--source", rv.sources,
                     "Rationales to judge: student:NAME, teacher[:MODEL] or human[:NAME]; pairwise takes "
                     "two (A then B)")
        ->required();
    reviewCreate->add_option("--mode", rv.mode, "pairwise (blind A/B) or single")->capture_default_str();
    reviewCreate->add_option("--task", rv.tasks, "Only these tasks (repeatable; default: all)");
    reviewCreate->add_option("--split", rv.split, "Only this split (default: any)");
    reviewCreate->add_option("--size", rv.size, "Instances to sample")->capture_default_str();
    reviewCreate->add_option("--seed", rv.seed, "Sampling and side-order seed")->capture_default_str();
    reviewCreate->add_option("--stratify", rv.stratify, "Equal shares per task and/or correctness (of source A)")
        ->delimiter(',');
    reviewCreate->add_flag("--hide-gold", rv.hideGold, "Do not show annotators the gold answer");
    reviewCreate
        ->add_option("--criteria", rv.criteria,
                     "JSON file: [{\"key\", \"question\", \"scale\": binary|likert5|preference}] "
                     "(default: SCoTD-style questions)")
        ->check(CLI::ExistingFile);
    auto* reviewList = reviewCmd->add_subcommand("list", "Studies of the workspace, newest first");
    reviewList->add_flag("--json", rv.json, "Print one JSON object");
    auto* reviewExport = reviewCmd->add_subcommand("export", "Write a study as a spreadsheet (Summary, Items, Labels, "
                                                             "Agreement, Comments), or a blank label sheet");
    reviewExport->add_option("name", rv.name, "Study")->required();
    reviewExport->add_option("--out", rv.out, "File to write (.xlsx, or .csv: one file per sheet)")->required();
    reviewExport->add_flag("--blank", rv.blank, "A label sheet for one annotator to fill in outside CoTLab");
    reviewExport->add_option("--annotator", rv.annotator, "The annotator the blank sheet is for");
    auto* reviewImport = reviewCmd->add_subcommand("import", "Import filled label sheets (.csv or .xlsx)");
    reviewImport->add_option("name", rv.name, "Study")->required();
    reviewImport->add_option("files", rv.files, "Filled sheets")->required()->check(CLI::ExistingFile);
    reviewImport->add_option("--annotator", rv.annotator, "Annotator, for sheets without an annotator column");
    auto* reviewStats = reviewCmd->add_subcommand("stats", "Progress, results with 95% intervals and agreement");
    reviewStats->add_option("name", rv.name, "Study")->required();
    reviewStats->add_flag("--json", rv.json, "Print one JSON object");
    auto* reviewDelete = reviewCmd->add_subcommand("delete", "Delete a study and its labels");
    reviewDelete->add_option("name", rv.name, "Study")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    try {
        if (app.got_subcommand("version"))
            return cotlab::cli::runVersion();
        if (app.got_subcommand(generate))
            return cotlab::cli::runGenerate(gen);
        if (app.got_subcommand(score))
            return cotlab::cli::runScore(sc);
        if (app.got_subcommand(convert))
            return cotlab::cli::runConvert(conv);
        if (app.got_subcommand(serve))
            return cotlab::cli::runServe(sv);
        if (app.got_subcommand(makeTask)) {
            std::ofstream out(symOut, std::ios::binary);
            if (!out)
                throw cotlab::Error(symOut + ": cannot write");
            cotlab::ingest::writeSymbolicTask(sym, out);
            if (!out.flush())
                throw cotlab::Error(symOut + ": write failed (disk full?)");
            std::printf("%s: %lld %s instances with %d items (%s)\n", symOut.c_str(), (long long)sym.count,
                        sym.task.c_str(), sym.items, sym.split.c_str());
            return 0;
        }
        if (workspace.empty())
            throw cotlab::Error("no workspace: pass --workspace FILE (or set COTLAB_WORKSPACE)");
        if (app.got_subcommand(import))
            return cotlab::cli::runImport(workspace, importArgs);
        if (app.got_subcommand(exportCmd))
            return cotlab::cli::runExport(workspace, exportArgs);
        if (app.got_subcommand(stats))
            return cotlab::cli::runStats(workspace, json);
        if (app.got_subcommand(trainCmd)) {
            if (tr.resumeRun == 0 &&
                (req.modelPath.empty() || (req.selection.task.empty() && req.selection.corpus.empty()) ||
                 req.config.runDir.empty()))
                throw cotlab::Error("train needs --model, --task (or --corpus) and --out (or --resume RUN)");
            if (tr.logEvery <= 0)
                throw cotlab::Error("--log-every must be positive");
            return cotlab::cli::runTrain(workspace, tr);
        }
        if (app.got_subcommand(evalCmd)) {
            if (ev.resume == 0 && (ev.run == 0 && er.modelPath.empty()))
                throw cotlab::Error("eval needs --run RUN or --model PATH (or --resume EVALUATION)");
            if (ev.resume == 0 && er.task.empty())
                throw cotlab::Error("eval needs --task");
            return cotlab::cli::runEval(workspace, ev);
        }
        if (evalsCmd->got_subcommand(evalsExport))
            return cotlab::cli::runEvalExport(workspace, exportEvaluation, evalOut);
        if (app.got_subcommand(evalsCmd))
            return cotlab::cli::runEvals(workspace, evalsJson);
        if (app.got_subcommand(sample))
            return cotlab::cli::runSample(workspace, sa);
        if (reviewCmd->got_subcommand(reviewCreate))
            return cotlab::cli::runReviewCreate(workspace, rv);
        if (reviewCmd->got_subcommand(reviewList))
            return cotlab::cli::runReviewList(workspace, rv.json);
        if (reviewCmd->got_subcommand(reviewExport))
            return cotlab::cli::runReviewExport(workspace, rv);
        if (reviewCmd->got_subcommand(reviewImport))
            return cotlab::cli::runReviewImport(workspace, rv);
        if (reviewCmd->got_subcommand(reviewStats))
            return cotlab::cli::runReviewStats(workspace, rv);
        if (reviewCmd->got_subcommand(reviewDelete))
            return cotlab::cli::runReviewDelete(workspace, rv);
        if (app.got_subcommand(runsCmd))
            return cotlab::cli::runRuns(workspace, runsJson);
        if (corpusCmd->got_subcommand(corpusBuild))
            return cotlab::cli::runCorpusBuild(workspace, co);
        if (corpusCmd->got_subcommand(corpusList))
            return cotlab::cli::runCorpusList(workspace, co.json);
        if (corpusCmd->got_subcommand(corpusShow))
            return cotlab::cli::runCorpusShow(workspace, co);
        if (corpusCmd->got_subcommand(corpusExport))
            return cotlab::cli::runCorpusExport(workspace, co);
        if (corpusCmd->got_subcommand(corpusRename))
            return cotlab::cli::runCorpusRename(workspace, co);
        if (corpusCmd->got_subcommand(corpusDelete))
            return cotlab::cli::runCorpusDelete(workspace, co);
    } catch (const cotlab::jobs::Cancelled&) {
        std::fprintf(stderr, "cancelled; the workspace is as it was before this file\n");
        return 130;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
