// VersionStore: in-memory version chains and their purge.
#include "txn/version_store.h"

namespace neuroquantum::txn {

void VersionStore::Push(const std::string& row, std::string old_version, TxnId by) {
  MutexLock lock(&mu_);
  auto& chain = chains_[row];
  chain.push_front(Entry{std::move(old_version), by});
  by_superseder_.emplace(by, row);
  stats_.versions++;
  stats_.pushed++;
  stats_.bytes += Cost(row, chain.front());
}

void VersionStore::Pop(const std::string& row, TxnId by) {
  MutexLock lock(&mu_);
  auto it = chains_.find(row);
  if (it == chains_.end() || it->second.empty() || it->second.front().superseded_by != by) return;
  stats_.versions--;
  stats_.bytes -= Cost(row, it->second.front());
  it->second.pop_front();
  if (it->second.empty()) chains_.erase(it);
  // The by_superseder_ entry stays; purge skips rows with nothing to drop.
}

std::optional<std::string> VersionStore::Find(
    const std::string& row, const std::function<bool(std::string_view)>& visible) const {
  MutexLock lock(&mu_);
  auto it = chains_.find(row);
  if (it == chains_.end()) return std::nullopt;
  for (const Entry& e : it->second) {
    if (visible(e.version)) return e.version;
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
    // The first entry superseded below the horizon, and all older ones.
    size_t keep = 0;
    while (keep < chain.size() && chain[keep].superseded_by >= horizon) ++keep;
    while (chain.size() > keep) {
      stats_.bytes -= Cost(it->first, chain.back());
      chain.pop_back();
      stats_.versions--;
      ++dropped;
    }
    if (chain.empty()) chains_.erase(it);
  }
  stats_.purged += dropped;
  return dropped;
}

VersionStoreStats VersionStore::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

}  // namespace neuroquantum::txn
