// Lexer: token kinds and values, case folding and quoting, literals,
// parameters, operators, comments, positions (offset, line, code-point
// column) and lexical errors with their positions.
#include "sql/lexer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace neuroquantum::sql {
namespace {

std::vector<Token> Lex(std::string_view sql) {
  std::vector<Token> tokens;
  LexError error;
  EXPECT_TRUE(Tokenize(sql, &tokens, &error)) << error.problem;
  return tokens;
}

LexError LexFails(std::string_view sql) {
  std::vector<Token> tokens;
  LexError error;
  EXPECT_FALSE(Tokenize(sql, &tokens, &error)) << sql;
  return error;
}

std::vector<TokenKind> Kinds(std::string_view sql) {
  std::vector<TokenKind> kinds;
  for (const auto& token : Lex(sql)) kinds.push_back(token.kind);
  return kinds;
}

TEST(LexerTest, KeywordsAreCaseInsensitiveAndIdentifiersFolded) {
  auto tokens = Lex("SeLeCt MyCol FROM t");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].keyword, Keyword::kSelect);
  EXPECT_EQ(tokens[1].kind, TokenKind::kIdentifier);
  EXPECT_EQ(tokens[1].value, "mycol");
  EXPECT_EQ(tokens[1].keyword, Keyword::kNone);
  EXPECT_EQ(tokens[1].text, "MyCol");
  EXPECT_EQ(tokens[2].keyword, Keyword::kFrom);
  EXPECT_EQ(tokens[4].kind, TokenKind::kEnd);
}

TEST(LexerTest, QuotedIdentifiersKeepCaseAndAreNeverKeywords) {
  auto tokens = Lex(R"("My""Col" `Sel``ect` [Order By] "select")");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(tokens[0].value, "My\"Col");
  EXPECT_EQ(tokens[1].value, "Sel`ect");
  EXPECT_EQ(tokens[2].value, "Order By");
  EXPECT_EQ(tokens[3].value, "select");
  EXPECT_EQ(tokens[3].keyword, Keyword::kNone);
}

TEST(LexerTest, StringsUnescapeDoubledQuotes) {
  auto tokens = Lex("'it''s' '' 'a\nb'");
  EXPECT_EQ(tokens[0].kind, TokenKind::kString);
  EXPECT_EQ(tokens[0].value, "it's");
  EXPECT_EQ(tokens[1].value, "");
  EXPECT_EQ(tokens[2].value, "a\nb");
}

TEST(LexerTest, BlobLiteralsDecodeHex) {
  auto tokens = Lex("X'0aFf' x''");
  EXPECT_EQ(tokens[0].kind, TokenKind::kBlob);
  EXPECT_EQ(tokens[0].value, std::string("\x0a\xff", 2));
  EXPECT_EQ(tokens[1].kind, TokenKind::kBlob);
  EXPECT_EQ(tokens[1].value, "");
  // A bare x is still an identifier.
  EXPECT_EQ(Lex("x")[0].kind, TokenKind::kIdentifier);
}

TEST(LexerTest, NumbersByKind) {
  auto tokens = Lex("1 1.5 .5 1. 1e10 2.5E-3 007");
  EXPECT_EQ(tokens[0].kind, TokenKind::kInteger);
  EXPECT_EQ(tokens[1].kind, TokenKind::kDecimal);
  EXPECT_EQ(tokens[2].kind, TokenKind::kDecimal);
  EXPECT_EQ(tokens[2].value, ".5");
  EXPECT_EQ(tokens[3].kind, TokenKind::kDecimal);
  EXPECT_EQ(tokens[4].kind, TokenKind::kFloat);
  EXPECT_EQ(tokens[5].kind, TokenKind::kFloat);
  EXPECT_EQ(tokens[5].value, "2.5E-3");
  EXPECT_EQ(tokens[6].value, "007");
}

TEST(LexerTest, Parameters) {
  auto tokens = Lex("$1 ? ?7 $12");
  EXPECT_EQ(tokens[0].kind, TokenKind::kParameter);
  EXPECT_EQ(tokens[0].value, "1");
  EXPECT_EQ(tokens[1].value, "");
  EXPECT_EQ(tokens[2].value, "7");
  EXPECT_EQ(tokens[3].value, "12");
}

TEST(LexerTest, Operators) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("|| :: <> != <= >= == = < > << >> & | ~ + - * / % ( ) , ; ."),
            (std::vector<K>{K::kConcat, K::kDoubleColon, K::kNotEq, K::kNotEq, K::kLe, K::kGe,
                            K::kEq, K::kEq, K::kLt, K::kGt, K::kShiftLeft, K::kShiftRight,
                            K::kBitAnd, K::kBitOr, K::kBitNot, K::kPlus, K::kMinus, K::kStar,
                            K::kSlash, K::kPercent, K::kLParen, K::kRParen, K::kComma,
                            K::kSemicolon, K::kDot, K::kEnd}));
  // No space needed: a-b is three tokens, a--b is a comment.
  EXPECT_EQ(Kinds("a-b"), (std::vector<K>{K::kIdentifier, K::kMinus, K::kIdentifier, K::kEnd}));
  EXPECT_EQ(Kinds("a--b"), (std::vector<K>{K::kIdentifier, K::kEnd}));
}

TEST(LexerTest, CommentsAreSkipped) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("a /* x ; 'y */ b -- c ; 'd\n e"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kEnd}));
}

TEST(LexerTest, PositionsTrackOffsetLineAndCodePointColumn) {
  auto tokens = Lex("SELECT\n  \"é\" , x\n\tFROM");
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[0].pos.offset, 0u);
  EXPECT_EQ(tokens[0].pos.line, 1u);
  EXPECT_EQ(tokens[0].pos.column, 1u);
  EXPECT_EQ(tokens[1].pos.line, 2u);
  EXPECT_EQ(tokens[1].pos.column, 3u);
  EXPECT_EQ(tokens[1].pos.offset, 9u);
  // "é" is two bytes but one column: the comma is at column 7, byte 14.
  EXPECT_EQ(tokens[2].pos.column, 7u);
  EXPECT_EQ(tokens[2].pos.offset, 14u);
  EXPECT_EQ(tokens[3].pos.column, 9u);
  EXPECT_EQ(tokens[4].pos.line, 3u);
  EXPECT_EQ(tokens[4].pos.column, 2u);
  EXPECT_EQ(tokens[5].kind, TokenKind::kEnd);
  EXPECT_EQ(tokens[5].pos.offset, 23u);
}

TEST(LexerTest, NonAsciiIdentifiers) {
  auto tokens = Lex("größe Ärger");
  EXPECT_EQ(tokens[0].value, "größe");
  EXPECT_EQ(tokens[1].value, "Ärger");  // only ASCII letters are folded
}

TEST(LexerTest, UnterminatedStringReportsWhereItStarted) {
  LexError error = LexFails("SELECT 1;\nSELECT 2;\nSELECT 'abc\n\n");
  EXPECT_EQ(error.problem, "unterminated string literal");
  EXPECT_TRUE(error.unterminated);
  EXPECT_EQ(error.pos.line, 3u);
  EXPECT_EQ(error.pos.column, 8u);
}

TEST(LexerTest, UnterminatedCommentAndIdentifier) {
  LexError comment = LexFails("a /* b");
  EXPECT_EQ(comment.problem, "unterminated comment");
  EXPECT_EQ(comment.pos.column, 3u);
  EXPECT_TRUE(LexFails("\"abc").unterminated);
  EXPECT_TRUE(LexFails("[abc").unterminated);
  EXPECT_TRUE(LexFails("X'ab").unterminated);
}

TEST(LexerTest, InvalidUtf8IsAnErrorAnywhere) {
  EXPECT_EQ(LexFails("SELECT '\xff'").problem, "invalid UTF-8");
  EXPECT_EQ(LexFails("SELECT '\xff'").pos.column, 9u);
  EXPECT_EQ(LexFails("-- \xc3\x28\nSELECT").problem, "invalid UTF-8");
  EXPECT_EQ(LexFails("a\xe0\x80\x80").problem, "invalid UTF-8");      // overlong
  EXPECT_EQ(LexFails("\"\xed\xa0\x80\"").problem, "invalid UTF-8");   // surrogate
  EXPECT_EQ(LexFails("'\xf4\x90\x80\x80'").problem, "invalid UTF-8"); // > U+10FFFF
  EXPECT_EQ(LexFails("'\xe2\x82'").problem, "invalid UTF-8");         // truncated
}

TEST(LexerTest, BadTokens) {
  EXPECT_EQ(LexFails("SELECT #").problem, "unexpected character");
  EXPECT_EQ(LexFails("SELECT #").pos.column, 8u);
  EXPECT_EQ(LexFails("a ! b").problem, "unexpected character");
  EXPECT_EQ(LexFails("12abc").problem, "malformed number");
  EXPECT_EQ(LexFails("1e").problem, "malformed number: exponent has no digits");
  EXPECT_EQ(LexFails("X'abc'").problem, "blob literal has an odd number of hex digits");
  EXPECT_EQ(LexFails("X'zz'").problem, "blob literal may only contain hexadecimal digits");
  EXPECT_EQ(LexFails("$x").problem, "'$' must be followed by a parameter number");
  EXPECT_EQ(LexFails("$0").problem, "parameter number out of range");
  EXPECT_EQ(LexFails("\"\"").problem, "zero-length quoted identifier");
  EXPECT_EQ(LexFails(std::string_view("a\0b", 3)).problem, "unexpected character");
}

TEST(LexerTest, Utf8SequenceLength) {
  auto len = [](std::string_view s) {
    return Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  EXPECT_EQ(len("a"), 1u);
  EXPECT_EQ(len("\xc3\xa9"), 2u);
  EXPECT_EQ(len("\xe2\x82\xac"), 3u);
  EXPECT_EQ(len("\xf0\x9f\x98\x80"), 4u);
  EXPECT_EQ(len("\xc0\x80"), 0u);
  EXPECT_EQ(len("\x80"), 0u);
}

}  // namespace
}  // namespace neuroquantum::sql
