// Highway kernels of the quaternary codec, compiled once per SIMD target and
// dispatched at run time (HWY_DYNAMIC_DISPATCH picks the best target the CPU
// supports). The kernels work on 128-bit vectors, which every target has, so
// byte shuffles never cross a block boundary and all targets agree exactly.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dna/quaternary_codec_simd.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "dna/quaternary_codec.h"

HWY_BEFORE_NAMESPACE();
namespace neuroquantum::dna::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR
// The scalar target has no 128-bit vectors; it runs the reference loops.
void EncodeKernel(const uint8_t* HWY_RESTRICT in, size_t size, char* HWY_RESTRICT out) {
  internal::EncodeBasesScalar(in, size, out);
}
size_t DecodeKernel(const char* HWY_RESTRICT in, size_t size, uint8_t* HWY_RESTRICT out) {
  return internal::DecodeBasesScalar(in, size, out);
}
#else

// 16 input bytes -> 64 letters per iteration. For output lane j (byte j/4
// of the group, pair j%4) pairs 0 and 1 come from the high nibble, pairs 2
// and 3 from the low one; even pairs are the nibble's high half.
void EncodeKernel(const uint8_t* HWY_RESTRICT in, size_t size, char* HWY_RESTRICT out) {
  const hn::Full128<uint8_t> d;
  alignas(16) static constexpr uint8_t kEvenLetters[16] = {'A', 'A', 'A', 'A', 'C', 'C', 'C', 'C',
                                                           'G', 'G', 'G', 'G', 'T', 'T', 'T', 'T'};
  alignas(16) static constexpr uint8_t kOddLetters[16] = {'A', 'C', 'G', 'T', 'A', 'C', 'G', 'T',
                                                          'A', 'C', 'G', 'T', 'A', 'C', 'G', 'T'};
  alignas(16) static constexpr uint8_t kHighNibbleLane[16] = {0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0,
                                                              0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0};
  alignas(16) static constexpr uint8_t kEvenLane[16] = {0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0,
                                                        0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0};
  // Lane j of quarter q repeats input byte 4q + j/4.
  alignas(16) static constexpr uint8_t kSpread[64] = {
      0,  0,  0,  0,  1,  1,  1,  1,  2,  2,  2,  2,  3,  3,  3,  3,  4,  4,  4,  4,  5,  5,
      5,  5,  6,  6,  6,  6,  7,  7,  7,  7,  8,  8,  8,  8,  9,  9,  9,  9,  10, 10, 10, 10,
      11, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15};
  const auto even_letters = hn::Load(d, kEvenLetters);
  const auto odd_letters = hn::Load(d, kOddLetters);
  const auto high_lane = hn::MaskFromVec(hn::Load(d, kHighNibbleLane));
  const auto even_lane = hn::MaskFromVec(hn::Load(d, kEvenLane));
  const auto low_nibble = hn::Set(d, 0x0f);
  size_t i = 0;
  for (; i + 16 <= size; i += 16) {
    const auto bytes = hn::LoadU(d, in + i);
    for (int quarter = 0; quarter < 4; ++quarter) {
      const auto repeated = hn::TableLookupBytes(bytes, hn::Load(d, kSpread + 16 * quarter));
      const auto nibble = hn::IfThenElse(high_lane, hn::ShiftRight<4>(repeated),
                                         hn::And(repeated, low_nibble));
      const auto letters = hn::IfThenElse(even_lane, hn::TableLookupBytes(even_letters, nibble),
                                          hn::TableLookupBytes(odd_letters, nibble));
      hn::StoreU(letters, d, reinterpret_cast<uint8_t*>(out) + 4 * i + 16 * quarter);
    }
  }
  internal::EncodeBasesScalar(in + i, size - i, out + 4 * i);
}

// 16 letters -> 4 bytes per vector. A letter's low nibble identifies it
// (A=1, C=3, T=4, G=7); a second table maps the nibble back to the only
// letter allowed to have it, which rejects everything else.
size_t DecodeKernel(const char* HWY_RESTRICT in, size_t size, uint8_t* HWY_RESTRICT out) {
  const hn::Full128<uint8_t> d;
  const hn::Full128<uint32_t> d32;
  const hn::Rebind<uint8_t, decltype(d32)> d8x4;
  alignas(16) static constexpr uint8_t kCode[16] = {0, 0, 0, 1, 3, 0, 0, 2,
                                                    0, 0, 0, 0, 0, 0, 0, 0};
  alignas(16) static constexpr uint8_t kLetter[16] = {0xff, 'A',  0xff, 'C',  'T',  0xff, 0xff, 'G',
                                                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
  const auto code_table = hn::Load(d, kCode);
  const auto letter_table = hn::Load(d, kLetter);
  const auto low_nibble = hn::Set(d, 0x0f);
  const size_t groups = size / 4;
  size_t g = 0;
  for (; g + 4 <= groups; g += 4) {
    const auto letters = hn::LoadU(d, reinterpret_cast<const uint8_t*>(in) + 4 * g);
    const auto nibble = hn::And(letters, low_nibble);
    if (!hn::AllTrue(d, hn::Eq(hn::TableLookupBytes(letter_table, nibble), letters))) break;
    const auto x = hn::BitCast(d32, hn::TableLookupBytes(code_table, nibble));
    const auto packed = hn::Or(
        hn::Or(hn::ShiftRight<24>(x), hn::And(hn::ShiftRight<14>(x), hn::Set(d32, 0x0cu))),
        hn::Or(hn::And(hn::ShiftRight<4>(x), hn::Set(d32, 0x30u)),
               hn::And(hn::ShiftLeft<6>(x), hn::Set(d32, 0xc0u))));
    hn::StoreU(hn::DemoteTo(d8x4, hn::BitCast(hn::Full128<int32_t>(), packed)), d8x4, out + g);
  }
  return g + internal::DecodeBasesScalar(in + 4 * g, size - 4 * g, out + g);
}

#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace neuroquantum::dna::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace neuroquantum::dna {

HWY_EXPORT(EncodeKernel);
HWY_EXPORT(DecodeKernel);

namespace internal {
void EncodeBasesSimd(const uint8_t* in, size_t size, char* out) {
  HWY_DYNAMIC_DISPATCH(EncodeKernel)(in, size, out);
}
size_t DecodeBasesSimd(const char* in, size_t size, uint8_t* out) {
  return HWY_DYNAMIC_DISPATCH(DecodeKernel)(in, size, out);
}
}  // namespace internal

std::string_view QuaternarySimdTarget() {
  // The dispatcher runs the best compiled target the CPU supports; better
  // targets have lower bits.
  const int64_t usable = hwy::SupportedTargets() & HWY_TARGETS;
  return hwy::TargetName(usable & -usable);
}

}  // namespace neuroquantum::dna
#endif  // HWY_ONCE
