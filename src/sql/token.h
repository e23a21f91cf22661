// Tokens of QSQL source text and where they came from.
//
// Positions are 0-based byte offsets plus 1-based line and column numbers;
// a column counts Unicode code points (not bytes) from the start of the
// line, so an error under a non-ASCII identifier points at the right place
// in an editor. Lines end at '\n'.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sql/keywords.h"

namespace neuroquantum::sql {

struct SourcePos {
  uint32_t offset = 0;  // bytes from the start of the source
  uint32_t line = 1;
  uint32_t column = 1;  // code points from the start of the line, 1-based
};

enum class TokenKind : uint8_t {
  kEnd,               // end of input
  kIdentifier,        // unquoted word; value folded to lower case, keyword set
  kQuotedIdentifier,  // "x", `x` or [x]; value keeps its case, never a keyword
  kString,            // 'text'; value has '' unescaped
  kBlob,              // X'0A1B'; value holds the decoded bytes
  kInteger,           // 42
  kDecimal,           // 1.5, .5, 1.  (exact numeric, no exponent)
  kFloat,             // 1e10, 1.5E-3
  kParameter,         // $1 or ?NNN (value holds the digits) or ? (value empty)
  kLParen, kRParen, kComma, kSemicolon, kDot,
  kPlus, kMinus, kStar, kSlash, kPercent,
  kConcat,       // ||
  kEq,           // = or ==
  kNotEq,        // <> or !=
  kLt, kLe, kGt, kGe,
  kDoubleColon,  // ::
  kBitAnd, kBitOr, kBitNot, kShiftLeft, kShiftRight,  // & | ~ << >>
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  Keyword keyword = Keyword::kNone;  // for kIdentifier spelling a keyword
  SourcePos pos;
  std::string_view text;  // the raw source slice; borrows the lexer's input
  std::string value;      // processed form, see TokenKind

  bool Is(Keyword k) const { return keyword == k; }
};

// A short printable name for a token kind, e.g. "identifier" or "'('".
std::string_view TokenKindName(TokenKind kind);

}  // namespace neuroquantum::sql
