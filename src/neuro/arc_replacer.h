// ARC, adaptive replacement (Megiddo & Modha, FAST 2003), as a further
// baseline: resident pages are split between T1 (seen once recently) and T2
// (seen at least twice); ghost lists B1 and B2 remember pages recently
// evicted from each, and a hit on a ghost moves the target size p of T1
// towards the list that would have kept it.
//
// Fitted to the ReplacementPolicy interface: Victim() only chooses (from T1
// when |T1| > p, else T2; falling back to the other list when nothing there
// is evictable), Remove() moves the page to its ghost list, and
// RecordAccess() of a page not resident adapts p and places it.
//
// Thread safety: as storage::ReplacementPolicy (the caller serialises).
#pragma once

#include <list>
#include <unordered_map>
#include <vector>

#include "storage/replacer.h"

namespace neuroquantum::neuro {

class ArcReplacer final : public storage::ReplacementPolicy {
 public:
  explicit ArcReplacer(size_t num_frames);
  void RecordAccess(storage::FrameId frame, storage::PageId page) override;
  void Remove(storage::FrameId frame) override;
  std::optional<storage::FrameId> Victim(const std::function<bool(storage::FrameId)>& evictable) override;
  const char* name() const override { return "arc"; }
  size_t target_t1() const { return p_; }

 private:
  enum ListId : uint8_t { kT1 = 0, kT2 = 1, kB1 = 2, kB2 = 3 };
  struct Entry {
    ListId list;
    std::list<storage::PageId>::iterator pos;
    storage::FrameId frame;  // resident lists only
  };
  void MoveTo(storage::PageId page, Entry* entry, ListId list);
  void DropLru(ListId list);
  std::optional<storage::FrameId> PickFrom(ListId list, const std::function<bool(storage::FrameId)>& evictable);

  const size_t capacity_;
  size_t p_ = 0;  // target size of T1
  std::list<storage::PageId> lists_[4];  // most recent first
  std::unordered_map<storage::PageId, Entry> entries_;
  std::vector<storage::PageId> frame_page_;
  std::vector<bool> frame_used_;
};

}  // namespace neuroquantum::neuro
