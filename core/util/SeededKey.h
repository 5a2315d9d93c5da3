#pragma once

#include <cstdint>

namespace cotlab {

// A fixed pseudo-random key for (id, seed) (splitmix64): ordering items by it draws them at random in a way that
// does not depend on the order they are read in, and the first n of a draw are the first n of any larger draw
// with the same seed (nested subsets for learning curves).
inline uint64_t seededKey(int64_t id, uint64_t seed)
{
    uint64_t z = uint64_t(id) + 0x9e3779b97f4a7c15ULL * (seed + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace cotlab
