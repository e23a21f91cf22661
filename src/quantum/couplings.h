// Couplings: the symmetric pairwise weights of a QUBO or Ising model in
// compressed sparse row form. Row i lists every j != i with a non-zero
// weight w_ij, sorted by j; each pair is stored in both rows (w_ij == w_ji),
// so a solver reaches all neighbours of a variable in one contiguous scan.
//
// Thread safety: immutable after construction; share freely for reading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "neuroquantum/result.h"

namespace neuroquantum::quantum {

using VarIndex = uint32_t;

// One pairwise term w * (variable i) * (variable j). Terms with i == j are
// rejected by Couplings (they are linear terms of the model).
struct PairTerm {
  VarIndex i;
  VarIndex j;
  double weight;
};

class Couplings {
 public:
  Couplings() = default;  // no variables

  // Builds the symmetric form of `terms` over n variables. Duplicate pairs
  // (in either order) are summed; pairs summing to 0 are dropped.
  // Errors: InvalidArgument for an index >= n, i == j, or a non-finite weight.
  static Result<Couplings> Build(size_t num_variables, std::span<const PairTerm> terms);

  size_t num_variables() const { return row_begin_.empty() ? 0 : row_begin_.size() - 1; }
  // Number of distinct pairs (each counted once).
  size_t num_pairs() const { return neighbors_.size() / 2; }

  // The neighbours of i and the matching weights (same length, sorted by
  // neighbour). Valid while this object lives.
  std::span<const VarIndex> neighbors(VarIndex i) const {
    return {neighbors_.data() + row_begin_[i], neighbors_.data() + row_begin_[i + 1]};
  }
  std::span<const double> weights(VarIndex i) const {
    return {weights_.data() + row_begin_[i], weights_.data() + row_begin_[i + 1]};
  }
  size_t degree(VarIndex i) const { return row_begin_[i + 1] - row_begin_[i]; }

  // Raw CSR arrays for hot loops: row i spans [row_begin()[i], row_begin()[i+1]).
  const uint64_t* row_begin() const { return row_begin_.data(); }
  const VarIndex* neighbor_data() const { return neighbors_.data(); }
  const double* weight_data() const { return weights_.data(); }

  // Every pair once, i < j, ordered by (i, j).
  std::vector<PairTerm> Pairs() const;

 private:
  std::vector<uint64_t> row_begin_;  // size n + 1 (empty when n == 0)
  std::vector<VarIndex> neighbors_;
  std::vector<double> weights_;
};

}  // namespace neuroquantum::quantum
