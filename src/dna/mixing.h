// Building blocks of the context-mixing models: adaptive probability
// counters, a gated logistic mixer and an adaptive probability map (APM,
// also called secondary symbol estimation). All arithmetic is integer so
// encoder and decoder agree bit for bit on every platform.
//
// Thread safety: not thread-safe; each model owns its own instances.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "dna/logistic.h"

namespace neuroquantum::dna {

namespace internal {
// 65536 / (n + 1.5) for n = 0..1023: the learning rate of a counter that has
// seen n events, so that it starts as a frequency count and ends as an
// exponential moving average once n reaches its limit.
struct ReciprocalTable {
  std::array<uint32_t, 1024> value{};
  constexpr ReciprocalTable() {
    for (uint32_t n = 0; n < 1024; ++n) value[n] = (2u * 65536u) / (2u * n + 3u);
  }
};
inline constexpr ReciprocalTable kReciprocal{};
}  // namespace internal

// A probability of a 1 bit with 22 bits of precision and a 10-bit count of
// updates packed in one word: high 22 bits p, low 10 bits n.
struct Counter32 {
  static constexpr uint32_t kInit = (1u << 31);  // p = 0.5, n = 0

  static int P12(uint32_t v) { return static_cast<int>(v >> 20); }
  static uint32_t Count(uint32_t v) { return v & 1023u; }

  // Moves p towards `bit` by 1/(n+1.5); n grows up to `limit` (<= 1023).
  static void Update(uint32_t* v, int bit, uint32_t limit) {
    const uint32_t n = *v & 1023u;
    const int64_t p = *v >> 10;
    const int64_t target = bit ? (1 << 22) - 1 : 0;
    const int64_t np = p + (((target - p) * internal::kReciprocal.value[n]) >> 16);
    *v = (static_cast<uint32_t>(np) << 10) | (n < limit ? n + 1 : limit);
  }
};

// The same idea in 16 bits for large hashed tables: 12-bit p, 4-bit count.
struct Counter16 {
  static constexpr uint16_t kInit = 2048u << 4;

  static int P12(uint16_t v) { return v >> 4; }
  static int Count(uint16_t v) { return v & 15; }

  static void Update(uint16_t* v, int bit, int limit) {
    const int n = *v & 15;
    const int p = *v >> 4;
    const int target = bit ? 4095 : 0;
    // The rate is below 1, so p stays within 0..4095 without clamping.
    const int np = p + (((target - p) * static_cast<int>(internal::kReciprocal.value[n])) >> 16);
    *v = static_cast<uint16_t>((np << 4) | (n < limit ? n + 1 : limit));
  }
};

// Logistic mixing: p = squash(sum_i w_i * stretch(p_i)), with one weight
// vector per selector context, trained online to reduce coding cost.
// Weights are fixed point with 1.0 = 2^14. The learning rate is in 1/16
// steps.
//
// REQUIRES: at most kMaxInputs inputs; Set() fills each input before Mix().
class Mixer {
 public:
  static constexpr int kMaxInputs = 16;
  static constexpr int kMaxWeight = (1 << 16) - 1;  // weights are 2.14 fixed point

  // `inputs` <= kMaxInputs; weight sets are padded to 8 lanes.
  Mixer(int inputs, int contexts, int learning_rate, int initial_weight)
      : inputs_(std::min(inputs, kMaxInputs)),
        lanes_((std::min(inputs, kMaxInputs) + 7) & ~7),
        weights_(static_cast<size_t>(contexts) * static_cast<size_t>(lanes_), initial_weight),
        learning_rate_(learning_rate) {}

  void Set(int i, int stretched) { x_[static_cast<size_t>(i)] = stretched; }

  // Returns the mixed probability (12 bits) with weight set `context`.
  int Mix(int context) {
    selected_ = &weights_[static_cast<size_t>(context) * static_cast<size_t>(lanes_)];
    // |x| < 2^11 and |w| < 2^16, so 16 products sum to less than 2^31.
    int dot = 0;
    switch (inputs_) {
      case 4: dot = Dot<4>(x_.data(), selected_); break;
      case 5: dot = Dot<5>(x_.data(), selected_); break;
      case 6: dot = Dot<6>(x_.data(), selected_); break;
      default:
        dot = lanes_ == 8 ? Dot<8>(x_.data(), selected_) : Dot<kMaxInputs>(x_.data(), selected_);
        break;
    }
    dot_ = std::min(std::max(dot >> 14, -2047), 2047);
    p_ = SquashClamped(dot_);
    return p_;
  }
  int stretched() const { return dot_; }

  void Update(int bit) {
    const int err = ((bit << 12) - p_) * learning_rate_;
    switch (inputs_) {
      case 4: Train<4>(x_.data(), selected_, err); break;
      case 5: Train<5>(x_.data(), selected_, err); break;
      case 6: Train<6>(x_.data(), selected_, err); break;
      default:
        if (lanes_ == 8) {
          Train<8>(x_.data(), selected_, err);
        } else {
          Train<kMaxInputs>(x_.data(), selected_, err);
        }
        break;
    }
  }

 private:
  // Fixed trip counts (the common input counts get their own copy) let the
  // compiler unroll these; unused inputs are 0 and leave their weights
  // unchanged, so every copy gives the same result.
  template <int N>
  static int Dot(const int* __restrict x, const int* __restrict w) {
    int dot = 0;
    for (int i = 0; i < N; ++i) dot += x[i] * w[i];
    return dot;
  }
  template <int N>
  static void Train(const int* __restrict x, int* __restrict w, int err) {
    for (int i = 0; i < N; ++i) {
      // Clamped to +-4.0 so that the dot product cannot overflow.
      const int v = w[i] + ((x[i] * err + (1 << 15)) >> 16);
      w[i] = std::min(std::max(v, -kMaxWeight), kMaxWeight);
    }
  }

  int inputs_;
  int lanes_;
  alignas(64) std::array<int, kMaxInputs> x_{};  // unused inputs stay 0
  std::vector<int> weights_;
  int* selected_ = nullptr;
  int learning_rate_;
  int p_ = 2048;
  int dot_ = 0;
};

// Adaptive probability map: refines a probability given a small context by
// interpolating between 33 learned points along the stretched axis.
class Apm {
 public:
  Apm(int contexts, int rate_shift) : rate_shift_(rate_shift) {
    table_.resize(static_cast<size_t>(contexts) * 33);
    for (size_t c = 0; c < static_cast<size_t>(contexts); ++c) {
      for (int j = 0; j < 33; ++j) table_[c * 33 + j] = static_cast<uint16_t>(Squash((j - 16) * 128) * 16);
    }
  }

  int Refine(int p, int context) {
    const int s = Stretch(p) + 2048;  // 1..4095
    const int lo = s >> 7;
    weight_ = s & 127;
    index_ = static_cast<size_t>(context) * 33 + static_cast<size_t>(lo);
    return (table_[index_] * (128 - weight_) + table_[index_ + 1] * weight_) >> 11;
  }

  void Update(int bit) {
    const int target = bit ? 65535 : 0;
    auto move = [&](uint16_t* v, int share) {
      *v = static_cast<uint16_t>(*v + ((((target - *v) >> rate_shift_) * share) >> 7));
    };
    move(&table_[index_], 128 - weight_);
    move(&table_[index_ + 1], weight_);
  }

 private:
  std::vector<uint16_t> table_;
  size_t index_ = 0;
  int weight_ = 0;
  int rate_shift_;
};

}  // namespace neuroquantum::dna
