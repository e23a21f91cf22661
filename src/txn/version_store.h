// VersionStore: the older versions of rows that snapshots may still need
// (the "undo" side of ADR 0001), kept in memory.
//
// When a transaction first changes a row it pushes the row's previous
// version (its encoded RowVersion bytes) here before writing the new one
// into the tree; a reader whose snapshot cannot see the tree's version
// walks the row's chain, newest first, to the first version it can see.
// Because the push happens before the tree write, a reader that reads the
// tree and then the chain never misses a version: at worst it sees one
// twice.
//
// Older versions are needed only by live snapshots, and no snapshot
// survives a restart, so the chains need not be durable (rollback and crash
// undo use the WAL's old values). Prepared transactions are the exception;
// their chains are rebuilt from the WAL at open.
//
// Purge: an entry superseded by a committed transaction below the horizon
// (finished, and seen as finished by every snapshot) is needed by nobody,
// nor is any older entry of the same row. An entry whose superseding write
// was rolled back goes alone once that transaction is below the horizon.
//
// Thread safety: safe for concurrent use. Only the holder of a row's
// exclusive lock pushes onto that row's chain or marks its entries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "txn/lock_manager.h"

namespace neuroquantum::txn {

struct VersionStoreStats {
  uint64_t versions = 0;  // entries held
  uint64_t bytes = 0;     // approximate memory they use
  uint64_t pushed = 0;
  uint64_t purged = 0;
};

class VersionStore {
 public:
  // `row` names the row (tree id and key); `old_version` is the encoded
  // version being replaced by transaction `by`.
  void Push(const std::string& row, std::string old_version, TxnId by) EXCLUDES(mu_);
  // Records that the newest push of `row` by `by` was rolled back: the tree
  // holds that version again. The entry stays readable (a reader may still
  // hold the rolled-back version it read from the tree just before the undo,
  // and must find the restored one here) until `by` is below the horizon;
  // it does not make older entries purgeable.
  void MarkRolledBack(const std::string& row, TxnId by) EXCLUDES(mu_);
  // Walks the chain of `row` newest first and returns (a copy of) the first
  // version for which `visible` returns true, or nullopt.
  std::optional<std::string> Find(const std::string& row,
                                  const std::function<bool(std::string_view)>& visible) const
      EXCLUDES(mu_);
  // Drops what no snapshot can need given `horizon` (see above); returns
  // the number of versions dropped.
  uint64_t Purge(TxnId horizon) EXCLUDES(mu_);
  VersionStoreStats stats() const EXCLUDES(mu_);

 private:
  struct Entry {
    std::string version;
    TxnId superseded_by;
    bool rolled_back = false;
  };
  static uint64_t Cost(const std::string& row, const Entry& e) {
    return row.size() + e.version.size() + 64;
  }

  mutable Mutex mu_;
  // Oldest first, newest last (most chains hold one or two entries).
  std::unordered_map<std::string, std::vector<Entry>> chains_ GUARDED_BY(mu_);
  // Rows by the transactions that pushed onto them, for purge.
  std::multimap<TxnId, std::string> by_superseder_ GUARDED_BY(mu_);
  VersionStoreStats stats_ GUARDED_BY(mu_);
};

}  // namespace neuroquantum::txn
