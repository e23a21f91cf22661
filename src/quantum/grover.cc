// Grover search: the two-amplitude simulation, closed forms, sampling.
#include "quantum/grover.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

#include "quantum/internal/rng.h"

namespace neuroquantum::quantum {
namespace {

// Uniform in [0, bound) for any 64-bit bound (rejection sampling).
uint64_t UniformBelow(internal::Rng* rng, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t value;
  do value = rng->Next();
  while (value >= limit);
  return value % bound;
}

// The k-th (0-based) item not in `marked` (sorted ascending). The k-th
// unmarked item u satisfies u = k + j with j = #{i : marked[i] - i <= k},
// and marked[i] - i never decreases.
uint64_t KthUnmarked(const std::vector<uint64_t>& marked, uint64_t k) {
  size_t lo = 0;
  size_t hi = marked.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (marked[mid] - mid <= k) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return k + lo;
}

}  // namespace

GroverState::GroverState(uint64_t num_items, uint64_t num_marked)
    : n_(num_items), m_(num_marked) {
  assert(num_items >= 1 && num_marked <= num_items);
  a_ = b_ = 1.0 / std::sqrt(static_cast<double>(n_));
}

void GroverState::Iterate() {
  a_ = -a_;  // oracle
  const double n = static_cast<double>(n_);
  const double m = static_cast<double>(m_);
  const double mean = (m * a_ + (n - m) * b_) / n;
  a_ = 2 * mean - a_;
  b_ = 2 * mean - b_;
  ++iterations_;
}

double GroverState::SuccessProbability() const { return static_cast<double>(m_) * a_ * a_; }

double GroverState::Norm() const {
  return static_cast<double>(m_) * a_ * a_ + static_cast<double>(n_ - m_) * b_ * b_;
}

double GroverAngle(uint64_t num_items, uint64_t num_marked) {
  return std::asin(std::sqrt(static_cast<double>(num_marked) / static_cast<double>(num_items)));
}

double GroverSuccessProbability(uint64_t num_items, uint64_t num_marked, uint64_t iterations) {
  const double s = std::sin((2.0 * static_cast<double>(iterations) + 1.0) *
                            GroverAngle(num_items, num_marked));
  return s * s;
}

uint64_t OptimalGroverIterations(uint64_t num_items, uint64_t num_marked) {
  if (num_marked == 0 || num_marked >= num_items) return 0;
  return static_cast<uint64_t>(std::floor(std::numbers::pi / (4 * GroverAngle(num_items, num_marked))));
}

Result<GroverReport> SimulateGrover(uint64_t num_items, uint64_t num_marked,
                                    const GroverOptions& options) {
  if (num_items == 0) return Status::InvalidArgument("Grover search needs at least one item");
  if (num_marked > num_items) {
    return Status::InvalidArgument("more marked items (" + std::to_string(num_marked) +
                                   ") than items (" + std::to_string(num_items) + ")");
  }
  GroverReport report;
  report.num_items = num_items;
  report.num_marked = num_marked;
  report.theta = GroverAngle(num_items, num_marked);
  report.optimal_iterations = OptimalGroverIterations(num_items, num_marked);
  report.iterations =
      options.iterations == UINT64_MAX ? report.optimal_iterations : options.iterations;
  GroverState state(num_items, num_marked);
  const uint64_t recorded = std::min(report.iterations, options.max_recorded_iterations);
  report.success_by_iteration.reserve(recorded + 1);
  for (uint64_t k = 0;; ++k) {
    if (k <= recorded) {
      const double p = state.SuccessProbability();
      report.success_by_iteration.push_back(p);
      report.max_closed_form_deviation =
          std::max(report.max_closed_form_deviation,
                   std::fabs(p - GroverSuccessProbability(num_items, num_marked, k)));
    }
    if (k == report.iterations) break;
    state.Iterate();
  }
  report.final_success_probability = state.SuccessProbability();
  internal::Rng rng(internal::DeriveSeed(options.seed, 0x6709e5));
  for (uint32_t s = 0; s < options.samples; ++s) {
    const bool marked = num_marked > 0 && rng.Uniform() < report.final_success_probability;
    if (marked || num_marked == num_items) {
      report.samples.push_back(UniformBelow(&rng, num_marked));
      ++report.marked_samples;
    } else {
      report.samples.push_back(num_marked + UniformBelow(&rng, num_items - num_marked));
    }
  }
  return report;
}

Result<GroverSearchResult> GroverSearch(uint64_t num_items,
                                        const std::function<bool(uint64_t)>& is_marked,
                                        const GroverOptions& options) {
  if (num_items == 0) return Status::InvalidArgument("Grover search needs at least one item");
  GroverSearchResult result;
  for (uint64_t i = 0; i < num_items; ++i) {
    if ((i & 4095) == 0 && options.stop_token.stop_requested()) {
      return Status::Aborted("Grover search cancelled during the oracle scan");
    }
    if (is_marked(i)) result.marked.push_back(i);
  }
  NQ_ASSIGN_OR_RETURN(result.report, SimulateGrover(num_items, result.marked.size(), options));
  // Map class-relative samples to item indices.
  for (uint64_t& sample : result.report.samples) {
    sample = sample < result.marked.size() ? result.marked[sample]
                                           : KthUnmarked(result.marked, sample - result.marked.size());
  }
  return result;
}

}  // namespace neuroquantum::quantum
