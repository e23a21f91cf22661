#include "server/ws_hub.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>

#include "common/json_text.h"
#include "common/log.h"
#include "neuroquantum/database.h"
#include "server/api_internal.h"
#include "server/sessions.h"
#include "server/worker_pool.h"
#include "server/ws_protocol.h"

namespace neuroquantum::server {

namespace {

using Clock = std::chrono::steady_clock;

std::string ErrorMessage(const ApiError& error, std::string_view id) {
  std::string out = "{\"type\":\"error\"";
  if (!id.empty()) {
    out += ",\"id\":";
    AppendJsonString(&out, id);
  }
  out += ",\"error\":{";
  AppendErrorFields(&out, error);
  out += "}}";
  return out;
}

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kInsert: return "insert";
    case ChangeKind::kUpdate: return "update";
    case ChangeKind::kDelete: return "delete";
  }
  return "?";
}

}  // namespace

class WsHub::Session final : public WebSocketHandler, public std::enable_shared_from_this<Session> {
 public:
  Session(WsHub* hub, uint64_t id, std::string key_id, bool can_write)
      : hub_(hub), id_(id), key_id_(std::move(key_id)), can_write_(can_write) {}

  void OnOpen(std::shared_ptr<WebSocketChannel> channel) override {
    const WsSettings& s = hub_->settings_;
    {
      std::lock_guard lock(mu_);
      channel_ = std::move(channel);
    }
    hub_->Register(shared_from_this());
    SendNow(fmt::format("{{\"type\":\"welcome\",\"connection_id\":{},\"credit\":0,\"max_pending_messages\":{},"
                        "\"max_pending_bytes\":{},\"max_queries\":{}}}",
                        id_, s.max_pending_messages, s.max_pending_bytes, s.max_queries));
  }

  void OnMessage(std::string_view text, bool binary) override {
    if (binary) {
      SendNow(ErrorMessage({400, "INVALID_MESSAGE", "binary messages are not accepted: send JSON text", ""}, ""));
      return;
    }
    WsClientMessage m;
    if (auto error = ParseWsMessage(text, &m)) {
      SendNow(ErrorMessage({400, error->code, error->message, ""}, error->id));
      return;
    }
    switch (m.type) {
      case WsMessageType::kSubscribe: return Subscribe(m.channel);
      case WsMessageType::kUnsubscribe: return Unsubscribe(m.channel);
      case WsMessageType::kCredit: return Grant(m.credit);
      case WsMessageType::kPing: return Pong(m.id);
      case WsMessageType::kStreamQuery: return StartQuery(std::move(m));
      case WsMessageType::kCancelQuery: return CancelQuery(m.id);
    }
  }

  void OnClose(uint16_t code) override {
    NQ_LOG_DEBUG("http", "WebSocket connection {} closed ({})", id_, code);
    End();
    hub_->Unregister(this);
  }

  // Stops everything: no more messages, running queries cancelled.
  void End() {
    std::lock_guard lock(mu_);
    closed_ = true;
    pending_.clear();
    pending_bytes_ = 0;
    ungated_pending_ = 0;
    for (auto& [id, query] : queries_) CancelLocked(query.get());
    channel_.reset();  // breaks the cycle connection -> session -> connection
    room_.notify_all();
  }

  // From the feed's delivery thread.
  bool Wants(std::string_view channel) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    return std::any_of(subscriptions_.begin(), subscriptions_.end(),
                       [&](const std::string& pattern) { return ChannelMatches(pattern, channel); });
  }
  void Deliver(std::string event) {
    std::lock_guard lock(mu_);
    EnqueueLocked(std::move(event), /*gated=*/true, nullptr);
  }

 private:
  struct Query {
    std::string id;
    bool cancelled = false;           // guarded by mu_
    bool batch_waiting = false;       // guarded by mu_: its last batch waits for credit
    Connection* running = nullptr;    // guarded by mu_: while its statement runs
  };
  struct Outgoing {
    std::string text;
    bool gated;                    // an event or a batch: costs one credit
    std::shared_ptr<Query> owner;  // a query's message (its columns, batches, end or error)
  };
  class Sink;

  void SendNow(std::string text) {
    std::lock_guard lock(mu_);
    if (!closed_ && channel_) channel_->Send(std::move(text));
  }

  void Subscribe(const std::string& pattern) {
    {
      std::lock_guard lock(mu_);
      if (std::find(subscriptions_.begin(), subscriptions_.end(), pattern) == subscriptions_.end()) {
        if (subscriptions_.size() >= hub_->settings_.max_subscriptions) {
          if (channel_) {
            channel_->Send(ErrorMessage({400, "TOO_MANY_SUBSCRIPTIONS",
                                         fmt::format("at most {} subscriptions per connection",
                                                     hub_->settings_.max_subscriptions),
                                         ""},
                                        ""));
          }
          return;
        }
        subscriptions_.push_back(pattern);
      }
    }
    hub_->EnsureFeed();
    std::string reply = "{\"type\":\"subscribed\",\"channel\":";
    AppendJsonString(&reply, pattern);
    SendNow(reply + "}");
  }

  void Unsubscribe(const std::string& pattern) {
    bool found;
    {
      std::lock_guard lock(mu_);
      auto it = std::find(subscriptions_.begin(), subscriptions_.end(), pattern);
      found = it != subscriptions_.end();
      if (found) subscriptions_.erase(it);
    }
    if (!found) {
      SendNow(ErrorMessage({400, "NOT_SUBSCRIBED", "no subscription to \"" + pattern + "\"", ""}, ""));
      return;
    }
    std::string reply = "{\"type\":\"unsubscribed\",\"channel\":";
    AppendJsonString(&reply, pattern);
    SendNow(reply + "}");
  }

  void Grant(uint64_t n) {
    std::lock_guard lock(mu_);
    credit_ = std::min<uint64_t>(credit_ + n, uint64_t{1} << 40);
    PumpLocked();
  }

  void Pong(const std::string& id) {
    std::string reply = "{\"type\":\"pong\"";
    if (!id.empty()) {
      reply += ",\"id\":";
      AppendJsonString(&reply, id);
    }
    SendNow(reply + "}");
  }

  void StartQuery(WsClientMessage m) {
    std::shared_ptr<Query> query;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      std::string problem;
      std::string code = "CONFLICT";
      if (queries_.count(m.id) != 0) {
        problem = "a query with this id is still running";
      } else if (queries_.size() >= hub_->settings_.max_queries) {
        problem = fmt::format("at most {} queries stream at once per connection", hub_->settings_.max_queries);
      } else if (hub_->running_queries_.fetch_add(1) >= hub_->settings_.max_total_queries) {
        hub_->running_queries_.fetch_sub(1);
        code = "BUSY";
        problem = fmt::format("the server streams at most {} queries at once over WebSocket; retry later",
                              hub_->settings_.max_total_queries);
      }
      if (!problem.empty()) {
        if (channel_) channel_->Send(ErrorMessage({503, code, problem, ""}, m.id));
        return;
      }
      query = std::make_shared<Query>();
      query->id = m.id;
      queries_.emplace(m.id, query);
    }
    hub_->workers_->Post([self = shared_from_this(), query, m = std::move(m)] { self->RunQuery(query, m); });
  }

  void CancelQuery(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = queries_.find(id);
    if (it == queries_.end()) {
      if (channel_) {
        channel_->Send(ErrorMessage({404, "NOT_FOUND", "no running query with this id", ""}, id));
      }
      return;
    }
    CancelLocked(it->second.get());
    room_.notify_all();
  }

  void CancelLocked(Query* query) {
    query->cancelled = true;
    if (query->running != nullptr) query->running->Cancel();
  }

  // Queues a message. Gated ones (events, batches) go out in order, each
  // against one credit; a query's other messages (columns, end, error)
  // go out as soon as nothing of the same query is ahead of them.
  void EnqueueLocked(std::string text, bool gated, std::shared_ptr<Query> owner) {
    if (closed_) return;
    pending_bytes_ += text.size();
    if (!gated) ++ungated_pending_;
    pending_.push_back({std::move(text), gated, std::move(owner)});
    PumpLocked();
  }

  void PumpLocked() {
    if (closed_ || !channel_) return;
    bool sent_batch = false;
    // Streams whose order holds a message back: a query, or (null) the
    // events.
    std::vector<const Query*> blocked;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (credit_ == 0 && ungated_pending_ == 0) break;  // nothing more can go
      const Query* stream = it->owner.get();
      bool held = std::find(blocked.begin(), blocked.end(), stream) != blocked.end();
      if (held || (it->gated && credit_ == 0)) {
        if (!held) blocked.push_back(stream);
        ++it;
        continue;
      }
      if (!it->gated) {
        --ungated_pending_;
      } else {
        --credit_;
        if (it->owner != nullptr) {
          it->owner->batch_waiting = false;
          sent_batch = true;
        }
      }
      pending_bytes_ -= it->text.size();
      channel_->Send(std::move(it->text));
      it = pending_.erase(it);
    }
    if (sent_batch) room_.notify_all();
    const WsSettings& s = hub_->settings_;
    size_t unwritten = channel_->queued_bytes();
    if (pending_.size() > s.max_pending_messages || pending_bytes_ + unwritten > s.max_pending_bytes) {
      std::string reason = fmt::format("consumer too slow: {} messages, {} bytes waiting", pending_.size(),
                                       pending_bytes_ + unwritten);
      NQ_LOG_WARN("http", "WebSocket connection {} (key {}) closed: {}", id_, key_id_, reason);
      channel_->Close(kWsCloseSlowConsumer, reason);
      closed_ = true;
      pending_.clear();
      pending_bytes_ = 0;
      ungated_pending_ = 0;
      for (auto& [id, query] : queries_) CancelLocked(query.get());
      room_.notify_all();
    }
  }

  // A cancelled query's batch still waiting for credit is dropped.
  void DropBatchesLocked(const Query* query) {
    std::erase_if(pending_, [&](const Outgoing& out) {
      if (out.owner.get() != query || !out.gated) return false;
      pending_bytes_ -= out.text.size();
      return true;
    });
  }

  void RunQuery(const std::shared_ptr<Query>& query, const WsClientMessage& m);

  WsHub* hub_;
  const uint64_t id_;
  const std::string key_id_;
  const bool can_write_;

  std::mutex mu_;
  std::condition_variable room_;  // a batch went out, or the query or connection ended
  std::shared_ptr<WebSocketChannel> channel_;  // guarded by mu_; reset when closed
  bool closed_ = false;                        // guarded by mu_
  std::vector<std::string> subscriptions_;     // guarded by mu_
  std::deque<Outgoing> pending_;               // guarded by mu_
  size_t pending_bytes_ = 0;                   // guarded by mu_
  size_t ungated_pending_ = 0;                 // guarded by mu_: messages in pending_ needing no credit
  uint64_t credit_ = 0;                        // guarded by mu_
  std::map<std::string, std::shared_ptr<Query>, std::less<>> queries_;  // guarded by mu_
};

// Turns a query's rows into batch messages: rows gather until batch_size,
// 256 KiB or 100 ms, then the batch is queued once the query's previous
// batch has gone out, so a query never has more than one batch waiting
// for credit (the statement waits instead).
class WsHub::Session::Sink final : public RowSink {
 public:
  Sink(Session* session, std::shared_ptr<Query> query, size_t batch_size, Clock::time_point deadline)
      : session_(session), query_(std::move(query)), batch_size_(batch_size), deadline_(deadline) {}

  Status OnRow(const ResultSet& row) override {
    if (!columns_sent_) SendColumns(row);
    if (in_batch_ > 0) batch_ += ',';
    AppendRowArray(&batch_, row);
    if (in_batch_++ == 0) batch_started_ = Clock::now();
    ++total_;
    if (in_batch_ >= batch_size_ || batch_.size() >= (256u << 10) ||
        Clock::now() - batch_started_ >= std::chrono::milliseconds(100)) {
      return Flush();
    }
    return Status::OK();
  }

  Status Flush() {
    if (in_batch_ == 0) return Status::OK();
    std::unique_lock lock(session_->mu_);
    bool in_time = session_->room_.wait_until(lock, deadline_, [this] {
      return session_->closed_ || query_->cancelled || !query_->batch_waiting;
    });
    if (session_->closed_) return Status::Aborted("the WebSocket connection closed").WithSqlState("57014");
    if (query_->cancelled) return Status::Aborted("cancelled by cancel_query").WithSqlState("57014");
    if (!in_time) {
      return Status::TimedOut("no credit for the next batch within the statement timeout").WithSqlState("57014");
    }
    std::string message = "{\"type\":\"batch\",\"id\":";
    AppendJsonString(&message, query_->id);
    message += fmt::format(",\"seq\":{},\"row_count\":{},\"rows\":[", seq_++, total_);
    message += batch_;
    message += "]}";
    batch_.clear();
    in_batch_ = 0;
    query_->batch_waiting = true;
    session_->EnqueueLocked(std::move(message), /*gated=*/true, query_);
    return Status::OK();
  }

  void SendColumns(const ResultSet& rs) {
    columns_sent_ = true;
    std::string message = "{\"type\":\"columns\",\"id\":";
    AppendJsonString(&message, query_->id);
    message += ",\"columns\":";
    AppendColumnArray(&message, rs);
    message += '}';
    std::lock_guard lock(session_->mu_);
    session_->EnqueueLocked(std::move(message), /*gated=*/false, query_);
  }

  bool columns_sent() const { return columns_sent_; }
  uint64_t total() const { return total_; }

 private:
  Session* session_;
  std::shared_ptr<Query> query_;
  const size_t batch_size_;
  const Clock::time_point deadline_;
  std::string batch_;
  size_t in_batch_ = 0;
  Clock::time_point batch_started_;
  uint64_t total_ = 0;
  uint64_t seq_ = 0;
  bool columns_sent_ = false;
};

// On a worker thread: runs the statement on a pooled connection and sends
// columns, batches, then end or error.
void WsHub::Session::RunQuery(const std::shared_ptr<Query>& owner, const WsClientMessage& m) {
  Query& query = *owner;
  Clock::time_point started = Clock::now();
  Clock::time_point deadline = started + hub_->settings_.statement_timeout;
  std::unique_ptr<ConnectionSlot> slot = hub_->pool_->Take();
  Connection* conn = slot->connection.get();
  conn->SetReadOnly(!can_write_);
  conn->SetStatementTimeout(hub_->settings_.statement_timeout);
  Sink sink(this, owner, m.batch_size, deadline);
  Result<ResultSet> result = Status::Aborted("cancelled by cancel_query").WithSqlState("57014");
  bool cancelled_early;
  bool bound_ok = true;  // false: the params did not bind (a client error, not the statement's)
  {
    std::lock_guard lock(mu_);
    cancelled_early = query.cancelled || closed_;
    if (!cancelled_early) query.running = conn;
  }
  if (!cancelled_early) {
    if (m.params.empty()) {
      result = conn->ExecuteStreaming(m.sql, &sink);
    } else {
      auto statement = slot->Prepared(m.sql);
      if (!statement.ok()) {
        result = statement.status();
      } else if (auto bound = BindParams(*statement, m.params); !bound.ok()) {
        bound_ok = false;
        result = bound.status();
      } else {
        result = (*statement)->ExecuteStreaming(&sink);
      }
    }
  }
  Status status = result.ok() ? sink.Flush() : result.status();
  std::optional<ApiError> refusal;
  if (!bound_ok) refusal = ApiError::Validation(std::string(status.message()));
  if (status.ok() && conn->in_transaction()) {
    refusal = ApiError::Validation(
        "stream_query runs each statement in its own transaction: BEGIN ... COMMIT needs a REST session");
  }
  bool cancelled;
  {
    std::lock_guard lock(mu_);
    query.running = nullptr;
    cancelled = query.cancelled;
  }
  std::string message;
  if (status.ok() && !refusal) {
    if (!sink.columns_sent()) sink.SendColumns(*result);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    message = "{\"type\":\"end\",\"id\":";
    AppendJsonString(&message, query.id);
    message += ",\"command\":";
    AppendJsonString(&message, result->command());
    message += fmt::format(",\"row_count\":{},\"rows_affected\":{},\"execution_time_ms\":{:.3f}}}", sink.total(),
                           result->rows_affected(), ms);
  } else {
    ApiError error = refusal     ? *refusal
                     : cancelled ? ApiError{408, "CANCELLED", "cancelled by cancel_query", "57014"}
                                 : ErrorFromStatus(status);
    message = ErrorMessage(error, query.id);
    message.pop_back();
    message += fmt::format(",\"row_count\":{}}}", sink.total());
  }
  {
    std::lock_guard lock(mu_);
    if (cancelled) DropBatchesLocked(&query);
    EnqueueLocked(std::move(message), /*gated=*/false, owner);
    queries_.erase(query.id);
  }
  hub_->pool_->Give(std::move(slot));
  hub_->running_queries_.fetch_sub(1);
}

WsHub::WsHub(Database* db, ConnectionPool* pool, WorkerPool* workers, WsSettings settings)
    : db_(db), pool_(pool), workers_(workers), settings_(settings) {}

WsHub::~WsHub() {
  std::unique_ptr<ChangeSubscription> feed;
  {
    std::lock_guard lock(feed_mu_);
    feed = std::move(feed_);
  }
  feed.reset();  // outside the lock: waits for a delivery in progress
}

std::shared_ptr<WebSocketHandler> WsHub::NewSession(std::string key_id, bool can_write) {
  uint64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
  }
  return std::make_shared<Session>(this, id, std::move(key_id), can_write);
}

void WsHub::Register(const std::shared_ptr<Session>& session) {
  bool refused;
  {
    std::lock_guard lock(mu_);
    refused = shut_down_;
    if (!refused) sessions_.push_back(session);
  }
  if (refused) session->End();
}

void WsHub::Unregister(const Session* session) {
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [session](const std::weak_ptr<Session>& weak) {
    auto s = weak.lock();
    return s == nullptr || s.get() == session;
  });
}

void WsHub::Shutdown() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    for (auto& weak : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->End();
}

size_t WsHub::sessions() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void WsHub::EnsureFeed() {
  std::lock_guard lock(feed_mu_);
  if (feed_) return;
  auto subscription = db_->SubscribeChanges([this](const CommittedTransaction& txn) { OnCommit(txn); });
  if (!subscription.ok()) {
    NQ_LOG_ERROR("http", "WebSocket table events are unavailable: {}", subscription.status().ToString());
    return;
  }
  feed_ = std::move(*subscription);
}

// On the feed's delivery thread: one message per changed row, to every
// session subscribed to its table's channel.
void WsHub::OnCommit(const CommittedTransaction& txn) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& weak : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  if (live.empty()) return;
  std::vector<Session*> wanting;
  for (const RowChange& change : txn.changes) {
    std::string channel = "table." + change.table;
    wanting.clear();
    for (auto& s : live) {
      if (s->Wants(channel)) wanting.push_back(s.get());
    }
    if (wanting.empty()) continue;
    std::string event = "{\"type\":\"event\",\"channel\":";
    AppendJsonString(&event, channel);
    event += ",\"table\":";
    AppendJsonString(&event, change.table);
    event += fmt::format(",\"op\":\"{}\",\"txn\":{},\"lsn\":{}", ChangeKindName(change.kind), txn.txn_id,
                         txn.commit_lsn);
    if (change.kind != ChangeKind::kDelete) {
      event += ",\"row\":";
      AppendRowObject(&event, change.after);
    }
    if (change.kind != ChangeKind::kInsert) {
      event += ",\"old\":";
      AppendRowObject(&event, change.before);
    }
    event += '}';
    for (Session* s : wanting) s->Deliver(event);
  }
}

// GET /ws: the upgrade, once authenticated (headers, or ?api_key= /
// ?access_token= for browsers, which cannot set headers on a WebSocket).
Reply HandleWebSocket(RequestContext& ctx) {
  if (!ctx.request->websocket_upgrade) {
    Reply reply(ApiError{426, "UPGRADE_REQUIRED", "GET /ws is a WebSocket endpoint: send Upgrade: websocket", ""});
    reply.headers.emplace_back("Upgrade", "websocket");
    return reply;
  }
  if (ctx.api->websocket == nullptr) return ApiError::Internal("WebSocket support is not running");
  Reply reply;
  reply.status = 101;
  reply.websocket = ctx.api->websocket->NewSession(ctx.key->id, Allows(ctx.key->permissions, Permission::kWrite));
  return reply;
}

}  // namespace neuroquantum::server
