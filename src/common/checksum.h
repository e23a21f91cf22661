// Checksums for pages and log records: 32 bits of XXH3-64 (libxxhash), seeded
// so that a block copied to the wrong place (another page number, another WAL
// segment) fails verification even though its bytes are intact.
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuroquantum {

uint32_t Checksum32(const void* data, size_t size, uint64_t seed);

}  // namespace neuroquantum
