// MinTree<T>: a tournament tree over n keys (value, tag) that tells the
// index of the smallest key in O(1) and takes a key change in O(log n).
// Ties in value go to the smaller tag; callers pass fresh random tags so
// that ties are broken at random. Tabu search uses two of these to choose
// moves on large sparse models, where a full scan of n flip deltas per move
// would dominate (see tabu_search.cc).
//
// Invariant: winner_[p] (1 <= p < leaves_) is the leaf index with the
// smallest key in the subtree of node p; leaves are nodes leaves_ .. 2
// leaves_ - 1, and leaves at index >= n hold +infinity forever.
//
// Thread safety: a value; one owner thread.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "quantum/couplings.h"

namespace neuroquantum::quantum::internal {

template <typename T>
class MinTree {
 public:
  static constexpr T kNone = std::numeric_limits<T>::has_infinity
                                 ? std::numeric_limits<T>::infinity()
                                 : std::numeric_limits<T>::max();

  explicit MinTree(size_t n) {
    leaves_ = 1;
    while (leaves_ < n) leaves_ *= 2;
    value_.assign(leaves_, kNone);
    tag_.assign(leaves_, UINT32_MAX);
    winner_.assign(leaves_, 0);
    Rebuild();
  }

  VarIndex Min() const { return leaves_ == 1 ? 0 : winner_[1]; }
  T MinValue() const { return value_[Min()]; }
  T value(VarIndex i) const { return value_[i]; }

  void Set(VarIndex i, T value, uint32_t tag) {
    value_[i] = value;
    tag_[i] = tag;
    // Recompute winners up the path; stop once a winner is unchanged and is
    // not i (then no ancestor's inputs changed).
    for (size_t node = (leaves_ + i) >> 1; node >= 1; node >>= 1) {
      const size_t left = 2 * node;
      const VarIndex a = left >= leaves_ ? static_cast<VarIndex>(left - leaves_) : winner_[left];
      const VarIndex b =
          left + 1 >= leaves_ ? static_cast<VarIndex>(left + 1 - leaves_) : winner_[left + 1];
      const VarIndex win = Less(b, a) ? b : a;
      if (win == winner_[node] && win != i) break;
      winner_[node] = win;
    }
  }

  // Sets every key at once: O(n).
  template <typename ValueOf, typename TagOf>
  void Assign(size_t n, ValueOf&& value_of, TagOf&& tag_of) {
    for (size_t i = 0; i < n; ++i) {
      value_[i] = value_of(static_cast<VarIndex>(i));
      tag_[i] = tag_of();
    }
    Rebuild();
  }

 private:
  bool Less(VarIndex a, VarIndex b) const {
    return value_[a] < value_[b] || (value_[a] == value_[b] && tag_[a] < tag_[b]);
  }
  void Rebuild() {
    for (size_t node = leaves_ - 1; node >= 1; --node) {
      const size_t left = 2 * node;
      const VarIndex a = left >= leaves_ ? static_cast<VarIndex>(left - leaves_) : winner_[left];
      const VarIndex b =
          left + 1 >= leaves_ ? static_cast<VarIndex>(left + 1 - leaves_) : winner_[left + 1];
      winner_[node] = Less(b, a) ? b : a;
    }
  }

  size_t leaves_;
  std::vector<T> value_;
  std::vector<uint32_t> tag_;
  std::vector<VarIndex> winner_;  // index 0 unused
};

}  // namespace neuroquantum::quantum::internal
