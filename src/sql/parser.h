// The QSQL parser: SQL text to abstract syntax trees (ast.h).
//
// A hand-written recursive-descent parser over the lexer's tokens, with one
// function per grammar rule (internal/parser_impl.h lists the files). It
// only builds trees: names are not resolved and types not checked (that is
// the binder's job), so a statement that parses may still be refused later.
//
// Errors. A syntax error is Status::InvalidArgument whose message reads
//   syntax error at line L, column C: expected <what>, found <token> near "<source>"
// where <token> is the offending token's text (or `end of input`) and
// <source> is up to 20 characters of the input starting at it. Lexical
// errors (unterminated string, invalid UTF-8, stray character) read
//   syntax error at line L, column C: <problem> near "<source>"
// The returned Status carries the SQLSTATE (SqlState(status): 42601, or
// 54001 below); the overloads taking a ParseError* also return the pieces
// separately.
//
// Limits. Parentheses, subqueries, NOT and sign chains may nest at most
// kMaxParseDepth levels, and no tree may be taller than kMaxTreeHeight
// nodes (which long operator chains like `1+1+...+1` reach without
// nesting). Past either limit the error is "too deeply nested" (SQLSTATE
// 54001), so no input can overflow the stack of the parser, the printer or
// the tree's destructors. Time and memory are linear in the input.
//
// Thread safety: the free functions are reentrant; a Parser object is used
// by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"
#include "neuroquantum/status.h"
#include "sql/ast.h"

namespace neuroquantum::sql {

inline constexpr int kMaxParseDepth = 200;
inline constexpr uint32_t kMaxTreeHeight = 1000;

// Where and why parsing failed, for clients that report errors
// structurally (the shell, the server, the PostgreSQL wire protocol).
struct ParseError {
  std::string message;   // the same text as the returned Status' message
  std::string sqlstate;  // "42601" syntax error, "54001" too deeply nested
  uint32_t line = 0;     // 1-based
  uint32_t column = 0;   // 1-based, in code points
  uint32_t offset = 0;   // 0-based byte offset into the input
};

// Parses a script: statements separated by semicolons (empty statements
// are skipped; the last semicolon is optional). On failure returns the
// first error and, if `error` is not null, fills it in.
Result<std::vector<StatementPtr>> ParseScript(std::string_view sql, ParseError* error);
Result<std::vector<StatementPtr>> ParseScript(std::string_view sql);

// Parses exactly one statement, optionally followed by semicolons.
Result<StatementPtr> ParseStatement(std::string_view sql, ParseError* error);
Result<StatementPtr> ParseStatement(std::string_view sql);

// Whether `text` ends with a complete statement: its last significant
// character is a semicolon outside any string, quoted identifier and
// comment that ends a statement (inside CREATE TRIGGER ... BEGIN ... END,
// only the one after END does). An interactive shell keeps reading lines
// until this holds.
bool IsCompleteStatement(std::string_view text);

// Incremental parsing for line-by-line input: Append text as it arrives,
// then take statements as they become complete.
//
//   Parser parser;
//   parser.Append(line);
//   while (parser.HasCompleteStatement()) Run(parser.Next());
//   if (parser.InStatement()) ShowContinuationPrompt();
class Parser {
 public:
  // Adds input. The text is copied.
  void Append(std::string_view text);
  // Whether the buffered input holds a complete statement (through its ';').
  bool HasCompleteStatement() const { return complete_end_ != 0; }
  // Whether there is buffered input that is not yet a complete statement
  // (other than whitespace and comments).
  bool InStatement() const;
  // Parses and removes the first complete statement. Empty statements are
  // skipped; if only empty statements were complete the result is a null
  // StatementPtr. Error positions are relative to the start of that
  // statement's text. REQUIRES: HasCompleteStatement().
  Result<StatementPtr> Next(ParseError* error = nullptr);
  // Removes the first complete statement like Next, without parsing it:
  // returns its text through its ';' (for a caller that runs text, such as
  // Connection::Execute) and sets *empty (if given) when the text holds
  // nothing but semicolons, whitespace and comments.
  // REQUIRES: HasCompleteStatement().
  std::string NextText(bool* empty);
  // Parses and removes everything buffered, complete or not, as at the end
  // of a script file.
  Result<std::vector<StatementPtr>> Finish(ParseError* error = nullptr);
  // The buffered text not yet returned by Next.
  std::string_view pending() const { return std::string_view(buffer_).substr(start_); }

 private:
  // Looks for the end of the first complete statement, resuming where the
  // last scan stopped so that feeding a long statement line by line stays
  // linear.
  void Rescan();

  std::string buffer_;
  size_t start_ = 0;         // pending text begins here
  size_t scan_from_ = 0;     // where the next scan resumes (outside any quote)
  uint8_t scan_state_ = 0;   // the scan's state there (inside a trigger body or not)
  size_t complete_end_ = 0;  // end of the first complete statement, 0 if none
};

}  // namespace neuroquantum::sql
