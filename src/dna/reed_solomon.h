// Reed-Solomon protection of a container: RS(255, 255 - parity) codewords
// over GF(2^8) from libfec, interleaved so that a burst of damaged bytes is
// spread over many codewords.
//
// Frame layout (little-endian):
//   offset size
//   0      24   header: "NQDE", version (1), level, parity symbols per
//               codeword, interleave depth, payload size (u64),
//               XXH3-64 of the preceding 16 header bytes
//   24     24   second copy of the header
//   48     24   third copy of the header
//   72     ...  body: groups of `depth` codewords; byte j of codeword d of a
//               group is stored at group offset j * depth + d. A full
//               codeword carries 255 - parity payload bytes followed by its
//               parity. The last group carries the remaining r payload
//               bytes in n = ceil(r / (255 - parity)) shortened codewords of
//               ceil(r / n) payload bytes each (the last one zero-padded).
// Each codeword corrects up to parity / 2 damaged bytes, so a burst of up
// to depth * parity / 2 bytes inside one group is corrected.
//
// Thread safety: pure functions (each call creates its own libfec codecs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "neuroquantum/result.h"

namespace neuroquantum::dna {

// Persisted: do not change the values.
enum class EccLevel : uint8_t { kOff = 0, kLow = 1, kMedium = 2, kHigh = 3 };

std::string_view EccLevelName(EccLevel level);
// Accepts "off", "low", "medium", "high".
bool ParseEccLevel(std::string_view name, EccLevel* level);

struct EccReport {
  EccLevel level = EccLevel::kOff;
  int parity = 0;   // parity symbols per codeword
  int depth = 0;    // interleave depth
  uint64_t codewords = 0;
  uint64_t protected_size = 0;  // bytes of the frame
  uint64_t payload_size = 0;    // bytes of the container inside
  uint64_t corrected_bytes = 0;
  uint64_t uncorrectable_codewords = 0;
  int damaged_header_copies = 0;
};

inline constexpr char kEccMagic[4] = {'N', 'Q', 'D', 'E'};

// True when `data` starts with the ECC frame magic.
bool IsEccFrame(std::string_view data);

// REQUIRES: level != kOff.
std::string ProtectWithEcc(std::string_view payload, EccLevel level, EccReport* report);

// Corrects what the code can and returns the payload. Corruption when the
// header copies are all damaged, the frame is truncated, or a codeword holds
// more errors than its parity can correct (`report` then says how many).
Result<std::string> RecoverFromEcc(std::string_view frame, EccReport* report);

}  // namespace neuroquantum::dna
