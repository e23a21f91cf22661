#include "server/server.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "common/env.h"
#include "common/log.h"
#include "neuroquantum/database.h"
#include "server/api.h"
#include "server/api_keys.h"
#include "server/jwt.h"
#include "server/metrics.h"
#include "server/rate_limit.h"
#include "server/sessions.h"
#include "server/worker_pool.h"
#include "server/ws_hub.h"

namespace neuroquantum::server {

namespace {

constexpr const char* kDatabaseFile = "main.nqdb";

// "web" beside the running binary, where the build puts the documentation
// page's assets.
std::string DefaultDocsDir() {
  char buffer[4096];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return "web";
  std::string exe(buffer, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  return (slash == std::string::npos ? std::string(".") : exe.substr(0, slash)) + "/web";
}

Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, static_cast<uint16_t>(std::stoul(listen.substr(colon + 1))));
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    size_t b = item.find_first_not_of(' ');
    size_t e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = comma + 1;
  }
  return out;
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DatabaseOptions DatabaseOptionsFor(const Config& config, bool create) {
  DatabaseOptions options;
  options.storage = config.options;
  options.storage.create_if_missing = create;
  options.query_memory_limit = size_t{config.query_memory_mib} << 20;
  return options;
}

DataDirLayout DataDirLayout::For(const Config& config) {
  DataDirLayout layout;
  layout.database = JoinPath(config.data_dir, kDatabaseFile);
  layout.auth_dir = JoinPath(config.data_dir, "auth");
  layout.api_keys = JoinPath(layout.auth_dir, "api_keys.json");
  layout.jwt_secret = config.jwt_secret_file.empty() ? JoinPath(layout.auth_dir, "jwt.secret") : config.jwt_secret_file;
  return layout;
}

bool IsInitialized(const Config& config) {
  DataDirLayout layout = DataDirLayout::For(config);
  Env* env = Env::Default();
  return env->FileExists(layout.database) && env->FileExists(layout.api_keys) && env->FileExists(layout.jwt_secret);
}

Result<InitResult> InitializeDataDir(const Config& config) {
  if (IsInitialized(config)) {
    return Status::AlreadyExists(fmt::format("data directory {} is already initialised", config.data_dir));
  }
  DataDirLayout layout = DataDirLayout::For(config);
  Env* env = Env::Default();
  InitResult result;
  NQ_RETURN_IF_ERROR(env->CreateDir(config.data_dir));
  {
    result.created_database = !env->FileExists(layout.database);
    NQ_ASSIGN_OR_RETURN(auto db, Database::Open(layout.database, DatabaseOptionsFor(config, true)));
    result.page_size = db->Stats().page_size;
  }
  if (mkdir(layout.auth_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError(fmt::format("cannot create {}: {}", layout.auth_dir, std::strerror(errno)));
  }
  if (!env->FileExists(layout.jwt_secret)) NQ_RETURN_IF_ERROR(WriteJwtSecret(layout.jwt_secret));
  NQ_ASSIGN_OR_RETURN(auto keys, ApiKeyStore::Open(layout.api_keys));
  NQ_ASSIGN_OR_RETURN(auto existing, keys->List());
  if (existing.empty()) {
    NQ_ASSIGN_OR_RETURN(NewApiKey admin, keys->Create("admin", PermissionBit(Permission::kAdmin), 0, 0, Now()));
    result.admin_key = std::move(admin.key);
    result.admin_key_id = admin.info.id;
  }
  return result;
}

namespace {

// Everything a running server owns, torn down in Stop's order.
class Server {
 public:
  Status Start(const Config& config);
  void Stop(std::chrono::milliseconds grace);
  uint16_t port() const { return http_->port(); }

 private:
  void ReapLoop();

  std::unique_ptr<Database> db_;
  std::unique_ptr<ApiKeyStore> keys_;
  std::unique_ptr<JwtSigner> jwt_;
  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<ConnectionPool> pool_;
  Metrics metrics_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<WsHub> websocket_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> http_;
  std::thread reaper_;
  std::mutex reaper_mu_;
  std::condition_variable reaper_cv_;
  bool stopping_ = false;
};

Status Server::Start(const Config& config) {
  DataDirLayout layout = DataDirLayout::For(config);
  const ServerSettings& s = config.server;
  NQ_ASSIGN_OR_RETURN(db_, Database::Open(layout.database, DatabaseOptionsFor(config, false)));
  NQ_ASSIGN_OR_RETURN(keys_, ApiKeyStore::Open(layout.api_keys));
  NQ_ASSIGN_OR_RETURN(std::string secret, ReadJwtSecret(layout.jwt_secret));
  JwtSettings jwt;
  jwt.token_ttl_s = s.token_ttl_s;
  jwt.rotation_s = s.jwt_rotation_s;
  jwt.grace_s = s.jwt_grace_s;
  jwt_ = std::make_unique<JwtSigner>(std::move(secret), jwt);
  sessions_ = std::make_unique<SessionManager>(
      db_.get(), SessionSettings{std::chrono::seconds(s.session_idle_timeout_s), s.sessions_per_key});
  pool_ = std::make_unique<ConnectionPool>(db_.get());
  workers_ = std::make_unique<WorkerPool>(static_cast<int>(s.worker_threads));

  if (config.redis_url.empty()) {
    limiter_ = std::make_unique<RateLimiter>();
  } else {
    RedisSettings redis;
    redis.url = config.redis_url;
    redis.timeout = std::chrono::milliseconds(s.redis_timeout_ms);
    redis.retry = std::chrono::milliseconds(s.redis_retry_ms);
    NQ_ASSIGN_OR_RETURN(limiter_, RateLimiter::WithRedis(redis));
  }

  WsSettings ws;
  ws.max_pending_messages = s.ws_max_pending_messages;
  ws.max_pending_bytes = static_cast<size_t>(s.ws_max_pending_kib) << 10;
  ws.statement_timeout = std::chrono::milliseconds(s.request_timeout_ms);
  ws.max_total_queries = std::max<size_t>(1, s.worker_threads / 2);
  websocket_ = std::make_unique<WsHub>(db_.get(), pool_.get(), workers_.get(), ws);

  ApiContext context;
  context.db = db_.get();
  context.websocket = websocket_.get();
  context.keys = keys_.get();
  context.jwt = jwt_.get();
  context.sessions = sessions_.get();
  context.pool = pool_.get();
  context.metrics = &metrics_;
  context.workers = workers_.get();
  context.limiter = limiter_.get();
  context.settings.request_timeout = std::chrono::milliseconds(s.request_timeout_ms);
  context.settings.max_result_rows = s.max_result_rows;
  context.settings.cors_origins = SplitList(config.cors_origins);
  context.settings.docs_assets_dir = config.docs_dir.empty() ? DefaultDocsDir() : config.docs_dir;
  context.settings.data_dir = config.data_dir;
  NQ_ASSIGN_OR_RETURN(context.settings.admin_allow, AddressAllowList::Parse(config.admin_allow));
  context.settings.per_address_per_minute = s.rate_per_address_per_minute;
  context.settings.per_key_per_hour = s.rate_per_key_per_hour;
  context.settings.key_generation_per_hour = s.rate_key_generation_per_hour;
  context.started = std::chrono::steady_clock::now();
  context.connections = [this] { return http_ ? http_->connections() : 0; };
  context.in_flight = [this] { return http_ ? http_->in_flight() : 0; };
  api_ = std::make_unique<Api>(std::move(context));

  HttpServerOptions http;
  NQ_ASSIGN_OR_RETURN(auto address, SplitListen(config.listen));
  http.host = address.first;
  http.port = address.second;
  http.io_threads = static_cast<int>(s.io_threads);
  http.max_connections = s.max_connections;
  http.max_connections_per_address = s.max_connections_per_address;
  http.max_body_bytes = static_cast<size_t>(s.max_body_kib) << 10;
  http.max_header_bytes = static_cast<size_t>(s.max_header_kib) << 10;
  http.read_timeout = std::chrono::milliseconds(s.read_timeout_ms);
  http.header_timeout = std::chrono::milliseconds(s.header_timeout_ms);
  http.body_timeout = std::chrono::milliseconds(s.body_timeout_ms);
  http.tls_cert_file = config.tls_cert_file;
  http.tls_key_file = config.tls_key_file;
  http.websocket_max_message_bytes = static_cast<size_t>(s.ws_max_message_kib) << 10;
  http.websocket_idle_timeout = std::chrono::milliseconds(s.ws_idle_timeout_ms);
  Api* api = api_.get();
  NQ_ASSIGN_OR_RETURN(
      http_, HttpServer::Start(
                 http, [api](HttpRequest&& request, Responder respond) { api->Handle(std::move(request), std::move(respond)); },
                 [api](int status, std::string_view message) { return api->ErrorResponse(status, message); }));
  reaper_ = std::thread([this] { ReapLoop(); });
  return Status::OK();
}

void Server::ReapLoop() {
  std::unique_lock lock(reaper_mu_);
  while (!reaper_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
    lock.unlock();
    sessions_->CloseIdle();
    lock.lock();
  }
}

void Server::Stop(std::chrono::milliseconds grace) {
  if (reaper_.joinable()) {
    {
      std::lock_guard lock(reaper_mu_);
      stopping_ = true;
    }
    reaper_cv_.notify_all();
    reaper_.join();
  }
  bool drained = http_ == nullptr || http_->Shutdown(grace);
  if (!drained) NQ_LOG_WARN("server", "shutdown: requests still running after {} ms are cancelled", grace.count());
  // Statements still running are cancelled; open sessions roll back.
  if (pool_) pool_->CancelAll();
  if (sessions_) sessions_->CloseAll();
  // Streamed WebSocket queries waiting for credit stop before the workers
  // running them are joined.
  if (websocket_) websocket_->Shutdown();
  workers_.reset();
  api_.reset();
  websocket_.reset();
  limiter_.reset();
  http_.reset();
  sessions_.reset();
  pool_.reset();
  db_.reset();  // checkpoints
}

}  // namespace

int Serve(const Config& config) {
  if (!IsInitialized(config)) {
    std::cerr << fmt::format("nqdb: data directory {} is not initialised: run `nqdb init --data-dir {}` first\n",
                             config.data_dir, config.data_dir);
    return 2;
  }
  LogFormat format = LogFormat::kText;
  (void)ParseLogFormat(config.log_format, &format);
  SetLogFormat(format);
  // Signals are taken by sigwait below; every thread started from here on
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Server server;
  Status s = server.Start(config);
  if (!s.ok()) {
    std::cerr << "nqdb: " << s.ToString() << "\n";
    server.Stop(std::chrono::milliseconds(0));
    return 1;
  }
  auto [host, port] = *SplitListen(config.listen);
  bool v6 = host.find(':') != std::string::npos;
  std::cout << fmt::format("listening on {}://{}{}{}:{}", config.tls_cert_file.empty() ? "http" : "https",
                           v6 ? "[" : "", host, v6 ? "]" : "", server.port())
            << std::endl;
  NQ_LOG_INFO("server", "serving {} on port {}", config.data_dir, server.port());
  int received = 0;
  sigwait(&signals, &received);
  NQ_LOG_INFO("server", "{}: shutting down (grace {} ms)", received == SIGINT ? "SIGINT" : "SIGTERM",
              config.server.shutdown_grace_ms);
  server.Stop(std::chrono::milliseconds(config.server.shutdown_grace_ms));
  NQ_LOG_INFO("server", "stopped");
  return 0;
}

}  // namespace neuroquantum::server
