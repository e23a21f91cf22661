// Config implementation: the key table, the TOML and environment layers, the
// checks, and the TOML writer behind DescribeConfig.
//
// All knowledge of individual keys lives in kKeys; loading, overriding,
// validating and describing all walk that one table.
//
// toml++ is used with exceptions enabled (the Debian shared library is built
// that way, and TOML_EXCEPTIONS changes the ABI of its types); its
// exceptions are caught in ParseTomlText and never leave this file.
#include "common/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <unistd.h>  // environ

#include <fmt/format.h>
#include <toml++/toml.h>

#include "common/cidr.h"
#include "common/env.h"
#include "common/log.h"

namespace neuroquantum {
namespace {

// A config file larger than this is certainly a mistake (wrong path).
constexpr uint64_t kMaxConfigFileBytes = 1 << 20;

enum class ValueKind : uint8_t { kString, kUint32, kDurability };

// One configurable key. Exactly one of string_field / uint_field is set,
// according to kind (neither for kDurability).
struct KeySpec {
  std::string_view key;  // dotted TOML path, e.g. "storage.page_size"
  ValueKind kind;
  std::string Config::*string_field = nullptr;
  // Returns a description of what is wrong with `value`, or "" when it is fine.
  std::string (*check_string)(std::string_view value) = nullptr;
  uint32_t Options::*uint_field = nullptr;
  uint32_t ServerSettings::*server_field = nullptr;  // kUint32 keys of the server
  uint32_t Config::*config_field = nullptr;          // other kUint32 keys
  int64_t min_value = 0;
  int64_t max_value = 0;
  bool power_of_two = false;
  std::string_view allowed;  // human-readable allowed values, for errors
};

std::string CheckNonEmpty(std::string_view value) {
  return value.empty() ? "must not be empty" : "";
}

std::string CheckLogSpec(std::string_view value) {
  Status status = ValidateLogSpec(value);
  return status.ok() ? "" : std::string(status.message());
}

std::string CheckAnything(std::string_view) { return ""; }

std::string CheckLogFormat(std::string_view value) {
  LogFormat format;
  return ParseLogFormat(value, &format) ? "" : fmt::format("unknown log format \"{}\"", value);
}

// "host:port", host non-empty (IPv6 in brackets), port decimal in [0, 65535].
std::string CheckListen(std::string_view value) {
  size_t colon = value.rfind(':');
  if (colon == std::string_view::npos) return fmt::format("\"{}\" has no ':port'", value);
  std::string_view host = value.substr(0, colon);
  std::string_view port = value.substr(colon + 1);
  if (host.empty()) return fmt::format("\"{}\" has an empty host", value);
  bool bracketed = host.front() == '[' && host.back() == ']' && host.size() > 2;
  if (!bracketed && host.find_first_of(":[]") != std::string_view::npos) {
    return fmt::format("\"{}\": an IPv6 host must be in brackets, e.g. [::1]:8080", value);
  }
  unsigned port_number = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() ||
      port_number > 65535) {
    return fmt::format("\"{}\" has a bad port \"{}\"", value, port);
  }
  return "";
}

std::string CheckAllowList(std::string_view value) {
  auto list = AddressAllowList::Parse(value);
  return list.ok() ? "" : std::string(list.status().message());
}

// The server checks the rest when it connects; the scheme catches the
// common mistake of a bare host:port.
std::string CheckRedisUrl(std::string_view value) {
  if (value.empty() || value.starts_with("redis://")) return "";
  return fmt::format("\"{}\" does not start with redis://", value);
}

constexpr KeySpec kKeys[] = {
    {.key = "data_dir", .kind = ValueKind::kString, .string_field = &Config::data_dir,
     .check_string = CheckNonEmpty, .allowed = "a non-empty directory path"},
    {.key = "log", .kind = ValueKind::kString, .string_field = &Config::log_spec,
     .check_string = CheckLogSpec,
     .allowed = "a log spec such as \"storage=debug,info\" (docs/reference/logging.md)"},
    {.key = "log_format", .kind = ValueKind::kString, .string_field = &Config::log_format,
     .check_string = CheckLogFormat, .allowed = "text or json"},
    {.key = "storage.page_size", .kind = ValueKind::kUint32, .uint_field = &Options::page_size,
     .min_value = 4096, .max_value = 65536, .power_of_two = true,
     .allowed = "a power of two in [4096, 65536]"},
    {.key = "storage.buffer_pool_mib", .kind = ValueKind::kUint32,
     .uint_field = &Options::buffer_pool_mib, .min_value = 1, .max_value = 1 << 20,
     .allowed = "an integer in [1, 1048576]"},
    {.key = "storage.durability", .kind = ValueKind::kDurability,
     .allowed = "full, normal or off"},
    {.key = "storage.wal_segment_mib", .kind = ValueKind::kUint32,
     .uint_field = &Options::wal_segment_mib, .min_value = 1, .max_value = 1024,
     .allowed = "an integer in [1, 1024]"},
    {.key = "storage.max_wal_mib", .kind = ValueKind::kUint32,
     .uint_field = &Options::max_wal_mib, .min_value = 1, .max_value = 1 << 20,
     .allowed = "an integer in [1, 1048576], at least storage.wal_segment_mib"},
    {.key = "storage.flush_interval_ms", .kind = ValueKind::kUint32,
     .uint_field = &Options::flush_interval_ms, .min_value = 0, .max_value = 3600000,
     .allowed = "an integer in [0, 3600000] (0 disables the flusher)"},
    {.key = "query.memory_mib", .kind = ValueKind::kUint32, .config_field = &Config::query_memory_mib,
     .min_value = 1, .max_value = 65536, .allowed = "an integer in [1, 65536] (MiB)"},
    {.key = "server.listen", .kind = ValueKind::kString, .string_field = &Config::listen,
     .check_string = CheckListen,
     .allowed = "host:port with port in [0, 65535], IPv6 hosts in brackets"},
    {.key = "server.cors_origins", .kind = ValueKind::kString, .string_field = &Config::cors_origins,
     .check_string = CheckAnything, .allowed = "comma-separated origins, \"*\" for any, empty for none"},
    {.key = "server.docs_dir", .kind = ValueKind::kString, .string_field = &Config::docs_dir,
     .check_string = CheckAnything, .allowed = "a directory path, or empty for web/ beside the binary"},
    {.key = "server.admin_allow", .kind = ValueKind::kString, .string_field = &Config::admin_allow,
     .check_string = CheckAllowList, .allowed = "comma-separated IPv4/IPv6 addresses or CIDR ranges"},
    {.key = "server.io_threads", .kind = ValueKind::kUint32, .server_field = &ServerSettings::io_threads,
     .min_value = 1, .max_value = 64, .allowed = "an integer in [1, 64]"},
    {.key = "server.worker_threads", .kind = ValueKind::kUint32, .server_field = &ServerSettings::worker_threads,
     .min_value = 1, .max_value = 256, .allowed = "an integer in [1, 256]"},
    {.key = "server.max_connections", .kind = ValueKind::kUint32, .server_field = &ServerSettings::max_connections,
     .min_value = 1, .max_value = 65535, .allowed = "an integer in [1, 65535]"},
    {.key = "server.max_body_kib", .kind = ValueKind::kUint32, .server_field = &ServerSettings::max_body_kib,
     .min_value = 1, .max_value = 1048576, .allowed = "an integer in [1, 1048576]"},
    {.key = "server.max_header_kib", .kind = ValueKind::kUint32, .server_field = &ServerSettings::max_header_kib,
     .min_value = 1, .max_value = 1024, .allowed = "an integer in [1, 1024]"},
    {.key = "server.request_timeout_ms", .kind = ValueKind::kUint32, .server_field = &ServerSettings::request_timeout_ms,
     .min_value = 100, .max_value = 86400000, .allowed = "an integer in [100, 86400000]"},
    {.key = "server.read_timeout_ms", .kind = ValueKind::kUint32, .server_field = &ServerSettings::read_timeout_ms,
     .min_value = 100, .max_value = 3600000, .allowed = "an integer in [100, 3600000]"},
    {.key = "server.header_timeout_ms", .kind = ValueKind::kUint32, .server_field = &ServerSettings::header_timeout_ms,
     .min_value = 100, .max_value = 3600000, .allowed = "an integer in [100, 3600000]"},
    {.key = "server.body_timeout_ms", .kind = ValueKind::kUint32, .server_field = &ServerSettings::body_timeout_ms,
     .min_value = 100, .max_value = 3600000, .allowed = "an integer in [100, 3600000]"},
    {.key = "server.max_connections_per_address", .kind = ValueKind::kUint32,
     .server_field = &ServerSettings::max_connections_per_address, .min_value = 1, .max_value = 65535,
     .allowed = "an integer in [1, 65535]"},
    {.key = "server.tls_cert_file", .kind = ValueKind::kString, .string_field = &Config::tls_cert_file,
     .check_string = CheckAnything, .allowed = "a PEM certificate chain file, or empty for plain HTTP"},
    {.key = "server.tls_key_file", .kind = ValueKind::kString, .string_field = &Config::tls_key_file,
     .check_string = CheckAnything, .allowed = "a PEM private key file, or empty for plain HTTP"},
    {.key = "server.shutdown_grace_ms", .kind = ValueKind::kUint32, .server_field = &ServerSettings::shutdown_grace_ms,
     .min_value = 0, .max_value = 600000, .allowed = "an integer in [0, 600000]"},
    {.key = "server.max_result_rows", .kind = ValueKind::kUint32, .server_field = &ServerSettings::max_result_rows,
     .min_value = 1, .max_value = 100000000, .allowed = "an integer in [1, 100000000]"},
    {.key = "server.session_idle_timeout_s", .kind = ValueKind::kUint32, .server_field = &ServerSettings::session_idle_timeout_s,
     .min_value = 1, .max_value = 86400, .allowed = "an integer in [1, 86400]"},
    {.key = "server.sessions_per_key", .kind = ValueKind::kUint32, .server_field = &ServerSettings::sessions_per_key,
     .min_value = 1, .max_value = 10000, .allowed = "an integer in [1, 10000]"},
    {.key = "websocket.max_message_kib", .kind = ValueKind::kUint32, .server_field = &ServerSettings::ws_max_message_kib,
     .min_value = 1, .max_value = 65536, .allowed = "an integer in [1, 65536] (KiB)"},
    {.key = "websocket.idle_timeout_ms", .kind = ValueKind::kUint32, .server_field = &ServerSettings::ws_idle_timeout_ms,
     .min_value = 100, .max_value = 3600000, .allowed = "an integer in [100, 3600000]"},
    {.key = "websocket.max_pending_messages", .kind = ValueKind::kUint32,
     .server_field = &ServerSettings::ws_max_pending_messages, .min_value = 1, .max_value = 10000000,
     .allowed = "an integer in [1, 10000000]"},
    {.key = "websocket.max_pending_kib", .kind = ValueKind::kUint32, .server_field = &ServerSettings::ws_max_pending_kib,
     .min_value = 16, .max_value = 4194304, .allowed = "an integer in [16, 4194304] (KiB)"},
    {.key = "auth.jwt_secret_file", .kind = ValueKind::kString, .string_field = &Config::jwt_secret_file,
     .check_string = CheckAnything, .allowed = "a file path, or empty for <data_dir>/auth/jwt.secret"},
    {.key = "auth.token_ttl_s", .kind = ValueKind::kUint32, .server_field = &ServerSettings::token_ttl_s,
     .min_value = 1, .max_value = 604800, .allowed = "an integer in [1, 604800], at most auth.jwt_grace_s"},
    {.key = "auth.jwt_rotation_s", .kind = ValueKind::kUint32, .server_field = &ServerSettings::jwt_rotation_s,
     .min_value = 2, .max_value = 31536000, .allowed = "an integer in [2, 31536000]"},
    {.key = "auth.jwt_grace_s", .kind = ValueKind::kUint32, .server_field = &ServerSettings::jwt_grace_s,
     .min_value = 1, .max_value = 31536000, .allowed = "an integer in [1, 31536000], less than auth.jwt_rotation_s"},
    {.key = "rate_limit.per_address_per_minute", .kind = ValueKind::kUint32,
     .server_field = &ServerSettings::rate_per_address_per_minute, .min_value = 0, .max_value = 100000000,
     .allowed = "an integer in [0, 100000000] (0: no limit)"},
    {.key = "rate_limit.per_key_per_hour", .kind = ValueKind::kUint32,
     .server_field = &ServerSettings::rate_per_key_per_hour, .min_value = 0, .max_value = 1000000000,
     .allowed = "an integer in [0, 1000000000] (0: no limit for keys without their own)"},
    {.key = "rate_limit.key_generation_per_hour", .kind = ValueKind::kUint32,
     .server_field = &ServerSettings::rate_key_generation_per_hour, .min_value = 0, .max_value = 1000000,
     .allowed = "an integer in [0, 1000000] (0: no limit)"},
    {.key = "rate_limit.redis_url", .kind = ValueKind::kString, .string_field = &Config::redis_url,
     .check_string = CheckRedisUrl, .allowed = "redis://[:password@]host[:port][/db], or empty for in-memory limits"},
    {.key = "rate_limit.redis_timeout_ms", .kind = ValueKind::kUint32,
     .server_field = &ServerSettings::redis_timeout_ms, .min_value = 1, .max_value = 60000,
     .allowed = "an integer in [1, 60000]"},
    {.key = "rate_limit.redis_retry_ms", .kind = ValueKind::kUint32,
     .server_field = &ServerSettings::redis_retry_ms, .min_value = 10, .max_value = 3600000,
     .allowed = "an integer in [10, 3600000]"},
};

const KeySpec* FindKey(std::string_view key) {
  for (const KeySpec& spec : kKeys) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

// Whether `name` is a section, i.e. the prefix before '.' of some key.
bool IsSection(std::string_view name) {
  for (const KeySpec& spec : kKeys) {
    size_t dot = spec.key.find('.');
    if (dot != std::string_view::npos && spec.key.substr(0, dot) == name) return true;
  }
  return false;
}

std::string_view Leaf(std::string_view key) {
  size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// `unknown key "x"`, plus a suggestion when some key is close to it.
std::string UnknownKeyMessage(std::string_view key) {
  const KeySpec* best = nullptr;
  size_t best_distance = 3;  // suggest only within 2 edits
  for (const KeySpec& spec : kKeys) {
    size_t distance = Leaf(spec.key) == Leaf(key) ? 0 : EditDistance(spec.key, key);
    if (distance < best_distance) {
      best = &spec;
      best_distance = distance;
    }
  }
  if (best == nullptr) return fmt::format("unknown key \"{}\"", key);
  return fmt::format("unknown key \"{}\" (did you mean \"{}\"?)", key, best->key);
}

std::string EnvVarName(std::string_view key) {
  std::string name = "NQDB_";
  for (char c : key) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

bool ParseDurability(std::string_view text, Durability* durability) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (Durability candidate : {Durability::kFull, Durability::kNormal, Durability::kOff}) {
    if (lower == DurabilityName(candidate)) {
      *durability = candidate;
      return true;
    }
  }
  return false;
}

Status ValueError(const KeySpec& spec, std::string_view problem) {
  return Status::InvalidArgument(
      fmt::format("{}: {}; allowed: {}", spec.key, problem, spec.allowed));
}

Status CheckInteger(const KeySpec& spec, int64_t value) {
  if (value < spec.min_value || value > spec.max_value) {
    return ValueError(spec, fmt::format("{} is out of range", value));
  }
  if (spec.power_of_two && (value & (value - 1)) != 0) {
    return ValueError(spec, fmt::format("{} is not a power of two", value));
  }
  return Status::OK();
}

// The field of a kUint32 key in *config (const or not).
template <typename C>
auto& UintRef(const KeySpec& spec, C* config) {
  if (spec.uint_field != nullptr) return config->options.*spec.uint_field;
  if (spec.config_field != nullptr) return (*config).*spec.config_field;
  return config->server.*spec.server_field;
}
uint32_t UintValue(const KeySpec& spec, const Config& config) { return UintRef(spec, &config); }

Status SetInteger(const KeySpec& spec, Config* config, int64_t value) {
  NQ_RETURN_IF_ERROR(CheckInteger(spec, value));
  UintRef(spec, config) = static_cast<uint32_t>(value);
  return Status::OK();
}

// Sets a kString or kDurability key.
Status SetText(const KeySpec& spec, Config* config, std::string_view text) {
  if (spec.kind == ValueKind::kDurability) {
    if (!ParseDurability(text, &config->options.durability)) {
      return ValueError(spec, fmt::format("unknown durability \"{}\"", text));
    }
    return Status::OK();
  }
  std::string problem = spec.check_string(text);
  if (!problem.empty()) return ValueError(spec, problem);
  config->*spec.string_field = std::string(text);
  return Status::OK();
}

// Sets any key from its text form (environment variables, --set flags).
Status SetFromString(const KeySpec& spec, Config* config, std::string_view text) {
  if (spec.kind != ValueKind::kUint32) return SetText(spec, config, text);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size() ||
      (error != std::errc() && error != std::errc::result_out_of_range)) {
    return ValueError(spec, fmt::format("\"{}\" is not a decimal integer", text));
  }
  if (error == std::errc::result_out_of_range) {
    return ValueError(spec, fmt::format("{} is out of range", text));
  }
  return SetInteger(spec, config, value);
}

// ---- TOML layer ----

std::string Where(const std::string& path, const toml::source_region& source) {
  return fmt::format("{}:{}:{}", path, source.begin.line, source.begin.column);
}

std::string_view TomlTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown type";
}

Status ApplyTomlValue(const KeySpec& spec, const toml::node& node, Config* config) {
  if (spec.kind == ValueKind::kUint32) {
    const auto* integer = node.as_integer();
    if (integer == nullptr) {
      return ValueError(spec, fmt::format("expected an integer, got {}", TomlTypeName(node)));
    }
    return SetInteger(spec, config, integer->get());
  }
  const auto* text = node.as_string();
  if (text == nullptr) {
    return ValueError(spec, fmt::format("expected a string, got {}", TomlTypeName(node)));
  }
  return SetText(spec, config, text->get());
}

// Applies every key of `table`, whose dotted path is `prefix` ("" at the top).
Status ApplyTomlTable(const toml::table& table, const std::string& prefix,
                      const std::string& path, Config* config) {
  for (const auto& [toml_key, node] : table) {
    std::string key = prefix.empty() ? std::string(toml_key.str())
                                     : prefix + "." + std::string(toml_key.str());
    if (prefix.empty() && IsSection(key)) {
      const toml::table* section = node.as_table();
      if (section == nullptr) {
        return Status::InvalidArgument(
            fmt::format("{}: \"{}\" must be a table ([{}]), got {}", Where(path, node.source()),
                        key, key, TomlTypeName(node)));
      }
      NQ_RETURN_IF_ERROR(ApplyTomlTable(*section, key, path, config));
      continue;
    }
    const KeySpec* spec = FindKey(key);
    if (spec == nullptr) {
      return Status::InvalidArgument(
          fmt::format("{}: {}", Where(path, toml_key.source()), UnknownKeyMessage(key)));
    }
    NQ_RETURN_IF_ERROR(ApplyTomlValue(*spec, node, config).WithContext(Where(path, node.source())));
  }
  return Status::OK();
}

Result<std::string> ReadConfigFile(const std::string& path) {
  NQ_ASSIGN_OR_RETURN(std::unique_ptr<File> file,
                      Env::Default()->OpenFile(path, OpenMode::kReadOnly));
  NQ_ASSIGN_OR_RETURN(uint64_t size_bytes, file->Size());
  if (size_bytes > kMaxConfigFileBytes) {
    return Status::InvalidArgument(fmt::format("config file {} is {} bytes, larger than {}", path,
                                               size_bytes, kMaxConfigFileBytes));
  }
  std::string text(size_bytes, '\0');
  size_t bytes_read = 0;
  NQ_RETURN_IF_ERROR(file->ReadAt(
      0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()), &bytes_read));
  text.resize(bytes_read);
  return text;
}

Status ApplyTomlFile(const std::string& path, Config* config) {
  Result<std::string> text = ReadConfigFile(path);
  if (!text.ok()) return text.status().WithContext("reading config file");
  toml::table table;
  try {
    table = toml::parse(*text, path);
  } catch (const toml::parse_error& error) {
    return Status::InvalidArgument(fmt::format("{}: TOML syntax error: {}",
                                               Where(path, error.source()), error.description()));
  } catch (const std::exception& error) {  // e.g. bad_alloc; must not escape this module
    return Status::Internal(fmt::format("{}: parsing TOML: {}", path, error.what()));
  }
  return ApplyTomlTable(table, "", path, config);
}

// ---- Writing TOML ----

// A TOML basic string (double-quoted) with the escapes TOML requires.
std::string TomlQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string TomlValue(const KeySpec& spec, const Config& config) {
  switch (spec.kind) {
    case ValueKind::kString: return TomlQuote(config.*spec.string_field);
    case ValueKind::kUint32: return std::to_string(UintValue(spec, config));
    case ValueKind::kDurability: return TomlQuote(DurabilityName(config.options.durability));
  }
  return "";
}

}  // namespace

EnvMap CaptureEnvironment() {
  EnvMap env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (text.substr(0, 5) != "NQDB_") continue;
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

Result<Config> LoadConfig(const std::string& toml_path, const EnvMap& env) {
  Config config;
  if (!toml_path.empty()) NQ_RETURN_IF_ERROR(ApplyTomlFile(toml_path, &config));
  for (const KeySpec& spec : kKeys) {
    std::string name = EnvVarName(spec.key);
    auto it = env.find(name);
    if (it == env.end()) continue;
    NQ_RETURN_IF_ERROR(SetFromString(spec, &config, it->second)
                           .WithContext("environment variable " + name));
  }
  return config;
}

Status ApplyOverride(Config* config, std::string_view key, std::string_view value) {
  const KeySpec* spec = FindKey(key);
  if (spec == nullptr) return Status::InvalidArgument(UnknownKeyMessage(key));
  Config updated = *config;  // so that *config is unchanged on error
  NQ_RETURN_IF_ERROR(SetFromString(*spec, &updated, value));
  *config = std::move(updated);
  return Status::OK();
}

Status ApplyOverrideAssignment(Config* config, std::string_view assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not of the form key=value", assignment));
  }
  return ApplyOverride(config, assignment.substr(0, eq), assignment.substr(eq + 1));
}

Status ValidateConfig(const Config& config) {
  for (const KeySpec& spec : kKeys) {
    switch (spec.kind) {
      case ValueKind::kUint32:
        NQ_RETURN_IF_ERROR(CheckInteger(spec, UintValue(spec, config)));
        break;
      case ValueKind::kString: {
        std::string problem = spec.check_string(config.*spec.string_field);
        if (!problem.empty()) return ValueError(spec, problem);
        break;
      }
      case ValueKind::kDurability: {
        Durability parsed;
        if (!ParseDurability(DurabilityName(config.options.durability), &parsed)) {
          return ValueError(spec, fmt::format("invalid value {}",
                                              static_cast<int>(config.options.durability)));
        }
        break;
      }
    }
  }
  const Options& options = config.options;
  if (options.wal_segment_mib > options.max_wal_mib) {
    return Status::InvalidArgument(fmt::format(
        "storage.wal_segment_mib ({}) must not exceed storage.max_wal_mib ({})",
        options.wal_segment_mib, options.max_wal_mib));
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "server.tls_cert_file and server.tls_key_file must be set together (both empty: plain HTTP)");
  }
  const ServerSettings& server = config.server;
  if (server.jwt_grace_s >= server.jwt_rotation_s) {
    return Status::InvalidArgument(fmt::format("auth.jwt_grace_s ({}) must be less than auth.jwt_rotation_s ({})",
                                               server.jwt_grace_s, server.jwt_rotation_s));
  }
  if (server.token_ttl_s > server.jwt_grace_s) {
    // A token must outlive neither its signing key nor the grace after it.
    return Status::InvalidArgument(fmt::format(
        "auth.token_ttl_s ({}) must not exceed auth.jwt_grace_s ({})", server.token_ttl_s, server.jwt_grace_s));
  }
  return Status::OK();
}

std::string DescribeConfig(const Config& config) {
  std::string out =
      "# Effective NeuroQuantumDB configuration.\n"
      "# Precedence: defaults < TOML file < NQDB_* environment < --set flags.\n";
  std::string_view section;
  for (const KeySpec& spec : kKeys) {
    size_t dot = spec.key.find('.');
    std::string_view key_section = dot == std::string_view::npos ? "" : spec.key.substr(0, dot);
    if (key_section != section) {
      // Sections come after all top-level keys in kKeys, as TOML requires.
      out += fmt::format("\n[{}]\n", key_section);
      section = key_section;
    }
    out += fmt::format("{} = {}\n", Leaf(spec.key), TomlValue(spec, config));
  }
  return out;
}

}  // namespace neuroquantum
