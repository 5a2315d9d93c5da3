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

} // namespace cotlab::corpus
