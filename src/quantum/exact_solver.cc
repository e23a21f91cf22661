// Exact enumeration in Gray-code order, chunked over threads.
#include "quantum/exact_solver.h"

#include <algorithm>
#include <bit>

#include "quantum/internal/flip_state.h"
#include "quantum/internal/model_view.h"
#include "quantum/internal/parallel.h"
#include "quantum/internal/solve_control.h"

namespace neuroquantum::quantum {
namespace {

using internal::FlipState;
using internal::SolveControl;

// Enumerates chunk `chunk`: the top `prefix_bits` variables fixed to the
// chunk's bits, the low `low_bits` ones in Gray order. Returns false if
// stopped early.
template <typename T>
bool EnumerateChunk(FlipState<T>* state, uint64_t chunk, uint32_t low_bits, uint32_t prefix_bits,
                    SolveControl* control) {
  using Energy = typename FlipState<T>::Energy;
  const size_t n = state->size();
  std::vector<uint8_t> x(n, 0);
  for (uint32_t b = 0; b < prefix_bits; ++b) x[low_bits + b] = (chunk >> b) & 1;
  state->Assign(x);
  Energy best = state->energy();
  uint64_t best_step = 0;
  const uint64_t steps = uint64_t{1} << low_bits;
  constexpr uint64_t kCheckEvery = uint64_t{1} << 16;
  for (uint64_t step = 1; step < steps; ++step) {
    if (step % kCheckEvery == 0) {
      control->AddIterations(kCheckEvery);
      if (control->ShouldStop()) return false;
      if constexpr (!std::is_integral_v<T>) state->Resync();  // bound rounding drift
    }
    state->Flip(static_cast<VarIndex>(std::countr_zero(step)));
    if (state->energy() < best) {
      best = state->energy();
      best_step = step;
    }
  }
  control->AddIterations(steps % kCheckEvery);
  // The assignment at Gray step g has low bits g ^ (g >> 1).
  const uint64_t gray = best_step ^ (best_step >> 1);
  for (uint32_t b = 0; b < low_bits; ++b) x[b] = (gray >> b) & 1;
  control->Offer(chunk, static_cast<double>(best), x);
  return true;
}

template <typename T>
bool EnumerateAll(const QuboModel& model, const SolveOptions& options, SolveControl* control) {
  const internal::ModelView<T> view(model);
  const uint32_t n = static_cast<uint32_t>(model.num_variables());
  const uint32_t prefix_bits = std::min<uint32_t>(n, n > 16 ? 6 : 0);
  const uint32_t low_bits = n - prefix_bits;
  const uint64_t chunks = uint64_t{1} << prefix_bits;
  const int threads = static_cast<int>(std::min<uint64_t>(options.threads, chunks));
  internal::RunDispenser dispenser(chunks);
  std::atomic<bool> complete{true};
  internal::RunOnThreads(threads, [&](int) {
    FlipState<T> state(view);
    uint64_t chunk = 0;
    while (dispenser.Next(&chunk)) {
      if (!EnumerateChunk(&state, chunk, low_bits, prefix_bits, control)) {
        complete.store(false);
        return;
      }
    }
  });
  return complete.load();
}

}  // namespace

Result<SolveResult> ExactSolver::Solve(const QuboModel& model, const SolveOptions& options) const {
  NQ_RETURN_IF_ERROR(SolveControl::Validate(model, options, /*has_budget=*/true));
  if (model.num_variables() > std::min<uint32_t>(params_.max_variables, 62)) {
    return Status::InvalidArgument("exact enumeration is limited to " +
                                   std::to_string(params_.max_variables) + " variables, not " +
                                   std::to_string(model.num_variables()));
  }
  SolveControl control("exact", model, options);
  if (model.num_variables() == 0) return control.Finish(true);
  const bool complete = internal::FitsInt32(model)
                            ? EnumerateAll<int32_t>(model, options, &control)
                            : EnumerateAll<double>(model, options, &control);
  return control.Finish(complete);
}

}  // namespace neuroquantum::quantum
