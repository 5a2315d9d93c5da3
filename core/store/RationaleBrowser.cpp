#include "store/RationaleBrowser.h"

#include "store/AnnotationRepository.h"
#include "store/Database.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace cotlab::store {

namespace {

// Parameter numbers of the filter's values in every statement built here.
enum Param { kSearch = 1, kTask, kSplit, kSource, kModel, kMinLength, kMaxLength, kTag };

bool needsInstances(const RationaleFilter& f, const BrowseSort& s)
{
    switch (s.column) {
    case BrowseColumn::Task:
    case BrowseColumn::Split:
    case BrowseColumn::Instance:
    case BrowseColumn::Gold:
        return true;
    default:
        return f.task.has_value() || f.split.has_value();
    }
}

// The sort key of a row; never NULL, so that rows without a value sort first (ascending) as one group.
std::string sortExpression(const BrowseSort& s, bool search)
{
    switch (s.column) {
    case BrowseColumn::Id:
        return search ? "rationale_fts.rowid" : "r.id";
    case BrowseColumn::Task:
        return "t.name";
    case BrowseColumn::Split:
        return "i.split";
    case BrowseColumn::Instance:
        return "i.ext_id";
    case BrowseColumn::Source:
        return "r.source_kind";
    case BrowseColumn::Model:
        return "r.model";
    case BrowseColumn::Sample:
        return "r.sample_index";
    case BrowseColumn::Answer:
        return "COALESCE(r.answer, r.extracted_answer, '')";
    case BrowseColumn::Gold:
        return "i.gold";
    case BrowseColumn::Correct:
        return "COALESCE(r.correct, -1)";
    case BrowseColumn::Length:
        return "length(r.text)";
    case BrowseColumn::LogProb:
        return "COALESCE(r.logprob, -1e308)";
    }
    return "r.id";
}

} // namespace

RationaleBrowser::RationaleBrowser(Database& db, RationaleFilter filter, BrowseSort sort)
    : m_db(db), m_filter(std::move(filter)), m_sort(sort)
{
}

std::string RationaleBrowser::fromWhere(bool instanceJoins) const
{
    const auto& f = m_filter;
    const bool search = !f.search.empty();
    std::string sql =
        search ? " FROM rationale_fts JOIN rationales r ON r.id = rationale_fts.rowid" : " FROM rationales r";
    if (instanceJoins)
        sql += " JOIN instances i ON i.id = r.instance_id JOIN tasks t ON t.id = i.task_id";
    std::vector<std::string> where;
    if (search)
        where.push_back("rationale_fts MATCH ?1");
    if (f.task)
        where.push_back("i.task_id = (SELECT id FROM tasks WHERE name = ?2)");
    if (f.split)
        where.push_back("i.split = ?3");
    if (f.sourceKind)
        where.push_back("r.source_kind = ?4");
    if (f.model)
        where.push_back("r.model = ?5");
    switch (f.correctness) {
    case RationaleFilter::Correctness::Any:
        break;
    case RationaleFilter::Correctness::Correct:
        where.push_back("r.correct = 1");
        break;
    case RationaleFilter::Correctness::Wrong:
        where.push_back("r.correct = 0");
        break;
    case RationaleFilter::Correctness::Unknown:
        where.push_back("r.correct IS NULL");
        break;
    }
    if (f.minLength)
        where.push_back("length(r.text) >= ?6");
    if (f.maxLength)
        where.push_back("length(r.text) <= ?7");
    if (f.tag)
        where.push_back("(EXISTS (SELECT 1 FROM rationale_tags g WHERE g.rationale_id = r.id AND g.tag = ?8) OR "
                        "EXISTS (SELECT 1 FROM instance_tags g WHERE g.instance_id = r.instance_id AND g.tag = ?8))");
    sql += " WHERE ";
    if (where.empty())
        sql += "1";
    for (size_t k = 0; k < where.size(); ++k)
        sql += (k ? " AND " : "") + where[k];
    return sql;
}

void RationaleBrowser::bindFilter(Statement& st) const
{
    const auto& f = m_filter;
    if (!f.search.empty())
        st.bind(kSearch, f.search);
    if (f.task)
        st.bind(kTask, *f.task);
    if (f.split)
        st.bind(kSplit, *f.split);
    if (f.sourceKind)
        st.bind(kSource, *f.sourceKind);
    if (f.model)
        st.bind(kModel, *f.model);
    if (f.minLength)
        st.bind(kMinLength, *f.minLength);
    if (f.maxLength)
        st.bind(kMaxLength, *f.maxLength);
    if (f.tag)
        st.bind(kTag, *f.tag);
}

std::optional<int64_t> RationaleBrowser::scan(int64_t firstChunk, int64_t chunk, const ScanReport& report)
{
    const bool search = !m_filter.search.empty();
    const std::string key = sortExpression(m_sort, search);
    const char* direction = m_sort.descending ? " DESC" : "";
    std::string order = " ORDER BY " + key + direction;
    if (m_sort.column != BrowseColumn::Id)
        order += std::string(", r.id") + direction;
    Statement st(m_db, "SELECT r.id" + fromWhere(needsInstances(m_filter, m_sort)) + order);
    bindFilter(st);
    int64_t total = 0;
    std::vector<int64_t> ids;
    int64_t target = std::max<int64_t>(1, firstChunk);
    ids.reserve(size_t(target));
    while (st.step()) {
        ids.push_back(st.int64(0));
        ++total;
        if (int64_t(ids.size()) >= target) {
            if (!report(std::move(ids)))
                return std::nullopt;
            target = std::max<int64_t>(1, chunk);
            ids = {};
            ids.reserve(size_t(target));
        }
    }
    if (!ids.empty() && !report(std::move(ids)))
        return std::nullopt;
    return total;
}

std::vector<BrowseRow> RationaleBrowser::rows(const std::vector<int64_t>& ids)
{
    if (ids.empty())
        return {};
    const bool search = !m_filter.search.empty();
    std::string idList;
    for (size_t k = 0; k < ids.size(); ++k)
        idList += (k ? "," : "") + std::to_string(ids[k]);
    std::string sql = "SELECT r.id, r.instance_id, t.name, i.split, i.ext_id, r.source_kind, r.model, r.sample_index, "
                      "COALESCE(r.answer, r.extracted_answer), i.gold, r.correct, length(r.text), r.logprob, ";
    if (search)
        sql += "snippet(rationale_fts, -1, char(1), char(2), '…', 24) FROM rationale_fts JOIN rationales r ON r.id = "
               "rationale_fts.rowid JOIN instances i ON i.id = r.instance_id JOIN tasks t ON t.id = i.task_id "
               "WHERE rationale_fts MATCH ?1 AND rationale_fts.rowid IN (" +
               idList + ")";
    else
        sql += "substr(r.text, 1, 400) FROM rationales r JOIN instances i ON i.id = r.instance_id "
               "JOIN tasks t ON t.id = i.task_id WHERE r.id IN (" +
               idList + ")";
    Statement st(m_db, sql);
    if (search)
        st.bind(kSearch, m_filter.search);
    std::unordered_map<int64_t, BrowseRow> found;
    found.reserve(ids.size());
    while (st.step()) {
        BrowseRow row;
        row.id = st.int64(0);
        row.instanceId = st.int64(1);
        row.task = st.string(2);
        row.split = st.string(3);
        row.instance = st.string(4);
        row.source = st.string(5);
        row.model = st.string(6);
        row.sample = st.int64(7);
        row.answer = st.optString(8);
        row.gold = st.string(9);
        row.correct = st.optInt64(10);
        row.length = st.int64(11);
        row.logprob = st.optReal(12);
        row.snippet = st.string(13);
        found.emplace(row.id, std::move(row));
    }
    std::vector<BrowseRow> out;
    out.reserve(ids.size());
    for (int64_t id : ids)
        if (auto it = found.find(id); it != found.end())
            out.push_back(std::move(it->second));
    return out;
}

std::optional<RationaleBrowser::Aggregates> RationaleBrowser::aggregates(const std::function<bool()>& stop)
{
    Aggregates out;
    {
        Statement st(m_db, "SELECT t.name, count(*), sum(r.correct = 1), sum(r.correct IS NOT NULL)" + fromWhere(true) +
                               " AND r.source_kind = 'teacher' GROUP BY t.name ORDER BY t.name");
        bindFilter(st);
        while (st.step())
            out.teacherAccuracy.push_back({st.string(0), st.int64(1), st.int64(2), st.int64(3)});
    }
    struct PerInstance {
        int64_t samples = 0;
        std::map<std::string, int64_t, std::less<>> answers;
    };
    std::unordered_map<int64_t, PerInstance> instances;
    Statement st(m_db, "SELECT r.instance_id, length(r.text), COALESCE(r.answer, r.extracted_answer)" +
                           fromWhere(needsInstances(m_filter, {})));
    bindFilter(st);
    int64_t n = 0;
    while (st.step()) {
        if (stop && (++n & 4095) == 0 && stop())
            return std::nullopt;
        PerInstance& in = instances[st.int64(0)];
        ++in.samples;
        out.lengths.push_back(st.int64(1));
        if (!st.isNull(2))
            ++in.answers[std::string(st.text(2))];
    }
    std::sort(out.lengths.begin(), out.lengths.end());
    for (const auto& [id, in] : instances) {
        out.samplesPerInstance.push_back(in.samples);
        int64_t answered = 0, top = 0;
        for (const auto& [answer, count] : in.answers) {
            answered += count;
            top = std::max(top, count);
        }
        if (answered)
            out.agreementPerInstance.push_back(double(top) / double(answered));
    }
    return out;
}

BrowseFacets browseFacets(Database& db)
{
    BrowseFacets out;
    Statement tasks(db, "SELECT name FROM tasks ORDER BY name");
    while (tasks.step())
        out.tasks.push_back(tasks.string(0));
    // Read from the identity index, which holds the model column and is far smaller than the table.
    Statement models(db, "SELECT DISTINCT model FROM rationales INDEXED BY rationales_identity ORDER BY 1");
    while (models.step())
        out.models.push_back(models.string(0));
    out.tags = AnnotationRepository(db).allTags();
    return out;
}

SampleStats sampleStats(const std::vector<RationaleRecord>& rationales)
{
    SampleStats out;
    std::map<std::string_view, int64_t> texts;
    std::map<std::string, int64_t> answers;
    for (const auto& r : rationales) {
        ++out.samples;
        ++texts[r.text];
        if (r.correct) {
            ++out.judged;
            out.correct += *r.correct;
        }
        ++answers[r.answer ? *r.answer : r.extractedAnswer.value_or("")];
    }
    out.distinctRationales = int64_t(texts.size());
    out.answers.assign(answers.begin(), answers.end());
    std::stable_sort(out.answers.begin(), out.answers.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

} // namespace cotlab::store
