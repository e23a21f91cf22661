#include "server/sessions.h"

#include <fmt/format.h>

#include "common/log.h"
#include "server/crypto.h"

namespace neuroquantum::server {

Result<PreparedStatement*> ConnectionSlot::Prepared(const std::string& sql) {
  auto it = statements.find(sql);
  if (it != statements.end()) return it->second.get();
  NQ_ASSIGN_OR_RETURN(auto statement, connection->Prepare(sql));
  if (statements.size() >= kMaxStatements) statements.clear();
  PreparedStatement* raw = statement.get();
  statements.emplace(sql, std::move(statement));
  return raw;
}

std::unique_ptr<ConnectionSlot> ConnectionPool::Take() {
  std::unique_ptr<ConnectionSlot> slot;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      slot = std::move(idle_.back());
      idle_.pop_back();
      taken_.insert(slot.get());
      return slot;
    }
  }
  slot = std::make_unique<ConnectionSlot>();
  slot->connection = db_->Connect();
  std::lock_guard lock(mu_);
  taken_.insert(slot.get());
  return slot;
}

void ConnectionPool::Give(std::unique_ptr<ConnectionSlot> slot) {
  bool keep = slot->connection->Reset().ok();
  std::lock_guard lock(mu_);
  taken_.erase(slot.get());
  // A connection whose rollback failed is dropped; its destructor retries.
  if (keep) idle_.push_back(std::move(slot));
}

void ConnectionPool::CancelAll() {
  std::lock_guard lock(mu_);
  for (ConnectionSlot* slot : taken_) slot->connection->Cancel();
}

struct SessionManager::Lease::Entry {
  SessionInfo info;
  ConnectionSlot slot;
  std::mutex mu;
  bool busy = false;    // guarded by mu
  bool closed = false;  // guarded by mu
  std::chrono::steady_clock::time_point last_used;  // guarded by mu
};

SessionManager::Lease::~Lease() {
  if (!entry_) return;
  std::lock_guard lock(entry_->mu);
  entry_->busy = false;
  entry_->last_used = std::chrono::steady_clock::now();
}

ConnectionSlot* SessionManager::Lease::slot() const { return &entry_->slot; }
bool SessionManager::Lease::read_only() const { return entry_->info.read_only; }

Result<SessionInfo> SessionManager::Create(std::string_view key_id, bool read_only, int64_t now) {
  NQ_ASSIGN_OR_RETURN(std::string random, RandomBytes(16));
  auto entry = std::make_shared<Lease::Entry>();
  entry->info.id = "ses_" + HexEncode(random);
  entry->info.key_id = std::string(key_id);
  entry->info.read_only = read_only;
  entry->info.created_at = now;
  entry->last_used = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  size_t owned = 0;
  for (const auto& [id, e] : sessions_) owned += e->info.key_id == key_id ? 1 : 0;
  if (owned >= settings_.per_key_limit) {
    return Status::Busy(fmt::format("this API key already has {} open sessions (the limit); close one first",
                                    owned));
  }
  entry->slot.connection = db_->Connect();
  entry->slot.connection->SetReadOnly(read_only);
  sessions_.emplace(entry->info.id, entry);
  return entry->info;
}

Result<SessionManager::Lease> SessionManager::Acquire(std::string_view id, std::string_view key_id) {
  std::shared_ptr<Lease::Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->info.key_id != key_id) {
      return Status::NotFound(fmt::format("no session \"{}\"", id));
    }
    entry = it->second;
  }
  std::lock_guard lock(entry->mu);
  if (entry->closed) return Status::NotFound(fmt::format("no session \"{}\"", id));
  if (entry->busy) return Status::Busy("the session is running another request");
  entry->busy = true;
  Lease lease;
  lease.entry_ = std::move(entry);
  return lease;
}

Status SessionManager::Close(std::string_view id, std::string_view key_id) {
  std::shared_ptr<Lease::Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->info.key_id != key_id) {
      return Status::NotFound(fmt::format("no session \"{}\"", id));
    }
    entry = std::move(it->second);
    sessions_.erase(it);
  }
  std::lock_guard lock(entry->mu);
  entry->closed = true;
  // A running statement stops; the connection (and its transaction) goes
  // when the last holder of the entry lets go.
  if (entry->busy) entry->slot.connection->Cancel();
  return Status::OK();
}

size_t SessionManager::CloseIdle() {
  auto cutoff = std::chrono::steady_clock::now() - settings_.idle_timeout;
  std::vector<std::shared_ptr<Lease::Entry>> expired;
  {
    std::lock_guard lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      std::lock_guard entry_lock(it->second->mu);
      if (!it->second->busy && it->second->last_used < cutoff) {
        it->second->closed = true;
        expired.push_back(std::move(it->second));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& e : expired) {
    NQ_LOG_INFO("server", "session {} of {} closed after {} s idle", e->info.id, e->info.key_id,
                settings_.idle_timeout.count());
  }
  return expired.size();
}

void SessionManager::CloseAll() {
  std::map<std::string, std::shared_ptr<Lease::Entry>, std::less<>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(sessions_);
  }
  for (auto& [id, entry] : all) {
    std::lock_guard lock(entry->mu);
    entry->closed = true;
    if (entry->busy) entry->slot.connection->Cancel();
  }
}

size_t SessionManager::active() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace neuroquantum::server
