// LockManager: row (and object) locks for transactions, with FIFO wait
// queues, a lock timeout and deadlock detection on the wait-for graph.
//
// Locks are taken by writers on the rows they change (MVCC readers take
// none) and held until the transaction ends (strict two-phase locking), when
// ReleaseAll drops them.
//
// Deadlocks are detected the way PostgreSQL does it: a waiter first sleeps
// for `deadlock_timeout`; if it is still waiting then, it searches the
// wait-for graph once, and if it lies on a cycle it gives up its own request
// and fails with Deadlock (SQLSTATE 40P01). Most lock waits are short and
// never pay for a search; of two transactions in a cycle, the one whose
// timer fires first is the victim and the other then waits for the victim to
// roll back. A waiter that waits longer than `lock_timeout` fails with
// TimedOut (SQLSTATE 55P03). Neither failure releases the locks already
// held: the caller rolls the transaction back, which calls ReleaseAll.
//
// Grant rule: a request is granted when it is compatible with every lock
// granted to other transactions on the resource and with every request
// queued ahead of it (FIFO, so a stream of shared lockers cannot starve an
// exclusive one). A transaction holding a shared lock that asks for an
// exclusive one upgrades in place once it is the only holder.
//
// Thread safety: all methods are safe for concurrent use. One transaction
// must not call Lock from two threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/mutex.h"
#include "neuroquantum/status.h"

namespace neuroquantum::txn {

using TxnId = uint64_t;

enum class LockMode : uint8_t { kShared, kExclusive };

struct LockOptions {
  // How long a lock request may wait before failing with TimedOut; 0 waits
  // without limit.
  std::chrono::milliseconds lock_timeout{10'000};
  // How long a waiter sleeps before it searches for a deadlock.
  std::chrono::milliseconds deadlock_timeout{1'000};
};

struct LockStats {
  uint64_t acquired = 0;   // requests granted (including re-grants of held locks)
  uint64_t waits = 0;      // requests that had to wait
  uint64_t deadlocks = 0;  // requests failed as deadlock victims
  uint64_t timeouts = 0;   // requests failed by lock_timeout
  uint64_t deadlock_searches = 0;
};

class LockManager {
 public:
  explicit LockManager(LockOptions options = {}) : options_(options) {}
  LockManager(const LockManager&) = delete;
  LockManager& operator=(const LockManager&) = delete;

  // Acquires `mode` on `resource` for `txn`, waiting as described above.
  // `resource` is any byte string naming the locked thing (e.g. tree id and
  // key). Errors: Deadlock, TimedOut; the request is withdrawn on error.
  // With `wait` false a lock that cannot be granted at once fails with Busy
  // instead (NOWAIT).
  // `*already_held`, when given, tells whether `txn` held the resource in
  // `mode` (or stronger) before the call.
  Status Lock(TxnId txn, const std::string& resource, LockMode mode, bool wait = true,
              bool* already_held = nullptr) EXCLUDES(mu_);
  // Gives back a lock `txn` was just granted and has not relied on (it saw
  // that it must first wait for someone else): an early release that
  // strict two-phase locking allows because nothing was read or written
  // under the lock.
  void Unlock(TxnId txn, const std::string& resource) EXCLUDES(mu_);
  // Releases every lock of `txn` and wakes the waiters that can now run.
  void ReleaseAll(TxnId txn) EXCLUDES(mu_);

  // Whether `txn` holds `resource` in `mode` or stronger.
  bool Holds(TxnId txn, const std::string& resource, LockMode mode) const EXCLUDES(mu_);
  // Whether a transaction other than `txn` holds or waits for `resource`.
  bool UsedByOthers(TxnId txn, const std::string& resource) const EXCLUDES(mu_);
  LockStats stats() const EXCLUDES(mu_);

 private:
  struct Request {
    TxnId txn;
    LockMode mode;
    bool granted;
  };
  struct Queue {
    std::list<Request> requests;  // granted ones first, then waiters in arrival order
    CondVar cv;
  };

  static bool Compatible(LockMode a, LockMode b) {
    return a == LockMode::kShared && b == LockMode::kShared;
  }
  // Whether the waiting request `it` can be granted now.
  static bool Grantable(const Queue& q, std::list<Request>::const_iterator it);
  // Transactions `txn` waits for: other holders and earlier waiters on the
  // resource it waits on whose requests conflict with its own.
  void WaitsFor(TxnId txn, std::vector<TxnId>* out) const REQUIRES(mu_);
  // Whether a wait-for path leads from `txn` back to itself; fills `cycle`.
  bool OnCycle(TxnId txn, std::vector<TxnId>* cycle) const REQUIRES(mu_);
  void Withdraw(Queue* q, const std::string& resource, TxnId txn) REQUIRES(mu_);

  const LockOptions options_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Queue> table_ GUARDED_BY(mu_);
  // The queues each transaction holds or waits in, once each. A queue
  // (a node of table_, which never moves) is only erased when empty, so the
  // pointer stays valid while the transaction has a request in it.
  using Entry = std::pair<const std::string, Queue>;
  std::unordered_map<TxnId, std::vector<Entry*>> held_ GUARDED_BY(mu_);
  // The resource each waiting transaction waits for.
  std::unordered_map<TxnId, std::string> waiting_ GUARDED_BY(mu_);
  LockStats stats_ GUARDED_BY(mu_);
};

}  // namespace neuroquantum::txn
