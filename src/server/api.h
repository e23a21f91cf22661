// The REST API: the route table, authentication and permission checks, the
// JSON envelope, and dispatch of each request to its handler on the worker
// pool. The same route table generates the OpenAPI document.
//
// Envelope: {"success": true, "data": ..., "metadata": {...}} or
// {"success": false, "error": {"code", "message"[, "sqlstate", "position"]},
// "metadata": {...}}, metadata being request_id, response_time_ms,
// timestamp and version (the API version, "v1").
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/cidr.h"
#include "neuroquantum/database.h"
#include "server/http_server.h"

namespace neuroquantum::server {

class ApiKeyStore;
class JwtSigner;
class Metrics;
class SessionManager;
class ConnectionPool;
class WorkerPool;
class WsHub;
class RateLimiter;
struct ApiKeyInfo;
struct Reply;

struct ApiSettings {
  std::chrono::milliseconds request_timeout{30000};
  size_t max_result_rows = 100000;
  // Origins allowed by CORS; "*" allows any. Empty: no CORS headers.
  std::vector<std::string> cors_origins;
  // Directory holding the API documentation page's scripts and styles.
  std::string docs_assets_dir;
  std::string data_dir;
  // Client addresses allowed on admin routes (besides the permission).
  AddressAllowList admin_allow;
  // Token-bucket limits; 0 turns one off (rate_limit.* in the config).
  uint32_t per_address_per_minute = 0;
  uint32_t per_key_per_hour = 0;  // for keys without their own limit
  uint32_t key_generation_per_hour = 0;
};

// What the handlers share. Owned by the Server; outlives the Api.
struct ApiContext {
  Database* db = nullptr;
  ApiKeyStore* keys = nullptr;
  JwtSigner* jwt = nullptr;
  SessionManager* sessions = nullptr;
  ConnectionPool* pool = nullptr;
  Metrics* metrics = nullptr;
  WorkerPool* workers = nullptr;
  RateLimiter* limiter = nullptr;  // null: no rate limits
  WsHub* websocket = nullptr;      // null: GET /ws answers 500
  ApiSettings settings;
  std::chrono::steady_clock::time_point started;
  std::function<size_t()> connections;  // open HTTP connections
  std::function<size_t()> in_flight;    // requests being handled
  std::string openapi_document;         // set by Api from its route table
};

class Api {
 public:
  explicit Api(ApiContext context);
  ~Api();

  // The HttpServer's handler.
  void Handle(HttpRequest&& request, Responder respond);
  // The HttpServer's error responder (requests refused before routing).
  HttpResponse ErrorResponse(int status, std::string_view message) const;
  // The OpenAPI 3 document for the route table.
  std::string OpenApiDocument() const;

  struct Route;

 private:
  struct RequestState;
  void Run(RequestState* state);
  bool Limit(RequestState* state, const ApiKeyInfo* key, bool permitted);
  void Finish(RequestState* state, Reply reply) const;

  ApiContext context_;
  std::vector<Route> routes_;
  std::string NewRequestId() const;
  mutable std::atomic<uint64_t> next_request_{1};
};

inline constexpr std::string_view kApiVersion = "v1";

}  // namespace neuroquantum::server
