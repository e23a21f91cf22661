// Helpers shared by the fuzz targets that check invariants on what they
// feed: an abort that libFuzzer reports as a crash, and the input read as a
// stream of choices for structured generators.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace neuroquantum::fuzz {

// Aborts (a finding) when an invariant does not hold.
inline void Require(bool condition) {
  if (!condition) std::abort();
}

// Reads choices from the input; zeros when it runs out.
class Choices {
 public:
  explicit Choices(std::string_view bytes) : bytes_(bytes) {}
  uint8_t Next() { return pos_ < bytes_.size() ? static_cast<uint8_t>(bytes_[pos_++]) : 0; }
  bool done() const { return pos_ >= bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace neuroquantum::fuzz
