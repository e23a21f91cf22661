// Tests for the fixed-width and varint helpers of coding.h and for
// ByteReader's rejection of truncated and malformed input.
#include "common/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace neuroquantum {
namespace {

TEST(CodingTest, Fixed16RoundTripIsLittleEndian) {
  uint8_t buf[2];
  EncodeFixed16(buf, 0x1234);
  EXPECT_EQ(buf[0], 0x34);
  EXPECT_EQ(buf[1], 0x12);
  EXPECT_EQ(DecodeFixed16(buf), 0x1234);
  EncodeFixed16(buf, 0xffff);
  EXPECT_EQ(DecodeFixed16(buf), 0xffff);
}

TEST(CodingTest, Fixed32RoundTripIsLittleEndian) {
  uint8_t buf[4];
  EncodeFixed32(buf, 0x01020304);
  EXPECT_EQ(buf[0], 0x04);
  EXPECT_EQ(buf[3], 0x01);
  for (uint32_t v : {0u, 1u, 0x80000000u, 0xdeadbeefu, 0xffffffffu}) {
    EncodeFixed32(buf, v);
    EXPECT_EQ(DecodeFixed32(buf), v);
  }
}

TEST(CodingTest, Fixed64RoundTripIsLittleEndian) {
  uint8_t buf[8];
  EncodeFixed64(buf, 0x0102030405060708ull);
  EXPECT_EQ(buf[0], 0x08);
  EXPECT_EQ(buf[7], 0x01);
  for (uint64_t v : {uint64_t{0}, uint64_t{1} << 63, ~uint64_t{0}, uint64_t{0x123456789abcdef0}}) {
    EncodeFixed64(buf, v);
    EXPECT_EQ(DecodeFixed64(buf), v);
  }
}

TEST(CodingTest, PutFixedThenGetFixed) {
  std::string buf;
  PutFixed16(&buf, 0xbeef);
  PutFixed32(&buf, 0xcafebabe);
  PutFixed64(&buf, 0x0123456789abcdefull);
  ASSERT_EQ(buf.size(), 14u);
  ByteReader reader(buf);
  uint16_t v16 = 0;
  uint32_t v32 = 0;
  uint64_t v64 = 0;
  ASSERT_TRUE(reader.GetFixed16(&v16));
  ASSERT_TRUE(reader.GetFixed32(&v32));
  ASSERT_TRUE(reader.GetFixed64(&v64));
  EXPECT_EQ(v16, 0xbeef);
  EXPECT_EQ(v32, 0xcafebabe);
  EXPECT_EQ(v64, 0x0123456789abcdefull);
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(CodingTest, VarintRoundTrip) {
  std::vector<uint64_t> values = {0, 1, 127, 128, 255, 300, 16383, 16384, uint64_t{1} << 32,
                                  (uint64_t{1} << 63) - 1, uint64_t{1} << 63, ~uint64_t{0}};
  std::string buf;
  for (uint64_t v : values) PutVarint64(&buf, v);
  ByteReader reader(buf);
  for (uint64_t expected : values) {
    uint64_t actual = 0;
    ASSERT_TRUE(reader.GetVarint64(&actual));
    EXPECT_EQ(actual, expected);
  }
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(CodingTest, VarintLengths) {
  auto length_of = [](uint64_t v) {
    std::string buf;
    PutVarint64(&buf, v);
    return buf.size();
  };
  EXPECT_EQ(length_of(0), 1u);
  EXPECT_EQ(length_of(127), 1u);
  EXPECT_EQ(length_of(128), 2u);
  EXPECT_EQ(length_of(~uint64_t{0}), 10u);
}

TEST(CodingTest, LengthPrefixedRoundTrip) {
  std::string buf;
  PutLengthPrefixed(&buf, "hello");
  PutLengthPrefixed(&buf, "");
  ByteReader reader(buf);
  std::string_view out;
  ASSERT_TRUE(reader.GetLengthPrefixed(&out));
  EXPECT_EQ(out, "hello");
  ASSERT_TRUE(reader.GetLengthPrefixed(&out));
  EXPECT_EQ(out, "");
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(ByteReaderTest, RejectsTruncatedFixed) {
  std::string buf;
  PutFixed64(&buf, 42);
  ByteReader reader(std::string_view(buf).substr(0, 7));
  uint64_t v64 = 0;
  EXPECT_FALSE(reader.GetFixed64(&v64));
  uint32_t v32 = 0;
  EXPECT_TRUE(reader.GetFixed32(&v32));
  EXPECT_FALSE(reader.GetFixed32(&v32));
  uint16_t v16 = 0;
  EXPECT_TRUE(reader.GetFixed16(&v16));
  uint8_t v8 = 0;
  EXPECT_TRUE(reader.GetFixed8(&v8));
  EXPECT_FALSE(reader.GetFixed8(&v8));
}

TEST(ByteReaderTest, RejectsTruncatedVarint) {
  std::string buf;
  PutVarint64(&buf, uint64_t{1} << 40);
  for (size_t len = 0; len < buf.size(); ++len) {
    ByteReader reader(std::string_view(buf).substr(0, len));
    uint64_t v = 0;
    EXPECT_FALSE(reader.GetVarint64(&v)) << "length " << len;
  }
}

TEST(ByteReaderTest, RejectsOverlongVarint) {
  // Eleven bytes with the continuation bit set: longer than any uint64.
  std::string buf(11, '\x80');
  buf.back() = '\x01';
  ByteReader reader(buf);
  uint64_t v = 0;
  EXPECT_FALSE(reader.GetVarint64(&v));
}

TEST(ByteReaderTest, RejectsLengthPrefixBeyondInput) {
  std::string buf;
  PutVarint64(&buf, 10);
  buf += "short";
  ByteReader reader(buf);
  std::string_view out;
  EXPECT_FALSE(reader.GetLengthPrefixed(&out));
}

TEST(ByteReaderTest, GetBytesAndRest) {
  ByteReader reader("abcdef");
  std::string_view out;
  ASSERT_TRUE(reader.GetBytes(2, &out));
  EXPECT_EQ(out, "ab");
  EXPECT_EQ(reader.rest(), "cdef");
  EXPECT_FALSE(reader.GetBytes(5, &out));
  ASSERT_TRUE(reader.GetBytes(4, &out));
  EXPECT_EQ(reader.remaining(), 0u);
}

}  // namespace
}  // namespace neuroquantum
