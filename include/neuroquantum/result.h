// Result<T>: either a value of type T or a non-OK Status. Modeled on
// absl::StatusOr.
//
// Thread safety: value type, same rules as Status.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "neuroquantum/status.h"

namespace neuroquantum {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok() — an OK Result must carry a value.
  Result(Status status) : status_(std::move(status)) {  // NOLINT(implicit)
    assert(!status_.ok() && "Result constructed from OK status without value");
  }
  Result(T value) : value_(std::move(value)) {}  // NOLINT(implicit)

  bool ok() const { return status_.ok(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok().
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace neuroquantum

#define NQ_CONCAT_INNER_(a, b) a##b
#define NQ_CONCAT_(a, b) NQ_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, otherwise
// move-assigns the value to `lhs` (which may be a declaration).
#define NQ_ASSIGN_OR_RETURN(lhs, rexpr) \
  NQ_ASSIGN_OR_RETURN_IMPL_(NQ_CONCAT_(nq_result_, __LINE__), lhs, rexpr)
#define NQ_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()
