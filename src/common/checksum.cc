// Checksum32: truncated, seeded XXH3.
#include "common/checksum.h"

#include <xxhash.h>

namespace neuroquantum {

uint32_t Checksum32(const void* data, size_t size, uint64_t seed) {
  return static_cast<uint32_t>(XXH3_64bits_withSeed(data, size, seed));
}

}  // namespace neuroquantum
