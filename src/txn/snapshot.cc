// TxnManager: id assignment, snapshots, the commit table, the horizon.
#include "txn/snapshot.h"

#include <algorithm>

#include "fmt/format.h"

namespace neuroquantum::txn {

bool Snapshot::InProgress(TxnId id) const {
  if (id >= xmax) return true;
  if (id < xmin) return false;
  return std::binary_search(running.begin(), running.end(), id);
}

TxnId TxnManager::Begin() {
  MutexLock lock(&mu_);
  TxnId id = allocate_ ? allocate_() : next_id_;
  next_id_ = std::max(next_id_, id + 1);
  table_[id] = TxnState::kActive;
  running_.insert(id);
  return id;
}

void TxnManager::RestorePrepared(TxnId id) {
  MutexLock lock(&mu_);
  next_id_ = std::max(next_id_, id + 1);
  table_[id] = TxnState::kPrepared;
  running_.insert(id);
}

std::shared_ptr<const Snapshot> TxnManager::TakeSnapshot(TxnId self) {
  MutexLock lock(&mu_);
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->self = self;
  snapshot->xmax = next_id_;
  snapshot->xmin = running_.empty() ? next_id_ : *running_.begin();
  snapshot->running.assign(running_.begin(), running_.end());  // std::set: sorted
  snapshot_xmins_.insert(snapshot->xmin);
  return snapshot;
}

void TxnManager::ReleaseSnapshot(const std::shared_ptr<const Snapshot>& snapshot) {
  MutexLock lock(&mu_);
  auto it = snapshot_xmins_.find(snapshot->xmin);
  if (it != snapshot_xmins_.end()) snapshot_xmins_.erase(it);
}

namespace {

Status Transition(std::map<TxnId, TxnState>* table, TxnId id, TxnState to) {
  auto it = table->find(id);
  if (it == table->end()) return Status::InvalidArgument(fmt::format("unknown transaction {}", id));
  TxnState from = it->second;
  bool allowed = from == TxnState::kActive ||
                 (from == TxnState::kPrepared && to != TxnState::kPrepared);
  if (!allowed) {
    return Status::InvalidArgument(fmt::format("transaction {} has already ended", id));
  }
  it->second = to;
  return Status::OK();
}

}  // namespace

Status TxnManager::Prepare(TxnId id) {
  MutexLock lock(&mu_);
  return Transition(&table_, id, TxnState::kPrepared);
}

Status TxnManager::Commit(TxnId id) {
  MutexLock lock(&mu_);
  NQ_RETURN_IF_ERROR(Transition(&table_, id, TxnState::kCommitted));
  running_.erase(id);
  return Status::OK();
}

Status TxnManager::Abort(TxnId id) {
  MutexLock lock(&mu_);
  NQ_RETURN_IF_ERROR(Transition(&table_, id, TxnState::kAborted));
  running_.erase(id);
  return Status::OK();
}

TxnState TxnManager::State(TxnId id) const {
  MutexLock lock(&mu_);
  auto it = table_.find(id);
  if (it != table_.end()) return it->second;
  return id < next_id_ ? TxnState::kCommitted : TxnState::kActive;
}

bool TxnManager::Visible(const Snapshot& snapshot, TxnId writer) const {
  if (writer == snapshot.self && writer != 0) return true;
  if (snapshot.InProgress(writer)) return false;
  return State(writer) == TxnState::kCommitted;
}

TxnId TxnManager::HorizonLocked() const {
  TxnId horizon = running_.empty() ? next_id_ : *running_.begin();
  if (!snapshot_xmins_.empty()) horizon = std::min(horizon, *snapshot_xmins_.begin());
  return horizon;
}

TxnId TxnManager::Horizon() const {
  MutexLock lock(&mu_);
  return HorizonLocked();
}

size_t TxnManager::Trim() {
  MutexLock lock(&mu_);
  TxnId horizon = HorizonLocked();
  size_t dropped = 0;
  for (auto it = table_.begin(); it != table_.end() && it->first < horizon;) {
    // Below the horizon nothing is running, so every entry has ended.
    it = table_.erase(it);
    ++dropped;
  }
  return dropped;
}

size_t TxnManager::table_size() const {
  MutexLock lock(&mu_);
  return table_.size();
}

}  // namespace neuroquantum::txn
