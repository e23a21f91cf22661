// CLOCK replacement.
#include "storage/replacer.h"

namespace neuroquantum::storage {

std::optional<FrameId> ClockReplacer::Victim(const std::function<bool(FrameId)>& evictable) {
  size_t n = referenced_.size();
  // Two full sweeps suffice: the first clears reference bits, the second
  // must then find any evictable frame.
  for (size_t step = 0; step < 2 * n + 1; ++step) {
    auto frame = static_cast<FrameId>(hand_);
    hand_ = (hand_ + 1) % n;
    if (!evictable(frame)) continue;
    if (referenced_[frame]) {
      referenced_[frame] = false;
      continue;
    }
    return frame;
  }
  return std::nullopt;
}

}  // namespace neuroquantum::storage
