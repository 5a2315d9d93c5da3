#include "corpus/CorpusComparison.h"

#include "util/Error.h"

#include <set>

namespace cotlab::corpus {

CorpusComparison compareCorpora(store::CorpusRepository& corpora, const std::string& a, const std::string& b)
{
    auto infoA = corpora.find(a), infoB = corpora.find(b);
    if (!infoA || !infoB)
        throw Error("choose two saved corpora to compare");
    CorpusComparison out;
    out.a = std::move(*infoA);
    out.b = std::move(*infoB);
    std::set<int64_t> rationalesA, instancesA;
    std::map<int64_t, int64_t> perA, perB; // instance -> its rationales
    for (const auto& m : corpora.members(out.a.id)) {
        rationalesA.insert(m.rationaleId);
        instancesA.insert(m.instanceId);
        ++perA[m.instanceId];
    }
    std::set<int64_t> instancesB;
    for (const auto& m : corpora.members(out.b.id)) {
        out.sharedRationales += int64_t(rationalesA.count(m.rationaleId));
        instancesB.insert(m.instanceId);
        ++perB[m.instanceId];
    }
    for (int64_t id : instancesB)
        out.sharedInstances += int64_t(instancesA.count(id));
    for (const auto& [id, n] : perA)
        ++out.perInstance[n].first;
    for (const auto& [id, n] : perB)
        ++out.perInstance[n].second;
    return out;
}

CorpusDrift driftOf(store::CorpusRepository& corpora, int64_t corpusId, const store::BuiltCorpus& rebuilt)
{
    std::set<int64_t> saved;
    for (const auto& m : corpora.members(corpusId))
        saved.insert(m.rationaleId);
    CorpusDrift drift;
    drift.saved = int64_t(saved.size());
    drift.rebuilt = int64_t(rebuilt.members.size());
    for (const auto& m : rebuilt.members)
        drift.added += saved.count(m.rationaleId) == 0;
    drift.removed = drift.saved - (drift.rebuilt - drift.added);
    return drift;
}

std::string CorpusDrift::describe(const std::string& name) const
{
    if (!differs())
        return "the saved corpus '" + name + "' is what its recipe selects from today's store (" +
               std::to_string(saved) + " rationales)";
    return "the saved corpus '" + name + "' holds " + std::to_string(saved) +
           " rationales; its recipe on today's store selects " + std::to_string(rebuilt) + " (" +
           std::to_string(added) + " not in the saved corpus, " + std::to_string(removed) +
           " of it no longer selected). The saved corpus keeps its rationales; save the rebuild under a new name to "
           "train on it";
}

} // namespace cotlab::corpus
