// The mixing building blocks of the nucleotide model: the 16-bit mixer's
// vector training step against its scalar reference, weight saturation,
// and the 16-bit counters' range.
#include "dna/mixing.h"

#include <array>
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

namespace neuroquantum::dna {
namespace {

class MixingTest : public ::testing::Test {
 protected:
  std::mt19937 rng_{20261128};

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
};

TEST_F(MixingTest, Mixer8TrainMatchesScalarReference) {
  for (int trial = 0; trial < 100000; ++trial) {
    alignas(16) std::array<int16_t, Mixer8::kLanes> x{};
    alignas(16) std::array<int16_t, Mixer8::kLanes> w{};
    for (int i = 0; i < Mixer8::kLanes; ++i) {
      x[i] = static_cast<int16_t>(Uniform(-2047, 2047));
      // Extremes often, to exercise saturation.
      w[i] = static_cast<int16_t>(trial % 4 == 0 ? (Uniform(0, 1) != 0 ? 32767 : -32768)
                                                 : Uniform(-32768, 32767));
    }
    const int err2 = Uniform(-32767, 32767);
    auto expected = w;
    Mixer8::TrainScalar(x.data(), expected.data(), err2);
    Mixer8::Train(x.data(), w.data(), err2);
    ASSERT_EQ(w, expected) << "trial " << trial << " err2 " << err2;
  }
}

TEST_F(MixingTest, Mixer8WeightsSaturate) {
  alignas(16) std::array<int16_t, Mixer8::kLanes> x{};
  alignas(16) std::array<int16_t, Mixer8::kLanes> w{};
  x.fill(2047);
  w.fill(32760);
  Mixer8::Train(x.data(), w.data(), 32000);
  for (int16_t v : w) EXPECT_EQ(v, 32767);
  w.fill(-32760);
  Mixer8::Train(x.data(), w.data(), -32000);
  for (int16_t v : w) EXPECT_EQ(v, -32768);
}

TEST_F(MixingTest, Mixer8LearnsAConstantBit) {
  Mixer8 mixer(1, 3, 750);
  int p = 0;
  for (int step = 0; step < 2000; ++step) {
    mixer.Set(0, 400);  // an input that leans towards 1
    mixer.Set(1, 256);  // bias
    p = mixer.Mix(0);
    mixer.Update(1);
  }
  EXPECT_GT(p, 3900);
}

TEST_F(MixingTest, Counter16StaysInRange) {
  uint16_t counter = Counter16::kInit;
  for (int step = 0; step < 100000; ++step) {
    Counter16::Update(&counter, Uniform(0, 9) == 0 ? 1 : 0, 15);
    ASSERT_GE(Counter16::P12(counter), 0);
    ASSERT_LE(Counter16::P12(counter), 4095);
  }
  for (int step = 0; step < 1000; ++step) Counter16::Update(&counter, 1, 15);
  EXPECT_GT(Counter16::P12(counter), 4000);
  for (int step = 0; step < 1000; ++step) Counter16::Update(&counter, 0, 15);
  EXPECT_LT(Counter16::P12(counter), 100);
}

}  // namespace
}  // namespace neuroquantum::dna
