// LIKE, GLOB, collations and the string scalar functions, with UTF-8 and
// malformed bytes.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "exec/functions.h"
#include "functions_test_util.h"

namespace neuroquantum::exec {
namespace {

using testing::Dbl;
using testing::Int;
using testing::ShowCall;
using testing::Txt;

bool Like(std::string_view text, std::string_view pattern, std::optional<char32_t> escape = std::nullopt) {
  return LikeMatch(text, pattern, escape, false);
}

TEST(LikeTest, PercentAndUnderscore) {
  EXPECT_TRUE(Like("abc", "abc"));
  EXPECT_FALSE(Like("abc", "ab"));
  EXPECT_FALSE(Like("ab", "abc"));
  EXPECT_TRUE(Like("abc", "a%"));
  EXPECT_TRUE(Like("abc", "%c"));
  EXPECT_TRUE(Like("abc", "%b%"));
  EXPECT_TRUE(Like("abc", "a_c"));
  EXPECT_FALSE(Like("ac", "a_c"));
  EXPECT_FALSE(Like("abbc", "a_c"));
  EXPECT_TRUE(Like("", "%"));
  EXPECT_TRUE(Like("", "%%%"));
  EXPECT_FALSE(Like("", "_"));
  EXPECT_TRUE(Like("", ""));
  EXPECT_FALSE(Like("a", ""));
  EXPECT_TRUE(Like("abc", "%%_%%"));
  EXPECT_FALSE(Like("abc", "____"));
  EXPECT_TRUE(Like("mississippi", "%iss%ppi"));
  EXPECT_FALSE(Like("mississippi", "%iss%ppx"));
}

TEST(LikeTest, BacktrackingStaysCheap) {
  std::string text(2000, 'a');
  EXPECT_FALSE(Like(text, "%a%a%a%a%a%a%a%a%b"));
  EXPECT_TRUE(Like(text + "b", "%a%a%a%a%a%a%a%a%b"));
}

// Patterns of text and '%' only are matched piece by piece; the general
// matcher (taken when ignoring case, which changes nothing for lowercase
// text) must agree on every pair.
TEST(LikeTest, PercentOnlyPatternsAgreeWithTheGeneralMatcher) {
  const std::vector<std::string> pieces = {"a", "b", "ab", "é", "%", "%", "ba"};
  uint64_t state = 12345;
  auto next = [&](size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((state >> 33) % n);
  };
  for (int round = 0; round < 5000; ++round) {
    std::string text, pattern;
    for (size_t i = next(8); i > 0; --i) text += pieces[next(4)];
    for (size_t i = next(6); i > 0; --i) pattern += pieces[next(pieces.size())];
    EXPECT_EQ(LikeMatch(text, pattern, std::nullopt, false), LikeMatch(text, pattern, std::nullopt, true))
        << "'" << text << "' LIKE '" << pattern << "'";
  }
}

// A malformed byte in the pattern is a character of its own, which matches
// no part of a well-formed character: the piecewise search must not
// match it inside one.
TEST(LikeTest, MalformedPatternBytesMatchNoPartOfACharacter) {
  EXPECT_FALSE(Like("\xC3\xA9", "%\xA9"));
  EXPECT_FALSE(Like("\xC3\xA9", "\xC3%"));
  EXPECT_TRUE(Like("a\xA9", "%\xA9"));
  EXPECT_TRUE(Like("\xC3\xA9", "%\xC3\xA9%"));
}

TEST(LikeTest, Escape) {
  EXPECT_TRUE(Like("a%b", "a\\%b", U'\\'));
  EXPECT_FALSE(Like("axb", "a\\%b", U'\\'));
  EXPECT_TRUE(Like("a_b", "a\\_b", U'\\'));
  EXPECT_FALSE(Like("axb", "a\\_b", U'\\'));
  EXPECT_TRUE(Like("a\\b", "a\\\\b", U'\\'));
  EXPECT_FALSE(Like("a", "a\\", U'\\'));  // trailing escape matches nothing
  EXPECT_FALSE(Like("a\\", "a\\", U'\\'));
  EXPECT_TRUE(Like("a\\", "a\\", std::nullopt));  // no escape: a plain character
  EXPECT_TRUE(Like("a%", "a%%", U'%'));  // the escape itself may be a wildcard
  EXPECT_FALSE(Like("abc", "a%%", U'%'));
  EXPECT_TRUE(Like("x_", "xé_", U'é'));  // a non-ASCII escape
  EXPECT_FALSE(Like("xy", "xé_", U'é'));
  EXPECT_TRUE(Like("100%", "%!%", U'!'));
  EXPECT_FALSE(Like("100", "%!%", U'!'));
}

TEST(LikeTest, CaseFoldsAsciiOnly) {
  EXPECT_TRUE(LikeMatch("ABC", "abc", std::nullopt, true));
  EXPECT_FALSE(LikeMatch("ABC", "abc", std::nullopt, false));
  EXPECT_TRUE(LikeMatch("Hello World", "hello%WORLD", std::nullopt, true));
  EXPECT_FALSE(LikeMatch("É", "é", std::nullopt, true));
  EXPECT_TRUE(LikeMatch("[", "[", std::nullopt, true));
  EXPECT_FALSE(LikeMatch("@", "`", std::nullopt, true));  // 0x40 and 0x60 are not letters
}

TEST(LikeTest, Utf8CharactersAreOneEach) {
  EXPECT_TRUE(Like("é", "_"));
  EXPECT_FALSE(Like("é", "__"));
  EXPECT_TRUE(Like("日本語", "__語"));
  EXPECT_TRUE(Like("日本語", "%本%"));
  EXPECT_FALSE(Like("日本語", "%本"));
  EXPECT_TRUE(Like("😀x", "_x"));
  // Malformed bytes count as one character each and match only themselves.
  EXPECT_TRUE(Like("\xff", "_"));
  EXPECT_FALSE(Like("\xff\xfe", "_"));
  EXPECT_TRUE(Like("a\xc3", "a_"));     // truncated sequence
  EXPECT_TRUE(Like("\xe0\x80\x80", "___"));  // overlong: three bytes
  EXPECT_TRUE(Like("\xff", "\xff"));
  EXPECT_FALSE(Like("\xfe", "\xff"));
}

TEST(GlobTest, WildcardsAndClasses) {
  EXPECT_TRUE(GlobMatch("abc", "a*"));
  EXPECT_FALSE(GlobMatch("abc", "A*"));
  EXPECT_TRUE(GlobMatch("abc", "a?c"));
  EXPECT_FALSE(GlobMatch("ac", "a?c"));
  EXPECT_TRUE(GlobMatch("", "*"));
  EXPECT_FALSE(GlobMatch("", "?"));
  EXPECT_TRUE(GlobMatch("a1", "a[0-9]"));
  EXPECT_FALSE(GlobMatch("ab", "a[0-9]"));
  EXPECT_TRUE(GlobMatch("ab", "a[^0-9]"));
  EXPECT_FALSE(GlobMatch("a5", "a[^0-9]"));
  EXPECT_TRUE(GlobMatch("a]", "a[]]"));
  EXPECT_TRUE(GlobMatch("a]", "a[^a]"));
  EXPECT_TRUE(GlobMatch("a-", "a[a-]"));
  EXPECT_TRUE(GlobMatch("a-", "a[-a]"));
  EXPECT_FALSE(GlobMatch("ab", "a[a-]"));
  EXPECT_TRUE(GlobMatch("c", "[abcx-z]"));
  EXPECT_TRUE(GlobMatch("y", "[abcx-z]"));
  EXPECT_FALSE(GlobMatch("w", "[abcx-z]"));
  EXPECT_FALSE(GlobMatch("ab", "a[ab"));  // unclosed class matches nothing
  EXPECT_FALSE(GlobMatch("a[", "a["));
  EXPECT_TRUE(GlobMatch("*", "[*]"));
  EXPECT_FALSE(GlobMatch("x", "[*]"));
  EXPECT_TRUE(GlobMatch("a?b", "a[?]b"));
  EXPECT_TRUE(GlobMatch("%_", "%_"));  // LIKE's wildcards are literal
  EXPECT_FALSE(GlobMatch("ab", "%_"));
}

TEST(GlobTest, Utf8) {
  EXPECT_TRUE(GlobMatch("é", "?"));
  EXPECT_TRUE(GlobMatch("é", "[à-ü]"));
  EXPECT_FALSE(GlobMatch("a", "[à-ü]"));
  EXPECT_TRUE(GlobMatch("日本語", "*本*"));
  EXPECT_TRUE(GlobMatch("日", "[^本]"));
  EXPECT_TRUE(GlobMatch("\xff", "?"));
}

TEST(CollationTest, BinaryNocaseRtrim) {
  auto cmp = [](const Value& a, const Value& b, std::string_view c) -> std::string {
    auto r = CompareCollated(a, b, c);
    if (!r.ok()) return "error " + std::string(SqlState(r.status()));
    return r->has_value() ? std::to_string(**r) : "null";
  };
  EXPECT_EQ(cmp(Txt("ABC"), Txt("abc"), "binary"), "-1");
  EXPECT_EQ(cmp(Txt("ABC"), Txt("abc"), "nocase"), "0");
  EXPECT_EQ(cmp(Txt("ABC"), Txt("abc"), "NOCASE"), "0");
  EXPECT_EQ(cmp(Txt("a"), Txt("B"), "nocase"), "-1");
  EXPECT_EQ(cmp(Txt("a"), Txt("B"), "binary"), "1");
  EXPECT_EQ(cmp(Txt("ab"), Txt("A"), "nocase"), "1");
  EXPECT_EQ(cmp(Txt("É"), Txt("é"), "nocase"), "-1");
  EXPECT_EQ(cmp(Txt("a  "), Txt("a"), "rtrim"), "0");
  EXPECT_EQ(cmp(Txt("a  "), Txt("a"), "binary"), "1");
  EXPECT_EQ(cmp(Int(1), Dbl(1.0), "nocase"), "0");
  EXPECT_EQ(cmp(Value(), Txt("a"), "nocase"), "null");
  EXPECT_EQ(cmp(Txt("a"), Int(1), "nocase"), "error 42883");
  EXPECT_EQ(cmp(Txt("a"), Txt("a"), "klingon"), "error 42704");
}

TEST(StringFunctionTest, LengthLowerUpper) {
  EXPECT_EQ(ShowCall("length", {Txt("héllo")}), "integer:5");
  EXPECT_EQ(ShowCall("LENGTH", {Txt("")}), "integer:0");
  EXPECT_EQ(ShowCall("length", {Value::Blob("h\xc3\xa9")}), "integer:3");
  EXPECT_EQ(ShowCall("length", {Int(-123)}), "integer:4");
  EXPECT_EQ(ShowCall("length", {Txt("\xff\xfe")}), "integer:2");
  EXPECT_EQ(ShowCall("char_length", {Txt("日本")}), "integer:2");
  EXPECT_EQ(ShowCall("length", {Value()}), "null");
  EXPECT_EQ(ShowCall("lower", {Txt("ÀBC")}), "text:Àbc");
  EXPECT_EQ(ShowCall("upper", {Txt("straße")}), "text:STRAßE");
  EXPECT_EQ(ShowCall("upper", {Dbl(1.5)}), "text:1.5");
  EXPECT_EQ(ShowCall("lower", {Value()}), "null");
}

TEST(StringFunctionTest, SubstrMatchesSqlite) {
  auto sub = [](std::string s, int64_t start) { return ShowCall("substr", {Txt(std::move(s)), Int(start)}); };
  auto sub3 = [](std::string s, int64_t start, int64_t n) {
    return ShowCall("substr", {Txt(std::move(s)), Int(start), Int(n)});
  };
  EXPECT_EQ(sub("hello", 2), "text:ello");
  EXPECT_EQ(sub("hello", -3), "text:llo");
  EXPECT_EQ(sub("hello", 0), "text:hello");
  EXPECT_EQ(sub("hello", 10), "text:");
  EXPECT_EQ(sub3("hello", 0, 3), "text:he");
  EXPECT_EQ(sub3("hello", 2, -1), "text:h");
  EXPECT_EQ(sub3("hello", -10, 8), "text:hel");
  EXPECT_EQ(sub3("hello", 1, 0), "text:");
  EXPECT_EQ(sub3("hello", 3, -5), "text:he");
  EXPECT_EQ(sub3("hello", -2, -2), "text:el");
  EXPECT_EQ(sub3("hello", 0, -1), "text:");
  EXPECT_EQ(sub3("hello", 6, -3), "text:llo");
  EXPECT_EQ(sub3("héllo", 2, 2), "text:él");
  EXPECT_EQ(sub3("日本語", -1, 1), "text:語");
  EXPECT_EQ(ShowCall("substring", {Txt("hello"), Dbl(2.9), Dbl(2.9)}), "text:el");
  EXPECT_EQ(ShowCall("substr", {Txt("hello"), Txt("2")}), "text:ello");
  EXPECT_EQ(ShowCall("substr", {Txt("hello"), Txt("x")}), "error 22P02");
  EXPECT_EQ(ShowCall("substr", {Txt("hello"), Value()}), "null");
  EXPECT_EQ(ShowCall("substr", {Value::Blob("abc"), Int(2)}), "blob:\\x6263");
  EXPECT_EQ(ShowCall("substr", {Value::Blob("abc"), Int(-1), Int(5)}), "blob:\\x63");
  for (int64_t a : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0}, std::numeric_limits<int64_t>::max()}) {
    for (int64_t b : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0}, std::numeric_limits<int64_t>::max()}) {
      EXPECT_EQ(sub3("hello", a, b).substr(0, 5), "text:");
      EXPECT_EQ(ShowCall("substr", {Value::Blob("hello"), Int(a), Int(b)}).substr(0, 5), "blob:");
    }
  }
}

TEST(StringFunctionTest, Trim) {
  EXPECT_EQ(ShowCall("trim", {Txt("  a b  ")}), "text:a b");
  EXPECT_EQ(ShowCall("ltrim", {Txt("  a  ")}), "text:a  ");
  EXPECT_EQ(ShowCall("rtrim", {Txt("  a  ")}), "text:  a");
  EXPECT_EQ(ShowCall("trim", {Txt("\ta\t")}), "text:\ta\t");  // only spaces by default
  EXPECT_EQ(ShowCall("trim", {Txt("xxaxx"), Txt("x")}), "text:a");
  EXPECT_EQ(ShowCall("trim", {Txt("xyaxy"), Txt("yx")}), "text:a");
  EXPECT_EQ(ShowCall("ltrim", {Txt("ééaé"), Txt("é")}), "text:aé");
  EXPECT_EQ(ShowCall("trim", {Txt("abc"), Txt("")}), "text:abc");
  EXPECT_EQ(ShowCall("trim", {Txt("   ")}), "text:");
  EXPECT_EQ(ShowCall("rtrim", {Int(1200), Int(0)}), "text:12");
  EXPECT_EQ(ShowCall("trim", {Txt("a"), Value()}), "null");
}

TEST(StringFunctionTest, ReplaceInstrPosition) {
  EXPECT_EQ(ShowCall("replace", {Txt("aaa"), Txt("a"), Txt("bb")}), "text:bbbbbb");
  EXPECT_EQ(ShowCall("replace", {Txt("abc"), Txt(""), Txt("x")}), "text:abc");
  EXPECT_EQ(ShowCall("replace", {Txt("abcb"), Txt("b"), Txt("")}), "text:ac");
  EXPECT_EQ(ShowCall("replace", {Txt("aaaa"), Txt("aa"), Txt("a")}), "text:aa");
  EXPECT_EQ(ShowCall("replace", {Txt("héllo"), Txt("é"), Txt("e")}), "text:hello");
  EXPECT_EQ(ShowCall("replace", {Txt("a"), Value(), Txt("b")}), "null");
  EXPECT_EQ(ShowCall("instr", {Txt("héllo"), Txt("l")}), "integer:3");
  EXPECT_EQ(ShowCall("instr", {Txt("abc"), Txt("")}), "integer:1");
  EXPECT_EQ(ShowCall("instr", {Txt("abc"), Txt("z")}), "integer:0");
  EXPECT_EQ(ShowCall("instr", {Int(12345), Int(34)}), "integer:3");
  EXPECT_EQ(ShowCall("instr", {Value::Blob("h\xc3\xa9l"), Value::Blob("l")}), "integer:4");
  EXPECT_EQ(ShowCall("position", {Txt("l"), Txt("héllo")}), "integer:3");
  EXPECT_EQ(ShowCall("POSITION", {Txt("x"), Txt("héllo")}), "integer:0");
  EXPECT_EQ(ShowCall("position", {Value(), Txt("a")}), "null");
}

TEST(StringFunctionTest, ConcatSkipsNulls) {
  EXPECT_EQ(ShowCall("concat", {Txt("a"), Value(), Int(1), Dbl(2.5)}), "text:a12.5");
  EXPECT_EQ(ShowCall("concat", {Value()}), "text:");
  EXPECT_EQ(ShowCall("concat", {Value(), Value()}), "text:");
  EXPECT_EQ(ShowCall("concat", {}), "error 42883");
}

TEST(StringFunctionTest, Pad) {
  EXPECT_EQ(ShowCall("lpad", {Txt("hi"), Int(5)}), "text:   hi");
  EXPECT_EQ(ShowCall("rpad", {Txt("hi"), Int(5)}), "text:hi   ");
  EXPECT_EQ(ShowCall("lpad", {Txt("hi"), Int(5), Txt("xy")}), "text:xyxhi");
  EXPECT_EQ(ShowCall("rpad", {Txt("hi"), Int(5), Txt("xy")}), "text:hixyx");
  EXPECT_EQ(ShowCall("lpad", {Txt("hello"), Int(2)}), "text:he");
  EXPECT_EQ(ShowCall("rpad", {Txt("hello"), Int(2)}), "text:he");
  EXPECT_EQ(ShowCall("lpad", {Txt("hi"), Int(-1)}), "text:");
  EXPECT_EQ(ShowCall("lpad", {Txt("hi"), Int(0)}), "text:");
  EXPECT_EQ(ShowCall("lpad", {Txt("hi"), Int(5), Txt("")}), "text:hi");
  EXPECT_EQ(ShowCall("lpad", {Txt("é"), Int(3), Txt("üx")}), "text:üxé");
  EXPECT_EQ(ShowCall("rpad", {Txt("日本"), Int(3), Txt("語")}), "text:日本語");
  EXPECT_EQ(ShowCall("lpad", {Txt("a"), Int(1'000'000'000'000)}), "error 54000");
  EXPECT_EQ(ShowCall("rpad", {Txt("a"), Int(std::numeric_limits<int64_t>::max()), Txt("ab")}), "error 54000");
  EXPECT_EQ(ShowCall("lpad", {Txt("a"), Txt("x")}), "error 22P02");
  EXPECT_EQ(ShowCall("lpad", {Txt("a"), Int(3), Value()}), "null");
}

}  // namespace
}  // namespace neuroquantum::exec
