// Iterated tabu search: move selection, tenure, aspiration and restarts.
#include "quantum/tabu_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "quantum/internal/flip_state.h"
#include "quantum/internal/min_tree.h"
#include "quantum/internal/model_view.h"
#include "quantum/internal/parallel.h"
#include "quantum/internal/rng.h"
#include "quantum/internal/solve_control.h"

namespace neuroquantum::quantum {
namespace {

using internal::Rng;
using internal::SolveControl;

// Parameters with the automatic values filled in for a model of n variables.
struct Resolved {
  uint32_t tenure;
  uint32_t tenure_random;
  uint64_t stall;
  uint32_t perturb_min;
  uint32_t perturb_max;
  bool from_best;
};

Resolved Resolve(const TabuParams& p, size_t n) {
  Resolved r;
  const uint32_t quarter = static_cast<uint32_t>(std::max<size_t>(1, n / 4));
  const bool automatic = p.tenure == 0 && p.tenure_random == 0;
  r.tenure = std::min(quarter, automatic ? static_cast<uint32_t>(n / 10 + 1) : std::max(1u, p.tenure));
  r.tenure_random = std::min(quarter, automatic ? static_cast<uint32_t>(n / 40 + 1) : p.tenure_random);
  r.stall = p.stall_iterations != 0 ? p.stall_iterations : 5000;
  const double lo = p.perturbation_min > 0 ? p.perturbation_min : 0.01;
  const double hi = std::max(lo, p.perturbation_max > 0 ? p.perturbation_max : 0.10);
  r.perturb_min = static_cast<uint32_t>(std::clamp<double>(std::ceil(lo * n), 1, n));
  r.perturb_max = static_cast<uint32_t>(std::clamp<double>(std::ceil(hi * n), r.perturb_min, n));
  r.from_best = p.restart_from_best;
  return r;
}

constexpr uint32_t kFree = 0;  // tabu_until value of a variable that was never tabu

// Move selection by a full scan of the flip deltas: O(n) per move, with
// vectorised passes. Best for small or dense models. The tabu clock is
// 32-bit so the scan compares lanes of the deltas' width; it is rebased
// long before it can wrap.
template <typename T>
class ScanSelector {
 public:
  explicit ScanSelector(size_t n)
      : n_(static_cast<VarIndex>(n)),
        tabu_until_(Padded(n), kFree),
        block_min_(Padded(n) / internal::FlipState<T>::kBlock),
        block_ties_(block_min_.size()) {}

  uint32_t clock() const { return clock_; }
  bool IsTabu(VarIndex i) const { return tabu_until_[i] > clock_; }
  // Starts over at `state` with nothing tabu.
  void Reset(const internal::FlipState<T>&) {
    std::fill(tabu_until_.begin(), tabu_until_.end(), kFree);
    clock_ = 1;
  }
  void Advance() {
    if (++clock_ >= kClockRebase) {
      for (uint32_t& until : tabu_until_) until = until > kRebaseBy ? until - kRebaseBy : kFree;
      clock_ -= kRebaseBy;
    }
  }
  // Called after the delta of j changed.
  void Changed(const internal::FlipState<T>&, VarIndex) {}
  // Makes i tabu for `tenure` more ticks (i's delta may have changed too).
  void MakeTabu(const internal::FlipState<T>&, VarIndex i, uint32_t tenure) {
    tabu_until_[i] = clock_ + tenure;
  }

  // The best admissible move: lowest delta among non-tabu variables, or a
  // tabu one below `aspiration` (its flip beats the run's best). Ties
  // uniformly at random. Pass 1 takes the minimum of every block of 64
  // (branch-free, vectorised); passes 2 and 3 count and pick the ties, but
  // only in the blocks whose minimum is the overall one.
  VarIndex Select(const internal::FlipState<T>& state, T aspiration, Rng* rng) {
    constexpr size_t kBlock = internal::FlipState<T>::kBlock;
    constexpr T kNone = internal::FlipState<T>::kPadding;
    const T* delta = state.deltas();
    const uint32_t* tabu = tabu_until_.data();
    const uint32_t now = clock_;
    const size_t blocks = state.padded_size() / kBlock;
    T best = kNone;
    for (size_t b = 0; b < blocks; ++b) {
      const T* d = delta + b * kBlock;
      const uint32_t* t = tabu + b * kBlock;
      T block_best = kNone;
      if constexpr (std::is_integral_v<T>) {
        // Masks rather than branches or bools, so GCC vectorises the reduction.
        for (size_t i = 0; i < kBlock; ++i) {
          const int32_t admissible = -static_cast<int32_t>((t[i] <= now) | (d[i] < aspiration));
          block_best = std::min(block_best, (d[i] & admissible) | (kNone & ~admissible));
        }
      } else {
        for (size_t i = 0; i < kBlock; ++i) {
          const bool admissible = (t[i] <= now) | (d[i] < aspiration);
          block_best = std::min(block_best, admissible ? d[i] : kNone);
        }
      }
      block_min_[b] = block_best;
      best = std::min(best, block_best);
    }
    if (best == kNone) return rng->Below(n_);  // everything tabu (tiny n): any move
    auto is_tie = [&](size_t i) {
      return (delta[i] == best) & ((tabu[i] <= now) | (delta[i] < aspiration));
    };
    uint32_t ties = 0;
    for (size_t b = 0; b < blocks; ++b) {
      if (block_min_[b] != best) continue;
      uint32_t count = 0;
      for (size_t i = b * kBlock; i < (b + 1) * kBlock; ++i) count += is_tie(i);
      block_ties_[b] = count;
      ties += count;
    }
    uint32_t pick = ties > 1 ? rng->Below(ties) : 0;
    for (size_t b = 0;; ++b) {
      if (block_min_[b] != best) continue;
      if (pick >= block_ties_[b]) {
        pick -= block_ties_[b];
        continue;
      }
      for (size_t i = b * kBlock;; ++i) {
        if (is_tie(i) && pick-- == 0) return static_cast<VarIndex>(i);
      }
    }
  }

 private:
  static constexpr uint32_t kClockRebase = 1u << 31;
  static constexpr uint32_t kRebaseBy = 1u << 30;

  static size_t Padded(size_t n) {
    constexpr size_t kBlock = internal::FlipState<T>::kBlock;
    return (n + kBlock - 1) / kBlock * kBlock;
  }

  const VarIndex n_;
  std::vector<uint32_t> tabu_until_;  // clock value until which a variable is tabu
  std::vector<T> block_min_;          // per block of 64: smallest admissible delta
  std::vector<uint32_t> block_ties_;  // per block: admissible deltas equal to the minimum
  uint32_t clock_ = 1;
};

// Move selection with two tournament trees, one over the free variables'
// deltas and one over the tabu variables' (for aspiration), and a ring of
// expiry lists that moves variables back when their tenure ends. A flip
// costs O(degree log n) and a selection O(1), so large sparse models run
// orders of magnitude faster than with a scan. Ties go to the smallest
// random tag, re-drawn whenever a delta changes.
template <typename T>
class TreeSelector {
 public:
  TreeSelector(size_t n, uint32_t max_tenure, Rng* rng)
      : n_(n), free_(n), tabu_(n), tabu_until_(n, 0), ring_(max_tenure + 2), rng_(rng) {}

  uint64_t clock() const { return clock_; }
  bool IsTabu(VarIndex i) const { return tabu_until_[i] > clock_; }
  void Reset(const internal::FlipState<T>& state) {
    std::fill(tabu_until_.begin(), tabu_until_.end(), 0);
    for (auto& bucket : ring_) bucket.clear();
    clock_ = 1;
    free_.Assign(n_, [&](VarIndex i) { return state.delta(i); }, [this] { return Tag(); });
    tabu_.Assign(n_, [](VarIndex) { return internal::MinTree<T>::kNone; },
                 [] { return UINT32_MAX; });
  }
  void Advance() {
    ++clock_;
    auto& expiring = ring_[clock_ % ring_.size()];
    for (VarIndex i : expiring) {
      if (tabu_until_[i] != clock_) continue;  // re-tabued later; a newer entry exists
      free_.Set(i, tabu_.value(i), Tag());
      tabu_.Set(i, internal::MinTree<T>::kNone, UINT32_MAX);
    }
    expiring.clear();
  }
  void Changed(const internal::FlipState<T>& state, VarIndex j) {
    if (IsTabu(j)) {
      tabu_.Set(j, state.delta(j), Tag());
    } else {
      free_.Set(j, state.delta(j), Tag());
    }
  }
  void MakeTabu(const internal::FlipState<T>& state, VarIndex i, uint32_t tenure) {
    // REQUIRES: tenure + 1 < ring size (the ring must not wrap past it).
    if (!IsTabu(i)) free_.Set(i, internal::MinTree<T>::kNone, UINT32_MAX);
    tabu_.Set(i, state.delta(i), Tag());
    tabu_until_[i] = clock_ + tenure;
    ring_[tabu_until_[i] % ring_.size()].push_back(i);
  }
  VarIndex Select(const internal::FlipState<T>&, T aspiration, Rng* rng) {
    const VarIndex best_free = free_.Min();
    const VarIndex best_tabu = tabu_.Min();
    const T tabu_value = tabu_.value(best_tabu);
    if (tabu_value < aspiration && tabu_value < free_.value(best_free)) return best_tabu;
    if (free_.value(best_free) == internal::MinTree<T>::kNone) {
      return static_cast<VarIndex>(rng->Below(n_));  // everything tabu (tiny n)
    }
    return best_free;
  }

 private:
  uint32_t Tag() { return static_cast<uint32_t>(rng_->Next() >> 32); }

  const size_t n_;
  internal::MinTree<T> free_;  // deltas of free variables (+inf for tabu ones)
  internal::MinTree<T> tabu_;  // deltas of tabu variables (+inf for free ones)
  std::vector<uint64_t> tabu_until_;
  std::vector<std::vector<VarIndex>> ring_;  // ring_[t % size]: tenures ending at t
  uint64_t clock_ = 1;
  Rng* rng_;
};

// One run of iterated tabu search over a ModelView<T>. Owned by one thread.
template <typename T, template <typename> class Selector>
class TabuRun {
 public:
  using Energy = typename internal::ModelView<T>::Energy;

  TabuRun(const internal::ModelView<T>& view, const Resolved& params, SolveControl* control)
      : params_(params),
        control_(control),
        n_(static_cast<VarIndex>(view.size())),
        state_(view),
        rng_(0),
        selector_(MakeSelector()),
        best_(n_, 0) {}

  // One run: `max_iterations` moves (0 = until stopped).
  void Run(uint64_t run, uint64_t max_iterations, std::span<const uint8_t> initial) {
    rng_ = Rng(internal::DeriveSeed(control_->seed(), run));
    run_ = run;
    if (!initial.empty()) {
      state_.Assign(initial);
    } else {
      state_.Randomize(&rng_);
    }
    selector_.Reset(state_);
    best_.assign(state_.bits().begin(), state_.bits().end());
    best_energy_ = state_.energy();
    pending_ = false;
    Offer();

    uint32_t strength = params_.perturb_min;
    Energy previous_phase_best = std::numeric_limits<Energy>::max();
    Energy phase_best = state_.energy();
    uint64_t since_improvement = 0;
    uint64_t iteration = 0;
    uint64_t reported = 0;
    while (max_iterations == 0 || iteration < max_iterations) {
      if ((iteration & 1023) == 0) {
        control_->AddIterations(iteration - reported);
        reported = iteration;
        if (control_->ShouldStop()) break;
      }
      ++iteration;
      selector_.Advance();
      const VarIndex move = selector_.Select(state_, Aspiration(), &rng_);
      if (pending_ && state_.delta(move) >= 0) SaveBest();
      state_.Flip(move, [this](VarIndex j) { selector_.Changed(state_, j); });
      selector_.MakeTabu(state_, move, params_.tenure + rng_.Below(params_.tenure_random + 1));
      phase_best = std::min(phase_best, state_.energy());
      if (state_.energy() < best_energy_) {
        best_energy_ = state_.energy();
        pending_ = true;
        since_improvement = 0;
      } else if (++since_improvement >= params_.stall) {
        if (pending_) SaveBest();
        // Falling back into the same local optimum means the kick was too
        // weak: strengthen it; any new ground resets it.
        strength = phase_best == previous_phase_best ? std::min(strength + 1, params_.perturb_max)
                                                     : params_.perturb_min;
        previous_phase_best = phase_best;
        Restart(strength);
        phase_best = state_.energy();
        since_improvement = 0;
        if (state_.energy() < best_energy_) {  // the kick itself improved
          best_energy_ = state_.energy();
          pending_ = true;
        }
      }
    }
    if (pending_) SaveBest();
    control_->AddIterations(iteration - reported);
  }

 private:
  Selector<T> MakeSelector() {
    if constexpr (std::is_same_v<Selector<T>, TreeSelector<T>>) {
      return Selector<T>(n_, params_.tenure + params_.tenure_random, &rng_);
    } else {
      return Selector<T>(n_);
    }
  }

  // A tabu move is admissible when energy + delta < best_energy_.
  T Aspiration() const {
    const Energy gap = best_energy_ - state_.energy();  // <= 0
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(std::max<Energy>(gap, std::numeric_limits<T>::min()));
    } else {
      return gap;
    }
  }

  void SaveBest() {
    best_.assign(state_.bits().begin(), state_.bits().end());
    pending_ = false;
    Offer();
  }
  void Offer() { control_->Offer(run_, static_cast<double>(best_energy_), best_); }

  // `strength` random flips from the current state (or from the run's best
  // with restart_from_best), which stay tabu for one tenure; the rest of the
  // tabu list is cleared.
  void Restart(uint32_t strength) {
    if (params_.from_best) state_.Assign(best_);
    selector_.Reset(state_);
    for (uint32_t k = 0; k < strength; ++k) {
      const VarIndex i = rng_.Below(n_);
      if (selector_.IsTabu(i)) continue;  // flipped already by this kick
      state_.Flip(i, [this](VarIndex j) { selector_.Changed(state_, j); });
      selector_.MakeTabu(state_, i, params_.tenure);
    }
  }

  const Resolved params_;
  SolveControl* const control_;
  const VarIndex n_;
  internal::FlipState<T> state_;
  Rng rng_;
  Selector<T> selector_;
  std::vector<uint8_t> best_;  // the run's best assignment (stale while pending_)
  Energy best_energy_ = 0;
  bool pending_ = false;  // the current state is the run's best and not saved yet
  uint64_t run_ = 0;
};

template <typename T, template <typename> class Selector>
void RunAll(const QuboModel& model, const TabuParams& params, const Resolved& resolved,
            const SolveOptions& options, SolveControl* control) {
  const internal::ModelView<T> view(model);
  const uint64_t runs = params.runs != 0 ? params.runs : static_cast<uint64_t>(options.threads);
  const int threads = static_cast<int>(std::min<uint64_t>(options.threads, runs));
  internal::RunDispenser dispenser(runs);
  internal::RunOnThreads(threads, [&](int) {
    TabuRun<T, Selector> worker(view, resolved, control);
    uint64_t run = 0;
    while (!control->stopped() && dispenser.Next(&run)) {
      std::span<const uint8_t> initial;
      if (run == 0) initial = options.initial;
      worker.Run(run, params.iterations_per_run, initial);
    }
  });
}

// The scan costs about n/4 vector steps per move; the trees about
// 2 log2(n) node updates per changed delta, i.e. per neighbour.
bool PreferTrees(const QuboModel& model, TabuSelection selection) {
  if (selection != TabuSelection::kAuto) return selection == TabuSelection::kTrees;
  const double n = static_cast<double>(model.num_variables());
  const double mean_degree = 2.0 * static_cast<double>(model.couplings().num_pairs()) / n;
  return (mean_degree + 1) * std::log2(n + 1) * 2 < n / 4;
}

template <typename T>
void Dispatch(const QuboModel& model, const TabuParams& params, const Resolved& resolved,
              const SolveOptions& options, SolveControl* control) {
  if (PreferTrees(model, params.selection)) {
    RunAll<T, TreeSelector>(model, params, resolved, options, control);
  } else {
    RunAll<T, ScanSelector>(model, params, resolved, options, control);
  }
}

}  // namespace

Result<SolveResult> TabuSearch::Solve(const QuboModel& model, const SolveOptions& options) const {
  NQ_RETURN_IF_ERROR(SolveControl::Validate(model, options, params_.iterations_per_run != 0));
  SolveControl control("tabu", model, options);
  if (model.num_variables() == 0) return control.Finish(true);
  const Resolved resolved = Resolve(params_, model.num_variables());
  if (internal::FitsInt32(model)) {
    Dispatch<int32_t>(model, params_, resolved, options, &control);
  } else {
    Dispatch<double>(model, params_, resolved, options, &control);
  }
  return control.Finish();
}

}  // namespace neuroquantum::quantum
