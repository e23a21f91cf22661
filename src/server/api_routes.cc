// The route table, and the OpenAPI 3 document generated from it: the server
// dispatches with the same entries it documents.
#include <fmt/format.h>

#include "server/api_internal.h"

namespace neuroquantum::server {

namespace {

Json Object(Json properties, std::vector<std::string> required = {}) {
  Json schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

const Json kString = {{"type", "string"}};

}  // namespace

std::vector<Api::Route> BuildRoutes() {
  using P = Permission;
  Json permissions = {{"type", "array"},
                      {"items", {{"type", "string"},
                                 {"enum", {"read", "write", "admin", "dna", "quantum", "neural", "biometric"}}}}};
  Json filter = {{"type", "object"},
                 {"description", "Structured filter: {\"col\": value}, {\"col\": {\"eq|ne|lt|le|gt|ge|in|like|is_null\": "
                                 "operand}}, {\"and\"|\"or\": [filters]}, {\"not\": filter}"}};
  Json param_values = {{"type", "array"},
                       {"items", Json::object()},
                       {"description", "Values for $1, $2, ... (or ?): null, boolean, number or string"}};
  return {
      {"GET", "/health", std::nullopt, HandleHealth, "system",
       "Liveness and readiness, with a storage check, uptime, memory and version", nullptr, {503}},
      {"GET", "/metrics", std::nullopt, HandleMetrics, "system", "Prometheus metrics (text format 0.0.4)",
       nullptr, {}},
      {"GET", "/api/v1/stats", P::kRead, HandleStats, "system", "Database and server statistics", nullptr,
       {401, 403}},
      {"GET", "/api/v1/stats/performance", P::kRead, HandlePerformanceStats, "system",
       "Measured request latency, throughput and cache figures", nullptr, {401, 403}},
      {"POST", "/api/v1/query", P::kRead, HandleQuery, "query",
       "Run one QSQL statement (or a script without params); its own transaction unless X-Session-Id names a "
       "session",
       Object({{"query", kString}, {"params", param_values}}, {"query"}), {400, 401, 403, 404, 408, 409, 413}},
      {"POST", "/api/v1/query/stream", P::kRead, HandleQueryStream, "query",
       "Run one QSQL statement and stream its rows as NDJSON lines (columns, rows batches, end or error), "
       "without the row limit",
       Object({{"query", kString}, {"params", param_values}, {"batch_size", {{"type", "integer"}, {"minimum", 1}}}},
              {"query"}),
       {400, 401, 403, 404, 408, 409}},
      {"GET", "/ws", P::kRead, HandleWebSocket, "websocket",
       "WebSocket (upgrade): channel subscriptions (table.<name> row events), streamed queries with credit-based "
       "flow control, ping/pong; protocol in docs/reference/websocket.md",
       nullptr, {401, 403, 426}},
      {"GET", "/api/v1/tables", P::kRead, HandleListTables, "tables", "Tables and views: name, kind, columns",
       nullptr, {401, 403}},
      {"POST", "/api/v1/tables", P::kWrite, HandleCreateTable, "tables",
       "Create a table from a column list (types BigSerial, Serial, SmallSerial, Integer, Float, Text, Boolean, "
       "Timestamp, Binary)",
       Object({{"schema", Object({{"name", kString},
                                  {"columns", {{"type", "array"},
                                               {"items", Object({{"name", kString},
                                                                 {"data_type", kString},
                                                                 {"nullable", {{"type", "boolean"}}},
                                                                 {"default_value", Json::object()},
                                                                 {"auto_increment", {{"type", "boolean"}}},
                                                                 {"primary_key", {{"type", "boolean"}}}},
                                                                {"name", "data_type"})}}},
                                  {"id_strategy", kString},
                                  {"machine_id", {{"type", "integer"}, {"minimum", 0}, {"maximum", 1023}}}},
                                 {"name", "columns"})}},
              {"schema"}),
       {400, 401, 403, 409}},
      {"GET", "/api/v1/tables/{name}", P::kRead, HandleDescribeTable, "tables",
       "A table's columns, key, indexes, definition and row count", nullptr, {401, 403, 404}},
      {"DELETE", "/api/v1/tables/{name}", P::kWrite, HandleDropTable, "tables", "Drop a table or view", nullptr,
       {401, 403, 404, 409}},
      {"POST", "/api/v1/tables/{name}/data", P::kWrite, HandleInsertRecords, "tables",
       "Insert records in batches (each batch one transaction); reports ids and per-record errors",
       Object({{"records", {{"type", "array"}, {"items", {{"type", "object"}}}}},
               {"batch_size", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10000}}}},
              {"records"}),
       {400, 401, 403, 404}},
      {"POST", "/api/v1/tables/{name}/query", P::kRead, HandleQueryRecords, "tables",
       "Select records by a structured filter, with columns, order_by, limit and offset",
       Object({{"filter", filter},
               {"columns", {{"type", "array"}, {"items", kString}}},
               {"order_by", {{"type", "array"}, {"items", Json::object()}}},
               {"limit", {{"type", "integer"}, {"minimum", 0}}},
               {"offset", {{"type", "integer"}, {"minimum", 0}}}}),
       {400, 401, 403, 404, 408, 413}},
      {"PUT", "/api/v1/tables/{name}/data", P::kWrite, HandleUpdateRecords, "tables",
       "Update the records a filter selects ({} selects all)", Object({{"filter", filter}, {"set", {{"type", "object"}}}},
                                                                      {"filter", "set"}),
       {400, 401, 403, 404, 408, 409}},
      {"DELETE", "/api/v1/tables/{name}/data", P::kWrite, HandleDeleteRecords, "tables",
       "Delete the records a filter selects ({} selects all)", Object({{"filter", filter}}, {"filter"}),
       {400, 401, 403, 404, 408, 409}},
      {"POST", "/api/v1/sessions", P::kRead, HandleCreateSession, "query",
       "Open a session: a connection kept across requests (send its id as X-Session-Id)", nullptr,
       {401, 403, 409}},
      {"DELETE", "/api/v1/sessions/{id}", P::kRead, HandleDeleteSession, "query",
       "Close a session, rolling back anything open", nullptr, {401, 403, 404}},
      {"POST", "/api/v1/auth/login", std::nullopt, HandleLogin, "auth",
       "Exchange an API key for a JWT bearer token", Object({{"api_key", kString}}), {400, 401}},
      {"POST", "/api/v1/auth/refresh", P::kRead, HandleRefresh, "auth",
       "A fresh token for the caller's API key", nullptr, {401}},
      {"POST", "/api/v1/auth/generate-key", P::kAdmin, HandleGenerateKey, "auth",
       "Create an API key (shown once)",
       Object({{"name", kString},
               {"permissions", permissions},
               {"expiry_hours", {{"type", "number"}, {"minimum", 0}}},
               {"rate_limit_per_hour", {{"type", "integer"}, {"minimum", 0}}}},
              {"name", "permissions"}),
       {400, 401, 403}},
      {"POST", "/api/v1/auth/revoke-key", P::kAdmin, HandleRevokeKey, "auth",
       "Revoke an API key; its tokens stop working at once", Object({{"id", kString}}, {"id"}),
       {400, 401, 403, 404}},
      {"GET", "/api/v1/auth/keys", P::kAdmin, HandleListKeys, "auth",
       "List API keys (ids and settings; never the keys)", nullptr, {401, 403}},
      {"GET", "/api-docs/openapi.json", std::nullopt, HandleOpenApi, "docs", "This document", nullptr, {}},
      {"GET", "/api-docs/", std::nullopt, HandleDocsPage, "docs", "Interactive API documentation", nullptr, {}},
      {"GET", "/api-docs/{file}", std::nullopt, HandleDocsAsset, "docs",
       "Scripts and styles of the documentation page", nullptr, {404}},
  };
}

std::string Api::OpenApiDocument() const {
  Json error_schema = Object({{"success", {{"type", "boolean"}}},
                              {"error", Object({{"code", kString}, {"message", kString}, {"sqlstate", kString}},
                                               {"code", "message"})},
                              {"metadata", {{"$ref", "#/components/schemas/Metadata"}}}});
  Json paths = Json::object();
  for (const Route& route : routes_) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(c - 'A' + 'a');
    Json op{{"summary", route.summary},
            {"tags", {route.tag}},
            {"operationId", fmt::format("{}{}", method, route.pattern)}};
    Json responses{{"200", {{"description", "Success"}}}};
    for (int status : route.statuses) {
      responses[std::to_string(status)] = {
          {"description", "Error"},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    }
    // Any routed request can meet a rate limit (docs/reference/rest-api.md).
    responses["429"] = {
        {"description", "Rate limit reached; Retry-After says when to retry"},
        {"headers", {{"Retry-After", {{"schema", {{"type", "integer"}}}}}}},
        {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    op["responses"] = std::move(responses);
    if (!route.request_schema.is_null()) {
      op["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", route.request_schema}}}}}};
    }
    Json parameters = Json::array();
    size_t open = route.pattern.find('{');
    if (open != std::string::npos) {
      std::string name = route.pattern.substr(open + 1, route.pattern.find('}', open) - open - 1);
      parameters.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", kString}});
    }
    if (route.pattern == "/api/v1/query") {
      parameters.push_back({{"name", "X-Session-Id"}, {"in", "header"}, {"required", false}, {"schema", kString}});
    }
    if (!parameters.empty()) op["parameters"] = std::move(parameters);
    if (route.permission) {
      op["security"] = {{{"ApiKeyAuth", Json::array()}}, {{"BearerAuth", Json::array()}}};
      op["description"] = fmt::format("Requires the \"{}\" permission.", PermissionName(*route.permission));
    } else {
      op["security"] = Json::array();
    }
    paths[route.pattern][method] = std::move(op);
  }
  Json doc{
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "NeuroQuantumDB REST API"},
        {"version", kApiVersion},
        {"description", "Query and administer a NeuroQuantumDB server. See docs/reference/rest-api.md."}}},
      {"servers", {{{"url", "/"}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"ApiKeyAuth", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}},
          {"BearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}},
        {"schemas",
         {{"Metadata", Object({{"request_id", kString},
                               {"response_time_ms", {{"type", "number"}}},
                               {"timestamp", kString},
                               {"version", kString}})},
          {"Error", std::move(error_schema)}}}}},
      {"security", {{{"ApiKeyAuth", Json::array()}}, {{"BearerAuth", Json::array()}}}},
  };
  return doc.dump(2);
}

}  // namespace neuroquantum::server
