// DataType names and parameters.
#include "exec/types.h"

#include <charconv>
#include <limits>
#include <vector>

#include "fmt/format.h"

namespace neuroquantum::exec {

namespace {

struct Alias {
  std::string_view name;
  TypeId id;
};

// Spellings of PostgreSQL, MySQL and SQLite. SERIAL-like and identity
// columns are integer columns with a generated default; the binder handles
// that part, so they do not appear here. INTEGER and INT are 64-bit, as in
// SQLite; INT4 and MEDIUMINT are the 32-bit type.
constexpr Alias kAliases[] = {
    {"BOOLEAN", TypeId::kBoolean},   {"BOOL", TypeId::kBoolean},
    {"SMALLINT", TypeId::kSmallInt}, {"INT2", TypeId::kSmallInt},
    {"INTEGER", TypeId::kBigInt},    {"INT", TypeId::kBigInt},
    {"INT4", TypeId::kInteger},      {"MEDIUMINT", TypeId::kInteger},
    {"BIGINT", TypeId::kBigInt},     {"INT8", TypeId::kBigInt},
    {"REAL", TypeId::kReal},         {"FLOAT4", TypeId::kReal},
    {"FLOAT", TypeId::kDouble},      {"FLOAT8", TypeId::kDouble},
    {"DOUBLE", TypeId::kDouble},     {"DOUBLE PRECISION", TypeId::kDouble},
    {"NUMERIC", TypeId::kNumeric},   {"DECIMAL", TypeId::kNumeric},
    {"DEC", TypeId::kNumeric},       {"TEXT", TypeId::kText},
    {"VARCHAR", TypeId::kVarchar},   {"CHARACTER VARYING", TypeId::kVarchar},
    {"CHAR", TypeId::kChar},         {"CHARACTER", TypeId::kChar},
    {"BLOB", TypeId::kBlob},         {"BYTEA", TypeId::kBlob},
    {"DATE", TypeId::kDate},         {"TIME", TypeId::kTime},
    {"TIMESTAMP", TypeId::kTimestamp},   {"INTERVAL", TypeId::kInterval},
};

Status BadParams(std::string_view name, std::string_view why) {
  return Status::InvalidArgument(fmt::format("type {}: {}", name, why)).WithSqlState("22023");
}

Result<int64_t> ParamValue(std::string_view name, const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return BadParams(name, fmt::format("parameter '{}' is not an integer", text));
  }
  return v;
}

}  // namespace

Result<DataType> DataTypeFromName(std::string_view name, std::span<const std::string> params) {
  const Alias* found = nullptr;
  for (const Alias& a : kAliases) {
    if (a.name == name) found = &a;
  }
  if (found == nullptr) {
    return Status::InvalidArgument(fmt::format("type \"{}\" does not exist", name)).WithSqlState("42704");
  }
  DataType type = DataType::Of(found->id);
  std::vector<int64_t> values;
  for (const std::string& p : params) {
    NQ_ASSIGN_OR_RETURN(int64_t v, ParamValue(name, p));
    values.push_back(v);
  }
  switch (type.id) {
    case TypeId::kVarchar:
    case TypeId::kChar: {
      if (values.size() > 1) return BadParams(name, "takes one length");
      int64_t length = values.empty() ? (type.id == TypeId::kChar ? 1 : 0) : values[0];
      if (!values.empty() && (length < 1 || length > 10'485'760)) {
        return BadParams(name, "length must be between 1 and 10485760");
      }
      // VARCHAR without a length is unbounded: TEXT by another name.
      if (type.id == TypeId::kVarchar && values.empty()) return DataType::Of(TypeId::kText);
      type.length = static_cast<uint32_t>(length);
      return type;
    }
    case TypeId::kNumeric: {
      if (values.size() > 2) return BadParams(name, "takes a precision and a scale");
      int64_t precision = values.empty() ? 0 : values[0];
      int64_t scale = values.size() > 1 ? values[1] : 0;
      if (!values.empty() && (precision < 1 || precision > kMaxNumericPrecision)) {
        return BadParams(name, fmt::format("precision must be between 1 and {}", kMaxNumericPrecision));
      }
      if (scale < 0 || (precision > 0 && scale > precision)) {
        return BadParams(name, "scale must be between 0 and the precision");
      }
      type.precision = static_cast<uint8_t>(precision);
      type.scale = static_cast<uint8_t>(scale);
      return type;
    }
    case TypeId::kDouble:
      // FLOAT(p): p <= 24 is single precision, as in PostgreSQL.
      if (name == "FLOAT" && values.size() == 1) {
        if (values[0] < 1 || values[0] > 53) return BadParams(name, "precision must be between 1 and 53");
        return DataType::Of(values[0] <= 24 ? TypeId::kReal : TypeId::kDouble);
      }
      [[fallthrough]];
    default:
      // MySQL's display widths (INT(11)) are accepted and ignored.
      if (type.is_integer() && values.size() == 1) return type;
      if (!values.empty()) return BadParams(name, "takes no parameters");
      return type;
  }
}

std::string DataType::ToString() const {
  switch (id) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kSmallInt: return "SMALLINT";
    case TypeId::kInteger: return "INT4";
    case TypeId::kBigInt: return "BIGINT";
    case TypeId::kReal: return "REAL";
    case TypeId::kDouble: return "DOUBLE PRECISION";
    case TypeId::kNumeric:
      if (precision == 0) return "NUMERIC";
      return fmt::format("NUMERIC({},{})", precision, scale);
    case TypeId::kText: return "TEXT";
    case TypeId::kVarchar: return fmt::format("VARCHAR({})", length);
    case TypeId::kChar: return fmt::format("CHAR({})", length);
    case TypeId::kBlob: return "BLOB";
    case TypeId::kDate: return "DATE";
    case TypeId::kTime: return "TIME";
    case TypeId::kTimestamp: return "TIMESTAMP";
    case TypeId::kInterval: return "INTERVAL";
  }
  return "?";
}

}  // namespace neuroquantum::exec
