// Output modes of the SQL shell. Expected texts were checked against the
// sqlite3 shell (3.40) printing the same values.
#include "shell/output_format.h"

#include <gtest/gtest.h>

#include <sstream>

namespace neuroquantum::shell {
namespace {

Cell Int(int64_t v) { return {CellKind::kNumber, std::to_string(v)}; }
Cell Real(std::string text) { return {CellKind::kNumber, std::move(text)}; }
Cell Text(std::string text) { return {CellKind::kText, std::move(text)}; }
Cell Null() { return {}; }

class OutputFormatTest : public ::testing::Test {
 protected:
  std::string Print(OutputMode mode, const std::vector<std::string>& names,
                    const std::vector<std::vector<Cell>>& rows, bool headers = false) {
    FormatOptions options;
    options.mode = mode;
    options.headers = headers;
    std::ostringstream out;
    auto printer = MakeResultPrinter(options, &out);
    printer->Begin(names);
    for (const auto& row : rows) printer->Row(row);
    printer->End();
    return out.str();
  }
};

TEST_F(OutputFormatTest, ModeNames) {
  for (auto mode : {OutputMode::kList, OutputMode::kCsv, OutputMode::kJson, OutputMode::kTable}) {
    EXPECT_EQ(ParseOutputMode(OutputModeName(mode)), mode);
  }
  EXPECT_EQ(ParseOutputMode("box"), std::nullopt);
}

TEST_F(OutputFormatTest, ListSeparatesWithBarsAndNeverQuotes) {
  EXPECT_EQ(Print(OutputMode::kList, {"a", "b", "c", "d"}, {{Int(1), Null(), Text("a|b"), Text("")}}),
            "1||a|b|\n");
}

TEST_F(OutputFormatTest, ListHeaders) {
  EXPECT_EQ(Print(OutputMode::kList, {"a", "b"}, {{Int(1), Int(2)}}, true), "a|b\n1|2\n");
  EXPECT_EQ(Print(OutputMode::kList, {"a", "b"}, {}, true), "a|b\n");
}

TEST_F(OutputFormatTest, CsvFieldQuotingRules) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("semi;colon"), "semi;colon");
  EXPECT_EQ(CsvField("back\\slash"), "back\\slash");
  EXPECT_EQ(CsvField("x<y#="), "x<y#=");
  EXPECT_EQ(CsvField(""), "\"\"");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("q\"x"), "\"q\"\"x\"");
  EXPECT_EQ(CsvField("has'sq"), "\"has'sq\"");
  EXPECT_EQ(CsvField(" lead"), "\" lead\"");
  EXPECT_EQ(CsvField("trail "), "\"trail \"");
  EXPECT_EQ(CsvField("a b"), "\"a b\"");
  EXPECT_EQ(CsvField("a\nb"), "\"a\nb\"");
  EXPECT_EQ(CsvField("a\rb"), "\"a\rb\"");
  EXPECT_EQ(CsvField("tab\tx"), "\"tab\tx\"");
  EXPECT_EQ(CsvField("x\x01"), "\"x\x01\"");
  EXPECT_EQ(CsvField("\x7f"), "\"\x7f\"");
  EXPECT_EQ(CsvField("\xc3\xbc"), "\"\xc3\xbc\"");
}

TEST_F(OutputFormatTest, CsvRowMatchesSqlite) {
  // sqlite3 -csv :memory: "select 1, 'a,b', 'q\"x', ' lead', 'plain', NULL, 1.5, ''"
  EXPECT_EQ(Print(OutputMode::kCsv, {"1", "2", "3", "4", "5", "6", "7", "8"},
                  {{Int(1), Text("a,b"), Text("q\"x"), Text(" lead"), Text("plain"), Null(),
                    Real("1.5"), Text("")}}),
            "1,\"a,b\",\"q\"\"x\",\" lead\",plain,,1.5,\"\"\n");
}

TEST_F(OutputFormatTest, CsvHeadersAreQuotedLikeValues) {
  EXPECT_EQ(Print(OutputMode::kCsv, {"a", "b c"}, {{Int(1), Int(2)}}, true), "a,\"b c\"\n1,2\n");
}

TEST_F(OutputFormatTest, CsvRowSeparator) {
  FormatOptions options;
  options.mode = OutputMode::kCsv;
  options.row_separator = "\r\n";
  std::ostringstream out;
  auto printer = MakeResultPrinter(options, &out);
  printer->Begin({"a"});
  printer->Row({Int(1)});
  printer->Row({Int(2)});
  printer->End();
  EXPECT_EQ(out.str(), "1\r\n2\r\n");
}

TEST_F(OutputFormatTest, JsonMatchesSqlite) {
  EXPECT_EQ(Print(OutputMode::kJson, {"a", "b", "c", "d", "e"},
                  {{Int(1), Text("x\"y"), Null(), Real("1.5"), Text("\n\x01\xc3\xbc")},
                   {Int(22), Text("z"), Int(3), Int(4), Text("")}}),
            "[{\"a\":1,\"b\":\"x\\\"y\",\"c\":null,\"d\":1.5,\"e\":\"\\n\\u0001\xc3\xbc\"},\n"
            "{\"a\":22,\"b\":\"z\",\"c\":3,\"d\":4,\"e\":\"\"}]\n");
}

TEST_F(OutputFormatTest, JsonEmptyResultPrintsNothing) {
  EXPECT_EQ(Print(OutputMode::kJson, {"a"}, {}), "");
}

TEST_F(OutputFormatTest, JsonBooleansNumericsAndNonFiniteValues) {
  EXPECT_EQ(Print(OutputMode::kJson, {"b", "n", "inf"},
                  {{{CellKind::kBoolean, "true"}, Real("12.50"), Real("Infinity")}}),
            "[{\"b\":true,\"n\":12.50,\"inf\":\"Infinity\"}]\n");
}

TEST_F(OutputFormatTest, JsonStringEscapes) {
  EXPECT_EQ(JsonString("a\\b\t\r\b\f\x1f\x7f"), "\"a\\\\b\\t\\r\\b\\f\\u001f\x7f\"");
}

TEST_F(OutputFormatTest, TableMatchesSqlite) {
  EXPECT_EQ(Print(OutputMode::kTable, {"a", "bcd", "c", "d"},
                  {{Int(1), Text("xyz"), Null(), Real("1.5")}, {Int(22222), Text("z"), Int(3), Int(4)}}),
            "+-------+-----+---+-----+\n"
            "|   a   | bcd | c |  d  |\n"
            "+-------+-----+---+-----+\n"
            "| 1     | xyz |   | 1.5 |\n"
            "| 22222 | z   | 3 | 4   |\n"
            "+-------+-----+---+-----+\n");
}

TEST_F(OutputFormatTest, TableWidthsCountCodePointsAndSplitLines) {
  EXPECT_EQ(Print(OutputMode::kTable, {"a", "b"}, {{Text("\xc3\xbc"), Text("a\nb")}}),
            "+---+---+\n"
            "| a | b |\n"
            "+---+---+\n"
            "| \xc3\xbc | a |\n"
            "|   | b |\n"
            "+---+---+\n");
}

TEST_F(OutputFormatTest, TableEmptyResultPrintsNothing) {
  EXPECT_EQ(Print(OutputMode::kTable, {"a"}, {}), "");
}

}  // namespace
}  // namespace neuroquantum::shell
