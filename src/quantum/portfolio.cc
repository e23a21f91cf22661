// Portfolio: concurrent members, forwarded improvements, best result.
#include "quantum/portfolio.h"

#include <stop_token>
#include <thread>

#include "quantum/internal/rng.h"
#include "quantum/internal/solve_control.h"

namespace neuroquantum::quantum {

std::vector<PortfolioMember> AutomaticPortfolio(size_t num_variables, int threads,
                                                uint32_t exact_up_to) {
  threads = std::max(threads, 1);
  if (num_variables <= exact_up_to) return {{SolverKind::kExact, threads}};
  std::vector<PortfolioMember> members = {{SolverKind::kTabu, 1},
                                          {SolverKind::kSimulatedAnnealing, 1},
                                          {SolverKind::kSimulatedQuantumAnnealing, 1}};
  if (threads >= 4) members.push_back({SolverKind::kParallelTempering, 1});
  for (int extra = 4; extra < threads; ++extra) ++members[(extra - 4) % 3].threads;
  return members;
}

Result<SolveResult> Portfolio::Solve(const QuboModel& model, const SolveOptions& options) const {
  std::vector<PortfolioMember> members =
      params_.members.empty()
          ? AutomaticPortfolio(model.num_variables(), options.threads, params_.exact_up_to)
          : params_.members;
  bool all_exact = true;
  for (const PortfolioMember& member : members) {
    if (member.kind == SolverKind::kPortfolio) {
      return Status::InvalidArgument("a portfolio cannot contain a portfolio");
    }
    if (member.threads < 1) return Status::InvalidArgument("member threads must be >= 1");
    all_exact = all_exact && member.kind == SolverKind::kExact;
  }
  if (members.empty()) return Status::InvalidArgument("portfolio without members");
  NQ_RETURN_IF_ERROR(internal::SolveControl::Validate(model, options, all_exact));
  internal::SolveControl control("portfolio", model, options);

  // Members stop when the caller cancels or when the portfolio reaches the
  // target (a member may reach it by itself; the others must hear of it).
  std::stop_source stop;
  std::stop_callback forward_cancel(options.stop_token, [&stop] { stop.request_stop(); });
  std::vector<Result<SolveResult>> results(members.size(), Status::Aborted("not run"));
  std::vector<std::thread> workers;
  for (size_t m = 0; m < members.size(); ++m) {
    workers.emplace_back([&, m] {
      SolveOptions member_options = options;
      member_options.seed = internal::DeriveSeed(options.seed, 0x9f0 + m);
      member_options.threads = members[m].threads;
      member_options.stop_token = stop.get_token();
      member_options.progress_interval_s = 0;  // forward every improvement
      member_options.progress = [&control, &stop, m](const SolveProgress& progress) {
        if (progress.improved && !progress.best_assignment.empty()) {
          control.Offer(m, progress.best_energy, progress.best_assignment);
        }
        if (control.ShouldStop()) stop.request_stop();
      };
      results[m] = MakeSolver(members[m].kind)->Solve(model, member_options);
      if (control.stopped()) stop.request_stop();
    });
  }
  for (std::thread& worker : workers) worker.join();

  size_t best = members.size();
  uint64_t iterations = 0;
  for (size_t m = 0; m < members.size(); ++m) {
    if (!results[m].ok()) return results[m].status().WithContext(SolverKindName(members[m].kind));
    iterations += results[m]->iterations;
    control.Offer(m, results[m]->energy, results[m]->assignment);
    if (best == members.size() || results[m]->energy < results[best]->energy) best = m;
  }
  control.ShouldStop();  // notes a deadline that passed while members were finishing
  SolveResult summary = control.Finish();
  SolveResult result = std::move(results[best]).value();
  result.solver = "portfolio[" + result.solver + "]";
  result.elapsed_s = summary.elapsed_s;
  result.iterations = iterations;
  // Members stopped by the portfolio see a cancellation; report why the
  // portfolio stopped instead.
  if (summary.stop_reason != StopReason::kBudget) result.stop_reason = summary.stop_reason;
  return result;
}

}  // namespace neuroquantum::quantum
