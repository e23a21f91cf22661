// The QSQL lexer: turns UTF-8 source text into tokens with positions.
//
// Hand-written rather than generated so that every error can say exactly
// where it happened and what was wrong (an unterminated string names the
// line it started on). Whitespace and comments (`-- ...` to end of line,
// `/* ... */`, not nesting) are skipped. The whole input must be valid
// UTF-8; the first invalid byte is an error, wherever it occurs.
//
// Thread safety: a Lexer is used by one thread; distinct lexers are
// independent. Tokens borrow the source text (Token::text), which must
// outlive them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/token.h"

namespace neuroquantum::sql {

struct LexError {
  std::string problem;       // e.g. "unterminated string literal"
  SourcePos pos;             // where the offending token or byte starts
  bool unterminated = false; // input ended inside a string, identifier or comment
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  // Scans the next token into *token (kind kEnd at the end of input, and on
  // every call after that). Returns false and fills *error on bad input.
  bool Next(Token* token, LexError* error);

 private:
  bool ScanWord(Token* token, LexError* error);
  bool ScanNumber(Token* token, LexError* error);
  bool ScanString(Token* token, LexError* error);
  bool ScanQuotedIdentifier(char close, Token* token, LexError* error);
  bool ScanBlob(Token* token, LexError* error);
  bool ScanParameter(Token* token, LexError* error);
  bool ScanOperator(Token* token, LexError* error);
  // Skips whitespace and comments; false on an unterminated comment.
  bool SkipTrivia(LexError* error);
  // Checks the UTF-8 sequence at pos_; on success advances past it.
  bool ConsumeUtf8(LexError* error);
  bool Fail(size_t offset, std::string problem, bool unterminated, LexError* error);
  // The line and column of `offset`. REQUIRES: offsets are asked for in
  // non-decreasing order (keeps position tracking linear overall).
  SourcePos PosAt(size_t offset);

  std::string_view source_;
  size_t pos_ = 0;
  // Position cache for PosAt.
  size_t tracked_offset_ = 0;
  uint32_t tracked_line_ = 1;
  uint32_t tracked_column_ = 1;
};

// Tokenizes all of `source` (the final token is kEnd). Returns false and
// fills *error on the first lexical error.
bool Tokenize(std::string_view source, std::vector<Token>* tokens, LexError* error);

// Length of the valid UTF-8 sequence starting at `data[0]` (1 to 4), or 0
// when it is invalid (bad lead byte, truncated, overlong, surrogate, or
// beyond U+10FFFF).
size_t Utf8SequenceLength(const unsigned char* data, size_t available);

}  // namespace neuroquantum::sql
