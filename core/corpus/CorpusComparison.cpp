#include "corpus/CorpusComparison.h"

#include "util/Error.h"

#include <set>

namespace cotlab::corpus {

CorpusComparison compareCorpora(store::CorpusRepository& corpora, const std::string& a, const std::string& b)
{
    auto infoA = corpora.find(a), infoB = corpora.find(b);
    if (!infoA || !infoB)
        throw Error("choose two saved corpora to compare");
    CorpusComparison out{std::move(*infoA), std::move(*infoB)};
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

} // namespace cotlab::corpus
