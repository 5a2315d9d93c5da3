#pragma once

// Two saved corpora side by side: their sizes, accuracy and lengths, how much they share, and how many instances
// have 1, 2, ... rationales in each.
#include "store/CorpusRepository.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace cotlab::corpus {

struct CorpusComparison {
    store::CorpusInfo a, b;
    int64_t sharedRationales = 0;
    int64_t sharedInstances = 0;
    // Rationales per instance -> (instances with that many in A, in B).
    std::map<int64_t, std::pair<int64_t, int64_t>> perInstance;
};

// Throws Error when either name is not a saved corpus.
CorpusComparison compareCorpora(store::CorpusRepository& corpora, const std::string& a, const std::string& b);

// A saved corpus against its recipe rebuilt on today's store (new imports, evaluations, corrected marks change
// what a recipe selects; the saved corpus keeps its rationales).
struct CorpusDrift {
    int64_t saved = 0, rebuilt = 0;
    int64_t added = 0;   // in the rebuild, not in the saved corpus
    int64_t removed = 0; // in the saved corpus, not in the rebuild
    bool differs() const { return added > 0 || removed > 0; }
    std::string describe(const std::string& name) const;
};
CorpusDrift driftOf(store::CorpusRepository& corpora, int64_t corpusId, const store::BuiltCorpus& rebuilt);

} // namespace cotlab::corpus
