// Solver kinds: names, parsing and the factory.
#include "quantum/solver.h"

#include "quantum/exact_solver.h"
#include "quantum/parallel_tempering.h"
#include "quantum/portfolio.h"
#include "quantum/simulated_annealing.h"
#include "quantum/simulated_quantum_annealing.h"
#include "quantum/tabu_search.h"

namespace neuroquantum::quantum {

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kBudget: return "budget";
    case StopReason::kTimeLimit: return "time-limit";
    case StopReason::kCancelled: return "cancelled";
    case StopReason::kTarget: return "target";
    case StopReason::kExhausted: return "exhausted";
  }
  return "?";
}

Result<SolverKind> ParseSolverKind(std::string_view name) {
  if (name == "sa") return SolverKind::kSimulatedAnnealing;
  if (name == "pt") return SolverKind::kParallelTempering;
  if (name == "sqa") return SolverKind::kSimulatedQuantumAnnealing;
  if (name == "tabu") return SolverKind::kTabu;
  if (name == "exact") return SolverKind::kExact;
  if (name == "auto" || name == "portfolio") return SolverKind::kPortfolio;
  return Status::InvalidArgument("unknown solver '" + std::string(name) +
                                 "' (expected sa, pt, sqa, tabu, exact or auto)");
}

std::string_view SolverKindName(SolverKind kind) {
  switch (kind) {
    case SolverKind::kSimulatedAnnealing: return "sa";
    case SolverKind::kParallelTempering: return "pt";
    case SolverKind::kSimulatedQuantumAnnealing: return "sqa";
    case SolverKind::kTabu: return "tabu";
    case SolverKind::kExact: return "exact";
    case SolverKind::kPortfolio: return "auto";
  }
  return "?";
}

std::unique_ptr<Solver> MakeSolver(SolverKind kind) {
  switch (kind) {
    case SolverKind::kSimulatedAnnealing: return std::make_unique<SimulatedAnnealing>();
    case SolverKind::kParallelTempering: return std::make_unique<ParallelTempering>();
    case SolverKind::kSimulatedQuantumAnnealing:
      return std::make_unique<SimulatedQuantumAnnealing>();
    case SolverKind::kTabu: return std::make_unique<TabuSearch>();
    case SolverKind::kExact: return std::make_unique<ExactSolver>();
    case SolverKind::kPortfolio: return std::make_unique<Portfolio>();
  }
  return nullptr;
}

}  // namespace neuroquantum::quantum
