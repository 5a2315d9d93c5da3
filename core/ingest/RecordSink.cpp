#include "ingest/RecordSink.h"

#include "text/ReasoningParts.h"
#include "util/Error.h"
#include "util/Text.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cotlab::ingest {

using answers::AnswerExtractor;
using answers::AnswerKind;

namespace {

std::string quotedValue(std::string_view s)
{
    constexpr size_t kMax = 80;
    return "'" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...'" : "'");
}

// What a gold answer means, for comparing two sources of one instance. For choice tasks it is the text of
// the chosen choice: CommonsenseQA repeats choice texts, and converted files sometimes point at the first of
// two identical choices (19 PaLM rows do) -- that is the same answer.
std::string goldKey(const AnswerExtractor& ex, const std::vector<answers::Choice>& choices, const std::string& gold)
{
    std::string n = ex.normalize(gold);
    if (n.empty())
        return std::string(text::trim(gold));
    for (const auto& c : choices)
        if (text::toLower(c.label) == text::toLower(n))
            return "choice:" + c.text;
    return text::toLower(n);
}

std::string inferKind(const InterchangeRecord& r)
{
    if (r.answerKind)
        return *r.answerKind;
    if (!r.choices.empty())
        return "choice";
    const std::string g = text::toLower(text::trim(r.gold));
    if (g == "yes" || g == "no")
        return "yes_no";
    if (!answers::canonicalNumber(g).empty())
        return "number";
    return "text";
}

AnswerKind kindOf(const std::string& name)
{
    return answers::answerKindFromString(name).value_or(AnswerKind::Text);
}

// The answers of a rationale under an instance's extractor and gold.
void computeAnswers(const AnswerExtractor& ex, const std::string& gold, const std::optional<std::string>& given,
                    store::RationaleRecord& rat)
{
    // A reasoning trace's answer is read from its answer part: its thinking weighs options it then rejects.
    rat.extractedAnswer = ex.extract(text::splitReasoning(rat.text).answer, rat.answerSentence.value_or(""));
    if (given) {
        std::string n = ex.normalize(*given);
        rat.answer = n.empty() ? std::string(text::trim(*given)) : n;
    } else {
        rat.answer = rat.extractedAnswer;
    }
    // Without a gold answer (a trace set that publishes none) nothing says whether the rationale is right. Nor
    // does a human explanation that states no answer (StrategyQA's facts, ThoughtSource's `cot` sentences): it was
    // written for the gold, so it is not judged, where a model that gives no answer is wrong.
    const bool statesNoAnswer = rat.sourceKind == "human" && rat.answer->empty();
    rat.correct = text::trim(gold).empty() || statesNoAnswer
                      ? std::nullopt
                      : std::optional<int64_t>(ex.matches(*rat.answer, gold) ? 1 : 0);
}

// Everything about a rationale that follows from its own line: text cut at stops, hash, answers. Moves the
// rationale's own fields out of the record.
void fillRationale(InterchangeRecord& r, const AnswerExtractor& ex, store::RationaleRecord& rat)
{
    rat.sourceKind = r.sourceKind;
    rat.model = r.teacher.value_or("");
    std::string& raw = *r.rationale;
    rat.textHash = text::fnv1a64(raw);
    size_t cut = std::string::npos;
    for (const auto& s : r.stop)
        cut = std::min(cut, raw.find(s));
    if (cut != std::string::npos) {
        rat.textTail = raw.substr(cut);
        raw.resize(cut);
    }
    rat.text = std::move(raw);
    if (!r.stop.empty())
        rat.stopJson = nlohmann::json(r.stop).dump();
    rat.answerSentence = std::move(r.answerSentence);
    computeAnswers(ex, r.gold, r.answer, rat);
    rat.tokenCount = r.tokens;
    rat.logprob = r.logprob;
    rat.prompt = std::move(r.prompt);
    rat.decoding = std::move(r.decoding);
    rat.temperature = r.temperature;
    rat.provenance = std::move(r.source);
    if (!r.metaJson.empty())
        rat.metaJson = std::move(r.metaJson);
}

} // namespace

std::string choicesKey(const std::vector<answers::Choice>& choices, bool exact)
{
    std::string key;
    for (const auto& c : choices) {
        key += exact ? c.label : text::toLower(c.label);
        key += '\x1f';
        key += c.text;
        key += '\x1e';
    }
    return key;
}

RecordSink::RecordSink(store::Database& db, std::string path, std::string format) : m_writer(db, path, format)
{
    m_seen.reserve(kMaxTrackedInstances); // filled and cleared in turn: never rehashed
    m_report.path = std::move(path);
    m_report.format = std::move(format);
}

void RecordSink::prepare(PreparedRecord& p)
{
    p.kind = inferKind(p.record);
    p.questionHash = std::hash<std::string_view>{}(p.record.question); // in memory only: any fast hash
    p.choicesKey = choicesKey(p.record.choices);
    p.choicesExactKey = choicesKey(p.record.choices, true);
    if (!p.record.rationale)
        return;
    const AnswerExtractor ex(kindOf(p.kind), p.record.choices);
    p.rationale.emplace();
    fillRationale(p.record, ex, *p.rationale);
}

// Per imported record: finds its instance in memory or the store, or inserts it, and checks the record agrees with
// what is stored; the writer's hot path, kept in one piece so the common case (instance already seen) returns early.
std::shared_ptr<const AnswerExtractor> RecordSink::extractorFor(const std::string& kind,
                                                                const std::vector<answers::Choice>& choices,
                                                                const std::string& choicesExactKey)
{
    std::string key = kind;
    key += '\x1d';
    key += choicesExactKey;
    if (auto it = m_extractors.find(key); it != m_extractors.end())
        return it->second;
    if (m_extractors.size() >= 4096)
        m_extractors.clear(); // choice tasks have an extractor per question: keep the cache small
    auto extractor = std::make_shared<const AnswerExtractor>(kindOf(kind), choices);
    m_extractors.emplace(std::move(key), extractor);
    return extractor;
}

const AnswerExtractor& RecordSink::extractorOf(SeenInstance& s)
{
    if (!s.extractor)
        s.extractor = extractorFor(s.kind, s.choices, s.choicesExactKey);
    return *s.extractor;
}

const std::string& RecordSink::goldKeyOf(SeenInstance& s)
{
    if (!s.goldNormalized)
        s.goldNormalized = goldKey(extractorOf(s), s.choices, s.gold);
    return *s.goldNormalized;
}

namespace {
constexpr uint64_t kBloomBits = uint64_t(1) << 26; // 8 MiB: ~1e-5 false positives at 1M evicted keys, 2% at 10M
constexpr int kBloomHashes = 4;

// The i-th bit of a key's hash in the filter (double hashing).
uint64_t bloomBit(uint64_t hash, int i)
{
    return (hash + uint64_t(i) * ((hash >> 32) | 1)) & (kBloomBits - 1);
}
} // namespace

void RecordSink::rememberEvicted()
{
    if (m_evicted.empty())
        m_evicted.assign(kBloomBits / 64, 0);
    for (const auto& [key, seen] : m_seen) {
        const uint64_t h = text::fnv1a64(key);
        for (int i = 0; i < kBloomHashes; ++i) {
            const uint64_t bit = bloomBit(h, i);
            m_evicted[bit / 64] |= uint64_t(1) << (bit % 64);
        }
    }
}

bool RecordSink::mayHaveBeenEvicted(const std::string& key) const
{
    if (m_evicted.empty())
        return false;
    const uint64_t h = text::fnv1a64(key);
    for (int i = 0; i < kBloomHashes; ++i) {
        const uint64_t bit = bloomBit(h, i);
        if (!(m_evicted[bit / 64] & (uint64_t(1) << (bit % 64))))
            return false;
    }
    return true;
}

std::string RecordSink::firstNamed(const SeenInstance& s) const
{
    if (s.fromWorkspace)
        return "the workspace";
    return s.firstLine > 0 ? m_report.path + ":" + std::to_string(s.firstLine) : s.firstWhere;
}

RecordSink::SeenInstance& RecordSink::resolve(PreparedRecord& p, const std::function<std::string()>& whereFn)
{
    InterchangeRecord& r = p.record;
    std::string& key = m_key; // reused: no allocation per line
    key.assign(r.task);
    key += '\x1f';
    key += r.id;
    const uint64_t qHash = p.questionHash;
    const std::string& cKey = p.choicesKey;

    if (auto it = m_seen.find(key); it != m_seen.end()) {
        SeenInstance& s = it->second;
        if (r.joinStored)
            return s; // the stored instance is the line's by definition
        const char* field = nullptr;
        if (s.questionHash != qHash)
            field = "question";
        else if (r.gold != s.gold && goldKeyOf(s) != goldKey(extractorOf(s), s.choices, r.gold))
            field = "gold";
        else if (s.choicesKey != cKey && !(r.choices.empty() && s.fromWorkspace))
            field = "choices";
        else if (r.splitGiven && s.split != r.split)
            field = "split";
        if (field) {
            const std::string where = whereFn();
            const std::string other = firstNamed(s);
            throw Error(where + ": instance (" + r.task + ", " + r.id + ") disagrees with " + other + " on '" + field +
                        "'; all lines of one instance must agree on question, gold, choices and split");
        }
        return s;
    }
    if (m_seen.size() >= kMaxTrackedInstances) { // bounded memory; the workspace answers for evicted instances
        rememberEvicted();
        m_seen.clear();
    }

    const std::string& kind = p.kind;
    const int64_t taskId = m_writer.taskId(r.task, kind);
    SeenInstance s;
    s.firstLine = p.line;
    if (p.line <= 0)
        s.firstWhere = whereFn(); // named by number otherwise: no string per line
    s.split = r.split;
    s.questionHash = qHash;
    s.gold = r.gold;

    // In a task this import created, an instance neither seen nor evicted is new: no lookup (one trace per question
    // makes every line a new instance).
    const bool surelyNew = m_writer.isNewTask(taskId) && !mayHaveBeenEvicted(key);
    auto stored = surelyNew ? std::nullopt : m_writer.findInstance(taskId, r.id);
    if (r.joinStored && !stored)
        throw Error(
            whereFn() + ": (" + r.task + ", " + r.id +
            ") is not in the workspace: this format holds no questions, "
            "so import the questions first (their benchmark file), under the task and ids this file names them by");
    if (stored) {
        // Stored by an earlier import (or earlier in this one): it must be the same instance.
        const bool thisImport = stored->importId == m_writer.importId();
        const auto storedChoices =
            stored->choicesJson ? answers::choicesFromJson(*stored->choicesJson) : std::vector<answers::Choice>{};
        s.kind = stored->answerKind;
        const std::string storedExactKey = choicesKey(storedChoices, true);
        // Made now, not by extractorOf: it reads the stored choices, which s.choices is not when none were stored.
        s.extractor = extractorFor(stored->answerKind, storedChoices, storedExactKey);
        s.choices = storedChoices.empty() ? r.choices : storedChoices;
        s.goldNormalized = goldKey(*s.extractor, s.choices, stored->gold);
        s.gold = stored->gold;
        std::string field, here, there;
        if (!r.joinStored) { // a joined line gives no instance fields to compare
            if (stored->question != r.question)
                field = "question", here = r.question, there = stored->question;
            else if (goldKeyOf(s) != goldKey(extractorOf(s), s.choices, r.gold))
                field = "gold", here = r.gold, there = stored->gold;
            else if (choicesKey(storedChoices) != cKey && !r.choices.empty() && !storedChoices.empty())
                field = "choices", here = answers::choicesToJson(r.choices), there = *stored->choicesJson;
            else if (r.splitGiven && stored->split != r.split)
                field = "split", here = r.split, there = stored->split;
        }
        if (!field.empty()) {
            if (thisImport)
                throw Error(whereFn() + ": instance (" + r.task + ", " + r.id + ") disagrees with an earlier line of " +
                            "this file on '" + field + "': " + quotedValue(here) + " here, " + quotedValue(there) +
                            " before");
            throw Error(whereFn() + ": instance (" + r.task + ", " + r.id +
                        ") is already in the workspace with another " + field + ": " + quotedValue(here) + " here, " +
                        quotedValue(there) + " stored; give it another id or fix the file");
        }
        s.instanceId = stored->id;
        s.choicesKey = choicesKey(storedChoices.empty() ? r.choices : storedChoices);
        s.choicesExactKey = storedExactKey;
        s.split = stored->split;
        s.fromWorkspace = !thisImport;
        s.nextSample = thisImport ? m_writer.rationalesAddedTo(stored->id) : 0;
        if (!r.metaJson.empty() && !r.rationale && !stored->metaJson)
            m_writer.fillInstanceMeta(stored->id, r.metaJson);
    } else {
        store::InstanceRecord in;
        in.extId = r.id;
        in.split = r.split;
        in.question = std::move(r.question); // not needed past here: the rationale is stored without it
        if (r.hasChoices)
            in.choicesJson = answers::choicesToJson(r.choices);
        in.gold = r.gold;
        in.answerKind = kind;
        if (!r.metaJson.empty() && !r.rationale)
            in.metaJson = r.metaJson;
        s.instanceId = m_writer.insertInstance(taskId, std::move(in));
        s.kind = kind;
        s.choices = std::move(r.choices); // not read past here; the extractor and gold key wait until needed
        s.choicesKey = cKey;
        s.choicesExactKey = p.choicesExactKey;
        ++m_report.instancesAdded;
    }
    return m_seen.emplace(key, std::move(s)).first->second;
}

void RecordSink::add(PreparedRecord& p, const std::string& path)
{
    SeenInstance& inst = resolve(p, [&] { return p.line > 0 ? path + ":" + std::to_string(p.line) : p.where; });
    if (!p.rationale)
        return;
    store::RationaleRecord& rat = *p.rationale;
    // The stored instance decides how answers are read when it differs from this line (another kind, choice
    // labels in another case, or a gold naming the same choice by another label).
    if (inst.kind != p.kind || inst.choicesExactKey != p.choicesExactKey || inst.gold != p.record.gold)
        computeAnswers(extractorOf(inst), inst.gold, p.record.answer, rat);
    rat.sampleIndex = p.record.sample ? *p.record.sample : inst.nextSample;
    ++inst.nextSample;
    m_writer.addRationale(inst.instanceId, rat);
    ++m_rationalesGiven;
}

void RecordSink::refuse(const std::string& where, const std::string& reason)
{
    ++m_report.refusedCount;
    if (m_report.refused.size() < ImportReport::kMaxRefusedListed)
        m_report.refused.push_back({where, reason});
}

bool RecordSink::tryAdd(PreparedRecord& p, const std::string& path)
{
    if (!m_keepGood) {
        add(p, path);
        return true;
    }
    try {
        add(p, path);
        return true;
    } catch (const Error& e) {
        // The message names the record already ("file:line: ..."): the reason is what follows.
        const std::string where = p.line > 0 ? path + ":" + std::to_string(p.line) : p.where;
        std::string reason = e.what();
        if (reason.rfind(where + ": ", 0) == 0)
            reason = reason.substr(where.size() + 2);
        refuse(where, reason);
        return false;
    }
}

bool RecordSink::tryAdd(const InterchangeRecord& record, const std::string& where)
{
    if (!m_keepGood) {
        add(record, where);
        return true;
    }
    try {
        add(record, where);
        return true;
    } catch (const Error& e) {
        std::string reason = e.what();
        if (reason.rfind(where + ": ", 0) == 0)
            reason = reason.substr(where.size() + 2);
        refuse(where, reason);
        return false;
    }
}

void RecordSink::add(const InterchangeRecord& record, const std::string& where)
{
    PreparedRecord& p = m_copies.emplace_back();
    p.record = record;
    p.where = where;
    prepare(p);
    add(p, where);
    if (m_copies.size() >= store::ImportWriter::kRowsPerInsert)
        flush();
}

void RecordSink::flush()
{
    m_writer.flush();
    m_copies.clear();
}

void RecordSink::finish(int64_t lines)
{
    flush();
    m_report.lines = lines;
    m_report.rationalesAdded = m_writer.rationalesAdded();
    m_report.rationalesAlreadyStored = m_rationalesGiven - m_report.rationalesAdded;
    m_writer.finish(lines, m_report.instancesAdded);
}

} // namespace cotlab::ingest
