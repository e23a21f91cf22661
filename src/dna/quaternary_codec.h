// Quaternary codec: any bytes <-> a nucleotide string over {A, C, G, T},
// two bits per base (A=00, C=01, G=10, T=11), four bases per byte with the
// most significant pair first. "Hi" (0x48 0x69) encodes as "CAGACGGC".
//
// The bulk loops run on Google Highway vectors (NEON on ARM64, SSE4, AVX2 or
// AVX-512 on x86-64, chosen at run time for the CPU); a scalar version of
// each loop is kept as the reference and for the tails. All paths produce
// identical output; tests compare them on random data.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "neuroquantum/result.h"

namespace neuroquantum::dna {

// Returns 4 * bytes.size() bases.
std::string EncodeBytesAsBases(std::string_view bytes);

// Inverse of EncodeBytesAsBases. InvalidArgument when the length is not a
// multiple of 4 or a character is not one of the upper-case letters A C G T
// (the message names the offset of the first bad character).
Result<std::string> DecodeBasesAsBytes(std::string_view bases);

// Name of the SIMD target the dispatcher picked on this CPU, e.g. "AVX2".
std::string_view QuaternarySimdTarget();

namespace internal {
// Raw kernels, exposed for tests and benchmarks. `out` must hold 4 * size
// (encode) or size / 4 (decode) bytes. Decode kernels return the number of
// complete 4-base groups decoded before the first invalid character.
void EncodeBasesScalar(const uint8_t* in, size_t size, char* out);
void EncodeBasesSimd(const uint8_t* in, size_t size, char* out);
size_t DecodeBasesScalar(const char* in, size_t size, uint8_t* out);
size_t DecodeBasesSimd(const char* in, size_t size, uint8_t* out);
}  // namespace internal

}  // namespace neuroquantum::dna
