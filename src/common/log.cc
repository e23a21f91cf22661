// Logging implementation: the per-module level table, the NQDB_LOG spec
// parser, and the spdlog stderr backend.
//
// Design notes:
//  1. The level table is a fixed array of slots. A slot's name is written
//     once, before the slot is published by a release store of g_levels.count,
//     and never changes after; readers scan the published prefix without a
//     lock. Slot levels, the default and the minimum are atomics, so
//     reconfiguring only flips bytes.
//  2. g_levels.min_level is the smallest threshold anywhere (default and every
//     slot). A message below it is rejected with one load, which is the
//     common case for trace/debug in production.
//  3. Writers (ConfigureLogging) are serialised by Backend::config_mu.
//  4. g_levels is constant-initialised and trivially destructible, and the
//     backend is never destroyed, so logging works during static
//     initialisation and destruction of other objects.
#include "common/log.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "common/json_text.h"

namespace neuroquantum {
namespace {

// Slot level meaning "not set: use the default".
constexpr uint8_t kInheritLevel = 0xFF;

struct ModuleSlot {
  char name[kMaxLogModuleName] = {};  // immutable once published (note 1)
  uint8_t name_size = 0;
  std::atomic<uint8_t> level{kInheritLevel};
};

struct LevelTable {
  std::atomic<uint8_t> default_level{static_cast<uint8_t>(LogLevel::kInfo)};
  std::atomic<uint8_t> min_level{static_cast<uint8_t>(LogLevel::kInfo)};  // note 2
  std::atomic<size_t> count{0};  // published slots
  std::array<ModuleSlot, kMaxLogModules> slots;
};

constinit LevelTable g_levels;

// Everything that is not on the LogEnabled hot path.
struct Backend {
  std::mutex config_mu;  // serialises ConfigureLogging (note 3)

  std::mutex sink_mu;
  LogSink sink;                       // guarded by sink_mu
  std::atomic<bool> has_sink{false};  // sink is non-empty; read without sink_mu

  std::shared_ptr<spdlog::logger> logger;  // thread-safe (_mt sink)
};

Backend& GetBackend() {
  // Leaked on purpose (note 4).
  static Backend* backend = [] {
    auto* created = new Backend();
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    created->logger = std::make_shared<spdlog::logger>("nqdb", std::move(sink));
    // Our own level names go into the payload so that output matches the
    // names accepted by NQDB_LOG ("warn", not spdlog's "warning").
    created->logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %v");
    created->logger->set_level(spdlog::level::trace);  // we filter ourselves
    return created;
  }();
  return *backend;
}

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::err;
}

bool IsModuleChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

struct ModuleLevel {
  std::string module;
  LogLevel level;
};

// The meaning of a spec, ready to apply.
struct ParsedSpec {
  LogLevel default_level = LogLevel::kInfo;
  std::vector<ModuleLevel> modules;  // distinct names
};

Status SpecError(std::string_view spec, std::string_view what, size_t offset) {
  return Status::InvalidArgument(
      fmt::format("bad log spec \"{}\": {} at column {}", spec, what, offset + 1));
}

// Returns the [begin, end) offsets of `spec[begin, end)` without surrounding
// blanks.
std::pair<size_t, size_t> Trim(std::string_view spec, size_t begin, size_t end) {
  while (begin < end && IsSpace(spec[begin])) ++begin;
  while (end > begin && IsSpace(spec[end - 1])) --end;
  return {begin, end};
}

Status ParseLevelAt(std::string_view spec, size_t begin, size_t end, LogLevel* level) {
  auto [first, last] = Trim(spec, begin, end);
  std::string_view name = spec.substr(first, last - first);
  if (name.empty()) return SpecError(spec, "missing level", first);
  if (!ParseLogLevel(name, level)) {
    return SpecError(spec,
                     fmt::format("unknown level \"{}\" (expected trace, debug, info, warn, "
                                 "error or off)",
                                 name),
                     first);
  }
  return Status::OK();
}

Status ParseModuleAt(std::string_view spec, size_t begin, size_t end, std::string_view* module) {
  auto [first, last] = Trim(spec, begin, end);
  std::string_view name = spec.substr(first, last - first);
  if (name.empty()) return SpecError(spec, "missing module name before '='", first);
  if (name.size() > kMaxLogModuleName) {
    return SpecError(spec,
                     fmt::format("module name \"{}\" longer than {} characters", name,
                                 kMaxLogModuleName),
                     first);
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsModuleChar(name[i])) {
      return SpecError(spec, fmt::format("invalid character '{}' in module name", name[i]),
                       first + i);
    }
  }
  *module = name;
  return Status::OK();
}

// Parses one comma-free item spec[begin, end) into *parsed.
Status ParseItem(std::string_view spec, size_t begin, size_t end, ParsedSpec* parsed) {
  std::string_view item = spec.substr(begin, end - begin);
  size_t eq = item.find('=');
  if (eq == std::string_view::npos) {
    return ParseLevelAt(spec, begin, end, &parsed->default_level);
  }
  size_t eq_offset = begin + eq;
  if (item.find('=', eq + 1) != std::string_view::npos) {
    return SpecError(spec, "more than one '=' in item", begin + item.find('=', eq + 1));
  }
  std::string_view module;
  NQ_RETURN_IF_ERROR(ParseModuleAt(spec, begin, eq_offset, &module));
  LogLevel level;
  NQ_RETURN_IF_ERROR(ParseLevelAt(spec, eq_offset + 1, end, &level));
  for (ModuleLevel& existing : parsed->modules) {
    if (existing.module == module) {
      existing.level = level;  // later items win
      return Status::OK();
    }
  }
  parsed->modules.push_back({std::string(module), level});
  return Status::OK();
}

Status ParseSpec(std::string_view spec, ParsedSpec* parsed) {
  size_t begin = 0;
  while (begin <= spec.size()) {
    size_t comma = spec.find(',', begin);
    size_t end = comma == std::string_view::npos ? spec.size() : comma;
    auto [first, last] = Trim(spec, begin, end);
    if (first < last) NQ_RETURN_IF_ERROR(ParseItem(spec, first, last, parsed));
    begin = end + 1;
  }
  return Status::OK();
}

std::string_view SlotName(const ModuleSlot& slot) {
  return std::string_view(slot.name, slot.name_size);
}

// Whether `module` has a published slot.
// REQUIRES: Backend::config_mu held (so that count is stable).
bool IsPublished(std::string_view module) {
  size_t count = g_levels.count.load(std::memory_order_relaxed);
  for (size_t i = 0; i < count; ++i) {
    if (SlotName(g_levels.slots[i]) == module) return true;
  }
  return false;
}

// Fills the next free slot and then publishes it (note 1).
// REQUIRES: Backend::config_mu held; a free slot; module.size() <= kMaxLogModuleName.
void PublishSlot(std::string_view module, LogLevel level) {
  size_t count = g_levels.count.load(std::memory_order_relaxed);
  ModuleSlot& slot = g_levels.slots[count];
  std::memcpy(slot.name, module.data(), module.size());
  slot.name_size = static_cast<uint8_t>(module.size());
  slot.level.store(static_cast<uint8_t>(level), std::memory_order_relaxed);
  g_levels.count.store(count + 1, std::memory_order_release);
}

// Restores the flag on scope exit, even if the sink throws.
class ScopedFlag {
 public:
  explicit ScopedFlag(bool* flag) : flag_(flag) { *flag_ = true; }
  ~ScopedFlag() { *flag_ = false; }
  ScopedFlag(const ScopedFlag&) = delete;
  ScopedFlag& operator=(const ScopedFlag&) = delete;

 private:
  bool* flag_;
};

thread_local bool t_in_sink = false;

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "unknown";
}

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "warning") lower = "warn";
  for (LogLevel candidate : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo,
                             LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (lower == LogLevelName(candidate)) {
      *level = candidate;
      return true;
    }
  }
  return false;
}

Status ValidateLogSpec(std::string_view spec) {
  ParsedSpec parsed;
  return ParseSpec(spec, &parsed);
}

Status ConfigureLogging(std::string_view spec) {
  ParsedSpec parsed;
  NQ_RETURN_IF_ERROR(ParseSpec(spec, &parsed));

  std::lock_guard<std::mutex> lock(GetBackend().config_mu);
  // Check capacity before changing anything, so errors leave no trace.
  size_t new_names = 0;
  for (const ModuleLevel& entry : parsed.modules) {
    if (!IsPublished(entry.module)) ++new_names;
  }
  if (g_levels.count.load(std::memory_order_relaxed) + new_names > kMaxLogModules) {
    return Status::InvalidArgument(fmt::format(
        "bad log spec \"{}\": more than {} distinct modules configured", spec, kMaxLogModules));
  }

  auto min_level = static_cast<uint8_t>(parsed.default_level);
  // Existing slots: set the named ones, reset the rest to the default.
  size_t count = g_levels.count.load(std::memory_order_relaxed);
  for (size_t i = 0; i < count; ++i) {
    ModuleSlot& slot = g_levels.slots[i];
    uint8_t level = kInheritLevel;
    for (const ModuleLevel& entry : parsed.modules) {
      if (entry.module == SlotName(slot)) level = static_cast<uint8_t>(entry.level);
    }
    slot.level.store(level, std::memory_order_relaxed);
    if (level != kInheritLevel) min_level = std::min(min_level, level);
  }
  for (const ModuleLevel& entry : parsed.modules) {
    if (IsPublished(entry.module)) continue;
    PublishSlot(entry.module, entry.level);
    min_level = std::min(min_level, static_cast<uint8_t>(entry.level));
  }
  g_levels.default_level.store(static_cast<uint8_t>(parsed.default_level),
                               std::memory_order_relaxed);
  g_levels.min_level.store(min_level, std::memory_order_relaxed);
  return Status::OK();
}

void InitLoggingFromEnv() {
  const char* spec = std::getenv("NQDB_LOG");
  if (spec == nullptr) return;
  Status status = ConfigureLogging(spec);
  if (!status.ok()) {
    NQ_LOG_WARN("log", "ignoring NQDB_LOG, keeping previous levels: {}", status.ToString());
  }
}

bool LogEnabled(std::string_view module, LogLevel level) {
  auto wanted = static_cast<uint8_t>(level);
  if (wanted < g_levels.min_level.load(std::memory_order_relaxed)) return false;
  if (level >= LogLevel::kOff) return false;
  size_t count = g_levels.count.load(std::memory_order_acquire);
  for (size_t i = 0; i < count; ++i) {
    const ModuleSlot& slot = g_levels.slots[i];
    if (SlotName(slot) == module) {
      uint8_t threshold = slot.level.load(std::memory_order_relaxed);
      if (threshold != kInheritLevel) return wanted >= threshold;
      break;
    }
  }
  return wanted >= g_levels.default_level.load(std::memory_order_relaxed);
}

namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
thread_local std::string_view t_request_id;

std::string JsonLine(std::string_view module, LogLevel level, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string line = fmt::format("{{\"time\":\"{}.{:03d}Z\",\"level\":\"{}\",\"module\":", stamp,
                                 static_cast<int>(millis), LogLevelName(level));
  AppendJsonString(&line, module);
  if (!t_request_id.empty()) {
    line += ",\"request_id\":";
    AppendJsonString(&line, t_request_id);
  }
  line += ",\"message\":";
  AppendJsonString(&line, message);
  line += '}';
  return line;
}

}  // namespace

void SetLogFormat(LogFormat format) { g_format.store(format, std::memory_order_relaxed); }

bool ParseLogFormat(std::string_view name, LogFormat* format) {
  if (name == "text") {
    *format = LogFormat::kText;
  } else if (name == "json") {
    *format = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

ScopedLogRequestId::ScopedLogRequestId(std::string_view id) : previous_(t_request_id) { t_request_id = id; }
ScopedLogRequestId::~ScopedLogRequestId() { t_request_id = previous_; }

void LogMessage(std::string_view module, LogLevel level, std::string_view message) {
  Backend& backend = GetBackend();
  // t_in_sink: a message logged by the sink itself would deadlock on sink_mu.
  if (!t_in_sink && backend.has_sink.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(backend.sink_mu);
    if (backend.sink) {
      ScopedFlag in_sink(&t_in_sink);
      backend.sink(module, level, message);
      return;
    }
  }
  if (g_format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    // The JSON line carries its own time; stderr gets it whole.
    std::string line = JsonLine(module, level, message);
    line += '\n';
    std::lock_guard<std::mutex> lock(backend.sink_mu);
    std::fwrite(line.data(), 1, line.size(), stderr);
    return;
  }
  if (!t_request_id.empty()) {
    backend.logger->log(ToSpdlog(level), "{:<5} [{}] [req={}] {}", LogLevelName(level), module, t_request_id,
                        message);
    return;
  }
  backend.logger->log(ToSpdlog(level), "{:<5} [{}] {}", LogLevelName(level), module, message);
}

void SetLogSink(LogSink sink) {
  Backend& backend = GetBackend();
  LogSink previous;
  {
    std::lock_guard<std::mutex> lock(backend.sink_mu);
    previous = std::move(backend.sink);
    backend.sink = std::move(sink);
    backend.has_sink.store(static_cast<bool>(backend.sink), std::memory_order_release);
  }
  // `previous` is destroyed here, outside the lock, in case its destructor logs.
}

}  // namespace neuroquantum
