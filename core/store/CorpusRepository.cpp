#include "store/CorpusRepository.h"

#include "store/Database.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

namespace cotlab::store {

using nlohmann::json;

namespace {

std::string stepsToJson(const std::vector<CorpusStepCounts>& steps)
{
    json out = json::array();
    for (const auto& s : steps)
        out.push_back({{"step", s.step},
                       {"instances", s.instances},
                       {"rationales", s.rationales},
                       {"judged", s.judged},
                       {"correct", s.correct},
                       {"characters", s.characters}});
    return out.dump();
}

std::vector<CorpusStepCounts> stepsFromJson(const std::string& text)
{
    std::vector<CorpusStepCounts> out;
    for (const auto& j : json::parse(text)) {
        CorpusStepCounts s;
        s.step = j.value("step", "");
        s.instances = j.value("instances", int64_t(0));
        s.rationales = j.value("rationales", int64_t(0));
        s.judged = j.value("judged", int64_t(0));
        s.correct = j.value("correct", int64_t(0));
        s.characters = j.value("characters", int64_t(0));
        out.push_back(s);
    }
    return out;
}

constexpr const char* kColumns = "SELECT id, name, recipe, steps, instances, rationales, created_at FROM corpora ";

CorpusInfo readInfo(const Statement& st)
{
    return {st.int64(0), st.string(1), st.string(2), stepsFromJson(st.string(3)),
            st.int64(4), st.int64(5),  st.string(6)};
}

} // namespace

int64_t CorpusRepository::save(const std::string& name, const std::string& recipeJson, const BuiltCorpus& built,
                               bool replace)
{
    if (name.empty())
        throw Error("a corpus needs a name");
    Transaction tx(m_db);
    if (find(name)) {
        if (!replace)
            throw Error("a corpus named '" + name + "' already exists in " + m_db.path() +
                        " (choose another name, or replace it)");
        remove(name); // refused when a run trained on it
    }
    int64_t instances = 0, last = 0;
    for (const auto& m : built.members)
        if (m.instanceId != last) {
            ++instances;
            last = m.instanceId;
        }
    Statement add(m_db, "INSERT INTO corpora (name, recipe, steps, instances, rationales) VALUES (?1, ?2, ?3, ?4, ?5)");
    add.bind(1, name)
        .bind(2, recipeJson)
        .bind(3, stepsToJson(built.steps))
        .bind(4, instances)
        .bind(5, int64_t(built.members.size()))
        .exec();
    const int64_t id = m_db.lastInsertRowId();
    Statement member(m_db,
                     "INSERT INTO corpus_rationales (corpus_id, position, rationale_id, text) VALUES (?1, ?2, ?3, ?4)");
    for (size_t k = 0; k < built.members.size(); ++k)
        member.bind(1, id)
            .bind(2, int64_t(k))
            .bind(3, built.members[k].rationaleId)
            .bind(4, built.members[k].text)
            .exec();
    tx.commit();
    return id;
}

std::vector<CorpusInfo> CorpusRepository::list()
{
    std::vector<CorpusInfo> out;
    Statement st(m_db, std::string(kColumns) + "ORDER BY id DESC");
    while (st.step())
        out.push_back(readInfo(st));
    return out;
}

std::optional<CorpusInfo> CorpusRepository::find(const std::string& name)
{
    Statement st(m_db, std::string(kColumns) + "WHERE name = ?1");
    st.bind(1, name);
    if (!st.step())
        return std::nullopt;
    return readInfo(st);
}

std::vector<CorpusMember> CorpusRepository::members(int64_t corpusId)
{
    std::vector<CorpusMember> out;
    Statement st(m_db, "SELECT c.rationale_id, r.instance_id, c.text FROM corpus_rationales c JOIN rationales r ON "
                       "r.id = c.rationale_id WHERE c.corpus_id = ?1 ORDER BY c.position");
    st.bind(1, corpusId);
    while (st.step())
        out.push_back({st.int64(0), st.int64(1), st.optString(2)});
    return out;
}

std::vector<int64_t> CorpusRepository::runsTrainedOn(const std::string& name)
{
    std::vector<int64_t> runs;
    Statement st(m_db, "SELECT id FROM runs WHERE json_valid(recipe) AND json_extract(recipe, '$.corpus') = ?1 "
                       "ORDER BY id");
    st.bind(1, name);
    while (st.step())
        runs.push_back(st.int64(0));
    return runs;
}

void CorpusRepository::refuseIfTrainedOn(const std::string& name, const std::string& what)
{
    const auto runs = runsTrainedOn(name);
    if (runs.empty())
        return;
    std::string list;
    for (int64_t id : runs)
        list += (list.empty() ? "" : ", ") + std::to_string(id);
    throw Error("the corpus '" + name + "' cannot be " + what + ": run" + (runs.size() > 1 ? "s " : " ") + list +
                " trained on it, and a run's corpus never changes under it; save a new corpus instead");
}

void CorpusRepository::rename(const std::string& from, const std::string& to)
{
    if (to.empty())
        throw Error("a corpus needs a name");
    refuseIfTrainedOn(from, "renamed");
    if (find(to))
        throw Error("a corpus named '" + to + "' already exists");
    Statement st(m_db, "UPDATE corpora SET name = ?2 WHERE name = ?1");
    st.bind(1, from).bind(2, to).exec();
    if (m_db.changes() == 0)
        throw Error("no corpus named '" + from + "' in " + m_db.path());
}

void CorpusRepository::remove(const std::string& name)
{
    refuseIfTrainedOn(name, "replaced or deleted");
    Statement st(m_db, "DELETE FROM corpora WHERE name = ?1");
    st.bind(1, name).exec();
}

} // namespace cotlab::store
