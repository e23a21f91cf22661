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

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

struct ScanResult {
  size_t first_end = 0;        // just past the first top-level ';', 0 if none
  size_t resume = 0;           // a scan from here (at top level) sees the same
  bool ends_complete = false;  // the last significant character is a top-level ';'
  bool significant = false;    // anything besides whitespace and closed comments
};

// Scans text[from..] at top level. In incremental mode the scan returns as
// soon as a top-level ';' is found, and stops early (with `resume` before
// it) at anything the next input could still change: a line comment
// without its newline, a quote that might be doubled, a lone '-' or '/'.
ScanResult Scan(std::string_view text, size_t from, bool incremental) {
  ScanResult result;
  size_t i = from;
  const size_t n = text.size();
  while (i < n) {
    result.resume = i;
    char c = text[i];
    if (IsBlank(c)) {
      ++i;
    } else if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      size_t newline = text.find('\n', i);
      if (newline == std::string_view::npos) {
        if (incremental) return result;  // the comment may continue
        break;
      }
      i = newline + 1;
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
        // A doubled quote is an escaped one (not for brackets); a quote at
        // the very end may still be doubled by the next input.
        if (incremental && quote != ']' && close + 1 >= n) return result;
        if (quote != ']' && close + 1 < n && text[close + 1] == quote) {
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
    } else if (c == ';') {
      ++i;
      if (result.first_end == 0) result.first_end = i;
      result.ends_complete = true;
      if (incremental) {
        result.resume = i;
        return result;
      }
    } else {
      // A lone '-' or '/' at the end may start a comment once more arrives.
      if (incremental && (c == '-' || c == '/') && i + 1 == n) return result;
      result.significant = true;
      result.ends_complete = false;
      ++i;
    }
  }
  result.resume = n;
  return result;
}

}  // namespace

bool IsCompleteStatement(std::string_view text) { return Scan(text, 0, false).ends_complete; }

void Parser::Append(std::string_view text) {
  buffer_.append(text);
  Rescan();
}

void Parser::Rescan() {
  if (complete_end_ != 0) return;  // already known
  ScanResult scan = Scan(buffer_, scan_from_, true);
  complete_end_ = scan.first_end;
  scan_from_ = scan.resume;
}

bool Parser::InStatement() const {
  ScanResult scan = Scan(pending(), 0, false);
  return scan.significant && !scan.ends_complete;
}

Result<StatementPtr> Parser::Next(ParseError* error) {
  std::string statement_text = buffer_.substr(start_, complete_end_ - start_);
  start_ = complete_end_;
  scan_from_ = start_;
  complete_end_ = 0;
  // Drop consumed text once it dominates the buffer (amortised linear).
  if (start_ > buffer_.size() / 2) {
    buffer_.erase(0, start_);
    scan_from_ -= start_;
    start_ = 0;
  }
  Rescan();
  auto statements = ParseScript(statement_text, error);
  if (!statements.ok()) return std::move(statements).status();
  if (statements->empty()) return StatementPtr();
  return std::move(statements->front());
}

Result<std::vector<StatementPtr>> Parser::Finish(ParseError* error) {
  std::string text(pending());
  buffer_.clear();
  start_ = scan_from_ = complete_end_ = 0;
  return ParseScript(text, error);
}

}  // namespace neuroquantum::sql
