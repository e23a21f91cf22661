// LockManager: compatibility, FIFO waits, upgrades, lock timeout, deadlock
// cycles of two and three transactions (one victim, the others proceed),
// and the default deadlock timeout of one second.
#include "txn/lock_manager.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace neuroquantum::txn {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto S = LockMode::kShared;
constexpr auto X = LockMode::kExclusive;

LockOptions Fast() {
  LockOptions o;
  o.deadlock_timeout = 50ms;
  o.lock_timeout = 20s;
  return o;
}

// Whether a future is still pending after a short grace period.
template <typename T>
bool StillWaiting(std::future<T>& f) {
  return f.wait_for(100ms) == std::future_status::timeout;
}

TEST(LockManagerTest, SharedLocksCoexistAndExclusiveIsReentrant) {
  LockManager locks(Fast());
  ASSERT_TRUE(locks.Lock(1, "r", S).ok());
  ASSERT_TRUE(locks.Lock(2, "r", S).ok());
  EXPECT_TRUE(locks.Holds(1, "r", S));
  EXPECT_FALSE(locks.Holds(1, "r", X));
  ASSERT_TRUE(locks.Lock(3, "q", X).ok());
  ASSERT_TRUE(locks.Lock(3, "q", X).ok());
  ASSERT_TRUE(locks.Lock(3, "q", S).ok());  // implied by X
  EXPECT_TRUE(locks.Holds(3, "q", X));
  locks.ReleaseAll(3);
  EXPECT_FALSE(locks.Holds(3, "q", S));
  locks.ReleaseAll(1);
  locks.ReleaseAll(2);
  EXPECT_EQ(locks.stats().waits, 0u);
}

TEST(LockManagerTest, ConcurrentSecondWriterWaitsForTheFirstToEnd) {
  LockManager locks(Fast());
  ASSERT_TRUE(locks.Lock(1, "row", X).ok());
  auto second = std::async(std::launch::async, [&] { return locks.Lock(2, "row", X); });
  ASSERT_TRUE(StillWaiting(second));
  // A different row is not blocked meanwhile.
  ASSERT_TRUE(locks.Lock(3, "other", X).ok());
  locks.ReleaseAll(1);
  ASSERT_TRUE(second.get().ok());
  EXPECT_TRUE(locks.Holds(2, "row", X));
  EXPECT_EQ(locks.stats().waits, 1u);
}

TEST(LockManagerTest, ConcurrentWaitersAreServedInArrivalOrder) {
  LockManager locks(Fast());
  ASSERT_TRUE(locks.Lock(1, "r", S).ok());
  auto writer = std::async(std::launch::async, [&] { return locks.Lock(2, "r", X); });
  ASSERT_TRUE(StillWaiting(writer));
  // A new reader queues behind the waiting writer instead of starving it.
  auto reader = std::async(std::launch::async, [&] { return locks.Lock(3, "r", S); });
  ASSERT_TRUE(StillWaiting(reader));
  locks.ReleaseAll(1);
  ASSERT_TRUE(writer.get().ok());
  ASSERT_TRUE(StillWaiting(reader));
  locks.ReleaseAll(2);
  ASSERT_TRUE(reader.get().ok());
}

TEST(LockManagerTest, ConcurrentUpgradeWaitsForOtherReaders) {
  LockManager locks(Fast());
  ASSERT_TRUE(locks.Lock(1, "r", S).ok());
  ASSERT_TRUE(locks.Lock(2, "r", S).ok());
  auto upgrade = std::async(std::launch::async, [&] { return locks.Lock(1, "r", X); });
  ASSERT_TRUE(StillWaiting(upgrade));
  locks.ReleaseAll(2);
  ASSERT_TRUE(upgrade.get().ok());
  EXPECT_TRUE(locks.Holds(1, "r", X));
}

TEST(LockManagerTest, LockTimeoutFailsTheWaiterAndKeepsTheHolder) {
  LockOptions o = Fast();
  o.lock_timeout = 150ms;
  LockManager locks(o);
  ASSERT_TRUE(locks.Lock(1, "row", X).ok());
  auto start = Clock::now();
  Status s = locks.Lock(2, "row", X);
  EXPECT_GE(Clock::now() - start, 150ms);
  ASSERT_EQ(s.code(), StatusCode::kTimedOut) << s.ToString();
  EXPECT_NE(s.ToString().find("lock timeout"), std::string::npos);
  EXPECT_TRUE(locks.Holds(1, "row", X));
  EXPECT_EQ(locks.stats().timeouts, 1u);
  // The withdrawn request left nothing behind: a third transaction gets the
  // row as soon as the holder ends.
  locks.ReleaseAll(1);
  ASSERT_TRUE(locks.Lock(3, "row", X).ok());
}

// Requests a lock on another thread and then ends the transaction either
// way (the victim rolls back, the survivor commits).
std::future<Status> LockThenEnd(LockManager* locks, TxnId txn, std::string resource, LockMode mode) {
  return std::async(std::launch::async, [=] {
    Status s = locks->Lock(txn, resource, mode);
    locks->ReleaseAll(txn);
    return s;
  });
}

// Runs transactions 1..n where transaction i holds resource i and then asks
// for resource i+1 (mod n). Exactly one must fail with Deadlock; once it
// releases its locks (its rollback), all others get their locks.
void RunCycle(LockManager* locks, int n) {
  for (int i = 1; i <= n; ++i) ASSERT_TRUE(locks->Lock(i, "r" + std::to_string(i), X).ok());
  std::vector<std::future<Status>> waits;
  std::atomic<int> victims{0};
  for (int i = 1; i <= n; ++i) {
    waits.push_back(std::async(std::launch::async, [locks, i, n, &victims] {
      Status s = locks->Lock(i, "r" + std::to_string(i % n + 1), X);
      if (s.code() == StatusCode::kDeadlock) {
        ++victims;
        locks->ReleaseAll(i);  // the victim rolls back
      } else if (s.ok()) {
        locks->ReleaseAll(i);  // the survivor finishes and commits
      }
      return s;
    }));
  }
  int failed = 0;
  for (auto& w : waits) {
    Status s = w.get();
    if (!s.ok()) {
      ++failed;
      EXPECT_EQ(s.code(), StatusCode::kDeadlock) << s.ToString();
      EXPECT_NE(s.ToString().find("deadlock detected"), std::string::npos);
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(victims.load(), 1);
  EXPECT_EQ(locks->stats().deadlocks, 1u);
}

TEST(LockManagerTest, ConcurrentDeadlockOfTwoAbortsOneVictim) {
  LockManager locks(Fast());
  RunCycle(&locks, 2);
}

TEST(LockManagerTest, ConcurrentDeadlockOfThreeAbortsOneVictim) {
  LockManager locks(Fast());
  RunCycle(&locks, 3);
}

TEST(LockManagerTest, ConcurrentUpgradeDeadlockAbortsOneVictim) {
  LockManager locks(Fast());
  ASSERT_TRUE(locks.Lock(1, "r", S).ok());
  ASSERT_TRUE(locks.Lock(2, "r", S).ok());
  auto up1 = LockThenEnd(&locks, 1, "r", X);
  auto up2 = LockThenEnd(&locks, 2, "r", X);
  Status a = up1.get();
  Status b = up2.get();
  EXPECT_NE(a.ok(), b.ok()) << a.ToString() << " / " << b.ToString();
  EXPECT_TRUE(a.code() == StatusCode::kDeadlock || b.code() == StatusCode::kDeadlock);
}

TEST(LockManagerTest, ConcurrentDefaultDeadlockTimeoutIsOneSecond) {
  LockOptions o;  // defaults
  ASSERT_EQ(o.deadlock_timeout, 1000ms);
  LockManager locks(o);
  ASSERT_TRUE(locks.Lock(1, "a", X).ok());
  ASSERT_TRUE(locks.Lock(2, "b", X).ok());
  auto start = Clock::now();
  auto t1 = LockThenEnd(&locks, 1, "b", X);
  auto t2 = LockThenEnd(&locks, 2, "a", X);
  Status a = t1.get();
  Status b = t2.get();
  auto elapsed = Clock::now() - start;
  EXPECT_NE(a.ok(), b.ok());
  // Found no earlier than the timeout, and soon after it.
  EXPECT_GE(elapsed, 1000ms);
  EXPECT_LT(elapsed, 5000ms);
}

TEST(LockManagerTest, NoDeadlockReportedForAPlainWait) {
  LockManager locks(Fast());
  ASSERT_TRUE(locks.Lock(1, "r", X).ok());
  auto waiter = std::async(std::launch::async, [&] { return locks.Lock(2, "r", X); });
  std::this_thread::sleep_for(300ms);  // several deadlock timeouts
  locks.ReleaseAll(1);
  ASSERT_TRUE(waiter.get().ok());
  EXPECT_EQ(locks.stats().deadlocks, 0u);
  EXPECT_GE(locks.stats().deadlock_searches, 1u);
}

}  // namespace
}  // namespace neuroquantum::txn
