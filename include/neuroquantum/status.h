// Status: the outcome of an operation that can fail for expected reasons
// (I/O, corruption, not found, bad input). Modeled on LevelDB's Status and
// Abseil's absl::Status.
//
// Thread safety: a Status is a value type; distinct objects may be used from
// different threads, a single object needs external synchronisation for
// mutation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace neuroquantum {

// Error codes callers branch on. Values are part of the public API and appear
// in logs and client protocols: do not change or reuse them.
enum class StatusCode : uint8_t {
  kOk = 0,
  kNotFound = 1,         // key, table, file does not exist
  kCorruption = 2,       // stored data fails a checksum or invariant
  kIOError = 3,          // the OS reported an I/O failure
  kInvalidArgument = 4,  // caller passed something malformed
  kNotSupported = 5,     // feature or format version not supported
  kAlreadyExists = 6,    // object being created exists
  kBusy = 7,             // resource locked by someone else (e.g. file lock)
  kNoSpace = 8,          // disk full (ENOSPC)
  kReadOnly = 9,         // database is in a sticky read-only error state
  kAborted = 10,         // transaction aborted
  kInternal = 11,        // an invariant broke; a bug
  kOutOfRange = 12,      // value outside allowed range (e.g. key too large)
  kTimedOut = 13,        // lock or operation timeout (SQLSTATE 55P03 for locks)
  kDeadlock = 14,        // chosen as a deadlock victim (SQLSTATE 40P01); retry
  kSerializationFailure = 15,  // concurrent update or read/write conflict (40001); retry
  kReadOnlyTransaction = 16,   // a write in a READ ONLY transaction (SQLSTATE 25006)
};

// Returns the stable name of a code, e.g. "Corruption".
std::string_view StatusCodeName(StatusCode code);
// The SQLSTATE a code reports to SQL clients when nothing more specific
// applies (e.g. "40P01" for kDeadlock, "XX000" for kInternal).
std::string_view SqlState(StatusCode code);
class Status;
// The status's own SQLSTATE if it carries one (WithSqlState), else the
// code's.
std::string_view SqlState(const Status& status);

class [[nodiscard]] Status {
 public:
  // Creates a success status. Cheap: no allocation.
  Status() noexcept = default;
  Status(StatusCode code, std::string_view message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&& other) noexcept = default;
  Status& operator=(Status&& other) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return {StatusCode::kNotFound, msg}; }
  static Status Corruption(std::string_view msg) { return {StatusCode::kCorruption, msg}; }
  static Status IOError(std::string_view msg) { return {StatusCode::kIOError, msg}; }
  static Status InvalidArgument(std::string_view msg) {
    return {StatusCode::kInvalidArgument, msg};
  }
  static Status NotSupported(std::string_view msg) { return {StatusCode::kNotSupported, msg}; }
  static Status AlreadyExists(std::string_view msg) { return {StatusCode::kAlreadyExists, msg}; }
  static Status Busy(std::string_view msg) { return {StatusCode::kBusy, msg}; }
  static Status NoSpace(std::string_view msg) { return {StatusCode::kNoSpace, msg}; }
  static Status ReadOnly(std::string_view msg) { return {StatusCode::kReadOnly, msg}; }
  static Status Aborted(std::string_view msg) { return {StatusCode::kAborted, msg}; }
  static Status Internal(std::string_view msg) { return {StatusCode::kInternal, msg}; }
  static Status OutOfRange(std::string_view msg) { return {StatusCode::kOutOfRange, msg}; }
  static Status TimedOut(std::string_view msg) { return {StatusCode::kTimedOut, msg}; }
  static Status Deadlock(std::string_view msg) { return {StatusCode::kDeadlock, msg}; }
  static Status SerializationFailure(std::string_view msg) {
    return {StatusCode::kSerializationFailure, msg};
  }
  static Status ReadOnlyTransaction(std::string_view msg) {
    return {StatusCode::kReadOnlyTransaction, msg};
  }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The message without the code prefix; empty for OK.
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }

  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsIOError() const { return code() == StatusCode::kIOError; }

  // "OK" or "<CodeName>: <message>".
  std::string ToString() const;

  // Returns a copy with "context: " prepended to the message.
  Status WithContext(std::string_view context) const;
  // Returns a copy that reports `sqlstate` (five characters, e.g. "22003")
  // to SQL clients instead of the code's default. No effect on OK.
  Status WithSqlState(std::string_view sqlstate) const;
  // The SQLSTATE set by WithSqlState; empty if none.
  std::string_view sqlstate() const { return rep_ ? std::string_view(rep_->sqlstate) : ""; }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string sqlstate;
  };
  std::unique_ptr<Rep> rep_;  // null means OK
};

}  // namespace neuroquantum

// Evaluates `expr` (a Status); returns it from the enclosing function if not OK.
#define NQ_RETURN_IF_ERROR(expr)                   \
  do {                                             \
    ::neuroquantum::Status nq_status_ = (expr);    \
    if (!nq_status_.ok()) return nq_status_;       \
  } while (0)
