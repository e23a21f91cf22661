// SolveControl: the state one Solve call shares between its worker threads:
// the stop decision (clock, cancellation, target), the best assignment found
// so far, work counters and progress reporting.
//
// Invariants:
//  1. best_ is the lowest-energy assignment offered; among equal energies,
//     the one from the lowest run index (so the answer does not depend on
//     which thread finished first).
//  2. Once stopped() is true it stays true, and reason_ is the first cause.
//
// Thread safety: every method may be called from any worker thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "quantum/solver.h"

namespace neuroquantum::quantum::internal {

class SolveControl {
 public:
  // Checks the options every solver shares. `has_budget`: the solver's own
  // parameters bound its work. Errors: InvalidArgument.
  static Status Validate(const QuboModel& model, const SolveOptions& options, bool has_budget);

  // REQUIRES: Validate(model, options, ...) succeeded; both outlive this.
  SolveControl(std::string solver_name, const QuboModel& model, const SolveOptions& options);

  // True once the search must end. Reads the clock (a few tens of ns): call
  // it every few thousand elementary steps. Also emits periodic progress.
  bool ShouldStop();
  // The cheap check: an atomic load, no clock.
  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }
  void AddIterations(uint64_t count) { iterations_.fetch_add(count, std::memory_order_relaxed); }

  // Offers an assignment found by run `run` with (incrementally tracked)
  // energy `energy`. Keeps it per invariant 1; reaching the target stops
  // the search.
  void Offer(uint64_t run, double energy, std::span<const uint8_t> x);
  // Lowest energy offered so far (+infinity before the first offer).
  double best_energy() const { return best_energy_.load(std::memory_order_relaxed); }
  // A copy of the best assignment (empty before the first offer).
  std::vector<uint8_t> BestAssignment() const;

  double ElapsedSeconds() const;
  uint64_t seed() const { return options_.seed; }
  int threads() const { return options_.threads; }
  const SolveOptions& options() const { return options_; }

  // The result: best assignment, its energy recomputed from scratch, times,
  // work and why the search ended (kBudget unless a stop fired, or
  // `exhausted` for a complete enumeration).
  SolveResult Finish(bool exhausted = false);

 private:
  void Stop(StopReason reason);
  void Report(bool improved) REQUIRES(mu_);

  const std::string solver_name_;
  const QuboModel& model_;
  const SolveOptions& options_;
  Env* const env_;
  const uint64_t start_micros_;
  const uint64_t deadline_micros_;  // UINT64_MAX when there is no time limit

  std::atomic<bool> stopped_{false};
  std::atomic<uint64_t> iterations_{0};
  std::atomic<double> best_energy_{std::numeric_limits<double>::infinity()};
  std::atomic<uint64_t> last_report_micros_{0};

  mutable Mutex mu_;
  StopReason reason_ GUARDED_BY(mu_) = StopReason::kBudget;
  std::vector<uint8_t> best_ GUARDED_BY(mu_);
  uint64_t best_run_ GUARDED_BY(mu_) = 0;
  double time_to_best_s_ GUARDED_BY(mu_) = 0;
  bool unreported_improvement_ GUARDED_BY(mu_) = false;
};

}  // namespace neuroquantum::quantum::internal
