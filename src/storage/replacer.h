// Replacement policies for the buffer pool. The pool asks the policy for a
// victim among frames that are not pinned; the policy sees every access.
// A learned (Hebbian) policy can be plugged in later through this interface.
//
// Thread safety: the buffer pool calls every method with its table mutex
// held, so implementations need no locking of their own.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "storage/page.h"

namespace neuroquantum::storage {

class ReplacementPolicy {
 public:
  virtual ~ReplacementPolicy() = default;
  // A page was fetched into / found in `frame`.
  virtual void RecordAccess(FrameId frame, PageId page) = 0;
  // `frame` no longer holds a page.
  virtual void Remove(FrameId frame) = 0;
  // Picks a frame to evict among those for which `evictable` is true.
  virtual std::optional<FrameId> Victim(const std::function<bool(FrameId)>& evictable) = 0;
  virtual const char* name() const = 0;
};

// CLOCK (second chance): one reference bit per frame and a rotating hand.
class ClockReplacer final : public ReplacementPolicy {
 public:
  explicit ClockReplacer(size_t num_frames) : referenced_(num_frames, false) {}
  void RecordAccess(FrameId frame, PageId) override { referenced_[frame] = true; }
  void Remove(FrameId frame) override { referenced_[frame] = false; }
  std::optional<FrameId> Victim(const std::function<bool(FrameId)>& evictable) override;
  const char* name() const override { return "clock"; }

 private:
  std::vector<bool> referenced_;
  size_t hand_ = 0;
};

}  // namespace neuroquantum::storage
