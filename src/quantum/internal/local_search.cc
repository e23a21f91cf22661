// MeasureEnergyScale.
#include "quantum/internal/local_search.h"

#include <algorithm>

#include "quantum/internal/model_view.h"

namespace neuroquantum::quantum::internal {

EnergyScale MeasureEnergyScale(const QuboModel& model, uint64_t seed) {
  EnergyScale scale;
  const size_t n = model.num_variables();
  double min_coefficient = std::numeric_limits<double>::infinity();
  for (double a : model.linear()) {
    if (a != 0) min_coefficient = std::min(min_coefficient, std::fabs(a));
  }
  const double* weights = model.couplings().weight_data();
  for (size_t k = 0; k < 2 * model.couplings().num_pairs(); ++k) {
    min_coefficient = std::min(min_coefficient, std::fabs(weights[k]));
  }
  if (n == 0 || !std::isfinite(min_coefficient)) return scale;
  const ModelView<double> view(model);
  FlipState<double> state(view);
  Rng rng(DeriveSeed(seed, 0x5ca1e));
  double max_delta = 0;
  double sum = 0;
  uint64_t count = 0;
  for (int sample = 0; sample < 4; ++sample) {
    state.Randomize(&rng);
    for (VarIndex i = 0; i < n; ++i) {
      const double d = std::fabs(state.delta(i));
      max_delta = std::max(max_delta, d);
      sum += d;
      ++count;
    }
  }
  scale.min_delta = min_coefficient;
  scale.max_delta = std::max(max_delta, min_coefficient);
  scale.mean_delta = std::max(sum / static_cast<double>(count), min_coefficient);
  return scale;
}

}  // namespace neuroquantum::quantum::internal
