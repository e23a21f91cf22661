// What every trainer accepts besides its data: a progress callback and a
// cancellation flag, so a caller (the shell now, REST training jobs later)
// can show progress and stop a long run.
//
// Thread safety: the callback runs on the training thread; `cancel` may be
// set from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <limits>

namespace neuroquantum::neuro {

struct EpochProgress {
  int epoch = 0;   // 1-based epoch just finished
  int epochs = 0;  // the maximum number of epochs
  double train_loss = 0.0;
  // Loss on the held-out validation split; NaN when there is none.
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
};

struct TrainControl {
  std::function<void(const EpochProgress&)> on_epoch;  // may be empty
  const std::atomic<bool>* cancel = nullptr;           // training stops with Aborted when set
  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

}  // namespace neuroquantum::neuro
