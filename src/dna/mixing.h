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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
// Inputs and weights live in fixed-size arrays so that the compiler can keep
// the dot product and the update in vector registers.
//
// REQUIRES: at most kMaxInputs inputs; Set() fills each input before Mix().
class Mixer {
 public:
  static constexpr int kMaxInputs = 16;
  static constexpr int kMaxWeight = (1 << 16) - 1;  // weights are 2.14 fixed point

  // `inputs` <= kMaxInputs; the loops run over it rounded up to 8 lanes.
  Mixer(int inputs, int contexts, int learning_rate, int initial_weight)
      : lanes_((std::min(inputs, kMaxInputs) + 7) & ~7),
        weights_(static_cast<size_t>(contexts) * static_cast<size_t>(lanes_), initial_weight),
        learning_rate_(learning_rate) {}

  void Set(int i, int stretched) { x_[static_cast<size_t>(i)] = stretched; }

  // Returns the mixed probability (12 bits) with weight set `context`.
  int Mix(int context) {
    selected_ = &weights_[static_cast<size_t>(context) * static_cast<size_t>(lanes_)];
    // |x| < 2^11 and |w| < 2^16, so 16 products sum to less than 2^31.
    const int dot = lanes_ == 8 ? Dot<8>(x_.data(), selected_) : Dot<16>(x_.data(), selected_);
    dot_ = std::clamp(dot >> 14, -2047, 2047);
    p_ = SquashClamped(dot_);
    return p_;
  }
  int stretched() const { return dot_; }

  void Update(int bit) {
    const int err = ((bit << 12) - p_) * learning_rate_;
    if (lanes_ == 8) {
      Train<8>(x_.data(), selected_, err);
    } else {
      Train<16>(x_.data(), selected_, err);
    }
  }

 private:
  // Fixed trip counts and no aliasing let the compiler vectorise these.
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
      w[i] = std::clamp(w[i] + ((x[i] * err + (1 << 15)) >> 16), -kMaxWeight, kMaxWeight);
    }
  }

  int lanes_;
  alignas(64) std::array<int, kMaxInputs> x_{};  // unused inputs stay 0
  std::vector<int> weights_;
  int* selected_ = nullptr;
  int learning_rate_;
  int p_ = 2048;
  int dot_ = 0;
};

// A logistic mixer of at most eight inputs in 16-bit fixed point, for the
// nucleotide model: inputs are stretched probabilities (|x| <= 2047),
// weights are 4.12 fixed point (1.0 = 4096), saturating at the int16 range.
// Eight 16-bit lanes are one 128-bit vector: the compiler turns the dot
// product into multiply-adds (pmaddwd on x86-64), and Train uses SSE2's
// high multiply and saturating add where available. Both are exact integer
// arithmetic with a scalar reference (TrainScalar), so every target gives
// the same result; this replaced the 32-bit Mixer in the nucleotide model
// and cut its instructions per base by a fifth.
//
// REQUIRES: at most kLanes inputs; Set() fills each input before Mix().
class Mixer8 {
 public:
  static constexpr int kLanes = 8;

  // `learning_rate` scales the coding error (|error| < 4096) and must keep
  // 4095 * learning_rate below 2^15.
  Mixer8(int contexts, int learning_rate, int initial_weight)
      : weights_(static_cast<size_t>(contexts) * kLanes, static_cast<int16_t>(initial_weight)),
        learning_rate_(learning_rate) {}

  void Set(int i, int stretched) { x_[static_cast<size_t>(i)] = static_cast<int16_t>(stretched); }

  // Returns the mixed probability (12 bits) with weight set `context`.
  int Mix(int context) {
    selected_ = &weights_[static_cast<size_t>(context) * kLanes];
    // 8 products of at most 2^11 * 2^15 sum to less than 2^31.
    int dot = 0;
    for (int i = 0; i < kLanes; ++i) dot += x_[static_cast<size_t>(i)] * selected_[i];
    p_ = SquashClamped(std::min(std::max(dot >> 12, -2047), 2047));
    return p_;
  }

  void Update(int bit) {
    // Twice the scaled error, so that the rounding in Train halves it back.
    Train(x_.data(), selected_, ((bit << 12) - p_) * learning_rate_ * 2);
  }

  // w[i] += round(x[i] * err2 / 2^17), saturating at the int16 range.
  // REQUIRES: x 16-byte aligned, |err2| < 2^15.
  static void Train(const int16_t* x, int16_t* w, int err2) {
#if defined(__SSE2__)
    // The same arithmetic as TrainScalar, lane for lane: pmulhw is the
    // floor of the product / 2^16 and paddsw the saturating add.
    const __m128i xv = _mm_load_si128(reinterpret_cast<const __m128i*>(x));
    __m128i delta = _mm_mulhi_epi16(xv, _mm_set1_epi16(static_cast<int16_t>(err2)));
    delta = _mm_srai_epi16(_mm_add_epi16(delta, _mm_set1_epi16(1)), 1);
    auto* wv = reinterpret_cast<__m128i*>(w);
    _mm_storeu_si128(wv, _mm_adds_epi16(_mm_loadu_si128(wv), delta));
#else
    TrainScalar(x, w, err2);
#endif
  }

  // The reference meaning of Train (and its code where SSE2 is missing).
  static void TrainScalar(const int16_t* __restrict x, int16_t* __restrict w, int err2) {
    for (int i = 0; i < kLanes; ++i) {
      const int delta = (((x[i] * err2) >> 16) + 1) >> 1;
      w[i] = static_cast<int16_t>(std::min(std::max(w[i] + delta, -32768), 32767));
    }
  }

 private:
  alignas(16) std::array<int16_t, kLanes> x_{};  // unused inputs stay 0
  std::vector<int16_t> weights_;
  int16_t* selected_ = nullptr;
  int learning_rate_;
  int p_ = 2048;
};

// Adaptive probability map: refines a probability given a small context by
// interpolating between 33 learned points along the stretched axis.
class Apm {
 public:
  Apm(int contexts, int rate_shift) : rate_shift_(rate_shift) {
    // Every context starts as the identity map. The row is computed at
    // compile time and copied, so that a model built for a short value does
    // not pay 33 squash calls per context (25k for the nucleotide model).
    table_.reserve(static_cast<size_t>(contexts) * kPoints);
    for (int c = 0; c < contexts; ++c) {
      table_.insert(table_.end(), kIdentityRow.begin(), kIdentityRow.end());
    }
  }

  int Refine(int p, int context) {
    const int s = Stretch(p) + 2048;  // 1..4095
    const int lo = s >> 7;
    weight_ = s & 127;
    index_ = static_cast<size_t>(context) * kPoints + static_cast<size_t>(lo);
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
  // Points per context: stretch(p) from -2048 to 2048 in steps of 128.
  static constexpr size_t kPoints = 33;
  // Squash of each point, scaled to 16 bits: the map that returns p unchanged.
  static constexpr std::array<uint16_t, kPoints> kIdentityRow = [] {
    std::array<uint16_t, kPoints> row{};
    for (size_t j = 0; j < kPoints; ++j) {
      row[j] = static_cast<uint16_t>(Squash((static_cast<int>(j) - 16) * 128) * 16);
    }
    return row;
  }();

  std::vector<uint16_t> table_;
  size_t index_ = 0;
  int weight_ = 0;
  int rate_shift_;
};

}  // namespace neuroquantum::dna
