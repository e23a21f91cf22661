// FlipState<T>: an assignment of a QUBO model together with the energy
// change of flipping each variable, kept current incrementally. Flipping
// variable i costs O(degree(i)); reading any flip delta costs O(1). Every
// local-search solver in the module (annealing, tempering, SQA slices, tabu)
// walks on one.
//
// For x in {0,1}^n, with the local field f_j = linear_j + sum_k w_jk x_k:
//   delta_j = E(x with x_j flipped) - E(x) = (1 - 2 x_j) f_j.
// Flipping x_i changes f_j by w_ij * (new x_i - old x_i) for each neighbour
// j, hence delta_j by (1 - 2 x_j) * w_ij * (1 - 2 old x_i); delta_i negates.
//
// Integer views (T = int32_t) are exact. With T = double, rounding drifts
// slowly for non-integer coefficients; Resync() recomputes from scratch.
//
// Thread safety: a value; one owner thread at a time. The view must outlive
// the state.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "quantum/internal/model_view.h"
#include "quantum/internal/rng.h"

namespace neuroquantum::quantum::internal {

template <typename T>
class FlipState {
 public:
  using Energy = typename ModelView<T>::Energy;

  // deltas() has padded_size() entries: the n real ones, then padding that
  // holds the largest value of T (+infinity for double), so scans may run
  // in whole blocks of kBlock.
  static constexpr size_t kBlock = 64;
  static constexpr T kPadding = std::numeric_limits<T>::has_infinity
                                    ? std::numeric_limits<T>::infinity()
                                    : std::numeric_limits<T>::max();

  // Starts at x = 0 (energy = offset).
  explicit FlipState(const ModelView<T>& view)
      : view_(&view),
        x_(view.size(), 0),
        direction_(view.size(), 1),
        delta_(view.linear(), view.linear() + view.size()),
        energy_(view.offset()) {
    delta_.resize((view.size() + kBlock - 1) / kBlock * kBlock, kPadding);
  }

  size_t padded_size() const { return delta_.size(); }
  size_t size() const { return x_.size(); }
  Energy energy() const { return energy_; }
  T delta(VarIndex i) const { return delta_[i]; }
  const T* deltas() const { return delta_.data(); }
  uint8_t bit(VarIndex i) const { return x_[i]; }
  std::span<const uint8_t> bits() const { return x_; }

  void Flip(VarIndex i) {
    Flip(i, [](VarIndex) {});
  }
  // Flips x_i and calls on_change(j) for every neighbour j whose delta
  // changed (after the change). delta_i itself always changes.
  template <typename OnChange>
  void Flip(VarIndex i, OnChange&& on_change) {
    const T d = delta_[i];
    const T step = direction_[i];  // +1 when x_i goes 0 -> 1
    energy_ += d;
    delta_[i] = -d;
    x_[i] ^= 1;
    direction_[i] = -step;
    const uint64_t* row_begin = view_->row_begin();
    const VarIndex* neighbors = view_->neighbors();
    const T* weights = view_->weights();
    const uint64_t end = row_begin[i + 1];
    for (uint64_t k = row_begin[i]; k < end; ++k) {
      const VarIndex j = neighbors[k];
      delta_[j] += direction_[j] * weights[k] * step;
      on_change(j);
    }
  }

  // Sets the assignment (size n, 0/1) and recomputes everything: O(n + nnz).
  void Assign(std::span<const uint8_t> x) {
    x_.assign(x.begin(), x.end());
    Resync();
  }
  void Randomize(Rng* rng) {
    for (uint8_t& bit : x_) bit = static_cast<uint8_t>(rng->Next() >> 63);
    Resync();
  }
  // Recomputes deltas and energy from the assignment.
  void Resync() {
    const uint64_t* row_begin = view_->row_begin();
    const VarIndex* neighbors = view_->neighbors();
    const T* weights = view_->weights();
    Energy twice_pairs = 0;  // each pair term counted from both ends
    Energy linear_sum = 0;
    for (VarIndex i = 0; i < x_.size(); ++i) {
      T field = view_->linear()[i];
      for (uint64_t k = row_begin[i]; k < row_begin[i + 1]; ++k) {
        if (x_[neighbors[k]] != 0) field += weights[k];
      }
      direction_[i] = x_[i] != 0 ? T{-1} : T{1};
      delta_[i] = direction_[i] * field;
      if (x_[i] != 0) {
        linear_sum += view_->linear()[i];
        twice_pairs += field - view_->linear()[i];
      }
    }
    energy_ = view_->offset() + linear_sum + twice_pairs / 2;
  }

 private:
  const ModelView<T>* view_;
  std::vector<uint8_t> x_;
  std::vector<T> direction_;  // 1 - 2 x_i
  std::vector<T> delta_;
  Energy energy_;
};

}  // namespace neuroquantum::quantum::internal
