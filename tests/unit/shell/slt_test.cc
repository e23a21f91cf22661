// sqllogictest support of `nqdb slt`: the script parser, value rendering,
// sorting and hashing, and the runner against a fake engine.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "shell/slt_parser.h"
#include "shell/slt_runner.h"
#include "shell/slt_values.h"

namespace neuroquantum::shell {
namespace {

std::vector<SltRecord> MustParse(std::string_view text) {
  auto records = ParseSlt(text);
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  return records.ok() ? std::move(records).value() : std::vector<SltRecord>{};
}

SltParseError ParseFailure(std::string_view text) {
  SltParseError error;
  auto records = ParseSlt(text, &error);
  EXPECT_FALSE(records.ok());
  return error;
}

// ---------------------------------------------------------------- parser

TEST(SltParserTest, StatementOkAndError) {
  auto records = MustParse(
      "statement ok\nCREATE TABLE t(a INTEGER)\n\n"
      "statement error\nINSERT INTO nowhere VALUES(1)\n\n"
      "statement error 42P01\nSELECT * FROM nowhere\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].type, SltRecordType::kStatement);
  EXPECT_TRUE(records[0].expect_ok);
  EXPECT_EQ(records[0].sql, "CREATE TABLE t(a INTEGER)");
  EXPECT_FALSE(records[1].expect_ok);
  EXPECT_EQ(records[1].expected_sqlstate, "");
  EXPECT_FALSE(records[2].expect_ok);
  EXPECT_EQ(records[2].expected_sqlstate, "42P01");
}

TEST(SltParserTest, QueryWithTypesSortModeLabelAndValues) {
  auto records = MustParse("query ITR rowsort same-a\nSELECT a,\n  b, c FROM t\n----\n1\nx\n2.000\n");
  ASSERT_EQ(records.size(), 1u);
  const SltRecord& query = records[0];
  EXPECT_EQ(query.type, SltRecordType::kQuery);
  EXPECT_EQ(query.types, "ITR");
  EXPECT_EQ(query.sort_mode, SltSortMode::kRowSort);
  EXPECT_EQ(query.label, "same-a");
  EXPECT_EQ(query.sql, "SELECT a,\n  b, c FROM t");
  EXPECT_EQ(query.expected_lines, (std::vector<std::string>{"1", "x", "2.000"}));
  EXPECT_FALSE(query.expected_hashed);
}

TEST(SltParserTest, QuerySortModeDefaultsToNoSort) {
  auto records = MustParse("query I\nSELECT 1\n----\n1\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].sort_mode, SltSortMode::kNoSort);
  EXPECT_EQ(records[0].label, "");
}

TEST(SltParserTest, HashedExpectedBlock) {
  auto records = MustParse("query I valuesort\nSELECT a FROM t\n----\n30 values hashing to "
                           "3c13dee48d9356ae19af2515e05e6b54\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].expected_hashed);
  EXPECT_EQ(records[0].expected_value_count, 30u);
  EXPECT_EQ(records[0].expected_hash, "3c13dee48d9356ae19af2515e05e6b54");
}

TEST(SltParserTest, HashLineMustBeExact) {
  size_t count = 0;
  std::string hash;
  EXPECT_FALSE(ParseHashLine("30 values hashing to 3c13", &count, &hash));
  EXPECT_FALSE(ParseHashLine("x values hashing to 3c13dee48d9356ae19af2515e05e6b54", &count, &hash));
  EXPECT_FALSE(ParseHashLine("30 values hashing to 3C13DEE48D9356AE19AF2515E05E6B54", &count, &hash));
  EXPECT_TRUE(ParseHashLine("3 values hashing to c0710d6b4f15dfa88f600b0e6b624077", &count, &hash));
  EXPECT_EQ(count, 3u);
}

TEST(SltParserTest, EmptyExpectedBlockMeansNoRows) {
  auto records = MustParse("query I\nSELECT a FROM t WHERE 0\n----\n\nstatement ok\nSELECT 1\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[0].expected_lines.empty());
  EXPECT_EQ(records[1].type, SltRecordType::kStatement);
}

TEST(SltParserTest, KeepsLineNumbersAcrossCommentsAndConditions) {
  auto records = MustParse(
      "# comment\n\nhash-threshold 4\n\n# another\nskipif mysql\nonlyif sqlite\n"
      "statement ok\nSELECT 1\n\nquery T\nSELECT 'a'\n----\na\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].type, SltRecordType::kHashThreshold);
  EXPECT_EQ(records[0].hash_threshold, 4u);
  EXPECT_EQ(records[0].line, 3u);
  EXPECT_EQ(records[1].line, 8u);
  ASSERT_EQ(records[1].conditions.size(), 2u);
  EXPECT_FALSE(records[1].conditions[0].only_if);
  EXPECT_EQ(records[1].conditions[0].engine, "mysql");
  EXPECT_TRUE(records[1].conditions[1].only_if);
  EXPECT_EQ(records[1].conditions[1].engine, "sqlite");
  EXPECT_EQ(records[2].line, 11u);
}

TEST(SltParserTest, CarriageReturnsAreStripped) {
  auto records = MustParse("query I nosort\r\nSELECT 1\r\n----\r\n1\r\n\r\nhalt\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].sql, "SELECT 1");
  EXPECT_EQ(records[0].expected_lines, std::vector<std::string>{"1"});
  EXPECT_EQ(records[1].type, SltRecordType::kHalt);
}

TEST(SltParserTest, Extensions) {
  auto records = MustParse("connection c2\n\nrestart\n\nhalt\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].type, SltRecordType::kConnection);
  EXPECT_EQ(records[0].connection, "c2");
  EXPECT_EQ(records[1].type, SltRecordType::kRestart);
  EXPECT_EQ(records[2].type, SltRecordType::kHalt);
}

TEST(SltParserTest, UnknownRecordNamesItsLine) {
  SltParseError error = ParseFailure("statement ok\nSELECT 1\n\nloop i 0 10\n");
  EXPECT_EQ(error.line, 4u);
  EXPECT_NE(error.message.find("loop"), std::string::npos);
}

TEST(SltParserTest, RejectsMalformedRecords) {
  EXPECT_EQ(ParseFailure("query X\nSELECT 1\n----\n1\n").line, 1u);
  EXPECT_EQ(ParseFailure("\nquery I sorted\nSELECT 1\n----\n1\n").line, 2u);
  EXPECT_EQ(ParseFailure("query I\nSELECT 1\n\n").line, 1u);
  EXPECT_EQ(ParseFailure("statement ok\n\n").line, 1u);
  EXPECT_EQ(ParseFailure("statement maybe\nSELECT 1\n").line, 1u);
  EXPECT_EQ(ParseFailure("statement error 4260\nSELECT\n").line, 1u);
  EXPECT_EQ(ParseFailure("hash-threshold many\n").line, 1u);
  EXPECT_EQ(ParseFailure("skipif sqlite\n\nstatement ok\nSELECT 1\n").line, 1u);
}

// ------------------------------------------------------- values and hashes

SltValue Double(double v) { return SltValue::Double(v, std::to_string(v)); }

TEST(SltValuesTest, NullIsNullForEveryType) {
  for (char type : {'I', 'R', 'T'}) EXPECT_EQ(RenderSltValue(type, SltValue::Null()), "NULL");
}

TEST(SltValuesTest, IntegerColumn) {
  EXPECT_EQ(RenderSltValue('I', SltValue::Integer(-42)), "-42");
  EXPECT_EQ(RenderSltValue('I', Double(2.9)), "2");
  EXPECT_EQ(RenderSltValue('I', Double(-2.9)), "-2");
  EXPECT_EQ(RenderSltValue('I', Double(1e300)), "9223372036854775807");
  EXPECT_EQ(RenderSltValue('I', SltValue::Text("12abc")), "12");
  EXPECT_EQ(RenderSltValue('I', SltValue::Text("  -7.5")), "-7");
  EXPECT_EQ(RenderSltValue('I', SltValue::Text("abc")), "0");
  EXPECT_EQ(RenderSltValue('I', SltValue::Text("")), "0");
  EXPECT_EQ(RenderSltValue('I', SltValue::Text("-123.99")), "-123");
}

TEST(SltValuesTest, LeadingIntegerSaturates) {
  EXPECT_EQ(LeadingInteger("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(LeadingInteger("9223372036854775808"), INT64_MAX);
  EXPECT_EQ(LeadingInteger("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(LeadingInteger("-99999999999999999999"), INT64_MIN);
  EXPECT_EQ(LeadingInteger("+5"), 5);
  EXPECT_EQ(LeadingInteger("-"), 0);
}

TEST(SltValuesTest, RealColumn) {
  EXPECT_EQ(RenderSltValue('R', SltValue::Integer(3)), "3.000");
  EXPECT_EQ(RenderSltValue('R', Double(2.0 / 3.0)), "0.667");
  EXPECT_EQ(RenderSltValue('R', Double(-0.5)), "-0.500");
  EXPECT_EQ(RenderSltValue('R', SltValue::Text("1.5e1x")), "15.000");
  EXPECT_EQ(RenderSltValue('R', SltValue::Text("x")), "0.000");
}

TEST(SltValuesTest, RealColumnKeepsSixteenSignificantDigitsLikeSqlite) {
  EXPECT_EQ(RenderSltValue('R', Double(-9223372036854775808.0)), "-9223372036854776000.000");
  EXPECT_EQ(RenderSltValue('R', Double(-18446744073709551616.0)), "-18446744073709550000.000");
  EXPECT_EQ(RenderSltValue('R', SltValue::Integer(INT64_MAX)), "9223372036854776000.000");
  EXPECT_EQ(RenderSltValue('R', Double(1234567890123.4567)), "1234567890123.457");
  EXPECT_EQ(RenderSltValue('R', Double(12345678901234.567)), "12345678901234.570");
  EXPECT_EQ(RenderSltValue('R', Double(1e20)), "100000000000000000000.000");
}

TEST(SltValuesTest, TextColumn) {
  EXPECT_EQ(RenderSltValue('T', SltValue::Text("")), "(empty)");
  EXPECT_EQ(RenderSltValue('T', SltValue::Text("a b")), "a b");
  EXPECT_EQ(RenderSltValue('T', SltValue::Text("a\tb\n\x7f")), "a@b@@");
  EXPECT_EQ(RenderSltValue('T', SltValue::Text("\xc3\xbc")), "@@");
  EXPECT_EQ(RenderSltValue('T', SltValue::Integer(7)), "7");
}

TEST(SltValuesTest, RowSortComparesRenderedStrings) {
  std::vector<SltRow> rows = {{SltValue::Integer(9), SltValue::Text("b")},
                              {SltValue::Integer(10), SltValue::Text("a")},
                              {SltValue::Integer(9), SltValue::Text("a")}};
  EXPECT_EQ(RenderSltRows("IT", rows, SltSortMode::kNoSort),
            (std::vector<std::string>{"9", "b", "10", "a", "9", "a"}));
  EXPECT_EQ(RenderSltRows("IT", rows, SltSortMode::kRowSort),
            (std::vector<std::string>{"10", "a", "9", "a", "9", "b"}));
  EXPECT_EQ(RenderSltRows("IT", rows, SltSortMode::kValueSort),
            (std::vector<std::string>{"10", "9", "9", "a", "a", "b"}));
}

TEST(SltValuesTest, Md5OfKnownValueLists) {
  EXPECT_EQ(HashSltValues({"1", "2", "3"}), "c0710d6b4f15dfa88f600b0e6b624077");
  EXPECT_EQ(HashSltValues({}), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HashSltValues({"a"}), "60b725f10c9c85c70d97880dfe8191b3");
}

// ------------------------------------------------------------------ runner

// Answers statements from a table keyed by SQL text; anything else
// succeeds with no columns. Records every call.
class FakeEngine : public SltEngine {
 public:
  void Answer(const std::string& sql, SltQueryResult result) { results_[sql] = std::move(result); }
  void Refuse(const std::string& sql, Status error) { errors_.emplace(sql, std::move(error)); }

  Result<SltQueryResult> Execute(const std::string& connection, std::string_view sql) override {
    calls.push_back(connection + ": " + std::string(sql));
    if (auto it = errors_.find(std::string(sql)); it != errors_.end()) return it->second;
    if (auto it = results_.find(std::string(sql)); it != results_.end()) return it->second;
    return SltQueryResult{};
  }
  Status Restart() override {
    ++restarts;
    return restart_status;
  }

  std::vector<std::string> calls;
  int restarts = 0;
  Status restart_status;

 private:
  std::map<std::string, SltQueryResult> results_;
  std::map<std::string, Status> errors_;
};

SltQueryResult IntColumn(std::initializer_list<int64_t> values) {
  SltQueryResult result;
  result.column_count = 1;
  for (int64_t v : values) result.rows.push_back({SltValue::Integer(v)});
  return result;
}

class SltRunnerTest : public ::testing::Test {
 protected:
  // Runs `script` as "t.test"; returns whether the run went to the end.
  bool Run(std::string_view script) {
    SltRunner runner(options_, &out_);
    bool finished = runner.RunScript(&engine_, "t.test", MustParse(script));
    counts_ = runner.counts();
    return finished;
  }
  std::string output() const { return out_.str(); }

  FakeEngine engine_;
  SltRunOptions options_;
  std::ostringstream out_;
  SltCounts counts_;
};

TEST_F(SltRunnerTest, PassingStatementsAndQueries) {
  engine_.Answer("SELECT a FROM t", IntColumn({1, 2, 3}));
  Run("statement ok\nCREATE TABLE t(a INTEGER)\n\nquery I nosort\nSELECT a FROM t\n----\n1\n2\n3\n");
  EXPECT_EQ(counts_.passed, 2u);
  EXPECT_EQ(counts_.failed, 0u);
  EXPECT_EQ(output(), "");
}

TEST_F(SltRunnerTest, WrongValuesReportFileLineAndBothLists) {
  engine_.Answer("SELECT a FROM t", IntColumn({1, 2, 4}));
  Run("statement ok\nCREATE TABLE t(a INTEGER)\n\nquery I nosort\nSELECT a FROM t\n----\n1\n2\n3\n");
  EXPECT_EQ(counts_.passed, 1u);
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_EQ(output(), "t.test:4: wrong result at value 3: expected [1, 2, 3] got [1, 2, 4]\n");
}

TEST_F(SltRunnerTest, HashedResults) {
  engine_.Answer("SELECT a FROM t", IntColumn({3, 1, 2}));
  Run("query I valuesort\nSELECT a FROM t\n----\n3 values hashing to c0710d6b4f15dfa88f600b0e6b624077\n\n"
      "query I nosort\nSELECT a FROM t\n----\n3 values hashing to c0710d6b4f15dfa88f600b0e6b624077\n");
  EXPECT_EQ(counts_.passed, 1u);
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_NE(output().find("t.test:6: wrong result: expected 3 values hashing to c0710d6b"),
            std::string::npos)
      << output();
}

TEST_F(SltRunnerTest, RowPerLineExpectedBlock) {
  SltQueryResult result;
  result.column_count = 2;
  result.rows = {{SltValue::Integer(2), SltValue::Text("b c")}, {SltValue::Integer(1), SltValue::Text("a")}};
  engine_.Answer("SELECT * FROM t", result);
  Run("query IT rowsort\nSELECT * FROM t\n----\n1 a\n2\tb c\n");
  EXPECT_EQ(counts_.passed, 1u) << output();
}

TEST_F(SltRunnerTest, LongValueListsAreShownAroundTheFirstDifference) {
  engine_.Answer("SELECT a FROM t", IntColumn({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  Run("hash-threshold 0\n\nquery I\nSELECT a FROM t\n----\n1\n2\n3\n4\n5\n6\n7\n8\n9\n0\n11\n12\n");
  EXPECT_EQ(output(),
            "t.test:3: wrong result at value 10: expected [... 8, 9, 0, 11, 12 (12 values)] "
            "got [... 8, 9, 10, 11, 12 (12 values)]\n");
}

TEST_F(SltRunnerTest, ColumnCountMismatch) {
  engine_.Answer("SELECT a FROM t", IntColumn({1}));
  Run("query II\nSELECT a FROM t\n----\n1\n1\n");
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_EQ(output(), "t.test:1: query returned 1 columns, expected 2 ('II')\n");
}

TEST_F(SltRunnerTest, LabelsMustAgree) {
  engine_.Answer("SELECT a FROM t", IntColumn({1, 2}));
  engine_.Answer("SELECT a FROM t WHERE a > 0", IntColumn({1, 2}));
  engine_.Answer("SELECT a FROM t2", IntColumn({1, 3}));
  Run("query I rowsort q1\nSELECT a FROM t\n----\n1\n2\n\n"
      "query I rowsort q1\nSELECT a FROM t WHERE a > 0\n----\n1\n2\n\n"
      "query I rowsort q1\nSELECT a FROM t2\n----\n1\n2\n");
  EXPECT_EQ(counts_.passed, 2u);
  EXPECT_EQ(counts_.failed, 1u);
  // The third query fails twice over: its values and its label.
  EXPECT_NE(output().find("t.test:13: wrong result"), std::string::npos) << output();
  EXPECT_NE(output().find("t.test:13: label 'q1': 2 values hashing to"), std::string::npos) << output();
  EXPECT_NE(output().find("differ from line 1"), std::string::npos) << output();
}

TEST_F(SltRunnerTest, LabelMismatchAloneFails) {
  engine_.Answer("SELECT 1", IntColumn({1}));
  engine_.Answer("SELECT 2", IntColumn({2}));
  // Expected blocks match each result; only the label catches the difference.
  Run("query I nosort x\nSELECT 1\n----\n1\n\nquery I nosort x\nSELECT 2\n----\n2\n");
  EXPECT_EQ(counts_.passed, 1u);
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_NE(output().find("t.test:6: label 'x'"), std::string::npos) << output();
}

TEST_F(SltRunnerTest, StatementErrors) {
  engine_.Refuse("SELECT * FROM nowhere",
                 Status::NotFound("table \"nowhere\" does not exist").WithSqlState("42P01"));
  Run("statement error\nSELECT * FROM nowhere\n\n"
      "statement error 42P01\nSELECT * FROM nowhere\n\n"
      "statement error 23505\nSELECT * FROM nowhere\n\n"
      "statement error\nSELECT 1\n\n"
      "statement ok\nSELECT * FROM nowhere\n");
  EXPECT_EQ(counts_.passed, 2u);
  EXPECT_EQ(counts_.failed, 3u);
  EXPECT_EQ(output(),
            "t.test:7: statement failed with 42P01: table \"nowhere\" does not exist, expected 23505\n"
            "t.test:10: statement succeeded, expected an error: SELECT 1\n"
            "t.test:13: statement failed: 42P01: table \"nowhere\" does not exist\n");
}

TEST_F(SltRunnerTest, QueryErrorIsAFailure) {
  engine_.Refuse("SELECT 1/0", Status::InvalidArgument("division by zero").WithSqlState("22012"));
  Run("query I\nSELECT 1/0\n----\n1\n");
  EXPECT_EQ(output(), "t.test:1: query failed: 22012: division by zero\n");
}

TEST_F(SltRunnerTest, AsSqliteAQueryErrorCountsAsNoRowsWhenNoneAreExpected) {
  engine_.Refuse("SELECT sum(x) FROM t", Status::OutOfRange("bigint out of range"));
  Run("query R\nSELECT sum(x) FROM t\n----\n\nquery R\nSELECT sum(x) FROM t\n----\n1.000\n");
  EXPECT_EQ(counts_.passed, 1u);
  EXPECT_EQ(output(), "t.test:5: query failed: 22003: bigint out of range\n");
}

TEST_F(SltRunnerTest, UnderOtherNamesAQueryErrorIsAlwaysAFailure) {
  options_.engine_name = "nqdb";
  engine_.Refuse("SELECT sum(x) FROM t", Status::OutOfRange("bigint out of range"));
  Run("query R\nSELECT sum(x) FROM t\n----\n\n");
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_EQ(output(), "t.test:1: query failed: 22003: bigint out of range\n");
}

TEST_F(SltRunnerTest, SkipIfAndOnlyIf) {
  Run("skipif sqlite\nstatement ok\nA\n\nonlyif sqlite\nstatement ok\nB\n\n"
      "onlyif mysql\nstatement ok\nC\n\nskipif mysql\nstatement ok\nD\n");
  EXPECT_EQ(engine_.calls, (std::vector<std::string>{"default: B", "default: D"}));
  EXPECT_EQ(counts_.passed, 2u);
  EXPECT_EQ(counts_.skipped, 2u);
}

TEST_F(SltRunnerTest, EngineNameIsAnOption) {
  options_.engine_name = "nqdb";
  Run("skipif sqlite\nstatement ok\nA\n\nonlyif sqlite\nstatement ok\nB\n\nonlyif nqdb\nstatement ok\nC\n");
  EXPECT_EQ(engine_.calls, (std::vector<std::string>{"default: A", "default: C"}));
}

TEST_F(SltRunnerTest, HaltStopsTheScript) {
  Run("statement ok\nA\n\nskipif sqlite\nhalt\n\nstatement ok\nB\n\nonlyif sqlite\nhalt\n\n"
      "statement ok\nC\n\nquery I\nD\n----\n1\n");
  EXPECT_EQ(engine_.calls, (std::vector<std::string>{"default: A", "default: B"}));
  EXPECT_EQ(counts_.passed, 2u);
  EXPECT_EQ(counts_.skipped, 2u);
}

TEST_F(SltRunnerTest, ConnectionsAndRestart) {
  Run("statement ok\nA\n\nconnection c2\n\nstatement ok\nB\n\nrestart\n\n"
      "connection default\n\nstatement ok\nC\n");
  EXPECT_EQ(engine_.calls, (std::vector<std::string>{"default: A", "c2: B", "default: C"}));
  EXPECT_EQ(engine_.restarts, 1);
  EXPECT_EQ(counts_.passed, 3u);
}

TEST_F(SltRunnerTest, FailedRestartStopsTheScript) {
  engine_.restart_status = Status::IOError("disk gone");
  Run("restart\n\nstatement ok\nA\n");
  EXPECT_TRUE(engine_.calls.empty());
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_EQ(counts_.skipped, 1u);
  EXPECT_NE(output().find("t.test:1: restart failed"), std::string::npos);
}

TEST_F(SltRunnerTest, StopOnFailure) {
  options_.stop_on_failure = true;
  engine_.Refuse("A", Status::InvalidArgument("no"));
  EXPECT_FALSE(Run("statement ok\nA\n\nstatement ok\nB\n"));
  EXPECT_EQ(engine_.calls, std::vector<std::string>{"default: A"});
  EXPECT_EQ(counts_.failed, 1u);
}

TEST_F(SltRunnerTest, HashThresholdIsPerScript) {
  engine_.Answer("SELECT a FROM t", IntColumn({1, 2, 3}));
  // With hashing disabled the expected block lists values; the note about
  // hashing appears only when a failing result exceeds the threshold.
  Run("hash-threshold 2\n\nquery I\nSELECT a FROM t\n----\n1\n2\n4\n");
  EXPECT_NE(output().find("(3 values hashing to c0710d6b4f15dfa88f600b0e6b624077)"), std::string::npos)
      << output();
}

TEST_F(SltRunnerTest, VerboseShowsSqlAndSummary) {
  options_.verbose = true;
  engine_.Answer("SELECT a FROM t", IntColumn({2}));
  Run("query I\nSELECT a FROM t\n----\n1\n");
  EXPECT_EQ(output(),
            "t.test:1: wrong result at value 1: expected [1] got [2]\n"
            "    SELECT a FROM t\n"
            "    expected: [1]\n"
            "    got:      [2]\n"
            "t.test: 0 passed, 1 failed, 0 skipped\n");
}

}  // namespace
}  // namespace neuroquantum::shell
