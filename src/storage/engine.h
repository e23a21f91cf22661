// StorageEngine: an open database — page file, buffer pool, WAL, catalog of
// B+ trees, transactions, checkpoints and crash recovery.
//
// Files for a database at PATH:
//   PATH            the page file (page_file.h)
//   PATH-wal/       WAL segments (wal_format.h) and the control file
//   PATH.lock       held with an OFD lock by the process that has it open
//
// Transactions at this layer are units of atomicity and durability: Commit
// makes all their writes durable together (group commit), Rollback and
// crash recovery undo them. Isolation (MVCC, row locks) is the transaction
// layer's job; two open transactions must not write the same key.
//
// Thread safety: all methods are safe for concurrent use; a Transaction
// object must be used by one thread at a time.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/env.h"
#include "neuroquantum/options.h"
#include "neuroquantum/result.h"
#include "storage/btree.h"
#include "storage/buffer_pool.h"
#include "storage/control_file.h"
#include "storage/mtr.h"
#include "storage/page_file.h"
#include "storage/wal.h"

namespace neuroquantum::storage {

class StorageEngine;

// A storage-level transaction. Move-only handle; destroying one that was
// neither committed nor rolled back rolls it back (errors are logged), so a
// forgotten transaction never stays open or pins the WAL.
// REQUIRES: the engine outlives its transactions.
class Transaction {
 public:
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  TxnId id() const { return id_; }
  bool finished() const { return finished_; }
  bool prepared() const { return prepared_; }
  // The global id given at Prepare (empty unless prepared).
  const std::string& gid() const { return gid_; }
  // A position in the transaction's changes for RollbackTo: the changes
  // made so far stay, later ones can be undone.
  size_t savepoint_mark() const { return undo_.size(); }

 private:
  friend class StorageEngine;
  Transaction(StorageEngine* engine, TxnId id) : engine_(engine), id_(id) {}
  StorageEngine* engine_;  // null for recovery's stand-ins for losers
  TxnId id_;
  bool finished_ = false;
  bool registered_ = false;     // in the active table (has logged something)
  bool prepared_ = false;
  std::string gid_;
  std::vector<Lsn> undo_;       // start LSNs of its undoable records
};

struct EngineStats {
  BufferPoolStats buffer_pool;
  WalStats wal;
  uint64_t commits = 0;
  uint64_t rollbacks = 0;
  uint64_t checkpoints = 0;
  uint64_t page_count = 0;
  uint64_t free_pages = 0;
};

// What recovery did at open, for logs and tests.
struct RecoveryInfo {
  Lsn redo_start = 0;
  Lsn log_end = 0;
  uint64_t records_scanned = 0;
  uint64_t pages_redone = 0;
  uint64_t transactions_undone = 0;
  uint64_t transactions_prepared = 0;  // left prepared, not undone
  uint64_t leaked_pages_freed = 0;
  // The log ended at a damaged record with valid records after it; those
  // were discarded (logged as an error).
  bool damaged_wal_discarded = false;
};

class StorageEngine {
 public:
  // Opens (or creates, per options) the database at `path`.
  // Errors: Busy (another process has it open), NotFound, AlreadyExists,
  // Corruption (with what and where), NotSupported (newer format).
  static Result<std::unique_ptr<StorageEngine>> Open(const std::string& path,
                                                     const Options& options);
  // Checkpoints (unless in an error state) and closes.
  ~StorageEngine();

  // --- catalog ---
  // Creates a named tree in its own transaction, committed before return
  // (catalog changes are autocommit at this layer). AlreadyExists if present.
  Result<TreeId> CreateTree(std::string_view name);
  Result<TreeId> FindTree(std::string_view name);
  std::vector<std::string> ListTrees();

  // --- transactions ---
  std::unique_ptr<Transaction> Begin();
  // For a layer that numbers its own transactions: ids come from
  // AllocateTxnId, and BeginWithId starts a storage transaction under one.
  TxnId AllocateTxnId() { return next_txn_id_.fetch_add(1); }
  std::unique_ptr<Transaction> BeginWithId(TxnId id);
  // Callbacks run around the append of the commit record, serialised with
  // every other hooked commit, so they see commits in WAL order. Both must
  // be quick (they hold up other committers).
  struct CommitHooks {
    // Runs first; an error cancels the commit (nothing is logged, the
    // transaction stays open for Rollback) and is returned.
    std::function<Status()> before_append;
    // Runs with the commit record's end LSN after the append, before the
    // flush. For a transaction that wrote nothing, with the WAL's end.
    std::function<void(Lsn commit_end)> after_append;
  };
  // Makes the transaction's writes durable per options.durability.
  Status Commit(Transaction* txn, const CommitHooks& hooks = {});
  // Undoes every write of the transaction.
  Status Rollback(Transaction* txn);
  // Undoes the writes made after `mark` (a savepoint_mark() of this
  // transaction), newest first; the transaction stays open. Each undo is
  // logged as a compensation, so a crash afterwards never undoes it twice.
  Status RollbackTo(Transaction* txn, size_t mark);
  // First phase of two-phase commit: durably records that the transaction
  // is prepared under `gid` (1 to 200 bytes). From then on only Commit or
  // Rollback may follow, and a crash leaves it prepared: recovery neither
  // commits nor undoes it, and TakePreparedTransactions hands it back.
  Status Prepare(Transaction* txn, std::string_view gid);
  // The prepared transactions recovery found at open (once; later calls
  // return nothing). Finish each with Commit or Rollback.
  std::vector<std::unique_ptr<Transaction>> TakePreparedTransactions();
  // The id the next Begin will hand out (ids never repeat, across restarts).
  TxnId next_txn_id() const { return next_txn_id_.load(); }
  // The logical changes `txn` made and has not rolled back, oldest first,
  // read back from the WAL (the change feed and prepared-transaction
  // recovery use them).
  Result<std::vector<LogicalChange>> ReadChanges(const Transaction& txn);

  // --- data ---
  // With `check`, the key's current value is checked under the leaf latch
  // right before the change; the check's error cancels the put (see WriteCheck).
  Status Put(Transaction* txn, TreeId tree, std::string_view key, std::string_view value,
             const WriteCheck* check = nullptr);
  // NotFound if the key is absent.
  Status Delete(Transaction* txn, TreeId tree, std::string_view key);
  Result<std::optional<std::string>> Get(TreeId tree, std::string_view key);
  // Fills the EMPTY tree `tree` from `source` (strictly ascending memcmp
  // keys; see BulkSource for view lifetimes), denser and cheaper than Puts:
  // nodes are built bottom-up, filled to BTree::kBulkFillPercent, and each
  // is logged once as a page image (no per-key logical records).
  // Runs as its own transaction, committed before return like Commit (so
  // durable at return under durability = full). Atomic: a crash before the
  // tree is installed in its root leaves it empty (recovery frees the pages
  // written so far), after that it is complete. No Rollback can undo it.
  // Errors: NotFound (no such tree); InvalidArgument if the tree is the
  // catalog or not empty, or if a key is not greater than the previous one
  // (the message names the key's 0-based index); OutOfRange for a key over
  // max_key_size(); ReadOnly / I/O errors. On error nothing of the load is
  // visible and the pages it wrote are freed (by recovery, if freeing fails).
  // REQUIRES: no other writer uses `tree` meanwhile (one that does is
  // detected at the end and fails the load with InvalidArgument).
  Status BulkLoad(TreeId tree, BulkSource* source);
  Result<std::unique_ptr<BTree::Iterator>> NewIterator(TreeId tree);
  uint32_t max_key_size() const { return btree::MaxKeySize(page_size_); }

  // --- maintenance ---
  // Shrinks the file: moves live pages into free pages nearer the start,
  // then truncates the free tail. Every step is a logged mini-transaction,
  // so a crash mid-way leaves a consistent database (vacuum can simply be
  // run again). REQUIRES: no other thread uses the engine meanwhile (no open
  // transactions — else Busy — and no live iterators).
  struct VacuumStats {
    uint64_t pages_before = 0;
    uint64_t pages_after = 0;
    uint64_t pages_moved = 0;
  };
  Result<VacuumStats> Vacuum();
  // Flushes dirty pages, records the redo point, recycles old WAL segments.
  Status Checkpoint();
  EngineStats stats();
  const RecoveryInfo& recovery_info() const { return recovery_; }
  uint32_t page_size() const { return page_size_; }
  // Sticky error state (after a failed write or fsync), OK otherwise.
  Status health() const;

  // For the integrity checker and tools.
  StorageContext* context() { return &ctx_; }
  PageFile* page_file() { return file_.get(); }
  std::vector<std::pair<std::string, PageId>> TreeRoots();

 private:
  StorageEngine(Env* env, std::string path, const Options& options);
  Status OpenOrCreate();
  Status CreateFiles();
  Status Recover();
  Status RedoPages(const MtrRecord& mtr, Lsn end);
  struct RecoveredTxn {
    std::vector<Lsn> undo;    // undoable records not yet compensated
    Lsn first = 0;            // start LSN of its first record
    bool prepared = false;
    std::string gid;
  };
  Status FinishRecovery(std::map<TxnId, RecoveredTxn> losers,
                        std::map<TxnId, std::vector<PageId>> pending,
                        std::map<PageId, PageId> chains);
  Status EnsureCatalogRoot();
  Status LoadCatalog();
  Result<BTree*> TreeFor(TreeId id);
  Status RegisterTxn(Transaction* txn);
  Status LogTxnEnd(Transaction* txn, WalRecordType type, bool sync);
  Status UndoRecord(TxnId txn, Lsn lsn);
  Status UndoTransaction(TxnId txn, const std::vector<Lsn>& undo);
  Status DestroyTree(PageId root, TxnId txn);
  Status WriteControl(Lsn redo, Lsn undo);
  void MaybeCheckpoint();
  // REQUIRES: checkpoint_mu_ held.
  Status CheckpointLocked();
  Status Write(Transaction* txn, TreeId tree, std::string_view key, const std::string_view* value,
               const WriteCheck* check);
  Status CheckWritable() const;
  class Vacuumer;
  friend class Vacuumer;

  Env* const env_;
  const std::string path_;
  const std::string wal_dir_;
  Options options_;
  uint32_t page_size_ = 0;
  uint64_t database_id_ = 0;

  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<PageFile> file_;
  std::unique_ptr<BufferPool> pool_;
  std::unique_ptr<WalWriter> wal_;
  StorageContext ctx_;
  ControlData control_;
  RecoveryInfo recovery_;

  std::mutex catalog_mu_;
  std::map<std::string, TreeId, std::less<>> tree_names_;
  std::unordered_map<TreeId, std::unique_ptr<BTree>> trees_;

  std::mutex txn_mu_;
  std::map<TxnId, Lsn> active_;  // registered transactions -> first LSN
  std::atomic<TxnId> next_txn_id_{1};
  std::vector<std::unique_ptr<Transaction>> recovered_prepared_;
  std::mutex commit_order_mu_;  // orders commit appends with their hooks

  std::mutex checkpoint_mu_;
  std::atomic<uint64_t> commits_{0}, rollbacks_{0}, checkpoints_{0};
};

}  // namespace neuroquantum::storage
