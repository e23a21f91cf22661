// POST /api/v1/query and the sessions that carry transactions across
// requests.
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "server/api_internal.h"
#include "server/crypto.h"
#include "common/json_text.h"
#include "common/log.h"
#include "server/sessions.h"

namespace neuroquantum::server {

// Binds JSON values to $1..$n; anything but null, boolean, number or string
// is refused (values are bound, never spliced into the statement text).
Result<bool> BindParams(PreparedStatement* statement, const Json& params) {
  if (params.size() > statement->parameter_count()) {
    return Status::InvalidArgument(fmt::format("{} params given but the statement has {} parameters", params.size(),
                                               statement->parameter_count()));
  }
  statement->ClearBindings();
  for (size_t i = 0; i < params.size(); ++i) {
    const Json& v = params[i];
    size_t index = i + 1;
    Status s;
    if (v.is_null()) {
      s = statement->BindNull(index);
    } else if (v.is_boolean()) {
      s = statement->BindBool(index, v.get<bool>());
    } else if (v.is_number_unsigned()) {
      auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) {
        return Status::InvalidArgument(fmt::format("params[{}] is larger than a BIGINT", i));
      }
      s = statement->BindInt64(index, static_cast<int64_t>(u));
    } else if (v.is_number_integer()) {
      s = statement->BindInt64(index, v.get<int64_t>());
    } else if (v.is_number_float()) {
      s = statement->BindDouble(index, v.get<double>());
    } else if (v.is_string()) {
      s = statement->BindText(index, v.get_ref<const std::string&>());
    } else {
      return Status::InvalidArgument(fmt::format("params[{}] must be null, a boolean, a number or a string", i));
    }
    NQ_RETURN_IF_ERROR(s);
  }
  return true;
}

void AppendField(std::string* out, const ResultSet& rs, size_t i) {
  switch (rs.kind(i)) {
    case FieldKind::kNull: *out += "null"; return;
    case FieldKind::kBoolean: *out += rs.GetBool(i) ? "true" : "false"; return;
    case FieldKind::kInteger: fmt::format_to(std::back_inserter(*out), "{}", rs.GetInt64(i)); return;
    case FieldKind::kDouble: {
      double d = rs.GetDouble(i);
      if (std::isfinite(d)) {
        AppendJsonDouble(out, d);
      } else {
        AppendJsonString(out, rs.GetText(i));  // JSON has no NaN or Infinity
      }
      return;
    }
    case FieldKind::kBlob: AppendJsonString(out, Base64Encode(rs.GetBlob(i))); return;
    default: AppendJsonString(out, rs.GetText(i));  // NUMERIC exactly, dates and times in ISO form, text
  }
}

void AppendRowArray(std::string* out, const ResultSet& rs) {
  *out += '[';
  for (size_t i = 0; i < rs.column_count(); ++i) {
    if (i > 0) *out += ',';
    AppendField(out, rs, i);
  }
  *out += ']';
}

void AppendRowObject(std::string* out, const ResultSet& rs) {
  *out += '{';
  for (size_t i = 0; i < rs.column_count(); ++i) {
    if (i > 0) *out += ',';
    AppendJsonString(out, rs.column_name(i));
    *out += ':';
    AppendField(out, rs, i);
  }
  *out += '}';
}

void AppendColumnArray(std::string* out, const ResultSet& rs) {
  *out += '[';
  for (size_t i = 0; i < rs.column_count(); ++i) {
    *out += i == 0 ? "{\"name\":" : ",{\"name\":";
    AppendJsonString(out, rs.column_name(i));
    *out += ",\"type\":";
    AppendJsonString(out, rs.column_type(i));
    *out += '}';
  }
  *out += ']';
}

namespace {

QueryOutcome Failed(ApiError error) { return {std::string(), std::move(error)}; }

// The statement and its parameters of a query request body.
struct QueryRequest {
  std::string sql;
  Json params = Json::array();
};
Result<QueryRequest> ParseQueryRequest(const Json& body) {
  QueryRequest out;
  auto query = body.find("query");
  if (query == body.end() || !query->is_string() || query->get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument("\"query\" must be a non-empty string");
  }
  out.sql = query->get<std::string>();
  if (auto p = body.find("params"); p != body.end() && !p->is_null()) {
    if (!p->is_array()) return Status::InvalidArgument("\"params\" must be an array");
    out.params = *p;
  }
  return out;
}


}  // namespace

QueryOutcome RunQuery(ConnectionSlot* slot, const std::string& sql, const Json& params, size_t max_rows) {
  auto started = std::chrono::steady_clock::now();
  Result<ResultSet> result = Status::Internal("not run");
  if (!params.empty()) {
    auto statement = slot->Prepared(sql);
    if (!statement.ok()) return Failed(ErrorFromStatus(statement.status()));
    auto bound = BindParams(*statement, params);
    if (!bound.ok()) return Failed(ApiError::Validation(std::string(bound.status().message())));
    result = (*statement)->Execute();
  } else {
    result = slot->connection->Execute(sql);
  }
  if (!result.ok()) return Failed(ErrorFromStatus(result.status()));
  ResultSet& rs = *result;
  std::string out = "{\"command\":";
  AppendJsonString(&out, rs.command());
  out += ",\"columns\":";
  AppendColumnArray(&out, rs);
  out += ",\"rows\":[";
  size_t rows = 0;
  for (;;) {
    auto more = rs.Next();
    if (!more.ok()) return Failed(ErrorFromStatus(more.status()));
    if (!*more) break;
    if (rows >= max_rows) {
      return Failed(ApiError{413, "PAYLOAD_TOO_LARGE",
                             fmt::format("the result has more than {} rows (server.max_result_rows); add a LIMIT",
                                         max_rows),
                             ""});
    }
    if (rows++ > 0) out += ',';
    AppendRowArray(&out, rs);
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  out += fmt::format("],\"rows_affected\":{},\"execution_time_ms\":{:.3f}", rs.rows_affected(), ms);
  return {std::move(out), std::nullopt};
}

Reply HandleQuery(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto request = ParseQueryRequest(*body);
  if (!request.ok()) return ApiError::Validation(std::string(request.status().message()));
  const Json& params = request->params;
  const std::string& sql = request->sql;
  bool read_only = !Allows(ctx.key->permissions, Permission::kWrite);
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - std::chrono::steady_clock::now());
  if (remaining.count() <= 0) return ApiError{408, "TIMEOUT", "the request timeout passed before the query ran", ""};
  size_t max_rows = ctx.api->settings.max_result_rows;

  if (const std::string* session_id = ctx.request->Header("x-session-id")) {
    auto lease = ctx.api->sessions->Acquire(*session_id, ctx.key->id);
    if (!lease.ok()) {
      if (lease.status().code() == StatusCode::kBusy) return ApiError::Conflict(std::string(lease.status().message()));
      return ApiError::NotFound(std::string(lease.status().message()));
    }
    ConnectionSlot* slot = lease->slot();
    slot->connection->SetReadOnly(read_only || lease->read_only());
    slot->connection->SetStatementTimeout(remaining);
    QueryOutcome outcome = RunQuery(slot, sql, params, max_rows);
    if (outcome.error) return *outcome.error;
    outcome.data += ",\"session_id\":";
    AppendJsonString(&outcome.data, *session_id);
    outcome.data += slot->connection->in_transaction() ? ",\"in_transaction\":true}" : ",\"in_transaction\":false}";
    return Reply::Text(std::move(outcome.data));
  }

  std::unique_ptr<ConnectionSlot> slot = ctx.api->pool->Take();
  slot->connection->SetReadOnly(read_only);
  slot->connection->SetStatementTimeout(remaining);
  QueryOutcome outcome = RunQuery(slot.get(), sql, params, max_rows);
  bool left_open = slot->connection->in_transaction();
  ctx.api->pool->Give(std::move(slot));  // rolls back what was left open
  if (outcome.error) return *outcome.error;
  if (left_open) {
    return ApiError::Validation(
        "the request left a transaction open, so it was rolled back: BEGIN ... COMMIT across requests needs a "
        "session (POST /api/v1/sessions, then X-Session-Id)");
  }
  outcome.data += '}';
  return Reply::Text(std::move(outcome.data));
}

namespace {

// One streamed query: its connection (back to the pool when the stream is
// done), what to run, and the request's identity for an error envelope.
struct QueryStream {
  ConnectionPool* pool = nullptr;
  std::unique_ptr<ConnectionSlot> slot;
  std::string sql;
  Json params;
  size_t batch_rows = 1000;
  std::string request_id;
  std::chrono::steady_clock::time_point received, started;

  QueryStream() = default;
  QueryStream(const QueryStream&) = delete;
  QueryStream& operator=(const QueryStream&) = delete;
  ~QueryStream() {
    if (slot) pool->Give(std::move(slot));
  }

  void Run(BodyWriter& out);
};

// NDJSON lines: columns, then rows in batches (of batch_rows, or fewer
// when 256 KiB or 100 ms have gone by, so slow queries show rows early),
// written while the statement runs. Nothing is written before the first
// batch, so that an error found by then is still an ordinary error
// response.
class NdjsonSink final : public RowSink {
 public:
  NdjsonSink(BodyWriter* out, size_t batch_rows) : out_(out), batch_rows_(batch_rows) {}

  Status OnRow(const ResultSet& row) override {
    if (!columns_done_) AppendColumns(row);
    line_ += in_batch_ == 0 ? "{\"type\":\"rows\",\"rows\":[" : ",";
    AppendRowArray(&line_, row);
    if (in_batch_++ == 0) batch_started_ = std::chrono::steady_clock::now();
    ++total_;
    if (in_batch_ >= batch_rows_ || line_.size() >= (256u << 10) ||
        std::chrono::steady_clock::now() - batch_started_ >= std::chrono::milliseconds(100)) {
      if (!Flush()) return Status::Aborted("the client went away").WithSqlState("57014");
    }
    return Status::OK();
  }

  // The columns line (from the first row, or the finished statement's
  // result when there was none).
  void AppendColumns(const ResultSet& rs) {
    columns_done_ = true;
    line_ += "{\"type\":\"columns\",\"columns\":";
    AppendColumnArray(&line_, rs);
    line_ += "}\n";
  }

  // Writes what has gathered; false when the client has gone.
  bool Flush() {
    if (in_batch_ > 0) line_ += "]}\n";
    in_batch_ = 0;
    if (line_.empty()) return true;
    written_ = true;
    bool ok = out_->Write(line_);
    line_.clear();
    gone_ = gone_ || !ok;
    return ok;
  }
  // Appends a final line and writes everything.
  bool Finish(std::string_view last) {
    if (in_batch_ > 0) line_ += "]}\n";
    in_batch_ = 0;
    line_ += last;
    return Flush();
  }

  bool columns_done() const { return columns_done_; }
  bool written() const { return written_; }
  bool gone() const { return gone_; }
  uint64_t total() const { return total_; }

 private:
  BodyWriter* out_;
  const size_t batch_rows_;
  std::string line_;
  size_t in_batch_ = 0;
  std::chrono::steady_clock::time_point batch_started_;
  uint64_t total_ = 0;
  bool columns_done_ = false;
  bool written_ = false;
  bool gone_ = false;
};

void QueryStream::Run(BodyWriter& out) {
  Connection* conn = slot->connection.get();
  NdjsonSink sink(&out, batch_rows);
  Result<ResultSet> result = Status::Internal("not run");
  std::optional<ApiError> refusal;
  if (!params.empty()) {
    auto statement = slot->Prepared(sql);
    if (!statement.ok()) {
      result = statement.status();
    } else if (auto bound = BindParams(*statement, params); !bound.ok()) {
      refusal = ApiError::Validation(std::string(bound.status().message()));
    } else {
      result = (*statement)->ExecuteStreaming(&sink);
    }
  } else {
    result = conn->ExecuteStreaming(sql, &sink);
  }
  if (result.ok() && conn->in_transaction()) {
    refusal = ApiError::Validation("a streamed query cannot open a transaction: BEGIN ... COMMIT needs a session");
  }
  // Gone: a write failed, or the hang-up watch cancelled the statement
  // (an empty Write asks the connection).
  if (sink.gone() || !out.Write({})) {
    NQ_LOG_INFO("http", "streamed query stopped after {} rows: the client went away", sink.total());
    return;
  }
  if (refusal || !result.ok()) {
    ApiError error = refusal ? *refusal : ErrorFromStatus(result.status());
    if (!sink.written()) {
      // Nothing sent yet: an ordinary error response.
      (void)out.Fail(error.status, "application/json", ErrorEnvelope(error, request_id, received));
      return;
    }
    std::string line = "{\"type\":\"error\",\"error\":{";
    AppendErrorFields(&line, error);
    line += fmt::format("}},\"row_count\":{}}}\n", sink.total());
    (void)sink.Finish(line);
    return;
  }
  if (!sink.columns_done()) sink.AppendColumns(*result);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!sink.Finish(fmt::format("{{\"type\":\"end\",\"row_count\":{},\"rows_affected\":{},\"execution_time_ms\":{:.3f}}}\n",
                               sink.total(), result->rows_affected(), ms))) {
    NQ_LOG_INFO("http", "streamed query stopped after {} rows: the client went away", sink.total());
  }
}

}  // namespace

// POST /api/v1/query/stream: the statement runs on a pooled connection
// while its rows stream as NDJSON batches; errors found before the first
// batch get an ordinary error response, later ones an error line. The
// client disconnecting cancels the statement.
Reply HandleQueryStream(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto request = ParseQueryRequest(*body);
  if (!request.ok()) return ApiError::Validation(std::string(request.status().message()));
  auto state = std::make_shared<QueryStream>();
  if (auto b = body->find("batch_size"); b != body->end() && !b->is_null()) {
    if (!b->is_number_integer() || b->get<int64_t>() < 1 || b->get<int64_t>() > 100000) {
      return ApiError::Validation("\"batch_size\" must be an integer in [1, 100000]");
    }
    state->batch_rows = b->get<size_t>();
  }
  if (ctx.request->Header("x-session-id") != nullptr) {
    return ApiError::Validation("streamed queries run outside sessions; use POST /api/v1/query in a session");
  }
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - std::chrono::steady_clock::now());
  if (remaining.count() <= 0) return ApiError{408, "TIMEOUT", "the request timeout passed before the query ran", ""};
  state->started = std::chrono::steady_clock::now();
  state->request_id = ctx.request_id;
  state->received = ctx.request->received;
  state->sql = std::move(request->sql);
  state->params = std::move(request->params);
  state->pool = ctx.api->pool;
  state->slot = ctx.api->pool->Take();
  Connection* conn = state->slot->connection.get();
  conn->SetReadOnly(!Allows(ctx.key->permissions, Permission::kWrite));
  conn->SetStatementTimeout(remaining);
  Reply reply = Reply::Stream([state](BodyWriter& out) { state->Run(out); }, "application/x-ndjson");
  reply.on_disconnect = [conn] { conn->Cancel(); };
  return reply;
}

Reply HandleCreateSession(RequestContext& ctx) {
  bool read_only = !Allows(ctx.key->permissions, Permission::kWrite);
  auto info = ctx.api->sessions->Create(ctx.key->id, read_only, UnixNow());
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kBusy) return ApiError::Conflict(std::string(info.status().message()));
    return ErrorFromStatus(info.status());
  }
  return Reply(Json{{"session_id", info->id},
                    {"read_only", info->read_only},
                    {"idle_timeout_seconds", ctx.api->sessions->settings().idle_timeout.count()},
                    {"header", "X-Session-Id"}},
               201);
}

Reply HandleDeleteSession(RequestContext& ctx) {
  const std::string& id = ctx.path_params["id"];
  Status s = ctx.api->sessions->Close(id, ctx.key->id);
  if (!s.ok()) return ApiError::NotFound(std::string(s.message()));
  return Reply(Json{{"session_id", id}, {"closed", true}});
}

}  // namespace neuroquantum::server
