// Text: UTF-8 helpers, LIKE and GLOB matching, collations (functions.h,
// functions_internal.h). The string scalar functions are in
// functions_string_scalar.cc.
//
// Characters are UTF-8 code points; malformed bytes count as one character
// each, so nothing here fails on bad input.
#include <algorithm>
#include <vector>

#include "exec/functions.h"
#include "exec/internal/functions_internal.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace internal {

Status StringTooLongError() { return Status::OutOfRange("requested length too large").WithSqlState("54000"); }

char32_t DecodeUtf8(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(*pos);
  int extra = 0;
  char32_t cp = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead < 0x80) {
    ++*pos;
    return lead;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    extra = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    extra = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    extra = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    ++*pos;
    return kMalformedBase + lead;
  }
  if (*pos + extra >= text.size()) {  // truncated sequence
    ++*pos;
    return kMalformedBase + lead;
  }
  for (int i = 1; i <= extra; ++i) {
    unsigned char c = byte(*pos + i);
    unsigned char lo = i == 1 ? low : 0x80, hi = i == 1 ? high : 0xBF;
    if (c < lo || c > hi) {
      ++*pos;
      return kMalformedBase + lead;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  *pos += extra + 1;
  return cp;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c >= kMalformedBase) {
    out->push_back(static_cast<char>(c - kMalformedBase));
  } else if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (size_t pos = 0; pos < text.size(); ++n) DecodeUtf8(text, &pos);
  return n;
}

size_t Utf8Offset(std::string_view text, size_t index) {
  size_t pos = 0;
  for (size_t i = 0; i < index && pos < text.size(); ++i) DecodeUtf8(text, &pos);
  return pos;
}

}  // namespace internal

namespace {

using internal::DecodeUtf8;

char32_t FoldAscii(char32_t c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

// A compiled LIKE or GLOB pattern: literals, '_'/'?' (one character),
// '%'/'*' (any run) and GLOB classes (ranges [first, last]).
struct PatternToken {
  enum Kind : uint8_t { kLiteral, kOne, kAny, kClass } kind = kLiteral;
  char32_t literal = 0;
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;

  static PatternToken Of(Kind kind, char32_t literal = 0) {
    PatternToken token;
    token.kind = kind;
    token.literal = literal;
    return token;
  }
};

bool TokenMatches(const PatternToken& token, char32_t c, bool fold) {
  switch (token.kind) {
    case PatternToken::kOne: return true;
    case PatternToken::kLiteral: return fold ? FoldAscii(token.literal) == FoldAscii(c) : token.literal == c;
    case PatternToken::kClass: {
      bool in = std::any_of(token.ranges.begin(), token.ranges.end(),
                            [c](const auto& range) { return range.first <= c && c <= range.second; });
      return in != token.negated;
    }
    case PatternToken::kAny: return false;
  }
  return false;
}

// Matches with one remembered '%': on a mismatch, the last '%' absorbs one
// more character and matching resumes after it. Earlier '%'s never need to
// change, so this is O(text * pattern) at worst. Positions in `text` are
// byte offsets of character starts; nothing is decoded ahead.
bool MatchTokens(std::string_view text, const std::vector<PatternToken>& pattern, bool fold) {
  size_t t = 0, p = 0;
  size_t star = SIZE_MAX, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p].kind == PatternToken::kAny) {
      star = p++;
      star_text = t;
      continue;
    }
    size_t next = t;
    char32_t c = DecodeUtf8(text, &next);
    if (p < pattern.size() && TokenMatches(pattern[p], c, fold)) {
      ++p;
      t = next;
    } else if (star != SIZE_MAX) {
      p = star + 1;
      DecodeUtf8(text, &star_text);
      t = star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p].kind == PatternToken::kAny) ++p;
  return p == pattern.size();
}

void PushAny(std::vector<PatternToken>* tokens) {
  if (tokens->empty() || tokens->back().kind != PatternToken::kAny) tokens->push_back(PatternToken::Of(PatternToken::kAny));
}

// Reads a GLOB class after its '['; false if it has no closing ']'.
bool ParseClass(std::string_view pattern, size_t* pos, PatternToken* token) {
  token->kind = PatternToken::kClass;
  if (*pos < pattern.size() && pattern[*pos] == '^') {
    token->negated = true;
    ++*pos;
  }
  bool first = true;
  while (*pos < pattern.size()) {
    if (pattern[*pos] == ']' && !first) {
      ++*pos;
      return true;
    }
    first = false;
    char32_t low = DecodeUtf8(pattern, pos);
    char32_t high = low;
    if (*pos + 1 < pattern.size() && pattern[*pos] == '-' && pattern[*pos + 1] != ']') {
      ++*pos;
      high = DecodeUtf8(pattern, pos);
    }
    token->ranges.emplace_back(low, high);
  }
  return false;
}

}  // namespace

namespace {

// A pattern of literal text and '%' only, matched bytewise: the pieces
// between the '%'s must appear in order, the first at the start unless the
// pattern starts with '%', the last at the end unless it ends with '%'.
// Leftmost matching of each middle piece is enough. Byte offsets are safe
// in UTF-8: a whole character sequence cannot match inside another.
bool MatchPercentOnly(std::string_view text, std::string_view pattern) {
  size_t first = pattern.find('%');
  if (first == std::string_view::npos) return text == pattern;
  if (text.substr(0, first) != pattern.substr(0, first)) return false;
  size_t t = first;
  size_t p = first;
  const size_t last = pattern.rfind('%');
  const std::string_view tail = pattern.substr(last + 1);
  while (p < last) {
    const size_t next = pattern.find('%', p + 1);
    const std::string_view piece = pattern.substr(p + 1, next - p - 1);
    p = next;
    if (piece.empty()) continue;
    const size_t at = text.find(piece, t);
    if (at == std::string_view::npos) return false;
    t = at + piece.size();
  }
  return text.size() >= t + tail.size() && text.substr(text.size() - tail.size()) == tail;
}

// Whether every character of `s` decodes (no malformed bytes).
bool WellFormed(std::string_view s) {
  // ASCII (the usual pattern) is well-formed without decoding.
  if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return true;
  for (size_t pos = 0; pos < s.size();) {
    if (internal::DecodeUtf8(s, &pos) >= internal::kMalformedBase) return false;
  }
  return true;
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, std::optional<char32_t> escape, bool ignore_case) {
  // Byte-wise matching equals character matching for a well-formed
  // pattern only: a malformed pattern byte matches no part of a character.
  if (!ignore_case && pattern.find('_') == std::string_view::npos && WellFormed(pattern) &&
      (!escape || (*escape < 0x80 && pattern.find(static_cast<char>(*escape)) == std::string_view::npos))) {
    return MatchPercentOnly(text, pattern);
  }
  std::vector<PatternToken> tokens;
  for (size_t pos = 0; pos < pattern.size();) {
    char32_t c = DecodeUtf8(pattern, &pos);
    if (escape && c == *escape) {
      if (pos == pattern.size()) return false;  // a trailing escape matches nothing, as in SQLite
      tokens.push_back(PatternToken::Of(PatternToken::kLiteral, DecodeUtf8(pattern, &pos)));
    } else if (c == '%') {
      PushAny(&tokens);
    } else if (c == '_') {
      tokens.push_back(PatternToken::Of(PatternToken::kOne));
    } else {
      tokens.push_back(PatternToken::Of(PatternToken::kLiteral, c));
    }
  }
  return MatchTokens(text, tokens, ignore_case);
}

bool GlobMatch(std::string_view text, std::string_view pattern) {
  std::vector<PatternToken> tokens;
  for (size_t pos = 0; pos < pattern.size();) {
    char32_t c = DecodeUtf8(pattern, &pos);
    if (c == '*') {
      PushAny(&tokens);
    } else if (c == '?') {
      tokens.push_back(PatternToken::Of(PatternToken::kOne));
    } else if (c == '[') {
      PatternToken token = PatternToken::Of(PatternToken::kClass);
      if (!ParseClass(pattern, &pos, &token)) return false;  // unclosed '[' matches nothing, as in SQLite
      tokens.push_back(std::move(token));
    } else {
      tokens.push_back(PatternToken::Of(PatternToken::kLiteral, c));
    }
  }
  return MatchTokens(text, tokens, /*fold=*/false);
}

namespace {

int CompareNoCase(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    char32_t x = FoldAscii(static_cast<unsigned char>(a[i]));
    char32_t y = FoldAscii(static_cast<unsigned char>(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

std::string_view TrimTrailingSpaces(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::optional<int>> CompareCollated(const Value& a, const Value& b, std::string_view collation) {
  std::string name;
  for (char c : collation) name.push_back(static_cast<char>(FoldAscii(static_cast<unsigned char>(c))));
  bool texts = a.kind() == TypeId::kText && b.kind() == TypeId::kText;
  if (name == "binary") return a.Compare(b);
  if (name == "nocase") return texts ? std::optional<int>(CompareNoCase(a.str(), b.str())) : a.Compare(b);
  if (name == "rtrim") {
    if (!texts) return a.Compare(b);
    int c = TrimTrailingSpaces(a.str()).compare(TrimTrailingSpaces(b.str()));
    return std::optional<int>(c < 0 ? -1 : (c > 0 ? 1 : 0));
  }
  return Status::InvalidArgument(fmt::format("collation \"{}\" does not exist", collation)).WithSqlState("42704");
}

}  // namespace neuroquantum::exec
