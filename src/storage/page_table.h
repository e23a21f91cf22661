// PageTable: the buffer pool's map from page id to frame, an open-addressing
// hash table with linear probing and backward-shift deletion (no
// tombstones). It replaces a node-based std::unordered_map on the hottest
// path of every page access: one probe usually touches one cache line,
// where the node-based map touched a bucket array and a heap node.
//
// The table holds at most `max_entries` entries (one per buffer-pool frame)
// in a power-of-two array of at least twice that many slots, so probe
// sequences stay short and it never needs to grow.
//
// Thread safety: none; the buffer pool guards it with its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "storage/page.h"

namespace neuroquantum::storage {

class PageTable {
 public:
  explicit PageTable(size_t max_entries);

  std::optional<FrameId> Find(PageId id) const {
    for (size_t i = Home(id);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.frame == kEmpty) return std::nullopt;
      if (s.page == id) return s.frame;
    }
  }
  // REQUIRES: `id` is absent and size() < max_entries.
  void Insert(PageId id, FrameId frame);
  // Returns whether `id` was present.
  bool Erase(PageId id);
  size_t size() const { return size_; }

 private:
  static constexpr FrameId kEmpty = ~FrameId{0};
  struct Slot {
    PageId page = 0;
    FrameId frame = kEmpty;
  };

  // Fibonacci hashing: page ids are dense small integers, and the
  // multiplication spreads neighbours over the whole table.
  size_t Home(PageId id) const {
    return static_cast<size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  unsigned shift_ = 0;
  size_t max_entries_ = 0;
  size_t size_ = 0;
};

}  // namespace neuroquantum::storage
