// PageTable: insertion and backward-shift deletion.
#include "storage/page_table.h"

#include <bit>
#include <cassert>

namespace neuroquantum::storage {

PageTable::PageTable(size_t max_entries) : max_entries_(max_entries) {
  size_t capacity = std::bit_ceil(std::max<size_t>(16, 2 * max_entries));
  slots_.resize(capacity);
  mask_ = capacity - 1;
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
}

void PageTable::Insert(PageId id, FrameId frame) {
  assert(size_ < max_entries_ && frame != kEmpty);
  size_t i = Home(id);
  while (slots_[i].frame != kEmpty) {
    assert(slots_[i].page != id && "page already mapped");
    i = (i + 1) & mask_;
  }
  slots_[i] = {id, frame};
  ++size_;
}

bool PageTable::Erase(PageId id) {
  size_t i = Home(id);
  while (true) {
    if (slots_[i].frame == kEmpty) return false;
    if (slots_[i].page == id) break;
    i = (i + 1) & mask_;
  }
  // Backward shift: pull later members of the probe run into the hole when
  // their home position lies cyclically at or before it, so that every
  // remaining entry is still reachable from its home without tombstones.
  size_t hole = i;
  for (size_t j = (hole + 1) & mask_; slots_[j].frame != kEmpty; j = (j + 1) & mask_) {
    size_t home = Home(slots_[j].page);
    bool movable = ((j - home) & mask_) >= ((j - hole) & mask_);
    if (movable) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --size_;
  return true;
}

}  // namespace neuroquantum::storage
