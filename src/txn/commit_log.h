// CommitLog: the write sets of recently committed transactions, for the
// commit-time validation that makes SERIALIZABLE serializable
// (docs/architecture/transactions.md, "Serializability").
//
// A SERIALIZABLE transaction T that wrote something may commit only if no
// transaction whose commit T's snapshot cannot see wrote a row T read (a
// key it got, or a key inside a range it scanned). Validation and the
// append of T's own write set happen atomically, in the same order as the
// commit records in the WAL and the order in which commits become visible,
// so the committed SERIALIZABLE writers are equivalent to running one at a
// time in commit order; each read what that serial order would have given
// it. A read-only transaction needs no validation: its snapshot is a prefix
// of that order.
//
// Rows are named as in the lock manager: 8-byte big-endian tree id + key,
// so the rows of a tree sort together and ranges compare bytewise.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/mutex.h"
#include "neuroquantum/status.h"
#include "txn/snapshot.h"

namespace neuroquantum::txn {

// The name of a row: tree id (big-endian) + key.
std::string RowName(uint64_t tree, std::string_view key);
// The first row name past every row of `tree`.
std::string TreeEnd(uint64_t tree);
// The lock a writing transaction holds exclusively from its first write to
// its end; others wait for it with a shared request. Tree 0 (the catalog's
// own rows are never locked by name) keeps it apart from row locks.
std::string TxnLockName(TxnId id);
// The lock on database object `object` (Transaction::LockObject): tree 0
// too, then a byte no transaction id below 2^56 starts with.
std::string ObjectLockName(uint64_t object);

struct ReadSet {
  std::unordered_set<std::string> rows;
  // [lo, hi) row-name ranges scanned.
  std::vector<std::pair<std::string, std::string>> ranges;
  bool empty() const { return rows.empty() && ranges.empty(); }
  bool Covers(const std::string& row) const;
};

class CommitLog {
 public:
  // Whether `reads` conflict with the writes of a logged transaction that
  // `snapshot` does not see. Fills `*with` with the first such writer.
  bool Conflicts(const Snapshot& snapshot, const ReadSet& reads, TxnId* with) const EXCLUDES(mu_);
  void Append(TxnId txn, std::vector<std::string> rows) EXCLUDES(mu_);
  // Drops transactions every snapshot sees (below the horizon).
  void Trim(TxnId horizon) EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

 private:
  struct Entry {
    TxnId txn;
    std::vector<std::string> rows;
  };
  mutable Mutex mu_;
  std::deque<Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace neuroquantum::txn
