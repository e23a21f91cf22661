// The multithreaded paths, small enough to run under ThreadSanitizer in
// `make test` (the runner selects tests named *Concurrent*): tempering's
// barrier, runs sharing one SolveControl, the portfolio's forwarding of
// member improvements, and concurrent Solve calls on one solver object.
#include <gtest/gtest.h>

#include <thread>

#include "quantum/parallel_tempering.h"
#include "quantum/portfolio.h"
#include "quantum/simulated_annealing.h"
#include "quantum/simulated_quantum_annealing.h"
#include "quantum/tabu_search.h"
#include "quantum_test_util.h"

namespace neuroquantum::quantum {
namespace {

QuboModel Model() { return MaxCutToQubo(testing::RandomGraph(400, 0.02, true, 3)).value(); }

TEST(QuantumConcurrentTest, TemperingReplicasOnThreadsMatchOneThread) {
  QuboModel model = Model();
  // Enough work per round that the replicas really go to the threads.
  ParallelTempering pt(TemperingParams{.replicas = 64, .max_rounds = 20});
  SolveOptions one;
  auto a = pt.Solve(model, one);
  SolveOptions three;
  three.threads = 3;
  auto b = pt.Solve(model, three);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->assignment, b->assignment);
}

TEST(QuantumConcurrentTest, RunsShareTheControlAndProgress) {
  QuboModel model = Model();
  SolveOptions options;
  options.threads = 3;
  options.progress_interval_s = 0;
  int calls = 0;  // the callback is never called concurrently with itself
  options.progress = [&calls](const SolveProgress&) { ++calls; };
  auto tabu = TabuSearch(TabuParams{.runs = 6, .iterations_per_run = 3000}).Solve(model, options);
  auto sa = SimulatedAnnealing(AnnealingParams{.runs = 6, .base_sweeps = 20}).Solve(model, options);
  auto sqa = SimulatedQuantumAnnealing(
                 QuantumAnnealingParams{.slices = 4, .runs = 4, .base_sweeps = 10})
                 .Solve(model, options);
  ASSERT_TRUE(tabu.ok() && sa.ok() && sqa.ok());
  EXPECT_GT(calls, 3);
}

TEST(QuantumConcurrentTest, PortfolioForwardsMembersAndStopsThemAll) {
  QuboModel model = Model();
  SolveOptions options;
  options.threads = 4;  // tabu, annealing, tempering, SQA
  options.time_limit_s = 0.5;
  auto result = Portfolio().Solve(model, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->energy, model.Energy(result->assignment));
  EXPECT_EQ(result->stop_reason, StopReason::kTimeLimit);
}

TEST(QuantumConcurrentTest, OneSolverObjectManyCallers) {
  QuboModel model = Model();
  const TabuSearch tabu(TabuParams{.runs = 2, .iterations_per_run = 2000});
  std::vector<double> energies(3);
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&, t] {
      SolveOptions options;
      options.threads = 2;
      energies[t] = tabu.Solve(model, options)->energy;
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(energies[0], energies[1]);  // no shared state: same seed, same answer
  EXPECT_EQ(energies[1], energies[2]);
}

}  // namespace
}  // namespace neuroquantum::quantum
