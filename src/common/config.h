// Config: the settings of an nqdb process, gathered in layers. Each layer
// overrides the ones before it:
//
//   1. documented defaults (the member initialisers below; Options defaults)
//   2. a TOML file                       storage.page_size = 8192
//   3. environment variables             NQDB_STORAGE_PAGE_SIZE=8192
//   4. command-line flags                --set storage.page_size=8192
//
// Every key has a dotted name (its TOML path), an environment variable
// ("NQDB_" + upper-cased key with '.' replaced by '_') and a range; see
// docs/reference/configuration.md for the full table.
//
// Typical use:
//   NQ_ASSIGN_OR_RETURN(Config config, LoadConfig(path, CaptureEnvironment()));
//   for (const std::string& flag : set_flags)
//     NQ_RETURN_IF_ERROR(ApplyOverrideAssignment(&config, flag));
//   NQ_RETURN_IF_ERROR(ValidateConfig(config));
//
// Each value is checked (type and range) as soon as a layer sets it, so an
// error names the layer it came from. Checks that involve several keys
// (wal_segment_mib <= max_wal_mib) can only run once every layer is applied:
// that is ValidateConfig, which callers must run last.
//
// Thread safety: Config is a plain value type. The functions are pure apart
// from LoadConfig reading the file and CaptureEnvironment reading the
// process environment; all may be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "neuroquantum/options.h"
#include "neuroquantum/result.h"
#include "neuroquantum/status.h"

namespace neuroquantum {

// The server's settings (`nqdb serve`); docs/getting-started/configuration.md.
struct ServerSettings {
  uint32_t io_threads = 2;              // server.io_threads: threads doing HTTP I/O
  uint32_t worker_threads = 4;          // server.worker_threads: threads running requests
  uint32_t max_connections = 512;       // server.max_connections
  uint32_t max_body_kib = 1024;         // server.max_body_kib: request body limit
  uint32_t max_header_kib = 16;         // server.max_header_kib: request header limit
  uint32_t request_timeout_ms = 30000;  // server.request_timeout_ms: cancels the statement
  uint32_t read_timeout_ms = 30000;     // server.read_timeout_ms: keep-alive idle
  uint32_t header_timeout_ms = 10000;   // server.header_timeout_ms: first byte to end of headers
  uint32_t body_timeout_ms = 30000;     // server.body_timeout_ms: reading the body
  uint32_t max_connections_per_address = 64;  // server.max_connections_per_address
  uint32_t shutdown_grace_ms = 10000;   // server.shutdown_grace_ms: in-flight requests at shutdown
  uint32_t max_result_rows = 100000;    // server.max_result_rows: rows in one response
  uint32_t session_idle_timeout_s = 300;  // server.session_idle_timeout_s
  uint32_t sessions_per_key = 16;       // server.sessions_per_key
  uint32_t token_ttl_s = 3600;          // auth.token_ttl_s: JWT lifetime (<= auth.jwt_grace_s)
  uint32_t jwt_rotation_s = 86400;      // auth.jwt_rotation_s: signing key period
  uint32_t jwt_grace_s = 3600;          // auth.jwt_grace_s: previous key accepted (< rotation)
  // Rate limits (token buckets, N per window; 0 turns a limit off).
  uint32_t rate_per_address_per_minute = 6000;  // rate_limit.per_address_per_minute
  uint32_t rate_per_key_per_hour = 100000;      // rate_limit.per_key_per_hour: keys without their own
  uint32_t rate_key_generation_per_hour = 5;    // rate_limit.key_generation_per_hour: per address
  uint32_t redis_timeout_ms = 100;              // rate_limit.redis_timeout_ms: connect and each command
  uint32_t redis_retry_ms = 1000;               // rate_limit.redis_retry_ms: pings while unreachable
  // WebSocket connections (GET /ws).
  uint32_t ws_max_message_kib = 64;         // websocket.max_message_kib: largest client message
  uint32_t ws_idle_timeout_ms = 60000;      // websocket.idle_timeout_ms: ping after, close after twice
  uint32_t ws_max_pending_messages = 1000;  // websocket.max_pending_messages: waiting for credit
  uint32_t ws_max_pending_kib = 4096;       // websocket.max_pending_kib: waiting for credit or the socket
};

struct Config {
  // Directory holding the database files. TOML `data_dir`.
  std::string data_dir = "./nqdb-data";
  // Log levels in NQDB_LOG syntax (common/log.h). TOML `log`.
  std::string log_spec = "info";
  // Log line format: text or json. TOML `log_format`.
  std::string log_format = "text";
  // host:port the server listens on. TOML `server.listen`.
  std::string listen = "127.0.0.1:8080";
  // Origins allowed by CORS, comma-separated ("*": any; empty: none).
  // TOML `server.cors_origins`.
  std::string cors_origins;
  // Directory of the API documentation page's assets; empty: "web" beside
  // the nqdb binary. TOML `server.docs_dir`.
  std::string docs_dir;
  // JWT signing secret file; empty: <data_dir>/auth/jwt.secret. TOML
  // `auth.jwt_secret_file`.
  std::string jwt_secret_file;
  // PEM certificate chain and private key for HTTPS; both or neither (empty:
  // plain HTTP). TOML `server.tls_cert_file`, `server.tls_key_file`.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Client addresses (CIDR ranges, comma-separated) allowed to call admin
  // endpoints. TOML `server.admin_allow`.
  std::string admin_allow = "127.0.0.0/8, ::1/128";
  // Redis shared by server processes for rate limits; empty: limits in
  // memory. TOML `rate_limit.redis_url`.
  std::string redis_url;
  ServerSettings server;
  // Memory one statement may hold (sorts, hash tables, results held whole)
  // before it spills or fails with 53200, in MiB. TOML `query.memory_mib`.
  uint32_t query_memory_mib = 64;
  // TOML `[storage]` section. Only page_size, buffer_pool_mib, durability,
  // wal_segment_mib, max_wal_mib and flush_interval_ms are configurable; the
  // other fields keep their defaults and are set by the program.
  Options options;
};

// Environment variables by name. Passed in explicitly so that tests are
// hermetic.
using EnvMap = std::map<std::string, std::string, std::less<>>;

// The NQDB_* variables of the process environment.
EnvMap CaptureEnvironment();

// Layers 1-3: defaults, then the TOML file at `toml_path` (skipped when
// empty), then the NQDB_* variables in `env` that name a key. NQDB_*
// variables that name no key are ignored: the prefix is shared with
// variables that are not settings (e.g. a config file path).
// Errors:
//   NotFound / IOError    the file cannot be read
//   InvalidArgument       TOML syntax error ("path:line:column: ..."), unknown
//                         key, value of the wrong type or out of range (naming
//                         the key, the allowed values, and the file position
//                         or the environment variable)
// Does not run ValidateConfig (see the file comment).
Result<Config> LoadConfig(const std::string& toml_path, const EnvMap& env);

// Sets one key from its text form, e.g. ("storage.page_size", "8192"), as
// for --set flags and environment variables. Integers are decimal;
// durability is full, normal or off. On error *config is unchanged.
// Errors: InvalidArgument for an unknown key or a bad value.
[[nodiscard]] Status ApplyOverride(Config* config, std::string_view key, std::string_view value);

// ApplyOverride for "key=value" (the argument of a --set flag).
[[nodiscard]] Status ApplyOverrideAssignment(Config* config, std::string_view assignment);

// Checks every key's range and the relations between keys:
//   storage.page_size        power of two in [4096, 65536]
//   storage.buffer_pool_mib  >= 1
//   storage.wal_segment_mib  <= storage.max_wal_mib
//   data_dir non-empty, log a valid spec, server.listen a host:port.
// Errors: InvalidArgument naming the key and its allowed range.
[[nodiscard]] Status ValidateConfig(const Config& config);

// The effective configuration as TOML text (every key, layout of the
// configuration file), for `nqdb config show`. Loading the text back with
// LoadConfig yields the same settings.
std::string DescribeConfig(const Config& config);

}  // namespace neuroquantum
