// TxnEngine: open, tables, commit ordering, prepared transactions, change
// feed, purge, statistics. Transaction and Cursor are in transaction.cc.
#include "txn/txn_engine.h"

#include <algorithm>

#include "common/log.h"
#include "fmt/format.h"
#include "txn/row_version.h"

namespace neuroquantum::txn {

std::string_view IsolationLevelName(IsolationLevel level) {
  switch (level) {
    case IsolationLevel::kReadUncommitted: return "READ UNCOMMITTED";
    case IsolationLevel::kReadCommitted: return "READ COMMITTED";
    case IsolationLevel::kRepeatableRead: return "REPEATABLE READ";
    case IsolationLevel::kSerializable: return "SERIALIZABLE";
  }
  return "?";
}

TxnEngine::TxnEngine(std::unique_ptr<storage::StorageEngine> storage, TxnEngineOptions options)
    : storage_(std::move(storage)),
      options_(options),
      txns_(storage_->next_txn_id(), [s = storage_.get()] { return s->AllocateTxnId(); }),
      locks_(options.locks) {}

Result<std::unique_ptr<TxnEngine>> TxnEngine::Open(const std::string& path, const Options& options,
                                                   TxnEngineOptions txn_options) {
  NQ_ASSIGN_OR_RETURN(auto storage, storage::StorageEngine::Open(path, options));
  auto engine = std::unique_ptr<TxnEngine>(new TxnEngine(std::move(storage), txn_options));
  NQ_RETURN_IF_ERROR(engine->RestorePrepared());
  if (txn_options.purge_interval.count() > 0 && !options.read_only) {
    engine->purger_ = std::thread([e = engine.get()] { e->PurgeLoop(); });
  }
  return engine;
}

TxnEngine::~TxnEngine() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (purger_.joinable()) purger_.join();
  // Prepared transactions stay prepared: their handles never roll back.
}

// A prepared transaction found by recovery gets back what it had: its id
// running in the transaction table, its row locks, the previous versions of
// the rows it changed (for snapshots that cannot see it) and its write set
// in the commit log.
Status TxnEngine::RestorePrepared() {
  for (auto& handle : storage_->TakePreparedTransactions()) {
    TxnId id = handle->id();
    txns_.RestorePrepared(id);
    NQ_RETURN_IF_ERROR(locks_.Lock(id, TxnLockName(id), LockMode::kExclusive));
    NQ_ASSIGN_OR_RETURN(auto changes, storage_->ReadChanges(*handle));
    auto prepared = std::make_unique<Prepared>();
    std::unordered_set<std::string> seen;
    std::unordered_set<TreeId> trees;
    std::vector<std::string> rows;
    for (const auto& change : changes) {
      // Its writes keep DDL off their tables until it finishes, as before
      // the restart (Transaction::LockObject; the exclusive locks of a
      // prepared DDL are not restored).
      if (trees.insert(change.tree).second) {
        NQ_RETURN_IF_ERROR(locks_.Lock(id, ObjectLockName(change.tree), LockMode::kShared));
      }
      std::string row = RowName(change.tree, change.key);
      if (!seen.insert(row).second) continue;
      NQ_RETURN_IF_ERROR(locks_.Lock(id, row, LockMode::kExclusive));
      if (change.op != storage::LogicalOp::kInsert) {
        versions_.Push(row, change.old_value, id);
        prepared->pushed.push_back(row);
      }
      auto now = DecodeRowVersion(change.new_value);
      if (change.op != storage::LogicalOp::kDelete && now.ok() && now->deleted) {
        prepared->tombstones.push_back(row);
      }
      rows.push_back(row);
    }
    commit_log_.Append(id, std::move(rows));
    std::string gid = handle->gid();
    prepared->storage_txn = std::move(handle);
    prepared_.emplace(gid, std::make_pair(id, std::move(prepared)));
    NQ_LOG_INFO("txn", "transaction {} is prepared as '{}' and waits for COMMIT PREPARED or "
                "ROLLBACK PREPARED", id, gid);
  }
  return Status::OK();
}

Result<TreeId> TxnEngine::CreateTable(std::string_view name) {
  NQ_ASSIGN_OR_RETURN(TreeId id, storage_->CreateTree(name));
  std::lock_guard lock(names_mu_);
  names_[id] = std::string(name);
  return id;
}

Result<TreeId> TxnEngine::FindTable(std::string_view name) { return storage_->FindTree(name); }

std::string TxnEngine::TableName(TreeId tree) {
  std::lock_guard lock(names_mu_);
  auto it = names_.find(tree);
  if (it != names_.end()) return it->second;
  for (const std::string& name : storage_->ListTrees()) {
    auto id = storage_->FindTree(name);
    if (id.ok()) names_[*id] = name;
  }
  it = names_.find(tree);
  return it != names_.end() ? it->second : fmt::format("tree {}", tree);
}

std::unique_ptr<Transaction> TxnEngine::Begin(TxnOptions options) {
  if (options.isolation == IsolationLevel::kReadUncommitted) {
    options.isolation = IsolationLevel::kReadCommitted;
  }
  TxnId id = txns_.Begin();
  return std::unique_ptr<Transaction>(new Transaction(this, id, options));
}

// Commits become visible in the order of their commit records: each waits
// until every commit logged before it has been flushed, then the transaction
// table learns them in that order. Validation runs in the same order (under
// the storage engine's commit mutex), which is what SERIALIZABLE relies on.
//
// Row locks are released as soon as the commit record is appended, before
// the flush (early lock release, as InnoDB does): a transaction that then
// takes one of the rows logs its own commit record after ours, so it can
// never be durable without us, and it becomes visible after us. This keeps
// the fsync out of the time a hot row stays locked.
Status TxnEngine::CommitStorage(TxnId txn, storage::Transaction* storage_txn,
                                const std::function<Status()>& before) {
  PendingCommit pending;
  pending.txn = txn;
  bool queued = false;
  storage::StorageEngine::CommitHooks hooks;
  hooks.before_append = before;
  hooks.after_append = [&](Lsn lsn) {
    pending.lsn = lsn;
    {
      std::lock_guard lock(seq_mu_);
      sequence_.push_back(&pending);
      ++appended_;
    }
    queued = true;
    locks_.ReleaseAll(txn);
  };
  Status s = storage_->Commit(storage_txn, hooks);
  if (!queued) return s;  // refused by `before`, or the append failed
  if (s.ok() && has_listeners_.load()) {
    auto feed = ReadFeed(txn, *storage_txn);
    if (feed.ok()) {
      feed->commit_lsn = pending.lsn;
      pending.feed = std::move(*feed);
    } else {
      NQ_LOG_ERROR("txn", "change feed: cannot read transaction {} back from the WAL: {}", txn,
                   feed.status().ToString());
    }
  }
  std::unique_lock lock(seq_mu_);
  pending.flushed = true;
  pending.failed = !s.ok();
  while (!sequence_.empty() && sequence_.front()->flushed) {
    PendingCommit* front = sequence_.front();
    sequence_.pop_front();
    ++settled_;
    // A commit whose flush failed stays running in the table: its rows are
    // never shown, since they may not be durable.
    if (!front->failed) {
      (void)txns_.Commit(front->txn);
      if (front->feed) {
        std::lock_guard feed(feed_mu_);
        feed_queue_.push_back(std::move(*front->feed));
      }
    }
    front->visible = true;
  }
  seq_cv_.notify_all();
  seq_cv_.wait(lock, [&] { return pending.visible; });
  lock.unlock();
  DeliverFeed();
  return s;
}

void TxnEngine::AwaitAppendedCommits() {
  std::unique_lock lock(seq_mu_);
  uint64_t target = appended_;
  seq_cv_.wait(lock, [&] { return settled_ >= target; });
}

Result<CommittedChanges> TxnEngine::ReadFeed(TxnId txn, const storage::Transaction& storage_txn) {
  NQ_ASSIGN_OR_RETURN(auto changes, storage_->ReadChanges(storage_txn));
  // The net change per row: its state before the transaction and after.
  struct Net {
    TreeId tree;
    std::string key;
    std::optional<std::string> before, after;
  };
  std::vector<Net> rows;
  std::map<std::pair<TreeId, std::string>, size_t> index;
  auto payload = [](std::string_view raw, bool present) -> std::optional<std::string> {
    if (!present) return std::nullopt;
    auto v = DecodeRowVersion(raw);
    if (!v.ok() || v->deleted) return std::nullopt;
    return std::string(v->payload);
  };
  for (const auto& c : changes) {
    auto [it, fresh] = index.emplace(std::make_pair(c.tree, c.key), rows.size());
    if (fresh) rows.push_back(Net{c.tree, c.key, payload(c.old_value, c.op != storage::LogicalOp::kInsert), {}});
    rows[it->second].after = payload(c.new_value, c.op != storage::LogicalOp::kDelete);
  }
  CommittedChanges out;
  out.txn = txn;
  for (auto& r : rows) {
    if (!r.before && !r.after) continue;
    ChangeEvent e;
    e.tree = r.tree;
    e.table = TableName(r.tree);
    e.key = std::move(r.key);
    e.op = !r.before ? ChangeOp::kInsert : !r.after ? ChangeOp::kDelete : ChangeOp::kUpdate;
    if (r.before) e.old_value = std::move(*r.before);
    if (r.after) e.new_value = std::move(*r.after);
    out.changes.push_back(std::move(e));
  }
  return out;
}

void TxnEngine::DeliverFeed() {
  std::lock_guard deliver(deliver_mu_);
  for (;;) {
    CommittedChanges next;
    std::vector<ChangeListener> listeners;
    {
      std::lock_guard lock(feed_mu_);
      if (feed_queue_.empty()) return;
      next = std::move(feed_queue_.front());
      feed_queue_.pop_front();
      for (const auto& [handle, listener] : listeners_) listeners.push_back(listener);
    }
    if (next.changes.empty()) continue;
    for (const auto& listener : listeners) listener(next);
  }
}

uint64_t TxnEngine::Subscribe(ChangeListener listener) {
  std::lock_guard lock(feed_mu_);
  uint64_t handle = next_listener_++;
  listeners_.emplace(handle, std::move(listener));
  has_listeners_.store(true);
  return handle;
}

void TxnEngine::Unsubscribe(uint64_t handle) {
  std::lock_guard lock(feed_mu_);
  listeners_.erase(handle);
  has_listeners_.store(!listeners_.empty());
}

Result<std::pair<TxnId, std::unique_ptr<TxnEngine::Prepared>>> TxnEngine::TakePrepared(std::string_view gid) {
  std::lock_guard lock(prepared_mu_);
  auto it = prepared_.find(gid);
  if (it == prepared_.end()) {
    return Status::NotFound(fmt::format("prepared transaction with identifier \"{}\" does not exist", gid));
  }
  auto entry = std::move(it->second);
  prepared_.erase(it);
  return entry;
}

Status TxnEngine::CommitPrepared(std::string_view gid) {
  NQ_ASSIGN_OR_RETURN(auto entry, TakePrepared(gid));
  auto& [id, prepared] = entry;
  Status s = CommitStorage(id, prepared->storage_txn.get(), nullptr);
  if (!s.ok()) return s;  // the storage engine is in its sticky error state
  FinishPrepared(prepared.get(), id, true);
  return Status::OK();
}

Status TxnEngine::RollbackPrepared(std::string_view gid) {
  NQ_ASSIGN_OR_RETURN(auto entry, TakePrepared(gid));
  auto& [id, prepared] = entry;
  NQ_RETURN_IF_ERROR(storage_->Rollback(prepared->storage_txn.get()));
  for (auto row = prepared->pushed.rbegin(); row != prepared->pushed.rend(); ++row) versions_.MarkRolledBack(*row, id);
  (void)txns_.Abort(id);
  FinishPrepared(prepared.get(), id, false);
  return Status::OK();
}

void TxnEngine::FinishPrepared(Prepared* prepared, TxnId txn, bool committed) {
  if (committed) {
    commits_.fetch_add(1, std::memory_order_relaxed);
    for (const auto& row : prepared->tombstones) NoteTombstone(row, txn);
  } else {
    rollbacks_.fetch_add(1, std::memory_order_relaxed);
  }
  locks_.ReleaseAll(txn);
}

std::vector<PreparedTxnInfo> TxnEngine::ListPrepared() {
  std::lock_guard lock(prepared_mu_);
  std::vector<PreparedTxnInfo> out;
  for (const auto& [gid, entry] : prepared_) out.push_back(PreparedTxnInfo{gid, entry.first});
  return out;
}

void TxnEngine::NoteTombstone(const std::string& row, TxnId deleter) {
  std::lock_guard lock(tombstone_mu_);
  if (tombstone_rows_.insert(row).second) tombstones_.emplace(deleter, row);
}

// Purge order: versions first (those superseded below the horizon), then
// tombstones whose deleter is below it (every snapshot sees the row as
// deleted, so removing it changes nothing anyone can see), then the
// bookkeeping tables.
Status TxnEngine::Purge() {
  std::lock_guard purge(purge_mu_);
  TxnId horizon = txns_.Horizon();
  versions_.Purge(horizon);
  commit_log_.Trim(horizon);
  std::vector<std::pair<TxnId, std::string>> due;
  {
    std::lock_guard lock(tombstone_mu_);
    while (!tombstones_.empty() && tombstones_.begin()->first < horizon) {
      auto node = tombstones_.extract(tombstones_.begin());
      tombstone_rows_.erase(node.mapped());
      due.emplace_back(node.key(), std::move(node.mapped()));
    }
  }
  Status status;
  if (!due.empty()) {
    auto cleaner = storage_->Begin();
    TxnId cleaner_id = cleaner->id();
    uint64_t removed = 0;
    for (const auto& [deleter, row] : due) {
      // A writer holding the row decides its fate; try again next time.
      if (!locks_.Lock(cleaner_id, row, LockMode::kExclusive, /*wait=*/false).ok()) {
        NoteTombstone(row, deleter);
        continue;
      }
      TreeId tree = 0;
      for (int i = 0; i < 8; ++i) tree = (tree << 8) | static_cast<uint8_t>(row[i]);
      std::string_view key = std::string_view(row).substr(8);
      auto raw = storage_->Get(tree, key);
      if (!raw.ok()) {
        status = raw.status();
        break;
      }
      if (!raw->has_value()) continue;
      auto v = DecodeRowVersion(**raw);
      if (!v.ok() || !v->deleted || v->writer >= horizon) continue;
      status = storage_->Delete(cleaner.get(), tree, key);
      if (!status.ok()) break;
      ++removed;
    }
    if (status.ok()) {
      status = storage_->Commit(cleaner.get());
    } else {
      (void)storage_->Rollback(cleaner.get());
    }
    locks_.ReleaseAll(cleaner_id);
    if (status.ok()) tombstones_purged_.fetch_add(removed, std::memory_order_relaxed);
  }
  txns_.Trim();
  return status;
}

void TxnEngine::PurgeLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, options_.purge_interval, [&] { return stop_; });
    if (stop_) break;
    lock.unlock();
    Status s = Purge();
    if (!s.ok()) NQ_LOG_WARN("txn", "purge failed: {}", s.ToString());
    lock.lock();
  }
}

TxnStats TxnEngine::stats() {
  TxnStats s;
  s.commits = commits_.load();
  s.rollbacks = rollbacks_.load();
  s.serialization_failures = serialization_failures_.load();
  LockStats locks = locks_.stats();
  s.deadlocks = locks.deadlocks;
  s.lock_waits = locks.waits;
  s.locks_acquired = locks.acquired;
  s.lock_timeouts = locks.timeouts;
  {
    std::lock_guard lock(prepared_mu_);
    s.prepared = prepared_.size();
  }
  auto storage = storage_->stats();
  s.wal_bytes = storage.wal.bytes;
  s.wal_syncs = storage.wal.syncs;
  s.versions = versions_.stats();
  s.tombstones_purged = tombstones_purged_.load();
  {
    std::lock_guard lock(tombstone_mu_);
    s.tombstones_pending = tombstones_.size();
  }
  return s;
}

}  // namespace neuroquantum::txn
