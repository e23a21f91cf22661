// Small sequence values (a column value rather than a genome): exact round
// trips at every size from one base up, containers that stay close to two
// bits per base plus a small fixed header, output bytes pinned so that
// per-call setup work can be changed without changing the format, and the
// adaptive probability map's starting state.
#include <cstdio>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "dna/dna.h"
#include "dna/mixing.h"

namespace neuroquantum::dna {
namespace {

class SmallValueTest : public ::testing::Test {
 protected:
  static std::string RandomBases(size_t size, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(size, 'A');
    for (auto& c : out) c = "ACGT"[rng() % 4];
    return out;
  }

  // Compresses `value` at `level`, expects the exact bytes back, and
  // returns the container size in bytes (0 on failure).
  static size_t RoundTripSize(const std::string& value, int level) {
    CompressOptions options;
    options.level = level;
    auto packed = Compress(value, options);
    EXPECT_TRUE(packed.ok()) << packed.status().ToString();
    if (!packed.ok()) return 0;
    auto restored = Decompress(*packed);
    EXPECT_TRUE(restored.ok()) << restored.status().ToString();
    if (restored.ok()) {
      EXPECT_TRUE(*restored == value) << "round trip changed the bytes";
    }
    return packed->size();
  }

  static std::string Hex(const std::string& bytes) {
    std::string out;
    for (unsigned char c : bytes) {
      char digits[3];
      std::snprintf(digits, sizeof(digits), "%02x", c);
      out += digits;
    }
    return out;
  }
};

TEST_F(SmallValueTest, EverySmallSizeRoundTripsExactly) {
  for (size_t bases = 0; bases <= 70; ++bases) {
    SCOPED_TRACE(bases);
    RoundTripSize(RandomBases(bases, bases), kDefaultLevel);
  }
}

TEST_F(SmallValueTest, ContainerStaysSmall) {
  for (const int level : {kMinLevel, kDefaultLevel, kMaxLevel}) {
    for (const size_t bases : {size_t{100}, size_t{1000}, size_t{10000}}) {
      SCOPED_TRACE(testing::Message() << "level " << level << ", " << bases << " bases");
      const size_t size_bytes = RoundTripSize(RandomBases(bases, 7 + bases), level);
      // Random bases cost two bits each; the model may lose a little while
      // it learns that, and header, descriptor and checksums add a few
      // dozen bytes.
      EXPECT_LE(size_bytes, bases / 4 + bases / 200 + 40);
    }
  }
  // A value that repeats itself is stored in fewer than two bits per base.
  std::string repeated;
  for (int i = 0; i < 10; ++i) repeated += "ACGTTGCAAGGCTTAACGTA";
  EXPECT_LT(RoundTripSize(repeated, kDefaultLevel), repeated.size() / 4);
}

TEST_F(SmallValueTest, SoftMaskedValueWithNRoundTripsExactly) {
  const std::string value = "acgtNNNNACGTRYacgtnnACGT\r\nACGT";
  for (int level = kMinLevel; level <= kMaxLevel; ++level) {
    SCOPED_TRACE(level);
    RoundTripSize(value, level);
  }
}

// Pins the container of a fixed 100-base value, so that changes to model
// setup (tables built once, allocation) are seen to keep the output bytes.
// A deliberate model change bumps the container version and this value.
TEST_F(SmallValueTest, OutputBytesArePinned) {
  const std::string value = RandomBases(100, 42);
  ASSERT_EQ(value,
            "GAGGCAAAGCTGAGCAGGCTTGCCCACAGATTGAATAGATTACCACGTCGATACTGCCTACACTTCCCGCCGCCAACA"
            "AAACTGTACGTTCTTTGTAAGC");
  auto packed = Compress(value, {});
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  EXPECT_EQ(Hex(*packed),
            "4e51444e020005016432353062cb649b01640202641a8398b48a5058d89e607e8c26e0da1eda0798"
            "cfcf93f7dd303aa7dda8bcb0");
}

TEST_F(SmallValueTest, ApmStartsAsTheIdentityMap) {
  Apm apm(4, 5);
  for (int p = 1; p < 4096; p += 7) {
    for (int context = 0; context < 4; ++context) {
      // Interpolation between 33 points of the squash curve: close to p.
      EXPECT_NEAR(apm.Refine(p, context), p, 40) << "p " << p << " context " << context;
    }
  }
}

}  // namespace
}  // namespace neuroquantum::dna
