// Scalar quaternary codec and the checked public entry points.
#include "dna/quaternary_codec.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace neuroquantum::dna {
namespace {

constexpr char kBaseLetters[4] = {'A', 'C', 'G', 'T'};

struct EncodeTable {
  std::array<std::array<char, 4>, 256> bases{};
  constexpr EncodeTable() {
    for (int b = 0; b < 256; ++b) {
      for (int i = 0; i < 4; ++i) bases[b][i] = kBaseLetters[(b >> (6 - 2 * i)) & 3];
    }
  }
};
constexpr EncodeTable kEncodeTable{};

// Letter -> 2-bit code, or -1 for anything but upper-case A C G T.
struct DecodeTable {
  std::array<int8_t, 256> code{};
  constexpr DecodeTable() {
    for (auto& c : code) c = -1;
    for (int i = 0; i < 4; ++i) code[static_cast<uint8_t>(kBaseLetters[i])] = static_cast<int8_t>(i);
  }
};
constexpr DecodeTable kDecodeTable{};

}  // namespace

namespace internal {

void EncodeBasesScalar(const uint8_t* in, size_t size, char* out) {
  for (size_t i = 0; i < size; ++i) std::memcpy(out + 4 * i, kEncodeTable.bases[in[i]].data(), 4);
}

size_t DecodeBasesScalar(const char* in, size_t size, uint8_t* out) {
  const size_t groups = size / 4;
  for (size_t g = 0; g < groups; ++g) {
    int byte = 0;
    for (int i = 0; i < 4; ++i) {
      const int code = kDecodeTable.code[static_cast<uint8_t>(in[4 * g + i])];
      if (code < 0) return g;
      byte = (byte << 2) | code;
    }
    out[g] = static_cast<uint8_t>(byte);
  }
  return groups;
}

}  // namespace internal

std::string EncodeBytesAsBases(std::string_view bytes) {
  std::string out(bytes.size() * 4, '\0');
  internal::EncodeBasesSimd(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                            out.data());
  return out;
}

Result<std::string> DecodeBasesAsBytes(std::string_view bases) {
  if (bases.size() % 4 != 0) {
    return Status::InvalidArgument(
        fmt::format("base string length {} is not a multiple of 4", bases.size()));
  }
  std::string out(bases.size() / 4, '\0');
  const size_t done = internal::DecodeBasesSimd(bases.data(), bases.size(),
                                                reinterpret_cast<uint8_t*>(out.data()));
  if (done != out.size()) {
    size_t offset = done * 4;
    while (kDecodeTable.code[static_cast<uint8_t>(bases[offset])] >= 0) ++offset;
    return Status::InvalidArgument(
        fmt::format("invalid base 0x{:02x} at offset {} (only A, C, G, T)",
                    static_cast<uint8_t>(bases[offset]), offset));
  }
  return out;
}

}  // namespace neuroquantum::dna
