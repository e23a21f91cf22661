// Quaternary codec: known values, SIMD against scalar, rejected input.
#include "dna/quaternary_codec.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <hwy/targets.h>

namespace neuroquantum::dna {
namespace {

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string bytes(size, '\0');
  for (auto& b : bytes) b = static_cast<char>(rng());
  return bytes;
}

TEST(QuaternaryCodecTest, KnownValues) {
  EXPECT_EQ(EncodeBytesAsBases("Hi"), "CAGACGGC");
  EXPECT_EQ(EncodeBytesAsBases(std::string("\x00\xff\x1b", 3)), "AAAATTTTACGT");
  auto bytes = DecodeBasesAsBytes("CAGACGGC");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, "Hi");
  EXPECT_EQ(EncodeBytesAsBases(""), "");
}

TEST(QuaternaryCodecTest, SimdMatchesScalarOnEverySize) {
  for (size_t size = 0; size < 300; ++size) {
    const std::string bytes = RandomBytes(size, size);
    std::string simd(size * 4, '\0');
    std::string scalar(size * 4, '\0');
    const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
    internal::EncodeBasesSimd(in, size, simd.data());
    internal::EncodeBasesScalar(in, size, scalar.data());
    ASSERT_EQ(simd, scalar) << "size " << size;
    std::string back_simd(size, '\0');
    std::string back_scalar(size, '\0');
    EXPECT_EQ(internal::DecodeBasesSimd(simd.data(), simd.size(),
                                        reinterpret_cast<uint8_t*>(back_simd.data())),
              size);
    EXPECT_EQ(internal::DecodeBasesScalar(simd.data(), simd.size(),
                                          reinterpret_cast<uint8_t*>(back_scalar.data())),
              size);
    EXPECT_EQ(back_simd, bytes);
    EXPECT_EQ(back_scalar, bytes);
  }
}

TEST(QuaternaryCodecTest, LargeRandomRoundTrip) {
  const std::string bytes = RandomBytes(1 << 20, 99);
  const std::string bases = EncodeBytesAsBases(bytes);
  ASSERT_EQ(bases.size(), bytes.size() * 4);
  EXPECT_EQ(bases.find_first_not_of("ACGT"), std::string::npos);
  auto back = DecodeBasesAsBytes(bases);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  EXPECT_FALSE(QuaternarySimdTarget().empty());
}

TEST(QuaternaryCodecTest, RejectsBadLettersWithOffset) {
  std::string bases = EncodeBytesAsBases(RandomBytes(100, 5));
  for (size_t offset : {size_t{0}, size_t{17}, size_t{63}, size_t{64}, size_t{399}}) {
    for (char bad : {'N', 'a', '\0', '\xff', 'U', 'c', 't', 'g'}) {
      std::string copy = bases;
      copy[offset] = bad;
      auto result = DecodeBasesAsBytes(copy);
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(result.status().message().find("offset " + std::to_string(offset)),
                std::string::npos)
          << result.status().ToString();
      // The kernels stop at the group holding the bad letter.
      std::string out(copy.size() / 4, '\0');
      EXPECT_EQ(internal::DecodeBasesSimd(copy.data(), copy.size(),
                                          reinterpret_cast<uint8_t*>(out.data())),
                offset / 4);
    }
  }
  EXPECT_EQ(DecodeBasesAsBytes("ACG").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace neuroquantum::dna

namespace neuroquantum::dna {
namespace {

// Every SIMD target compiled in and supported by this CPU (e.g. SSE4,
// AVX2, AVX-512, and the emulated 128-bit and scalar fallbacks) produces
// the scalar reference's output.
TEST(QuaternaryCodecTest, EveryDispatchTargetMatchesScalar) {
  const std::string bytes = RandomBytes(4099, 77);
  std::string reference(bytes.size() * 4, '\0');
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  internal::EncodeBasesScalar(in, bytes.size(), reference.data());
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    EXPECT_EQ(QuaternarySimdTarget(), hwy::TargetName(target));
    std::string bases(bytes.size() * 4, '\0');
    internal::EncodeBasesSimd(in, bytes.size(), bases.data());
    EXPECT_EQ(bases, reference);
    std::string back(bytes.size(), '\0');
    EXPECT_EQ(internal::DecodeBasesSimd(bases.data(), bases.size(),
                                        reinterpret_cast<uint8_t*>(back.data())),
              bytes.size());
    EXPECT_EQ(back, bytes);
    bases[1000] = 'N';
    EXPECT_EQ(internal::DecodeBasesSimd(bases.data(), bases.size(),
                                        reinterpret_cast<uint8_t*>(back.data())),
              250u);
  }
  hwy::SetSupportedTargetsForTest(0);  // back to the CPU's real targets
}

}  // namespace
}  // namespace neuroquantum::dna
