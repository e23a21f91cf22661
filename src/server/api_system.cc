// System endpoints: health, metrics, statistics and the API documentation.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "common/env.h"
#include "server/api_internal.h"
#include "server/metrics.h"
#include "server/rate_limit.h"
#include "server/sessions.h"

namespace neuroquantum::server {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Rfc3339Now() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  // The date and time part changes once a second; each thread keeps its last.
  thread_local std::time_t cached_second = -1;
  thread_local char stamp[32];
  if (seconds != cached_second) {
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second = seconds;
  }
  return fmt::format("{}.{:03d}Z", stamp, static_cast<int>(millis));
}

// Reading /proc/self/status is costly for the kernel to produce, so /health
// under load reuses a reading for up to half a second.
MemoryUsage ReadMemoryUsage() {
  static std::mutex mu;
  static MemoryUsage cached;
  static std::chrono::steady_clock::time_point read_at;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu);
  if (read_at.time_since_epoch().count() != 0 && now - read_at < std::chrono::milliseconds(500)) return cached;
  MemoryUsage usage;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    unsigned long long kib = 0;
    if (std::sscanf(line.c_str(), "VmRSS: %llu kB", &kib) == 1) usage.rss_bytes = kib * 1024;
    if (std::sscanf(line.c_str(), "VmHWM: %llu kB", &kib) == 1) usage.peak_rss_bytes = kib * 1024;
  }
  cached = usage;
  read_at = now;
  return usage;
}

namespace {

double UptimeSeconds(const ApiContext& api) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - api.started).count();
}

Json MemoryJson() {
  MemoryUsage m = ReadMemoryUsage();
  return {{"rss_bytes", m.rss_bytes}, {"peak_rss_bytes", m.peak_rss_bytes}};
}

Json DatabaseJson(Database* db) {
  DatabaseStats s = db->Stats();
  uint64_t lookups = s.buffer_pool_hits + s.buffer_pool_misses;
  return {{"tables", db->TableNames().size()},
          {"page_size", s.page_size},
          {"page_count", s.page_count},
          {"free_pages", s.free_pages},
          {"size_bytes", s.page_count * s.page_size},
          {"buffer_pool",
           {{"frames", s.buffer_pool_frames},
            {"hits", s.buffer_pool_hits},
            {"misses", s.buffer_pool_misses},
            {"evictions", s.buffer_pool_evictions},
            {"hit_rate", lookups == 0 ? 0.0 : static_cast<double>(s.buffer_pool_hits) / static_cast<double>(lookups)}}},
          {"wal", {{"bytes", s.wal_bytes}, {"fsyncs", s.wal_syncs}}},
          {"transactions",
           {{"commits", s.commits},
            {"rollbacks", s.rollbacks},
            {"deadlocks", s.deadlocks},
            {"serialization_failures", s.serialization_failures},
            {"lock_timeouts", s.lock_timeouts},
            {"lock_waits", s.lock_waits}}},
          {"checkpoints", s.checkpoints}};
}

}  // namespace

Reply HandleHealth(RequestContext& ctx) {
  auto start = std::chrono::steady_clock::now();
  Status storage = ctx.api->db->CheckHealth();
  double check_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!storage.ok()) {
    return Reply(ApiError{503, "INTERNAL_ERROR", fmt::format("storage check failed: {}", storage.message()), ""});
  }
  // Rate limits kept in memory while the configured Redis is unreachable
  // still work, per process: the server is degraded, not down.
  std::string_view limiter = ctx.api->limiter != nullptr ? ctx.api->limiter->backend() : "off";
  bool fallback = limiter == "memory-fallback";
  // Written as text: load balancers poll this, often.
  MemoryUsage m = ReadMemoryUsage();
  return Reply::Text(fmt::format(
      "{{\"status\":\"{}\",\"live\":true,\"ready\":true,\"checks\":{{\"storage\":{{\"ok\":true,"
      "\"latency_ms\":{:.3f},\"message\":\"ok\"}},\"rate_limit\":{{\"ok\":{},\"backend\":\"{}\",\"message\":\"{}\"}}}},"
      "\"uptime_seconds\":{:.3f},\"memory\":{{\"rss_bytes\":{},"
      "\"peak_rss_bytes\":{}}},\"version\":\"{}\",\"api_version\":\"{}\"}}",
      fallback ? "degraded" : "healthy", check_ms, !fallback, limiter,
      fallback ? "Redis is unreachable: limits are kept per process until it answers" : "ok", UptimeSeconds(*ctx.api),
      m.rss_bytes, m.peak_rss_bytes, NQ_VERSION, kApiVersion));
}

Reply HandleMetrics(RequestContext& ctx) {
  ApiContext& api = *ctx.api;
  std::string out;
  api.metrics->Render(&out);
  AppendMetric(&out, "nqdb_http_requests_in_flight", "gauge", "Requests being handled.",
               static_cast<double>(api.in_flight ? api.in_flight() : 0));
  AppendMetric(&out, "nqdb_http_connections", "gauge", "Open HTTP connections.",
               static_cast<double>(api.connections ? api.connections() : 0));
  AppendMetric(&out, "nqdb_sessions_active", "gauge", "Open query sessions.",
               static_cast<double>(api.sessions->active()));
  DatabaseStats s = api.db->Stats();
  uint64_t lookups = s.buffer_pool_hits + s.buffer_pool_misses;
  AppendMetric(&out, "nqdb_buffer_pool_hits_total", "counter", "Page requests served from the buffer pool.",
               static_cast<double>(s.buffer_pool_hits));
  AppendMetric(&out, "nqdb_buffer_pool_misses_total", "counter", "Page requests that read the file.",
               static_cast<double>(s.buffer_pool_misses));
  AppendMetric(&out, "nqdb_buffer_pool_hit_ratio", "gauge", "Hits over all page requests since start.",
               lookups == 0 ? 0.0 : static_cast<double>(s.buffer_pool_hits) / static_cast<double>(lookups));
  AppendMetric(&out, "nqdb_wal_fsyncs_total", "counter", "WAL fsync calls.", static_cast<double>(s.wal_syncs));
  AppendMetric(&out, "nqdb_wal_bytes_total", "counter", "Bytes appended to the WAL.", static_cast<double>(s.wal_bytes));
  AppendMetric(&out, "nqdb_commits_total", "counter", "Committed transactions.", static_cast<double>(s.commits));
  AppendMetric(&out, "nqdb_aborts_total", "counter", "Rolled-back transactions.", static_cast<double>(s.rollbacks));
  AppendMetric(&out, "nqdb_deadlocks_total", "counter", "Transactions aborted as deadlock victims.",
               static_cast<double>(s.deadlocks));
  AppendMetric(&out, "nqdb_serialization_failures_total", "counter", "Transactions failed with 40001.",
               static_cast<double>(s.serialization_failures));
  AppendMetric(&out, "nqdb_lock_waits_total", "counter", "Lock requests that had to wait.",
               static_cast<double>(s.lock_waits));
  AppendMetric(&out, "nqdb_lock_timeouts_total", "counter", "Lock waits that ended in 55P03.",
               static_cast<double>(s.lock_timeouts));
  if (api.limiter != nullptr) {
    RateLimiter::Counters c = api.limiter->counters();
    AppendMetric(&out, "nqdb_rate_limit_decisions_total", "counter", "Rate-limit decisions made.",
                 static_cast<double>(c.decisions));
    AppendMetric(&out, "nqdb_rate_limit_refused_total", "counter", "Requests refused with 429.",
                 static_cast<double>(c.refused));
    AppendMetric(&out, "nqdb_rate_limit_redis_errors_total", "counter", "Decisions Redis failed to make.",
                 static_cast<double>(c.redis_errors));
    AppendMetric(&out, "nqdb_rate_limit_fallbacks_total", "counter",
                 "Switches from Redis to the in-memory limiter.", static_cast<double>(c.fallbacks));
    std::string_view backend = api.limiter->backend();
    out += "# HELP nqdb_rate_limit_backend Where rate limits are kept now (1 for the backend in use).\n"
           "# TYPE nqdb_rate_limit_backend gauge\n";
    for (std::string_view b : {"memory", "redis", "memory-fallback"}) {
      out += fmt::format("nqdb_rate_limit_backend{{backend=\"{}\"}} {}\n", b, b == backend ? 1 : 0);
    }
  }
  MemoryUsage m = ReadMemoryUsage();
  AppendMetric(&out, "process_resident_memory_bytes", "gauge", "Resident set size.", static_cast<double>(m.rss_bytes));
  AppendMetric(&out, "nqdb_uptime_seconds", "gauge", "Seconds since the server started.", UptimeSeconds(api));
  return Reply::Raw(std::move(out), "text/plain; version=0.0.4; charset=utf-8");
}

Reply HandleStats(RequestContext& ctx) {
  ApiContext& api = *ctx.api;
  return Reply(Json{{"database", DatabaseJson(api.db)},
                    {"server",
                     {{"uptime_seconds", UptimeSeconds(api)},
                      {"requests_total", api.metrics->total_requests()},
                      {"connections", api.connections ? api.connections() : 0},
                      {"in_flight", api.in_flight ? api.in_flight() : 0},
                      {"sessions", api.sessions->active()},
                      {"memory", MemoryJson()},
                      {"version", NQ_VERSION}}}});
}

Reply HandlePerformanceStats(RequestContext& ctx) {
  ApiContext& api = *ctx.api;
  double uptime = UptimeSeconds(api);
  Json routes = Json::array();
  for (const auto& r : api.metrics->Latencies()) {
    routes.push_back({{"route", r.route},
                      {"method", r.method},
                      {"requests", r.count},
                      {"mean_ms", r.mean_ms},
                      {"p50_ms_at_most", r.p50_ms},
                      {"p95_ms_at_most", r.p95_ms},
                      {"p99_ms_at_most", r.p99_ms}});
  }
  DatabaseStats s = api.db->Stats();
  uint64_t lookups = s.buffer_pool_hits + s.buffer_pool_misses;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return Reply(Json{
      {"uptime_seconds", uptime},
      {"requests_per_second", uptime > 0 ? static_cast<double>(api.metrics->total_requests()) / uptime : 0.0},
      {"commits_per_second", uptime > 0 ? static_cast<double>(s.commits) / uptime : 0.0},
      {"buffer_pool_hit_rate",
       lookups == 0 ? 0.0 : static_cast<double>(s.buffer_pool_hits) / static_cast<double>(lookups)},
      {"wal_fsyncs", s.wal_syncs},
      {"cpu_seconds", cpu},
      {"memory", MemoryJson()},
      {"routes", std::move(routes)}});
}

Reply HandleOpenApi(RequestContext& ctx) {
  return Reply::Raw(ctx.api->openapi_document, "application/json");
}

namespace {

// The documentation page's assets, served from the configured directory.
// Only these names are served: nothing else on disk is reachable.
constexpr std::string_view kDocsAssets[] = {"swagger-ui-bundle.js", "swagger-ui.css"};

constexpr std::string_view kDocsPage = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>NeuroQuantumDB API</title>
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api-docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({url: "/api-docs/openapi.json", dom_id: "#swagger-ui"});
</script>
</body>
</html>
)";

}  // namespace

Reply HandleDocsPage(RequestContext& /*ctx*/) {
  Reply reply = Reply::Raw(std::string(kDocsPage), "text/html; charset=utf-8");
  // Swagger UI needs its own scripts and styles, the page's one inline
  // script, inline styles and data: images; nothing from other origins.
  reply.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                             "img-src 'self' data:; frame-ancestors 'none'");
  return reply;
}

Reply HandleDocsAsset(RequestContext& ctx) {
  std::string_view file = ctx.path_params["file"];
  bool known = false;
  for (std::string_view asset : kDocsAssets) known = known || asset == file;
  if (!known) return Reply(ApiError::NotFound(fmt::format("no documentation file \"{}\"", file)));
  std::string path = JoinPath(ctx.api->settings.docs_assets_dir, std::string(file));
  auto content = ReadFileToString(Env::Default(), path);
  if (!content.ok()) {
    return Reply(ApiError::NotFound(
        fmt::format("documentation assets are not installed ({}); run scripts/bootstrap.sh", path)));
  }
  Reply reply = Reply::Raw(std::move(*content), file.ends_with(".css") ? "text/css" : "text/javascript");
  reply.headers.emplace_back("Cache-Control", "public, max-age=86400");
  return reply;
}

}  // namespace neuroquantum::server
