// Integer logistic helpers shared by the context-mixing models: squash maps
// the stretched domain [-2047, 2047] to a 12-bit probability, stretch is its
// inverse. Both are integer-only so that compressor and decompressor compute
// bit-identical predictions on every CPU and compiler (floating point could
// differ across targets and turn a valid file into garbage on another
// machine).
//
// Thread safety: the tables are immutable after static initialisation.
#pragma once

#include <array>
#include <cstdint>

namespace neuroquantum::dna {

// Probabilities are 12-bit: 0..4095 stands for 0..1 (exclusive of the ends).
inline constexpr int kProbBits = 12;
inline constexpr int kProbMax = (1 << kProbBits) - 1;

// 4096 / (1 + e^(-d/256)) sampled every 128 units of d from -2048 to 2048,
// rounded; values in between are interpolated linearly.
inline constexpr std::array<int, 33> kSquashPoints = {
    1,    2,    4,    6,    10,   17,   27,   45,   74,   120,  194,
    311,  488,  747,  1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785,
    3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095};

// d in any range; clamps to [-2047, 2047]. Returns 1..4095.
constexpr int Squash(int d) {
  if (d > 2047) d = 2047;
  if (d < -2047) d = -2047;
  const int w = d & 127;
  const int i = (d >> 7) + 16;
  return (kSquashPoints[i] * (128 - w) + kSquashPoints[i + 1] * w + 64) >> 7;
}

namespace internal {
struct StretchTable {
  std::array<int16_t, 4096> value{};
  constexpr StretchTable() {
    // Inverse of Squash: for each p, the smallest d with Squash(d) >= p.
    int p = 0;
    for (int d = -2047; d <= 2047; ++d) {
      const int v = Squash(d);
      for (; p <= v && p < 4096; ++p) value[p] = static_cast<int16_t>(d);
    }
    for (; p < 4096; ++p) value[p] = 2047;
  }
};
inline constexpr StretchTable kStretchTable{};
}  // namespace internal

// p in 0..4095. Returns ln(p/(1-p)) scaled by 256, in [-2047, 2047].
inline int Stretch(int p) { return internal::kStretchTable.value[p]; }

namespace internal {
// Squash of every d in [-2047, 2047], so that the per-bit path is one load.
struct SquashTable {
  std::array<int16_t, 4095> value{};
  constexpr SquashTable() {
    for (int d = -2047; d <= 2047; ++d) {
      value[static_cast<size_t>(d + 2047)] = static_cast<int16_t>(Squash(d));
    }
  }
};
inline constexpr SquashTable kSquashTable{};
}  // namespace internal

// Squash(d) for d already in [-2047, 2047].
inline int SquashClamped(int d) {
  return internal::kSquashTable.value[static_cast<size_t>(d + 2047)];
}

}  // namespace neuroquantum::dna
