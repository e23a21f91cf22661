// Row records and key columns.
#include "exec/row_codec.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/coding.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace {

using U128 = UInt128;

// The kind a value of declared type `id` has once cast (a value's own
// kind for a value kind).
TypeId StoredKindOf(TypeId id) {
  switch (id) {
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt: return TypeId::kBigInt;
    case TypeId::kReal:
    case TypeId::kDouble: return TypeId::kDouble;
    case TypeId::kVarchar:
    case TypeId::kChar:
    case TypeId::kText: return TypeId::kText;
    default: return id;
  }
}

TypeId StoredKind(const DataType& type) { return StoredKindOf(type.id); }

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutVarint128(std::string* out, U128 v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(static_cast<uint8_t>(v) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// The bytes of one record as two pointers, which the decoding loop keeps in
// registers (a string_view updates a pointer and a length per byte read).
struct RecordBytes {
  const uint8_t* p;
  const uint8_t* end;

  explicit RecordBytes(std::string_view bytes)
      : p(reinterpret_cast<const uint8_t*>(bytes.data())), end(p + bytes.size()) {}
  size_t remaining() const { return static_cast<size_t>(end - p); }
  bool Fixed8(uint8_t* v) {
    if (p == end) return false;
    *v = *p++;
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    *v = DecodeFixed64(p);
    p += 8;
    return true;
  }
  bool Skip(size_t n) {
    if (remaining() < n) return false;
    p += n;
    return true;
  }
  // A varint of at most 10 bytes; one byte is the common case.
  bool Varint(uint64_t* v) {
    if (p != end && *p < 0x80) {
      *v = *p++;
      return true;
    }
    return VarintSlow(v);
  }
  bool VarintSlow(uint64_t* v) {
    const size_t n = std::min<size_t>(remaining(), 10);
    uint64_t result = 0;
    for (size_t i = 0; i < n; ++i) {
      result |= static_cast<uint64_t>(p[i] & 0x7f) << (7 * i);
      if (p[i] < 0x80) {
        if (i == 9 && p[i] > 1) return false;  // would overflow 64 bits
        *v = result;
        p += i + 1;
        return true;
      }
    }
    return false;  // truncated, or more than 10 bytes
  }
  // Steps over a varint of at most `max_bytes` (8 or more) bytes.
  bool SkipVarint(size_t max_bytes) {
    if (remaining() >= 8) {
      if (const uint64_t stops = ~DecodeFixed64(p) & 0x8080808080808080ull) {
        p += (std::countr_zero(stops) >> 3) + 1;
        return true;
      }
    }
    const size_t n = std::min(max_bytes, remaining());
    for (size_t i = 0; i < n; ++i) {
      if (p[i] < 0x80) {
        p += i + 1;
        return true;
      }
    }
    return false;
  }
  // Steps past the `n`th byte below 0x80 from here (n >= 1), eight bytes
  // at a time while the record has them.
  bool SkipEnds(uint32_t n) {
    while (remaining() >= 8) {
      for (uint64_t ends = ~DecodeFixed64(p) & 0x8080808080808080ull; ends != 0; ends &= ends - 1) {
        if (--n == 0) {
          p += (std::countr_zero(ends) >> 3) + 1;
          return true;
        }
      }
      p += 8;
    }
    while (p != end) {
      if (*p++ < 0x80 && --n == 0) return true;
    }
    return false;
  }
  bool LengthPrefixed(std::string_view* out) {
    uint64_t len;
    if (!Varint(&len) || len > remaining()) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p), len);
    p += len;
    return true;
  }
};

bool GetVarint128(RecordBytes* in, U128* v) {
  // The first 63 bits in 64-bit arithmetic: most numbers end there.
  uint64_t low = 0;
  int shift = 0;
  for (; shift < 63; shift += 7) {
    uint8_t b;
    if (!in->Fixed8(&b)) return false;
    low |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = low;
      return true;
    }
  }
  *v = low;
  for (; shift < 128; shift += 7) {
    uint8_t b;
    if (!in->Fixed8(&b)) return false;
    *v |= static_cast<U128>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return shift < 126 || (b >> 2) == 0;  // no bits past 128
  }
  return false;
}

Status Malformed(size_t column, std::string_view what) {
  return Status::Corruption(fmt::format("row record: column {}: {}", column, what));
}

// The bytes of a non-NULL value after its kind, as row records and tagged
// rows both hold them.
void PutPayload(std::string* out, const Value& v) {
  switch (v.kind()) {
    case TypeId::kNull: break;
    case TypeId::kBoolean: out->push_back(v.boolean() ? 1 : 0); break;
    case TypeId::kDouble: {
      uint64_t bits;
      const double d = v.dbl();
      std::memcpy(&bits, &d, sizeof bits);
      PutFixed64(out, bits);
      break;
    }
    case TypeId::kNumeric: {
      out->push_back(static_cast<char>(v.numeric().scale));
      const Int128 u = v.numeric().unscaled;
      PutVarint128(out, (static_cast<U128>(u) << 1) ^ static_cast<U128>(u >> 127));
      break;
    }
    case TypeId::kText:
    case TypeId::kBlob: PutLengthPrefixed(out, v.str()); break;
    case TypeId::kInterval:  // months, then microseconds
      PutVarint64(out, ZigZag(v.months()));
      PutVarint64(out, ZigZag(v.temporal()));
      break;
    default: PutVarint64(out, ZigZag(v.integer())); break;  // integers, dates and times: one integer
  }
}

// The range a stored integer or date of declared type (or value kind) `id`
// must lie in.
int64_t StoredMin(TypeId id) { return id == TypeId::kDate ? INT32_MIN : IntegerMin(id); }
int64_t StoredMax(TypeId id) { return id == TypeId::kDate ? INT32_MAX : IntegerMax(id); }

// Reads the payload of a non-NULL value of stored kind `kind` at `in` into
// *out, checking its bytes: integers and dates within [min, max], decimals
// within 38 digits. Returns what is wrong, or nullptr: the caller names the
// column (scans call this for every value, so no Status is made here).
[[gnu::always_inline]] inline const char* GetPayload(RecordBytes& in, TypeId kind, int64_t min, int64_t max,
                                                     Value* out) {
  switch (kind) {
    case TypeId::kBoolean: {
      uint8_t b;
      if (!in.Fixed8(&b) || b > 1) return "bad boolean";
      out->SetInt(TypeId::kBoolean, b);
      return nullptr;
    }
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp: {
      uint64_t z;
      if (!in.Varint(&z)) return "truncated integer";
      const int64_t v = UnZigZag(z);
      if (v < min || v > max) return kind == TypeId::kBigInt ? "integer out of the column's range" : "date out of range";
      out->SetInt(kind, v);
      return nullptr;
    }
    case TypeId::kDouble: {
      uint64_t bits;
      if (!in.Fixed64(&bits)) return "truncated double";
      double d;
      std::memcpy(&d, &bits, sizeof d);
      out->SetDouble(d);
      return nullptr;
    }
    case TypeId::kNumeric: {
      uint8_t scale;
      if (!in.Fixed8(&scale) || scale > kMaxNumericPrecision) return "bad numeric";
      // Most unscaled values fit 64 bits, whose zigzag form is the 128-bit
      // one's; the rest are read again in 128 bits.
      const uint8_t* wide = in.p;
      if (uint64_t z64; in.Varint(&z64)) {
        out->SetNumeric(Decimal{UnZigZag(z64), scale});
        return nullptr;
      }
      in.p = wide;
      U128 z;
      if (!GetVarint128(&in, &z)) return "bad numeric";
      Decimal d{static_cast<Int128>(z >> 1) ^ -static_cast<Int128>(z & 1), scale};
      if (d.Digits() > kMaxNumericPrecision) return "numeric has too many digits";
      out->SetNumeric(d);
      return nullptr;
    }
    case TypeId::kText:
    case TypeId::kBlob: {
      std::string_view bytes;
      if (!in.LengthPrefixed(&bytes)) return "truncated string";
      out->AssignString(kind, bytes);
      return nullptr;
    }
    case TypeId::kInterval: {
      uint64_t months, micros;
      if (!in.Varint(&months) || !in.Varint(&micros)) return "truncated interval";
      int64_t m = UnZigZag(months);
      if (m < INT32_MIN || m > INT32_MAX) return "interval months out of range";
      *out = Value::Interval(static_cast<int32_t>(m), UnZigZag(micros));
      return nullptr;
    }
    default: return "column type cannot be stored";
  }
}

// Steps over the payload of a value of stored kind `kind` that is not
// wanted: its length is checked, its contents are not.
[[gnu::always_inline]] inline const char* SkipPayload(RecordBytes& in, TypeId kind) {
  bool ok = false;
  switch (kind) {
    case TypeId::kBoolean: ok = in.Skip(1); break;
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp: ok = in.SkipVarint(10); break;
    case TypeId::kDouble: ok = in.Skip(8); break;
    case TypeId::kNumeric: ok = in.Skip(1) && in.SkipVarint(19); break;
    case TypeId::kText:
    case TypeId::kBlob: {
      std::string_view bytes;
      ok = in.LengthPrefixed(&bytes);
      break;
    }
    case TypeId::kInterval: ok = in.SkipVarint(10) && in.SkipVarint(10); break;
    default: return "column type cannot be stored";
  }
  return ok ? nullptr : "truncated value";
}

}  // namespace

Result<std::string> EncodeRow(std::span<const Value> row, std::span<const DataType> types) {
  if (row.size() != types.size()) return Status::Internal("row and column counts differ");
  std::string out;
  PutVarint64(&out, row.size());
  size_t bitmap_at = out.size();
  out.append((row.size() + 7) / 8, '\0');
  for (size_t i = 0; i < row.size(); ++i) {
    const Value& v = row[i];
    if (v.is_null()) {
      out[bitmap_at + i / 8] = static_cast<char>(out[bitmap_at + i / 8] | (1 << (i % 8)));
      continue;
    }
    if (v.kind() != StoredKind(types[i])) {
      return Status::Internal(fmt::format("column {}: value of kind {} for a {} column", i,
                                          DataType::Of(v.kind()).ToString(), types[i].ToString()));
    }
    PutPayload(&out, v);
  }
  return out;
}

RowDecoder::RowDecoder(std::span<const DataType> types, const std::vector<bool>* needed)
    : end_(0), all_(needed == nullptr) {
  columns_.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    const TypeId id = types[i].id;
    const bool want = all_ || (i < needed->size() && (*needed)[i]);
    columns_.push_back(Column{StoredKindOf(id), want, StoredMin(id), StoredMax(id)});
    if (want) end_ = i + 1;
  }
  for (size_t i = 0; i < end_; ++i) {
    const Column& c = columns_[i];
    Step step{Step::kGet, c.kind, static_cast<uint32_t>(i), c.min, c.max};
    if (!c.want) {
      switch (c.kind) {
        case TypeId::kDouble: step = Step{Step::kSkipBytes, c.kind, 8, 0, 0}; break;
        case TypeId::kText:
        case TypeId::kBlob: step = Step{Step::kSkipString, c.kind, 0, 0, 0}; break;
        // A decimal's scale byte is below 0x80, then its varint; an
        // interval is two varints.
        case TypeId::kNumeric:
        case TypeId::kInterval: step = Step{Step::kSkipEnds, c.kind, 2, 0, 0}; break;
        default: step = Step{Step::kSkipEnds, c.kind, 1, 0, 0}; break;
      }
    }
    if (!steps_.empty() && step.code == steps_.back().code &&
        (step.code == Step::kSkipEnds || step.code == Step::kSkipBytes)) {
      steps_.back().n += step.n;
    } else {
      steps_.push_back(step);
    }
  }
}

Status RowDecoder::Decode(std::string_view record, std::vector<Value>* out) const {
  // The steps need every column up to end_ present and not NULL; anything
  // else, and any malformed byte (to name its column), goes column by
  // column.
  RecordBytes in(record);
  uint64_t count = 0;
  if (end_ == 0 || !in.Varint(&count) || count < end_ || count > columns_.size()) {
    return DecodeEachColumn(record, out);
  }
  const uint8_t* nulls = in.p;
  if (!in.Skip((count + 7) / 8)) return DecodeEachColumn(record, out);
  for (size_t i = 0; i < end_ / 8; ++i) {
    if (nulls[i] != 0) return DecodeEachColumn(record, out);
  }
  if (end_ % 8 != 0 && (nulls[end_ / 8] & ((1u << (end_ % 8)) - 1)) != 0) return DecodeEachColumn(record, out);
  std::vector<Value>& row = *out;
  row.resize(all_ ? count : columns_.size());
  Value* values = row.data();
  for (const Step& step : steps_) {
    bool ok;
    switch (step.code) {
      case Step::kSkipEnds: ok = in.SkipEnds(step.n); break;
      case Step::kSkipBytes: ok = in.Skip(step.n); break;
      case Step::kSkipString: {
        std::string_view bytes;
        ok = in.LengthPrefixed(&bytes);
        break;
      }
      default: ok = GetPayload(in, step.kind, step.min, step.max, &values[step.n]) == nullptr; break;
    }
    if (!ok) [[unlikely]] return DecodeEachColumn(record, out);
  }
  if (end_ == count && in.remaining() != 0) return Malformed(count, "trailing bytes");
  return Status::OK();
}

Status RowDecoder::DecodeEachColumn(std::string_view record, std::vector<Value>* out) const {
  RecordBytes in(record);
  uint64_t count = 0;
  if (!in.Varint(&count)) return Malformed(0, "truncated column count");
  if (count > columns_.size()) {
    return Status::Corruption(fmt::format("row record has {} columns, the table {}", count, columns_.size()));
  }
  const uint8_t* nulls = in.p;
  if (!in.Skip((count + 7) / 8)) return Malformed(0, "truncated null bitmap");
  std::vector<Value>& row = *out;
  // Resizing keeps the strings' storage for the next row: every column up
  // to `count` is written below (every wanted one, when not all are).
  row.resize(all_ ? count : columns_.size());
  const size_t end = std::min<size_t>(count, end_);
  for (size_t i = 0; i < end; ++i) {
    const Column& c = columns_[i];
    if ((nulls[i / 8] >> (i % 8)) & 1) {
      if (c.want) row[i].SetNull();
      continue;
    }
    const char* wrong = c.want ? GetPayload(in, c.kind, c.min, c.max, &row[i]) : SkipPayload(in, c.kind);
    if (wrong) return Malformed(i, wrong);
  }
  if (!all_) {
    for (size_t i = count; i < end_; ++i) {
      if (columns_[i].want) row[i].SetNull();
    }
  }
  if (end == count && in.remaining() != 0) return Malformed(count, "trailing bytes");
  return Status::OK();
}

Status DecodeRowInto(std::string_view record, std::span<const DataType> types, std::vector<Value>* out,
                     const std::vector<bool>* needed) {
  return RowDecoder(types, needed).Decode(record, out);
}

void EncodeTaggedRow(std::span<const Value> row, std::string* out) {
  PutVarint64(out, row.size());
  for (const Value& v : row) {
    out->push_back(static_cast<char>(v.kind()));
    PutPayload(out, v);
  }
}

Status DecodeTaggedRow(std::string_view bytes, std::vector<Value>* out) {
  RecordBytes in(bytes);
  uint64_t count = 0;
  if (!in.Varint(&count) || count > bytes.size()) return Status::Corruption("tagged row: bad column count");
  out->clear();
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    uint8_t tag;
    if (!in.Fixed8(&tag)) return Malformed(i, "truncated tagged row");
    const auto kind = static_cast<TypeId>(tag);
    if (kind == TypeId::kNull) continue;
    // Only the kinds values have (a declared type's tag would read as one).
    if (StoredKindOf(kind) != kind) return Malformed(i, "unknown value kind");
    if (const char* wrong = GetPayload(in, kind, StoredMin(kind), StoredMax(kind), &(*out)[i])) {
      return Malformed(i, wrong);
    }
  }
  if (in.remaining() != 0) return Malformed(count, "trailing bytes");
  return Status::OK();
}

Result<std::vector<Value>> DecodeRow(std::string_view record, std::span<const DataType> types) {
  std::vector<Value> row;
  NQ_RETURN_IF_ERROR(DecodeRowInto(record, types, &row));
  return row;
}

Status AppendKeyColumn(storage::KeyEncoder* key, const Value& value, const DataType& type,
                       storage::SortOrder order) {
  if (value.is_null()) {
    key->AddNull(order);
    return Status::OK();
  }
  if (value.kind() != StoredKind(type)) return Status::Internal("key value of the wrong kind");
  switch (value.kind()) {
    case TypeId::kBoolean: key->AddBool(value.boolean(), order); break;
    case TypeId::kBigInt: key->AddInt64(value.integer(), order); break;
    case TypeId::kDouble: key->AddDouble(value.dbl(), order); break;
    case TypeId::kNumeric: return key->AddDecimal(value.numeric().ToString(), order);
    case TypeId::kText: key->AddText(value.str(), order); break;
    case TypeId::kBlob: key->AddBlob(value.str(), order); break;
    case TypeId::kDate: key->AddDate(static_cast<int32_t>(value.temporal()), order); break;
    // A time of day is microseconds, like a timestamp near the epoch.
    case TypeId::kTime:
    case TypeId::kTimestamp: key->AddTimestamp(value.temporal(), order); break;
    default: return Status::Internal("unexpected key kind");
  }
  return Status::OK();
}

Result<Value> ReadKeyColumn(storage::KeyDecoder* key, const DataType& type, storage::SortOrder order) {
  NQ_ASSIGN_OR_RETURN(storage::KeyValue kv, key->Next(order));
  using storage::KeyValueType;
  if (kv.type == KeyValueType::kNull) return Value::Null();
  auto mismatch = [&] { return Status::Corruption(fmt::format("key column is not a {}", type.ToString())); };
  switch (StoredKind(type)) {
    case TypeId::kBoolean:
      if (kv.type != KeyValueType::kBool) return mismatch();
      return Value::Boolean(kv.bool_value);
    case TypeId::kBigInt: {
      if (kv.type != KeyValueType::kNumeric) return mismatch();
      NQ_ASSIGN_OR_RETURN(int64_t v, kv.NumericAsInt64());
      return Value::Integer(v);
    }
    case TypeId::kDouble: {
      if (kv.type != KeyValueType::kNumeric) return mismatch();
      NQ_ASSIGN_OR_RETURN(double v, kv.NumericAsDouble());
      return Value::Double(v);
    }
    case TypeId::kNumeric: {
      if (kv.type != KeyValueType::kNumeric) return mismatch();
      NQ_ASSIGN_OR_RETURN(Decimal d, Decimal::Parse(kv.bytes));
      return Value::Numeric(d);
    }
    case TypeId::kText:
      if (kv.type != KeyValueType::kText) return mismatch();
      return Value::Text(std::move(kv.bytes));
    case TypeId::kBlob:
      if (kv.type != KeyValueType::kBlob) return mismatch();
      return Value::Blob(std::move(kv.bytes));
    case TypeId::kDate:
      if (kv.type != KeyValueType::kDate) return mismatch();
      return Value::Date(static_cast<int32_t>(kv.int_value));
    case TypeId::kTime:
    case TypeId::kTimestamp:
      if (kv.type != KeyValueType::kTimestamp) return mismatch();
      return type.id == TypeId::kTime ? Value::Time(kv.int_value) : Value::Timestamp(kv.int_value);
    default: return mismatch();
  }
}

}  // namespace neuroquantum::exec
