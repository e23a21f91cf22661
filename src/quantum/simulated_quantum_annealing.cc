// Simulated quantum annealing: Trotter slices, the inter-slice coupling and
// the transverse-field schedule.
#include "quantum/simulated_quantum_annealing.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>

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

struct Schedule {
  uint32_t slices;
  double slice_temperature;
  double gamma_initial;
  double gamma_final;
};

uint64_t SweepsOfRun(const QuantumAnnealingParams& p, uint64_t run) {
  if (p.sweeps != 0) return p.sweeps;
  const int level = std::min(20, static_cast<int>(std::bit_width(run + 1)) - 1);
  return std::max<uint64_t>(1, p.base_sweeps) << level;
}

// The coupling between neighbouring slices: (1/2) ln coth(G / (P T)).
double SliceCoupling(double gamma, double slice_temperature) {
  const double x = std::max(gamma / slice_temperature, 1e-12);
  return 0.5 * std::log(1.0 / std::tanh(x));
}

template <typename T>
class QuantumRun {
 public:
  using Energy = typename FlipState<T>::Energy;

  QuantumRun(const internal::ModelView<T>& view, const Schedule& schedule)
      : view_(view), schedule_(schedule), best_(view.size()) {
    for (uint32_t k = 0; k < schedule.slices; ++k) {
      slices_.push_back(std::make_unique<FlipState<T>>(view));
    }
  }

  void Run(uint64_t run, uint64_t sweeps, std::span<const uint8_t> initial,
           SolveControl* control) {
    Rng rng(internal::DeriveSeed(control->seed(), run));
    const uint32_t p = schedule_.slices;
    const size_t n = view_.size();
    for (uint32_t k = 0; k < p; ++k) {
      if (!initial.empty()) {
        slices_[k]->Assign(initial);
      } else {
        slices_[k]->Randomize(&rng);
      }
    }
    best_energy_ = std::numeric_limits<Energy>::max();
    RecordBest();
    const double inverse_temperature = 1.0 / schedule_.slice_temperature;
    const uint64_t sweeps_per_check =
        std::max<uint64_t>(1, (uint64_t{1} << 15) / (uint64_t{p} * (n + 1)));
    uint64_t sweep = 0;
    uint64_t counted = 0;
    for (; sweep < sweeps; ++sweep) {
      if (sweep % sweeps_per_check == 0) {
        control->AddIterations((sweep - counted) * p * n);
        counted = sweep;
        if (control->ShouldStop()) break;
      }
      const double fraction = sweeps > 1 ? double(sweep) / double(sweeps - 1) : 1.0;
      const double gamma = schedule_.gamma_initial +
                           (schedule_.gamma_final - schedule_.gamma_initial) * fraction;
      const double coupling = SliceCoupling(gamma, schedule_.slice_temperature);
      for (uint32_t k = 0; k < p; ++k) {
        FlipState<T>& slice = *slices_[k];
        const FlipState<T>& before = *slices_[(k + p - 1) % p];
        const FlipState<T>& after = *slices_[(k + 1) % p];
        for (VarIndex i = 0; i < n; ++i) {
          // Spins s = 2x - 1; the neighbours' sum is in {-2, 0, 2}.
          const int spin = 2 * slice.bit(i) - 1;
          const int neighbours = 2 * (before.bit(i) + after.bit(i)) - 2;
          const double action = static_cast<double>(slice.delta(i)) * inverse_temperature +
                                 2.0 * coupling * spin * neighbours;
          if (action <= 0 || (action < 40 && rng.Uniform() < std::exp(-action))) slice.Flip(i);
        }
      }
      RecordBest();
    }
    control->AddIterations((sweep - counted) * p * n);
    // Polish every slice and the best one; offer the lowest.
    for (auto& slice : slices_) {
      internal::GreedyDescent(slice.get());
    }
    RecordBest();
    slices_[0]->Assign(best_);
    internal::GreedyDescent(slices_[0].get());
    control->Offer(run, static_cast<double>(slices_[0]->energy()), slices_[0]->bits());
  }

 private:
  void RecordBest() {
    for (auto& slice : slices_) {
      if (slice->energy() < best_energy_) {
        best_energy_ = slice->energy();
        best_.assign(slice->bits().begin(), slice->bits().end());
      }
    }
  }

  const internal::ModelView<T>& view_;
  const Schedule schedule_;
  std::vector<std::unique_ptr<FlipState<T>>> slices_;
  std::vector<uint8_t> best_;
  Energy best_energy_ = 0;
};

template <typename T>
void RunAll(const QuboModel& model, const QuantumAnnealingParams& params,
            const Schedule& schedule, const SolveOptions& options, SolveControl* control) {
  const internal::ModelView<T> view(model);
  const int threads =
      params.runs != 0 ? static_cast<int>(std::min<uint64_t>(options.threads, params.runs))
                       : options.threads;
  internal::RunDispenser dispenser(params.runs);
  internal::RunOnThreads(threads, [&](int) {
    QuantumRun<T> worker(view, schedule);
    uint64_t run = 0;
    while (!control->stopped() && dispenser.Next(&run)) {
      std::span<const uint8_t> initial;
      if (run == 0) initial = options.initial;
      worker.Run(run, SweepsOfRun(params, run), initial, control);
    }
  });
}

}  // namespace

Result<SolveResult> SimulatedQuantumAnnealing::Solve(const QuboModel& model,
                                                     const SolveOptions& options) const {
  NQ_RETURN_IF_ERROR(SolveControl::Validate(model, options, params_.runs != 0));
  if (params_.slices == 1) return Status::InvalidArgument("SQA needs at least 2 Trotter slices");
  if (params_.slice_temperature < 0 || params_.gamma_initial < 0 || params_.gamma_final < 0 ||
      (params_.gamma_initial > 0 && params_.gamma_final > params_.gamma_initial)) {
    return Status::InvalidArgument(
        "need slice_temperature >= 0 and gamma_initial >= gamma_final >= 0");
  }
  SolveControl control("sqa", model, options);
  if (model.num_variables() == 0) return control.Finish(true);
  const internal::EnergyScale scale = internal::MeasureEnergyScale(model, options.seed);
  Schedule schedule;
  schedule.slices = params_.slices != 0 ? params_.slices : 16;
  schedule.slice_temperature =
      params_.slice_temperature > 0 ? params_.slice_temperature : scale.mean_delta / 3;
  schedule.gamma_initial = params_.gamma_initial > 0 ? params_.gamma_initial : scale.mean_delta;
  schedule.gamma_final = params_.gamma_final > 0 ? params_.gamma_final
                                                 : std::min(schedule.gamma_initial,
                                                            scale.mean_delta / 1000);
  if (internal::FitsInt32(model)) {
    RunAll<int32_t>(model, params_, schedule, options, &control);
  } else {
    RunAll<double>(model, params_, schedule, options, &control);
  }
  return control.Finish();
}

}  // namespace neuroquantum::quantum
