// The WebSocket side of the API (docs/reference/websocket.md): one
// WsHub per server, one session per connection. A session subscribes to
// channels (table.<name> carries the committed row changes of that table,
// from Database::SubscribeChanges), streams query results in batches, and
// answers pings. Flow control: events and batches go out only against the
// credit the client granted; what waits for credit is bounded per
// connection, and a connection over the bound is closed with 4008.
//
// Thread safety: WsHub is thread-safe. Sessions are driven by their
// connection's I/O callbacks (one at a time), by the change feed's
// delivery thread and by the worker threads running their queries; their
// state is guarded by one mutex each.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/http_server.h"

namespace neuroquantum {
class ChangeSubscription;
class Database;
struct CommittedTransaction;
}  // namespace neuroquantum

namespace neuroquantum::server {

class ConnectionPool;
class WorkerPool;

struct WsSettings {
  // Events and batches waiting for credit on one connection, and bytes
  // waiting (for credit or for the socket); beyond either the connection
  // is closed with kWsCloseSlowConsumer.
  size_t max_pending_messages = 1000;
  size_t max_pending_bytes = 4 << 20;
  size_t max_subscriptions = 64;  // channel patterns per connection
  size_t max_queries = 4;         // queries streaming at once per connection
  // Queries streaming at once over all connections: each holds a worker
  // thread while it runs or waits for credit, so this stays below the
  // worker count and REST requests keep a share of the workers.
  size_t max_total_queries = 2;
  // Limit of each streamed query, including the time its batches wait for
  // credit.
  std::chrono::milliseconds statement_timeout{30000};
};

// Close codes of the protocol besides RFC 6455's.
inline constexpr uint16_t kWsCloseSlowConsumer = 4008;

class WsHub {
 public:
  WsHub(Database* db, ConnectionPool* pool, WorkerPool* workers, WsSettings settings);
  ~WsHub();
  WsHub(const WsHub&) = delete;
  WsHub& operator=(const WsHub&) = delete;

  // The handler of a newly accepted connection, for the API key `key_id`;
  // `can_write` lets its queries write.
  std::shared_ptr<WebSocketHandler> NewSession(std::string key_id, bool can_write);

  // Ends every session's queries and refuses new work (server shutdown,
  // before the worker threads are joined).
  void Shutdown();

  size_t sessions() const;
  const WsSettings& settings() const { return settings_; }

 private:
  class Session;
  friend class Session;

  // Subscribes to the change feed on the first subscription of any session.
  void EnsureFeed();
  void OnCommit(const CommittedTransaction& txn);
  void Register(const std::shared_ptr<Session>& session);
  void Unregister(const Session* session);

  Database* db_;
  ConnectionPool* pool_;
  WorkerPool* workers_;
  const WsSettings settings_;

  std::mutex feed_mu_;
  std::unique_ptr<ChangeSubscription> feed_;  // guarded by feed_mu_

  mutable std::mutex mu_;
  std::vector<std::weak_ptr<Session>> sessions_;  // guarded by mu_: open connections
  uint64_t next_id_ = 1;                          // guarded by mu_
  bool shut_down_ = false;                        // guarded by mu_
  std::atomic<size_t> running_queries_{0};        // over all sessions
};

}  // namespace neuroquantum::server
