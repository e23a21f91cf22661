// Parallel tempering (replica exchange Monte Carlo; Swendsen & Wang 1986,
// Hukushima & Nemoto 1996) for QUBO.
//
// R replicas sample at fixed temperatures T_0 < ... < T_{R-1}, spaced
// geometrically. A round is `sweeps_per_round` Metropolis sweeps of every
// replica followed by exchange attempts between neighbouring temperatures
// (even pairs on even rounds, odd pairs on odd rounds), each accepted with
// probability min(1, exp((1/T_i - 1/T_j)(E_i - E_j))). Hot replicas cross
// barriers; exchanges carry their finds down to the cold end. The best
// assignment any replica visits is kept and finally polished by greedy
// descent.
//
// Threads: each round the replicas are split among the threads, which meet
// at a barrier for the exchanges (only when a round makes >= 50k variable
// visits; smaller rounds run on one thread). Replica k always uses its own random stream
// and the exchanges their own, so the result for a seed does not depend on
// the thread count (when the search ends on its sweep budget). Cost per
// round: O(R (n + nnz) sweeps_per_round).
//
// Thread safety: see solver.h.
#pragma once

#include <cstdint>

#include "quantum/solver.h"

namespace neuroquantum::quantum {

struct TemperingParams {
  uint32_t replicas = 0;       // 0 = automatic: 20
  uint64_t max_rounds = 0;     // 0 = until the time limit / target / cancellation
  // Metropolis sweeps of every replica between exchanges; 0 = automatic:
  // enough for ~50k variable visits per round (1..10), so that threads
  // amortise their barrier.
  uint32_t sweeps_per_round = 0;
  // Temperature range in energy units; 0 = automatic: t_min as annealing's
  // cold end, t_max = mean |flip delta| at random assignments / ln 2 (hot
  // replicas accept a typical uphill move half the time).
  double t_min = 0;
  double t_max = 0;
};

class ParallelTempering final : public Solver {
 public:
  explicit ParallelTempering(TemperingParams params = {}) : params_(params) {}
  std::string_view name() const override { return "pt"; }
  // SolveResult::iterations counts flip attempts (sweeps x n x replicas).
  // Errors: Solver::Solve, plus InvalidArgument for bad temperatures or
  // fewer than 2 replicas.
  Result<SolveResult> Solve(const QuboModel& model, const SolveOptions& options) const override;

 private:
  TemperingParams params_;
};

}  // namespace neuroquantum::quantum
