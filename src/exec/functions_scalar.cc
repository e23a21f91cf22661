// The scalar function registry (FindScalarFunction) and the functions about
// NULLs and kinds: COALESCE, IFNULL, NULLIF, GREATEST, LEAST, TYPEOF.
//
// Every registered function is wrapped by Guarded, which checks the
// argument count and, for functions that do not handle NULL, returns NULL
// on a NULL argument; so a caller that skips those checks still gets a
// Status, never a crash.
#include <algorithm>
#include <array>

#include "exec/functions.h"
#include "exec/internal/functions_internal.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace {

using internal::ScalarFn;

Result<Value> Coalesce(std::span<const Value> args) {
  for (const Value& v : args) {
    if (!v.is_null()) return v;
  }
  return Value();
}

Result<Value> NullIf(std::span<const Value> args) {
  if (args[0].is_null()) return Value();
  NQ_ASSIGN_OR_RETURN(std::optional<int> c, args[0].Compare(args[1]));
  return c == 0 ? Value() : args[0];
}

// GREATEST and LEAST skip NULLs (PostgreSQL); all NULL gives NULL. Kinds
// that do not compare are an error (42883), as for the comparison operators.
Result<Value> Extreme(std::span<const Value> args, int want) {
  const Value* best = nullptr;
  for (const Value& v : args) {
    if (v.is_null()) continue;
    if (best == nullptr) {
      best = &v;
      continue;
    }
    NQ_ASSIGN_OR_RETURN(std::optional<int> c, v.Compare(*best));
    if (c == want) best = &v;
  }
  return best == nullptr ? Value() : *best;
}

Result<Value> Greatest(std::span<const Value> args) { return Extreme(args, 1); }

Result<Value> Least(std::span<const Value> args) { return Extreme(args, -1); }

Result<Value> TypeOf(std::span<const Value> args) {
  switch (args[0].kind()) {
    case TypeId::kNull: return Value::Text("null");
    case TypeId::kBoolean: return Value::Text("boolean");
    case TypeId::kDouble: return Value::Text("real");
    case TypeId::kNumeric: return Value::Text("numeric");
    case TypeId::kText: return Value::Text("text");
    case TypeId::kBlob: return Value::Text("blob");
    case TypeId::kDate: return Value::Text("date");
    case TypeId::kTime: return Value::Text("time");
    case TypeId::kTimestamp: return Value::Text("timestamp");
    case TypeId::kInterval: return Value::Text("interval");
    default: return Value::Text("integer");  // every integer width is held as BIGINT
  }
}

template <ScalarFn kFn, int kMin, int kMax, bool kHandlesNull>
Result<Value> Guarded(std::span<const Value> args) {
  auto count = static_cast<int64_t>(args.size());
  if (count < kMin || (kMax >= 0 && count > kMax)) {
    return internal::UndefinedFunctionError(fmt::format("function called with {} arguments", count));
  }
  if constexpr (!kHandlesNull) {
    for (const Value& v : args) {
      if (v.is_null()) return Value();
    }
  }
  return kFn(args);
}

template <ScalarFn kFn, int kMin, int kMax, bool kHandlesNull = false, bool kDeterministic = true>
constexpr ScalarFunction Def(std::string_view name) {
  return ScalarFunction{name, kMin, kMax, kHandlesNull, kDeterministic, &Guarded<kFn, kMin, kMax, kHandlesNull>};
}

namespace str = internal::string_fn;
namespace num = internal::numeric_fn;

// Lower-case names; aliases are separate entries.
constexpr std::array kFunctions = {
    Def<str::Length, 1, 1>("length"),
    Def<str::Length, 1, 1>("char_length"),
    Def<str::Length, 1, 1>("character_length"),
    Def<str::Lower, 1, 1>("lower"),
    Def<str::Upper, 1, 1>("upper"),
    Def<str::Substr, 2, 3>("substr"),
    Def<str::Substr, 2, 3>("substring"),
    Def<str::Trim, 1, 2>("trim"),
    Def<str::LTrim, 1, 2>("ltrim"),
    Def<str::RTrim, 1, 2>("rtrim"),
    Def<str::Replace, 3, 3>("replace"),
    Def<str::Instr, 2, 2>("instr"),
    Def<str::Position, 2, 2>("position"),
    Def<str::ConcatAll, 1, -1, true>("concat"),
    Def<str::LPad, 2, 3>("lpad"),
    Def<str::RPad, 2, 3>("rpad"),
    Def<num::Abs, 1, 1>("abs"),
    Def<num::Round, 1, 2>("round"),
    Def<num::Ceil, 1, 1>("ceil"),
    Def<num::Ceil, 1, 1>("ceiling"),
    Def<num::Floor, 1, 1>("floor"),
    Def<num::Mod, 2, 2>("mod"),
    Def<num::Power, 2, 2>("power"),
    Def<num::Power, 2, 2>("pow"),
    Def<num::Sqrt, 1, 1>("sqrt"),
    Def<num::Sign, 1, 1>("sign"),
    Def<num::Random, 0, 0, false, false>("random"),
    Def<Coalesce, 1, -1, true>("coalesce"),
    Def<Coalesce, 2, 2, true>("ifnull"),
    Def<NullIf, 2, 2, true>("nullif"),
    Def<Greatest, 1, -1, true>("greatest"),
    Def<Least, 1, -1, true>("least"),
    Def<TypeOf, 1, 1, true>("typeof"),
};

Result<Value> Raise(std::span<const Value> args) {
  if (args[0].integer() == 0) return Status::Aborted("RAISE(IGNORE)").WithSqlState(kRaiseIgnoreState);
  std::string message = args.size() > 1 && !args[1].is_null() ? args[1].ToString() : std::string("RAISE()");
  return Status::InvalidArgument(std::move(message)).WithSqlState("P0001");
}

constexpr ScalarFunction kRaise = Def<Raise, 1, 2, true, false>("raise");

bool EqualsIgnoringCase(std::string_view lower, std::string_view name) {
  return lower.size() == name.size() && std::equal(lower.begin(), lower.end(), name.begin(), [](char a, char b) {
           return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
         });
}

}  // namespace

const ScalarFunction* RaiseFunction() { return &kRaise; }

const ScalarFunction* FindScalarFunction(std::string_view name) {
  for (const ScalarFunction& f : kFunctions) {
    if (EqualsIgnoringCase(f.name, name)) return &f;
  }
  return internal::FindDateTimeFunction(name);
}

}  // namespace neuroquantum::exec
