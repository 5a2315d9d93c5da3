#include "review/Study.h"

#include "store/Database.h"
#include "util/Error.h"
#include "util/SeededKey.h"
#include "util/Text.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>

namespace cotlab::review {

using nlohmann::json;

const char* modeName(Mode mode)
{
    return mode == Mode::Single ? "single" : "pairwise";
}

Mode parseMode(const std::string& text)
{
    if (text == "single")
        return Mode::Single;
    if (text == "pairwise")
        return Mode::Pairwise;
    throw Error("unknown study mode '" + text + "': use single or pairwise");
}

const char* scaleName(Scale scale)
{
    switch (scale) {
    case Scale::Binary:
        return "binary";
    case Scale::Likert5:
        return "likert5";
    case Scale::Preference:
        return "preference";
    }
    return "binary";
}

Scale parseScale(const std::string& text)
{
    if (text == "binary")
        return Scale::Binary;
    if (text == "likert5" || text == "likert")
        return Scale::Likert5;
    if (text == "preference" || text == "ab" || text == "a/b/tie")
        return Scale::Preference;
    throw Error("unknown scale '" + text + "': use binary, likert5 or preference");
}

const std::vector<std::string>& scaleValues(Scale scale)
{
    static const std::vector<std::string> binary{"yes", "no"};
    static const std::vector<std::string> likert{"1", "2", "3", "4", "5"};
    static const std::vector<std::string> preference{"a", "tie", "b"};
    switch (scale) {
    case Scale::Binary:
        return binary;
    case Scale::Likert5:
        return likert;
    case Scale::Preference:
        return preference;
    }
    return binary;
}

std::vector<std::string> scaleOptions(Scale scale)
{
    switch (scale) {
    case Scale::Binary:
        return {"Yes", "No"};
    case Scale::Likert5:
        return {"1", "2", "3", "4", "5"};
    case Scale::Preference:
        return {"Left", "Right", "Tie"};
    }
    return {};
}

Source parseSource(const std::string& text)
{
    const auto colon = text.find(':');
    Source source;
    source.kind = text.substr(0, colon);
    if (colon != std::string::npos)
        source.model = text.substr(colon + 1);
    if (source.kind != "teacher" && source.kind != "student" && source.kind != "human")
        throw Error("unknown rationale source '" + text + "': use teacher[:MODEL], student:NAME or human[:NAME]");
    return source;
}

std::vector<Criterion> defaultCriteria(Mode mode)
{
    if (mode == Mode::Single)
        return {{"fluent", "Is the rationale fluent and grammatical?", Scale::Binary},
                {"relevant", "Is it relevant to the question?", Scale::Binary},
                {"factual", "Is it factually correct?", Scale::Binary},
                {"supports", "Does it support the answer it ends with?", Scale::Binary}};
    return {{"fluent", "Which rationale is more fluent and grammatical?", Scale::Preference},
            {"relevant", "Which is more relevant to the question?", Scale::Preference},
            {"factual", "Which is more factually correct?", Scale::Preference},
            {"supports", "Which better supports the answer it ends with?", Scale::Preference},
            {"better", "Which of the two is better overall?", Scale::Preference}};
}

namespace {

json criteriaToJson(const std::vector<Criterion>& criteria)
{
    json out = json::array();
    for (const auto& c : criteria)
        out.push_back({{"key", c.key}, {"question", c.question}, {"scale", scaleName(c.scale)}});
    return out;
}

std::vector<Criterion> criteriaFrom(const json& array)
{
    if (!array.is_array())
        throw Error("criteria must be a JSON array of {\"key\", \"question\", \"scale\"} objects");
    std::vector<Criterion> out;
    std::set<std::string> keys;
    for (size_t i = 0; i < array.size(); ++i) {
        const json& c = array[i];
        const std::string where = "criterion " + std::to_string(i + 1);
        if (!c.is_object() || !c.contains("key") || !c["key"].is_string() || c["key"].get<std::string>().empty())
            throw Error(where + " needs a \"key\" (a short name such as \"fluent\")");
        Criterion criterion;
        criterion.key = c["key"].get<std::string>();
        if (!keys.insert(criterion.key).second)
            throw Error(where + ": the key '" + criterion.key + "' is used twice");
        criterion.question = c.value("question", criterion.key);
        criterion.scale = parseScale(c.value("scale", std::string("binary")));
        out.push_back(std::move(criterion));
    }
    if (out.empty())
        throw Error("a study needs at least one criterion");
    return out;
}

void validate(const StudySpec& spec)
{
    if (spec.name.empty())
        throw Error("a study needs a name");
    if (spec.mode == Mode::Pairwise && spec.sources.size() != 2)
        throw Error("a pairwise study compares exactly two sources (for example student:NAME and teacher); " +
                    std::to_string(spec.sources.size()) + " given");
    if (spec.sources.empty())
        throw Error("a study needs at least one source of rationales (for example student:NAME)");
    if (spec.size < 1)
        throw Error("a study needs a sample size of at least 1 instance");
    for (const auto& c : spec.criteria)
        if (spec.mode == Mode::Single && c.scale == Scale::Preference)
            throw Error("criterion '" + c.key +
                        "' asks which of two is better, but the study shows one rationale "
                        "at a time: use a binary or likert5 scale, or a pairwise study");
}

std::string correctnessName(const std::optional<bool>& correct)
{
    return !correct ? "not judged" : *correct ? "correct" : "wrong";
}

} // namespace

std::string specToJson(const StudySpec& spec)
{
    json sources = json::array();
    for (const auto& s : spec.sources)
        sources.push_back(s.label());
    json strata = json::array();
    if (spec.stratifyByTask)
        strata.push_back("task");
    if (spec.stratifyByCorrectness)
        strata.push_back("correctness");
    return json{{"sources", sources},         {"tasks", spec.tasks},
                {"split", spec.split},        {"size", spec.size},
                {"seed", spec.seed},          {"stratify", strata},
                {"hide_gold", spec.hideGold}, {"criteria", criteriaToJson(spec.criteria)}}
        .dump();
}

StudySpec specFromJson(const std::string& name, const std::string& mode, const std::string& text)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw Error("study '" + name + "' has an unreadable configuration: " + e.what());
    }
    if (!j.is_object())
        throw Error("study '" + name + "' has an unreadable configuration: not a JSON object");
    StudySpec spec;
    spec.name = name;
    spec.mode = parseMode(mode);
    try {
        for (const auto& s : j.value("sources", json::array()))
            spec.sources.push_back(parseSource(s.get<std::string>()));
        spec.tasks = j.value("tasks", std::vector<std::string>{});
        spec.split = j.value("split", std::string());
        spec.size = j.value("size", int64_t(0));
        spec.seed = j.value("seed", uint64_t(0));
        for (const auto& s : j.value("stratify", json::array())) {
            spec.stratifyByTask |= s == "task";
            spec.stratifyByCorrectness |= s == "correctness";
        }
        spec.hideGold = j.value("hide_gold", false);
        spec.criteria = criteriaFrom(j.value("criteria", json::array()));
    } catch (const json::exception& e) {
        throw Error("study '" + name + "' has an unreadable configuration: " + e.what());
    }
    return spec;
}

std::vector<Criterion> criteriaFromJson(const std::string& text)
{
    try {
        return criteriaFrom(json::parse(text));
    } catch (const json::exception& e) {
        throw Error(std::string("the criteria are not valid JSON: ") + e.what());
    }
}

namespace {

// One candidate rationale of a source for an instance: the one with the smallest seeded key is picked.
struct Pick {
    int64_t rationaleId = 0;
    uint64_t key = 0;
    std::optional<bool> correct;
};

struct Candidates {
    std::map<int64_t, std::vector<Pick>> picks; // instance -> one pick per source
    std::unordered_map<int64_t, std::string> taskOf;
};

// The rationales of each source, by instance; one picked at random (seeded) per instance and source.
Candidates pickRationales(store::ReviewRepository& repo, const StudySpec& spec)
{
    Candidates out;
    const size_t sources = spec.sources.size();
    for (size_t s = 0; s < sources; ++s) {
        const auto rows = repo.sourceRationales(spec.sources[s].kind, spec.sources[s].model, spec.tasks, spec.split);
        for (const auto& r : rows) {
            auto& slots = out.picks[r.instanceId];
            if (slots.size() < sources) {
                if (s > 0 && slots.empty()) // not a candidate of an earlier source
                    continue;
                slots.resize(sources);
            }
            out.taskOf[r.instanceId] = r.task;
            const uint64_t key = seededKey(r.rationaleId, spec.seed);
            Pick& pick = slots[s];
            if (pick.rationaleId == 0 || key < pick.key)
                pick = {r.rationaleId, key, r.correct};
        }
    }
    return out;
}

// The instances every source has a rationale for, by stratum, each stratum in seeded random order; equal shares:
// strata take turns until the size is reached or every stratum is used up. (instance, stratum) in order.
std::vector<std::pair<int64_t, std::string>> sampleInstances(Candidates& c, const StudySpec& spec,
                                                             const std::string& where)
{
    std::map<std::string, std::vector<std::pair<uint64_t, int64_t>>> strata;
    for (const auto& [instance, slots] : c.picks) {
        if (slots.size() < spec.sources.size() ||
            std::any_of(slots.begin(), slots.end(), [](const Pick& p) { return p.rationaleId == 0; }))
            continue;
        std::string stratum;
        if (spec.stratifyByTask)
            stratum = c.taskOf[instance];
        if (spec.stratifyByCorrectness)
            stratum += (stratum.empty() ? "" : " / ") + correctnessName(slots[0].correct);
        strata[stratum].push_back({seededKey(instance, spec.seed), instance});
    }
    if (strata.empty()) {
        std::string names;
        for (const auto& s : spec.sources)
            names += (names.empty() ? "" : " and ") + s.label();
        throw Error("no instance in " + where + " has rationales from " + names +
                    (spec.tasks.empty() ? std::string() : " in the chosen tasks") +
                    (spec.split.empty() ? std::string() : " in split '" + spec.split + "'") +
                    "; evaluate the student first (Evaluate page or cotlab-cli eval) or pick other sources");
    }
    for (auto& [name, members] : strata)
        std::sort(members.begin(), members.end());
    std::vector<std::pair<int64_t, std::string>> chosen;
    for (size_t round = 0; int64_t(chosen.size()) < spec.size; ++round) {
        bool any = false;
        for (const auto& [name, members] : strata) {
            if (round < members.size() && int64_t(chosen.size()) < spec.size) {
                chosen.push_back({members[round].second, name});
                any = true;
            }
        }
        if (!any)
            break;
    }
    return chosen;
}

// Items (one per instance, or one per instance and source) in seeded random order.
std::vector<store::StudyItemRecord> studyItems(const std::vector<std::pair<int64_t, std::string>>& chosen,
                                               Candidates& c, const StudySpec& spec)
{
    std::vector<std::pair<uint64_t, store::StudyItemRecord>> items;
    for (const auto& [instance, stratum] : chosen) {
        const auto& slots = c.picks[instance];
        if (spec.mode == Mode::Pairwise) {
            store::StudyItemRecord item;
            item.instanceId = instance;
            item.rationaleA = slots[0].rationaleId;
            item.sourceA = 0;
            item.rationaleB = slots[1].rationaleId;
            item.sourceB = 1;
            item.stratum = stratum;
            items.push_back({seededKey(slots[0].rationaleId, spec.seed + 1), item});
        } else {
            for (size_t s = 0; s < spec.sources.size(); ++s) {
                store::StudyItemRecord item;
                item.instanceId = instance;
                item.rationaleA = slots[s].rationaleId;
                item.sourceA = int64_t(s);
                item.stratum = stratum;
                items.push_back({seededKey(slots[s].rationaleId, spec.seed + 1), item});
            }
        }
    }
    std::sort(items.begin(), items.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<store::StudyItemRecord> ordered;
    ordered.reserve(items.size());
    for (auto& [key, item] : items)
        ordered.push_back(std::move(item));
    return ordered;
}

} // namespace

int64_t createStudy(store::Database& db, StudySpec spec)
{
    if (spec.criteria.empty())
        spec.criteria = defaultCriteria(spec.mode);
    validate(spec);
    store::ReviewRepository repo(db);
    if (repo.find(spec.name))
        throw Error("a study named '" + spec.name + "' already exists in " + db.path() + "; pick another name");
    Candidates candidates = pickRationales(repo, spec);
    const auto chosen = sampleInstances(candidates, spec, db.path());
    return repo.createStudy(spec.name, modeName(spec.mode), specToJson(spec), studyItems(chosen, candidates, spec));
}

std::vector<bool> leftIsB(const std::vector<int64_t>& itemIds, uint64_t seed, const std::string& annotator)
{
    const uint64_t annotatorSeed = seed ^ text::fnv1a64(annotator);
    std::vector<std::pair<uint64_t, size_t>> order;
    order.reserve(itemIds.size());
    for (size_t i = 0; i < itemIds.size(); ++i)
        order.push_back({seededKey(itemIds[i], annotatorSeed), i});
    std::sort(order.begin(), order.end());
    std::vector<bool> out(itemIds.size(), false);
    for (size_t k = 0; k < itemIds.size() / 2; ++k)
        out[order[k].second] = true;
    return out;
}

std::string shownRationale(const store::StudyRationale& rationale)
{
    if (!rationale.answerSentence || rationale.answerSentence->empty() ||
        rationale.text.find(*rationale.answerSentence) != std::string::npos)
        return rationale.text;
    return rationale.text + (rationale.text.empty() ? "" : "\n") + *rationale.answerSentence;
}

std::string valueForOption(Scale scale, int option, bool bOnLeft)
{
    const auto& values = scaleValues(scale);
    if (option < 0)
        return {};
    if (scale == Scale::Preference) {
        switch (option) {
        case 0:
            return bOnLeft ? "b" : "a";
        case 1:
            return bOnLeft ? "a" : "b";
        case 2:
            return "tie";
        default:
            return {};
        }
    }
    return size_t(option) < values.size() ? values[size_t(option)] : std::string();
}

int optionForValue(Scale scale, const std::string& value, bool bOnLeft)
{
    const int options = int(scaleOptions(scale).size());
    for (int option = 0; option < options; ++option)
        if (valueForOption(scale, option, bOnLeft) == value)
            return option;
    return -1;
}

std::pair<store::StudyRecord, StudySpec> loadStudy(store::Database& db, int64_t studyId)
{
    const auto study = store::ReviewRepository(db).find(studyId);
    if (!study)
        throw Error("there is no study with id " + std::to_string(studyId) + " in " + db.path());
    return {*study, specFromJson(study->name, study->mode, study->configJson)};
}

AnnotatorSession openSession(store::Database& db, int64_t studyId, const std::string& annotator)
{
    store::ReviewRepository repo(db);
    AnnotatorSession session;
    std::tie(session.study, session.spec) = loadStudy(db, studyId);
    session.annotator = repo.annotator(studyId, annotator);
    session.items = repo.itemDetails(studyId);
    std::vector<int64_t> ids;
    for (const auto& d : session.items)
        ids.push_back(d.item.id);
    session.bOnLeft = session.spec.mode == Mode::Pairwise ? leftIsB(ids, session.spec.seed, annotator)
                                                          : std::vector<bool>(ids.size(), false);
    for (const auto& l : repo.labels(studyId))
        if (l.annotator == annotator)
            session.labels[{l.itemId, l.criterion}] = l.value;
    for (const auto& c : repo.comments(studyId))
        if (c.annotator == annotator)
            session.comments[c.itemId] = c.comment;
    return session;
}

store::StudyRecord findStudy(store::Database& db, const std::string& name)
{
    store::ReviewRepository repo(db);
    if (auto study = repo.find(name))
        return *study;
    std::string names;
    for (const auto& s : repo.list())
        names += (names.empty() ? "" : ", ") + s.name;
    throw Error("there is no study named '" + name + "' in " + db.path() +
                (names.empty() ? std::string("; it has no studies yet (cotlab-cli review create)")
                               : "; its studies: " + names));
}

namespace {

// A rating as a number for means: binary yes = 1, no = 0; Likert its value.
std::optional<double> numericRating(Scale scale, const std::string& value)
{
    if (scale == Scale::Binary)
        return value == "yes" ? 1.0 : value == "no" ? 0.0 : std::optional<double>();
    if (scale == Scale::Likert5 && value.size() == 1 && value[0] >= '1' && value[0] <= '5')
        return double(value[0] - '0');
    return std::nullopt;
}

int categoryOf(Scale scale, const std::string& value)
{
    const auto& values = scaleValues(scale);
    const auto it = std::find(values.begin(), values.end(), value);
    return it == values.end() ? -1 : int(it - values.begin());
}

} // namespace

namespace {

// values[criterion][item][annotator]: the category each annotator chose (none where no label was given).
using LabelMatrix = std::vector<std::vector<std::vector<std::optional<int>>>>;

LabelMatrix labelMatrix(const std::vector<Criterion>& criteria, const std::vector<store::StudyItemRecord>& items,
                        const std::vector<store::AnnotatorRecord>& annotators,
                        const std::vector<store::StudyLabel>& labels, std::vector<int64_t>& labelCount)
{
    std::unordered_map<int64_t, size_t> itemIndex;
    for (size_t i = 0; i < items.size(); ++i)
        itemIndex[items[i].id] = i;
    std::unordered_map<std::string, size_t> annotatorIndex;
    for (size_t a = 0; a < annotators.size(); ++a)
        annotatorIndex[annotators[a].name] = a;
    std::unordered_map<std::string, size_t> criterionIndex;
    for (size_t c = 0; c < criteria.size(); ++c)
        criterionIndex[criteria[c].key] = c;
    LabelMatrix values(criteria.size(), std::vector<std::vector<std::optional<int>>>(
                                            items.size(), std::vector<std::optional<int>>(annotators.size())));
    labelCount.assign(annotators.size(), 0);
    for (const auto& label : labels) {
        const auto c = criterionIndex.find(label.criterion);
        const auto i = itemIndex.find(label.itemId);
        const auto a = annotatorIndex.find(label.annotator);
        if (c == criterionIndex.end() || i == itemIndex.end() || a == annotatorIndex.end())
            continue;
        const int category = categoryOf(criteria[c->second].scale, label.value);
        if (category < 0)
            continue;
        values[c->second][i->second][a->second] = category;
        ++labelCount[a->second];
    }
    return values;
}

// Observed agreement, Cohen's kappa per pair of annotators, Fleiss' kappa (over items every annotator labelled) and
// Krippendorff's alpha, for one criterion's labels.
CriterionAgreement agreementOf(const Criterion& criterion, const std::vector<std::vector<std::optional<int>>>& byItem,
                               const std::vector<store::AnnotatorRecord>& annotators)
{
    CriterionAgreement agreement;
    agreement.criterion = criterion.key;
    const size_t k = scaleValues(criterion.scale).size();
    std::vector<std::vector<int64_t>> counts;
    double agreeingShare = 0;
    for (const auto& row : byItem) {
        const auto given = std::count_if(row.begin(), row.end(), [](const auto& v) { return v.has_value(); });
        agreement.items += given >= 2;
        if (given >= 2) {
            int64_t pairs = 0, agreeing = 0;
            for (size_t a = 0; a < row.size(); ++a)
                for (size_t b = a + 1; b < row.size(); ++b)
                    if (row[a] && row[b]) {
                        ++pairs;
                        agreeing += *row[a] == *row[b];
                    }
            agreeingShare += double(agreeing) / double(pairs);
        }
        if (given == int64_t(annotators.size()) && given >= 2) {
            std::vector<int64_t> unit(k, 0);
            for (const auto& v : row)
                ++unit[size_t(*v)];
            counts.push_back(std::move(unit));
        }
    }
    for (size_t a = 0; a < annotators.size(); ++a)
        for (size_t b = a + 1; b < annotators.size(); ++b) {
            std::vector<std::optional<int>> first, second;
            PairKappa pair{annotators[a].name, annotators[b].name, 0, std::nullopt};
            for (const auto& row : byItem) {
                first.push_back(row[a]);
                second.push_back(row[b]);
                pair.items += row[a] && row[b];
            }
            pair.kappa = cohensKappa(first, second);
            agreement.cohen.push_back(pair);
        }
    if (agreement.items > 0)
        agreement.observed = agreeingShare / double(agreement.items);
    agreement.fleissItems = int64_t(counts.size());
    if (!counts.empty())
        agreement.fleiss = fleissKappa(counts);
    agreement.alphaNominal = krippendorffAlpha(byItem, AlphaMetric::Nominal);
    agreement.alphaOrdinal = krippendorffAlpha(byItem, AlphaMetric::Ordinal);
    return agreement;
}

// How often A was preferred, the ties and B, per item (the share of its annotators), over the labelled items.
PreferenceResult preferenceOf(const Criterion& criterion, const std::vector<std::vector<std::optional<int>>>& byItem,
                              uint64_t seed)
{
    std::vector<double> aWins, ties, bWins;
    for (const auto& row : byItem) {
        double n = 0, a = 0, t = 0, b = 0;
        for (const auto& v : row) {
            if (!v)
                continue;
            n += 1;
            a += *v == 0;
            t += *v == 1;
            b += *v == 2;
        }
        if (n == 0)
            continue;
        aWins.push_back(a / n);
        ties.push_back(t / n);
        bWins.push_back(b / n);
    }
    (void)seed; // shares take Wilson intervals: nothing is resampled
    return {criterion.key, wilsonShare(aWins), wilsonShare(ties), wilsonShare(bWins)};
}

// The mean rating of each source's items (one value per item: the mean of its annotators' ratings).
std::vector<RatingResult> ratingsOf(const Criterion& criterion,
                                    const std::vector<std::vector<std::optional<int>>>& byItem,
                                    const std::vector<store::StudyItemRecord>& items, const StudySpec& spec)
{
    std::vector<RatingResult> out;
    for (size_t s = 0; s < spec.sources.size(); ++s) {
        std::vector<double> means;
        for (size_t i = 0; i < items.size(); ++i) {
            if (items[i].sourceA != int64_t(s))
                continue;
            double n = 0, sum = 0;
            for (const auto& v : byItem[i])
                if (v)
                    if (const auto r = numericRating(criterion.scale, scaleValues(criterion.scale)[size_t(*v)])) {
                        n += 1;
                        sum += *r;
                    }
            if (n > 0)
                means.push_back(sum / n);
        }
        // A yes/no criterion's mean is the share of yes: a Wilson interval; a Likert mean a percentile bootstrap.
        out.push_back({criterion.key, spec.sources[s].label(),
                       criterion.scale == Scale::Binary ? wilsonShare(means) : bootstrapMean(means, spec.seed)});
    }
    return out;
}

} // namespace

StudyReport studyReport(store::Database& db, int64_t studyId)
{
    store::ReviewRepository repo(db);
    StudyReport report;
    std::tie(report.study, report.spec) = loadStudy(db, studyId);
    const auto items = repo.items(studyId);
    report.items = int64_t(items.size());
    const auto annotators = repo.annotators(studyId);
    const auto& criteria = report.spec.criteria;
    std::vector<int64_t> labelCount;
    const LabelMatrix values = labelMatrix(criteria, items, annotators, repo.labels(studyId), labelCount);
    for (size_t a = 0; a < annotators.size(); ++a) {
        AnnotatorProgress progress{annotators[a].name, labelCount[a], 0, annotators[a].position};
        for (size_t i = 0; i < items.size(); ++i) {
            bool complete = true;
            for (size_t c = 0; c < criteria.size() && complete; ++c)
                complete = values[c][i][a].has_value();
            progress.complete += complete;
        }
        report.annotators.push_back(progress);
    }
    for (size_t c = 0; c < criteria.size(); ++c) {
        report.agreement.push_back(agreementOf(criteria[c], values[c], annotators));
        if (criteria[c].scale == Scale::Preference)
            report.preferences.push_back(preferenceOf(criteria[c], values[c], report.spec.seed));
        else
            for (auto& r : ratingsOf(criteria[c], values[c], items, report.spec))
                report.ratings.push_back(std::move(r));
    }
    return report;
}

namespace {

json optionalNumber(const std::optional<double>& value)
{
    return value ? json(*value) : json(nullptr);
}

json intervalJson(const MeanInterval& m)
{
    return {{"n", m.n}, {"mean", m.mean}, {"ci_low", m.low}, {"ci_high", m.high}, {"ci_method", m.method}};
}

} // namespace

std::string reportToJson(const StudyReport& report)
{
    json annotators = json::array();
    for (const auto& a : report.annotators)
        annotators.push_back({{"name", a.name}, {"labels", a.labels}, {"complete", a.complete}});
    json agreement = json::array();
    for (const auto& a : report.agreement) {
        json pairs = json::array();
        for (const auto& p : a.cohen)
            pairs.push_back(
                {{"annotators", {p.first, p.second}}, {"items", p.items}, {"kappa", optionalNumber(p.kappa)}});
        agreement.push_back({{"criterion", a.criterion},
                             {"items", a.items},
                             {"observed_agreement", optionalNumber(a.observed)},
                             {"cohen_kappa", pairs},
                             {"fleiss_kappa", optionalNumber(a.fleiss)},
                             {"fleiss_items", a.fleissItems},
                             {"krippendorff_alpha_nominal", optionalNumber(a.alphaNominal)},
                             {"krippendorff_alpha_ordinal", optionalNumber(a.alphaOrdinal)}});
    }
    json preferences = json::array();
    for (const auto& p : report.preferences)
        preferences.push_back({{"criterion", p.criterion},
                               {"a_wins", intervalJson(p.aWins)},
                               {"ties", intervalJson(p.ties)},
                               {"b_wins", intervalJson(p.bWins)}});
    json ratings = json::array();
    for (const auto& r : report.ratings)
        ratings.push_back({{"criterion", r.criterion}, {"source", r.source}, {"rating", intervalJson(r.rating)}});
    json sources = json::array();
    for (const auto& s : report.spec.sources)
        sources.push_back(s.label());
    return json{{"study", report.study.name}, {"mode", report.study.mode}, {"sources", sources},
                {"items", report.items},      {"annotators", annotators},  {"agreement", agreement},
                {"preferences", preferences}, {"ratings", ratings}}
        .dump(2);
}

StudySources studySources(store::Database& db)
{
    store::ReviewRepository repo(db);
    const auto summaries = repo.sources();
    StudySources out;
    for (const auto& s : summaries) {
        out.sources.push_back({s.kind, s.model});
        out.instances.push_back(s.instances);
    }
    out.shared = repo.sharedInstances(summaries);
    return out;
}

} // namespace cotlab::review
