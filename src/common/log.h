// Logging with per-module levels. Every log line names the module that wrote
// it ("storage", "wal", "buffer", "btree", "server", "sql", "shell"; see
// docs/reference/logging.md) and each module can be given its own threshold:
//
//   NQDB_LOG=storage=debug,wal=trace,info
//
// means "wal logs trace and up, storage debug and up, everything else info
// and up". Output goes to stderr through spdlog; spdlog stays out of this
// header because it is included almost everywhere.
//
// Usage:
//   NQ_LOG_DEBUG("wal", "switched to segment {} at lsn {}", segment, lsn);
//
// The arguments are only evaluated and formatted when the level is enabled
// for the module, so a disabled NQ_LOG costs a function call and an atomic
// load.
//
// Thread safety: every function here may be called concurrently from any
// thread. ConfigureLogging is not atomic with respect to concurrent
// LogEnabled calls: while it runs, a reader may briefly see a mix of the old
// and the new levels (never a torn or invalid one).
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "neuroquantum/status.h"

namespace neuroquantum {

// Severity of a message, and threshold of a module. A message is written when
// its level is >= the module's threshold. kOff as a threshold silences a
// module; as a message level it is never written.
enum class LogLevel : uint8_t {
  kTrace = 0,
  kDebug = 1,
  kInfo = 2,
  kWarn = 3,
  kError = 4,
  kOff = 5,
};

// Most modules that may have their own level at once. Module names are
// at most kMaxLogModuleName bytes of [A-Za-z0-9_.-].
inline constexpr size_t kMaxLogModules = 32;
inline constexpr size_t kMaxLogModuleName = 31;

// "trace", "debug", "info", "warn", "error" or "off".
std::string_view LogLevelName(LogLevel level);

// Parses a level name, case-insensitively ("warning" is accepted for warn).
// Returns false, leaving *level alone, when `name` is not a level.
bool ParseLogLevel(std::string_view name, LogLevel* level);

// Checks the syntax of a spec without applying it (see ConfigureLogging).
[[nodiscard]] Status ValidateLogSpec(std::string_view spec);

// Replaces the whole logging configuration with `spec`, a comma-separated
// list of items, each either
//   level          the default for modules not named elsewhere
//   module=level   the threshold for one module
// Whitespace around items and around '=' is ignored, as are empty items.
// Later items win over earlier ones. Modules not named use the default, and
// the default is info unless the spec has a bare level; so "" restores the
// initial configuration.
// Errors: InvalidArgument naming the 1-based column of the offending item,
// e.g. `bad log spec "wal=loud": unknown level "loud" at column 5`. On error
// the configuration is left unchanged.
[[nodiscard]] Status ConfigureLogging(std::string_view spec);

// Applies the spec in the NQDB_LOG environment variable, if set. A bad spec
// is reported as a warning on the log and the previous configuration stays.
void InitLoggingFromEnv();

// Whether a message of `level` from `module` would be written. Cheap: no
// allocation, no lock; one atomic load when the level is below every
// configured threshold.
bool LogEnabled(std::string_view module, LogLevel level);

// Writes one line: timestamp, level, "[module]", message. Does not check
// LogEnabled (the NQ_LOG macros do). Goes to the sink set by SetLogSink if
// any, else to stderr.
//
// A request's correlation id, when the calling thread is inside a
// ScopedLogRequestId, follows "[module]" as "[req=<id>]" (or is the
// "request_id" field in JSON), so callers of NQ_LOG need not pass it and
// storage and SQL code stay unaware of requests.
void LogMessage(std::string_view module, LogLevel level, std::string_view message);

// Line format of stderr output: text (the default) or one JSON object per
// line with fields time, level, module, request_id (when set) and message.
enum class LogFormat : uint8_t { kText, kJson };
void SetLogFormat(LogFormat format);
bool ParseLogFormat(std::string_view name, LogFormat* format);

// Sets the calling thread's request id for its lifetime (restoring the
// previous one after). `id` must outlive the scope.
class ScopedLogRequestId {
 public:
  explicit ScopedLogRequestId(std::string_view id);
  ~ScopedLogRequestId();
  ScopedLogRequestId(const ScopedLogRequestId&) = delete;
  ScopedLogRequestId& operator=(const ScopedLogRequestId&) = delete;

 private:
  std::string_view previous_;
};

// Receives every message LogMessage writes instead of stderr. The views are
// valid only during the call.
using LogSink =
    std::function<void(std::string_view module, LogLevel level, std::string_view message)>;

// Installs `sink` (an empty function restores stderr). Meant for tests.
// Calls into the sink are serialised. After SetLogSink returns, no call into
// the previous sink is in progress or will start. A message logged from
// inside the sink (directly or through code it calls) goes to stderr instead
// of recursing.
void SetLogSink(LogSink sink);

namespace log_internal {

// Formats into a stack buffer so that short messages do not allocate.
template <typename... Args>
void FormatAndLog(std::string_view module, LogLevel level, fmt::format_string<Args...> format,
                  Args&&... args) {
  fmt::memory_buffer buffer;
  fmt::format_to(std::back_inserter(buffer), format, std::forward<Args>(args)...);
  LogMessage(module, level, std::string_view(buffer.data(), buffer.size()));
}

}  // namespace log_internal
}  // namespace neuroquantum

// Logs a fmt-style message (format string checked at compile time) when
// `level` is enabled for `module`. The arguments are not evaluated otherwise.
#define NQ_LOG(module, level, ...)                                              \
  do {                                                                          \
    if (::neuroquantum::LogEnabled((module), (level))) {                        \
      ::neuroquantum::log_internal::FormatAndLog((module), (level), __VA_ARGS__); \
    }                                                                           \
  } while (0)

#define NQ_LOG_TRACE(module, ...) NQ_LOG(module, ::neuroquantum::LogLevel::kTrace, __VA_ARGS__)
#define NQ_LOG_DEBUG(module, ...) NQ_LOG(module, ::neuroquantum::LogLevel::kDebug, __VA_ARGS__)
#define NQ_LOG_INFO(module, ...) NQ_LOG(module, ::neuroquantum::LogLevel::kInfo, __VA_ARGS__)
#define NQ_LOG_WARN(module, ...) NQ_LOG(module, ::neuroquantum::LogLevel::kWarn, __VA_ARGS__)
#define NQ_LOG_ERROR(module, ...) NQ_LOG(module, ::neuroquantum::LogLevel::kError, __VA_ARGS__)
