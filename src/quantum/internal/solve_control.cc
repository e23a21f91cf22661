// SolveControl: stop decisions, best-so-far tracking and progress.
#include "quantum/internal/solve_control.h"

#include <cmath>

namespace neuroquantum::quantum::internal {

Status SolveControl::Validate(const QuboModel& model, const SolveOptions& options,
                              bool has_budget) {
  if (options.threads < 1 || options.threads > 1024) {
    return Status::InvalidArgument("threads must be in 1..1024, not " +
                                   std::to_string(options.threads));
  }
  if (!options.initial.empty()) {
    if (options.initial.size() != model.num_variables()) {
      return Status::InvalidArgument("initial assignment has " +
                                     std::to_string(options.initial.size()) + " values for " +
                                     std::to_string(model.num_variables()) + " variables");
    }
    for (uint8_t bit : options.initial) {
      if (bit > 1) return Status::InvalidArgument("initial assignment values must be 0 or 1");
    }
  }
  if (!std::isfinite(options.time_limit_s) && options.time_limit_s > 0) {
    return Status::InvalidArgument("time limit must be finite");
  }
  const bool can_stop = has_budget || options.time_limit_s > 0 ||
                        options.target_energy.has_value() || options.stop_token.stop_possible();
  if (!can_stop) {
    return Status::InvalidArgument(
        "the search has no end: set a time limit, a target, a stop token or a budget");
  }
  return Status::OK();
}

SolveControl::SolveControl(std::string solver_name, const QuboModel& model,
                           const SolveOptions& options)
    : solver_name_(std::move(solver_name)),
      model_(model),
      options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()),
      start_micros_(env_->NowMicros()),
      // Limits beyond ~30 years are as good as none (and would overflow).
      deadline_micros_(options.time_limit_s > 0 && options.time_limit_s < 1e9
                           ? start_micros_ + static_cast<uint64_t>(options.time_limit_s * 1e6)
                           : UINT64_MAX) {
  last_report_micros_.store(start_micros_, std::memory_order_relaxed);
}

void SolveControl::Stop(StopReason reason) {
  MutexLock lock(&mu_);
  if (!stopped_.load(std::memory_order_relaxed)) {
    reason_ = reason;
    stopped_.store(true, std::memory_order_relaxed);
  }
}

bool SolveControl::ShouldStop() {
  if (stopped()) return true;
  if (options_.stop_token.stop_requested()) {
    Stop(StopReason::kCancelled);
    return true;
  }
  const uint64_t now = env_->NowMicros();
  if (now >= deadline_micros_) {
    Stop(StopReason::kTimeLimit);
    return true;
  }
  if (options_.progress) {
    const uint64_t last = last_report_micros_.load(std::memory_order_relaxed);
    if (now - last >= static_cast<uint64_t>(std::max(0.0, options_.progress_interval_s) * 1e6) &&
        mu_.TryLock()) {
      Report(false);
      mu_.Unlock();
    }
  }
  return false;
}

void SolveControl::Offer(uint64_t run, double energy, std::span<const uint8_t> x) {
  if (energy > best_energy()) return;  // racy pre-check; decided under the lock
  MutexLock lock(&mu_);
  const double best = best_energy_.load(std::memory_order_relaxed);
  const bool better = energy < best || best_.empty();
  if (!better && !(energy == best && run < best_run_)) return;
  best_.assign(x.begin(), x.end());
  best_run_ = run;
  if (better) {
    best_energy_.store(energy, std::memory_order_relaxed);
    time_to_best_s_ = ElapsedSeconds();
    unreported_improvement_ = true;
    if (options_.progress) {
      const uint64_t now = env_->NowMicros();
      const uint64_t last = last_report_micros_.load(std::memory_order_relaxed);
      if (options_.progress_interval_s <= 0 ||
          now - last >= static_cast<uint64_t>(options_.progress_interval_s * 1e6)) {
        Report(true);
      }
    }
  }
  if (options_.target_energy && energy <= *options_.target_energy &&
      !stopped_.load(std::memory_order_relaxed)) {
    reason_ = StopReason::kTarget;
    stopped_.store(true, std::memory_order_relaxed);
  }
}

void SolveControl::Report(bool improved) {
  SolveProgress progress;
  progress.solver = solver_name_;
  progress.elapsed_s = ElapsedSeconds();
  progress.best_energy = best_energy_.load(std::memory_order_relaxed);
  progress.time_to_best_s = time_to_best_s_;
  progress.iterations = iterations_.load(std::memory_order_relaxed);
  progress.improved = improved || unreported_improvement_;
  progress.best_assignment = best_;
  unreported_improvement_ = false;
  last_report_micros_.store(env_->NowMicros(), std::memory_order_relaxed);
  options_.progress(progress);
}

std::vector<uint8_t> SolveControl::BestAssignment() const {
  MutexLock lock(&mu_);
  return best_;
}

double SolveControl::ElapsedSeconds() const {
  return static_cast<double>(env_->NowMicros() - start_micros_) * 1e-6;
}

SolveResult SolveControl::Finish(bool exhausted) {
  MutexLock lock(&mu_);
  SolveResult result;
  result.solver = solver_name_;
  result.assignment = best_;
  if (result.assignment.empty()) result.assignment.assign(model_.num_variables(), 0);
  result.energy = model_.Energy(result.assignment);
  result.time_to_best_s = time_to_best_s_;
  result.elapsed_s = ElapsedSeconds();
  result.iterations = iterations_.load(std::memory_order_relaxed);
  result.stop_reason = stopped_.load(std::memory_order_relaxed) ? reason_
                       : exhausted                              ? StopReason::kExhausted
                                                                : StopReason::kBudget;
  result.proven_optimal = exhausted && !stopped_.load(std::memory_order_relaxed);
  if (options_.progress) {
    best_energy_.store(result.energy, std::memory_order_relaxed);
    Report(false);
  }
  return result;
}

}  // namespace neuroquantum::quantum::internal
