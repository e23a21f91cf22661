// Finding statement boundaries without parsing: IsCompleteStatement and the
// incremental Parser (parser.h). A light scanner that only knows where
// strings, quoted identifiers and comments begin and end, so that a
// semicolon inside them does not end a statement; it never fails, even on
// text the lexer would refuse (the parser reports that later).
#include <string>
#include <utility>

#include "sql/parser.h"

namespace neuroquantum::sql {
namespace {

struct ScanResult {
  size_t first_end = 0;     // just past the first top-level ';', 0 if none
  bool ends_complete = false;  // the last significant character is a top-level ';'
  bool significant = false;    // anything besides whitespace and closed comments
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

ScanResult Scan(std::string_view text) {
  ScanResult result;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    char c = text[i];
    if (IsBlank(c)) {
      ++i;
    } else if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      size_t close = text.find("*/", i + 2);
      if (close == std::string_view::npos) {  // open comment: still inside something
        result.ends_complete = false;
        result.significant = true;
        return result;
      }
      i = close + 2;
    } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char quote = c == '[' ? ']' : c;
      result.significant = true;
      result.ends_complete = false;
      size_t j = i + 1;
      for (;;) {
        size_t close = text.find(quote, j);
        if (close == std::string_view::npos) return result;  // open quote
        // A doubled quote is an escaped one (not for brackets).
        if (quote != ']' && close + 1 < n && text[close + 1] == quote) {
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
    } else if (c == ';') {
      if (result.first_end == 0) result.first_end = i + 1;
      result.ends_complete = true;
      ++i;
    } else {
      result.significant = true;
      result.ends_complete = false;
      ++i;
    }
  }
  return result;
}

}  // namespace

bool IsCompleteStatement(std::string_view text) { return Scan(text).ends_complete; }

void Parser::Append(std::string_view text) {
  buffer_.append(text);
  Rescan();
}

void Parser::Rescan() { complete_end_ = Scan(buffer_).first_end; }

bool Parser::InStatement() const {
  ScanResult scan = Scan(buffer_);
  return scan.significant && !scan.ends_complete;
}

Result<StatementPtr> Parser::Next(ParseError* error) {
  std::string statement_text = buffer_.substr(0, complete_end_);
  buffer_.erase(0, complete_end_);
  Rescan();
  auto statements = ParseScript(statement_text, error);
  if (!statements.ok()) return std::move(statements).status();
  if (statements->empty()) return StatementPtr();
  return std::move(statements->front());
}

Result<std::vector<StatementPtr>> Parser::Finish(ParseError* error) {
  std::string text = std::move(buffer_);
  buffer_.clear();
  complete_end_ = 0;
  return ParseScript(text, error);
}

}  // namespace neuroquantum::sql
