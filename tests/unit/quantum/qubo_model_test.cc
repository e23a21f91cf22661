// QUBO and Ising models: sparse/dense agreement, flip deltas, conversions.
#include "quantum/qubo_model.h"

#include <gtest/gtest.h>

#include <random>

#include "quantum/internal/flip_state.h"
#include "quantum/internal/min_tree.h"
#include "quantum/ising_model.h"
#include "quantum_test_util.h"

namespace neuroquantum::quantum {
namespace {

using testing::BitsOf;
using testing::RandomQubo;

TEST(CouplingsTest, MergesDuplicatesDropsZerosAndSortsRows) {
  std::vector<PairTerm> terms = {{2, 0, 1.5}, {0, 2, 0.5}, {1, 3, 4}, {3, 1, -4}, {3, 0, -1}};
  auto couplings = Couplings::Build(4, terms);
  ASSERT_TRUE(couplings.ok());
  EXPECT_EQ(couplings->num_pairs(), 2u);  // (0,2) = 2, (0,3) = -1; (1,3) cancels
  auto row = couplings->neighbors(0);
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0], 2u);
  EXPECT_EQ(row[1], 3u);
  EXPECT_EQ(couplings->weights(0)[0], 2.0);
  EXPECT_EQ(couplings->weights(3)[0], -1.0);
  EXPECT_EQ(couplings->degree(1), 0u);
  auto pairs = couplings->Pairs();
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].i, 0u);
  EXPECT_EQ(pairs[0].j, 2u);
}

TEST(CouplingsTest, RejectsBadTerms) {
  std::vector<PairTerm> out_of_range = {{0, 4, 1}};
  EXPECT_FALSE(Couplings::Build(4, out_of_range).ok());
  std::vector<PairTerm> diagonal = {{1, 1, 1}};
  EXPECT_FALSE(Couplings::Build(4, diagonal).ok());
  std::vector<PairTerm> nan = {{0, 1, std::nan("")}};
  EXPECT_FALSE(Couplings::Build(4, nan).ok());
}

TEST(QuboModelTest, BuilderTreatsSquaresAsLinearAndChecksIndices) {
  QuboBuilder builder(3);
  builder.AddQuadratic(1, 1, 2.0);  // x1^2 = x1
  builder.AddQuadratic(0, 2, -3.0);
  builder.AddConstant(5);
  auto model = builder.Build();
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->linear(1), 2.0);
  EXPECT_EQ(model->Energy(std::vector<uint8_t>{1, 1, 1}), 5 + 2 - 3);
  QuboBuilder bad(2);
  bad.AddLinear(2, 1.0);
  EXPECT_FALSE(bad.Build().ok());
}

TEST(QuboModelTest, SparseAndDenseAgree) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    QuboModel model = RandomQubo(10, 0.4, 9, seed, seed % 2 == 0);
    DenseQubo dense = DenseQubo::FromSparse(model);
    auto back = dense.ToSparse();
    ASSERT_TRUE(back.ok());
    for (uint64_t mask = 0; mask < 1024; ++mask) {
      const auto x = BitsOf(mask, 10);
      EXPECT_NEAR(model.Energy(x), dense.Energy(x), 1e-9);
      EXPECT_NEAR(model.Energy(x), back->Energy(x), 1e-9);
    }
  }
}

TEST(QuboModelTest, FlipDeltaIsTheEnergyDifference) {
  QuboModel model = RandomQubo(12, 0.5, 20, 3, true);
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 50; ++trial) {
    auto x = BitsOf(rng(), 12);
    const VarIndex i = rng() % 12;
    auto y = x;
    y[i] ^= 1;
    EXPECT_NEAR(model.FlipDelta(x, i), model.Energy(y) - model.Energy(x), 1e-9);
  }
}

TEST(QuboModelTest, IsingConversionPreservesEveryEnergy) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    QuboModel qubo = RandomQubo(9, 0.5, 7, seed, seed % 2 == 1);
    IsingModel ising = QuboToIsing(qubo);
    QuboModel again = IsingToQubo(ising);
    DenseIsing dense = DenseIsing::FromSparse(ising);
    for (uint64_t mask = 0; mask < 512; ++mask) {
      const auto x = BitsOf(mask, 9);
      const auto s = SpinsFromBits(x);
      EXPECT_EQ(BitsFromSpins(s), x);
      EXPECT_NEAR(ising.Energy(s), qubo.Energy(x), 1e-9);
      EXPECT_NEAR(dense.Energy(s), qubo.Energy(x), 1e-9);
      EXPECT_NEAR(again.Energy(x), qubo.Energy(x), 1e-9);
    }
  }
}

TEST(QuboModelTest, IntegerDetectionAndWeightSum) {
  QuboModel integral = RandomQubo(8, 0.5, 5, 1);
  EXPECT_TRUE(integral.HasIntegerCoefficients());
  EXPECT_FALSE(RandomQubo(8, 0.5, 5, 1, true).HasIntegerCoefficients());
  // No two energies differ by more than the weight sum.
  double lo = INFINITY, hi = -INFINITY;
  for (uint64_t mask = 0; mask < 256; ++mask) {
    lo = std::min(lo, integral.Energy(BitsOf(mask, 8)));
    hi = std::max(hi, integral.Energy(BitsOf(mask, 8)));
  }
  EXPECT_LE(hi - lo, integral.AbsoluteWeightSum());
}

// FlipState keeps energy and every delta exact under long random walks, in
// the integer and the floating-point view.
template <typename T>
void CheckFlipState(const QuboModel& model) {
  internal::ModelView<T> view(model);
  internal::FlipState<T> state(view);
  internal::Rng rng(5);
  state.Randomize(&rng);
  for (int step = 0; step < 2000; ++step) {
    state.Flip(rng.Below(model.num_variables()));
    if (step % 97 == 0) {
      std::vector<uint8_t> x(state.bits().begin(), state.bits().end());
      ASSERT_NEAR(double(state.energy()), model.Energy(x), 1e-6);
      for (VarIndex i = 0; i < model.num_variables(); ++i) {
        ASSERT_NEAR(double(state.delta(i)), model.FlipDelta(x, i), 1e-6);
      }
    }
  }
}

TEST(FlipStateTest, IncrementalDeltasStayExact) {
  QuboModel integral = RandomQubo(40, 0.2, 50, 9);
  ASSERT_TRUE(internal::FitsInt32(integral));
  CheckFlipState<int32_t>(integral);
  CheckFlipState<double>(integral);
  CheckFlipState<double>(RandomQubo(40, 0.2, 50, 9, true));
}

TEST(MinTreeTest, TracksTheMinimumUnderUpdates) {
  internal::MinTree<int32_t> tree(37);
  std::vector<int32_t> values(37, internal::MinTree<int32_t>::kNone);
  std::mt19937 rng(3);
  for (int step = 0; step < 3000; ++step) {
    const VarIndex i = rng() % 37;
    values[i] = static_cast<int32_t>(rng() % 50) - 25;
    tree.Set(i, values[i], rng());
    EXPECT_EQ(tree.MinValue(), *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(values[tree.Min()], tree.MinValue());
  }
}

}  // namespace
}  // namespace neuroquantum::quantum
