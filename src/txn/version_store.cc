// VersionStore: in-memory version chains and their purge.
#include "txn/version_store.h"

namespace neuroquantum::txn {

void VersionStore::Push(const std::string& row, std::string old_version, TxnId by) {
  MutexLock lock(&mu_);
  auto& chain = chains_[row];
  chain.push_back(Entry{std::move(old_version), by});
  by_superseder_.emplace(by, row);
  stats_.versions++;
  stats_.pushed++;
  stats_.bytes += Cost(row, chain.back());
}

void VersionStore::MarkRolledBack(const std::string& row, TxnId by) {
  MutexLock lock(&mu_);
  auto it = chains_.find(row);
  if (it == chains_.end()) return;
  for (auto e = it->second.rbegin(); e != it->second.rend(); ++e) {
    if (e->superseded_by == by && !e->rolled_back) {
      e->rolled_back = true;
      return;
    }
  }
}

std::optional<std::string> VersionStore::Find(
    const std::string& row, const std::function<bool(std::string_view)>& visible) const {
  MutexLock lock(&mu_);
  auto it = chains_.find(row);
  if (it == chains_.end()) return std::nullopt;
  for (auto e = it->second.rbegin(); e != it->second.rend(); ++e) {
    if (visible(e->version)) return e->version;
  }
  return std::nullopt;
}

uint64_t VersionStore::Purge(TxnId horizon) {
  MutexLock lock(&mu_);
  uint64_t dropped = 0;
  while (!by_superseder_.empty() && by_superseder_.begin()->first < horizon) {
    auto node = by_superseder_.extract(by_superseder_.begin());
    auto it = chains_.find(node.mapped());
    if (it == chains_.end()) continue;
    auto& chain = it->second;
    // Newest first: the first entry superseded by a committed transaction
    // below the horizon; it and everything older go.
    size_t keep_from = 0;  // index (oldest first) of the first entry kept
    for (size_t i = chain.size(); i-- > 0;) {
      if (!chain[i].rolled_back && chain[i].superseded_by < horizon) {
        keep_from = i + 1;
        break;
      }
    }
    std::vector<Entry> kept;
    for (size_t i = 0; i < chain.size(); ++i) {
      bool dropped_alone = chain[i].rolled_back && chain[i].superseded_by < horizon;
      if (i < keep_from || dropped_alone) {
        stats_.bytes -= Cost(it->first, chain[i]);
        ++dropped;
      } else {
        kept.push_back(std::move(chain[i]));
      }
    }
    if (kept.empty()) {
      chains_.erase(it);
    } else {
      chain = std::move(kept);
    }
  }
  stats_.versions -= dropped;
  stats_.purged += dropped;
  return dropped;
}

VersionStoreStats VersionStore::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

}  // namespace neuroquantum::txn
