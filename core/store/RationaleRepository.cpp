#include "store/RationaleRepository.h"

#include "store/Database.h"

namespace cotlab::store {

void RationaleRepository::forEachInstance(const std::optional<std::string>& task, const InstanceVisitor& visit)
{
    Statement inst(m_db, "SELECT i.id, t.name, i.ext_id, i.split, i.question, i.choices, i.gold, i.answer_kind, "
                         "i.meta FROM instances i JOIN tasks t ON t.id = i.task_id "
                         "WHERE ?1 IS NULL OR t.name = ?1 ORDER BY t.name, i.id");
    Statement rats(m_db, "SELECT id, source_kind, model, sample_index, text, text_tail, text_hash, stop, "
                         "answer_sentence, answer, extracted_answer, correct, token_count, logprob, prompt, "
                         "decoding, temperature, provenance, meta FROM rationales WHERE instance_id = ?1 "
                         "ORDER BY model, sample_index, id");
    inst.bind(1, task);
    std::vector<RationaleRecord> rows;
    while (inst.step()) {
        InstanceRecord in;
        in.id = inst.int64(0);
        in.task = inst.string(1);
        in.extId = inst.string(2);
        in.split = inst.string(3);
        in.question = inst.string(4);
        in.choicesJson = inst.optString(5);
        in.gold = inst.string(6);
        in.answerKind = inst.string(7);
        in.metaJson = inst.optString(8);
        rows.clear();
        rats.bind(1, in.id);
        while (rats.step()) {
            RationaleRecord r;
            r.id = rats.int64(0);
            r.sourceKind = rats.string(1);
            r.model = rats.string(2);
            r.sampleIndex = rats.int64(3);
            r.text = rats.string(4);
            r.textTail = rats.optString(5);
            r.textHash = static_cast<uint64_t>(rats.int64(6));
            r.stopJson = rats.optString(7);
            r.answerSentence = rats.optString(8);
            r.answer = rats.optString(9);
            r.extractedAnswer = rats.optString(10);
            r.correct = rats.optInt64(11);
            r.tokenCount = rats.optInt64(12);
            r.logprob = rats.optReal(13);
            r.prompt = rats.optString(14);
            r.decoding = rats.optString(15);
            r.temperature = rats.optReal(16);
            r.provenance = rats.optString(17);
            r.metaJson = rats.optString(18);
            rows.push_back(std::move(r));
        }
        rats.reset();
        if (!visit(in, rows))
            break;
    }
}

int64_t RationaleRepository::countInstances(const std::optional<std::string>& task)
{
    Statement st(m_db, "SELECT count(*) FROM instances i JOIN tasks t ON t.id = i.task_id "
                       "WHERE ?1 IS NULL OR t.name = ?1");
    st.bind(1, task);
    st.step();
    return st.int64(0);
}

} // namespace cotlab::store
