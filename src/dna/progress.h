// Progress reporting and cancellation shared by the long-running loops of
// the module. The callback and flag belong to the caller (see dna.h).
//
// Thread safety: a Progress is used by one thread; the cancel flag may be set
// from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace neuroquantum::dna {

// Called with (units done, units total); returning false cancels.
using ProgressCallback = std::function<bool(uint64_t done, uint64_t total)>;

class Progress {
 public:
  Progress(const ProgressCallback* callback, const std::atomic<bool>* cancel, uint64_t total)
      : callback_(callback), cancel_(cancel), total_(total) {}

  // Reports `done` units; returns false once the caller asked to stop.
  bool Report(uint64_t done) {
    if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) return false;
    if (callback_ != nullptr && *callback_ && !(*callback_)(done, total_)) return false;
    return true;
  }

  // Units between two reports in the inner loops.
  static constexpr uint64_t kInterval = 1 << 16;

 private:
  const ProgressCallback* callback_;
  const std::atomic<bool>* cancel_;
  uint64_t total_;
};

}  // namespace neuroquantum::dna
