// Helpers for the function tests: values from literals, results as
// "kind:text" strings that name their SQLite type, calls by function name.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exec/functions.h"

namespace neuroquantum::exec::testing {

inline Value Num(std::string_view text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? Value::Numeric(*d) : Value();
}

inline Value Int(int64_t v) { return Value::Integer(v); }
inline Value Dbl(double v) { return Value::Double(v); }
inline Value Txt(std::string v) { return Value::Text(std::move(v)); }

// "null", "integer:5", "real:2.5", "numeric:1.50", "text:abc", ... or
// "error 22003".
inline std::string Show(const Result<Value>& r) {
  if (!r.ok()) return "error " + std::string(SqlState(r.status()));
  const Value& v = *r;
  Value kind = FindScalarFunction("typeof")->fn(std::span<const Value>(&v, 1)).value();
  if (v.is_null()) return "null";
  return kind.str() + ":" + v.ToString();
}

inline Result<Value> Call(std::string_view name, std::vector<Value> args) {
  const ScalarFunction* f = FindScalarFunction(name);
  EXPECT_NE(f, nullptr) << name;
  if (f == nullptr) return Status::NotFound(name);
  return f->fn(args);
}

inline std::string ShowCall(std::string_view name, std::vector<Value> args) {
  return Show(Call(name, std::move(args)));
}

}  // namespace neuroquantum::exec::testing
