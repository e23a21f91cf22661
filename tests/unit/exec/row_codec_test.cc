// Row records and key columns: round trips for every type, NULLs, short
// records from before an added column, malformed bytes, key order.
#include "exec/row_codec.h"

#include <gtest/gtest.h>

#include <cmath>

namespace neuroquantum::exec {
namespace {

std::vector<DataType> AllTypes() {
  std::vector<DataType> types;
  for (TypeId id : {TypeId::kBoolean, TypeId::kSmallInt, TypeId::kInteger, TypeId::kBigInt, TypeId::kReal,
                    TypeId::kDouble, TypeId::kNumeric, TypeId::kText, TypeId::kBlob, TypeId::kDate, TypeId::kTime,
                    TypeId::kTimestamp}) {
    types.push_back(DataType::Of(id));
  }
  types.push_back(DataType{TypeId::kVarchar, 10, 0, 0});
  types.push_back(DataType{TypeId::kNumeric, 0, 38, 10});
  return types;
}

std::vector<Value> SampleRow() {
  return {Value::Boolean(true),
          Value::Integer(-32768),
          Value::Integer(2147483647),
          Value::Integer(INT64_MIN),
          Value::Double(0.5),
          Value::Double(-1e300),
          Value::Numeric(Decimal::Parse("-12345678901234567890.123456789").value()),
          Value::Text("héllo\0world"),
          Value::Blob(std::string("\x00\xff", 2)),
          Value::Date(-719528),
          Value::Time(86'399'999'999),
          Value::Timestamp(-1),
          Value::Text("short"),
          Value::Numeric(Decimal::Parse("9999999999999999999999999999.9999999999").value())};
}

TEST(RowCodecTest, EveryTypeRoundTrips) {
  auto types = AllTypes();
  auto row = SampleRow();
  auto bytes = EncodeRow(row, types);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = DecodeRow(*bytes, types);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    EXPECT_EQ((*back)[i].kind(), row[i].kind()) << i;
    EXPECT_EQ((*back)[i].ToString(), row[i].ToString()) << i;
  }
}

// Integers of every varint length, each both at the record's end (fewer
// than 8 bytes left) and followed by more bytes (decoded from one load).
TEST(RowCodecTest, IntegersOfEveryLengthRoundTrip) {
  std::vector<int64_t> values = {0, 1, -1, 63, -64, 64, INT64_MAX, INT64_MIN};
  for (int bits = 6; bits < 63; bits += 7) {
    for (int64_t v : {(int64_t{1} << bits) - 1, int64_t{1} << bits, -(int64_t{1} << bits) - 1}) {
      values.push_back(v);
    }
  }
  const std::vector<DataType> types = {DataType::Of(TypeId::kBigInt), DataType::Of(TypeId::kText)};
  for (int64_t v : values) {
    for (bool tail : {false, true}) {
      std::vector<Value> row = {Value::Integer(v), tail ? Value::Text("tail text") : Value::Null()};
      auto bytes = EncodeRow(row, types);
      ASSERT_TRUE(bytes.ok());
      const std::vector<bool> first_only = {true, false};
      for (const std::vector<bool>* needed : {static_cast<const std::vector<bool>*>(nullptr), &first_only}) {
        std::vector<Value> back;
        ASSERT_TRUE(DecodeRowInto(*bytes, types, &back, needed).ok()) << v;
        EXPECT_EQ(back[0].integer(), v) << v << (tail ? " with a tail" : "");
      }
    }
  }
}

// Tagged rows (what a sort spills) carry every kind, NULL and intervals
// included, into a row that held other kinds before; cut or unknown bytes
// are Corruption.
TEST(RowCodecTest, TaggedRowsRoundTripAndRejectDamage) {
  std::vector<Value> row = SampleRow();
  row.push_back(Value::Null());
  row.push_back(Value::Interval(-14, 3'600'000'000));
  row.push_back(Value::Double(-0.0));
  std::string bytes;
  EncodeTaggedRow(row, &bytes);
  std::vector<Value> back = {Value::Text("old"), Value::Integer(7)};
  ASSERT_TRUE(DecodeTaggedRow(bytes, &back).ok());
  ASSERT_EQ(back.size(), row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    EXPECT_EQ(back[i].kind(), row[i].kind()) << i;
    EXPECT_EQ(back[i].ToString(), row[i].ToString()) << i;
  }
  EXPECT_TRUE(std::signbit(back.back().dbl()));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_EQ(DecodeTaggedRow(bytes.substr(0, cut), &back).code(), StatusCode::kCorruption) << cut;
  }
  std::string unknown = bytes;
  unknown[1] = static_cast<char>(200);  // the first value's kind
  EXPECT_EQ(DecodeTaggedRow(unknown, &back).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTaggedRow(bytes + "x", &back).code(), StatusCode::kCorruption);
}

TEST(RowCodecTest, NullsTakeOnlyABitAndShortRecordsDecode) {
  std::vector<DataType> types(9, DataType::Of(TypeId::kInteger));
  std::vector<Value> row(9);
  row[8] = Value::Integer(7);
  auto bytes = EncodeRow(row, types);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 1u + 2u + 1u);  // count, bitmap, one varint
  auto back = DecodeRow(*bytes, types);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE((*back)[0].is_null());
  EXPECT_EQ((*back)[8].integer(), 7);
  // A record written before two columns were added decodes to its own
  // columns; the caller fills in the defaults.
  std::vector<DataType> wider = types;
  wider.push_back(DataType::Of(TypeId::kText));
  wider.push_back(DataType::Of(TypeId::kText));
  auto older = DecodeRow(*bytes, wider);
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->size(), 9u);
  // More columns than the table has is corruption.
  std::vector<DataType> narrower(types.begin(), types.begin() + 3);
  EXPECT_TRUE(DecodeRow(*bytes, narrower).status().IsCorruption());
}

TEST(RowCodecTest, WrongKindsAndMalformedBytesAreErrors) {
  std::vector<DataType> types = {DataType::Of(TypeId::kInteger)};
  std::vector<Value> text = {Value::Text("1")};
  EXPECT_EQ(EncodeRow(text, types).status().code(), StatusCode::kInternal);
  std::vector<Value> big = {Value::Integer(int64_t{1} << 40)};
  auto bytes = EncodeRow(big, std::vector<DataType>{DataType::Of(TypeId::kBigInt)});
  ASSERT_TRUE(bytes.ok());
  // Decoded as INTEGER the value is out of the column's range.
  EXPECT_TRUE(DecodeRow(*bytes, types).status().IsCorruption());
  EXPECT_TRUE(DecodeRow(bytes->substr(0, bytes->size() - 1), std::vector<DataType>{DataType::Of(TypeId::kBigInt)})
                  .status()
                  .IsCorruption());
  EXPECT_TRUE(DecodeRow(*bytes + "x", std::vector<DataType>{DataType::Of(TypeId::kBigInt)}).status().IsCorruption());
  EXPECT_TRUE(DecodeRow("", types).status().IsCorruption());
  std::string bad_bool = std::string("\x01\x00\x02", 3);
  EXPECT_TRUE(DecodeRow(bad_bool, std::vector<DataType>{DataType::Of(TypeId::kBoolean)}).status().IsCorruption());
}

// A scan's decoder reads only the wanted columns: the others keep what the
// row held, wanted columns past a short record read NULL, and bytes after
// the last wanted column are not read at all.
TEST(RowCodecTest, DecoderReadsOnlyWantedColumns) {
  auto types = AllTypes();
  auto row = SampleRow();
  auto bytes = EncodeRow(row, types);
  ASSERT_TRUE(bytes.ok());
  std::vector<bool> needed(types.size(), false);
  needed[3] = needed[6] = needed[7] = true;
  RowDecoder decoder(types, &needed);
  std::vector<Value> out(types.size(), Value::Text("stale"));
  ASSERT_TRUE(decoder.Decode(*bytes, &out).ok());
  ASSERT_EQ(out.size(), types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(out[i].ToString(), needed[i] ? row[i].ToString() : "stale") << i;
  }
  // An empty row becomes the table's width, NULL where not wanted; a row
  // with an extra value (a scan's key) is cut back to the width.
  out.clear();
  ASSERT_TRUE(decoder.Decode(*bytes, &out).ok());
  ASSERT_EQ(out.size(), types.size());
  EXPECT_TRUE(out[0].is_null());
  EXPECT_EQ(out[7].str(), row[7].str());
  out.push_back(Value::Blob("key"));
  ASSERT_TRUE(decoder.Decode(*bytes, &out).ok());
  EXPECT_EQ(out.size(), types.size());

  // Damage after the last wanted column goes unread; damage before it is
  // reported with the column.
  std::string damaged = *bytes;
  damaged.back() = static_cast<char>(0xff);  // inside the last column, which is not wanted
  EXPECT_TRUE(decoder.Decode(damaged, &out).ok());
  EXPECT_TRUE(RowDecoder(types, nullptr).Decode(damaged, &out).IsCorruption());
  std::vector<bool> first_only = {true};
  EXPECT_TRUE(RowDecoder(types, &first_only).Decode(bytes->substr(0, 4), &out).ok());
  EXPECT_TRUE(decoder.Decode(bytes->substr(0, 8), &out).IsCorruption());

  // A record from before two columns were added: a wanted added column
  // reads NULL.
  std::vector<DataType> wider = types;
  wider.push_back(DataType::Of(TypeId::kBigInt));
  wider.push_back(DataType::Of(TypeId::kText));
  std::vector<bool> added(wider.size(), false);
  added[0] = added[types.size() + 1] = true;
  std::vector<Value> older(wider.size(), Value::Integer(5));
  ASSERT_TRUE(RowDecoder(wider, &added).Decode(*bytes, &older).ok());
  EXPECT_TRUE(older[0].boolean());
  EXPECT_EQ(older[types.size()].integer(), 5);  // not wanted: left alone
  EXPECT_TRUE(older[types.size() + 1].is_null());

  // Decoding every column reuses a longer row and leaves the record's
  // columns only.
  std::vector<Value> all(types.size() + 3, Value::Text("previous row"));
  ASSERT_TRUE(RowDecoder(types, nullptr).Decode(*bytes, &all).ok());
  ASSERT_EQ(all.size(), types.size());
  for (size_t i = 0; i < types.size(); ++i) EXPECT_EQ(all[i].ToString(), row[i].ToString()) << i;
}

// Integers of every varint length (1 to 10 bytes) decode to what was
// written, in the middle of a record or at its end, wanted or stepped
// over; a varint cut short anywhere is an error.
TEST(RowCodecTest, IntegersOfEveryLengthAnywhereInTheRecord) {
  std::vector<int64_t> values = {0, -1, 1, INT64_MIN, INT64_MAX};
  for (int bits = 1; bits < 63; ++bits) {
    const int64_t p = int64_t{1} << bits;
    for (int64_t v : {p - 1, p, p + 1, -p, -p - 1}) values.push_back(v);
  }
  const std::vector<DataType> types(3, DataType::Of(TypeId::kBigInt));
  const std::vector<bool> last_only = {false, false, true};
  for (int64_t a : values) {
    for (int64_t b : {int64_t{0}, int64_t{300}, INT64_MIN, a}) {
      const std::vector<Value> row = {Value::Integer(a), Value::Integer(b), Value::Integer(a)};
      auto bytes = EncodeRow(row, types);
      ASSERT_TRUE(bytes.ok());
      std::vector<Value> out;
      ASSERT_TRUE(RowDecoder(types, nullptr).Decode(*bytes, &out).ok()) << a << " " << b;
      ASSERT_EQ(out.size(), 3u);
      for (size_t i = 0; i < 3; ++i) EXPECT_EQ(out[i].integer(), row[i].integer()) << a << " " << b;
      out.clear();
      ASSERT_TRUE(RowDecoder(types, &last_only).Decode(*bytes, &out).ok()) << a << " " << b;
      EXPECT_EQ(out[2].integer(), a) << b;
      for (size_t cut = 2; cut < bytes->size(); ++cut) {
        EXPECT_TRUE(RowDecoder(types, nullptr).Decode(bytes->substr(0, cut), &out).IsCorruption()) << a << " " << cut;
      }
    }
  }
  // Eleven continuation bytes, or a tenth byte past 64 bits: malformed,
  // also where a word's worth of bytes follows.
  std::string too_long("\x03\x00", 2);
  too_long.append(10, '\xff');
  too_long.append("\x01\x01\x01\x01\x01\x01\x01\x01");
  std::vector<Value> out;
  EXPECT_TRUE(RowDecoder(types, nullptr).Decode(too_long, &out).IsCorruption());
  std::string overflow("\x03\x00", 2);
  overflow.append(9, '\xff');
  overflow.append("\x02\x01\x01\x01\x01\x01\x01\x01\x01");
  EXPECT_TRUE(RowDecoder(types, nullptr).Decode(overflow, &out).IsCorruption());
}

// Unread columns of every kind are stepped over (integers, dates,
// timestamps, booleans, decimals, also 128-bit ones, intervals, doubles,
// text) and the column after them reads what was written; a record cut
// short before that column's end is an error on this path too.
TEST(RowCodecTest, SkippedColumnsOfEveryKindLeadToTheRightValue) {
  const std::vector<DataType> types = {
      DataType::Of(TypeId::kNumeric), DataType::Of(TypeId::kDate),     DataType::Of(TypeId::kInterval),
      DataType::Of(TypeId::kTimestamp), DataType::Of(TypeId::kBoolean), DataType::Of(TypeId::kDouble),
      DataType::Of(TypeId::kText),    DataType::Of(TypeId::kBigInt),   DataType::Of(TypeId::kNumeric)};
  const std::vector<Value> row = {Value::Numeric(Decimal::Parse("-98765432109876543210987.654321").value()),
                                  Value::Date(-719528),
                                  Value::Interval(-14, 86'400'000'001),
                                  Value::Timestamp(INT64_MIN / 2),
                                  Value::Boolean(true),
                                  Value::Double(-0.25),
                                  Value::Text(std::string(300, 'x')),
                                  Value::Integer(INT64_MAX),
                                  Value::Numeric(Decimal::Parse("12.50").value())};
  auto bytes = EncodeRow(row, types);
  ASSERT_TRUE(bytes.ok());
  for (size_t want = 0; want < types.size(); ++want) {
    std::vector<bool> only(types.size(), false);
    only[want] = true;
    RowDecoder decoder(types, &only);
    std::vector<Value> out;
    ASSERT_TRUE(decoder.Decode(*bytes, &out).ok()) << want;
    EXPECT_EQ(out[want].ToString(), row[want].ToString()) << want;
  }
  std::vector<bool> last(types.size(), false);
  last.back() = true;
  RowDecoder decoder(types, &last);
  std::vector<Value> out;
  for (size_t cut = 0; cut < bytes->size(); ++cut) {
    EXPECT_TRUE(decoder.Decode(bytes->substr(0, cut), &out).IsCorruption()) << cut;
  }
}

// Decimals read in 64 bits while their zigzag form fits, in 128 beyond;
// both give the written value, and dates keep their 32-bit range.
TEST(RowCodecTest, DecimalsAroundSixtyFourBitsAndDateRange) {
  std::vector<DataType> types = {DataType{TypeId::kNumeric, 0, 38, 0}};
  for (const char* text : {"0", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                           "-9223372036854775809", "18446744073709551616", "-99999999999999999999999999999999999999"}) {
    std::vector<Value> row = {Value::Numeric(Decimal::Parse(text).value())};
    auto bytes = EncodeRow(row, types);
    ASSERT_TRUE(bytes.ok()) << text;
    auto back = DecodeRow(*bytes, types);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ((*back)[0].ToString(), text);
  }
  std::vector<Value> far = {Value::Integer(int64_t{1} << 40)};
  auto bytes = EncodeRow(far, std::vector<DataType>{DataType::Of(TypeId::kBigInt)});
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(DecodeRow(*bytes, std::vector<DataType>{DataType::Of(TypeId::kDate)}).status().IsCorruption());
  auto as_time = DecodeRow(*bytes, std::vector<DataType>{DataType::Of(TypeId::kTime)});
  ASSERT_TRUE(as_time.ok());
  EXPECT_EQ((*as_time)[0].temporal(), int64_t{1} << 40);
}

TEST(RowCodecTest, KeyColumnsRoundTripAndSortLikeTheValues) {
  auto types = AllTypes();
  auto row = SampleRow();
  storage::KeyEncoder enc;
  for (size_t i = 0; i < row.size(); ++i) ASSERT_TRUE(AppendKeyColumn(&enc, row[i], types[i]).ok()) << i;
  ASSERT_TRUE(AppendKeyColumn(&enc, Value::Null(), types[0], storage::SortOrder::kDescending).ok());
  std::string key = enc.buffer();
  storage::KeyDecoder dec(key);
  for (size_t i = 0; i < row.size(); ++i) {
    auto v = ReadKeyColumn(&dec, types[i]);
    ASSERT_TRUE(v.ok()) << i << ": " << v.status().ToString();
    EXPECT_EQ(v->ToString(), row[i].ToString()) << i;
  }
  auto null = ReadKeyColumn(&dec, types[0], storage::SortOrder::kDescending);
  ASSERT_TRUE(null.ok());
  EXPECT_TRUE(null->is_null());
  EXPECT_TRUE(dec.AtEnd());
  // Byte order of single-column keys follows SortCompare.
  std::vector<Value> numbers = {Value::Numeric(Decimal::Parse("-2.5").value()), Value::Numeric(Decimal::Parse("-2").value()),
                                Value::Numeric(Decimal::Parse("0.001").value()), Value::Numeric(Decimal::Parse("10").value())};
  DataType numeric = DataType::Of(TypeId::kNumeric);
  std::string previous;
  for (const Value& v : numbers) {
    storage::KeyEncoder e;
    ASSERT_TRUE(AppendKeyColumn(&e, v, numeric).ok());
    EXPECT_LT(previous, e.buffer()) << v.ToString();
    previous = e.buffer();
  }
}

}  // namespace
}  // namespace neuroquantum::exec
