#include "ingest/RecordSink.h"

#include "util/Error.h"
#include "util/Text.h"

#include <nlohmann/json.hpp>

namespace cotlab::ingest {

using answers::AnswerExtractor;
using answers::AnswerKind;

namespace {

std::string quotedValue(std::string_view s)
{
    constexpr size_t kMax = 80;
    std::string out = "'" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...'" : "'");
    return out;
}

std::string normalizedGold(const AnswerExtractor& ex, const std::string& gold)
{
    std::string n = ex.normalize(gold);
    return n.empty() ? std::string(text::trim(gold)) : text::toLower(n);
}

} // namespace

std::string choicesKey(const std::vector<answers::Choice>& choices)
{
    std::string key;
    for (const auto& c : choices) {
        key += text::toLower(c.label);
        key += '\x1f';
        key += c.text;
        key += '\x1e';
    }
    return key;
}

RecordSink::RecordSink(store::Database& db, std::string path, std::string format) : m_writer(db, path, format)
{
    m_report.path = std::move(path);
    m_report.format = std::move(format);
}

std::string RecordSink::inferKind(const InterchangeRecord& r) const
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

RecordSink::SeenInstance& RecordSink::resolve(const InterchangeRecord& r, const std::string& where)
{
    std::string key = r.task;
    key += '\x1f';
    key += r.id;
    const uint64_t qHash = text::fnv1a64(r.question);
    const std::string cKey = choicesKey(r.choices);

    if (auto it = m_seen.find(key); it != m_seen.end()) {
        SeenInstance& s = it->second;
        const char* field = nullptr;
        if (s.questionHash != qHash)
            field = "question";
        else if (s.goldNormalized != normalizedGold(*s.extractor, r.gold))
            field = "gold";
        else if (s.choicesKey != cKey)
            field = "choices";
        else if (s.split != r.split)
            field = "split";
        if (field)
            throw Error(where + ": instance (" + r.task + ", " + r.id + ") disagrees with " + s.firstWhere +
                        " on '" + field + "'; lines of one instance must agree on question, gold, choices and split");
        return s;
    }

    const std::string kind = inferKind(r);
    const int64_t taskId = m_writer.taskId(r.task, kind);
    SeenInstance s;
    s.firstWhere = where;
    s.split = r.split;
    s.questionHash = qHash;
    s.choicesKey = cKey;
    s.gold = r.gold;

    if (auto stored = m_writer.findInstance(taskId, r.id)) {
        // The instance came from an earlier import: it must be the same instance.
        const auto storedChoices = stored->choicesJson ? choicesFromJson(*stored->choicesJson)
                                                       : std::vector<answers::Choice>{};
        s.extractor = std::make_shared<AnswerExtractor>(
            answers::answerKindFromString(stored->answerKind).value_or(AnswerKind::Text), storedChoices);
        s.goldNormalized = normalizedGold(*s.extractor, stored->gold);
        std::string field, here, there;
        if (stored->question != r.question)
            field = "question", here = r.question, there = stored->question;
        else if (s.goldNormalized != normalizedGold(*s.extractor, r.gold))
            field = "gold", here = r.gold, there = stored->gold;
        else if (choicesKey(storedChoices) != cKey && !r.choices.empty() && !storedChoices.empty())
            field = "choices", here = choicesToJson(r.choices), there = *stored->choicesJson;
        else if (stored->split != r.split)
            field = "split", here = r.split, there = stored->split;
        if (!field.empty())
            throw Error(where + ": instance (" + r.task + ", " + r.id + ") is already in the workspace with another " +
                        field + ": " + quotedValue(here) + " here, " + quotedValue(there) +
                        " stored; give it another id or fix the file");
        s.instanceId = stored->id;
        s.choicesKey = choicesKey(storedChoices.empty() ? r.choices : storedChoices);
        s.split = stored->split;
        if (!r.metaJson.empty() && !r.rationale && !stored->metaJson)
            m_writer.fillInstanceMeta(stored->id, r.metaJson);
    } else {
        store::InstanceRecord in;
        in.extId = r.id;
        in.split = r.split;
        in.question = r.question;
        if (r.hasChoices)
            in.choicesJson = choicesToJson(r.choices);
        in.gold = r.gold;
        in.answerKind = kind;
        if (!r.metaJson.empty() && !r.rationale)
            in.metaJson = r.metaJson;
        s.instanceId = m_writer.insertInstance(taskId, in);
        s.extractor =
            std::make_shared<AnswerExtractor>(answers::answerKindFromString(kind).value_or(AnswerKind::Text), r.choices);
        s.goldNormalized = normalizedGold(*s.extractor, r.gold);
        ++m_report.instancesAdded;
    }
    return m_seen.emplace(std::move(key), std::move(s)).first->second;
}

void RecordSink::add(const InterchangeRecord& r, const std::string& where)
{
    SeenInstance& inst = resolve(r, where);
    if (!r.rationale)
        return;

    store::RationaleRecord rat;
    rat.sourceKind = r.sourceKind;
    rat.model = r.teacher.value_or("");
    rat.sampleIndex = r.sample ? *r.sample : inst.nextSample;
    ++inst.nextSample;
    const std::string& raw = *r.rationale;
    rat.textHash = text::fnv1a64(raw);

    // Cut at the earliest stop string; keep the rest for lossless export.
    size_t cut = std::string::npos;
    for (const auto& s : r.stop)
        cut = std::min(cut, raw.find(s));
    if (cut != std::string::npos) {
        rat.text = raw.substr(0, cut);
        rat.textTail = raw.substr(cut);
    } else {
        rat.text = raw;
    }
    if (!r.stop.empty())
        rat.stopJson = nlohmann::json(r.stop).dump();

    const AnswerExtractor& ex = *inst.extractor;
    rat.answerSentence = r.answerSentence;
    rat.extractedAnswer = ex.extract(rat.text, r.answerSentence.value_or(""));
    if (r.answer) {
        std::string n = ex.normalize(*r.answer);
        rat.answer = n.empty() ? std::string(text::trim(*r.answer)) : n;
    } else {
        rat.answer = rat.extractedAnswer;
    }
    rat.correct = ex.matches(*rat.answer, inst.gold) ? 1 : 0;
    rat.tokenCount = r.tokens;
    rat.logprob = r.logprob;
    rat.prompt = r.prompt;
    rat.decoding = r.decoding;
    rat.temperature = r.temperature;
    rat.provenance = r.source;
    if (!r.metaJson.empty())
        rat.metaJson = r.metaJson;

    if (m_writer.insertRationale(inst.instanceId, rat))
        ++m_report.rationalesAdded;
    else
        ++m_report.rationalesAlreadyStored;
}

void RecordSink::finish(int64_t lines)
{
    m_report.lines = lines;
    m_writer.finish(lines, m_report.instancesAdded, m_report.rationalesAdded);
}

} // namespace cotlab::ingest
