// Keyword lookup tables generated from NQ_SQL_KEYWORDS.
#include "sql/keywords.h"

#include <string>
#include <unordered_map>

namespace neuroquantum::sql {
namespace {

struct KeywordInfo {
  std::string_view spelling;
  bool reserved;
};

constexpr KeywordInfo kKeywordInfo[] = {
    {"", false},  // Keyword::kNone
#define NQ_SQL_KEYWORD_INFO(name, spelling, reserved) {spelling, reserved},
    NQ_SQL_KEYWORDS(NQ_SQL_KEYWORD_INFO)
#undef NQ_SQL_KEYWORD_INFO
};

const std::unordered_map<std::string_view, Keyword>& KeywordMap() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, Keyword>();
    for (size_t i = 1; i < std::size(kKeywordInfo); ++i) {
      m->emplace(kKeywordInfo[i].spelling, static_cast<Keyword>(i));
    }
    return m;
  }();
  return *map;
}

}  // namespace

Keyword LookupKeyword(std::string_view lower_text) {
  const auto& map = KeywordMap();
  auto it = map.find(lower_text);
  return it == map.end() ? Keyword::kNone : it->second;
}

bool IsReserved(Keyword keyword) {
  return kKeywordInfo[static_cast<size_t>(keyword)].reserved;
}

bool IsKeywordText(std::string_view lower_text) {
  return LookupKeyword(lower_text) != Keyword::kNone;
}

}  // namespace neuroquantum::sql
