// Solvers: exact optima on brute-forced instances, recomputed energies,
// reproducible seeds, thread-count independence, limits, cancellation,
// progress, and the public bqp50 optima.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "quantum/exact_solver.h"
#include "quantum/parallel_tempering.h"
#include "quantum/portfolio.h"
#include "quantum/simulated_annealing.h"
#include "quantum/simulated_quantum_annealing.h"
#include "quantum/tabu_search.h"
#include "quantum_test_util.h"
#include "support/test_data.h"

namespace neuroquantum::quantum {
namespace {

using testing::BruteForceMinimum;
using testing::RandomGraph;
using testing::RandomQubo;

// Small budgets that still solve n <= 20 exactly.
std::unique_ptr<Solver> BudgetedSolver(SolverKind kind) {
  switch (kind) {
    case SolverKind::kSimulatedAnnealing:
      return std::make_unique<SimulatedAnnealing>(AnnealingParams{.runs = 8, .base_sweeps = 200});
    case SolverKind::kParallelTempering:
      return std::make_unique<ParallelTempering>(TemperingParams{.replicas = 8, .max_rounds = 600});
    case SolverKind::kSimulatedQuantumAnnealing:
      return std::make_unique<SimulatedQuantumAnnealing>(
          QuantumAnnealingParams{.slices = 8, .runs = 6, .base_sweeps = 100});
    case SolverKind::kTabu:
      return std::make_unique<TabuSearch>(TabuParams{.runs = 2, .iterations_per_run = 4000});
    case SolverKind::kExact: return std::make_unique<ExactSolver>();
    case SolverKind::kPortfolio:
      return std::make_unique<Portfolio>(PortfolioParams{.exact_up_to = 0});
  }
  return nullptr;
}

struct Case {
  std::string name;
  QuboModel model;
  double optimum;  // by brute force
};

// Built once: the brute-force minima dominate the cost otherwise.
const std::vector<Case>& SmallCases() {
  static const std::vector<Case>* cases = [] {
    auto* out = new std::vector<Case>;
    auto add = [out](std::string name, QuboModel model) {
      const double optimum = BruteForceMinimum(model);
      out->push_back({std::move(name), std::move(model), optimum});
    };
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      add("qubo-int-" + std::to_string(seed), RandomQubo(12 + 3 * seed, 0.4, 10, seed));
      add("qubo-real-" + std::to_string(seed), RandomQubo(14, 0.5, 5, 10 + seed, true));
      add("maxcut-signed-" + std::to_string(seed),
          MaxCutToQubo(RandomGraph(16 + seed, 0.3, true, seed)).value());
    }
    add("maxcut-torus", MaxCutToQubo(testing::TorusGraph(4, 5, 2)).value());
    return out;
  }();
  return *cases;
}

class SolverKindTest : public ::testing::TestWithParam<SolverKind> {};

TEST_P(SolverKindTest, FindsBruteForceOptimaAndRecomputesEnergy) {
  auto solver = BudgetedSolver(GetParam());
  for (const Case& c : SmallCases()) {
    SCOPED_TRACE(c.name);
    const double optimum = c.optimum;
    SolveOptions options;
    options.seed = 11;
    options.threads = 2;
    if (GetParam() == SolverKind::kPortfolio) options.time_limit_s = 0.3;
    if (GetParam() == SolverKind::kPortfolio) options.target_energy = optimum;
    auto result = solver->Solve(c.model, options);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->assignment.size(), c.model.num_variables());
    EXPECT_EQ(result->energy, c.model.Energy(result->assignment));
    EXPECT_NEAR(result->energy, optimum, 1e-9);
    EXPECT_LE(result->time_to_best_s, result->elapsed_s + 1e-9);
    EXPECT_GT(result->iterations, 0u);
  }
}

TEST_P(SolverKindTest, SameSeedSameAnswerDifferentSeedsRun) {
  if (GetParam() == SolverKind::kPortfolio) GTEST_SKIP() << "time-limited: not reproducible";
  auto solver = BudgetedSolver(GetParam());
  const size_t n = GetParam() == SolverKind::kExact ? 20 : 60;
  QuboModel model = MaxCutToQubo(RandomGraph(n, 0.1, true, 5)).value();
  SolveOptions options;
  options.seed = 3;
  auto a = solver->Solve(model, options);
  auto b = solver->Solve(model, options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->assignment, b->assignment);
  EXPECT_EQ(a->energy, b->energy);
  EXPECT_EQ(a->iterations, b->iterations);
  // Runs, replicas and chunks are seeded per index, so the thread count
  // does not change the answer.
  options.threads = 3;
  auto c = solver->Solve(model, options);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(a->assignment, c->assignment);
}

TEST_P(SolverKindTest, RejectsBadOptions) {
  auto solver = MakeSolver(GetParam());
  QuboModel model = RandomQubo(30, 0.2, 3, 1);  // above the portfolio's exact size
  SolveOptions options;
  options.time_limit_s = 1;
  options.threads = 0;
  EXPECT_FALSE(solver->Solve(model, options).ok());
  options.threads = 1;
  options.initial = {1, 0};
  EXPECT_FALSE(solver->Solve(model, options).ok());
  if (GetParam() != SolverKind::kExact) {
    // No time limit, no budget, no target, no stop token: would never end.
    EXPECT_FALSE(solver->Solve(model, SolveOptions{}).ok());
  }
}

TEST_P(SolverKindTest, EmptyModel) {
  SolveOptions options;
  options.time_limit_s = 1;
  auto result = MakeSolver(GetParam())->Solve(QuboModel(), options);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->assignment.empty());
  EXPECT_EQ(result->energy, 0);
}

INSTANTIATE_TEST_SUITE_P(All, SolverKindTest,
                         ::testing::Values(SolverKind::kSimulatedAnnealing,
                                           SolverKind::kParallelTempering,
                                           SolverKind::kSimulatedQuantumAnnealing,
                                           SolverKind::kTabu, SolverKind::kExact,
                                           SolverKind::kPortfolio),
                         [](const auto& param_info) { return std::string(SolverKindName(param_info.param)); });

// A model big enough that no solver finishes early.
QuboModel LargeModel() { return MaxCutToQubo(RandomGraph(3000, 0.003, true, 9)).value(); }

class TimedSolverTest : public ::testing::TestWithParam<SolverKind> {};

TEST_P(TimedSolverTest, RespectsTheTimeLimit) {
  QuboModel model = LargeModel();
  SolveOptions options;
  options.time_limit_s = 0.3;
  options.threads = 2;
  const auto start = std::chrono::steady_clock::now();
  auto result = MakeSolver(GetParam())->Solve(model, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stop_reason, StopReason::kTimeLimit);
  EXPECT_GE(result->elapsed_s, 0.3);
  // Overshoot: the last stop check plus the final polish (slower under
  // sanitizers).
  EXPECT_LT(seconds, 1.5);
  EXPECT_EQ(result->energy, model.Energy(result->assignment));
}

TEST_P(TimedSolverTest, StopsWhenCancelledFromAnotherThread) {
  QuboModel model = LargeModel();
  std::stop_source stop;
  SolveOptions options;
  options.stop_token = stop.get_token();
  options.threads = 2;
  std::thread canceller([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  auto result = MakeSolver(GetParam())->Solve(model, options);
  canceller.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stop_reason, StopReason::kCancelled);
  EXPECT_LT(seconds, 1.5);
  EXPECT_FALSE(result->assignment.empty());
}

TEST_P(TimedSolverTest, StopsAtTheTargetAndReportsProgress) {
  QuboModel model = LargeModel();
  // A target any solver reaches soon, even under sanitizers: a quarter of a
  // quick tabu result.
  SolveOptions quick;
  quick.time_limit_s = 0.05;
  auto reference = TabuSearch().Solve(model, quick);
  ASSERT_TRUE(reference.ok());
  SolveOptions options;
  options.time_limit_s = 60;
  options.threads = 2;
  options.target_energy = reference->energy / 4;  // energies are negative cuts
  options.progress_interval_s = 0;
  int calls = 0;
  double last = INFINITY;
  bool monotone = true;
  options.progress = [&](const SolveProgress& p) {
    ++calls;
    monotone = monotone && p.best_energy <= last;
    last = p.best_energy;
  };
  auto result = MakeSolver(GetParam())->Solve(model, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stop_reason, StopReason::kTarget);
  EXPECT_LE(result->energy, *options.target_energy);
  EXPECT_GT(calls, 0);
  EXPECT_TRUE(monotone);
}

INSTANTIATE_TEST_SUITE_P(All, TimedSolverTest,
                         ::testing::Values(SolverKind::kSimulatedAnnealing,
                                           SolverKind::kParallelTempering,
                                           SolverKind::kSimulatedQuantumAnnealing,
                                           SolverKind::kTabu, SolverKind::kPortfolio),
                         [](const auto& param_info) { return std::string(SolverKindName(param_info.param)); });

TEST(TabuSearchTest, ScanAndTreeSelectionBothSolve) {
  for (TabuSelection selection : {TabuSelection::kScan, TabuSelection::kTrees}) {
    TabuSearch tabu(TabuParams{.runs = 2, .iterations_per_run = 3000, .selection = selection});
    for (const Case& c : SmallCases()) {
      auto result = tabu.Solve(c.model, {});
      ASSERT_TRUE(result.ok());
      EXPECT_NEAR(result->energy, c.optimum, 1e-9) << c.name;
    }
  }
}

TEST(TabuSearchTest, WarmStartIsNeverWorsened) {
  QuboModel model = RandomQubo(200, 0.05, 10, 4);
  auto first = TabuSearch(TabuParams{.runs = 1, .iterations_per_run = 20000}).Solve(model, {});
  ASSERT_TRUE(first.ok());
  SolveOptions options;
  options.initial = first->assignment;
  auto second = TabuSearch(TabuParams{.runs = 1, .iterations_per_run = 10}).Solve(model, options);
  ASSERT_TRUE(second.ok());
  EXPECT_LE(second->energy, first->energy);
}

TEST(ExactSolverTest, ProvesOptimalityAndSplitsWork) {
  QuboModel model = RandomQubo(20, 0.3, 9, 8);
  SolveOptions options;
  options.threads = 3;
  auto result = ExactSolver().Solve(model, options);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->proven_optimal);
  EXPECT_EQ(result->stop_reason, StopReason::kExhausted);
  EXPECT_EQ(result->iterations, uint64_t{1} << 20);
  EXPECT_EQ(result->energy, BruteForceMinimum(model));
  EXPECT_FALSE(ExactSolver(ExactParams{.max_variables = 10}).Solve(model, options).ok());
}

TEST(PortfolioTest, AutomaticMembers) {
  EXPECT_EQ(AutomaticPortfolio(20, 2).front().kind, SolverKind::kExact);
  auto two = AutomaticPortfolio(1000, 2);
  ASSERT_EQ(two.size(), 3u);
  EXPECT_EQ(two[0].kind, SolverKind::kTabu);
  EXPECT_EQ(two[1].kind, SolverKind::kSimulatedAnnealing);
  EXPECT_EQ(two[2].kind, SolverKind::kSimulatedQuantumAnnealing);
  EXPECT_EQ(AutomaticPortfolio(1000, 4).size(), 4u);
  auto six = AutomaticPortfolio(1000, 6);
  int threads = 0;
  for (const auto& member : six) threads += member.threads;
  EXPECT_EQ(threads, 6);
  EXPECT_FALSE(Portfolio(PortfolioParams{.members = {{SolverKind::kPortfolio, 1}}})
                   .Solve(RandomQubo(30, 0.2, 3, 1), {.time_limit_s = 0.1})
                   .ok());
}

TEST(PortfolioTest, ExactForSmallModels) {
  QuboModel model = RandomQubo(18, 0.3, 9, 2);
  auto result = Portfolio().Solve(model, {.time_limit_s = 10, .threads = 2});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->proven_optimal);
  EXPECT_EQ(result->solver, "portfolio[exact]");
  EXPECT_EQ(result->energy, BruteForceMinimum(model));
}

// The ten OR-Library bqp50 instances reach their known optima (proven
// optimal by Beasley) within a short time limit.
TEST(PublicInstanceTest, Bqp50ReachesKnownOptima) {
  NQ_REQUIRE_TEST_DATA(dir, "qubo");
  const auto best_known = testing::ReadBestKnown((dir / "best_known.csv").string());
  for (size_t k = 1; k <= 10; ++k) {
    auto instance = LoadInstance(Env::Default(), (dir / "bqp" / "bqp50.txt").string(),
                                 InstanceFormat::kBqp, k);
    ASSERT_TRUE(instance.ok());
    const double known = best_known.at(instance->name);
    SolveOptions options;
    options.time_limit_s = 5;
    options.target_energy = -known;
    auto result = TabuSearch().Solve(instance->model, options);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(instance->Value(result->energy), known) << instance->name;
    EXPECT_EQ(result->stop_reason, StopReason::kTarget) << instance->name;
  }
}

}  // namespace
}  // namespace neuroquantum::quantum
