// Portfolio: runs several solvers at once on the same model and keeps the
// best answer. Different algorithms are strong on different instance
// families (tabu search on dense QUBO and some sparse Max-Cut graphs,
// annealing on large random or planar graphs, tempering on spin-glass-like
// tori), so a portfolio is the robust default (`--solver auto`).
//
// Members run concurrently, each on its own thread(s), with seeds derived
// from (seed, member index) and the caller's time limit, target and stop
// token; a member's improvements are forwarded as they happen, so progress
// and the target see the best of all members, and reaching the target stops
// them all. The answer is the best member result (ties: the lower member
// index); SolveResult::solver names it, e.g. "portfolio[tabu]".
//
// Automatic members for T threads (PortfolioParams::members empty):
//  - n <= exact_up_to: exact enumeration on all T threads (proves the
//    optimum in well under a second);
//  - otherwise tabu search, simulated annealing and SQA, one thread each,
//    plus parallel tempering from T >= 4; threads beyond four go to tabu,
//    annealing and SQA in turn. With T < 3 the three members share the T
//    cores (three OS threads): measured on the public instances and on
//    synthetic graphs of the G-set families, the three together beat any
//    two of them given the whole machine (docs/architecture/quantum.md).
//
// A portfolio has no budget of its own: it needs a time limit, a target or
// a stop token (unless every explicit member is the exact solver).
//
// Thread safety: see solver.h.
#pragma once

#include <cstdint>
#include <vector>

#include "quantum/solver.h"

namespace neuroquantum::quantum {

struct PortfolioMember {
  SolverKind kind = SolverKind::kTabu;  // any kind but kPortfolio; default parameters
  int threads = 1;
};

struct PortfolioParams {
  std::vector<PortfolioMember> members{};  // empty = automatic (see above)
  uint32_t exact_up_to = 24;
};

// The automatic members for a model of n variables and `threads` threads.
std::vector<PortfolioMember> AutomaticPortfolio(size_t num_variables, int threads,
                                                uint32_t exact_up_to = 24);

class Portfolio final : public Solver {
 public:
  explicit Portfolio(PortfolioParams params = {}) : params_(std::move(params)) {}
  std::string_view name() const override { return "portfolio"; }
  // SolveResult::iterations is the sum of the members' (in their units).
  // Errors: Solver::Solve, a member's error, or InvalidArgument for a
  // kPortfolio member or a member with threads < 1.
  Result<SolveResult> Solve(const QuboModel& model, const SolveOptions& options) const override;

 private:
  PortfolioParams params_;
};

}  // namespace neuroquantum::quantum
