// Bitwise context-mixing byte model; see byte_model.h.
#include "dna/byte_model.h"

#include <algorithm>
#include <vector>

#include "dna/arithmetic_coder.h"
#include "dna/mixing.h"

namespace neuroquantum::dna {
namespace {

constexpr int kOrders = 6;  // 0, 1, 2, 3, 4, and the current word

uint32_t HashBytes(uint64_t context, int order) {
  uint64_t h = (context + static_cast<uint64_t>(order) * 0x1000193ull) * 0x9E3779B97F4A7C15ull;
  return static_cast<uint32_t>((h ^ (h >> 31)) >> 16);
}

class ByteModel {
 public:
  // The APM uses the previous byte only for inputs large enough to train
  // 65536 contexts; small streams (the usual layout) keep it at 256.
  explicit ByteModel(uint64_t size)
      : mixer_(kOrders + 1, 256, 48, 4000),
        apm_order1_(size >= (1u << 16)),
        apm_(apm_order1_ ? 256 * 256 : 256, 7) {
    bits_ = 10;
    while (bits_ < 22 && (1ull << bits_) < size * 16) ++bits_;
    for (auto& t : tables_) t.assign(size_t{1} << bits_, Counter32::kInit);
    BeginByte();
  }

  int Predict() {
    for (int i = 0; i < kOrders; ++i) {
      slot_[i] = (base_[i] + static_cast<uint32_t>(partial_) * 0x2f0b3u) & ((1u << bits_) - 1);
      mixer_.Set(i, Stretch(Counter32::P12(tables_[i][slot_[i]])));
    }
    mixer_.Set(kOrders, 256);
    const int p = mixer_.Mix(partial_);
    const int apm_context =
        apm_order1_ ? static_cast<int>((last_ & 0xff) << 8) | partial_ : partial_;
    const int refined = apm_.Refine(p, apm_context);
    return std::clamp((p + 3 * refined + 2) >> 2, 1, kProbMax);
  }

  void Update(int bit) {
    for (int i = 0; i < kOrders; ++i) Counter32::Update(&tables_[i][slot_[i]], bit, 255);
    mixer_.Update(bit);
    apm_.Update(bit);
    partial_ = (partial_ << 1) | bit;
    if (++bit_count_ == 8) {
      const int byte = partial_ & 0xff;
      last_ = (last_ << 8) | static_cast<uint64_t>(byte);
      const bool letter = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
      word_ = letter ? (word_ + static_cast<uint64_t>(byte)) * 0x3f1 : 0;
      BeginByte();
    }
  }

 private:
  void BeginByte() {
    partial_ = 1;
    bit_count_ = 0;
    for (int order = 0; order < 5; ++order) {
      const uint64_t mask = order == 0 ? 0 : (1ull << (8 * order)) - 1;
      base_[order] = HashBytes(last_ & mask, order);
    }
    base_[5] = HashBytes(word_, 5);
  }

  int bits_;
  std::vector<uint32_t> tables_[kOrders];
  uint32_t base_[kOrders] = {};
  uint32_t slot_[kOrders] = {};
  uint64_t last_ = 0;
  uint64_t word_ = 0;
  int partial_ = 1;
  int bit_count_ = 0;
  Mixer mixer_;
  bool apm_order1_;
  Apm apm_;
};

}  // namespace

Result<std::string> CompressBytes(std::string_view input, Progress* progress) {
  std::string out;
  ByteModel model(input.size());
  ArithmeticEncoder encoder(&out);
  for (size_t i = 0; i < input.size(); ++i) {
    if (i % Progress::kInterval == 0 && progress != nullptr && !progress->Report(i)) {
      return Status::Aborted("compression cancelled");
    }
    const int byte = static_cast<uint8_t>(input[i]);
    for (int b = 7; b >= 0; --b) {
      const int bit = (byte >> b) & 1;
      encoder.Encode(bit, model.Predict());
      model.Update(bit);
    }
  }
  encoder.Flush();
  return out;
}

Result<std::string> DecompressBytes(std::string_view input, uint64_t size, Progress* progress) {
  std::string out;
  out.reserve(std::min<uint64_t>(size, uint64_t{1} << 24));
  ByteModel model(size);
  ArithmeticDecoder decoder(input);
  for (uint64_t i = 0; i < size; ++i) {
    if (i % Progress::kInterval == 0 && progress != nullptr && !progress->Report(i)) {
      return Status::Aborted("decompression cancelled");
    }
    int byte = 0;
    for (int b = 0; b < 8; ++b) {
      const int bit = decoder.Decode(model.Predict());
      model.Update(bit);
      byte = (byte << 1) | bit;
    }
    out.push_back(static_cast<char>(byte));
    if (decoder.overrun()) return Status::Corruption("byte stream ends early");
  }
  return out;
}

}  // namespace neuroquantum::dna
