// Parallel tempering: replica sweeps on worker threads, exchanges at a
// barrier.
#include "quantum/parallel_tempering.h"

#include <algorithm>
#include <barrier>
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

// One replica: a walker with its own random stream and best-so-far.
template <typename T>
struct Replica {
  using Energy = typename FlipState<T>::Energy;
  Replica(const internal::ModelView<T>& view, uint64_t seed) : state(view), rng(seed) {}

  // One Metropolis sweep at inverse temperature beta.
  void Sweep(double beta) {
    const VarIndex n = static_cast<VarIndex>(state.size());
    for (VarIndex i = 0; i < n; ++i) {
      const T delta = state.delta(i);
      if (!internal::MetropolisAccept(static_cast<double>(delta), beta, &rng)) continue;
      if (pending && delta > 0) SaveBest();
      state.Flip(i);
      if (state.energy() < best_energy) {
        best_energy = state.energy();
        pending = true;
      }
    }
  }
  void SaveBest() {
    best.assign(state.bits().begin(), state.bits().end());
    pending = false;
  }

  FlipState<T> state;
  Rng rng;
  std::vector<uint8_t> best;
  Energy best_energy = 0;
  Energy offered_energy = 0;
  bool pending = false;  // the current state is this replica's best, not yet saved
};

constexpr uint64_t kMinVisitsPerThreadedRound = 50000;

// Automatic: enough sweeps that a round makes ~50k variable visits (at most
// 10), from n and R only, so the thread count never changes the answer.
uint32_t SweepsPerRound(const TemperingParams& params, uint32_t replicas, size_t n) {
  if (params.sweeps_per_round != 0) return params.sweeps_per_round;
  const uint64_t visits = uint64_t{replicas} * std::max<size_t>(n, 1);
  return static_cast<uint32_t>(
      std::clamp<uint64_t>((kMinVisitsPerThreadedRound + visits - 1) / visits, 1, 10));
}

template <typename T>
void RunTempering(const QuboModel& model, const TemperingParams& params, uint32_t replica_count,
                  double t_min, double t_max, const SolveOptions& options,
                  SolveControl* control) {
  using Energy = typename FlipState<T>::Energy;
  const internal::ModelView<T> view(model);
  const size_t n = model.num_variables();
  std::vector<std::unique_ptr<Replica<T>>> replicas;
  for (uint32_t k = 0; k < replica_count; ++k) {
    auto replica = std::make_unique<Replica<T>>(view, internal::DeriveSeed(options.seed, k));
    if (k == 0 && !options.initial.empty()) {
      replica->state.Assign(options.initial);
    } else {
      replica->state.Randomize(&replica->rng);
    }
    replica->SaveBest();
    replica->best_energy = replica->state.energy();
    replica->offered_energy = replica->best_energy;
    control->Offer(k, static_cast<double>(replica->best_energy), replica->best);
    replicas.push_back(std::move(replica));
  }
  // betas[j]: inverse temperature of slot j (slot 0 coldest);
  // at_slot[j]: the replica currently at slot j.
  std::vector<double> betas(replica_count);
  for (uint32_t j = 0; j < replica_count; ++j) {
    const double fraction = replica_count > 1 ? double(j) / double(replica_count - 1) : 0;
    betas[j] = 1.0 / (t_min * std::pow(t_max / t_min, fraction));
  }
  std::vector<uint32_t> at_slot(replica_count);
  for (uint32_t j = 0; j < replica_count; ++j) at_slot[j] = j;
  std::vector<uint32_t> slot_of(at_slot);

  Rng exchange_rng(internal::DeriveSeed(options.seed, 0xe8c4a0e));
  uint64_t round = 0;
  bool done = false;
  // Threads meet at a barrier every round; only rounds with enough variable
  // visits amortise it. (At low temperature most visits reject, so visits,
  // not edges, measure a round's work.)
  const uint32_t sweeps_per_round = SweepsPerRound(params, replica_count, n);
  const uint64_t visits_per_round = uint64_t{replica_count} * sweeps_per_round * n;
  const int threads = visits_per_round >= kMinVisitsPerThreadedRound
                          ? std::min<int>(options.threads, static_cast<int>(replica_count))
                          : 1;
  auto end_of_round = [&]() noexcept {
    for (auto& replica : replicas) {
      if (replica->pending) replica->SaveBest();
    }
    for (uint32_t k = 0; k < replica_count; ++k) {
      Replica<T>& r = *replicas[k];
      if (r.best_energy < r.offered_energy) {
        r.offered_energy = r.best_energy;
        control->Offer(k, static_cast<double>(r.best_energy), r.best);
      }
    }
    for (uint32_t j = round % 2; j + 1 < replica_count; j += 2) {
      const Energy e_cold = replicas[at_slot[j]]->state.energy();
      const Energy e_hot = replicas[at_slot[j + 1]]->state.energy();
      const double log_ratio = (betas[j] - betas[j + 1]) * static_cast<double>(e_cold - e_hot);
      if (log_ratio >= 0 || exchange_rng.Uniform() < std::exp(log_ratio)) {
        std::swap(at_slot[j], at_slot[j + 1]);
        slot_of[at_slot[j]] = j;
        slot_of[at_slot[j + 1]] = j + 1;
      }
    }
    ++round;
    control->AddIterations(visits_per_round);
    done = (params.max_rounds != 0 && round >= params.max_rounds) || control->ShouldStop();
  };
  std::barrier sync(threads, end_of_round);
  internal::RunOnThreads(threads, [&](int t) {
    while (true) {
      for (uint32_t k = static_cast<uint32_t>(t); k < replica_count; k += threads) {
        Replica<T>& replica = *replicas[k];
        const double beta = betas[slot_of[k]];
        for (uint32_t s = 0; s < sweeps_per_round; ++s) replica.Sweep(beta);
      }
      sync.arrive_and_wait();
      if (done) break;
    }
  });
  // Polish every replica's best; offer the results.
  for (uint32_t k = 0; k < replica_count; ++k) {
    Replica<T>& r = *replicas[k];
    r.state.Assign(r.best);
    internal::GreedyDescent(&r.state);
    control->Offer(k, static_cast<double>(r.state.energy()), r.state.bits());
  }
}

}  // namespace

Result<SolveResult> ParallelTempering::Solve(const QuboModel& model,
                                             const SolveOptions& options) const {
  NQ_RETURN_IF_ERROR(SolveControl::Validate(model, options, params_.max_rounds != 0));
  const uint32_t replicas = params_.replicas != 0 ? params_.replicas : 20;
  if (replicas < 2) return Status::InvalidArgument("parallel tempering needs >= 2 replicas");
  if (params_.t_min < 0 || params_.t_max < 0 ||
      (params_.t_min > 0 && params_.t_max > 0 && params_.t_max <= params_.t_min)) {
    return Status::InvalidArgument("temperatures must satisfy 0 < t_min < t_max");
  }
  SolveControl control("pt", model, options);
  if (model.num_variables() == 0) return control.Finish(true);
  const internal::EnergyScale scale = internal::MeasureEnergyScale(model, options.seed);
  const double t_min = params_.t_min > 0 ? params_.t_min : internal::ColdTemperature(scale);
  double t_max = params_.t_max > 0 ? params_.t_max : scale.mean_delta / std::log(2.0);
  if (t_max <= t_min) t_max = 2 * t_min;
  if (internal::FitsInt32(model)) {
    RunTempering<int32_t>(model, params_, replicas, t_min, t_max, options, &control);
  } else {
    RunTempering<double>(model, params_, replicas, t_min, t_max, options, &control);
  }
  return control.Finish();
}

}  // namespace neuroquantum::quantum
