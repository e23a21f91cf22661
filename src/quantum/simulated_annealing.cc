// Simulated annealing: schedules, Metropolis sweeps, restarts.
#include "quantum/simulated_annealing.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "quantum/internal/flip_state.h"
#include "quantum/internal/local_search.h"
#include "quantum/internal/model_view.h"
#include "quantum/internal/parallel.h"
#include "quantum/internal/solve_control.h"

namespace neuroquantum::quantum {
namespace {

using internal::FlipState;
using internal::Rng;
using internal::SolveControl;

// Sweeps of run r when the length is automatic: base * 2^floor(log2(r+1)).
uint64_t SweepsOfRun(const AnnealingParams& p, uint64_t run) {
  if (p.sweeps != 0) return p.sweeps;
  const int level = std::min(20, static_cast<int>(std::bit_width(run + 1)) - 1);
  return std::max<uint64_t>(1, p.base_sweeps) << level;
}

template <typename T>
void AnnealRun(const internal::ModelView<T>& view, FlipState<T>* state, uint64_t run,
               uint64_t sweeps, double t_initial, double t_final, AnnealingSchedule schedule,
               std::span<const uint8_t> initial, SolveControl* control) {
  using Energy = typename FlipState<T>::Energy;
  Rng rng(internal::DeriveSeed(control->seed(), run));
  if (!initial.empty()) {
    state->Assign(initial);
  } else {
    state->Randomize(&rng);
  }
  const size_t n = view.size();
  std::vector<uint8_t> best(state->bits().begin(), state->bits().end());
  Energy best_energy = state->energy();
  bool pending = false;
  const double ratio = sweeps > 1 ? std::pow(t_final / t_initial, 1.0 / double(sweeps - 1)) : 1;
  const double step = sweeps > 1 ? (t_final - t_initial) / double(sweeps - 1) : 0;
  double temperature = t_initial;
  // Stop checks every ~2^14 flip attempts, but at least once per sweep.
  const uint64_t sweeps_per_check = std::max<uint64_t>(1, (uint64_t{1} << 14) / (n + 1));
  uint64_t sweep = 0;
  uint64_t counted = 0;
  for (; sweep < sweeps; ++sweep) {
    if (sweep % sweeps_per_check == 0) {
      control->AddIterations((sweep - counted) * n);
      counted = sweep;
      if (control->ShouldStop()) break;
    }
    const double beta = 1.0 / temperature;
    for (VarIndex i = 0; i < n; ++i) {
      const T delta = state->delta(i);
      if (!internal::MetropolisAccept(static_cast<double>(delta), beta, &rng)) continue;
      if (pending && delta > 0) {
        best.assign(state->bits().begin(), state->bits().end());
        pending = false;
      }
      state->Flip(i);
      if (state->energy() < best_energy) {
        best_energy = state->energy();
        pending = true;
      }
    }
    temperature = schedule == AnnealingSchedule::kGeometric ? temperature * ratio
                                                            : temperature + step;
  }
  control->AddIterations((sweep - counted) * n);
  if (pending) best.assign(state->bits().begin(), state->bits().end());
  // Polish both the final state and the best one seen.
  internal::GreedyDescent(state);
  if (state->energy() < best_energy) {
    best_energy = state->energy();
    best.assign(state->bits().begin(), state->bits().end());
  }
  state->Assign(best);
  internal::GreedyDescent(state);
  control->Offer(run, static_cast<double>(state->energy()), state->bits());
}

template <typename T>
void RunAll(const QuboModel& model, const AnnealingParams& params, double t_initial,
            double t_final, const SolveOptions& options, SolveControl* control) {
  const internal::ModelView<T> view(model);
  const int threads =
      params.runs != 0 ? static_cast<int>(std::min<uint64_t>(options.threads, params.runs))
                       : options.threads;
  internal::RunDispenser dispenser(params.runs);
  internal::RunOnThreads(threads, [&](int) {
    FlipState<T> state(view);
    uint64_t run = 0;
    while (!control->stopped() && dispenser.Next(&run)) {
      std::span<const uint8_t> initial;
      if (run == 0) initial = options.initial;
      AnnealRun(view, &state, run, SweepsOfRun(params, run), t_initial, t_final, params.schedule,
                initial, control);
    }
  });
}

}  // namespace

Result<SolveResult> SimulatedAnnealing::Solve(const QuboModel& model,
                                              const SolveOptions& options) const {
  NQ_RETURN_IF_ERROR(SolveControl::Validate(model, options, params_.runs != 0));
  if (params_.t_initial < 0 || params_.t_final < 0 ||
      (params_.t_initial > 0 && params_.t_final > params_.t_initial)) {
    return Status::InvalidArgument("temperatures must satisfy 0 < t_final <= t_initial");
  }
  SolveControl control("sa", model, options);
  if (model.num_variables() == 0) return control.Finish(true);
  const internal::EnergyScale scale = internal::MeasureEnergyScale(model, options.seed);
  const double t_initial = params_.t_initial > 0 ? params_.t_initial : internal::HotTemperature(scale);
  const double t_final = params_.t_final > 0 ? params_.t_final
                                             : std::min(t_initial, internal::ColdTemperature(scale));
  if (internal::FitsInt32(model)) {
    RunAll<int32_t>(model, params_, t_initial, t_final, options, &control);
  } else {
    RunAll<double>(model, params_, t_initial, t_final, options, &control);
  }
  return control.Finish();
}

}  // namespace neuroquantum::quantum
