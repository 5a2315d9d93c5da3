#include "eval/MajorityVote.h"

#include <map>

namespace cotlab::eval {

std::string majorityVote(const std::vector<std::string>& answers)
{
    std::map<std::string, int64_t> counts;
    for (const auto& a : answers)
        if (!a.empty())
            ++counts[a];
    std::string best;
    int64_t bestCount = 0;
    for (const auto& a : answers) // sample order: the first of tied answers wins
        if (!a.empty() && counts[a] > bestCount) {
            best = a;
            bestCount = counts[a];
        }
    return best;
}

} // namespace cotlab::eval
