// Status implementation: code names and message formatting.
#include "neuroquantum/status.h"

namespace neuroquantum {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotSupported: return "NotSupported";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kBusy: return "Busy";
    case StatusCode::kNoSpace: return "NoSpace";
    case StatusCode::kReadOnly: return "ReadOnly";
    case StatusCode::kAborted: return "Aborted";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kOutOfRange: return "OutOfRange";
    case StatusCode::kTimedOut: return "TimedOut";
    case StatusCode::kDeadlock: return "Deadlock";
    case StatusCode::kSerializationFailure: return "SerializationFailure";
    case StatusCode::kReadOnlyTransaction: return "ReadOnlyTransaction";
  }
  return "Unknown";
}

// PostgreSQL's codes where one fits (errcodes.txt classes 08, 22, 25, 40,
// 42, 53, 55, 58, XX).
std::string_view SqlState(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "00000";
    case StatusCode::kNotFound: return "42704";         // undefined_object
    case StatusCode::kCorruption: return "XX001";       // data_corrupted
    case StatusCode::kIOError: return "58030";          // io_error
    case StatusCode::kInvalidArgument: return "22023";  // invalid_parameter_value
    case StatusCode::kNotSupported: return "0A000";     // feature_not_supported
    case StatusCode::kAlreadyExists: return "42710";    // duplicate_object
    case StatusCode::kBusy: return "55006";             // object_in_use
    case StatusCode::kNoSpace: return "53100";          // disk_full
    case StatusCode::kReadOnly: return "25006";         // read_only_sql_transaction
    case StatusCode::kAborted: return "25P02";          // in_failed_sql_transaction
    case StatusCode::kInternal: return "XX000";         // internal_error
    case StatusCode::kOutOfRange: return "22003";       // numeric_value_out_of_range
    case StatusCode::kTimedOut: return "55P03";         // lock_not_available
    case StatusCode::kDeadlock: return "40P01";         // deadlock_detected
    case StatusCode::kSerializationFailure: return "40001";
    case StatusCode::kReadOnlyTransaction: return "25006";
  }
  return "XX000";
}

Status::Status(StatusCode code, std::string_view message) {
  if (code != StatusCode::kOk) {
    rep_ = std::make_unique<Rep>(Rep{code, std::string(message), std::string()});
  }
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) {
    rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  }
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += rep_->message;
  Status out(rep_->code, msg);
  out.rep_->sqlstate = rep_->sqlstate;
  return out;
}

Status Status::WithSqlState(std::string_view sqlstate) const {
  if (ok()) return *this;
  Status out = *this;
  out.rep_->sqlstate = std::string(sqlstate);
  return out;
}

std::string_view SqlState(const Status& status) {
  return status.sqlstate().empty() ? SqlState(status.code()) : status.sqlstate();
}

}  // namespace neuroquantum
