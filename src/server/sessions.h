// Database connections for requests.
//
// A request that names no session runs on a pooled connection as its own
// transaction (an explicit transaction left open is rolled back). A session
// (POST /api/v1/sessions) owns one connection for its lifetime, so BEGIN ...
// COMMIT can span requests; it belongs to the API key that created it and
// is invisible to every other key. One request at a time may use a session
// (a second concurrent one is refused, not queued). Sessions idle longer than
// the idle timeout are closed, rolling back what they left open.
//
// Each connection keeps the statements prepared for parameterised requests,
// keyed by their text, so repeated queries skip parsing and planning.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "neuroquantum/database.h"

namespace neuroquantum::server {

// A connection and its prepared statements.
struct ConnectionSlot {
  std::unique_ptr<Connection> connection;
  std::unordered_map<std::string, std::unique_ptr<PreparedStatement>> statements;
  static constexpr size_t kMaxStatements = 64;
  // The prepared statement for `sql`, preparing it if new.
  Result<PreparedStatement*> Prepared(const std::string& sql);
};

// Pooled connections for requests outside sessions.
class ConnectionPool {
 public:
  explicit ConnectionPool(Database* db) : db_(db) {}
  std::unique_ptr<ConnectionSlot> Take();
  // Returns a connection, reset first (Connection::Reset: an open
  // transaction rolled back, its PREPAREd statements forgotten) so that
  // nothing of one request reaches the next.
  void Give(std::unique_ptr<ConnectionSlot> slot);
  // Cancels the statements running on connections taken and not given back.
  void CancelAll();

 private:
  Database* db_;
  std::mutex mu_;
  std::vector<std::unique_ptr<ConnectionSlot>> idle_;
  std::unordered_set<ConnectionSlot*> taken_;
};

struct SessionSettings {
  std::chrono::seconds idle_timeout{300};
  size_t per_key_limit = 16;
};

struct SessionInfo {
  std::string id;
  std::string key_id;
  bool read_only = false;
  int64_t created_at = 0;  // Unix seconds
};

class SessionManager {
 public:
  SessionManager(Database* db, SessionSettings settings) : db_(db), settings_(settings) {}
  ~SessionManager() { CloseAll(); }

  // Opens a session for `key_id`. Busy when the key has reached its limit.
  Result<SessionInfo> Create(std::string_view key_id, bool read_only, int64_t now);

  // Exclusive use of a session for one request; released when destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept = default;
    ~Lease();
    ConnectionSlot* slot() const;
    bool read_only() const;

   private:
    friend class SessionManager;
    struct Entry;
    std::shared_ptr<Entry> entry_;
  };
  // NotFound when there is no such session for this key (a session of
  // another key is reported the same way); Busy when a request is using it.
  Result<Lease> Acquire(std::string_view id, std::string_view key_id);
  // Ends a session: rolls back anything open (cancelling a statement that
  // is running in it). NotFound as for Acquire.
  Status Close(std::string_view id, std::string_view key_id);
  // Closes sessions idle longer than the idle timeout; how many.
  size_t CloseIdle();
  void CloseAll();
  size_t active() const;
  const SessionSettings& settings() const { return settings_; }

 private:
  Database* db_;
  const SessionSettings settings_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Lease::Entry>, std::less<>> sessions_;
};

}  // namespace neuroquantum::server
