// Interleaved Reed-Solomon frame over libfec; see reed_solomon.h.
#include "dna/reed_solomon.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <xxhash.h>

#include "common/coding.h"

extern "C" {
#include <fec.h>
}

namespace neuroquantum::dna {
namespace {

constexpr int kHeaderSize = 24;
constexpr int kHeaderCopies = 3;
constexpr int kDepth = 16;
constexpr uint8_t kVersion = 1;
// GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d),
// first consecutive root 1, primitive element 1: the common CCSDS-free
// parameter set; all three are persisted implicitly by the version.
constexpr int kSymbolBits = 8;
constexpr int kFieldPoly = 0x11d;

int ParityFor(EccLevel level) {
  switch (level) {
    case EccLevel::kLow: return 8;
    case EccLevel::kMedium: return 16;
    case EccLevel::kHigh: return 32;
    case EccLevel::kOff: break;
  }
  return 0;
}

// Owns one libfec codec (shortened by `pad` symbols).
struct RsCodec {
  void* rs = nullptr;
  RsCodec(int parity, int pad) { rs = init_rs_char(kSymbolBits, kFieldPoly, 1, 1, parity, pad); }
  ~RsCodec() {
    if (rs != nullptr) free_rs_char(rs);
  }
  RsCodec(const RsCodec&) = delete;
  RsCodec& operator=(const RsCodec&) = delete;
};

// Shape of one group of interleaved codewords.
struct Group {
  uint64_t payload_offset;
  int codewords;
  int data_per_codeword;  // payload bytes per codeword (last may be padded)
  uint64_t payload_bytes;
};

std::vector<Group> PlanGroups(uint64_t payload_size, int parity) {
  const int data = 255 - parity;
  std::vector<Group> groups;
  uint64_t offset = 0;
  const uint64_t full = static_cast<uint64_t>(data) * kDepth;
  while (payload_size - offset >= full && payload_size - offset > 0) {
    groups.push_back({offset, kDepth, data, full});
    offset += full;
  }
  const uint64_t rest = payload_size - offset;
  if (rest > 0) {
    const auto n = static_cast<int>((rest + data - 1) / data);
    const auto per = static_cast<int>((rest + n - 1) / n);
    groups.push_back({offset, n, per, rest});
  }
  return groups;
}

uint64_t GroupFrameBytes(const Group& g, int parity) {
  return static_cast<uint64_t>(g.codewords) * static_cast<uint64_t>(g.data_per_codeword + parity);
}

std::string EncodeHeader(EccLevel level, int parity, uint64_t payload_size) {
  std::string header(kEccMagic, 4);
  header.push_back(static_cast<char>(kVersion));
  header.push_back(static_cast<char>(level));
  header.push_back(static_cast<char>(parity));
  header.push_back(static_cast<char>(kDepth));
  PutFixed64(&header, payload_size);
  PutFixed64(&header, XXH3_64bits(header.data(), header.size()));
  return header;
}

}  // namespace

std::string_view EccLevelName(EccLevel level) {
  switch (level) {
    case EccLevel::kOff: return "off";
    case EccLevel::kLow: return "low";
    case EccLevel::kMedium: return "medium";
    case EccLevel::kHigh: return "high";
  }
  return "unknown";
}

bool ParseEccLevel(std::string_view name, EccLevel* level) {
  for (EccLevel l : {EccLevel::kOff, EccLevel::kLow, EccLevel::kMedium, EccLevel::kHigh}) {
    if (name == EccLevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

bool IsEccFrame(std::string_view data) {
  // Any of the three header copies may carry the intact magic.
  for (size_t i = 0; i < kHeaderCopies; ++i) {
    const size_t offset = i * kHeaderSize;
    if (data.size() >= offset + kHeaderSize &&
        std::memcmp(data.data() + offset, kEccMagic, 4) == 0) {
      return true;
    }
  }
  return false;
}

std::string ProtectWithEcc(std::string_view payload, EccLevel level, EccReport* report) {
  const int parity = ParityFor(level);
  std::string frame;
  const std::string header = EncodeHeader(level, parity, payload.size());
  for (int i = 0; i < kHeaderCopies; ++i) frame.append(header);
  const std::vector<Group> groups = PlanGroups(payload.size(), parity);
  RsCodec full_codec(parity, 0);
  std::vector<uint8_t> codeword(255);
  uint64_t codewords = 0;
  for (const Group& g : groups) {
    const int length = g.data_per_codeword + parity;
    std::unique_ptr<RsCodec> shortened_codec;
    if (length < 255) shortened_codec = std::make_unique<RsCodec>(parity, 255 - length);
    RsCodec& shortened = shortened_codec ? *shortened_codec : full_codec;
    const size_t base = frame.size();
    frame.resize(base + GroupFrameBytes(g, parity));
    for (int d = 0; d < g.codewords; ++d) {
      const uint64_t start = g.payload_offset + static_cast<uint64_t>(d) * g.data_per_codeword;
      const uint64_t end = std::min(start + g.data_per_codeword, g.payload_offset + g.payload_bytes);
      std::fill(codeword.begin(), codeword.end(), 0);
      if (end > start) std::memcpy(codeword.data(), payload.data() + start, end - start);
      encode_rs_char(shortened.rs, codeword.data(), codeword.data() + g.data_per_codeword);
      for (int j = 0; j < length; ++j) {
        frame[base + static_cast<size_t>(j) * g.codewords + d] = static_cast<char>(codeword[j]);
      }
      ++codewords;
    }
  }
  if (report != nullptr) {
    *report = EccReport{};
    report->level = level;
    report->parity = parity;
    report->depth = kDepth;
    report->codewords = codewords;
    report->protected_size = frame.size();
    report->payload_size = payload.size();
  }
  return frame;
}

Result<std::string> RecoverFromEcc(std::string_view frame, EccReport* report) {
  EccReport local;
  EccReport& r = report != nullptr ? *report : local;
  r = EccReport{};
  if (frame.size() < static_cast<size_t>(kHeaderSize) * kHeaderCopies || !IsEccFrame(frame)) {
    return Status::Corruption("ECC frame: too short or bad magic");
  }
  std::string_view header;
  for (int i = 0; i < kHeaderCopies; ++i) {
    std::string_view copy = frame.substr(static_cast<size_t>(i) * kHeaderSize, kHeaderSize);
    const auto* bytes = reinterpret_cast<const uint8_t*>(copy.data());
    if (std::memcmp(bytes, kEccMagic, 4) == 0 &&
        XXH3_64bits(bytes, 16) == DecodeFixed64(bytes + 16)) {
      if (header.empty()) header = copy;
    } else {
      ++r.damaged_header_copies;
    }
  }
  if (header.empty()) return Status::Corruption("ECC frame: all three header copies are damaged");
  const auto* h = reinterpret_cast<const uint8_t*>(header.data());
  if (h[4] != kVersion) {
    return Status::NotSupported(fmt::format("ECC frame version {} (this build reads {})", h[4],
                                            kVersion));
  }
  r.level = static_cast<EccLevel>(h[5]);
  r.parity = h[6];
  r.depth = h[7];
  r.payload_size = DecodeFixed64(h + 8);
  if (ParityFor(r.level) != r.parity || r.parity == 0 || r.depth != kDepth) {
    return Status::Corruption("ECC frame: unknown level or layout");
  }
  if (r.payload_size > frame.size()) {
    return Status::Corruption("ECC frame: payload size larger than the frame");
  }
  const std::vector<Group> groups = PlanGroups(r.payload_size, r.parity);
  uint64_t expected = static_cast<uint64_t>(kHeaderSize) * kHeaderCopies;
  for (const Group& g : groups) expected += GroupFrameBytes(g, r.parity);
  if (frame.size() != expected) {
    return Status::Corruption(fmt::format("ECC frame: {} bytes, the header says {}", frame.size(),
                                          expected));
  }
  r.protected_size = frame.size();
  std::string payload(r.payload_size, '\0');
  std::vector<uint8_t> codeword(255);
  size_t base = static_cast<size_t>(kHeaderSize) * kHeaderCopies;
  RsCodec full_codec(r.parity, 0);
  for (const Group& g : groups) {
    const int length = g.data_per_codeword + r.parity;
    std::unique_ptr<RsCodec> shortened_codec;
    if (length < 255) shortened_codec = std::make_unique<RsCodec>(r.parity, 255 - length);
    RsCodec& shortened = shortened_codec ? *shortened_codec : full_codec;
    for (int d = 0; d < g.codewords; ++d) {
      for (int j = 0; j < length; ++j) {
        codeword[j] = static_cast<uint8_t>(frame[base + static_cast<size_t>(j) * g.codewords + d]);
      }
      const int corrected = decode_rs_char(shortened.rs, codeword.data(), nullptr, 0);
      ++r.codewords;
      if (corrected < 0) {
        ++r.uncorrectable_codewords;
      } else {
        r.corrected_bytes += static_cast<uint64_t>(corrected);
      }
      const uint64_t start = g.payload_offset + static_cast<uint64_t>(d) * g.data_per_codeword;
      const uint64_t end = std::min(start + g.data_per_codeword, g.payload_offset + g.payload_bytes);
      if (end > start) std::memcpy(payload.data() + start, codeword.data(), end - start);
    }
    base += GroupFrameBytes(g, r.parity);
  }
  if (r.uncorrectable_codewords > 0) {
    return Status::Corruption(fmt::format(
        "ECC: {} of {} codewords have more damage than {} parity bytes can correct",
        r.uncorrectable_codewords, r.codewords, r.parity));
  }
  return payload;
}

}  // namespace neuroquantum::dna
