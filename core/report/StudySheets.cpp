#include "report/StudySheets.h"

#include "answers/AnswerKind.h"
#include "review/Study.h"
#include "store/Database.h"
#include "store/ReviewRepository.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

namespace cotlab::report {

namespace {

Cell correctCell(const std::optional<bool>& correct)
{
    if (!correct)
        return std::string();
    return std::string(*correct ? "yes" : "no");
}

Cell optionalCell(const std::optional<double>& value)
{
    return value ? Cell(*value) : Cell(std::string("n/a"));
}

std::string join(const std::vector<std::string>& values, const std::string& separator)
{
    std::string out;
    for (const auto& v : values)
        out += (out.empty() ? "" : separator) + v;
    return out;
}

std::string lower(std::string text)
{
    for (char& ch : text)
        ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return text;
}

std::string trim(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// What the annotator writes in a sheet for each option of a scale (pairwise: sides, not A/B).
std::vector<std::string> sheetValues(review::Scale scale)
{
    if (scale == review::Scale::Preference)
        return {"left", "right", "tie"};
    return review::scaleValues(scale);
}

} // namespace

std::string choicesText(const std::optional<std::string>& choicesJson)
{
    if (!choicesJson)
        return {};
    std::string out;
    for (const auto& c : answers::choicesFromJson(*choicesJson))
        out += (out.empty() ? "" : "\n") + c.label + ") " + c.text;
    return out;
}

Sheet agreementSheet(const std::vector<const review::StudyReport*>& reports, bool studyColumn)
{
    Sheet sheet{"Agreement", {}, {}};
    if (studyColumn)
        sheet.columns.push_back({"Study", 18});
    for (Column column : {Column("Criterion", 14), Column("Statistic", 34), Column("Annotators", 30, true),
                          Column("Items", 8), Column("Value", 10, false, "0.000")})
        sheet.columns.push_back(column);
    for (const review::StudyReport* report : reports) {
        std::string everyone;
        for (const auto& a : report->annotators)
            everyone += (everyone.empty() ? "" : ", ") + a.name;
        auto add = [&](std::vector<Cell> row) {
            if (studyColumn)
                row.insert(row.begin(), report->study.name);
            sheet.rows.push_back(std::move(row));
        };
        for (const auto& a : report->agreement) {
            for (const auto& pair : a.cohen)
                add({a.criterion, std::string("Cohen's kappa"), pair.first + ", " + pair.second, pair.items,
                     optionalCell(pair.kappa)});
            if (report->annotators.size() >= 2) {
                add({a.criterion, std::string("Observed agreement (share of agreeing pairs)"), everyone, a.items,
                     optionalCell(a.observed)});
                add({a.criterion, std::string("Fleiss' kappa"), everyone, a.fleissItems, optionalCell(a.fleiss)});
                add({a.criterion, std::string("Krippendorff's alpha (nominal)"), everyone, a.items,
                     optionalCell(a.alphaNominal)});
                add({a.criterion, std::string("Krippendorff's alpha (ordinal)"), everyone, a.items,
                     optionalCell(a.alphaOrdinal)});
            }
        }
    }
    return sheet;
}

namespace {

// The study's description, progress and results (with their intervals).
Sheet summarySheet(const review::StudyReport& report, const std::vector<std::string>& sourceLabels)
{
    const auto& spec = report.spec;
    const bool pairwise = spec.mode == review::Mode::Pairwise;
    Sheet summary{"Summary",
                  {{"Field", 34},
                   {"Value", 60, false, "0.000"},
                   {"Items", 8},
                   {"95% CI low", 11, false, "0.000"},
                   {"95% CI high", 11, false, "0.000"},
                   {"CI method", 20}},
                  {}};
    auto field = [&](const std::string& name, Cell value) {
        summary.rows.push_back(
            {name, std::move(value), std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}});
    };
    field("Study", report.study.name);
    field("Mode", pairwise ? std::string("pairwise (blind A/B, sides randomised per annotator)")
                           : std::string("single rationale"));
    for (size_t s = 0; s < sourceLabels.size(); ++s)
        field(pairwise ? std::string(s == 0 ? "Source A" : "Source B") : "Source " + std::to_string(s + 1),
              sourceLabels[s]);
    field("Tasks", spec.tasks.empty() ? std::string("all") : join(spec.tasks, ", "));
    field("Split", spec.split.empty() ? std::string("any") : spec.split);
    field("Instances asked for", spec.size);
    field("Seed", int64_t(spec.seed));
    std::vector<std::string> strata;
    if (spec.stratifyByTask)
        strata.push_back("task");
    if (spec.stratifyByCorrectness)
        strata.push_back("correctness of source A");
    field("Stratified by", strata.empty() ? std::string("nothing") : join(strata, ", "));
    field("Gold shown to annotators", std::string(spec.hideGold ? "no" : "yes"));
    field("Items", report.items);
    field("Created", report.study.createdAt);
    for (const auto& a : report.annotators)
        field("Annotator " + a.name, std::to_string(a.complete) + " of " + std::to_string(report.items) +
                                         " items complete, " + std::to_string(a.labels) + " labels");
    for (const auto& p : report.preferences) {
        auto result = [&](const std::string& what, const review::MeanInterval& m) {
            if (m.n == 0)
                summary.rows.push_back({p.criterion + ": " + what, std::string("no labels yet"), m.n, std::monostate{},
                                        std::monostate{}, std::monostate{}});
            else
                summary.rows.push_back({p.criterion + ": " + what, m.mean, m.n, m.low, m.high, m.method});
        };
        result(sourceLabels[0] + " preferred", p.aWins);
        result("tie", p.ties);
        result(sourceLabels[1] + " preferred", p.bWins);
    }
    for (const auto& r : report.ratings) {
        if (r.rating.n == 0)
            summary.rows.push_back({r.criterion + ": mean rating of " + r.source, std::string("no labels yet"),
                                    r.rating.n, std::monostate{}, std::monostate{}, std::monostate{}});
        else
            summary.rows.push_back({r.criterion + ": mean rating of " + r.source, r.rating.mean, r.rating.n,
                                    r.rating.low, r.rating.high, r.rating.method});
    }

    return summary;
}

// One row per item: the question, gold and each side's rationale, answer and correctness.
Sheet itemsSheet(store::ReviewRepository& repo, int64_t studyId, const std::vector<std::string>& sourceLabels,
                 bool pairwise)
{
    Sheet items{"Items",
                {{"Item", 8},
                 {"Position", 9},
                 {"Task", 14},
                 {"Instance", 12},
                 {"Question", 50, true},
                 {"Choices", 30, true},
                 {"Gold", 10}},
                {}};
    const std::vector<std::string> sides = pairwise ? std::vector<std::string>{"A", "B"} : std::vector<std::string>{""};
    for (const auto& side : sides) {
        const std::string prefix = side.empty() ? std::string() : side + " ";
        items.columns.push_back({prefix + "source", 18});
        items.columns.push_back({prefix + "rationale", 60, true});
        items.columns.push_back({prefix + "answer", 10});
        items.columns.push_back({prefix + "correct", 9});
    }
    items.columns.push_back({"Stratum", 14});
    for (const auto& d : repo.itemDetails(studyId)) {
        std::vector<Cell> row{d.item.id, d.item.position, d.task, d.extId, d.question, choicesText(d.choicesJson),
                              d.gold};
        auto addRationale = [&](const store::StudyRationale& r, int64_t source) {
            row.push_back(size_t(source) < sourceLabels.size() ? sourceLabels[size_t(source)] : std::string());
            row.push_back(r.text);
            row.push_back(r.answer);
            row.push_back(correctCell(r.correct));
        };
        addRationale(d.a, d.item.sourceA);
        if (pairwise) {
            if (d.b)
                addRationale(*d.b, d.item.sourceB.value_or(1));
            else
                row.insert(row.end(), 4, std::string());
        }
        row.push_back(d.item.stratum);
        items.rows.push_back(std::move(row));
    }

    return items;
}

} // namespace

std::vector<Sheet> studySheets(store::Database& db, int64_t studyId)
{
    store::ReviewRepository repo(db);
    const review::StudyReport report = review::studyReport(db, studyId);
    const bool pairwise = report.spec.mode == review::Mode::Pairwise;
    std::vector<std::string> sourceLabels;
    for (const auto& s : report.spec.sources)
        sourceLabels.push_back(s.label());
    Sheet summary = summarySheet(report, sourceLabels);
    Sheet items = itemsSheet(repo, studyId, sourceLabels, pairwise);
    Sheet labels{"Labels", {{"Item", 8}, {"Annotator", 16}, {"Criterion", 14}, {"Value", 8}, {"Labelled at", 24}}, {}};
    for (const auto& l : repo.labels(studyId))
        labels.rows.push_back({l.itemId, l.annotator, l.criterion, l.value, l.labelledAt});

    Sheet agreement = agreementSheet({&report}, false);

    Sheet comments{"Comments", {{"Item", 8}, {"Annotator", 16}, {"Comment", 80, true}}, {}};
    for (const auto& c : repo.comments(studyId))
        comments.rows.push_back({c.itemId, c.annotator, c.comment});
    return {summary, items, labels, agreement, comments};
}

Sheet blankLabelSheet(store::Database& db, int64_t studyId, const std::string& annotator)
{
    if (annotator.empty())
        throw Error("a label sheet is for one annotator: give their name");
    store::ReviewRepository repo(db);
    const auto [study, spec] = review::loadStudy(db, studyId);
    const bool pairwise = spec.mode == review::Mode::Pairwise;
    const auto details = repo.itemDetails(studyId);
    std::vector<int64_t> ids;
    for (const auto& d : details)
        ids.push_back(d.item.id);
    const auto bLeft = review::leftIsB(ids, spec.seed, annotator);

    // Labels this annotator already gave.
    std::map<std::pair<int64_t, std::string>, std::string> given;
    for (const auto& l : repo.labels(studyId))
        if (l.annotator == annotator)
            given[{l.itemId, l.criterion}] = l.value;
    std::map<int64_t, std::string> comments;
    for (const auto& c : repo.comments(studyId))
        if (c.annotator == annotator)
            comments[c.itemId] = c.comment;

    Sheet sheet{
        "Labels", {{"item", 8}, {"annotator", 14}, {"task", 14}, {"question", 45, true}, {"choices", 28, true}}, {}};
    if (!spec.hideGold)
        sheet.columns.push_back({"gold", 8});
    if (pairwise) {
        sheet.columns.push_back({"left rationale", 55, true});
        sheet.columns.push_back({"right rationale", 55, true});
    } else {
        sheet.columns.push_back({"rationale", 60, true});
    }
    for (const auto& c : spec.criteria) {
        const auto values = sheetValues(c.scale);
        sheet.columns.push_back({c.key + " [" + join(values, "/") + "]: " + c.question, 16, true, {}, values});
    }
    sheet.columns.push_back({"comment", 30, true});

    for (size_t i = 0; i < details.size(); ++i) {
        const auto& d = details[i];
        std::vector<Cell> row{d.item.id, annotator, d.task, d.question, choicesText(d.choicesJson)};
        if (!spec.hideGold)
            row.push_back(d.gold);
        if (pairwise) {
            const std::string a = review::shownRationale(d.a), b = d.b ? review::shownRationale(*d.b) : std::string();
            row.push_back(bLeft[i] ? b : a);
            row.push_back(bLeft[i] ? a : b);
        } else {
            row.push_back(review::shownRationale(d.a));
        }
        for (const auto& c : spec.criteria) {
            const auto it = given.find({d.item.id, c.key});
            std::string text;
            if (it != given.end()) {
                const int option = review::optionForValue(c.scale, it->second, bLeft[i]);
                if (option >= 0)
                    text = sheetValues(c.scale)[size_t(option)];
            }
            row.push_back(text);
        }
        row.push_back(comments.count(d.item.id) ? comments[d.item.id] : std::string());
        sheet.rows.push_back(std::move(row));
    }
    return sheet;
}

namespace {

// The criterion a header names: "fluent [yes/no]: Is it ..." or just "fluent".
std::string headerKey(const std::string& header)
{
    std::string key = trim(header);
    const auto cut = key.find_first_of(" [:");
    return cut == std::string::npos ? key : key.substr(0, cut);
}

// The option a sheet cell picks (0-based), or -1.
int parseOption(review::Scale scale, const std::string& cell)
{
    std::string text = lower(trim(cell));
    if (scale == review::Scale::Binary) {
        if (text == "yes" || text == "y" || text == "true" || text == "1")
            return 0;
        if (text == "no" || text == "n" || text == "false" || text == "0")
            return 1;
        return -1;
    }
    if (scale == review::Scale::Likert5) {
        if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0)
            text.resize(text.size() - 2); // a spreadsheet's number 3 read back as "3.0"
        if (text.size() == 1 && text[0] >= '1' && text[0] <= '5')
            return text[0] - '1';
        return -1;
    }
    if (text == "left" || text == "l")
        return 0;
    if (text == "right" || text == "r")
        return 1;
    if (text == "tie" || text == "t" || text == "same")
        return 2;
    return -1;
}

} // namespace

namespace {

// Where a filled label sheet keeps what: the item, annotator and comment columns and one column per criterion.
struct SheetLayout {
    int item = -1, annotator = -1, comment = -1;
    std::vector<std::pair<int, const review::Criterion*>> criteria;
};

SheetLayout layoutOf(const std::vector<std::string>& header, const review::StudySpec& spec, const std::string& path,
                     const std::string& annotatorOverride)
{
    SheetLayout layout;
    for (size_t c = 0; c < header.size(); ++c) {
        const std::string key = headerKey(header[c]);
        if (lower(key) == "item")
            layout.item = int(c);
        else if (lower(key) == "annotator")
            layout.annotator = int(c);
        else if (lower(key) == "comment")
            layout.comment = int(c);
        else
            for (const auto& criterion : spec.criteria)
                if (criterion.key == key)
                    layout.criteria.push_back({int(c), &criterion});
    }
    if (layout.item < 0)
        throw Error(path + ": the header row has no 'item' column (export a blank sheet to see the layout)");
    if (layout.annotator < 0 && annotatorOverride.empty())
        throw Error(path + ": the sheet has no 'annotator' column; give the annotator's name");
    if (layout.criteria.empty() && layout.comment < 0) {
        std::vector<std::string> keys;
        for (const auto& c : spec.criteria)
            keys.push_back(c.key);
        throw Error(path + ": no column is one of the study's criteria (" + join(keys, ", ") + ")");
    }
    return layout;
}

std::string cellOf(const std::vector<std::string>& row, int column)
{
    return column >= 0 && size_t(column) < row.size() ? row[size_t(column)] : std::string();
}

// Reads a filled sheet's rows against a study: labels per annotator, turned from the sheet's sides (blind, per
// annotator) into the study's, and every problem with its row and column.
class LabelRows {
public:
    LabelRows(store::ReviewRepository& repo, int64_t studyId, const review::StudySpec& spec, std::string studyName)
        : m_spec(spec), m_studyName(std::move(studyName))
    {
        const auto items = repo.items(studyId);
        for (size_t i = 0; i < items.size(); ++i) {
            m_itemIndex[items[i].id] = i;
            m_ids.push_back(items[i].id);
        }
    }

    void read(const std::vector<std::string>& row, const SheetLayout& layout, const std::string& where,
              const std::string& annotatorOverride, LabelImport& result)
    {
        const std::string itemText = trim(cellOf(row, layout.item));
        int64_t itemId = 0;
        try {
            size_t used = 0;
            itemId = std::stoll(itemText, &used);
            if (used != itemText.size() && itemText.substr(used) != ".0")
                throw std::invalid_argument(itemText);
        } catch (const std::exception&) {
            return problems.push_back(where + ": '" + itemText + "' is not an item number");
        }
        const auto found = m_itemIndex.find(itemId);
        if (found == m_itemIndex.end())
            return problems.push_back(where + ": item " + itemText + " is not in study '" + m_studyName + "'");
        std::string annotator = trim(cellOf(row, layout.annotator));
        if (annotator.empty())
            annotator = annotatorOverride;
        if (annotator.empty())
            return problems.push_back(where + ": the annotator cell is empty");
        auto& sides = m_sidesOf[annotator];
        if (sides.empty())
            sides = review::leftIsB(m_ids, m_spec.seed, annotator);
        store::ReviewRepository::ImportedItem imported;
        imported.itemId = itemId;
        for (const auto& [column, criterion] : layout.criteria) {
            const std::string text = trim(cellOf(row, column));
            if (text.empty())
                continue;
            const int option = parseOption(criterion->scale, text);
            if (option < 0) {
                problems.push_back(where + ", column " + criterion->key + ": '" + text + "' is not one of " +
                                   join(sheetValues(criterion->scale), ", "));
                continue;
            }
            imported.labels.push_back(
                {criterion->key, review::valueForOption(criterion->scale, option, sides[found->second])});
        }
        imported.comment = trim(cellOf(row, layout.comment));
        result.labels += int64_t(imported.labels.size());
        result.comments += !imported.comment.empty();
        byAnnotator[annotator].push_back(std::move(imported));
    }

    std::vector<std::string> problems;
    std::map<std::string, std::vector<store::ReviewRepository::ImportedItem>> byAnnotator;

private:
    const review::StudySpec& m_spec;
    std::string m_studyName;
    std::unordered_map<int64_t, size_t> m_itemIndex;
    std::vector<int64_t> m_ids;
    std::map<std::string, std::vector<bool>> m_sidesOf; // per annotator
};

} // namespace

LabelImport importLabelSheet(store::Database& db, int64_t studyId, const std::string& path,
                             const std::string& annotatorOverride)
{
    store::ReviewRepository repo(db);
    const auto [study, spec] = review::loadStudy(db, studyId);
    const Table table = readTable(path);
    if (table.empty())
        throw Error(path + " is empty: it needs a header row (item, annotator, one column per criterion)");
    const SheetLayout layout = layoutOf(table.front(), spec, path, annotatorOverride);
    LabelRows rows(repo, studyId, spec, study.name);
    LabelImport result;
    for (size_t r = 1; r < table.size(); ++r) {
        const auto& row = table[r];
        if (std::all_of(row.begin(), row.end(), [](const std::string& s) { return trim(s).empty(); }))
            continue;
        ++result.rows;
        rows.read(row, layout, path + ": row " + std::to_string(r + 1), annotatorOverride, result);
    }
    if (!rows.problems.empty()) {
        std::string message = "nothing was imported from " + path + ":";
        for (size_t i = 0; i < rows.problems.size() && i < 20; ++i)
            message += "\n  " + rows.problems[i];
        if (rows.problems.size() > 20)
            message += "\n  ... and " + std::to_string(rows.problems.size() - 20) + " more";
        throw Error(message);
    }
    store::ReviewRepository::ImportedLabels labels;
    for (auto& [annotator, imported] : rows.byAnnotator) {
        result.annotators.push_back(annotator);
        labels.push_back({annotator, std::move(imported)});
    }
    repo.importLabels(studyId, labels);
    return result;
}

} // namespace cotlab::report
