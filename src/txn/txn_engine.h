// TxnEngine: ACID transactions with MVCC over the storage engine
// (docs/architecture/transactions.md).
//
// Tables are storage trees whose values carry a RowVersion header. Writers
// take an exclusive row lock (LockManager) and write the new version in
// place, after pushing the previous one into the VersionStore; readers take
// no locks and read through a snapshot (TxnManager). Isolation levels follow
// PostgreSQL: READ UNCOMMITTED and READ COMMITTED take a snapshot per
// statement, REPEATABLE READ and SERIALIZABLE one per transaction (at its
// first statement); REPEATABLE READ and SERIALIZABLE fail a write to a row
// changed by a transaction their snapshot cannot see (first updater wins,
// SQLSTATE 40001), and SERIALIZABLE validates at commit that nothing it read
// was changed by a transaction that committed concurrently (CommitLog).
//
// Thread safety: the engine is safe for concurrent use; a Transaction (and
// its cursors) is used by one thread at a time.
// REQUIRES: the engine outlives its transactions and cursors.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "neuroquantum/options.h"
#include "neuroquantum/result.h"
#include "storage/engine.h"
#include "txn/commit_log.h"
#include "txn/lock_manager.h"
#include "txn/snapshot.h"
#include "txn/version_store.h"

namespace neuroquantum::txn {

using storage::Lsn;
using storage::TreeId;

enum class IsolationLevel : uint8_t {
  kReadUncommitted,  // behaves as kReadCommitted
  kReadCommitted,
  kRepeatableRead,
  kSerializable,
};
// "READ COMMITTED" etc.
std::string_view IsolationLevelName(IsolationLevel level);

struct TxnOptions {
  IsolationLevel isolation = IsolationLevel::kReadCommitted;
  // Writes fail with ReadOnlyTransaction (SQLSTATE 25006).
  bool read_only = false;
};

struct TxnEngineOptions {
  LockOptions locks;
  // The background purge runs this often; 0 leaves purging to Purge().
  std::chrono::milliseconds purge_interval{200};
};

enum class ChangeOp : uint8_t { kInsert, kUpdate, kDelete };

// One committed change, as the change feed delivers it.
struct ChangeEvent {
  TreeId tree = 0;
  std::string table;
  ChangeOp op = ChangeOp::kInsert;
  std::string key;
  std::string old_value;  // update, delete
  std::string new_value;  // insert, update
};

// The changes of one committed transaction.
struct CommittedChanges {
  TxnId txn = 0;
  Lsn commit_lsn = 0;  // end of its commit record
  std::vector<ChangeEvent> changes;
};

struct TxnStats {
  uint64_t commits = 0;
  uint64_t rollbacks = 0;
  uint64_t serialization_failures = 0;
  uint64_t deadlocks = 0;
  uint64_t lock_waits = 0;
  uint64_t lock_timeouts = 0;
  uint64_t locks_acquired = 0;  // granted lock requests (inserts of new keys take none)
  uint64_t prepared = 0;  // prepared transactions now waiting
  uint64_t wal_bytes = 0;
  uint64_t wal_syncs = 0;
  VersionStoreStats versions;
  uint64_t tombstones_purged = 0;
  uint64_t tombstones_pending = 0;
};

struct PreparedTxnInfo {
  std::string gid;
  TxnId txn = 0;
};

class Transaction;
class Cursor;

class TxnEngine {
 public:
  // Opens the database at `path` (see storage::StorageEngine::Open) and
  // brings back prepared transactions with their row locks.
  static Result<std::unique_ptr<TxnEngine>> Open(const std::string& path, const Options& options,
                                                 TxnEngineOptions txn_options = {});
  ~TxnEngine();
  TxnEngine(const TxnEngine&) = delete;
  TxnEngine& operator=(const TxnEngine&) = delete;

  // Tables (catalog changes commit on their own, as the storage layer's).
  Result<TreeId> CreateTable(std::string_view name);
  Result<TreeId> FindTable(std::string_view name);

  std::unique_ptr<Transaction> Begin(TxnOptions options = {});
  // Waits until every commit already appended to the WAL is visible (or
  // failed). A committing transaction releases its locks at the append,
  // before its changes become visible; a reader that got such a lock and
  // must see what its holder committed (foreign key checks scanning for
  // referencing rows) calls this before taking its snapshot.
  void AwaitAppendedCommits();

  // Second phase of two-phase commit for a transaction prepared by
  // Transaction::Prepare, in this process or before a restart.
  // NotFound (SQLSTATE 42704) for an unknown gid.
  Status CommitPrepared(std::string_view gid);
  Status RollbackPrepared(std::string_view gid);
  std::vector<PreparedTxnInfo> ListPrepared();

  // Reclaims what no snapshot needs: old versions, tombstones, finished
  // entries of the transaction table and the commit log. Also runs in the
  // background (TxnEngineOptions::purge_interval).
  Status Purge();

  // The change feed: `listener` is called after each commit (never for
  // rolled-back work), in commit order, from the committing thread; it must
  // be quick and must not call into this engine. Returns a handle.
  using ChangeListener = std::function<void(const CommittedChanges&)>;
  uint64_t Subscribe(ChangeListener listener);
  void Unsubscribe(uint64_t handle);

  TxnStats stats();
  storage::StorageEngine* storage() { return storage_.get(); }

 private:
  friend class Transaction;
  friend class Cursor;
  // What a transaction leaves behind once prepared.
  struct Prepared {
    std::unique_ptr<storage::Transaction> storage_txn;
    std::vector<std::string> pushed;  // rows whose chain it pushed onto
    std::vector<std::string> tombstones;
  };
  // A commit between its WAL append and becoming visible.
  struct PendingCommit {
    TxnId txn = 0;
    Lsn lsn = 0;
    bool flushed = false;
    bool failed = false;
    bool visible = false;
    std::optional<CommittedChanges> feed;
  };

  TxnEngine(std::unique_ptr<storage::StorageEngine> storage, TxnEngineOptions options);
  Status RestorePrepared();
  // A registered snapshot, released when the last copy of the pointer goes.
  std::shared_ptr<const Snapshot> TakeSnapshot(TxnId self);
  // Commits a storage transaction whose validation (if any) `before` does:
  // orders it with other commits, makes it visible in WAL order and feeds
  // the change feed. `txn` is the MVCC id.
  Status CommitStorage(TxnId txn, storage::Transaction* storage_txn,
                       const std::function<Status()>& before);
  void DeliverFeed();
  Result<CommittedChanges> ReadFeed(TxnId txn, const storage::Transaction& storage_txn);
  std::string TableName(TreeId tree);
  void PurgeLoop();
  void NoteTombstone(const std::string& row, TxnId deleter);
  void FinishPrepared(Prepared* prepared, TxnId txn, bool committed);
  // Removes the prepared transaction `gid` from the table (NotFound if none).
  Result<std::pair<TxnId, std::unique_ptr<Prepared>>> TakePrepared(std::string_view gid);

  std::unique_ptr<storage::StorageEngine> storage_;
  const TxnEngineOptions options_;
  TxnManager txns_;
  LockManager locks_;
  VersionStore versions_;
  CommitLog commit_log_;
  // Makes each validation and its write-set append one step (commits take it
  // inside the storage engine's commit mutex, prepares on their own).
  std::mutex validate_mu_;

  std::mutex prepared_mu_;
  std::map<std::string, std::pair<TxnId, std::unique_ptr<Prepared>>, std::less<>> prepared_;

  std::mutex seq_mu_;
  std::condition_variable seq_cv_;
  std::deque<PendingCommit*> sequence_;  // in WAL order
  uint64_t appended_ = 0;  // commits appended to the WAL so far (seq_mu_)
  uint64_t settled_ = 0;   // of those, made visible or failed (seq_mu_)

  std::mutex feed_mu_;
  std::deque<CommittedChanges> feed_queue_;
  std::mutex deliver_mu_;  // one delivering thread at a time, in order
  std::map<uint64_t, ChangeListener> listeners_;  // GUARDED_BY(feed_mu_)
  uint64_t next_listener_ = 1;
  std::atomic<bool> has_listeners_{false};

  std::mutex names_mu_;
  std::map<TreeId, std::string> names_;

  std::mutex tombstone_mu_;
  std::multimap<TxnId, std::string> tombstones_;  // deleter -> row
  std::unordered_set<std::string> tombstone_rows_;

  std::atomic<uint64_t> commits_{0}, rollbacks_{0}, serialization_failures_{0},
      tombstones_purged_{0};

  std::mutex purge_mu_;  // one purge at a time
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread purger_;
};

// An MVCC transaction. Destroying one that is still open rolls it back.
// After an error of class 40 (SerializationFailure, Deadlock) or a lock
// timeout, every call but Rollback fails with Aborted (SQLSTATE 25P02).
class Transaction {
 public:
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  TxnId id() const { return id_; }
  IsolationLevel isolation() const { return options_.isolation; }
  bool read_only() const { return options_.read_only; }
  bool finished() const { return finished_; }

  // The row's value as this transaction's snapshot sees it.
  Result<std::optional<std::string>> Get(TreeId tree, std::string_view key);
  // SELECT ... FOR UPDATE: locks the row exclusively, then returns its
  // newest committed (or own) value; in REPEATABLE READ / SERIALIZABLE a row
  // changed since the snapshot fails with SerializationFailure. A write
  // intent, so refused in READ ONLY transactions.
  Result<std::optional<std::string>> GetForUpdate(TreeId tree, std::string_view key);
  // Inserts or replaces.
  Status Put(TreeId tree, std::string_view key, std::string_view value);
  // AlreadyExists (unique violation, SQLSTATE 23505) if the row exists.
  Status Insert(TreeId tree, std::string_view key, std::string_view value);
  // NotFound if the row does not exist.
  Status Update(TreeId tree, std::string_view key, std::string_view value);
  Status Delete(TreeId tree, std::string_view key);
  // Rows with lo <= key < hi (no upper bound when hi is nullopt), in key
  // order, as the snapshot sees them.
  Result<std::unique_ptr<Cursor>> Scan(TreeId tree, std::string_view lo,
                                       std::optional<std::string_view> hi = std::nullopt);

  // Statement boundaries. In READ COMMITTED, reads inside one statement
  // share a snapshot; outside BeginStatement/EndStatement each call is its
  // own statement.
  void BeginStatement();
  void EndStatement();
  // For the rest of the current statement, reads use a snapshot taken now,
  // whatever the isolation level (writes still check for conflicts against
  // the transaction's own snapshot). DDL calls it once it holds its table
  // exclusively, so that it builds from every committed row, as
  // PostgreSQL's index builds do. Needs an open statement.
  void RefreshStatementSnapshot();

  // Locks a database object for the rest of the transaction: a table, by
  // the id of the tree that holds its rows; shared by statements that
  // write its rows, exclusive by DDL that changes it. (A prepared
  // transaction gets a shared lock on every tree it wrote back after a
  // restart, RestorePrepared.) Errors as for row locks (Deadlock, TimedOut; both
  // doom the transaction). `*first` (when given) tells whether the
  // transaction did not hold the object in `mode` or stronger before.
  Status LockObject(uint64_t object, LockMode mode, bool* first = nullptr);
  // Makes the next LockObject of `object` report it as first again (the
  // lock itself stays held until the transaction ends).
  void ForgetObjectLock(uint64_t object) {
    std::erase_if(object_locks_, [&](const auto& lock) { return lock.first == object; });
  }
  // Dooms the transaction with `s`, a class-40 error found above this layer
  // (e.g. a table changed under its snapshot): later calls fail with
  // Aborted and Commit rolls back. Returns `s`.
  Status Doom(Status s) { return Fail(std::move(s)); }

  // SAVEPOINT name / ROLLBACK TO SAVEPOINT name / RELEASE SAVEPOINT name.
  // Names may repeat (the newest wins, as in PostgreSQL); NotFound for an
  // unknown name. ROLLBACK TO keeps the savepoint and drops later ones;
  // RELEASE drops it and later ones, keeping their changes.
  Status Savepoint(std::string_view name);
  Status RollbackToSavepoint(std::string_view name);
  Status ReleaseSavepoint(std::string_view name);

  // PREPARE TRANSACTION gid: validates, makes the transaction durable as
  // prepared and hands it to the engine (this handle is finished; finish
  // it with TxnEngine::CommitPrepared / RollbackPrepared).
  // AlreadyExists if the gid is in use.
  Status Prepare(std::string_view gid);
  Status Commit();
  Status Rollback();

 private:
  friend class TxnEngine;
  friend class Cursor;
  struct SavepointMark {
    std::string name;
    size_t storage_mark;
    size_t pushed;
    size_t tombstones;
  };
  enum class WriteKind { kPut, kInsert, kUpdate, kDelete };

  Transaction(TxnEngine* engine, TxnId id, TxnOptions options);
  Status CheckUsable() const;
  Status CheckWritable() const;
  // Remembers a failure that dooms the transaction.
  Status Fail(Status s);
  const Snapshot& ReadSnapshot();
  // The snapshot reads use now (after ReadSnapshot has made sure of it).
  const std::shared_ptr<const Snapshot>& ReadSnapshotPtr() const {
    return ReadsTxnSnapshot() ? txn_snapshot_ : statement_snapshot_;
  }
  // Whether reads use the transaction's snapshot (REPEATABLE READ and
  // SERIALIZABLE, unless the statement took a fresh one) or the statement's.
  bool ReadsTxnSnapshot() const {
    return options_.isolation >= IsolationLevel::kRepeatableRead && !statement_fresh_;
  }
  void EnsureTxnSnapshot();
  // Resolves the version of `row` that `snapshot` sees, given the raw value
  // read from the tree (nullopt: absent).
  Result<std::optional<std::string>> Resolve(const Snapshot& snapshot, TreeId tree, std::string_view key,
                                             std::optional<std::string> raw);
  Status Write(TreeId tree, std::string_view key, std::string_view value, WriteKind kind);
  bool MustWaitFor(TxnId writer) const;
  Status WaitForWriter(TxnId writer);
  void UndoPushes(size_t pushed, size_t tombstones);
  Status ValidateForCommit();
  void ReleaseResources();

  TxnEngine* engine_;
  TxnId id_;
  TxnOptions options_;
  std::unique_ptr<storage::Transaction> storage_txn_;
  std::shared_ptr<const Snapshot> txn_snapshot_;        // RR / SER
  std::shared_ptr<const Snapshot> statement_snapshot_;  // RC
  bool in_statement_ = false;
  bool statement_fresh_ = false;  // RefreshStatementSnapshot in this statement
  // Objects locked (LockObject), each once with its strongest mode.
  std::vector<std::pair<uint64_t, LockMode>> object_locks_;
  bool finished_ = false;
  Status doomed_;
  ReadSet reads_;                      // SERIALIZABLE only
  // Rows written (the write set), each once: a row joins it when this
  // transaction writes it while its newest version is not its own.
  std::vector<std::string> written_;
  std::vector<std::string> pushed_;    // rows whose chain it pushed onto, in order
  std::vector<std::string> tombstones_;
  std::vector<SavepointMark> savepoints_;
  // The row GetForUpdate last locked and read (empty: none), for the write
  // that usually follows.
  std::string locked_row_;
  std::optional<std::string> locked_raw_;
};

// Iterates the rows of a Scan. Keeps the snapshot it was opened with.
class Cursor {
 public:
  bool Valid() const { return status_.ok() && has_current_; }
  // Both stay valid until the next call of Next().
  std::string_view key() const { return key_view_; }
  std::string_view value() const { return value_view_; }
  void Next();
  Status status() const { return status_; }

 private:
  friend class Transaction;
  // `it` carries the scan's upper bound.
  Cursor(Transaction* txn, TreeId tree, std::shared_ptr<const Snapshot> snapshot,
         std::unique_ptr<storage::BTree::Iterator> it)
      : txn_(txn), tree_(tree), snapshot_(std::move(snapshot)), it_(std::move(it)) {}
  // Moves to the first visible row at or after the iterator's position.
  void Settle();

  Transaction* txn_;
  TreeId tree_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::unique_ptr<storage::BTree::Iterator> it_;
  // The current row: views into the iterator's copy of the leaf, or into
  // key_ and current_ when the row had to be resolved (older version,
  // overflow value).
  std::string_view key_view_;
  std::string_view value_view_;
  std::string key_;
  std::string current_;
  bool has_current_ = false;
  Status status_;
};

}  // namespace neuroquantum::txn
