// Shared by the API's handler files: the request context, the reply and
// error types, the route table entry, and JSON helpers.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api.h"
#include "server/api_keys.h"

namespace neuroquantum::server {

using Json = nlohmann::json;

// An error reply: API code (INVALID_QUERY, UNAUTHORIZED, ...), HTTP status,
// message, and for query errors the SQLSTATE.
struct ApiError {
  int status = 500;
  std::string code = "INTERNAL_ERROR";
  std::string message;
  std::string sqlstate;

  static ApiError Validation(std::string message) { return {400, "VALIDATION_ERROR", std::move(message), ""}; }
  static ApiError Unauthorized(std::string message) { return {401, "UNAUTHORIZED", std::move(message), ""}; }
  static ApiError Forbidden(std::string message) { return {403, "PERMISSION_DENIED", std::move(message), ""}; }
  static ApiError NotFound(std::string message) { return {404, "NOT_FOUND", std::move(message), ""}; }
  static ApiError Conflict(std::string message) { return {409, "CONFLICT", std::move(message), ""}; }
  static ApiError Internal(std::string message) { return {500, "INTERNAL_ERROR", std::move(message), ""}; }
};

// Maps a database or server Status to its API error (docs/reference/rest-api.md).
ApiError ErrorFromStatus(const Status& status);
// Appends `"code":...,"message":...[,"sqlstate":...]`: the fields of an error
// object, wherever one is written (envelopes, stream lines, record errors).
void AppendErrorFields(std::string* out, const ApiError& error);
// The whole error envelope of a request (for replies built outside the
// handler's return, such as a stream that fails before its first byte).
std::string ErrorEnvelope(const ApiError& error, std::string_view request_id,
                          std::chrono::steady_clock::time_point received);

struct Reply {
  int status = 200;
  Json data;                     // the envelope's "data"
  // Set: the envelope's "data" as JSON text already (hot paths build it
  // without a document tree), used instead of `data`.
  std::optional<std::string> data_text;
  std::optional<ApiError> error;  // set: an error envelope instead
  // Set: sent as is instead of an envelope (metrics, documents, files).
  std::optional<std::string> raw_body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // Set: a streamed body instead (HttpResponse::stream, on_disconnect).
  std::function<void(BodyWriter&)> stream;
  std::function<void()> on_disconnect;
  // Set: accept the WebSocket upgrade with this handler
  // (HttpResponse::websocket).
  std::shared_ptr<WebSocketHandler> websocket;

  Reply() = default;
  Reply(Json d, int s = 200) : status(s), data(std::move(d)) {}  // NOLINT: implicit for brevity
  Reply(ApiError e) : status(e.status), error(std::move(e)) {}   // NOLINT
  static Reply Text(std::string json, int status = 200) {
    Reply r;
    r.status = status;
    r.data_text = std::move(json);
    return r;
  }
  static Reply Stream(std::function<void(BodyWriter&)> stream, std::string content_type) {
    Reply r;
    r.stream = std::move(stream);
    r.raw_body = std::string();
    r.content_type = std::move(content_type);
    return r;
  }
  static Reply Raw(std::string body, std::string content_type, int status = 200) {
    Reply r;
    r.status = status;
    r.raw_body = std::move(body);
    r.content_type = std::move(content_type);
    return r;
  }
};

struct RequestContext {
  const HttpRequest* request = nullptr;
  ApiContext* api = nullptr;
  std::string request_id;
  std::map<std::string, std::string, std::less<>> path_params;
  std::optional<ApiKeyInfo> key;  // the authenticated caller, if the route needs one
  std::chrono::steady_clock::time_point deadline;

  // The request body as a JSON object; an empty body is an empty object.
  Result<Json> BodyObject() const;
};

using Handler = Reply (*)(RequestContext& ctx);

struct Api::Route {
  std::string method;
  std::string pattern;  // "/api/v1/sessions/{id}"
  // Required permission; nullopt: public (no credentials needed).
  std::optional<Permission> permission;
  Handler handler;
  // For the OpenAPI document.
  std::string tag;
  std::string summary;
  Json request_schema;  // null: no body
  std::vector<int> statuses;  // documented response statuses beside 200
};

struct ConnectionSlot;

// Query execution shared by the query and table handlers (api_query.cc).
// Binds JSON values to $1..$n: null, booleans, numbers and strings only.
Result<bool> BindParams(PreparedStatement* statement, const Json& params);
// Appends the current row's field i as a JSON value (blobs as base64,
// NUMERIC, dates and non-finite doubles as strings).
void AppendField(std::string* out, const ResultSet& rs, size_t i);
// Appends the current row as a JSON array of its fields.
void AppendRowArray(std::string* out, const ResultSet& rs);
// Appends the current row as a JSON object, `{"column":value,...}`.
void AppendRowObject(std::string* out, const ResultSet& rs);
// Appends `[{"name":...,"type":...},...]`: the result's columns.
void AppendColumnArray(std::string* out, const ResultSet& rs);
struct QueryOutcome {
  // JSON text of the reply's data without its closing brace: command,
  // columns, rows, rows_affected, execution_time_ms.
  std::string data;
  std::optional<ApiError> error;
};
// Runs `sql` (prepared when `params` is not empty) and reads at most
// `max_rows` rows (413 beyond).
QueryOutcome RunQuery(ConnectionSlot* slot, const std::string& sql, const Json& params, size_t max_rows);

// The route table (api_routes.cc).
std::vector<Api::Route> BuildRoutes();

// Handlers, by area.
Reply HandleHealth(RequestContext& ctx);
Reply HandleMetrics(RequestContext& ctx);
Reply HandleStats(RequestContext& ctx);
Reply HandlePerformanceStats(RequestContext& ctx);
Reply HandleQuery(RequestContext& ctx);
Reply HandleQueryStream(RequestContext& ctx);
Reply HandleListTables(RequestContext& ctx);
Reply HandleCreateTable(RequestContext& ctx);
Reply HandleDescribeTable(RequestContext& ctx);
Reply HandleDropTable(RequestContext& ctx);
Reply HandleInsertRecords(RequestContext& ctx);
Reply HandleQueryRecords(RequestContext& ctx);
Reply HandleUpdateRecords(RequestContext& ctx);
Reply HandleDeleteRecords(RequestContext& ctx);
Reply HandleCreateSession(RequestContext& ctx);
Reply HandleDeleteSession(RequestContext& ctx);
Reply HandleWebSocket(RequestContext& ctx);
Reply HandleLogin(RequestContext& ctx);
Reply HandleRefresh(RequestContext& ctx);
Reply HandleGenerateKey(RequestContext& ctx);
Reply HandleRevokeKey(RequestContext& ctx);
Reply HandleListKeys(RequestContext& ctx);
Reply HandleOpenApi(RequestContext& ctx);
Reply HandleDocsPage(RequestContext& ctx);
Reply HandleDocsAsset(RequestContext& ctx);

// Seconds since the Unix epoch.
int64_t UnixNow();
// RFC 3339 UTC with milliseconds.
std::string Rfc3339Now();
// Peak and current resident set size of this process, in bytes.
struct MemoryUsage {
  uint64_t rss_bytes = 0;
  uint64_t peak_rss_bytes = 0;
};
MemoryUsage ReadMemoryUsage();
// The API key's public record as JSON (never the key text or digest).
Json KeyInfoJson(const ApiKeyInfo& info);

}  // namespace neuroquantum::server
