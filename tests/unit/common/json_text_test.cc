#include "common/json_text.h"

#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace neuroquantum {
namespace {

std::string Quote(std::string_view text) {
  std::string out;
  AppendJsonString(&out, text);
  return out;
}

TEST(JsonTextTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Quote("plain"), "\"plain\"");
  EXPECT_EQ(Quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quote("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(Quote(std::string_view("\x01\x1f\0", 3)), "\"\\u0001\\u001f\\u0000\"");
  EXPECT_EQ(Quote("h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "\"h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonTextTest, ReplacesInvalidUtf8) {
  const std::string kReplacement = "\xEF\xBF\xBD";
  EXPECT_EQ(Quote("\xFF"), "\"" + kReplacement + "\"");
  EXPECT_EQ(Quote("a\xC3"), "\"a" + kReplacement + "\"");                     // truncated
  EXPECT_EQ(Quote("\xC0\xAF"), "\"" + kReplacement + kReplacement + "\"");     // overlong
  EXPECT_EQ(Quote("\xED\xA0\x80"), "\"" + kReplacement + kReplacement + kReplacement + "\"");  // surrogate
  EXPECT_EQ(Quote("\xF4\x90\x80\x80"),
            "\"" + kReplacement + kReplacement + kReplacement + kReplacement + "\"");  // beyond U+10FFFF
}

TEST(JsonTextTest, OutputParsesBackToTheSameText) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all += static_cast<char>(c);
  all += "\xC3\xA9\xE2\x82\xAC";
  auto parsed = nlohmann::json::parse(Quote(all));
  EXPECT_EQ(parsed.get<std::string>(), all);
}

TEST(JsonTextTest, DoublesKeepAFractionAndRoundTrip) {
  for (double d : {0.0, 2.0, -3.5, 0.1, 1e20, 1e-7, 123456789.125, std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::denorm_min()}) {
    std::string out;
    AppendJsonDouble(&out, d);
    auto parsed = nlohmann::json::parse(out);
    ASSERT_TRUE(parsed.is_number_float()) << out;
    EXPECT_EQ(parsed.get<double>(), d) << out;
  }
}

}  // namespace
}  // namespace neuroquantum
