#include "ReviewCommands.h"

#include "CommandLine.h"
#include "report/EvaluationSheets.h"
#include "report/StudySheets.h"
#include "review/Study.h"
#include "store/ReviewRepository.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cotlab::cli {

namespace {

std::string percent(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * value);
    return buffer;
}

std::string number(const std::optional<double>& value)
{
    if (!value)
        return "n/a";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", *value);
    return buffer;
}

void printWritten(const std::vector<std::string>& files)
{
    for (const auto& f : files)
        std::printf("wrote %s\n", f.c_str());
}

} // namespace

int runReviewCreate(const std::string& workspace, const ReviewArgs& args)
{
    review::StudySpec spec;
    spec.name = args.name;
    spec.mode = review::parseMode(args.mode);
    for (const auto& s : args.sources)
        spec.sources.push_back(review::parseSource(s));
    spec.tasks = args.tasks;
    spec.split = args.split;
    spec.size = args.size;
    spec.seed = args.seed;
    for (const auto& s : args.stratify) {
        if (s == "task")
            spec.stratifyByTask = true;
        else if (s == "correctness")
            spec.stratifyByCorrectness = true;
        else
            throw Error("--stratify takes task and/or correctness, not '" + s + "'");
    }
    spec.hideGold = args.hideGold;
    if (!args.criteria.empty()) {
        std::ifstream in(args.criteria);
        if (!in)
            throw Error(args.criteria + ": cannot be read");
        std::stringstream text;
        text << in.rdbuf();
        try {
            spec.criteria = review::criteriaFromJson(text.str());
        } catch (const Error& e) {
            throw Error(args.criteria + ": " + e.what());
        }
    }
    store::Workspace ws(workspace);
    const int64_t id = review::createStudy(ws.db(), spec);
    const auto items = store::ReviewRepository(ws.db()).items(id);
    std::printf("study '%s' (%s): %zu items\n", args.name.c_str(), args.mode.c_str(), items.size());
    return 0;
}

int runReviewList(const std::string& workspace, bool json)
{
    store::Workspace ws(workspace);
    store::ReviewRepository repo(ws.db());
    const auto studies = repo.list();
    if (json) {
        nlohmann::ordered_json out{{"studies", nlohmann::ordered_json::array()}};
        for (const auto& s : studies) {
            nlohmann::ordered_json annotators = nlohmann::ordered_json::array();
            for (const auto& a : repo.annotators(s.id))
                annotators.push_back(a.name);
            out["studies"].push_back({{"id", s.id},
                                      {"name", s.name},
                                      {"mode", s.mode},
                                      {"items", s.items},
                                      {"annotators", annotators},
                                      {"config", nlohmann::ordered_json::parse(s.configJson)},
                                      {"created_at", s.createdAt}});
        }
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("%4s  %-28s %-9s %6s  %s\n", "id", "study", "mode", "items", "annotators");
    for (const auto& s : studies) {
        std::string annotators;
        for (const auto& a : repo.annotators(s.id))
            annotators += (annotators.empty() ? "" : ", ") + a.name;
        std::printf("%4lld  %-28s %-9s %6lld  %s\n", (long long)s.id, s.name.c_str(), s.mode.c_str(),
                    (long long)s.items, annotators.c_str());
    }
    return 0;
}

int runReviewExport(const std::string& workspace, const ReviewArgs& args)
{
    store::Workspace ws(workspace);
    const auto study = review::findStudy(ws.db(), args.name);
    if (args.blank) {
        if (args.annotator.empty())
            throw Error("a blank label sheet is for one annotator: add --annotator NAME");
        printWritten(report::writeSheets(args.out, {report::blankLabelSheet(ws.db(), study.id, args.annotator)}));
        return 0;
    }
    printWritten(report::writeSheets(args.out, report::studySheets(ws.db(), study.id)));
    return 0;
}

int runReviewImport(const std::string& workspace, const ReviewArgs& args)
{
    store::Workspace ws(workspace);
    const auto study = review::findStudy(ws.db(), args.name);
    for (const auto& file : args.files) {
        const auto imported = report::importLabelSheet(ws.db(), study.id, file, args.annotator);
        std::string who;
        for (const auto& a : imported.annotators)
            who += (who.empty() ? "" : ", ") + a;
        std::printf("%s: %lld rows, %lld labels, %lld comments (%s)\n", file.c_str(), (long long)imported.rows,
                    (long long)imported.labels, (long long)imported.comments, who.c_str());
    }
    return 0;
}

int runReviewStats(const std::string& workspace, const ReviewArgs& args)
{
    store::Workspace ws(workspace);
    const auto study = review::findStudy(ws.db(), args.name);
    const review::StudyReport report = review::studyReport(ws.db(), study.id);
    if (args.json) {
        std::printf("%s\n", review::reportToJson(report).c_str());
        return 0;
    }
    std::string sources;
    for (size_t s = 0; s < report.spec.sources.size(); ++s)
        sources += (s ? " vs " : "") + report.spec.sources[s].label();
    std::printf("study '%s' (%s): %s, %lld items\n", report.study.name.c_str(), report.study.mode.c_str(),
                sources.c_str(), (long long)report.items);
    for (const auto& a : report.annotators)
        std::printf("  %-16s %lld/%lld items complete, %lld labels\n", a.name.c_str(), (long long)a.complete,
                    (long long)report.items, (long long)a.labels);
    if (!report.preferences.empty()) {
        const std::string a = report.spec.sources[0].label(), b = report.spec.sources[1].label();
        std::printf("\n%-10s %-26s %-26s %-26s\n", "criterion", (a + " preferred").c_str(), "tie",
                    (b + " preferred").c_str());
        auto cell = [](const review::MeanInterval& m) {
            return percent(m.mean) + " [" + percent(m.low) + ", " + percent(m.high) + "] n=" + std::to_string(m.n);
        };
        std::printf("(95%% Wilson intervals over the labelled items)\n");
        for (const auto& p : report.preferences)
            std::printf("%-10s %-26s %-26s %-26s\n", p.criterion.c_str(), cell(p.aWins).c_str(), cell(p.ties).c_str(),
                        cell(p.bWins).c_str());
    }
    if (!report.ratings.empty()) {
        std::printf("\n%-10s %-36s %s\n", "criterion", "source", "mean rating [95% CI]");
        for (const auto& r : report.ratings)
            std::printf("%-10s %-36s %.2f [%.2f, %.2f] over %lld items (%s)\n", r.criterion.c_str(), r.source.c_str(),
                        r.rating.mean, r.rating.low, r.rating.high, (long long)r.rating.n, r.rating.method.c_str());
    }
    if (report.annotators.size() >= 2) {
        std::printf("\n%-10s %8s %9s %8s %10s %10s  %s\n", "criterion", "items", "observed", "Fleiss", "alpha nom",
                    "alpha ord", "Cohen's kappa per pair");
        for (const auto& a : report.agreement) {
            std::string pairs;
            for (const auto& p : a.cohen)
                pairs += (pairs.empty() ? "" : "; ") + p.first + "/" + p.second + " " + number(p.kappa);
            std::printf("%-10s %8lld %9s %8s %10s %10s  %s\n", a.criterion.c_str(), (long long)a.items,
                        a.observed ? percent(*a.observed).c_str() : "n/a", number(a.fleiss).c_str(),
                        number(a.alphaNominal).c_str(), number(a.alphaOrdinal).c_str(), pairs.c_str());
        }
    }
    return 0;
}

int runReviewDelete(const std::string& workspace, const ReviewArgs& args)
{
    store::Workspace ws(workspace);
    store::ReviewRepository(ws.db()).remove(args.name);
    std::printf("deleted study '%s' and its labels\n", args.name.c_str());
    return 0;
}

int runEvalExport(const std::string& workspace, int64_t evaluationId, const std::string& out)
{
    store::Workspace ws(workspace);
    printWritten(report::writeSheets(out, report::evaluationSheets(ws.db(), evaluationId)));
    return 0;
}

void addReviewCommands(CommandLine& cli)
{
    auto rv = std::make_shared<ReviewArgs>();
    auto* reviewCmd = cli.group("review", "Human evaluation studies: blind pairwise or single-rationale "
                                          "labelling, agreement and results (docs/review.md)");
    auto* reviewCreate = cli.add(
        "create", "Sample instances and create a study", [&cli, rv] { return runReviewCreate(cli.workspace(), *rv); },
        reviewCmd);
    reviewCreate->add_option("--name", rv->name, "Study name")->required();
    reviewCreate
        ->add_option("--source", rv->sources,
                     "Rationales to judge: student:NAME, teacher[:MODEL] or human[:NAME]; pairwise takes "
                     "two (A then B)")
        ->required();
    reviewCreate->add_option("--mode", rv->mode, "pairwise (blind A/B) or single")->capture_default_str();
    reviewCreate->add_option("--task", rv->tasks, "Only these tasks (repeatable; default: all)");
    reviewCreate->add_option("--split", rv->split, "Only this split (default: any)");
    reviewCreate->add_option("--size", rv->size, "Instances to sample")->capture_default_str();
    reviewCreate->add_option("--seed", rv->seed, "Sampling and side-order seed")->capture_default_str();
    reviewCreate->add_option("--stratify", rv->stratify, "Equal shares per task and/or correctness (of source A)")
        ->delimiter(',');
    reviewCreate->add_flag("--hide-gold", rv->hideGold, "Do not show annotators the gold answer");
    reviewCreate
        ->add_option("--criteria", rv->criteria,
                     "JSON file: [{\"key\", \"question\", \"scale\": binary|likert5|preference}] "
                     "(default: SCoTD-style questions)")
        ->check(CLI::ExistingFile);
    auto* reviewList = cli.add(
        "list", "Studies of the workspace, newest first",
        [&cli, rv] { return runReviewList(cli.workspace(), rv->json); }, reviewCmd);
    reviewList->add_flag("--json", rv->json, "Print one JSON object");
    auto* reviewExport = cli.add(
        "export",
        "Write a study as a spreadsheet (Summary, Items, Labels, "
        "Agreement, Comments), or a blank label sheet",
        [&cli, rv] { return runReviewExport(cli.workspace(), *rv); }, reviewCmd);
    reviewExport->add_option("name", rv->name, "Study")->required();
    reviewExport->add_option("--out", rv->out, "File to write (.xlsx, or .csv: one file per sheet)")->required();
    reviewExport->add_flag("--blank", rv->blank, "A label sheet for one annotator to fill in outside CoTLab");
    reviewExport->add_option("--annotator", rv->annotator, "The annotator the blank sheet is for");
    auto* reviewImport = cli.add(
        "import", "Import filled label sheets (.csv or .xlsx)",
        [&cli, rv] { return runReviewImport(cli.workspace(), *rv); }, reviewCmd);
    reviewImport->add_option("name", rv->name, "Study")->required();
    reviewImport->add_option("files", rv->files, "Filled sheets")->required()->check(CLI::ExistingFile);
    reviewImport->add_option("--annotator", rv->annotator, "Annotator, for sheets without an annotator column");
    auto* reviewStats = cli.add(
        "stats", "Progress, results with 95% intervals and agreement",
        [&cli, rv] { return runReviewStats(cli.workspace(), *rv); }, reviewCmd);
    reviewStats->add_option("name", rv->name, "Study")->required();
    reviewStats->add_flag("--json", rv->json, "Print one JSON object");
    auto* reviewDelete = cli.add(
        "delete", "Delete a study and its labels", [&cli, rv] { return runReviewDelete(cli.workspace(), *rv); },
        reviewCmd);
    reviewDelete->add_option("name", rv->name, "Study")->required();
}

} // namespace cotlab::cli
