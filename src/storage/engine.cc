// StorageEngine: open/create, catalog, transactions, checkpoints.
#include "storage/engine.h"

#include <cassert>
#include <chrono>
#include <random>

#include "common/log.h"
#include "fmt/format.h"
#include "storage/page_verifier.h"

namespace neuroquantum::storage {
namespace {

constexpr PageId kCatalogRoot = 1;
constexpr TreeId kCatalogTree = 0;

std::string ParentDir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string EncodeCatalogValue(TreeId id, PageId root) {
  std::string v;
  PutVarint64(&v, id);
  PutFixed64(&v, root);
  return v;
}

bool DecodeCatalogValue(std::string_view v, TreeId* id, PageId* root) {
  ByteReader in(v);
  return in.GetVarint64(id) && in.GetFixed64(root) && in.remaining() == 0;
}

Status ValidateOptions(const Options& o) {
  if (!IsValidPageSize(o.page_size)) {
    return Status::InvalidArgument(
        fmt::format("page_size {} is not a power of two in [4096, 65536]", o.page_size));
  }
  if (o.wal_segment_mib == 0 || o.wal_segment_mib > 1024) {
    return Status::InvalidArgument("wal_segment_mib must be in [1, 1024]");
  }
  if (o.max_wal_mib < o.wal_segment_mib) {
    return Status::InvalidArgument("max_wal_mib must be at least wal_segment_mib");
  }
  if (o.buffer_pool_mib == 0) return Status::InvalidArgument("buffer_pool_mib must be >= 1");
  return Status::OK();
}

}  // namespace

StorageEngine::StorageEngine(Env* env, std::string path, const Options& options)
    : env_(env), path_(std::move(path)), wal_dir_(path_ + "-wal"), options_(options) {}

Result<std::unique_ptr<StorageEngine>> StorageEngine::Open(const std::string& path,
                                                           const Options& options) {
  NQ_RETURN_IF_ERROR(ValidateOptions(options));
  Env* env = options.env != nullptr ? options.env : Env::Default();
  auto engine = std::unique_ptr<StorageEngine>(new StorageEngine(env, path, options));
  NQ_RETURN_IF_ERROR(engine->OpenOrCreate());
  return engine;
}

StorageEngine::~StorageEngine() {
  if (pool_) pool_->StopBackground();
  if (wal_ && !options_.read_only && health().ok()) {
    Status s = Checkpoint();
    if (!s.ok()) NQ_LOG_WARN("storage", "checkpoint at close failed: {}", s.ToString());
  }
}

// Creation order makes a crash at any point harmless: the WAL directory and
// control file first, then the page file under a temporary name, renamed
// into place last. A database "exists" exactly when PATH exists.
Status StorageEngine::CreateFiles() {
  std::random_device rd;
  database_id_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ env_->NowMicros();
  std::string control_path = JoinPath(wal_dir_, "control");
  if (env_->FileExists(control_path)) {
    // Sequence 1 means no open ever completed (every open rewrites the
    // control file): a creation interrupted by a crash, safe to redo. A
    // later sequence is another database's WAL, which would shadow ours.
    auto old = ControlFile::Read(env_, control_path);
    if (old.ok() && old->sequence > 1) {
      return Status::AlreadyExists(wal_dir_ + " exists without " + path_ +
                                   "; remove it to create a new database there");
    }
    NQ_RETURN_IF_ERROR(env_->RemoveFile(control_path));
  }
  NQ_RETURN_IF_ERROR(env_->CreateDir(wal_dir_));
  ControlData control;
  control.database_id = database_id_;
  control.segment_size = uint64_t{options_.wal_segment_mib} << 20;
  control.page_size = options_.page_size;
  NQ_RETURN_IF_ERROR(ControlFile::Write(env_, JoinPath(wal_dir_, "control"), &control));
  NQ_RETURN_IF_ERROR(env_->SyncDir(wal_dir_));
  std::string tmp = path_ + ".creating";
  if (env_->FileExists(tmp)) NQ_RETURN_IF_ERROR(env_->RemoveFile(tmp));
  {
    NQ_ASSIGN_OR_RETURN(auto file, PageFile::Create(env_, tmp, options_.page_size, database_id_));
  }
  NQ_RETURN_IF_ERROR(env_->RenameFile(tmp, path_));
  return env_->SyncDir(ParentDir(path_));
}

Status StorageEngine::OpenOrCreate() {
  NQ_ASSIGN_OR_RETURN(lock_, env_->LockFile(path_ + ".lock"));
  bool exists = env_->FileExists(path_);
  if (!exists) {
    if (!options_.create_if_missing || options_.read_only) {
      return Status::NotFound("database does not exist: " + path_);
    }
    NQ_RETURN_IF_ERROR(CreateFiles());
  } else if (options_.error_if_exists) {
    return Status::AlreadyExists("database already exists: " + path_);
  }
  FileHeaderInfo info;
  NQ_ASSIGN_OR_RETURN(file_, PageFile::Open(env_, path_, options_.read_only, &info));
  file_->SetTransform(options_.page_transform);
  if (info.read_only_required && !options_.read_only) {
    return Status::NotSupported(path_ + " uses features this build can only open read-only");
  }
  page_size_ = info.page_size;
  database_id_ = info.database_id;
  auto control = ControlFile::Read(env_, JoinPath(wal_dir_, "control"));
  if (!control.ok()) {
    if (control.status().IsNotFound()) {
      return Status::Corruption(wal_dir_ + "/control is missing: the WAL directory is gone");
    }
    return control.status();
  }
  control_ = *control;
  if (control_.database_id != database_id_ || control_.page_size != page_size_) {
    return Status::Corruption(wal_dir_ + " belongs to a different database");
  }
  pool_ = std::make_unique<BufferPool>(file_.get(), size_t{options_.buffer_pool_mib} << 20);
  pool_->SetVerifier([ps = page_size_](PageId id, const uint8_t* page) {
    return VerifyPageStructure(id, page, ps);
  });
  ctx_.pool = pool_.get();
  ctx_.page_size = page_size_;
  NQ_RETURN_IF_ERROR(Recover());
  if (!options_.read_only) pool_->StartBackground(options_.flush_interval_ms);
  return Status::OK();
}

Status StorageEngine::EnsureCatalogRoot() {
  uint64_t page_count;
  {
    NQ_ASSIGN_OR_RETURN(PageGuard header, pool_->Fetch(kHeaderPageId, LatchMode::kShared));
    page_count = DecodeFixed64(header.data() + header::kPageCount);
  }
  if (page_count > kCatalogRoot) return Status::OK();
  if (options_.read_only) return Status::Corruption("catalog root page is missing");
  Mtr mtr(&ctx_);
  NQ_ASSIGN_OR_RETURN(PageId root, BTree::CreateRoot(&mtr, kCatalogTree));
  // Page 1 is the first page ever allocated, so this holds by construction.
  assert(root == kCatalogRoot && "catalog root must be page 1");
  (void)root;
  NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
  return wal_->FlushTo(end, true);
}

Status StorageEngine::LoadCatalog() {
  std::lock_guard lock(catalog_mu_);
  trees_.clear();
  tree_names_.clear();
  trees_[kCatalogTree] = std::make_unique<BTree>(&ctx_, kCatalogTree, kCatalogRoot);
  auto it = trees_[kCatalogTree]->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    NQ_ASSIGN_OR_RETURN(std::string value, it->value());
    TreeId id = 0;
    PageId root = 0;
    if (!DecodeCatalogValue(value, &id, &root)) {
      return Status::Corruption(fmt::format("catalog entry '{}' is malformed", it->key()));
    }
    trees_[id] = std::make_unique<BTree>(&ctx_, id, root);
    tree_names_.emplace(std::string(it->key()), id);
  }
  return it->status();
}

Result<BTree*> StorageEngine::TreeFor(TreeId id) {
  std::lock_guard lock(catalog_mu_);
  auto it = trees_.find(id);
  if (it == trees_.end()) return Status::NotFound(fmt::format("tree {} does not exist", id));
  return it->second.get();
}

Result<TreeId> StorageEngine::CreateTree(std::string_view name) {
  NQ_RETURN_IF_ERROR(CheckWritable());
  if (name.empty() || name.size() > 256) {
    return Status::InvalidArgument("tree name must be 1 to 256 bytes");
  }
  {
    std::lock_guard lock(catalog_mu_);
    if (tree_names_.count(name) != 0) {
      return Status::AlreadyExists(fmt::format("tree '{}' already exists", name));
    }
  }
  auto txn = Begin();
  NQ_RETURN_IF_ERROR(RegisterTxn(txn.get()));
  TreeId id;
  PageId root;
  {
    // The new root is "allocated but unlinked" until the catalog entry is
    // logged; kOverflowAlloc makes recovery free it if we crash in between.
    Mtr mtr(&ctx_, txn->id());
    mtr.record().flags |= kOverflowAlloc;
    NQ_ASSIGN_OR_RETURN(PageGuard * header, mtr.Fetch(kHeaderPageId));
    id = DecodeFixed64(header->data() + header::kNextTreeId);
    EncodeFixed64(header->mutable_data() + header::kNextTreeId, id + 1);
    NQ_ASSIGN_OR_RETURN(root, BTree::CreateRoot(&mtr, id));
    NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
    (void)end;
  }
  {
    std::lock_guard lock(catalog_mu_);
    trees_[id] = std::make_unique<BTree>(&ctx_, id, root);
    tree_names_.emplace(std::string(name), id);
  }
  Status s = Put(txn.get(), kCatalogTree, name, EncodeCatalogValue(id, root));
  if (s.ok()) s = Commit(txn.get());
  if (!s.ok()) {
    (void)Rollback(txn.get());
    return s;
  }
  return id;
}

Result<TreeId> StorageEngine::FindTree(std::string_view name) {
  std::lock_guard lock(catalog_mu_);
  auto it = tree_names_.find(name);
  if (it == tree_names_.end()) return Status::NotFound(fmt::format("tree '{}' does not exist", name));
  return it->second;
}

std::vector<std::string> StorageEngine::ListTrees() {
  std::lock_guard lock(catalog_mu_);
  std::vector<std::string> names;
  for (const auto& [name, id] : tree_names_) names.push_back(name);
  return names;
}

std::vector<std::pair<std::string, PageId>> StorageEngine::TreeRoots() {
  std::lock_guard lock(catalog_mu_);
  std::vector<std::pair<std::string, PageId>> roots{{"(catalog)", kCatalogRoot}};
  for (const auto& [name, id] : tree_names_) roots.emplace_back(name, trees_[id]->root());
  return roots;
}

Transaction::~Transaction() {
  // A prepared transaction outlives its handle: the next open finds it.
  if (engine_ == nullptr || finished_ || !registered_ || prepared_) return;
  Status s = engine_->Rollback(this);
  if (!s.ok()) NQ_LOG_WARN("storage", "rollback of abandoned transaction {} failed: {}", id_, s.ToString());
}

std::unique_ptr<Transaction> StorageEngine::Begin() {
  return std::unique_ptr<Transaction>(new Transaction(this, next_txn_id_.fetch_add(1)));
}

std::unique_ptr<Transaction> StorageEngine::BeginWithId(TxnId id) {
  return std::unique_ptr<Transaction>(new Transaction(this, id));
}

Status StorageEngine::CheckWritable() const {
  if (options_.read_only) return Status::ReadOnly("database was opened read-only");
  return health();
}

Status StorageEngine::health() const {
  if (wal_) NQ_RETURN_IF_ERROR(wal_->sticky_error());
  if (pool_) NQ_RETURN_IF_ERROR(pool_->sticky_error());
  return Status::OK();
}

Status StorageEngine::RegisterTxn(Transaction* txn) {
  if (txn->finished_) return Status::InvalidArgument("transaction already finished");
  if (txn->registered_) return Status::OK();
  std::lock_guard lock(txn_mu_);
  active_[txn->id_] = wal_->end_lsn();  // at or before its first record
  txn->registered_ = true;
  return Status::OK();
}

Status StorageEngine::Put(Transaction* txn, TreeId tree, std::string_view key,
                          std::string_view value, const WriteCheck* check) {
  return Write(txn, tree, key, &value, check);
}

Status StorageEngine::Delete(Transaction* txn, TreeId tree, std::string_view key) {
  return Write(txn, tree, key, nullptr, nullptr);
}

// One write of a transaction: a put when `value` is given, else a delete.
// The record that carries the logical change joins the undo list.
Status StorageEngine::Write(Transaction* txn, TreeId tree, std::string_view key,
                            const std::string_view* value, const WriteCheck* check) {
  NQ_RETURN_IF_ERROR(CheckWritable());
  NQ_ASSIGN_OR_RETURN(BTree * t, TreeFor(tree));
  const bool first = !txn->registered_;
  const Lsn end_before = wal_->end_lsn();
  NQ_RETURN_IF_ERROR(RegisterTxn(txn));
  Lsn at = 0;
  WriteContext wctx{txn->id_, 0, &at, check};
  Status s = value != nullptr ? t->Put(key, *value, wctx) : t->Delete(key, wctx);
  if (at != 0) txn->undo_.push_back(at);
  if (!s.ok() && first && wal_->end_lsn() == end_before) {
    // The first write failed (e.g. its check refused it) and nothing was
    // logged since it registered: the transaction still wrote nothing, so
    // its commit or rollback logs nothing and it holds no WAL back.
    std::lock_guard lock(txn_mu_);
    active_.erase(txn->id_);
    txn->registered_ = false;
  }
  return s;
}

Status StorageEngine::BulkLoad(TreeId tree, BulkSource* source) {
  NQ_RETURN_IF_ERROR(CheckWritable());
  if (tree == kCatalogTree) return Status::InvalidArgument("cannot bulk load the catalog");
  NQ_ASSIGN_OR_RETURN(BTree * t, TreeFor(tree));
  auto txn = Begin();
  NQ_RETURN_IF_ERROR(RegisterTxn(txn.get()));
  bool pages_left = false;
  Status s = t->BulkLoad(source, txn->id_, &pages_left);
  if (s.ok()) return Commit(txn.get());
  // No abort record: it would cancel, at recovery, the freeing of pages the
  // tree could not free itself. There is nothing to undo. If such pages
  // exist the transaction stays in the active table, which keeps its WAL
  // (the allocations) until the next open's recovery frees them.
  txn->finished_ = true;
  if (!pages_left) {
    std::lock_guard lock(txn_mu_);
    active_.erase(txn->id_);
  }
  return s;
}

Result<std::optional<std::string>> StorageEngine::Get(TreeId tree, std::string_view key) {
  NQ_ASSIGN_OR_RETURN(BTree * t, TreeFor(tree));
  return t->Get(key);
}

Result<std::unique_ptr<BTree::Iterator>> StorageEngine::NewIterator(TreeId tree) {
  NQ_ASSIGN_OR_RETURN(BTree * t, TreeFor(tree));
  return t->NewIterator();
}

Status StorageEngine::LogTxnEnd(Transaction* txn, WalRecordType type, bool sync) {
  std::string rec;
  EncodeTxnRecord(type, txn->id_, &rec);
  NQ_ASSIGN_OR_RETURN(Lsn end, wal_->Append(rec));
  return wal_->FlushTo(end, sync);
}

Status StorageEngine::Commit(Transaction* txn, const CommitHooks& hooks) {
  if (txn->finished_) return Status::InvalidArgument("transaction already finished");
  bool hooked = hooks.before_append || hooks.after_append;
  std::unique_lock order(commit_order_mu_, std::defer_lock);
  if (hooked) order.lock();
  if (hooks.before_append) NQ_RETURN_IF_ERROR(hooks.before_append());
  txn->finished_ = true;
  if (!txn->registered_) {  // wrote nothing
    if (hooks.after_append) hooks.after_append(wal_->end_lsn());
    return Status::OK();
  }
  std::string rec;
  EncodeTxnRecord(WalRecordType::kCommit, txn->id_, &rec);
  Result<Lsn> end = wal_->Append(rec);
  if (end.ok() && hooks.after_append) hooks.after_append(*end);
  if (hooked) order.unlock();
  Status s = end.ok() ? wal_->FlushTo(*end, options_.durability == Durability::kFull) : end.status();
  {
    std::lock_guard lock(txn_mu_);
    active_.erase(txn->id_);
  }
  NQ_RETURN_IF_ERROR(s);
  commits_.fetch_add(1, std::memory_order_relaxed);
  MaybeCheckpoint();
  return Status::OK();
}

Status StorageEngine::Rollback(Transaction* txn) {
  if (txn->finished_) return Status::InvalidArgument("transaction already finished");
  txn->finished_ = true;
  if (!txn->registered_) return Status::OK();
  Status s = UndoTransaction(txn->id_, txn->undo_);
  if (s.ok()) s = LogTxnEnd(txn, WalRecordType::kAbort, txn->prepared_);
  {
    std::lock_guard lock(txn_mu_);
    active_.erase(txn->id_);
  }
  NQ_RETURN_IF_ERROR(s);
  rollbacks_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

Status StorageEngine::RollbackTo(Transaction* txn, size_t mark) {
  if (txn->finished_) return Status::InvalidArgument("transaction already finished");
  if (txn->prepared_) return Status::InvalidArgument("transaction is prepared");
  if (mark > txn->undo_.size()) return Status::InvalidArgument("savepoint mark is beyond the transaction's changes");
  std::vector<Lsn> later(txn->undo_.begin() + static_cast<std::ptrdiff_t>(mark), txn->undo_.end());
  NQ_RETURN_IF_ERROR(UndoTransaction(txn->id_, later));
  txn->undo_.resize(mark);
  return Status::OK();
}

Status StorageEngine::Prepare(Transaction* txn, std::string_view gid) {
  if (txn->finished_) return Status::InvalidArgument("transaction already finished");
  if (txn->prepared_) return Status::InvalidArgument("transaction is already prepared");
  if (gid.empty() || gid.size() > 200) {
    return Status::InvalidArgument("transaction identifier must be 1 to 200 bytes");
  }
  NQ_RETURN_IF_ERROR(CheckWritable());
  NQ_RETURN_IF_ERROR(RegisterTxn(txn));
  std::string rec;
  EncodePrepareRecord(txn->id_, gid, &rec);
  NQ_ASSIGN_OR_RETURN(Lsn end, wal_->Append(rec));
  // Always synced: the coordinator is told "prepared" only once it is.
  NQ_RETURN_IF_ERROR(wal_->FlushTo(end, true));
  txn->prepared_ = true;
  txn->gid_ = std::string(gid);
  return Status::OK();
}

std::vector<std::unique_ptr<Transaction>> StorageEngine::TakePreparedTransactions() {
  return std::move(recovered_prepared_);
}

Result<std::vector<LogicalChange>> StorageEngine::ReadChanges(const Transaction& txn) {
  std::vector<LogicalChange> changes;
  if (txn.undo_.empty()) return changes;
  NQ_RETURN_IF_ERROR(wal_->FlushTo(wal_->end_lsn(), false));
  changes.reserve(txn.undo_.size());
  for (Lsn lsn : txn.undo_) {
    NQ_ASSIGN_OR_RETURN(std::string bytes, WalReader::ReadRecordAt(env_, wal_dir_, control_.segment_size,
                                                                   database_id_, lsn));
    NQ_ASSIGN_OR_RETURN(DecodedRecord rec, DecodeWalRecord(bytes, page_size_));
    if (rec.type != WalRecordType::kMtr || !(rec.mtr.flags & kHasLogical)) {
      return Status::Corruption(fmt::format("WAL record at LSN {} is not a logical change", lsn));
    }
    changes.push_back(std::move(rec.mtr.logical));
  }
  return changes;
}

Status StorageEngine::UndoTransaction(TxnId txn, const std::vector<Lsn>& undo) {
  if (undo.empty()) return Status::OK();
  // Undo reads the records back from the segment files.
  NQ_RETURN_IF_ERROR(wal_->FlushTo(wal_->end_lsn(), false));
  for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
    NQ_RETURN_IF_ERROR(UndoRecord(txn, *it).WithContext(fmt::format("undo of LSN {}", *it)));
  }
  return Status::OK();
}

Status StorageEngine::UndoRecord(TxnId txn, Lsn lsn) {
  NQ_ASSIGN_OR_RETURN(std::string bytes,
                      WalReader::ReadRecordAt(env_, wal_dir_, control_.segment_size, database_id_, lsn));
  NQ_ASSIGN_OR_RETURN(DecodedRecord rec, DecodeWalRecord(bytes, page_size_));
  if (rec.type != WalRecordType::kMtr || !(rec.mtr.flags & kHasLogical)) {
    return Status::Corruption("undo target is not a logical change");
  }
  const LogicalChange& change = rec.mtr.logical;
  NQ_ASSIGN_OR_RETURN(BTree * tree, TreeFor(change.tree));
  WriteContext wctx{txn, lsn, nullptr};
  if (change.op == LogicalOp::kInsert) {
    Status s = tree->Delete(change.key, wctx);
    if (s.IsNotFound()) return Status::Corruption("inserted key is missing at undo");
    NQ_RETURN_IF_ERROR(s);
    if (change.tree == kCatalogTree) {
      TreeId id = 0;
      PageId root = 0;
      if (!DecodeCatalogValue(change.new_value, &id, &root)) {
        return Status::Corruption("malformed catalog entry in WAL");
      }
      NQ_RETURN_IF_ERROR(DestroyTree(root, txn));
      std::lock_guard lock(catalog_mu_);
      trees_.erase(id);
      tree_names_.erase(change.key);
    }
    return Status::OK();
  }
  return tree->Put(change.key, change.old_value, wctx);
}

// Frees every page of a tree (only used to undo CreateTree, so the tree is
// small and unshared).
Status StorageEngine::DestroyTree(PageId root, TxnId txn) {
  std::vector<PageId> stack{root};
  BTree helper(&ctx_, 0, root);
  while (!stack.empty()) {
    PageId id = stack.back();
    stack.pop_back();
    std::vector<PageId> chains;
    {
      NQ_ASSIGN_OR_RETURN(PageGuard page, pool_->Fetch(id, LatchMode::kShared));
      btree::Node node(const_cast<uint8_t*>(page.data()), page_size_);
      if (!node.is_leaf()) stack.push_back(node.leftmost_child());
      for (uint16_t i = 0; i < node.count(); ++i) {
        btree::Cell c = node.cell(i);
        if (!node.is_leaf()) stack.push_back(c.child);
        if (c.overflow) chains.push_back(c.overflow_page);
      }
    }
    for (PageId chain : chains) NQ_RETURN_IF_ERROR(helper.FreeOverflowChain(chain, txn));
    Mtr mtr(&ctx_, txn);
    NQ_ASSIGN_OR_RETURN(PageGuard * page, mtr.Fetch(id));
    NQ_RETURN_IF_ERROR(FreePage(&mtr, page));
    NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
    (void)end;
  }
  return Status::OK();
}

Status StorageEngine::WriteControl(Lsn redo, Lsn undo) {
  control_.redo_lsn = redo;
  control_.undo_lsn = undo;
  control_.next_txn_id = next_txn_id_.load();
  return ControlFile::Write(env_, JoinPath(wal_dir_, "control"), &control_);
}

// Fuzzy checkpoint: move the redo point to the current WAL end (from then on
// every first change of a page logs a full image), write all pages dirty
// before it, sync the file, then record the new redo point durably.
Status StorageEngine::Checkpoint() {
  std::lock_guard checkpoint(checkpoint_mu_);
  return CheckpointLocked();
}

Status StorageEngine::CheckpointLocked() {
  NQ_RETURN_IF_ERROR(CheckWritable());
  Lsn redo;
  {
    std::unique_lock exclusive(ctx_.checkpoint_mu);
    redo = wal_->end_lsn();
    ctx_.redo_lsn.store(redo, std::memory_order_release);
  }
  NQ_RETURN_IF_ERROR(wal_->FlushAll());
  NQ_RETURN_IF_ERROR(pool_->FlushAll());
  if (options_.durability != Durability::kOff) NQ_RETURN_IF_ERROR(file_->Sync());
  Lsn undo = redo;
  {
    std::lock_guard lock(txn_mu_);
    for (const auto& [id, first] : active_) undo = std::min(undo, first);
  }
  NQ_RETURN_IF_ERROR(WriteControl(redo, undo));
  // Recycle up to as many segments as max_wal_mib holds, in the database's
  // own segment size (fixed at creation).
  size_t keep = std::max<size_t>(1, (uint64_t{options_.max_wal_mib} << 20) / control_.segment_size);
  NQ_RETURN_IF_ERROR(wal_->RecycleSegments(undo, keep));
  checkpoints_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

// Bounds the WAL: once it holds half of max_wal_mib past the redo point,
// the committing thread that notices runs a checkpoint.
void StorageEngine::MaybeCheckpoint() {
  uint64_t limit = (uint64_t{options_.max_wal_mib} << 20) / 2;
  if (wal_->end_lsn() - ctx_.redo_lsn.load() < limit) return;
  std::unique_lock try_lock(checkpoint_mu_, std::try_to_lock);
  if (!try_lock.owns_lock()) return;  // someone else is on it
  Status s = CheckpointLocked();
  if (!s.ok()) NQ_LOG_WARN("storage", "automatic checkpoint failed: {}", s.ToString());
}

EngineStats StorageEngine::stats() {
  EngineStats s;
  s.buffer_pool = pool_->stats();
  if (wal_) s.wal = wal_->stats();
  s.commits = commits_.load();
  s.rollbacks = rollbacks_.load();
  s.checkpoints = checkpoints_.load();
  auto header = pool_->Fetch(kHeaderPageId, LatchMode::kShared);
  if (header.ok()) {
    s.page_count = DecodeFixed64(header->data() + header::kPageCount);
    s.free_pages = DecodeFixed64(header->data() + header::kFreeCount);
  }
  return s;
}

}  // namespace neuroquantum::storage
