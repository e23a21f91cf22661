// Simulated annealing (Kirkpatrick, Gelatt & Vecchi 1983) for QUBO.
//
// A run starts from a random assignment and makes `sweeps` Metropolis sweeps
// (each visits every variable once, in index order, and flips it with
// probability min(1, exp(-delta / T))) while T falls from t_initial to
// t_final on a geometric (or linear) schedule, then descends greedily to a
// local minimum. Flip deltas are kept incrementally (internal/flip_state.h),
// so a sweep costs O(n + nnz).
//
// Runs restart from fresh random assignments. With sweeps = 0 the lengths
// grow with the run index r: base * 2^floor(log2(r + 1)) sweeps (1 run of
// base, 2 of 2 base, 4 of 4 base, ...), so a long time limit buys longer
// anneals rather than only more of them, with no dependence on the clock.
//
// Threads run independent runs (run r is seeded from (seed, r)); with `runs`
// fixed the result is the same for any thread count.
//
// Thread safety: see solver.h.
#pragma once

#include <cstdint>

#include "quantum/solver.h"

namespace neuroquantum::quantum {

enum class AnnealingSchedule { kGeometric, kLinear };

struct AnnealingParams {
  uint64_t runs = 0;     // 0 = until the time limit / target / cancellation
  uint64_t sweeps = 0;   // per run; 0 = growing lengths from base_sweeps
  uint64_t base_sweeps = 1000;
  // Temperatures in energy units; 0 = automatic from the model's flip
  // deltas: t_initial accepts the largest typical uphill move with
  // probability 1/2, t_final the smallest with probability 1/100.
  double t_initial = 0;
  double t_final = 0;
  AnnealingSchedule schedule = AnnealingSchedule::kGeometric;
};

class SimulatedAnnealing final : public Solver {
 public:
  explicit SimulatedAnnealing(AnnealingParams params = {}) : params_(params) {}
  std::string_view name() const override { return "sa"; }
  // SolveResult::iterations counts flip attempts (sweeps x n). Errors:
  // Solver::Solve, plus InvalidArgument for t_final > t_initial or negative
  // temperatures.
  Result<SolveResult> Solve(const QuboModel& model, const SolveOptions& options) const override;

 private:
  AnnealingParams params_;
};

}  // namespace neuroquantum::quantum
