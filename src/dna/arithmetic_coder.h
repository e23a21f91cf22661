// Binary arithmetic coder driven by 12-bit probabilities (carry-less range
// coder over a 32-bit interval). Every model in this module reduces its
// symbols to binary decisions and codes them through these two classes.
//
// Invariants of both sides:
//   1. low_ <= high_ always; a decision splits [low_, high_] at
//      low_ + (high_ - low_) / 4096 * p, the "1" part below the split.
//   2. Once the top byte of low_ and high_ agree it can never change again,
//      so it is shifted out (encoder) or in (decoder) immediately.
// The decoder reads zeros past the end of its input, so truncated or
// damaged input decodes to some garbage of the expected length instead of
// reading out of bounds; the container checksum then reports the damage.
//
// Thread safety: not thread-safe; one object per stream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dna/logistic.h"

namespace neuroquantum::dna {

class ArithmeticEncoder {
 public:
  // Appends the code to *out, which must outlive the encoder.
  explicit ArithmeticEncoder(std::string* out) : out_(out) {}

  // Codes `bit` given p1 = P(bit == 1) in 1..4095.
  void Encode(int bit, int p1) {
    const uint32_t mid = low_ + ((high_ - low_) >> kProbBits) * static_cast<uint32_t>(p1);
    if (bit) {
      high_ = mid;
    } else {
      low_ = mid + 1;
    }
    while (((low_ ^ high_) & 0xff000000u) == 0) {
      out_->push_back(static_cast<char>(high_ >> 24));
      low_ <<= 8;
      high_ = (high_ << 8) | 0xff;
    }
  }

  // Writes the byte that pins down the final interval. Call once.
  void Flush() {
    // The decoder reads zeros past the end, so one byte B stands for the
    // value B << 24. The top bytes of low_ and high_ differ (invariant 2),
    // hence low_ < (high_ >> 24) << 24 <= high_.
    out_->push_back(static_cast<char>(high_ >> 24));
  }

 private:
  std::string* out_;
  uint32_t low_ = 0;
  uint32_t high_ = 0xffffffffu;
};

class ArithmeticDecoder {
 public:
  // `in` must outlive the decoder.
  explicit ArithmeticDecoder(std::string_view in) : in_(in) {
    for (int i = 0; i < 4; ++i) x_ = (x_ << 8) | NextByte();
  }

  // Returns the decision coded with the same p1 as the encoder used.
  int Decode(int p1) {
    const uint32_t mid = low_ + ((high_ - low_) >> kProbBits) * static_cast<uint32_t>(p1);
    int bit;
    if (x_ <= mid) {
      bit = 1;
      high_ = mid;
    } else {
      bit = 0;
      low_ = mid + 1;
    }
    while (((low_ ^ high_) & 0xff000000u) == 0) {
      low_ <<= 8;
      high_ = (high_ << 8) | 0xff;
      x_ = (x_ << 8) | NextByte();
    }
    return bit;
  }

  // True when the decoder has consumed more bytes than the input holds
  // (a sign of truncation; the checksum decides).
  bool overrun() const { return pos_ > in_.size() + 4; }

 private:
  uint32_t NextByte() {
    uint32_t b = pos_ < in_.size() ? static_cast<uint8_t>(in_[pos_]) : 0;
    ++pos_;
    return b;
  }

  std::string_view in_;
  size_t pos_ = 0;
  uint32_t low_ = 0;
  uint32_t high_ = 0xffffffffu;
  uint32_t x_ = 0;
};

}  // namespace neuroquantum::dna
