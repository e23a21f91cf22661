// LockManager: queues, waiting, deadlock search.
#include "txn/lock_manager.h"

#include <algorithm>
#include <iterator>

#include "common/log.h"
#include "fmt/format.h"

namespace neuroquantum::txn {

bool LockManager::Grantable(const Queue& q, std::list<Request>::const_iterator it) {
  for (auto other = q.requests.begin(); other != q.requests.end(); ++other) {
    if (other == it) continue;
    if (other->txn == it->txn) continue;  // our own shared lock during an upgrade
    bool ahead = std::distance(q.requests.begin(), other) < std::distance(q.requests.begin(), it);
    if ((other->granted || ahead) && !Compatible(other->mode, it->mode)) return false;
  }
  return true;
}

Status LockManager::Lock(TxnId txn, const std::string& resource, LockMode mode, bool wait,
                         bool* already_held) {
  using Clock = std::chrono::steady_clock;
  MutexLock lock(&mu_);
  Entry& entry = *table_.try_emplace(resource).first;
  Queue& q = entry.second;
  // Already held strongly enough? An upgrade keeps the shared grant until
  // the exclusive one is granted.
  for (const Request& r : q.requests) {
    if (r.txn == txn && r.granted && (r.mode == LockMode::kExclusive || mode == LockMode::kShared)) {
      ++stats_.acquired;
      if (already_held != nullptr) *already_held = true;
      return Status::OK();
    }
  }
  if (already_held != nullptr) *already_held = false;
  // Upgrades queue ahead of plain waiters: they already hold a share of the
  // resource, and making them wait behind exclusive waiters would deadlock.
  auto pos = q.requests.end();
  bool upgrade = false;
  for (auto it = q.requests.begin(); it != q.requests.end(); ++it) {
    if (it->txn == txn) upgrade = true;
  }
  if (upgrade) {
    pos = std::find_if(q.requests.begin(), q.requests.end(),
                       [](const Request& r) { return !r.granted; });
  }
  auto it = q.requests.insert(pos, Request{txn, mode, false});
  if (!upgrade) held_[txn].push_back(&entry);
  const auto start = Clock::now();
  bool searched = false;
  bool waited = false;
  while (!Grantable(q, it)) {
    if (!wait) {
      Withdraw(&q, resource, txn);
      return Status::Busy(fmt::format("transaction {} could not take a lock without waiting", txn));
    }
    if (!waited) {
      waited = true;
      ++stats_.waits;
      waiting_[txn] = resource;
    }
    auto now = Clock::now();
    auto deadline = Clock::time_point::max();
    if (options_.lock_timeout.count() > 0) deadline = start + options_.lock_timeout;
    if (!searched) deadline = std::min(deadline, start + options_.deadlock_timeout);
    if (now >= deadline) {
      if (!searched && now >= start + options_.deadlock_timeout) {
        searched = true;
        ++stats_.deadlock_searches;
        std::vector<TxnId> cycle;
        if (OnCycle(txn, &cycle)) {
          ++stats_.deadlocks;
          std::string path;
          for (TxnId t : cycle) path += fmt::format("{} -> ", t);
          path += std::to_string(txn);
          NQ_LOG_INFO("txn", "deadlock: transaction {} aborted (wait-for cycle {})", txn, path);
          Withdraw(&q, resource, txn);
          return Status::Deadlock(fmt::format(
              "deadlock detected: transaction {} waits for a lock in a cycle {}; it was "
              "chosen as the victim and must roll back",
              txn, path));
        }
        continue;
      }
      ++stats_.timeouts;
      Withdraw(&q, resource, txn);
      return Status::TimedOut(fmt::format("lock timeout: transaction {} waited {} ms for a lock",
                                          txn, options_.lock_timeout.count()));
    }
    if (deadline == Clock::time_point::max()) {
      q.cv.Wait(&mu_);
    } else {
      q.cv.WaitFor(&mu_, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    }
  }
  waiting_.erase(txn);
  it->granted = true;
  // An upgrade replaces the shared grant it held.
  for (auto other = q.requests.begin(); other != q.requests.end();) {
    if (other != it && other->txn == txn) {
      other = q.requests.erase(other);
    } else {
      ++other;
    }
  }
  ++stats_.acquired;
  return Status::OK();
}

void LockManager::Withdraw(Queue* q, const std::string& resource, TxnId txn) {
  waiting_.erase(txn);
  bool still_held = false;
  for (auto it = q->requests.begin(); it != q->requests.end();) {
    if (it->txn == txn && !it->granted) {
      it = q->requests.erase(it);
    } else {
      if (it->txn == txn) still_held = true;
      ++it;
    }
  }
  auto entry = table_.find(resource);
  if (!still_held) {
    // Usually the queue joined last: search from the back.
    auto& held = held_[txn];
    auto found = std::find(held.rbegin(), held.rend(), &*entry);
    if (found != held.rend()) held.erase(std::next(found).base());
  }
  // Requests behind ours may be grantable now.
  q->cv.SignalAll();
  if (q->requests.empty()) table_.erase(entry);
}

void LockManager::Unlock(TxnId txn, const std::string& resource) {
  MutexLock lock(&mu_);
  auto entry = table_.find(resource);
  if (entry == table_.end()) return;
  Queue& q = entry->second;
  q.requests.remove_if([txn](const Request& r) { return r.txn == txn; });
  auto held = held_.find(txn);
  if (held != held_.end()) {
    auto found = std::find(held->second.rbegin(), held->second.rend(), &*entry);
    if (found != held->second.rend()) held->second.erase(std::next(found).base());
  }
  q.cv.SignalAll();
  if (q.requests.empty()) table_.erase(entry);
}

void LockManager::ReleaseAll(TxnId txn) {
  MutexLock lock(&mu_);
  auto held = held_.find(txn);
  if (held == held_.end()) return;
  for (Entry* entry : held->second) {
    Queue& q = entry->second;
    q.requests.remove_if([txn](const Request& r) { return r.txn == txn; });
    q.cv.SignalAll();
    if (q.requests.empty()) table_.erase(table_.find(entry->first));
  }
  held_.erase(held);
  waiting_.erase(txn);
}

void LockManager::WaitsFor(TxnId txn, std::vector<TxnId>* out) const {
  auto w = waiting_.find(txn);
  if (w == waiting_.end()) return;
  auto q = table_.find(w->second);
  if (q == table_.end()) return;
  const auto& requests = q->second.requests;
  auto mine = std::find_if(requests.begin(), requests.end(),
                           [txn](const Request& r) { return r.txn == txn && !r.granted; });
  if (mine == requests.end()) return;
  bool ahead = true;
  for (auto it = requests.begin(); it != requests.end(); ++it) {
    if (it == mine) {
      ahead = false;
      continue;
    }
    if (it->txn == txn) continue;
    if ((it->granted || ahead) && !Compatible(it->mode, mine->mode)) out->push_back(it->txn);
  }
}

bool LockManager::OnCycle(TxnId txn, std::vector<TxnId>* cycle) const {
  // Depth-first search from txn; `path` is the current branch.
  std::unordered_set<TxnId> visited;
  std::vector<std::pair<TxnId, std::vector<TxnId>>> stack;
  std::vector<TxnId> first;
  WaitsFor(txn, &first);
  stack.emplace_back(txn, std::move(first));
  while (!stack.empty()) {
    std::vector<TxnId>& next = stack.back().second;
    if (next.empty()) {
      stack.pop_back();
      continue;
    }
    TxnId t = next.back();
    next.pop_back();
    if (t == txn) {
      for (const auto& frame : stack) cycle->push_back(frame.first);
      return true;
    }
    if (!visited.insert(t).second) continue;
    std::vector<TxnId> edges;
    WaitsFor(t, &edges);
    stack.emplace_back(t, std::move(edges));
  }
  return false;
}

bool LockManager::Holds(TxnId txn, const std::string& resource, LockMode mode) const {
  MutexLock lock(&mu_);
  auto q = table_.find(resource);
  if (q == table_.end()) return false;
  for (const Request& r : q->second.requests) {
    if (r.txn == txn && r.granted && (r.mode == LockMode::kExclusive || mode == LockMode::kShared)) {
      return true;
    }
  }
  return false;
}

bool LockManager::UsedByOthers(TxnId txn, const std::string& resource) const {
  MutexLock lock(&mu_);
  auto q = table_.find(resource);
  if (q == table_.end()) return false;
  for (const Request& r : q->second.requests) {
    if (r.txn != txn) return true;
  }
  return false;
}

LockStats LockManager::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

}  // namespace neuroquantum::txn
