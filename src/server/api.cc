// Request dispatch: request id, CORS, route match, authentication,
// permission check, then the handler on the worker pool; the envelope,
// metrics and one log line per request on the way out.
#include "server/api.h"

#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "common/json_text.h"
#include "common/log.h"
#include "server/api_internal.h"
#include "server/crypto.h"
#include "server/json_parse.h"
#include "server/jwt.h"
#include "server/metrics.h"
#include "server/rate_limit.h"
#include "server/worker_pool.h"

namespace neuroquantum::server {

namespace {

// Splits "/a/b/c" into {"a", "b", "c"}.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

// A path segment with %XX escapes decoded ("my%20table" is "my table");
// a malformed escape is kept as it is.
std::string PercentDecode(std::string_view segment) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size() && hex(segment[i + 1]) >= 0 && hex(segment[i + 2]) >= 0) {
      out += static_cast<char>(hex(segment[i + 1]) * 16 + hex(segment[i + 2]));
      i += 2;
    } else {
      out += segment[i];
    }
  }
  return out;
}

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::map<std::string, std::string, std::less<>>* params) {
  auto want = Segments(pattern);
  auto got = Segments(path);
  if (want.size() != got.size()) return false;
  if (!pattern.empty() && !path.empty() && (pattern.back() == '/') != (path.back() == '/')) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (got[i].empty()) return false;
      (*params)[std::string(want[i].substr(1, want[i].size() - 2))] = PercentDecode(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

// Headers that keep browsers from misusing a response: no type sniffing,
// no framing, no referrer, nothing cached unless the handler says so, a
// content policy that forbids everything an API response never needs (the
// documentation page sets its own), and HSTS over TLS.
void AddSecurityHeaders(HttpResponse* response, bool tls) {
  bool has_cache_control = false, has_csp = false;
  for (const auto& [name, value] : response->headers) {
    has_cache_control = has_cache_control || name == "Cache-Control";
    has_csp = has_csp || name == "Content-Security-Policy";
  }
  auto& h = response->headers;
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("Referrer-Policy", "no-referrer");
  if (!has_cache_control) h.emplace_back("Cache-Control", "no-store");
  if (!has_csp) h.emplace_back("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  if (tls) h.emplace_back("Strict-Transport-Security", "max-age=31536000");
}

// A client's X-Request-Id is kept if it is short and plain; otherwise one is made.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// The envelope's metadata object as JSON text.
std::string MetadataText(std::string_view request_id, std::chrono::steady_clock::time_point received) {
  auto elapsed = std::chrono::steady_clock::now() - received;
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  std::string out = "{\"request_id\":";
  AppendJsonString(&out, request_id);
  out += fmt::format(",\"response_time_ms\":{:.3f},\"timestamp\":\"{}\",\"version\":\"{}\"}}", ms, Rfc3339Now(),
                     kApiVersion);
  return out;
}

std::string ErrorBody(const ApiError& error, std::string_view metadata) {
  std::string out = "{\"success\":false,\"error\":{";
  AppendErrorFields(&out, error);
  out += "},\"metadata\":";
  out += metadata;
  out += '}';
  return out;
}

// The value of `name` in a query string ("a=1&b=2"), percent-decoded;
// nullopt when absent.
std::optional<std::string> QueryParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// Credentials: X-API-Key, or Authorization: Bearer <JWT>. A WebSocket
// handshake may carry them as ?api_key= or ?access_token= instead, since
// browsers cannot set headers on one.
Result<ApiKeyInfo> Authenticate(const RequestContext& ctx) {
  const HttpRequest& request = *ctx.request;
  int64_t now = UnixNow();
  if (const std::string* key = request.Header("x-api-key")) return ctx.api->keys->Authenticate(*key, now);
  const std::string* authorization = request.Header("authorization");
  std::string_view token;
  std::optional<std::string> from_query;
  if (authorization != nullptr) {
    std::string_view value = *authorization;
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer) {
      return Status::InvalidArgument("Authorization must be \"Bearer <token>\"");
    }
    token = value.substr(kBearer.size());
  } else if (request.websocket_upgrade && (from_query = QueryParameter(request.query, "api_key"))) {
    return ctx.api->keys->Authenticate(*from_query, now);
  } else if (request.websocket_upgrade && (from_query = QueryParameter(request.query, "access_token"))) {
    token = *from_query;
  } else {
    return Status::InvalidArgument(request.websocket_upgrade
                                       ? "missing credentials: send X-API-Key, Authorization: Bearer <token>, or "
                                         "?api_key= / ?access_token= on the WebSocket URL"
                                       : "missing credentials: send X-API-Key or Authorization: Bearer <token>");
  }
  NQ_ASSIGN_OR_RETURN(JwtClaims claims, ctx.api->jwt->Verify(token, now));
  auto info = ctx.api->keys->Find(claims.subject);
  if (info.status().IsNotFound()) return Status::InvalidArgument("token's API key no longer exists");
  if (!info.ok()) return info.status();
  if (info->revoked_at != 0) return Status::InvalidArgument("token's API key was revoked");
  if (!info->active(now)) return Status::InvalidArgument("token's API key has expired");
  return info;
}

}  // namespace

void AppendErrorFields(std::string* out, const ApiError& error) {
  *out += "\"code\":";
  AppendJsonString(out, error.code);
  *out += ",\"message\":";
  AppendJsonString(out, error.message);
  if (!error.sqlstate.empty()) {
    *out += ",\"sqlstate\":";
    AppendJsonString(out, error.sqlstate);
  }
}

ApiError ErrorFromStatus(const Status& status) {
  std::string sqlstate(SqlState(status));
  std::string message(status.message());
  ApiError e{400, "INVALID_QUERY", message, sqlstate};
  std::string_view cls = std::string_view(sqlstate).substr(0, 2);
  if (sqlstate == "42P01") {
    e.status = 404;
    e.code = "TABLE_NOT_FOUND";
  } else if (sqlstate == "57014" || sqlstate == "55P03") {
    e.status = 408;
    e.code = "TIMEOUT";
  } else if (sqlstate == "25006") {
    e.status = 403;
    e.code = "PERMISSION_DENIED";
  } else if (cls == "23" || cls == "40" || cls == "25" || sqlstate == "42P07" || sqlstate == "42710") {
    e.status = 409;
    e.code = "CONFLICT";
  } else if (sqlstate == "53200") {
    e.status = 413;
    e.code = "PAYLOAD_TOO_LARGE";
  } else if (cls == "XX" || cls == "58" || status.code() == StatusCode::kIOError ||
             status.code() == StatusCode::kCorruption || status.code() == StatusCode::kInternal ||
             status.code() == StatusCode::kNoSpace || status.code() == StatusCode::kReadOnly) {
    e.status = 500;
    e.code = "INTERNAL_ERROR";
  }
  return e;
}

std::string ErrorEnvelope(const ApiError& error, std::string_view request_id,
                          std::chrono::steady_clock::time_point received) {
  return ErrorBody(error, MetadataText(request_id, received));
}

Result<Json> RequestContext::BodyObject() const {
  const std::string& body = request->body;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  return ParseJsonObject(body, "the request body");
}

Api::Api(ApiContext context) : context_(std::move(context)), routes_(BuildRoutes()) {
  context_.openapi_document = OpenApiDocument();
}

Api::~Api() = default;

// Unique per process run: a prefix from the start time, then a counter.
std::string Api::NewRequestId() const {
  return fmt::format("{:06x}-{:06x}",
                     static_cast<uint64_t>(context_.started.time_since_epoch().count() >> 10) & 0xffffffu,
                     next_request_.fetch_add(1, std::memory_order_relaxed));
}

HttpResponse Api::ErrorResponse(int status, std::string_view message) const {
  ApiError error{status, "VALIDATION_ERROR", std::string(message), ""};
  if (status == 413 || status == 431) error.code = "PAYLOAD_TOO_LARGE";
  if (status == 408) error.code = "TIMEOUT";
  if (status == 503) error.code = "UNAVAILABLE";
  if (status == kPlainHttpOnTlsPort) {
    error.status = 400;
    error.code = "TLS_REQUIRED";
  }
  HttpResponse response;
  response.status = error.status;
  std::string id = NewRequestId();
  response.body = ErrorBody(error, MetadataText(id, std::chrono::steady_clock::now()));
  response.headers.emplace_back("X-Request-Id", id);
  NQ_LOG_INFO("http", "refused a request with {}: {} (request {})", status, message, id);
  return response;
}

// Everything one request needs between the I/O thread and the worker, in
// one allocation.
struct Api::RequestState {
  HttpRequest request;
  RequestContext ctx;
  Responder respond;
  const Api::Route* route = nullptr;
  std::string allow_origin;
  std::vector<std::pair<std::string, std::string>> rate_headers;  // X-RateLimit-*
};

void Api::Handle(HttpRequest&& incoming, Responder respond) {
  auto state = std::make_shared<RequestState>();
  state->request = std::move(incoming);
  state->respond = std::move(respond);
  HttpRequest& request = state->request;
  RequestContext& ctx = state->ctx;
  ctx.request = &request;
  ctx.api = &context_;
  const std::string* client_id = request.Header("x-request-id");
  ctx.request_id = client_id != nullptr && UsableRequestId(*client_id) ? *client_id : NewRequestId();
  ctx.deadline = request.received + context_.settings.request_timeout;

  // CORS: answer preflights here, tag other responses on the way out.
  if (const std::string* origin = request.Header("origin")) {
    for (const std::string& allowed : context_.settings.cors_origins) {
      if (allowed == "*" || allowed == *origin) state->allow_origin = allowed == "*" ? "*" : *origin;
    }
  }

  bool path_known = false;
  std::string allowed_methods;  // of the path, for 405's Allow header
  for (const Route& r : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    if (!MatchPattern(r.pattern, request.path, &params)) continue;
    path_known = true;
    allowed_methods += allowed_methods.empty() ? r.method : ", " + r.method;
    if (r.method == request.method) {
      state->route = &r;
      ctx.path_params = std::move(params);
      break;
    }
  }

  if (request.method == "OPTIONS" && path_known) {
    Reply reply = Reply::Raw("", "", 204);
    reply.headers = {{"Access-Control-Allow-Methods", allowed_methods + ", OPTIONS"},
                     {"Access-Control-Allow-Headers", "Content-Type, X-API-Key, Authorization, X-Session-Id, X-Request-Id"},
                     {"Access-Control-Max-Age", "600"}};
    Finish(state.get(), std::move(reply));
    return;
  }
  if (state->route == nullptr) {
    Reply reply = path_known ? Reply(ApiError{405, "NOT_FOUND", fmt::format("{} is not allowed on {}", request.method,
                                                                            request.path), ""})
                             : Reply(ApiError::NotFound(fmt::format("no route for {}", request.path)));
    if (path_known) reply.headers.emplace_back("Allow", allowed_methods);
    Finish(state.get(), std::move(reply));
    return;
  }
  context_.workers->Post([this, state] { Run(state.get()); });
}

// On a worker: authentication, rate limits, the admin allow-list,
// permission, the handler.
void Api::Run(RequestState* state) {
  RequestContext& ctx = state->ctx;
  const Route* route = state->route;
  ScopedLogRequestId scope(ctx.request_id);
  if (std::chrono::steady_clock::now() >= ctx.deadline) {
    Finish(state, Reply(ApiError{408, "TIMEOUT", "the request waited longer than the request timeout", ""}));
    return;
  }
  // Credentials are checked before the limits so that the key's bucket is
  // known; failures are answered after them, so guessing keys costs the
  // address its tokens like any other request.
  std::optional<Result<ApiKeyInfo>> key;
  if (route->permission) key.emplace(Authenticate(ctx));
  bool permitted = key && key->ok() && Allows((*key)->permissions, *route->permission);
  if (context_.limiter != nullptr && !Limit(state, key && key->ok() ? &**key : nullptr, permitted)) return;
  const std::string& address = state->request.remote_address;
  if (route->permission == Permission::kAdmin && !context_.settings.admin_allow.Contains(address)) {
    Finish(state, Reply(ApiError::Forbidden(fmt::format(
                      "admin endpoints are not served to {} (server.admin_allow)", address))));
    return;
  }
  if (key && !key->ok()) {
    if (key->status().code() != StatusCode::kInvalidArgument) {
      // The key store could not be read: the client is not at fault, and
      // the details (paths) stay in the log.
      NQ_LOG_ERROR("auth", "authentication failed: {}", key->status().ToString());
      Finish(state, Reply(ApiError::Internal("authentication is unavailable; see the server log")));
      return;
    }
    Reply reply(ApiError::Unauthorized(std::string(key->status().message())));
    reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"neuroquantumdb\"");
    Finish(state, std::move(reply));
    return;
  }
  if (key) {
    ctx.key = std::move(**key);
    if (!permitted) {
      Finish(state, Reply(ApiError::Forbidden(
                        fmt::format("this API key lacks the \"{}\" permission", PermissionName(*route->permission)))));
      return;
    }
  }
  Reply reply;
  try {
    reply = route->handler(ctx);
  } catch (const std::exception& e) {
    NQ_LOG_ERROR("http", "handler for {} failed: {}", route->pattern, e.what());
    reply = Reply(ApiError::Internal("internal error; see the server log"));
  }
  Finish(state, std::move(reply));
}

// One decision over the request's buckets: its client address, its API key
// (authenticated), and key generation (permitted callers of that route).
// False when refused: the 429 has been sent.
bool Api::Limit(RequestState* state, const ApiKeyInfo* key, bool permitted) {
  const ApiSettings& settings = context_.settings;
  const std::string& address = state->request.remote_address;
  std::vector<RateBucket> buckets;
  buckets.reserve(3);
  if (settings.per_address_per_minute > 0) {
    buckets.push_back({"addr:" + address, settings.per_address_per_minute, 60'000});
  }
  if (key != nullptr) {
    uint32_t per_hour = key->rate_limit_per_hour != 0 ? key->rate_limit_per_hour : settings.per_key_per_hour;
    if (per_hour > 0) buckets.push_back({"key:" + key->id, per_hour, 3'600'000});
  }
  if (permitted && state->route->handler == HandleGenerateKey && settings.key_generation_per_hour > 0) {
    buckets.push_back({"keygen:" + address, settings.key_generation_per_hour, 3'600'000});
  }
  if (buckets.empty()) return true;
  RateDecision d = context_.limiter->Decide(buckets);
  auto seconds = [](uint64_t ms) { return std::to_string((ms + 999) / 1000); };
  auto& headers = state->rate_headers;
  headers = {{"X-RateLimit-Limit", std::to_string(d.limit)},
             {"X-RateLimit-Remaining", std::to_string(d.remaining)},
             {"X-RateLimit-Reset", seconds(d.reset_ms)}};
  if (d.allowed) return true;
  const RateBucket& b = buckets[d.bucket];
  std::string_view what = b.key.starts_with("addr:")  ? "this client address"
                          : b.key.starts_with("key:") ? "this API key"
                                                      : "API key generation from this address";
  std::string window = b.window_ms == 60'000 ? "minute" : "hour";
  Reply reply(ApiError{429, "RATE_LIMITED",
                       fmt::format("rate limit of {} requests per {} reached for {}; retry in {} s", b.limit, window,
                                   what, seconds(std::max<uint64_t>(d.retry_after_ms, 1))),
                       ""});
  reply.headers.emplace_back("Retry-After", seconds(std::max<uint64_t>(d.retry_after_ms, 1)));
  Finish(state, std::move(reply));
  return false;
}

// The envelope, headers, metrics and the request's log line; then the
// response goes to the connection.
void Api::Finish(RequestState* state, Reply reply) const {
  const HttpRequest& request = state->request;
  const RequestContext& ctx = state->ctx;
  HttpResponse response;
  response.status = reply.status;
  response.content_type = std::move(reply.content_type);
  response.headers = std::move(reply.headers);
  response.stream = std::move(reply.stream);
  response.on_disconnect = std::move(reply.on_disconnect);
  response.websocket = std::move(reply.websocket);
  if (reply.raw_body) {
    response.body = std::move(*reply.raw_body);
  } else if (reply.error) {
    response.body = ErrorBody(*reply.error, MetadataText(ctx.request_id, request.received));
  } else {
    std::string& body = response.body;
    std::string data = reply.data_text ? std::move(*reply.data_text)
                                       : reply.data.dump(-1, ' ', false, Json::error_handler_t::replace);
    body.reserve(data.size() + 160);
    body += "{\"success\":true,\"data\":";
    body += data;
    body += ",\"metadata\":";
    body += MetadataText(ctx.request_id, request.received);
    body += '}';
  }
  response.headers.reserve(response.headers.size() + 12);
  for (auto& header : state->rate_headers) response.headers.push_back(std::move(header));
  response.headers.emplace_back("X-Request-Id", ctx.request_id);
  response.headers.emplace_back("X-API-Version", std::string(kApiVersion));
  AddSecurityHeaders(&response, request.tls);
  if (!state->allow_origin.empty()) {
    response.headers.emplace_back("Access-Control-Allow-Origin", state->allow_origin);
    response.headers.emplace_back("Access-Control-Expose-Headers", "X-Request-Id, X-API-Version");
    response.headers.emplace_back("Vary", "Origin");
  }
  auto elapsed = std::chrono::steady_clock::now() - request.received;
  double seconds = std::chrono::duration<double>(elapsed).count();
  std::string_view route_name = state->route != nullptr ? std::string_view(state->route->pattern) : "unmatched";
  context_.metrics->RecordRequest(route_name, request.method, response.status, seconds);
  if (LogEnabled("http", LogLevel::kInfo)) {
    ScopedLogRequestId scope(ctx.request_id);
    NQ_LOG_INFO("http", "{} {} {} {:.3f} ms from {}{}", request.method, request.path, response.status, seconds * 1000,
                request.remote_address, ctx.key ? " key " + ctx.key->id : std::string());
  }
  state->respond(std::move(response));
}

}  // namespace neuroquantum::server
