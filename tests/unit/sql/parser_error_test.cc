// Syntax errors: exact messages with line, column and nearby text; the
// structured ParseError; the nesting and tree-height limits (a clear error,
// no stack overflow, linear time); completeness checks for the shell and
// the incremental Parser.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::sql {
namespace {

ParseError ErrorOf(std::string_view sql) {
  ParseError error;
  auto result = ParseScript(sql, &error);
  EXPECT_FALSE(result.ok()) << sql;
  if (!result.ok()) {
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().message(), error.message);
    EXPECT_EQ(SqlState(result.status()), error.sqlstate);  // the Status carries it too
  }
  return error;
}

std::string MessageOf(std::string_view sql) { return ErrorOf(sql).message; }

TEST(ParserErrorTest, MissingFromTarget) {
  ParseError error = ErrorOf("SELECT a FROM");
  EXPECT_EQ(error.message,
            "syntax error at line 1, column 14: expected table name, found end of input "
            "near \"SELECT a FROM\"");
  EXPECT_EQ(error.sqlstate, "42601");
  EXPECT_EQ(error.line, 1u);
  EXPECT_EQ(error.column, 14u);
  EXPECT_EQ(error.offset, 13u);
  EXPECT_EQ(MessageOf("SELECT a\nFROM\n  WHERE b = 1"),
            "syntax error at line 3, column 3: expected table name, found WHERE "
            "near \"WHERE b = 1\"");
}

TEST(ParserErrorTest, UnterminatedStringOnLineThree) {
  ParseError error = ErrorOf("SELECT 1;\nSELECT 2;\nSELECT 'never closed\nFROM t");
  EXPECT_EQ(error.message,
            "syntax error at line 3, column 8: unterminated string literal "
            "near \"'never closed FROM t\"");
  EXPECT_EQ(error.line, 3u);
  EXPECT_EQ(error.column, 8u);
  EXPECT_EQ(error.offset, 27u);
  EXPECT_EQ(error.sqlstate, "42601");
}

TEST(ParserErrorTest, BadToken) {
  EXPECT_EQ(MessageOf("SELECT a # b FROM t"),
            "syntax error at line 1, column 10: unexpected character near \"# b FROM t\"");
  EXPECT_EQ(MessageOf("SELECT 1 2"),
            "syntax error at line 1, column 10: expected ';' or end of input, found 2 near \"2\"");
  EXPECT_EQ(MessageOf("SELEC 1"),
            "syntax error at line 1, column 1: expected a statement, found SELEC near \"SELEC 1\"");
}

TEST(ParserErrorTest, ExpectedWhatAndFoundWhat) {
  EXPECT_EQ(MessageOf("SELECT (1 + 2 FROM t"),
            "syntax error at line 1, column 15: expected ')', found FROM near \"FROM t\"");
  EXPECT_EQ(MessageOf("SELECT CASE WHEN a THEN 1"),
            "syntax error at line 1, column 26: expected WHEN, ELSE or END, found end of input "
            "near \"T CASE WHEN a THEN 1\"");
  EXPECT_EQ(MessageOf("INSERT t VALUES (1)"),
            "syntax error at line 1, column 8: expected INTO, found t near \"t VALUES (1)\"");
  EXPECT_EQ(MessageOf("SELECT * FROM t WHERE"),
            "syntax error at line 1, column 22: expected an expression, found end of input "
            "near \"ELECT * FROM t WHERE\"");
  EXPECT_EQ(MessageOf("CREATE TABLE t (a INT PRIMARY)"),
            "syntax error at line 1, column 30: expected KEY, found ) near \")\"");
  EXPECT_EQ(MessageOf("BEGIN ISOLATION LEVEL READ SOMETHING"),
            "syntax error at line 1, column 28: expected COMMITTED or UNCOMMITTED, found SOMETHING "
            "near \"SOMETHING\"");
  EXPECT_EQ(MessageOf("SELECT 'a very long string literal indeed' +"),
            "syntax error at line 1, column 45: expected an expression, found end of input "
            "near \"ng literal indeed' +\"");
}

TEST(ParserErrorTest, LongTokensAreShortened) {
  std::string sql = "SELECT 1 'abcdefghijklmnopqrstuvwxyz'";
  EXPECT_EQ(MessageOf(sql),
            "syntax error at line 1, column 10: expected ';' or end of input, found "
            "'abcdefghijklmnopqrs... near \"'abcdefghijklmnopqrs\"");
}

TEST(ParserErrorTest, ColumnsCountCodePoints) {
  ParseError error = ErrorOf("SELECT 'é', 'ü' 'x'");
  EXPECT_EQ(error.column, 17u);
  EXPECT_EQ(error.offset, 18u);
}

TEST(ParserErrorTest, ReservedWordsNeedQuotes) {
  EXPECT_EQ(MessageOf("CREATE TABLE select (a INT)"),
            "syntax error at line 1, column 14: expected table name, found select "
            "near \"select (a INT)\"");
  EXPECT_TRUE(ParseStatement("CREATE TABLE \"select\" (\"from\" INT)").ok());
}

TEST(ParserErrorTest, WindowSyntax) {
  EXPECT_EQ(MessageOf("SELECT rank() OVER FROM t"),
            "syntax error at line 1, column 20: expected '(' or a window name after OVER, found FROM "
            "near \"FROM t\"");
  EXPECT_EQ(MessageOf("SELECT sum(a) OVER (ROWS BETWEEN 1 PRECEDING) FROM t"),
            "syntax error at line 1, column 45: expected AND, found ) near \") FROM t\"");
  EXPECT_EQ(MessageOf("SELECT sum(a) OVER (ROWS 1 PRECEDING EXCLUDE OTHERS)"),
            "syntax error at line 1, column 46: expected NO OTHERS, CURRENT ROW, GROUP or TIES, found OTHERS "
            "near \"OTHERS)\"");
  EXPECT_EQ(MessageOf("SELECT sum(a) OVER (ORDER BY a ROWS UNBOUNDED)"),
            "syntax error at line 1, column 46: expected PRECEDING or FOLLOWING, found ) near \")\"");
  EXPECT_EQ(MessageOf("SELECT sum(a) OVER (ROWS 2)"),
            "syntax error at line 1, column 27: expected PRECEDING or FOLLOWING, found ) near \")\"");
  EXPECT_EQ(MessageOf("SELECT sum(a) OVER (PARTITION a)"),
            "syntax error at line 1, column 31: expected BY, found a near \"a)\"");
  EXPECT_EQ(MessageOf("SELECT a FROM t WINDOW w (ORDER BY a)"),
            "syntax error at line 1, column 26: expected AS, found ( near \"(ORDER BY a)\"");
  // WINDOW is reserved: it ends a FROM item instead of naming it.
  EXPECT_EQ(MessageOf("SELECT a FROM t window"),
            "syntax error at line 1, column 23: expected window name, found end of input "
            "near \"LECT a FROM t window\"");
}

TEST(ParserErrorTest, SemanticShapeErrors) {
  EXPECT_EQ(MessageOf("VALUES (1, 2), (3)"),
            "syntax error at line 1, column 16: all VALUES rows must have the same number of "
            "values near \"(3)\"");
  EXPECT_EQ(MessageOf("CREATE TABLE t (PRIMARY KEY (a))"),
            "syntax error at line 1, column 8: a table needs at least one column near "
            "\"TABLE t (PRIMARY KEY\"");
}

TEST(ParserErrorTest, InvalidUtf8) {
  ParseError error = ErrorOf("SELECT 'ok';\nSELECT '\xc3\x28'");
  EXPECT_EQ(error.line, 2u);
  EXPECT_EQ(error.column, 9u);
  EXPECT_EQ(error.message,
            "syntax error at line 2, column 9: invalid UTF-8 near \"?('\"");
  // Control characters in the snippet are shown as spaces.
  EXPECT_EQ(MessageOf(std::string_view("SELECT \x01", 8)),
            "syntax error at line 1, column 8: unexpected character near \" \"");
}

TEST(ParserErrorTest, ParseStatementRejectsASecondStatement) {
  auto result = ParseStatement("SELECT 1; SELECT 2");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "syntax error at line 1, column 11: expected end of input, found SELECT "
            "near \"SELECT 2\"");
  EXPECT_TRUE(ParseStatement("SELECT 1;;").ok());
  EXPECT_FALSE(ParseStatement("").ok());
}

TEST(ParserErrorTest, NestingDepthLimit) {
  auto nested = [](int depth) {
    return "SELECT " + std::string(depth, '(') + "1" + std::string(depth, ')');
  };
  EXPECT_TRUE(ParseStatement(nested(kMaxParseDepth - 5)).ok());
  ParseError error;
  auto result = ParseStatement(nested(20000), &error);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(error.message.find("too deeply nested"), std::string::npos) << error.message;
  EXPECT_EQ(error.sqlstate, "54001");
  EXPECT_EQ(SqlState(result.status()), "54001");
  EXPECT_EQ(error.line, 1u);
}

TEST(ParserErrorTest, EveryRecursiveFormIsLimited) {
  const std::string forms[] = {
      [] { std::string s; for (int i = 0; i < 20000; ++i) s += "- "; return s + "1"; }(),
      [] { std::string s; for (int i = 0; i < 20000; ++i) s += "NOT "; return s + "1"; }(),
      [] { std::string s; for (int i = 0; i < 20000; ++i) s += "(SELECT "; return s + "1"; }(),
      [] { std::string s; for (int i = 0; i < 20000; ++i) s += "abs("; return s + "1"; }(),
      [] { std::string s; for (int i = 0; i < 20000; ++i) s += "CASE WHEN "; return s; }(),
      [] { std::string s; for (int i = 0; i < 20000; ++i) s += "EXISTS (SELECT "; return s; }(),
      [] { std::string s = "1"; for (int i = 0; i < 20000; ++i) s += " + 1"; return s; }(),
      [] { std::string s = "1"; for (int i = 0; i < 20000; ++i) s += "::int"; return s; }(),
      [] { std::string s = "1"; for (int i = 0; i < 20000; ++i) s += " IS NULL"; return s; }(),
  };
  for (const auto& form : forms) {
    ParseError error;
    EXPECT_FALSE(ParseStatement("SELECT " + form, &error).ok());
    EXPECT_NE(error.message.find("too deeply nested"), std::string::npos) << error.message;
  }
  std::string joins = "SELECT * FROM t0";
  for (int i = 0; i < 20000; ++i) joins += " JOIN t ON 1";
  EXPECT_FALSE(ParseStatement(joins).ok());
  std::string unions = "SELECT 1";
  for (int i = 0; i < 20000; ++i) unions += " UNION SELECT 1";
  EXPECT_FALSE(ParseStatement(unions).ok());
  std::string explains;
  for (int i = 0; i < 20000; ++i) explains += "EXPLAIN ";
  EXPECT_FALSE(ParseStatement(explains + "SELECT 1").ok());
}

TEST(ParserErrorTest, LongFlatInputsParseInLinearTime) {
  // A wide IN list and many statements are flat, not nested: no limit.
  std::string in_list = "SELECT a IN (0";
  for (int i = 1; i < 50000; ++i) in_list += ", " + std::to_string(i);
  in_list += ")";
  std::string script;
  for (int i = 0; i < 5000; ++i) script += "INSERT INTO t VALUES (" + std::to_string(i) + ", 'x');\n";
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ParseStatement(in_list).ok());
  auto statements = ParseScript(script);
  ASSERT_TRUE(statements.ok());
  EXPECT_EQ(statements->size(), 5000u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(ParserErrorTest, TallTreesAtTheLimitStillPrintAndReparse) {
  std::string chain = "SELECT 1";
  for (uint32_t i = 0; i < kMaxTreeHeight - 10; ++i) chain += " + 1";
  auto statement = ParseStatement(chain);
  ASSERT_TRUE(statement.ok()) << statement.status().ToString();
  std::string printed = ToSql(**statement);
  auto again = ParseStatement(printed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToSql(**again), printed);
}

TEST(IsCompleteStatementTest, SemicolonsOutsideStringsAndComments) {
  EXPECT_TRUE(IsCompleteStatement("SELECT 1;"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 1;  \n"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 1; -- trailing comment"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 1; /* c */"));
  EXPECT_TRUE(IsCompleteStatement("SELECT ';';"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 'it''s;';"));
  EXPECT_FALSE(IsCompleteStatement(""));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1"));
  EXPECT_FALSE(IsCompleteStatement("SELECT ';"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 'a;'"));
  EXPECT_FALSE(IsCompleteStatement("SELECT \"a;\""));
  EXPECT_FALSE(IsCompleteStatement("SELECT [a;"));
  EXPECT_FALSE(IsCompleteStatement("SELECT `a;"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1 -- ;"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1 /* ; */"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1; /* open"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1; SELECT 2"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1; -"));
}

TEST(IsCompleteStatementTest, TriggerBodyEndsAtEnd) {
  EXPECT_FALSE(IsCompleteStatement("CREATE TRIGGER t AFTER INSERT ON x BEGIN INSERT INTO y VALUES (1);"));
  EXPECT_FALSE(IsCompleteStatement("create temp trigger t after insert on x begin select 1; select 2;"));
  // CASE ... END inside the body is not the body's END.
  EXPECT_FALSE(IsCompleteStatement("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END;"));
  EXPECT_TRUE(IsCompleteStatement("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;"));
  EXPECT_TRUE(IsCompleteStatement("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT ';'; end ; -- done"));
  // Other statements, and words that only look alike, end at the first ';'.
  EXPECT_TRUE(IsCompleteStatement("CREATE TABLE trigger_log (a INT);"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 1 AS trigger;"));
  EXPECT_TRUE(IsCompleteStatement("BEGIN;"));
  EXPECT_TRUE(IsCompleteStatement("END;"));
}

TEST(IncrementalParserTest, TriggerLineByLine) {
  Parser parser;
  parser.Append("CREATE TRIGGER t AFTER INSERT ON x\n");
  parser.Append("BEGIN\n");
  parser.Append("  INSERT INTO y VALUES (new.a);\n");
  EXPECT_FALSE(parser.HasCompleteStatement());
  EXPECT_TRUE(parser.InStatement());
  parser.Append("  UPDATE z SET n = CASE WHEN n > 0 THEN n END;\n");
  EXPECT_FALSE(parser.HasCompleteStatement());
  parser.Append("EN");  // a word split across appends
  EXPECT_FALSE(parser.HasCompleteStatement());
  parser.Append("D; SELECT 2;");
  ASSERT_TRUE(parser.HasCompleteStatement());
  auto trigger = parser.Next();
  ASSERT_TRUE(trigger.ok()) << trigger.status().ToString();
  ASSERT_NE(*trigger, nullptr);
  EXPECT_EQ(ToSql(**trigger),
            "CREATE TRIGGER t AFTER INSERT ON x BEGIN INSERT INTO y VALUES (new.a); UPDATE z SET n = CASE WHEN n > 0 "
            "THEN n END; END");
  ASSERT_TRUE(parser.HasCompleteStatement());
  auto next = parser.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(ToSql(**next), "SELECT 2");
}

// NextText hands out each statement's text without parsing it, and says
// which texts hold nothing to run.
TEST(IncrementalParserTest, NextTextSplitsWithoutParsing) {
  Parser parser;
  parser.Append("SELECT 'x;y' FROM t; -- note\n ; /* c */ ;SELEC oops;");
  bool empty = true;
  ASSERT_TRUE(parser.HasCompleteStatement());
  EXPECT_EQ(parser.NextText(&empty), "SELECT 'x;y' FROM t;");
  EXPECT_FALSE(empty);
  ASSERT_TRUE(parser.HasCompleteStatement());
  EXPECT_EQ(parser.NextText(&empty), " -- note\n ;");
  EXPECT_TRUE(empty);
  ASSERT_TRUE(parser.HasCompleteStatement());
  EXPECT_EQ(parser.NextText(&empty), " /* c */ ;");
  EXPECT_TRUE(empty);
  // A syntax error is the runner's to report: the text comes back as is.
  ASSERT_TRUE(parser.HasCompleteStatement());
  EXPECT_EQ(parser.NextText(&empty), "SELEC oops;");
  EXPECT_FALSE(empty);
  EXPECT_FALSE(parser.HasCompleteStatement());
  EXPECT_FALSE(parser.InStatement());
}

TEST(IncrementalParserTest, LineByLine) {
  Parser parser;
  parser.Append("SELECT 'a;\n");
  EXPECT_FALSE(parser.HasCompleteStatement());
  EXPECT_TRUE(parser.InStatement());
  parser.Append("b' -- ;\n");
  EXPECT_FALSE(parser.HasCompleteStatement());
  parser.Append("; SELECT 2; SEL");
  ASSERT_TRUE(parser.HasCompleteStatement());
  auto first = parser.Next();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_NE(*first, nullptr);
  EXPECT_EQ(ToSql(**first), "SELECT 'a;\nb'");
  ASSERT_TRUE(parser.HasCompleteStatement());
  auto second = parser.Next();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(ToSql(**second), "SELECT 2");
  EXPECT_FALSE(parser.HasCompleteStatement());
  EXPECT_TRUE(parser.InStatement());
  EXPECT_EQ(parser.pending(), " SEL");
  parser.Append("ECT 3");
  auto rest = parser.Finish();
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(ToSql(*(*rest)[0]), "SELECT 3");
  EXPECT_FALSE(parser.InStatement());
}

TEST(IncrementalParserTest, SplitTokensAcrossAppends) {
  Parser parser;
  // A quote that ends one chunk may be doubled by the next; a '-' may
  // become a comment.
  parser.Append("SELECT 'x'");
  parser.Append("';'");
  EXPECT_FALSE(parser.HasCompleteStatement());
  parser.Append(" -");
  parser.Append("- ;\n;");
  ASSERT_TRUE(parser.HasCompleteStatement());
  auto statement = parser.Next();
  ASSERT_TRUE(statement.ok());
  EXPECT_EQ(ToSql(**statement), "SELECT 'x'';'");
}

TEST(IncrementalParserTest, EmptyStatementsAndErrors) {
  Parser parser;
  parser.Append(" ; -- just a comment\n");
  ASSERT_TRUE(parser.HasCompleteStatement());
  auto empty = parser.Next();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, nullptr);
  EXPECT_FALSE(parser.InStatement());
  parser.Append("SELECT FROM;");
  ParseError error;
  auto bad = parser.Next(&error);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(error.column, 8u);
  parser.Append("SELECT 1;");
  EXPECT_TRUE(parser.Next().ok());
}

TEST(IncrementalParserTest, ManyStatementsInOneAppendStayFast) {
  std::string script;
  for (int i = 0; i < 10000; ++i) script += "SELECT " + std::to_string(i) + ";";
  Parser parser;
  parser.Append(script);
  auto start = std::chrono::steady_clock::now();
  int count = 0;
  while (parser.HasCompleteStatement()) {
    ASSERT_TRUE(parser.Next().ok());
    ++count;
  }
  EXPECT_EQ(count, 10000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace neuroquantum::sql
