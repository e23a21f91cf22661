// Transaction and Cursor: snapshot reads, locked writes with version
// chains, savepoints, prepare, commit and rollback.
#include <algorithm>

#include "fmt/format.h"
#include "txn/row_version.h"
#include "txn/txn_engine.h"

namespace neuroquantum::txn {

namespace {

bool IsDooming(const Status& s) {
  return s.code() == StatusCode::kDeadlock || s.code() == StatusCode::kSerializationFailure ||
         s.code() == StatusCode::kTimedOut;
}

// Whether a version written by `writer` is visible to `snapshot` of
// transaction `self`. Needs no commit-status lookup: a writer that was not
// in progress when the snapshot was taken has finished, and an aborted
// writer's versions are undone before it stops being in progress, so any
// version still found of a finished writer is committed.
bool VisibleTo(const Snapshot& snapshot, TxnId self, TxnId writer) {
  return writer == self || !snapshot.InProgress(writer);
}

}  // namespace

std::shared_ptr<const Snapshot> TxnEngine::TakeSnapshot(TxnId self) {
  // The returned pointer unregisters the snapshot when its last copy goes.
  struct Holder {
    TxnManager* txns = nullptr;
    std::shared_ptr<const Snapshot> snapshot;
    Holder() = default;
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
    ~Holder() {
      if (snapshot) txns->ReleaseSnapshot(snapshot);
    }
  };
  auto holder = std::make_shared<Holder>();
  holder->txns = &txns_;
  holder->snapshot = txns_.TakeSnapshot(self);
  return std::shared_ptr<const Snapshot>(holder, holder->snapshot.get());
}

Transaction::Transaction(TxnEngine* engine, TxnId id, TxnOptions options)
    : engine_(engine), id_(id), options_(options) {}

Transaction::~Transaction() {
  if (!finished_) (void)Rollback();
}

Status Transaction::CheckUsable() const {
  if (finished_) return Status::InvalidArgument("transaction has already ended");
  if (!doomed_.ok()) {
    return Status::Aborted(fmt::format(
        "current transaction is aborted, commands ignored until end of transaction block ({})",
        doomed_.ToString()));
  }
  return Status::OK();
}

Status Transaction::CheckWritable() const {
  NQ_RETURN_IF_ERROR(CheckUsable());
  if (options_.read_only) {
    return Status::ReadOnlyTransaction("cannot execute a write in a read-only transaction");
  }
  // After a failed write or fsync the storage engine refuses writes; fail
  // before queueing for row locks that a transaction unable to roll back
  // may hold for good.
  return engine_->storage_->health();
}

Status Transaction::Fail(Status s) {
  if (IsDooming(s)) {
    doomed_ = s;
    if (s.code() == StatusCode::kSerializationFailure) {
      engine_->serialization_failures_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return s;
}

void Transaction::EnsureTxnSnapshot() {
  if (options_.isolation >= IsolationLevel::kRepeatableRead && !txn_snapshot_) {
    txn_snapshot_ = engine_->TakeSnapshot(id_);
  }
}

const Snapshot& Transaction::ReadSnapshot() {
  if (ReadsTxnSnapshot()) {
    EnsureTxnSnapshot();
    return *txn_snapshot_;
  }
  if (!in_statement_ || !statement_snapshot_) statement_snapshot_ = engine_->TakeSnapshot(id_);
  return *statement_snapshot_;
}

void Transaction::BeginStatement() {
  in_statement_ = true;
  statement_fresh_ = false;
  statement_snapshot_.reset();
}

void Transaction::EndStatement() {
  in_statement_ = false;
  statement_fresh_ = false;
  statement_snapshot_.reset();
}

void Transaction::RefreshStatementSnapshot() {
  if (!in_statement_) return;  // outside a statement every read takes a fresh one anyway
  statement_fresh_ = true;
  // Lock holders that just committed released their locks before their
  // commits became visible.
  engine_->AwaitAppendedCommits();
  statement_snapshot_ = engine_->TakeSnapshot(id_);
}

Status Transaction::LockObject(uint64_t object, LockMode mode, bool* first) {
  NQ_RETURN_IF_ERROR(CheckUsable());
  auto held = std::find_if(object_locks_.begin(), object_locks_.end(),
                           [&](const auto& lock) { return lock.first == object; });
  if (held != object_locks_.end() && (held->second == LockMode::kExclusive || mode == LockMode::kShared)) {
    if (first != nullptr) *first = false;
    return Status::OK();
  }
  Status s = engine_->locks_.Lock(id_, ObjectLockName(object), mode);
  if (!s.ok()) return Fail(s);
  if (held != object_locks_.end()) {
    held->second = mode;
  } else {
    object_locks_.emplace_back(object, mode);
  }
  if (first != nullptr) *first = true;
  return Status::OK();
}

// The tree's version if the snapshot sees it, else the newest visible one
// on the row's chain (none: the row did not exist for this snapshot).
Result<std::optional<std::string>> Transaction::Resolve(const Snapshot& snapshot, TreeId tree, std::string_view key,
                                                        std::optional<std::string> raw) {
  if (!raw) return std::optional<std::string>();
  NQ_ASSIGN_OR_RETURN(RowVersion v, DecodeRowVersion(*raw));
  if (VisibleTo(snapshot, id_, v.writer)) {
    if (v.deleted) {
      if (v.writer != id_) engine_->NoteTombstone(RowName(tree, key), v.writer);
      return std::optional<std::string>();
    }
    // The common case: the newest version is visible. Its payload is the
    // tail of `raw`; reuse that buffer.
    raw->erase(0, static_cast<size_t>(v.payload.data() - raw->data()));
    return raw;
  }
  auto older = engine_->versions_.Find(RowName(tree, key), [&](std::string_view bytes) {
    auto o = DecodeRowVersion(bytes);
    return o.ok() && VisibleTo(snapshot, id_, o->writer);
  });
  if (!older) return std::optional<std::string>();
  NQ_ASSIGN_OR_RETURN(RowVersion o, DecodeRowVersion(*older));
  if (o.deleted) return std::optional<std::string>();
  return std::optional<std::string>(std::string(o.payload));
}

Result<std::optional<std::string>> Transaction::Get(TreeId tree, std::string_view key) {
  NQ_RETURN_IF_ERROR(CheckUsable());
  const Snapshot& snapshot = ReadSnapshot();
  NQ_ASSIGN_OR_RETURN(auto raw, engine_->storage_->Get(tree, key));
  if (options_.isolation == IsolationLevel::kSerializable) reads_.rows.insert(RowName(tree, key));
  return Resolve(snapshot, tree, key, std::move(raw));
}

Result<std::optional<std::string>> Transaction::GetForUpdate(TreeId tree, std::string_view key) {
  NQ_RETURN_IF_ERROR(CheckWritable());
  if (tree == 0) return Status::InvalidArgument("the catalog is not a table");
  EnsureTxnSnapshot();
  std::string row = RowName(tree, key);
  std::optional<std::string> raw;
  RowVersion v;
  while (true) {
    bool held = false;
    Status locked = engine_->locks_.Lock(id_, row, LockMode::kExclusive, true, &held);
    if (!locked.ok()) return Fail(locked);
    NQ_ASSIGN_OR_RETURN(raw, engine_->storage_->Get(tree, key));
    if (!raw) break;
    NQ_ASSIGN_OR_RETURN(v, DecodeRowVersion(*raw));
    // An implicit insert (see Write) still in progress: give back the fresh
    // lock (the inserter may want it) and wait for the inserter's end.
    if (v.writer == id_ || !MustWaitFor(v.writer)) break;
    if (!held) engine_->locks_.Unlock(id_, row);
    NQ_RETURN_IF_ERROR(WaitForWriter(v.writer));
  }
  if (options_.isolation == IsolationLevel::kSerializable) reads_.rows.insert(row);
  // The usual next step is a write of this row: it can skip the lock
  // request and the lookup (nobody else can change a row with a version
  // meanwhile, and an absent row is re-checked in the tree).
  locked_row_ = row;
  locked_raw_ = raw;
  if (!raw) return std::optional<std::string>();
  if (txn_snapshot_ && !VisibleTo(*txn_snapshot_, id_, v.writer)) {
    return Fail(Status::SerializationFailure("could not serialize access due to concurrent update"));
  }
  if (v.deleted) return std::optional<std::string>();
  return std::optional<std::string>(std::string(v.payload));
}

Status Transaction::Put(TreeId tree, std::string_view key, std::string_view value) {
  return Write(tree, key, value, WriteKind::kPut);
}

Status Transaction::Insert(TreeId tree, std::string_view key, std::string_view value) {
  return Write(tree, key, value, WriteKind::kInsert);
}

Status Transaction::Update(TreeId tree, std::string_view key, std::string_view value) {
  return Write(tree, key, value, WriteKind::kUpdate);
}

Status Transaction::Delete(TreeId tree, std::string_view key) {
  return Write(tree, key, {}, WriteKind::kDelete);
}

// A write locks the row, checks the newest version against the isolation
// level, pushes that version onto the row's chain if another transaction
// wrote it (our own earlier version needs no keeping: nobody else can see
// it), then writes the new version into the tree. Unless GetForUpdate has
// just read the row, the check and the push run inside the tree's put, on
// the value the put replaces: one descent instead of a lookup and a put.
//
// Implicit locks: an INSERT of a key the tree does not hold at all takes no
// entry in the lock table. Its version, written under the leaf latch, names
// this transaction as writer, and that is the lock: anyone who then finds a
// newest version by a transaction still in progress waits for that
// transaction (a shared request on its transaction lock, which it holds
// exclusively from its first write) and looks again. Bulk inserts so keep
// the lock table small. Rows with a version (live or deleted) are locked in
// the table as before. Two rules keep this equivalent to row locks:
//  - an implicit insert checks, under the leaf latch, that nobody else holds
//    or waits for the row's lock (a locking read of an absent row, as
//    INSERT ... ON CONFLICT does, keeps inserters out); if someone does, it
//    takes the lock like any other write;
//  - whoever takes a row's lock and then finds an implicit insert in
//    progress gives the fresh lock back before waiting for the inserter,
//    who may need that lock itself (to update the row it inserted).
Status Transaction::Write(TreeId tree, std::string_view key, std::string_view value, WriteKind kind) {
  NQ_RETURN_IF_ERROR(CheckWritable());
  if (tree == 0) return Status::InvalidArgument("the catalog is not a table");
  EnsureTxnSnapshot();
  std::string row = RowName(tree, key);
  // GetForUpdate read the row under its lock just now. A version it found
  // cannot have changed since; an absent row can (an implicit insert), so
  // that one is checked in the tree again.
  bool locked = locked_row_ == row;
  std::optional<std::string> cached;
  bool have_cached = locked && locked_raw_.has_value();
  if (have_cached) cached = std::move(locked_raw_);
  locked_row_.clear();
  locked_raw_.reset();
  if (!storage_txn_) {
    NQ_RETURN_IF_ERROR(engine_->locks_.Lock(id_, TxnLockName(id_), LockMode::kExclusive));
    storage_txn_ = engine_->storage_->BeginWithId(id_);
  }
  bool deleting = kind == WriteKind::kDelete;
  std::string version = EncodeRowVersion(id_, deleting, deleting ? std::string_view() : value);
  bool fresh_lock = false;  // taken by this call, not yet relied on
  auto lock_row = [&]() -> Status {
    bool held = false;
    Status s = engine_->locks_.Lock(id_, row, LockMode::kExclusive, true, &held);
    if (!s.ok()) return Fail(s);
    locked = true;
    fresh_lock = !held;
    return Status::OK();
  };
  while (true) {
    const bool implicit = kind == WriteKind::kInsert && !locked;
    if (!locked && !implicit) NQ_RETURN_IF_ERROR(lock_row());
    bool pushed = false;
    bool first_write = false;  // of this row by this transaction
    TxnId wait_for = 0;        // a writer still in progress
    bool lock_first = false;   // an implicit insert met a deleted version
    auto check = [&](std::optional<std::string_view> raw) -> Status {
      std::optional<RowVersion> current;
      if (raw) {
        NQ_ASSIGN_OR_RETURN(RowVersion v, DecodeRowVersion(*raw));
        current = v;
      }
      if (current && current->writer != id_ && MustWaitFor(current->writer)) {
        wait_for = current->writer;
        return Status::Busy("row is being written");
      }
      if (current && txn_snapshot_ && !VisibleTo(*txn_snapshot_, id_, current->writer)) {
        return Fail(Status::SerializationFailure("could not serialize access due to concurrent update"));
      }
      bool exists = current && !current->deleted;
      if (kind == WriteKind::kInsert && exists) {
        return Status::AlreadyExists("duplicate key value violates unique constraint");
      }
      // A deleted version (the tombstone cleaner may hold the row's lock), or
      // a lock someone holds on the absent row: lock it like any write.
      if (implicit && (current || engine_->locks_.UsedByOthers(id_, row))) {
        lock_first = true;
        return Status::Busy("row needs its lock");
      }
      if ((kind == WriteKind::kUpdate || kind == WriteKind::kDelete) && !exists) {
        return Status::NotFound("row does not exist");
      }
      first_write = !current || current->writer != id_;
      if (current && first_write) {
        engine_->versions_.Push(row, std::string(*raw), id_);
        pushed_.push_back(row);
        pushed = true;
      }
      return Status::OK();
    };
    Status s;
    if (have_cached) {
      s = check(cached ? std::optional<std::string_view>(*cached) : std::nullopt);
      if (s.ok()) s = engine_->storage_->Put(storage_txn_.get(), tree, key, version);
    } else {
      storage::WriteCheck in_tree(check);
      s = engine_->storage_->Put(storage_txn_.get(), tree, key, version, &in_tree);
    }
    if (wait_for != 0) {
      if (fresh_lock) {
        engine_->locks_.Unlock(id_, row);
        locked = fresh_lock = false;
      }
      Status waited = WaitForWriter(wait_for);
      if (!waited.ok()) return waited;
      have_cached = false;  // look again in the tree
      continue;
    }
    if (lock_first) {
      NQ_RETURN_IF_ERROR(lock_row());
      continue;
    }
    if (!s.ok()) {
      if (pushed) {
        engine_->versions_.MarkRolledBack(row, id_);
        pushed_.pop_back();
      }
      return s;
    }
    if (deleting) tombstones_.push_back(row);
    if (first_write) written_.push_back(std::move(row));
    return Status::OK();
  }
}

// Whether a version by `writer` (another transaction) is still locked by
// it. A writer releases its locks once its commit record is appended, before
// the flush makes it committed (early lock release); a row written by a
// transaction whose lock this one already obtained is free, as a row lock
// released at that point is.
bool Transaction::MustWaitFor(TxnId writer) const {
  TxnState state = engine_->txns_.State(writer);
  if (state != TxnState::kActive && state != TxnState::kPrepared) return false;
  return !engine_->locks_.Holds(id_, TxnLockName(writer), LockMode::kShared);
}

// Waits until transaction `writer` ends: it holds its transaction lock
// exclusively until then. The lock manager sees the wait, so a cycle through
// it is found as a deadlock and the wait is bounded by the lock timeout.
Status Transaction::WaitForWriter(TxnId writer) {
  Status s = engine_->locks_.Lock(id_, TxnLockName(writer), LockMode::kShared);
  if (!s.ok()) return Fail(s);
  return Status::OK();
}

Result<std::unique_ptr<Cursor>> Transaction::Scan(TreeId tree, std::string_view lo,
                                                  std::optional<std::string_view> hi) {
  NQ_RETURN_IF_ERROR(CheckUsable());
  ReadSnapshot();
  auto snapshot = ReadSnapshotPtr();
  if (options_.isolation == IsolationLevel::kSerializable) {
    reads_.ranges.emplace_back(RowName(tree, lo), hi ? RowName(tree, *hi) : TreeEnd(tree));
  }
  NQ_ASSIGN_OR_RETURN(auto it, engine_->storage_->NewIterator(tree));
  if (hi) it->SetUpperBound(std::string(*hi));
  it->Seek(lo);
  auto cursor = std::unique_ptr<Cursor>(new Cursor(this, tree, std::move(snapshot), std::move(it)));
  cursor->Settle();
  return cursor;
}

void Cursor::Settle() {
  has_current_ = false;
  for (; it_->Valid(); it_->Next()) {
    std::string_view key = it_->key();
    // Fast path: an inline value whose newest version is visible and live
    // is read where the iterator holds it.
    if (auto view = it_->inline_value()) {
      auto v = DecodeRowVersion(*view);
      if (v.ok() && !v->deleted && VisibleTo(*snapshot_, txn_->id_, v->writer)) {
        key_view_ = key;
        value_view_ = v->payload;
        has_current_ = true;
        return;
      }
    }
    auto raw = it_->value();
    if (!raw.ok()) {
      // A large value's overflow pages may have been replaced since the
      // leaf was read; read the row afresh.
      auto fresh = txn_->engine_->storage_->Get(tree_, key);
      if (!fresh.ok()) {
        status_ = fresh.status();
        return;
      }
      if (!fresh->has_value()) continue;
      raw = std::move(**fresh);
    }
    auto value = txn_->Resolve(*snapshot_, tree_, key, std::move(*raw));
    if (!value.ok()) {
      status_ = value.status();
      return;
    }
    if (value->has_value()) {
      key_.assign(key);
      current_ = std::move(**value);
      key_view_ = key_;
      value_view_ = current_;
      has_current_ = true;
      return;
    }
  }
  status_ = it_->status();
}

void Cursor::Next() {
  if (!Valid()) return;
  it_->Next();
  Settle();
}

Status Transaction::Savepoint(std::string_view name) {
  NQ_RETURN_IF_ERROR(CheckUsable());
  size_t mark = storage_txn_ ? storage_txn_->savepoint_mark() : 0;
  savepoints_.push_back(SavepointMark{std::string(name), mark, pushed_.size(), tombstones_.size()});
  return Status::OK();
}

namespace {

template <typename Marks>
auto FindSavepoint(Marks& marks, std::string_view name) {
  auto it = std::find_if(marks.rbegin(), marks.rend(), [&](const auto& m) { return m.name == name; });
  return it == marks.rend() ? marks.end() : std::prev(it.base());
}

}  // namespace

Status Transaction::RollbackToSavepoint(std::string_view name) {
  if (finished_) return Status::InvalidArgument("transaction has already ended");
  auto it = FindSavepoint(savepoints_, name);
  if (it == savepoints_.end()) return Status::NotFound(fmt::format("savepoint \"{}\" does not exist", name));
  locked_row_.clear();  // the row may be restored to an older version
  if (storage_txn_) NQ_RETURN_IF_ERROR(engine_->storage_->RollbackTo(storage_txn_.get(), it->storage_mark));
  UndoPushes(it->pushed, it->tombstones);
  savepoints_.erase(std::next(it), savepoints_.end());
  doomed_ = Status::OK();  // the failed part is gone; the transaction goes on
  return Status::OK();
}

Status Transaction::ReleaseSavepoint(std::string_view name) {
  NQ_RETURN_IF_ERROR(CheckUsable());
  auto it = FindSavepoint(savepoints_, name);
  if (it == savepoints_.end()) return Status::NotFound(fmt::format("savepoint \"{}\" does not exist", name));
  savepoints_.erase(it, savepoints_.end());
  return Status::OK();
}

// Marks, newest first, the chain entries pushed after the given counts as
// rolled back (the tree versions they hold have just been restored).
void Transaction::UndoPushes(size_t pushed, size_t tombstones) {
  while (pushed_.size() > pushed) {
    engine_->versions_.MarkRolledBack(pushed_.back(), id_);
    pushed_.pop_back();
  }
  tombstones_.resize(std::min(tombstones_.size(), tombstones));
}

// The write set goes into the commit log (for validating SERIALIZABLE
// transactions that commit later); a SERIALIZABLE transaction is first
// checked against the write sets logged by transactions it cannot see.
Status Transaction::ValidateForCommit() {
  std::lock_guard lock(engine_->validate_mu_);
  if (options_.isolation == IsolationLevel::kSerializable && !reads_.empty()) {
    TxnId with = 0;
    if (engine_->commit_log_.Conflicts(*txn_snapshot_, reads_, &with)) {
      return Fail(Status::SerializationFailure(fmt::format(
          "could not serialize access due to read/write dependencies among transactions "
          "(transaction {} changed what this one read)",
          with)));
    }
  }
  engine_->commit_log_.Append(id_, std::move(written_));
  written_.clear();
  return Status::OK();
}

Status Transaction::Prepare(std::string_view gid) {
  NQ_RETURN_IF_ERROR(CheckUsable());
  {
    std::lock_guard lock(engine_->prepared_mu_);
    if (engine_->prepared_.count(gid) != 0) {
      return Status::AlreadyExists(fmt::format("transaction identifier \"{}\" is already in use", gid));
    }
  }
  Status valid = ValidateForCommit();
  if (!valid.ok()) {
    (void)Rollback();
    return valid;
  }
  if (!storage_txn_) storage_txn_ = engine_->storage_->BeginWithId(id_);
  Status s = engine_->storage_->Prepare(storage_txn_.get(), gid);
  if (!s.ok()) {
    (void)Rollback();
    return s;
  }
  (void)engine_->txns_.Prepare(id_);
  auto prepared = std::make_unique<TxnEngine::Prepared>();
  prepared->storage_txn = std::move(storage_txn_);
  prepared->pushed = std::move(pushed_);
  prepared->tombstones = std::move(tombstones_);
  {
    std::lock_guard lock(engine_->prepared_mu_);
    engine_->prepared_.emplace(std::string(gid), std::make_pair(id_, std::move(prepared)));
  }
  finished_ = true;
  txn_snapshot_.reset();
  statement_snapshot_.reset();
  return Status::OK();
}

Status Transaction::Commit() {
  if (finished_) return Status::InvalidArgument("transaction has already ended");
  if (!doomed_.ok()) {
    Status why = doomed_;
    NQ_RETURN_IF_ERROR(Rollback());
    return Status::Aborted(fmt::format("transaction was rolled back: {}", why.ToString()));
  }
  if (!storage_txn_) {
    // Wrote nothing: nothing to log, validate or order.
    (void)engine_->txns_.Commit(id_);
    finished_ = true;
    engine_->commits_.fetch_add(1, std::memory_order_relaxed);
    ReleaseResources();
    return Status::OK();
  }
  Status s = engine_->CommitStorage(id_, storage_txn_.get(), [this] { return ValidateForCommit(); });
  if (!s.ok()) {
    if (!storage_txn_->finished()) {  // refused before anything was logged
      Status rolled = Rollback();
      if (!rolled.ok()) return rolled;
    }
    return s;
  }
  finished_ = true;
  engine_->commits_.fetch_add(1, std::memory_order_relaxed);
  for (const auto& row : tombstones_) engine_->NoteTombstone(row, id_);
  ReleaseResources();
  return Status::OK();
}

Status Transaction::Rollback() {
  if (finished_) return Status::InvalidArgument("transaction has already ended");
  if (storage_txn_) {
    // If undo fails (I/O), the transaction stays in progress for everyone:
    // its half-undone rows are never shown, and its locks stay held.
    NQ_RETURN_IF_ERROR(engine_->storage_->Rollback(storage_txn_.get()));
    UndoPushes(0, 0);
  }
  (void)engine_->txns_.Abort(id_);
  finished_ = true;
  engine_->rollbacks_.fetch_add(1, std::memory_order_relaxed);
  ReleaseResources();
  return Status::OK();
}

void Transaction::ReleaseResources() {
  engine_->locks_.ReleaseAll(id_);
  object_locks_.clear();
  txn_snapshot_.reset();
  statement_snapshot_.reset();
  storage_txn_.reset();
}

}  // namespace neuroquantum::txn
