// Value::CastTo: conversions between the SQL types, with PostgreSQL's
// errors and rounding rules.
#include <charconv>
#include <cmath>
#include <limits>

#include "exec/interval.h"
#include "exec/value.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status Invalid(const DataType& type, std::string_view text) {
  return Status::InvalidArgument(fmt::format("invalid input syntax for type {}: \"{}\"", type.ToString(), text))
      .WithSqlState("22P02");
}

Status OutOfRange(const DataType& type) {
  return Status::OutOfRange(fmt::format("value out of range for type {}", type.ToString())).WithSqlState("22003");
}

Status CannotCast(TypeId from, const DataType& to) {
  return Status::InvalidArgument(
             fmt::format("cannot cast type {} to {}", DataType::Of(from).ToString(), to.ToString()))
      .WithSqlState("42846");
}

// Parses trimmed text with an optional leading '+' as an integer or a
// double (whichever `out` is): 22P02 if it is not one, 22003 if too large.
template <typename T>
Status ParseNumberText(const std::string& text, const DataType& type, T* out) {
  std::string_view t = Trim(text);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  if (ec == std::errc::result_out_of_range) return OutOfRange(type);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty()) return Invalid(type, text);
  return Status::OK();
}

Result<Value> ToInteger(const Value& v, const DataType& type) {
  int64_t out = 0;
  switch (v.kind()) {
    case TypeId::kBigInt: out = v.integer(); break;
    case TypeId::kBoolean: out = v.boolean() ? 1 : 0; break;
    case TypeId::kDouble: {
      double r = std::nearbyint(v.dbl());  // half to even, as PostgreSQL's rint
      if (!std::isfinite(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0) return OutOfRange(type);
      out = static_cast<int64_t>(r);
      break;
    }
    case TypeId::kNumeric: {
      NQ_ASSIGN_OR_RETURN(Decimal d, v.numeric().Rescale(0));  // half away from zero
      if (d.unscaled < std::numeric_limits<int64_t>::min() || d.unscaled > std::numeric_limits<int64_t>::max()) {
        return OutOfRange(type);
      }
      out = static_cast<int64_t>(d.unscaled);
      break;
    }
    case TypeId::kText: NQ_RETURN_IF_ERROR(ParseNumberText(v.str(), type, &out)); break;
    default: return CannotCast(v.kind(), type);
  }
  if (out < IntegerMin(type.id) || out > IntegerMax(type.id)) return OutOfRange(type);
  return Value::Integer(out);
}

Result<Value> ToFloating(const Value& v, const DataType& type) {
  double out = 0;
  switch (v.kind()) {
    case TypeId::kBigInt: out = static_cast<double>(v.integer()); break;
    case TypeId::kDouble: out = v.dbl(); break;
    case TypeId::kNumeric: out = v.numeric().ToDouble(); break;
    case TypeId::kText: NQ_RETURN_IF_ERROR(ParseNumberText(v.str(), type, &out)); break;
    default: return CannotCast(v.kind(), type);
  }
  if (type.id == TypeId::kReal) {
    if (std::isfinite(out) && std::fabs(out) > std::numeric_limits<float>::max()) return OutOfRange(type);
    out = static_cast<double>(static_cast<float>(out));
  }
  return Value::Double(out);
}

Result<Value> ToNumeric(const Value& v, const DataType& type) {
  Decimal d;
  switch (v.kind()) {
    case TypeId::kBigInt: d = Decimal{v.integer(), 0}; break;
    case TypeId::kNumeric: d = v.numeric(); break;
    case TypeId::kDouble: {
      if (!std::isfinite(v.dbl())) return OutOfRange(type);
      NQ_ASSIGN_OR_RETURN(d, Decimal::Parse(Value::Double(v.dbl()).ToString()));
      break;
    }
    case TypeId::kText: {
      auto parsed = Decimal::Parse(Trim(v.str()));
      if (!parsed.ok()) return SqlState(parsed.status()) == "22003" ? OutOfRange(type) : Invalid(type, v.str());
      d = *parsed;
      break;
    }
    default: return CannotCast(v.kind(), type);
  }
  if (type.precision > 0) {
    auto scaled = d.Rescale(type.scale);
    if (!scaled.ok() || scaled->IntegerDigits() > type.precision - type.scale) {
      return Status::OutOfRange(fmt::format("numeric field overflow: a field with precision {}, scale {} "
                                            "must round to an absolute value less than 10^{}",
                                            type.precision, type.scale, type.precision - type.scale))
          .WithSqlState("22003");
    }
    d = *scaled;
  }
  return Value::Numeric(d);
}

// Number of UTF-8 code points in `s` (continuation bytes are not counted),
// and the byte length of its first `n` code points.
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

size_t PrefixBytes(std::string_view s, size_t n) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) return i;
  }
  return s.size();
}

Result<Value> ToStringType(const Value& v, const DataType& type, bool assignment) {
  std::string s = v.kind() == TypeId::kText ? v.str() : v.ToString();
  if (type.id == TypeId::kText) return Value::Text(std::move(s));
  size_t length = CodePoints(s);
  if (length > type.length) {
    std::string_view cut(s.data() + PrefixBytes(s, type.length), s.size() - PrefixBytes(s, type.length));
    // Like PostgreSQL: trailing blanks may be cut even on assignment.
    if (assignment && cut.find_first_not_of(' ') != std::string_view::npos) {
      return Status::OutOfRange(fmt::format("value too long for type {}", type.ToString())).WithSqlState("22001");
    }
    s.resize(PrefixBytes(s, type.length));
    length = type.length;
  }
  if (type.id == TypeId::kChar) s.append(type.length - length, ' ');
  return Value::Text(std::move(s));
}

Result<Value> ToBoolean(const Value& v, const DataType& type) {
  switch (v.kind()) {
    case TypeId::kBoolean: return v;
    case TypeId::kBigInt: return Value::Boolean(v.integer() != 0);
    case TypeId::kText: {
      std::string t(Trim(v.str()));
      for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (const char* yes : {"t", "true", "y", "yes", "on", "1"}) {
        if (t == yes) return Value::Boolean(true);
      }
      for (const char* no : {"f", "false", "n", "no", "off", "0"}) {
        if (t == no) return Value::Boolean(false);
      }
      return Invalid(type, v.str());
    }
    default: return CannotCast(v.kind(), type);
  }
}

Result<Value> ToTemporal(const Value& v, const DataType& type) {
  TypeId from = v.kind();
  switch (type.id) {
    case TypeId::kDate:
      if (from == TypeId::kDate) return v;
      if (from == TypeId::kTimestamp) {
        int64_t days = v.temporal() / kMicrosPerDay - (v.temporal() % kMicrosPerDay < 0 ? 1 : 0);
        return Value::Date(static_cast<int32_t>(days));
      }
      if (from == TypeId::kText) {
        NQ_ASSIGN_OR_RETURN(int32_t days, ParseDate(v.str()));
        return Value::Date(days);
      }
      break;
    case TypeId::kTime:
      if (from == TypeId::kTime) return v;
      if (from == TypeId::kTimestamp) {
        int64_t rest = v.temporal() % kMicrosPerDay;
        return Value::Time(rest < 0 ? rest + kMicrosPerDay : rest);
      }
      if (from == TypeId::kText) {
        NQ_ASSIGN_OR_RETURN(int64_t micros, ParseTime(v.str()));
        return Value::Time(micros);
      }
      break;
    case TypeId::kTimestamp:
      if (from == TypeId::kTimestamp) return v;
      if (from == TypeId::kDate) {
        int64_t micros = 0;
        if (__builtin_mul_overflow(v.temporal(), kMicrosPerDay, &micros)) {
          return Status::OutOfRange("timestamp out of range").WithSqlState("22008");
        }
        return Value::Timestamp(micros);
      }
      if (from == TypeId::kText) {
        NQ_ASSIGN_OR_RETURN(int64_t micros, ParseTimestamp(v.str()));
        return Value::Timestamp(micros);
      }
      break;
    default: break;
  }
  return CannotCast(from, type);
}

}  // namespace

Result<Value> Value::CastTo(const DataType& type, bool assignment) const {
  if (is_null()) return Value();
  switch (type.id) {
    case TypeId::kNull: return CannotCast(kind_, type);
    case TypeId::kBoolean: return ToBoolean(*this, type);
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt: return ToInteger(*this, type);
    case TypeId::kReal:
    case TypeId::kDouble: return ToFloating(*this, type);
    case TypeId::kNumeric: return ToNumeric(*this, type);
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kChar: return ToStringType(*this, type, assignment);
    case TypeId::kBlob:
      if (kind_ == TypeId::kBlob || kind_ == TypeId::kText) return Value::Blob(str_);
      return CannotCast(kind_, type);
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp: return ToTemporal(*this, type);
    case TypeId::kInterval:
      if (kind_ == TypeId::kInterval) return *this;
      if (kind_ == TypeId::kText) return ParseInterval(str_);
      if (kind_ == TypeId::kTime) return Value::Interval(0, int_);
      return CannotCast(kind_, type);
  }
  return CannotCast(kind_, type);
}

}  // namespace neuroquantum::exec
