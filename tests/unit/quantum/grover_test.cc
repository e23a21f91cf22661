// Grover simulation: the two-amplitude model against the gate-level dense
// simulator, the closed form, the textbook optimum, sampling and search.
#include "quantum/grover.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "quantum/dense_state_simulator.h"

namespace neuroquantum::quantum {
namespace {

TEST(GroverTest, TwoAmplitudesMatchDenseSimulatorForSmallN) {
  std::mt19937_64 rng(7);
  for (uint32_t qubits = 1; qubits <= 9; ++qubits) {
    const uint64_t n = uint64_t{1} << qubits;
    for (uint64_t m : {uint64_t{0}, uint64_t{1}, uint64_t{2}, n / 3, n / 2, n - 1, n}) {
      // Marked items at random positions: the dense simulator tracks each.
      std::vector<uint64_t> all(n);
      for (uint64_t i = 0; i < n; ++i) all[i] = i;
      std::shuffle(all.begin(), all.end(), rng);
      std::vector<uint64_t> marked(all.begin(), all.begin() + m);
      auto dense = DenseGroverSimulator::Create(qubits, marked);
      ASSERT_TRUE(dense.ok());
      dense->Prepare();
      GroverState state(n, m);
      const uint64_t steps = 2 * OptimalGroverIterations(n, m) + 3;
      for (uint64_t k = 0; k <= steps; ++k) {
        SCOPED_TRACE("qubits " + std::to_string(qubits) + " M " + std::to_string(m) + " k " +
                     std::to_string(k));
        EXPECT_NEAR(dense->MarkedProbability(), state.SuccessProbability(), 1e-12);
        // Every amplitude, not just the total.
        for (uint64_t i = 0; i < n; ++i) {
          const bool is_marked = std::find(marked.begin(), marked.end(), i) != marked.end();
          EXPECT_NEAR(dense->amplitude(i),
                      is_marked ? state.marked_amplitude() : state.unmarked_amplitude(), 1e-12);
        }
        EXPECT_NEAR(dense->Norm(), 1.0, 1e-12);
        dense->Iterate();
        state.Iterate();
      }
    }
  }
}

TEST(GroverTest, HadamardTwiceIsIdentity) {
  auto dense = DenseGroverSimulator::Create(5, {3});
  ASSERT_TRUE(dense.ok());
  dense->ApplyHadamardAll();
  for (uint64_t i = 0; i < dense->size(); ++i) EXPECT_NEAR(dense->amplitude(i), 1.0 / std::sqrt(32.0), 1e-15);
  dense->ApplyHadamardAll();
  EXPECT_NEAR(dense->amplitude(0), 1.0, 1e-15);
  for (uint64_t i = 1; i < dense->size(); ++i) EXPECT_NEAR(dense->amplitude(i), 0.0, 1e-15);
}

TEST(GroverTest, MatchesClosedFormAndStaysNormalised) {
  for (uint64_t n : {uint64_t{5}, uint64_t{1000}, uint64_t{123457}, uint64_t{1} << 40}) {
    for (uint64_t m : {uint64_t{1}, uint64_t{3}, n / 7 + 1}) {
      GroverState state(n, m);
      for (uint64_t k = 0; k < 300; ++k) {
        EXPECT_NEAR(state.SuccessProbability(), GroverSuccessProbability(n, m, k), 1e-9);
        EXPECT_NEAR(state.Norm(), 1.0, 1e-9);
        state.Iterate();
      }
    }
  }
}

TEST(GroverTest, SuccessPeaksAtTextbookIterationCount) {
  for (uint64_t n : {uint64_t{4}, uint64_t{16}, uint64_t{100}, uint64_t{1024}, uint64_t{99991},
                     uint64_t{1} << 20}) {
    for (uint64_t m : {uint64_t{1}, uint64_t{2}, uint64_t{5}, n / 4}) {
      if (m == 0 || m >= n) continue;
      auto report = SimulateGrover(n, m, {.iterations = 2 * OptimalGroverIterations(n, m) + 1});
      ASSERT_TRUE(report.ok());
      const auto& p = report->success_by_iteration;
      const uint64_t peak = std::max_element(p.begin(), p.end()) - p.begin();
      const uint64_t textbook = static_cast<uint64_t>(
          std::floor(std::numbers::pi / (4 * std::asin(std::sqrt(double(m) / double(n))))));
      SCOPED_TRACE("N " + std::to_string(n) + " M " + std::to_string(m));
      // The peak is at the textbook count (M = N/2 ties k = 0 and k = 1).
      EXPECT_NEAR(p[textbook], p[peak], 1e-12);
      if (2 * m != n) {
        EXPECT_EQ(peak, textbook);
      }
      EXPECT_EQ(report->optimal_iterations, textbook);
      EXPECT_LT(report->max_closed_form_deviation, 1e-9);
    }
  }
  // One marked item among 2^20: about pi/4 * 2^10 iterations, near-certain.
  auto report = SimulateGrover(uint64_t{1} << 20, 1);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->optimal_iterations, 804u);
  EXPECT_GT(report->final_success_probability, 0.999);
}

TEST(GroverTest, EdgeCases) {
  EXPECT_FALSE(SimulateGrover(0, 0).ok());
  EXPECT_FALSE(SimulateGrover(5, 6).ok());
  auto none = SimulateGrover(8, 0, {.iterations = 3});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->optimal_iterations, 0u);
  for (double p : none->success_by_iteration) EXPECT_EQ(p, 0.0);
  auto all = SimulateGrover(8, 8);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->optimal_iterations, 0u);
  EXPECT_DOUBLE_EQ(all->final_success_probability, 1.0);
  // M = N/4: one iteration finds a marked item with certainty.
  auto quarter = SimulateGrover(4, 1);
  ASSERT_TRUE(quarter.ok());
  EXPECT_EQ(quarter->optimal_iterations, 1u);
  EXPECT_NEAR(quarter->final_success_probability, 1.0, 1e-15);
}

TEST(GroverTest, SamplesAreSeededAndFollowTheProbability) {
  GroverOptions options{.iterations = 3, .samples = 20000, .seed = 42};
  auto a = SimulateGrover(1000, 10, options);
  auto b = SimulateGrover(1000, 10, options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->samples, b->samples);
  const double fraction = double(a->marked_samples) / double(a->samples.size());
  EXPECT_NEAR(fraction, a->final_success_probability, 0.02);
  options.seed = 43;
  auto c = SimulateGrover(1000, 10, options);
  EXPECT_NE(a->samples, c->samples);
}

TEST(GroverTest, SearchFindsExactlyThePredicateItems) {
  auto is_marked = [](uint64_t i) { return i % 97 == 5; };
  auto result = GroverSearch(10000, is_marked, {.samples = 2000, .seed = 3});
  ASSERT_TRUE(result.ok());
  std::vector<uint64_t> expected;
  for (uint64_t i = 0; i < 10000; ++i) {
    if (is_marked(i)) expected.push_back(i);
  }
  EXPECT_EQ(result->marked, expected);
  EXPECT_EQ(result->report.num_marked, expected.size());
  uint64_t marked_samples = 0;
  for (uint64_t sample : result->report.samples) {
    ASSERT_LT(sample, 10000u);
    marked_samples += is_marked(sample);
  }
  // Samples are item indices: their class agrees with the simulation's.
  EXPECT_EQ(marked_samples, result->report.marked_samples);
}

TEST(GroverTest, SearchStopsWhenCancelled) {
  std::stop_source stop;
  stop.request_stop();
  auto result = GroverSearch(1 << 20, [](uint64_t) { return false; }, {.stop_token = stop.get_token()});
  EXPECT_EQ(result.status().code(), StatusCode::kAborted);
}

}  // namespace
}  // namespace neuroquantum::quantum
