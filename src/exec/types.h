// SQL data types of QSQL columns and values (docs/adr/0004-qsql-execution.md).
//
// A DataType is a type id plus its parameters: VARCHAR(n)/CHAR(n) carry a
// length, NUMERIC(p, s) a precision and scale. Names as written in SQL map
// onto these ids through DataTypeFromName, which knows the PostgreSQL,
// MySQL and SQLite spellings the issue lists (INT, INT4, DOUBLE PRECISION,
// CHARACTER VARYING, BYTEA, ...).
//
// Thread safety: value types.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "neuroquantum/result.h"

namespace neuroquantum::exec {

enum class TypeId : uint8_t {
  kNull,       // the type of a bare NULL literal, before it meets a context
  kBoolean,
  kSmallInt,   // 16-bit
  kInteger,    // 32-bit
  kBigInt,     // 64-bit
  kReal,       // single precision
  kDouble,     // double precision
  kNumeric,    // exact decimal, precision <= 38
  kText,       // unbounded UTF-8
  kVarchar,    // UTF-8, at most `length` characters
  kChar,       // UTF-8, blank-padded to `length` characters
  kBlob,
  kDate,
  kTime,
  kTimestamp,
  kInterval,   // months + microseconds (exec/interval.h)
};

// NUMERIC precision limit: values are 128-bit scaled integers.
inline constexpr int kMaxNumericPrecision = 38;

struct DataType {
  TypeId id = TypeId::kNull;
  uint32_t length = 0;    // kVarchar, kChar: characters; 0 for others
  uint8_t precision = 0;  // kNumeric: total digits, 0 = unconstrained (max)
  uint8_t scale = 0;      // kNumeric: digits after the point

  static DataType Of(TypeId id) { return DataType{id, 0, 0, 0}; }
  bool operator==(const DataType&) const = default;

  bool is_integer() const {
    return id == TypeId::kSmallInt || id == TypeId::kInteger || id == TypeId::kBigInt;
  }
  bool is_floating() const { return id == TypeId::kReal || id == TypeId::kDouble; }
  bool is_numeric() const { return is_integer() || is_floating() || id == TypeId::kNumeric; }
  bool is_string() const { return id == TypeId::kText || id == TypeId::kVarchar || id == TypeId::kChar; }
  bool is_temporal() const { return id == TypeId::kDate || id == TypeId::kTime || id == TypeId::kTimestamp; }

  // Canonical SQL spelling: "INTEGER", "VARCHAR(10)", "NUMERIC(10,2)".
  std::string ToString() const;
};

// The type a column declared as `name` with `params` has. `name` is the
// type's words upper-cased and joined by single spaces, as the parser
// produces them. Errors (InvalidArgument with SQLSTATE 42704 for an unknown
// name, 22023 for bad parameters) name the type.
Result<DataType> DataTypeFromName(std::string_view name, std::span<const std::string> params);

// The range of an integer type.
inline int64_t IntegerMin(TypeId id) {
  switch (id) {
    case TypeId::kSmallInt: return std::numeric_limits<int16_t>::min();
    case TypeId::kInteger: return std::numeric_limits<int32_t>::min();
    default: return std::numeric_limits<int64_t>::min();
  }
}
inline int64_t IntegerMax(TypeId id) {
  switch (id) {
    case TypeId::kSmallInt: return std::numeric_limits<int16_t>::max();
    case TypeId::kInteger: return std::numeric_limits<int32_t>::max();
    default: return std::numeric_limits<int64_t>::max();
  }
}

}  // namespace neuroquantum::exec
