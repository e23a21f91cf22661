// Exact minimisation by enumeration, for small models (n <= 34): every one
// of the 2^n assignments is visited in Gray-code order, so consecutive ones
// differ in one variable and each step costs O(degree) with incremental
// deltas. Used for proofs of optimality on small problems and as the
// reference in tests.
//
// The space is split into 2^p chunks by the top p variables; threads take
// chunks. The answer is the lowest energy, ties going to the lowest chunk
// and then to the first assignment in Gray order: identical for any thread
// count. A complete enumeration returns proven_optimal = true and
// StopReason::kExhausted.
//
// Thread safety: see solver.h.
#pragma once

#include <cstdint>

#include "quantum/solver.h"

namespace neuroquantum::quantum {

struct ExactParams {
  uint32_t max_variables = 34;  // refuse larger models
};

class ExactSolver final : public Solver {
 public:
  explicit ExactSolver(ExactParams params = {}) : params_(params) {}
  std::string_view name() const override { return "exact"; }
  // SolveResult::iterations counts assignments visited. Errors:
  // Solver::Solve, plus InvalidArgument when n > max_variables.
  Result<SolveResult> Solve(const QuboModel& model, const SolveOptions& options) const override;

 private:
  ExactParams params_;
};

}  // namespace neuroquantum::quantum
