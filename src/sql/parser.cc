// Parser entry points, token helpers and error reporting (see parser.h).
#include "sql/parser.h"

#include <algorithm>
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql {
namespace internal {
namespace {

constexpr size_t kSnippetChars = 20;

// Steps back from `offset` to the start of a UTF-8 sequence.
size_t CharBoundary(std::string_view text, size_t offset) {
  while (offset > 0 && offset < text.size() &&
         (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) {
    --offset;
  }
  return offset;
}

// Advances `count` code points from `offset`.
size_t AdvanceChars(std::string_view text, size_t offset, size_t count) {
  while (offset < text.size() && count > 0) {
    ++offset;
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) {
      ++offset;
    }
    --count;
  }
  return offset;
}

// `text` made printable on one line: control characters become spaces and
// invalid UTF-8 (which a lexical error may point into) becomes '?', so the
// message is always valid UTF-8 for clients that require it (JSON).
std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) {
      out += ' ';
      ++i;
    } else if (byte < 0x80) {
      out += text[i++];
    } else {
      size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(text.data() + i),
                                      text.size() - i);
      if (len == 0) {
        out += '?';
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
    }
  }
  return out;
}

}  // namespace

std::string SourceSnippet(std::string_view source, uint32_t offset) {
  size_t start = std::min<size_t>(offset, source.size());
  if (start >= source.size()) {  // end of input: show what came last
    size_t begin = source.size();
    for (size_t i = 0; i < kSnippetChars && begin > 0; ++i) {
      begin = CharBoundary(source, begin - 1);
    }
    std::string_view tail = source.substr(begin);
    while (!tail.empty() && (tail.back() == ' ' || tail.back() == '\n' || tail.back() == '\t' ||
                             tail.back() == '\r')) {
      tail.remove_suffix(1);
    }
    return OneLine(tail);
  }
  start = CharBoundary(source, start);
  size_t end = AdvanceChars(source, start, kSnippetChars);
  return OneLine(source.substr(start, end - start));
}

std::string FormatSyntaxError(std::string_view source, const SourcePos& pos,
                              std::string_view problem) {
  std::string message = "syntax error at line " + std::to_string(pos.line) + ", column " +
                        std::to_string(pos.column) + ": ";
  message += problem;
  message += " near \"";
  message += SourceSnippet(source, pos.offset);
  message += "\"";
  return message;
}

const Token& ParserImpl::Peek(size_t ahead) const {
  size_t index = std::min(next_ + ahead, tokens_.size() - 1);  // the last token is kEnd
  return tokens_[index];
}

const Token& ParserImpl::Advance() {
  const Token& token = tokens_[next_];
  if (next_ + 1 < tokens_.size()) ++next_;
  return token;
}

bool ParserImpl::AcceptKeyword(Keyword keyword) {
  if (!PeekKeyword(keyword)) return false;
  Advance();
  return true;
}

bool ParserImpl::Accept(TokenKind kind) {
  if (Peek().kind != kind) return false;
  Advance();
  return true;
}

Status ParserImpl::ExpectKeyword(Keyword keyword, std::string_view what) {
  if (AcceptKeyword(keyword)) return Status::OK();
  return ErrorExpected(what);
}

Status ParserImpl::Expect(TokenKind kind, std::string_view what) {
  if (Accept(kind)) return Status::OK();
  return ErrorExpected(what);
}

bool ParserImpl::AtIdentifier(size_t ahead) const {
  const Token& token = Peek(ahead);
  if (token.kind == TokenKind::kQuotedIdentifier) return true;
  return token.kind == TokenKind::kIdentifier && !IsReserved(token.keyword);
}

Result<std::string> ParserImpl::ParseIdentifier(std::string_view what) {
  if (!AtIdentifier()) return ErrorExpected(what);
  return Advance().value;
}

Result<QualifiedName> ParserImpl::ParseQualifiedName(std::string_view what) {
  QualifiedName name;
  name.pos = Peek().pos;
  NQ_ASSIGN_OR_RETURN(name.name, ParseIdentifier(what));
  if (Peek().kind == TokenKind::kDot && AtIdentifier(1)) {
    Advance();
    name.schema = std::move(name.name);
    name.name = Advance().value;
  }
  return name;
}

Status ParserImpl::ParseIdentifierList(std::vector<std::string>* names, std::string_view what) {
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'('"));
  do {
    NQ_ASSIGN_OR_RETURN(std::string name, ParseIdentifier(what));
    names->push_back(std::move(name));
  } while (Accept(TokenKind::kComma));
  return Expect(TokenKind::kRParen, "',' or ')'");
}

Result<std::string> ParserImpl::ParseOptionalAlias() {
  if (AcceptKeyword(Keyword::kAs)) {
    // SQLite also accepts a string as an alias name.
    if (Peek().kind == TokenKind::kString) {
      if (Peek().value.empty()) return ErrorExpected("a non-empty alias");
      return Advance().value;
    }
    return ParseIdentifier("alias name");
  }
  if (AtIdentifier()) return Advance().value;
  return std::string();
}

Result<bool> ParserImpl::ParseIfNotExists() {
  if (!PeekKeyword(Keyword::kIf)) return false;
  Advance();
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kNot, "NOT"));
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kExists, "EXISTS"));
  return true;
}

Result<bool> ParserImpl::ParseIfExists() {
  if (!PeekKeyword(Keyword::kIf)) return false;
  Advance();
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kExists, "EXISTS"));
  return true;
}

uint32_t ParserImpl::MaxHeight(std::initializer_list<const Expr*> exprs) {
  uint32_t tallest = 0;
  for (const Expr* e : exprs) {
    if (e != nullptr) tallest = std::max(tallest, e->height);
  }
  return tallest;
}

Status ParserImpl::ErrorAt(const SourcePos& pos, std::string_view problem) {
  if (!failed_) {
    failed_ = true;
    error_.message = FormatSyntaxError(source_, pos, problem);
    error_.sqlstate = "42601";
    error_.line = pos.line;
    error_.column = pos.column;
    error_.offset = pos.offset;
  }
  return Status::InvalidArgument(error_.message);
}

Status ParserImpl::ErrorExpected(std::string_view what) {
  const Token& token = Peek();
  std::string found;
  if (token.kind == TokenKind::kEnd) {
    found = "end of input";
  } else {
    size_t end = AdvanceChars(token.text, 0, kSnippetChars);
    found = OneLine(token.text.substr(0, end));
    if (end < token.text.size()) found += "...";
  }
  std::string problem = "expected ";
  problem += what;
  problem += ", found ";
  problem += found;
  return ErrorAt(token.pos, problem);
}

Status ParserImpl::TooDeep(const SourcePos& pos) {
  bool first = !failed_;
  Status status = ErrorAt(pos, "too deeply nested (the limit is " +
                                   std::to_string(kMaxParseDepth) + " levels of nesting and " +
                                   std::to_string(kMaxTreeHeight) + " levels of operators)");
  if (first) error_.sqlstate = "54001";
  return status;
}

Result<std::vector<StatementPtr>> ParserImpl::ParseScript() {
  std::vector<StatementPtr> statements;
  for (;;) {
    while (Accept(TokenKind::kSemicolon)) {
    }
    if (Peek().kind == TokenKind::kEnd) return statements;
    NQ_ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement());
    statements.push_back(std::move(statement));
    if (Peek().kind != TokenKind::kEnd && Peek().kind != TokenKind::kSemicolon) {
      return ErrorExpected("';' or end of input");
    }
  }
}

Result<StatementPtr> ParserImpl::ParseSingle() {
  while (Accept(TokenKind::kSemicolon)) {
  }
  NQ_ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement());
  while (Accept(TokenKind::kSemicolon)) {
  }
  if (Peek().kind != TokenKind::kEnd) return ErrorExpected("end of input");
  return statement;
}

}  // namespace internal

namespace {

// Tokenizes `sql`; on a lexical error fills *error and returns the Status.
Status Lex(std::string_view sql, std::vector<Token>* tokens, ParseError* error) {
  LexError lex_error;
  if (Tokenize(sql, tokens, &lex_error)) return Status::OK();
  ParseError parse_error;
  parse_error.message = internal::FormatSyntaxError(sql, lex_error.pos, lex_error.problem);
  parse_error.sqlstate = "42601";
  parse_error.line = lex_error.pos.line;
  parse_error.column = lex_error.pos.column;
  parse_error.offset = lex_error.pos.offset;
  Status status = Status::InvalidArgument(parse_error.message).WithSqlState(parse_error.sqlstate);
  if (error != nullptr) *error = std::move(parse_error);
  return status;
}

}  // namespace

Result<std::vector<StatementPtr>> ParseScript(std::string_view sql, ParseError* error) {
  std::vector<Token> tokens;
  NQ_RETURN_IF_ERROR(Lex(sql, &tokens, error));
  internal::ParserImpl parser(sql, tokens);
  auto result = parser.ParseScript();
  if (result.ok()) return result;
  if (error != nullptr) *error = parser.error();
  return result.status().WithSqlState(parser.error().sqlstate);
}

Result<std::vector<StatementPtr>> ParseScript(std::string_view sql) {
  return ParseScript(sql, nullptr);
}

Result<StatementPtr> ParseStatement(std::string_view sql, ParseError* error) {
  std::vector<Token> tokens;
  NQ_RETURN_IF_ERROR(Lex(sql, &tokens, error));
  internal::ParserImpl parser(sql, tokens);
  auto result = parser.ParseSingle();
  if (result.ok()) return result;
  if (error != nullptr) *error = parser.error();
  return result.status().WithSqlState(parser.error().sqlstate);
}

Result<StatementPtr> ParseStatement(std::string_view sql) { return ParseStatement(sql, nullptr); }

}  // namespace neuroquantum::sql
