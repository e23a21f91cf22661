// The common interface of the QUBO solvers: what a caller passes (seed,
// limits, threads, cancellation, progress) and what comes back.
//
// Every solver minimises QuboModel::Energy. Each one
//  - is deterministic for a seed when it stops on its own budget (iterations,
//    sweeps, runs): same seed, same parameters and same thread count give the
//    same assignment. Solvers whose work is split into independent runs
//    (simulated annealing, SQA, tabu) give the same answer for any thread
//    count once the number of runs is fixed in their parameters. A stop
//    caused by the clock, a target or cancellation ends the search at a
//    time-dependent point, so its result can differ between calls;
//  - honours a wall-clock limit (checked every few thousand elementary
//    steps: overshoot is milliseconds), a std::stop_token for cancellation
//    from another thread, and an optional target energy;
//  - reports progress through a callback;
//  - keeps no global state: concurrent Solve calls on different (or the
//    same) models are independent.
//
// Thread safety: a Solve call uses options.threads worker threads of its own
// and returns after joining them. The model must not change during the call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "neuroquantum/result.h"
#include "quantum/qubo_model.h"

namespace neuroquantum::quantum {

enum class StopReason {
  kBudget,      // the solver's own budget (iterations, sweeps, runs) ran out
  kTimeLimit,   // options.time_limit_s elapsed
  kCancelled,   // options.stop_token was triggered
  kTarget,      // an assignment with energy <= options.target_energy was found
  kExhausted,   // the search space was enumerated completely (exact solver)
};
std::string_view StopReasonName(StopReason reason);

// A snapshot passed to the progress callback.
struct SolveProgress {
  std::string_view solver;
  double elapsed_s = 0;
  double best_energy = 0;   // +infinity until a first assignment exists
  double time_to_best_s = 0;
  uint64_t iterations = 0;  // work done so far, in the solver's unit (see SolveResult)
  bool improved = false;    // true when this call announces a new best
  // The best assignment so far (empty before the first); valid only during
  // the callback.
  std::span<const uint8_t> best_assignment;
};
// Invoked from the solver's threads, never concurrently with itself; must
// be quick and must not call back into the solver.
using ProgressCallback = std::function<void(const SolveProgress&)>;

struct SolveOptions {
  uint64_t seed = 1;
  // Wall-clock limit in seconds; <= 0 means none (then the solver's budget,
  // a target or the stop token must end the search).
  double time_limit_s = 0;
  // Worker threads (>= 1). Extra threads help only where a solver has
  // independent work: runs, replicas, portfolio members.
  int threads = 1;
  // Cancellation: when stop is requested the solver returns its best so far
  // with StopReason::kCancelled.
  std::stop_token stop_token{};
  // Stop as soon as an assignment with energy <= target_energy is found.
  std::optional<double> target_energy{};
  ProgressCallback progress{};
  // Minimum seconds between periodic (not improvement) progress calls;
  // improvements are reported at most this often as well, except the final
  // one. <= 0 reports every improvement.
  double progress_interval_s = 1.0;
  // Starting assignment for the first run (size num_variables, 0/1), or
  // empty for random starts.
  std::vector<uint8_t> initial{};
  // Source of the clock; null means Env::Default().
  Env* env = nullptr;
};

struct SolveResult {
  std::vector<uint8_t> assignment;  // the best assignment found
  double energy = 0;                // model.Energy(assignment), recomputed exactly
  double time_to_best_s = 0;        // when the best energy was first reached
  double elapsed_s = 0;
  // Work done, in the solver's unit: flips considered (SA, PT, SQA count one
  // per variable per sweep and slice), tabu moves, or assignments (exact).
  uint64_t iterations = 0;
  StopReason stop_reason = StopReason::kBudget;
  bool proven_optimal = false;  // only the exact solver proves optimality
  std::string solver;           // e.g. "tabu" or "portfolio[tabu]"
};

enum class SolverKind {
  kSimulatedAnnealing,
  kParallelTempering,
  kSimulatedQuantumAnnealing,
  kTabu,
  kExact,
  kPortfolio,
};

// "sa", "pt", "sqa", "tabu", "exact", "auto" (the portfolio).
Result<SolverKind> ParseSolverKind(std::string_view name);
std::string_view SolverKindName(SolverKind kind);

// A solver with its parameters fixed; Solve may be called repeatedly and
// concurrently.
class Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string_view name() const = 0;
  // Errors: InvalidArgument for bad options (threads < 1, an initial
  // assignment of the wrong size, no way to stop: no time limit, no budget,
  // no target and a stop token that can never fire) or parameters.
  virtual Result<SolveResult> Solve(const QuboModel& model, const SolveOptions& options) const = 0;
};

// A solver of the given kind with default (automatic) parameters.
std::unique_ptr<Solver> MakeSolver(SolverKind kind);

}  // namespace neuroquantum::quantum
