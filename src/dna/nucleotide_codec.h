// Arithmetic coding of a base stream (codes 0..3) with NucleotideModel.
//
// Thread safety: pure functions (each call owns its model).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dna/progress.h"
#include "neuroquantum/result.h"

namespace neuroquantum::dna {

// `codes` holds one base code 0..3 per byte. Aborted on cancellation.
Result<std::string> EncodeBaseStream(std::string_view codes, int level, Progress* progress);

// Decodes `count` base codes. Damaged input gives wrong bases, never a
// crash; Corruption when the code ends too early.
Result<std::string> DecodeBaseStream(std::string_view code, uint64_t count, int level,
                                     Progress* progress);

}  // namespace neuroquantum::dna
