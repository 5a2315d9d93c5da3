#include "store/RationaleRepository.h"

#include "store/Database.h"

namespace cotlab::store {

namespace {

constexpr const char* kInstanceColumns =
    "SELECT i.id, t.name, i.ext_id, i.split, i.question, i.choices, i.gold, i.answer_kind, i.meta "
    "FROM instances i JOIN tasks t ON t.id = i.task_id ";
constexpr const char* kRationaleColumns =
    "SELECT id, source_kind, model, sample_index, text, text_tail, text_hash, stop, answer_sentence, answer, "
    "extracted_answer, correct, token_count, logprob, prompt, decoding, temperature, provenance, meta "
    "FROM rationales WHERE instance_id = ?1 ORDER BY model, sample_index, id";

InstanceRecord readInstance(const Statement& st)
{
    InstanceRecord in;
    in.id = st.int64(0);
    in.task = st.string(1);
    in.extId = st.string(2);
    in.split = st.string(3);
    in.question = st.string(4);
    in.choicesJson = st.optString(5);
    in.gold = st.string(6);
    in.answerKind = st.string(7);
    in.metaJson = st.optString(8);
    return in;
}

void readRationales(Statement& st, int64_t instanceId, std::vector<RationaleRecord>& out)
{
    st.bind(1, instanceId);
    while (st.step()) {
        RationaleRecord r;
        r.id = st.int64(0);
        r.sourceKind = st.string(1);
        r.model = st.string(2);
        r.sampleIndex = st.int64(3);
        r.text = st.string(4);
        r.textTail = st.optString(5);
        r.textHash = static_cast<uint64_t>(st.int64(6));
        r.stopJson = st.optString(7);
        r.answerSentence = st.optString(8);
        r.answer = st.optString(9);
        r.extractedAnswer = st.optString(10);
        r.correct = st.optInt64(11);
        r.tokenCount = st.optInt64(12);
        r.logprob = st.optReal(13);
        r.prompt = st.optString(14);
        r.decoding = st.optString(15);
        r.temperature = st.optReal(16);
        r.provenance = st.optString(17);
        r.metaJson = st.optString(18);
        out.push_back(std::move(r));
    }
    st.reset();
}

} // namespace

void RationaleRepository::forEachInstance(const std::optional<std::string>& task, const InstanceVisitor& visit)
{
    Statement inst(m_db, std::string(kInstanceColumns) + "WHERE ?1 IS NULL OR t.name = ?1 ORDER BY t.name, i.id");
    Statement rats(m_db, kRationaleColumns);
    inst.bind(1, task);
    std::vector<RationaleRecord> rows;
    while (inst.step()) {
        const InstanceRecord in = readInstance(inst);
        rows.clear();
        readRationales(rats, in.id, rows);
        if (!visit(in, rows))
            break;
    }
}

std::optional<std::pair<InstanceRecord, std::vector<RationaleRecord>>> RationaleRepository::instance(int64_t id)
{
    Statement inst(m_db, std::string(kInstanceColumns) + "WHERE i.id = ?1");
    inst.bind(1, id);
    if (!inst.step())
        return std::nullopt;
    std::pair<InstanceRecord, std::vector<RationaleRecord>> out{readInstance(inst), {}};
    Statement rats(m_db, kRationaleColumns);
    readRationales(rats, id, out.second);
    return out;
}

std::optional<int64_t> RationaleRepository::instanceOf(int64_t rationaleId)
{
    Statement st(m_db, "SELECT instance_id FROM rationales WHERE id = ?1");
    st.bind(1, rationaleId);
    if (!st.step())
        return std::nullopt;
    return st.int64(0);
}

int64_t RationaleRepository::countInstances(const std::optional<std::string>& task)
{
    Statement st(m_db, "SELECT count(*) FROM instances i JOIN tasks t ON t.id = i.task_id "
                       "WHERE ?1 IS NULL OR t.name = ?1");
    st.bind(1, task);
    st.step();
    return st.int64(0);
}

std::vector<int64_t> RationaleRepository::instanceIds(const std::string& task, const std::string& split, int64_t limit)
{
    Statement st(m_db, "SELECT i.id FROM instances i JOIN tasks t ON t.id = i.task_id "
                       "WHERE (?1 = '' OR t.name = ?1) AND (?2 = '' OR i.split = ?2) ORDER BY t.name, i.id "
                       "LIMIT CASE WHEN ?3 > 0 THEN ?3 ELSE -1 END");
    st.bind(1, task).bind(2, split).bind(3, limit);
    std::vector<int64_t> out;
    while (st.step())
        out.push_back(st.int64(0));
    return out;
}

std::unordered_map<int64_t, RationaleRepository::SampleCount>
RationaleRepository::sampleCounts(const std::string& sourceKind, const std::string& model)
{
    Statement st(m_db, "SELECT instance_id, count(*), max(sample_index) + 1 FROM rationales "
                       "WHERE source_kind = ?1 AND model = ?2 GROUP BY instance_id");
    st.bind(1, sourceKind).bind(2, model);
    std::unordered_map<int64_t, SampleCount> out;
    while (st.step())
        out[st.int64(0)] = {st.int64(1), st.int64(2)};
    return out;
}

} // namespace cotlab::store
