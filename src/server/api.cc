// Request dispatch: request id, CORS, route match, authentication,
// permission check, then the handler on the worker pool; the envelope,
// metrics and one log line per request on the way out.
#include "server/api.h"

#include <cctype>

#include <fmt/format.h>

#include "common/log.h"
#include "server/api_internal.h"
#include "server/crypto.h"
#include "common/json_text.h"
#include "server/jwt.h"
#include "server/metrics.h"
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

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::map<std::string, std::string, std::less<>>* params) {
  auto want = Segments(pattern);
  auto got = Segments(path);
  if (want.size() != got.size()) return false;
  if (!pattern.empty() && !path.empty() && (pattern.back() == '/') != (path.back() == '/')) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (got[i].empty()) return false;
      (*params)[std::string(want[i].substr(1, want[i].size() - 2))] = std::string(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
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
  std::string out = "{\"success\":false,\"error\":{\"code\":";
  AppendJsonString(&out, error.code);
  out += ",\"message\":";
  AppendJsonString(&out, error.message);
  if (!error.sqlstate.empty()) {
    out += ",\"sqlstate\":";
    AppendJsonString(&out, error.sqlstate);
  }
  out += "},\"metadata\":";
  out += metadata;
  out += '}';
  return out;
}

// Credentials: X-API-Key, or Authorization: Bearer <JWT>.
Result<ApiKeyInfo> Authenticate(const RequestContext& ctx) {
  const HttpRequest& request = *ctx.request;
  int64_t now = UnixNow();
  if (const std::string* key = request.Header("x-api-key")) return ctx.api->keys->Authenticate(*key, now);
  const std::string* authorization = request.Header("authorization");
  if (authorization == nullptr) {
    return Status::InvalidArgument("missing credentials: send X-API-Key or Authorization: Bearer <token>");
  }
  std::string_view value = *authorization;
  constexpr std::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer) {
    return Status::InvalidArgument("Authorization must be \"Bearer <token>\"");
  }
  NQ_ASSIGN_OR_RETURN(JwtClaims claims, ctx.api->jwt->Verify(value.substr(kBearer.size()), now));
  auto info = ctx.api->keys->Find(claims.subject);
  if (info.status().IsNotFound()) return Status::InvalidArgument("token's API key no longer exists");
  if (!info.ok()) return info.status();
  if (info->revoked_at != 0) return Status::InvalidArgument("token's API key was revoked");
  if (!info->active(now)) return Status::InvalidArgument("token's API key has expired");
  return info;
}

}  // namespace

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

Result<Json> RequestContext::BodyObject() const {
  const std::string& body = request->body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Json::object();
  // Nesting is bounded before parsing: a deeply nested document must not
  // exhaust the stack of anything that walks it.
  constexpr int kMaxDepth = 64;
  int depth = 0;
  bool in_string = false;
  for (size_t i = first; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        return Status::InvalidArgument(fmt::format("JSON nested deeper than {} levels at byte {}", kMaxDepth, i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  try {
    Json parsed = Json::parse(body);
    if (!parsed.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
    return parsed;
  } catch (const Json::parse_error& error) {
    return Status::InvalidArgument(fmt::format("malformed JSON at byte {}: {}", error.byte, error.what()));
  }
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
    reply.headers = {{"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"},
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

// On a worker: authentication, permission, the handler.
void Api::Run(RequestState* state) {
  RequestContext& ctx = state->ctx;
  const Route* route = state->route;
  ScopedLogRequestId scope(ctx.request_id);
  if (std::chrono::steady_clock::now() >= ctx.deadline) {
    Finish(state, Reply(ApiError{408, "TIMEOUT", "the request waited longer than the request timeout", ""}));
    return;
  }
  if (route->permission) {
    auto key = Authenticate(ctx);
    if (!key.ok() && key.status().code() != StatusCode::kInvalidArgument) {
      // The key store could not be read: the client is not at fault, and
      // the details (paths) stay in the log.
      NQ_LOG_ERROR("auth", "authentication failed: {}", key.status().ToString());
      Finish(state, Reply(ApiError::Internal("authentication is unavailable; see the server log")));
      return;
    }
    if (!key.ok()) {
      Reply reply(ApiError::Unauthorized(std::string(key.status().message())));
      reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"neuroquantumdb\"");
      Finish(state, std::move(reply));
      return;
    }
    ctx.key = std::move(*key);
    if (!Allows(ctx.key->permissions, *route->permission)) {
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

// The envelope, headers, metrics and the request's log line; then the
// response goes to the connection.
void Api::Finish(RequestState* state, Reply reply) const {
  const HttpRequest& request = state->request;
  const RequestContext& ctx = state->ctx;
  HttpResponse response;
  response.status = reply.status;
  response.content_type = std::move(reply.content_type);
  response.headers = std::move(reply.headers);
  response.headers.reserve(response.headers.size() + 5);
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
  response.headers.emplace_back("X-Request-Id", ctx.request_id);
  response.headers.emplace_back("X-API-Version", std::string(kApiVersion));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
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
