// Small threading helpers for the solvers: run a function on T threads (the
// caller's thread is one of them) and hand out run indices.
//
// Thread safety: RunDispenser is safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace neuroquantum::quantum::internal {

// Calls fn(t) for t in [0, threads) concurrently and returns when all are
// done. fn must not throw.
template <typename Fn>
void RunOnThreads(int threads, Fn&& fn) {
  std::vector<std::thread> workers;
  workers.reserve(threads > 1 ? threads - 1 : 0);
  for (int t = 1; t < threads; ++t) workers.emplace_back([&fn, t] { fn(t); });
  fn(0);
  for (std::thread& worker : workers) worker.join();
}

// Hands out run indices 0, 1, 2, ... up to `limit` (0 = no limit).
class RunDispenser {
 public:
  explicit RunDispenser(uint64_t limit) : limit_(limit) {}
  // Stores the next run index in *run; false when all runs are handed out.
  bool Next(uint64_t* run) {
    const uint64_t value = next_.fetch_add(1, std::memory_order_relaxed);
    if (limit_ != 0 && value >= limit_) return false;
    *run = value;
    return true;
  }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace neuroquantum::quantum::internal
