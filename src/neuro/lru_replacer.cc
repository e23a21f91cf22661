// LRU replacement over an intrusive recency list.
#include "neuro/lru_replacer.h"

namespace neuroquantum::neuro {

LruReplacer::LruReplacer(size_t num_frames) : where_(num_frames), present_(num_frames, false) {}

void LruReplacer::RecordAccess(storage::FrameId frame, storage::PageId) {
  if (present_[frame]) {
    order_.splice(order_.begin(), order_, where_[frame]);
  } else {
    order_.push_front(frame);
    present_[frame] = true;
  }
  where_[frame] = order_.begin();
}

void LruReplacer::Remove(storage::FrameId frame) {
  if (!present_[frame]) return;
  order_.erase(where_[frame]);
  present_[frame] = false;
}

std::optional<storage::FrameId> LruReplacer::Victim(
    const std::function<bool(storage::FrameId)>& evictable) {
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if (evictable(*it)) return *it;
  }
  return std::nullopt;
}

}  // namespace neuroquantum::neuro
