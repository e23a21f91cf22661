// General-purpose byte compressor for the side streams (headers, layout,
// exceptions) and for inputs that are not nucleotide text at all: bitwise
// context mixing of orders 0-4 (orders 2-4 hashed) plus a word-ish context,
// an APM stage and the binary arithmetic coder. Tables are sized to the
// input, so a stream of a few bytes costs almost nothing.
//
// Thread safety: pure functions (each call owns its model).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dna/progress.h"
#include "neuroquantum/result.h"

namespace neuroquantum::dna {

// Compresses `input`; the output does not record the size (the container
// does). Aborted when `progress` reports cancellation.
Result<std::string> CompressBytes(std::string_view input, Progress* progress);

// Decodes exactly `size` bytes. Damaged input yields wrong bytes, never a
// crash; callers verify a checksum.
Result<std::string> DecompressBytes(std::string_view input, uint64_t size, Progress* progress);

}  // namespace neuroquantum::dna
