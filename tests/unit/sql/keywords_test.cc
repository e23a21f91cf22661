// Keywords: every entry of the keyword list is found by its spelling;
// reserved words cannot be bare names but work quoted; every non-reserved
// keyword works as a bare column, table and alias name, and prints quoted
// so that it re-parses the same.
#include "sql/keywords.h"

#include <string>

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::sql {
namespace {

struct Entry {
  Keyword keyword;
  const char* spelling;
  bool reserved;
};

constexpr Entry kEntries[] = {
#define NQ_SQL_KEYWORD_ENTRY(name, spelling, reserved) {Keyword::k##name, spelling, reserved},
    NQ_SQL_KEYWORDS(NQ_SQL_KEYWORD_ENTRY)
#undef NQ_SQL_KEYWORD_ENTRY
};

TEST(KeywordsTest, LookupFindsEveryKeyword) {
  for (const auto& entry : kEntries) {
    EXPECT_EQ(LookupKeyword(entry.spelling), entry.keyword) << entry.spelling;
    EXPECT_EQ(IsReserved(entry.keyword), entry.reserved) << entry.spelling;
    EXPECT_TRUE(IsKeywordText(entry.spelling));
  }
  EXPECT_EQ(LookupKeyword("selects"), Keyword::kNone);
  EXPECT_EQ(LookupKeyword("SELECT"), Keyword::kNone);  // callers fold case first
  EXPECT_FALSE(IsReserved(Keyword::kNone));
}

TEST(KeywordsTest, ReservedWordsOnlyAsQuotedNames) {
  for (const auto& entry : kEntries) {
    if (!entry.reserved) continue;
    std::string word = entry.spelling;
    EXPECT_FALSE(ParseStatement("SELECT 1 AS " + word).ok()) << word;
    auto quoted = ParseStatement("SELECT \"" + word + "\" FROM \"" + word + "\"");
    ASSERT_TRUE(quoted.ok()) << word << ": " << quoted.status().ToString();
    EXPECT_EQ(ToSql(**quoted), "SELECT \"" + word + "\" FROM \"" + word + "\"");
  }
}

TEST(KeywordsTest, NonReservedWordsAreOrdinaryNames) {
  for (const auto& entry : kEntries) {
    if (entry.reserved) continue;
    std::string w = entry.spelling;
    std::string sql = "SELECT " + w + ", " + w + "." + w + " " + w + " FROM " + w + " " + w +
                      " WHERE " + w + " = 1 ORDER BY " + w;
    auto statement = ParseStatement(sql);
    ASSERT_TRUE(statement.ok()) << sql << "\n" << statement.status().ToString();
    std::string q = "\"" + w + "\"";
    EXPECT_EQ(ToSql(**statement), "SELECT " + q + ", " + q + "." + q + " AS " + q + " FROM " + q +
                                      " AS " + q + " WHERE " + q + " = 1 ORDER BY " + q);
    auto insert = ParseStatement("INSERT INTO " + w + " (" + w + ") VALUES (" + w + "(1))");
    EXPECT_TRUE(insert.ok()) << w << ": " << insert.status().ToString();
  }
}

}  // namespace
}  // namespace neuroquantum::sql
