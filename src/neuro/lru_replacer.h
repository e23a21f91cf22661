// Least-recently-used replacement, the baseline the learned policies are
// measured against (the engine's default is CLOCK, storage/replacer.h).
//
// Thread safety: as storage::ReplacementPolicy (the caller serialises).
#pragma once

#include <list>
#include <vector>

#include "storage/replacer.h"

namespace neuroquantum::neuro {

class LruReplacer final : public storage::ReplacementPolicy {
 public:
  explicit LruReplacer(size_t num_frames);
  void RecordAccess(storage::FrameId frame, storage::PageId page) override;
  void Remove(storage::FrameId frame) override;
  // The least recently used evictable frame.
  std::optional<storage::FrameId> Victim(const std::function<bool(storage::FrameId)>& evictable) override;
  const char* name() const override { return "lru"; }

 private:
  std::list<storage::FrameId> order_;  // most recent first
  std::vector<std::list<storage::FrameId>::iterator> where_;
  std::vector<bool> present_;
};

}  // namespace neuroquantum::neuro
