// Tabu search for QUBO: 1-flip moves with a tabu tenure and aspiration, in
// independent runs, each an iterated tabu search (ITS).
//
// Each iteration flips the variable whose flip lowers the energy most (or
// raises it least) among the variables not flipped in the last `tenure`
// iterations; a tabu variable is allowed anyway when its flip would beat
// the run's best (aspiration). Ties are broken at random. When
// `stall_iterations` moves pass without improving the run's best, the run
// is kicked by random flips, whose number grows while kicks keep falling
// back into the same local optimum and resets otherwise (as in breakout
// local search, Benlic & Hao 2013).
//
// Cost per iteration: O(n) to choose the move by scanning the flip deltas
// (vectorised) plus O(degree) to apply it; on large sparse models two
// tournament trees replace the scan, for O(degree log n) per move (chosen
// automatically by estimated cost, see TabuSelection). Memory O(n + nnz)
// per thread.
//
// Threads run independent runs (run r uses the seed derived from (seed, r)).
// With `runs` fixed and `iterations_per_run` set, the result is identical
// for any thread count; with runs == 0 there is one run per thread, each
// until the time limit, target or cancellation.
//
// Thread safety: see solver.h.
#pragma once

#include <cstdint>

#include "quantum/solver.h"

namespace neuroquantum::quantum {

// How a move is chosen: a scan of all n flip deltas (O(n) per move, fast
// for small or dense models) or tournament trees (O(degree log n) per move,
// for large sparse ones). Both choose the same kind of move; ties are broken
// differently.
enum class TabuSelection { kAuto, kScan, kTrees };

struct TabuParams {
  uint64_t runs = 0;                // independent runs; 0 = one per thread
  uint64_t iterations_per_run = 0;  // moves per run; 0 = until stopped
  // Tenure: a flipped variable stays tabu for tenure + U[0, tenure_random]
  // iterations. Both 0 = automatic: n/10 + 1 and n/40 + 1 (each clamped to
  // n/4).
  uint32_t tenure = 0;
  uint32_t tenure_random = 0;
  // Moves without improving the run's best before a perturbation; 0 =
  // automatic: 5000.
  uint64_t stall_iterations = 0;
  // Variables flipped by a kick, as a fraction of n: the first kick's size
  // and the largest. 0 = automatic: 0.01 and 0.10.
  double perturbation_min = 0;
  double perturbation_max = 0;
  // Restarts continue from the current state (a walk between local optima,
  // as in breakout local search), or, when true, from the run's best.
  bool restart_from_best = false;
  TabuSelection selection = TabuSelection::kAuto;
};

class TabuSearch final : public Solver {
 public:
  explicit TabuSearch(TabuParams params = {}) : params_(params) {}
  std::string_view name() const override { return "tabu"; }
  // SolveResult::iterations counts moves. See Solver::Solve for errors.
  Result<SolveResult> Solve(const QuboModel& model, const SolveOptions& options) const override;

 private:
  TabuParams params_;
};

}  // namespace neuroquantum::quantum
