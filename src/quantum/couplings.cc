// Couplings: building the symmetric CSR form from a list of pair terms.
#include "quantum/couplings.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace neuroquantum::quantum {

Result<Couplings> Couplings::Build(size_t num_variables, std::span<const PairTerm> terms) {
  if (num_variables > (size_t{1} << 31)) {
    return Status::InvalidArgument("too many variables: " + std::to_string(num_variables));
  }
  // Normalise to i < j, then sort and merge duplicates.
  std::vector<PairTerm> pairs;
  pairs.reserve(terms.size());
  for (const PairTerm& term : terms) {
    if (term.i >= num_variables || term.j >= num_variables) {
      return Status::InvalidArgument("pair (" + std::to_string(term.i) + ", " +
                                     std::to_string(term.j) + ") outside " +
                                     std::to_string(num_variables) + " variables");
    }
    if (term.i == term.j) {
      return Status::InvalidArgument("pair term with i == j == " + std::to_string(term.i));
    }
    if (!std::isfinite(term.weight)) {
      return Status::InvalidArgument("non-finite weight on pair (" + std::to_string(term.i) +
                                     ", " + std::to_string(term.j) + ")");
    }
    pairs.push_back({std::min(term.i, term.j), std::max(term.i, term.j), term.weight});
  }
  std::sort(pairs.begin(), pairs.end(), [](const PairTerm& a, const PairTerm& b) {
    return a.i != b.i ? a.i < b.i : a.j < b.j;
  });
  size_t merged = 0;
  for (size_t k = 0; k < pairs.size();) {
    PairTerm sum = pairs[k++];
    while (k < pairs.size() && pairs[k].i == sum.i && pairs[k].j == sum.j) sum.weight += pairs[k++].weight;
    if (sum.weight != 0.0) pairs[merged++] = sum;
  }
  pairs.resize(merged);

  Couplings out;
  out.row_begin_.assign(num_variables + 1, 0);
  for (const PairTerm& p : pairs) {
    ++out.row_begin_[p.i + 1];
    ++out.row_begin_[p.j + 1];
  }
  for (size_t i = 0; i < num_variables; ++i) out.row_begin_[i + 1] += out.row_begin_[i];
  out.neighbors_.resize(2 * pairs.size());
  out.weights_.resize(2 * pairs.size());
  std::vector<uint64_t> cursor(out.row_begin_.begin(), out.row_begin_.end() - 1);
  // Row v holds the u < v of pairs (u, v) and then the w > v of pairs
  // (v, w). With pairs sorted by (i, j), the first pass appends each row's
  // lower entries in increasing u and the second its upper entries in
  // increasing w, so every row ends up sorted.
  for (const PairTerm& p : pairs) {  // entries below the diagonal: row j gets i < j
    out.neighbors_[cursor[p.j]] = p.i;
    out.weights_[cursor[p.j]++] = p.weight;
  }
  for (const PairTerm& p : pairs) {  // entries above the diagonal: row i gets j > i
    out.neighbors_[cursor[p.i]] = p.j;
    out.weights_[cursor[p.i]++] = p.weight;
  }
  return out;
}

std::vector<PairTerm> Couplings::Pairs() const {
  std::vector<PairTerm> out;
  out.reserve(num_pairs());
  for (VarIndex i = 0; i < num_variables(); ++i) {
    auto nbrs = neighbors(i);
    auto ws = weights(i);
    for (size_t k = 0; k < nbrs.size(); ++k) {
      if (nbrs[k] > i) out.push_back({i, nbrs[k], ws[k]});
    }
  }
  return out;
}

}  // namespace neuroquantum::quantum
