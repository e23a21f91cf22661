// Transaction ids, snapshots and the commit table: which writers a reader
// may see (docs/architecture/transactions.md, plan step 1).
//
// A snapshot is taken as in PostgreSQL: xmax is the first id not yet handed
// out, xmin the oldest id still running, and `running` the ids in
// [xmin, xmax) that were in progress at that moment. A writer's changes are
// visible to a snapshot when the writer is the snapshot's own transaction,
// or when it committed and was not in progress when the snapshot was taken.
//
// Thread safety: TxnManager is safe for concurrent use; a Snapshot is an
// immutable value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "common/mutex.h"
#include "neuroquantum/status.h"
#include "txn/lock_manager.h"

namespace neuroquantum::txn {

enum class TxnState : uint8_t { kActive, kPrepared, kCommitted, kAborted };

struct Snapshot {
  TxnId self = 0;     // the reading transaction (0: none)
  TxnId xmin = 0;     // ids below were finished when the snapshot was taken
  TxnId xmax = 0;     // ids from here on had not started
  std::vector<TxnId> running;  // sorted; in progress at the time, in [xmin, xmax)

  // Whether `id` was still running (or not yet started) for this snapshot.
  bool InProgress(TxnId id) const;
};

class TxnManager {
 public:
  // Ids start after `next_id - 1` (the highest id recovery found).
  explicit TxnManager(TxnId next_id = 1) : next_id_(next_id) {}
  // Ids come from `allocate` (called under the manager's mutex, so ids are
  // registered in the order they are handed out); each must be >= next_id
  // and exceed the last.
  TxnManager(TxnId next_id, std::function<TxnId()> allocate)
      : allocate_(std::move(allocate)), next_id_(next_id) {}

  // Starts a transaction and returns its id.
  TxnId Begin() EXCLUDES(mu_);
  // Registers a transaction recovery found prepared (running until
  // COMMIT or ROLLBACK PREPARED).
  void RestorePrepared(TxnId id) EXCLUDES(mu_);
  // A snapshot for `self` (0 for a reader outside any transaction). Stays
  // registered, holding back the purge horizon, until ReleaseSnapshot.
  std::shared_ptr<const Snapshot> TakeSnapshot(TxnId self) EXCLUDES(mu_);
  void ReleaseSnapshot(const std::shared_ptr<const Snapshot>& snapshot) EXCLUDES(mu_);

  // State changes. InvalidArgument for an unknown id or a finished one.
  Status Prepare(TxnId id) EXCLUDES(mu_);
  Status Commit(TxnId id) EXCLUDES(mu_);
  Status Abort(TxnId id) EXCLUDES(mu_);

  // The state of `id`. Ids below the horizon that the table no longer holds
  // are committed: aborted work is undone before its id leaves the table.
  TxnState State(TxnId id) const EXCLUDES(mu_);
  // Whether changes written by `writer` are visible to `snapshot`.
  bool Visible(const Snapshot& snapshot, TxnId writer) const EXCLUDES(mu_);

  // The oldest id any running transaction or registered snapshot may still
  // need to see as running: versions written by finished transactions below
  // it are visible to everyone (the all-visible fast path), and older
  // versions shadowed by them can be purged.
  TxnId Horizon() const EXCLUDES(mu_);
  // Drops finished transactions below the horizon from the table; returns
  // how many were dropped. REQUIRES: aborted ones among them are undone.
  size_t Trim() EXCLUDES(mu_);
  size_t table_size() const EXCLUDES(mu_);

 private:
  TxnId HorizonLocked() const REQUIRES(mu_);

  const std::function<TxnId()> allocate_;
  mutable Mutex mu_;
  TxnId next_id_ GUARDED_BY(mu_);
  std::map<TxnId, TxnState> table_ GUARDED_BY(mu_);  // recent transactions
  std::set<TxnId> running_ GUARDED_BY(mu_);          // active or prepared
  std::multiset<TxnId> snapshot_xmins_ GUARDED_BY(mu_);
};

}  // namespace neuroquantum::txn
