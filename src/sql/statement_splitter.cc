// Finding statement boundaries without parsing: IsCompleteStatement and the
// incremental Parser (parser.h). A light scanner that only knows where
// strings, quoted identifiers and comments begin and end, so that a
// semicolon inside them does not end a statement, and which words open and
// close a trigger body (see ScanState); it never fails, even on
// text the lexer would refuse (the parser reports that later).
#include <string>
#include <utility>

#include "sql/parser.h"

namespace neuroquantum::sql {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || (c >= '0' && c <= '9') || c == '$'; }

bool WordIs(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != keyword[i]) return false;
  }
  return true;
}

// Where a scan stands in a statement: a semicolon ends a statement except
// inside the body of CREATE TRIGGER ... BEGIN ... END, where only the one
// after an END that starts a body statement does (SQLite's rule, so CASE
// ... END inside the body does not end it).
enum ScanState : uint8_t {
  kAtStart,    // before the first token of a statement
  kInCreate,   // after CREATE [TEMP]
  kInTrigger,  // inside CREATE TRIGGER, past its first token
  kAfterSemi,  // inside CREATE TRIGGER, right after a ';'
  kAfterEnd,   // inside CREATE TRIGGER, right after ';' END
  kOrdinary,   // inside any other statement
};

// The state after a token other than ';' (`word` empty for a non-word).
ScanState AfterToken(ScanState state, std::string_view word) {
  switch (state) {
    case kAtStart: return WordIs(word, "create") ? kInCreate : kOrdinary;
    case kInCreate:
      if (WordIs(word, "temp") || WordIs(word, "temporary")) return kInCreate;
      return WordIs(word, "trigger") ? kInTrigger : kOrdinary;
    case kAfterSemi: return WordIs(word, "end") ? kAfterEnd : kInTrigger;
    case kAfterEnd: return kInTrigger;
    case kInTrigger:
    case kOrdinary: break;
  }
  return state;
}

struct ScanResult {
  size_t first_end = 0;        // just past the first statement-ending ';', 0 if none
  size_t resume = 0;           // a scan from here (in `state`) sees the same
  ScanState state = kAtStart;  // the state at `resume`
  bool ends_complete = false;  // the last significant character ends a statement
  bool significant = false;    // anything besides whitespace and closed comments
};

// Scans text[from..] starting in `state`. In incremental mode the scan
// returns as soon as a statement-ending ';' is found, and stops early
// (with `resume` before it) at anything the next input could still change:
// a line comment without its newline, a quote that might be doubled, a
// lone '-' or '/', a word that may go on.
ScanResult Scan(std::string_view text, size_t from, bool incremental, ScanState state) {
  ScanResult result;
  size_t i = from;
  const size_t n = text.size();
  while (i < n) {
    result.resume = i;
    result.state = state;
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
      state = AfterToken(state, {});
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
      if (state == kInTrigger || state == kAfterSemi) {
        state = kAfterSemi;
        result.significant = true;
        result.ends_complete = false;
        continue;
      }
      state = kAtStart;
      if (result.first_end == 0) result.first_end = i;
      result.ends_complete = true;
      if (incremental) {
        result.resume = i;
        result.state = state;
        return result;
      }
    } else if (IsWordStart(c)) {
      size_t j = i + 1;
      while (j < n && IsWordChar(text[j])) ++j;
      if (incremental && j == n) return result;  // the word may go on
      result.significant = true;
      result.ends_complete = false;
      state = AfterToken(state, text.substr(i, j - i));
      i = j;
    } else {
      // A lone '-' or '/' at the end may start a comment once more arrives.
      if (incremental && (c == '-' || c == '/') && i + 1 == n) return result;
      result.significant = true;
      result.ends_complete = false;
      state = AfterToken(state, {});
      ++i;
    }
  }
  result.resume = n;
  result.state = state;
  return result;
}

}  // namespace

bool IsCompleteStatement(std::string_view text) { return Scan(text, 0, false, kAtStart).ends_complete; }

void Parser::Append(std::string_view text) {
  buffer_.append(text);
  Rescan();
}

void Parser::Rescan() {
  if (complete_end_ != 0) return;  // already known
  ScanResult scan = Scan(buffer_, scan_from_, true, static_cast<ScanState>(scan_state_));
  complete_end_ = scan.first_end;
  scan_from_ = scan.resume;
  scan_state_ = scan.state;
}

bool Parser::InStatement() const {
  ScanResult scan = Scan(pending(), 0, false, kAtStart);
  return scan.significant && !scan.ends_complete;
}

Result<StatementPtr> Parser::Next(ParseError* error) {
  const std::string statement_text = NextText(nullptr);
  auto statements = ParseScript(statement_text, error);
  if (!statements.ok()) return std::move(statements).status();
  if (statements->empty()) return StatementPtr();
  return std::move(statements->front());
}

std::string Parser::NextText(bool* empty) {
  std::string statement_text = buffer_.substr(start_, complete_end_ - start_);
  start_ = complete_end_;
  scan_from_ = start_;
  scan_state_ = 0;
  complete_end_ = 0;
  // Drop consumed text once it dominates the buffer (amortised linear).
  if (start_ > buffer_.size() / 2) {
    buffer_.erase(0, start_);
    scan_from_ -= start_;
    start_ = 0;
  }
  Rescan();
  if (empty != nullptr) *empty = !Scan(statement_text, 0, false, kAtStart).significant;
  return statement_text;
}

Result<std::vector<StatementPtr>> Parser::Finish(ParseError* error) {
  std::string text(pending());
  buffer_.clear();
  start_ = scan_from_ = complete_end_ = 0;
  scan_state_ = 0;
  return ParseScript(text, error);
}

}  // namespace neuroquantum::sql
