// Rng: the pseudo-random generator every quantum-module algorithm uses
// (xoshiro256** by Blackman and Vigna, seeded through SplitMix64), plus the
// seed derivation that gives each run, replica or Trotter slice its own
// stream. Deterministic across platforms: no std::uniform_*_distribution,
// whose output differs between standard libraries.
//
// Thread safety: an Rng is a value; one object must not be shared between
// threads without synchronisation (each worker owns its own).
#pragma once

#include <cstdint>

namespace neuroquantum::quantum::internal {

// One SplitMix64 step: a well-mixed 64-bit function of `state`, which it
// advances.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The seed of stream `stream` derived from a user seed: distinct streams of
// one seed are statistically independent.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * (stream + 1));
  SplitMix64(&state);
  return SplitMix64(&state);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) word = SplitMix64(&state);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound). REQUIRES: 0 < bound <= 2^32. Lemire's
  // multiply-shift; the bias (< bound / 2^32) is irrelevant here.
  uint32_t Below(uint64_t bound) {
    return static_cast<uint32_t>(((Next() >> 32) * bound) >> 32);
  }

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace neuroquantum::quantum::internal
