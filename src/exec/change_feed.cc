#include "exec/change_feed.h"

#include <charconv>
#include <utility>

#include "common/log.h"
#include "exec/row_codec.h"
#include "exec/session.h"

namespace neuroquantum::exec {
namespace {

// Set on a delivery thread to its feed: tells Unsubscribe it runs inside a
// listener call, where waiting for that call to end would never return.
thread_local const ChangeFeed* delivering_feed = nullptr;

// The table id of a table's storage tree, "t.<id>" (catalog.cc names them);
// false for every other tree (indexes "i.<id>...", the catalog, sequences).
bool TableIdOf(std::string_view tree, uint64_t* id) {
  if (!tree.starts_with("t.") || tree.size() == 2) return false;
  const char* end = tree.data() + tree.size();
  auto [ptr, ec] = std::from_chars(tree.data() + 2, end, *id);
  return ec == std::errc() && ptr == end;
}

ChangeKind KindOf(txn::ChangeOp op) {
  switch (op) {
    case txn::ChangeOp::kUpdate: return ChangeKind::kUpdate;
    case txn::ChangeOp::kDelete: return ChangeKind::kDelete;
    default: return ChangeKind::kInsert;
  }
}

}  // namespace

ChangeFeed::~ChangeFeed() { Shutdown(); }

Result<uint64_t> ChangeFeed::Subscribe(Listener listener) {
  // A starting feed knows the tables from the outset, so that the rows a
  // DROP TABLE deletes soon after still decode. Loaded before the engine
  // subscription: schema changes committed later show in the feed.
  std::shared_ptr<const Catalog> seed;
  bool starting = false;
  {
    std::lock_guard lock(mu_);
    starting = !running_;
  }
  if (starting) {
    NQ_ASSIGN_OR_RETURN(seed, engine_->CommittedCatalog());
  }
  std::unique_lock lock(mu_);
  // A delivery thread stopped by an unsubscription made from inside its
  // listener leaves on its own; join it before starting another. (On that
  // thread itself, StartLocked revives it instead.)
  while (!running_ && thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    std::thread old = std::move(thread_);
    lock.unlock();
    old.join();
    lock.lock();
  }
  if (shut_down_) return Status::Aborted("the database is closing");
  uint64_t id = next_id_++;
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->listener = std::move(listener);
  subscriber->first_seq = next_seq_;
  subscribers_.emplace(id, std::move(subscriber));
  if (!running_) {
    seed_ = std::move(seed);
    StartLocked();
  }
  return id;
}

void ChangeFeed::StartLocked() {
  running_ = true;
  restarted_ = true;
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  if (txn_handle_ == 0) {
    // Registered under mu_, so Enqueue (which takes mu_) sees generation_
    // and running_ as they are after this. The engine's listener may be
    // called after the feed has gone; it holds the feed weakly.
    uint64_t generation = ++generation_;
    std::weak_ptr<ChangeFeed> self = weak_from_this();
    txn_handle_ = engine_->txn()->Subscribe([self, generation](const txn::CommittedChanges& changes) {
      if (auto feed = self.lock()) feed->Enqueue(changes, generation);
    });
  }
}

void ChangeFeed::Unsubscribe(uint64_t id) {
  std::thread finished;
  {
    std::unique_lock lock(mu_);
    if (subscribers_.erase(id) == 0) return;
    bool on_delivery_thread = delivering_feed == this;
    // A call in progress on the delivery thread finishes first: afterwards
    // the listener is never called again.
    if (!on_delivery_thread) cv_.wait(lock, [&] { return calling_ != id; });
    if (!subscribers_.empty() || !running_) return;
    running_ = false;
    queue_.clear();
    engine_->txn()->Unsubscribe(std::exchange(txn_handle_, 0));
    cv_.notify_all();
    // The delivery thread cannot join itself; it returns after the current
    // call, and a later Subscribe or Shutdown joins it.
    if (!on_delivery_thread) finished = std::move(thread_);
  }
  if (finished.joinable()) finished.join();
}

void ChangeFeed::Shutdown() {
  std::thread finished;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    running_ = false;
    subscribers_.clear();
    queue_.clear();
    if (txn_handle_ != 0) engine_->txn()->Unsubscribe(std::exchange(txn_handle_, 0));
    cv_.notify_all();
    finished = std::move(thread_);
  }
  if (finished.joinable()) finished.join();
}

void ChangeFeed::Enqueue(const txn::CommittedChanges& changes, uint64_t generation) {
  // Copy only what the decoder reads: table rows, and catalog entries
  // (which tell it to reload the tables). Index entries and sequence blocks
  // are left behind, on the committing thread, cheaply.
  Queued queued;
  txn::TreeId catalog = engine_->catalog_tree();
  uint64_t id = 0;
  for (const auto& event : changes.changes) {
    if (event.tree == catalog || TableIdOf(event.table, &id)) queued.changes.changes.push_back(event);
  }
  if (queued.changes.changes.empty()) return;
  queued.changes.txn = changes.txn;
  queued.changes.commit_lsn = changes.commit_lsn;
  std::lock_guard lock(mu_);
  if (!running_ || generation != generation_) return;
  queued.seq = next_seq_++;
  queue_.push_back(std::move(queued));
  // All: Unsubscribe waits on the same condition variable.
  cv_.notify_all();
}

void ChangeFeed::Loop() {
  delivering_feed = this;
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return !running_ || !queue_.empty(); });
    if (!running_) return;
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    bool stale = std::exchange(restarted_, false);
    std::shared_ptr<const Catalog> seed = std::move(seed_);
    lock.unlock();
    // Schema changes made while nobody subscribed went unseen.
    if (stale) {
      tables_.clear();
      if (seed) AddTables(seed);
    }
    std::optional<CommittedTransaction> decoded = Decode(next.changes);
    lock.lock();
    if (!decoded) continue;
    // By id, looked up afresh after each call: listeners may subscribe and
    // unsubscribe (themselves too) while the lock is released.
    uint64_t last = 0;
    while (running_) {
      auto it = subscribers_.upper_bound(last);
      if (it == subscribers_.end()) break;
      last = it->first;
      if (it->second->first_seq > next.seq) continue;  // subscribed after this was queued
      std::shared_ptr<Subscriber> subscriber = it->second;
      calling_ = last;
      lock.unlock();
      subscriber->listener(*decoded);
      lock.lock();
      calling_ = 0;
      cv_.notify_all();
    }
  }
}

std::optional<CommittedTransaction> ChangeFeed::Decode(const txn::CommittedChanges& changes) {
  // A transaction that changed the catalog may write rows of a table it
  // created or altered: load the catalog as committed before decoding.
  bool refreshed = false;
  for (const auto& event : changes.changes) {
    if (event.tree == engine_->catalog_tree()) {
      RefreshTables();
      refreshed = true;
      break;
    }
  }
  CommittedTransaction out;
  out.txn_id = changes.txn;
  out.commit_lsn = changes.commit_lsn;
  for (const auto& event : changes.changes) {
    uint64_t id = 0;
    if (!TableIdOf(event.table, &id)) continue;
    auto it = tables_.find(id);
    if (it == tables_.end() && !refreshed) {
      RefreshTables();
      refreshed = true;
      it = tables_.find(id);
    }
    if (it == tables_.end()) {
      // Created and dropped again before the feed ever saw it.
      NQ_LOG_WARN("exec", "change feed: transaction {} wrote tree {} of no known table; skipped", changes.txn,
                  event.table);
      continue;
    }
    RowChange change;
    change.table = it->second.info->name;
    change.kind = KindOf(event.op);
    // One row image into `*out`; false (logged) when it does not decode.
    auto decode = [&](std::string_view record, ResultSet* image) {
      auto rs = RowResult(it->second, record);
      if (!rs.ok()) {
        NQ_LOG_ERROR("exec", "change feed: transaction {}: a row of {} does not decode: {}", changes.txn,
                     change.table, rs.status().ToString());
        return false;
      }
      *image = std::move(rs).value();
      return true;
    };
    if (change.kind != ChangeKind::kInsert && !decode(event.old_value, &change.before)) continue;
    if (change.kind != ChangeKind::kDelete && !decode(event.new_value, &change.after)) continue;
    out.changes.push_back(std::move(change));
  }
  if (out.changes.empty()) return std::nullopt;
  return out;
}

void ChangeFeed::RefreshTables() {
  auto catalog = engine_->CommittedCatalog();
  if (!catalog.ok()) {
    NQ_LOG_ERROR("exec", "change feed: cannot load the catalog: {}", catalog.status().ToString());
    return;
  }
  AddTables(*catalog);
}

void ChangeFeed::AddTables(const std::shared_ptr<const Catalog>& catalog) {
  for (const std::string& name : catalog->TableAndViewNames()) {
    const TableInfo* table = catalog->FindTable(name);
    if (table == nullptr) continue;  // a view
    TableEntry entry;
    // Shares the catalog's ownership: the table's definition (defaults,
    // checks) lives in it.
    entry.info = std::shared_ptr<const TableInfo>(catalog, table);
    for (const ColumnInfo& c : table->columns) entry.names.push_back(c.name);
    entry.types = table->types();
    // Replaces the entry of a table altered since; entries of tables no
    // longer in the catalog stay.
    tables_[table->id] = std::move(entry);
  }
}

Result<ResultSet> ChangeFeed::RowResult(const TableEntry& table, std::string_view record) {
  auto source = std::make_unique<ResultSource>();
  source->rows.resize(1);
  NQ_RETURN_IF_ERROR(DecodeRowInto(record, table.types, &source->rows[0]));
  // A record from before ALTER TABLE ADD COLUMN (the "before" of that
  // statement's rewrite) holds fewer columns: the rest read as NULL, as a
  // scan reads them.
  source->rows[0].resize(table.types.size());
  source->names = table.names;
  source->types = table.types;
  source->types_final = true;
  source->next = 1;
  return ResultSetAccess::Make(std::move(source));
}

}  // namespace neuroquantum::exec
