// Helpers the Monte Carlo solvers share: automatic temperature scales read
// off the model, Metropolis acceptance, and a greedy-descent polish that ends
// every annealing run in a local minimum.
//
// Thread safety: free functions; FlipState arguments belong to the caller.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "quantum/internal/flip_state.h"
#include "quantum/internal/rng.h"
#include "quantum/qubo_model.h"

namespace neuroquantum::quantum::internal {

// Energy scales of a model, for automatic temperature ranges.
struct EnergyScale {
  double max_delta = 1;       // largest |flip delta| seen at random assignments
  double mean_delta = 1;      // mean |flip delta| at random assignments
  double min_delta = 1;       // smallest non-zero |coefficient|
};

// Samples flip deltas at a few random assignments (seeded, so deterministic).
EnergyScale MeasureEnergyScale(const QuboModel& model, uint64_t seed);

// Default annealing range: hot enough that the largest typical uphill move
// is accepted half the time, cold enough that the smallest one is accepted
// 1% of the time (as in D-Wave's neal sampler).
inline double HotTemperature(const EnergyScale& s) { return s.max_delta / std::log(2.0); }
inline double ColdTemperature(const EnergyScale& s) { return s.min_delta / std::log(100.0); }

// Metropolis at inverse temperature beta: accept a move of energy change
// `delta` with probability min(1, exp(-beta * delta)).
inline bool MetropolisAccept(double delta, double beta, Rng* rng) {
  if (delta <= 0) return true;
  const double exponent = delta * beta;
  if (exponent > 40) return false;  // exp(-40) ~ 4e-18: never in practice
  return rng->Uniform() < std::exp(-exponent);
}

// Flips improving variables, sweeping in index order, until a whole sweep
// improves nothing: a local minimum for single flips. Each sweep costs
// O(n + flips * degree). Returns the number of flips.
template <typename T>
uint64_t GreedyDescent(FlipState<T>* state) {
  uint64_t flips = 0;
  const VarIndex n = static_cast<VarIndex>(state->size());
  for (bool improved = true; improved;) {
    improved = false;
    for (VarIndex i = 0; i < n; ++i) {
      if (state->delta(i) < 0) {
        state->Flip(i);
        ++flips;
        improved = true;
      }
    }
  }
  return flips;
}

}  // namespace neuroquantum::quantum::internal
