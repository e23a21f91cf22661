// ModelView<T>: a QUBO model's coefficients as plain arrays of the value
// type a solver's inner loop works in. T = double views the model's own
// arrays; T = int32_t holds converted copies and is chosen when every
// coefficient is an integer and no flip delta can reach 2^30, so that deltas
// and comparisons are exact and the move-selection scans vectorise well.
//
// Thread safety: immutable after construction; shared by a solve's threads.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "quantum/qubo_model.h"

namespace neuroquantum::quantum::internal {

template <typename T>
class ModelView {
 public:
  // Energies: int64_t for integer views (sums of many int32 terms), double
  // otherwise.
  using Energy = std::conditional_t<std::is_integral_v<T>, int64_t, double>;

  explicit ModelView(const QuboModel& model)
      : model_(&model),
        n_(model.num_variables()),
        row_begin_(model.couplings().row_begin()),
        neighbors_(model.couplings().neighbor_data()) {
    if constexpr (std::is_same_v<T, double>) {
      linear_ = model.linear().data();
      weights_ = model.couplings().weight_data();
    } else {
      // REQUIRES: FitsInt32(model).
      linear_copy_.reserve(n_);
      for (double a : model.linear()) linear_copy_.push_back(static_cast<T>(a));
      const size_t entries = 2 * model.couplings().num_pairs();
      weight_copy_.reserve(entries);
      for (size_t k = 0; k < entries; ++k) {
        weight_copy_.push_back(static_cast<T>(model.couplings().weight_data()[k]));
      }
      linear_ = linear_copy_.data();
      weights_ = weight_copy_.data();
    }
  }
  ModelView(const ModelView&) = delete;
  ModelView& operator=(const ModelView&) = delete;

  const QuboModel& model() const { return *model_; }
  size_t size() const { return n_; }
  const uint64_t* row_begin() const { return row_begin_; }
  const VarIndex* neighbors() const { return neighbors_; }
  const T* weights() const { return weights_; }
  const T* linear() const { return linear_; }
  // The model's offset, as an energy. Integer views drop a fractional
  // offset; energies reported to callers are recomputed from the model.
  Energy offset() const { return static_cast<Energy>(model_->offset()); }

 private:
  const QuboModel* model_;
  size_t n_;
  const uint64_t* row_begin_;
  const VarIndex* neighbors_;
  const T* linear_ = nullptr;
  const T* weights_ = nullptr;
  std::vector<T> linear_copy_;
  std::vector<T> weight_copy_;
};

// True when every coefficient is an integer and |linear_i| + sum_j |w_ij|
// (the largest a flip delta can be) stays below 2^30 for every i.
inline bool FitsInt32(const QuboModel& model) {
  if (!model.HasIntegerCoefficients()) return false;
  const Couplings& c = model.couplings();
  for (VarIndex i = 0; i < model.num_variables(); ++i) {
    double bound = std::fabs(model.linear(i));
    for (double w : c.weights(i)) bound += std::fabs(w);
    if (bound >= double{1 << 30}) return false;
  }
  return true;
}

}  // namespace neuroquantum::quantum::internal
