#include "report/EvaluationSheets.h"

#include "report/StudySheets.h"
#include "review/Study.h"
#include "store/Database.h"
#include "store/EvaluationRepository.h"
#include "store/ReviewRepository.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace cotlab::report {

namespace {

std::string yesNo(const std::optional<bool>& value)
{
    return !value ? std::string() : *value ? "yes" : "no";
}

} // namespace

namespace {

Sheet summarySheet(const store::EvaluationRecord& evaluation, int64_t teacherCorrect, int64_t teacherJudged)
{
    Sheet summary{"Summary", {{"Field", 30}, {"Value", 60, true, "0.000"}}, {}};
    auto field = [&](const std::string& name, Cell value) { summary.rows.push_back({name, std::move(value)}); };
    field("Evaluation", evaluation.id);
    field("Student", evaluation.name);
    field("Training run", evaluation.runId ? Cell(*evaluation.runId) : Cell(std::string("none")));
    field("Model", evaluation.modelPath);
    field("Task", evaluation.task);
    field("Split", evaluation.split);
    field("Status", evaluation.status);
    field("Questions", evaluation.items);
    field("Evaluated", evaluation.done);
    field("Correct", evaluation.correct);
    const auto& a = evaluation.accuracy;
    field("Accuracy", a ? Cell(a->estimate) : Cell(std::monostate{}));
    field("Accuracy 95% CI low (Wilson)", a ? Cell(a->low) : Cell(std::monostate{}));
    field("Accuracy 95% CI high (Wilson)", a ? Cell(a->high) : Cell(std::monostate{}));
    field("Teacher accuracy on these questions",
          teacherJudged ? Cell(double(teacherCorrect) / double(teacherJudged)) : Cell(std::monostate{}));
    field("Questions with a teacher rationale", teacherJudged);
    field("Settings", nlohmann::json::parse(evaluation.configJson, nullptr, false).dump());
    field("Created", evaluation.createdAt);

    return summary;
}

Sheet itemsSheet(const std::vector<store::EvaluatedInstance>& details, std::unordered_set<int64_t>& evaluated)
{
    Sheet items{"Items",
                {{"Instance", 14},
                 {"Question", 50, true},
                 {"Choices", 28, true},
                 {"Gold", 8},
                 {"Prediction", 10},
                 {"Correct", 8},
                 {"Votes", 14},
                 {"Student rationale", 60, true},
                 {"Teacher", 18},
                 {"Teacher rationale", 60, true},
                 {"Teacher answer", 10},
                 {"Teacher correct", 9}},
                {}};
    for (const auto& d : details) {
        evaluated.insert(d.instanceId);
        items.rows.push_back({d.extId, d.question, choicesText(d.choicesJson), d.gold, d.prediction,
                              std::string(d.correct ? "yes" : "no"), d.votesJson.value_or(""), d.studentRationale,
                              d.teacherModel.value_or(""), d.teacherRationale.value_or(""),
                              d.teacherAnswer.value_or(""), yesNo(d.teacherCorrect)});
    }

    return items;
}

// The labels of the studies that judged this student's rationales on these questions, and those studies' reports.
Sheet labelsSheet(store::Database& db, const store::EvaluationRecord& evaluation,
                  const std::unordered_set<int64_t>& evaluated, std::vector<review::StudyReport>& reports)
{
    Sheet labels{"Labels",
                 {{"Study", 18},
                  {"Item", 8},
                  {"Instance", 14},
                  {"This student is", 10},
                  {"Annotator", 16},
                  {"Criterion", 14},
                  {"Value", 8},
                  {"Labelled at", 24}},
                 {}};
    store::ReviewRepository reviews(db);
    const std::string source = "student:" + evaluation.name;
    for (const auto& study : reviews.list()) {
        const auto spec = review::specFromJson(study.name, study.mode, study.configJson);
        int64_t index = -1;
        for (size_t s = 0; s < spec.sources.size(); ++s)
            if (spec.sources[s].label() == source)
                index = int64_t(s);
        if (index < 0)
            continue;
        const bool pairwise = spec.mode == review::Mode::Pairwise;
        std::unordered_map<int64_t, std::string> itemInstance;
        for (const auto& d : reviews.itemDetails(study.id))
            if (evaluated.count(d.item.instanceId) &&
                (d.item.sourceA == index || (d.item.sourceB && *d.item.sourceB == index)))
                itemInstance[d.item.id] = d.extId;
        if (itemInstance.empty())
            continue;
        for (const auto& l : reviews.labels(study.id)) {
            const auto it = itemInstance.find(l.itemId);
            if (it == itemInstance.end())
                continue;
            labels.rows.push_back({study.name, l.itemId, it->second,
                                   std::string(pairwise ? (index == 0 ? "A" : "B") : "rated"), l.annotator, l.criterion,
                                   l.value, l.labelledAt});
        }
        reports.push_back(review::studyReport(db, study.id));
    }
    return labels;
}

} // namespace

std::vector<Sheet> evaluationSheets(store::Database& db, int64_t evaluationId)
{
    store::EvaluationRepository evaluations(db);
    const auto evaluation = evaluations.find(evaluationId);
    if (!evaluation)
        throw Error("there is no evaluation " + std::to_string(evaluationId) + " in " + db.path() +
                    " (cotlab-cli evals lists them)");
    const auto [teacherCorrect, teacherJudged] = evaluations.teacherTally(evaluationId);
    std::unordered_set<int64_t> evaluated;
    Sheet items = itemsSheet(evaluations.evaluatedInstanceDetails(evaluationId), evaluated);
    std::vector<review::StudyReport> reports;
    Sheet labels = labelsSheet(db, *evaluation, evaluated, reports);
    std::vector<const review::StudyReport*> judged;
    for (const auto& r : reports)
        judged.push_back(&r);
    std::vector<Sheet> sheets{summarySheet(*evaluation, teacherCorrect, teacherJudged), items};
    if (!labels.rows.empty()) // only when a study judged this student's rationales: no empty sheets
        sheets.insert(sheets.end(), {labels, agreementSheet(judged, true)});
    return sheets;
}

} // namespace cotlab::report
