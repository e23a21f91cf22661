// The QSQL lexer (see lexer.h).
#include "sql/lexer.h"

#include <algorithm>
#include <utility>

namespace neuroquantum::sql {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsWordStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsWordPart(char c) { return IsWordStart(c) || IsDigit(c) || c == '$'; }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  return AsciiLower(c) - 'a' + 10;
}

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd: return "end of input";
    case TokenKind::kIdentifier: return "identifier";
    case TokenKind::kQuotedIdentifier: return "quoted identifier";
    case TokenKind::kString: return "string literal";
    case TokenKind::kBlob: return "blob literal";
    case TokenKind::kInteger: return "integer literal";
    case TokenKind::kDecimal: return "numeric literal";
    case TokenKind::kFloat: return "float literal";
    case TokenKind::kParameter: return "parameter";
    case TokenKind::kLParen: return "'('";
    case TokenKind::kRParen: return "')'";
    case TokenKind::kComma: return "','";
    case TokenKind::kSemicolon: return "';'";
    case TokenKind::kDot: return "'.'";
    case TokenKind::kPlus: return "'+'";
    case TokenKind::kMinus: return "'-'";
    case TokenKind::kStar: return "'*'";
    case TokenKind::kSlash: return "'/'";
    case TokenKind::kPercent: return "'%'";
    case TokenKind::kConcat: return "'||'";
    case TokenKind::kEq: return "'='";
    case TokenKind::kNotEq: return "'<>'";
    case TokenKind::kLt: return "'<'";
    case TokenKind::kLe: return "'<='";
    case TokenKind::kGt: return "'>'";
    case TokenKind::kGe: return "'>='";
    case TokenKind::kDoubleColon: return "'::'";
    case TokenKind::kBitAnd: return "'&'";
    case TokenKind::kBitOr: return "'|'";
    case TokenKind::kBitNot: return "'~'";
    case TokenKind::kShiftLeft: return "'<<'";
    case TokenKind::kShiftRight: return "'>>'";
  }
  return "token";
}

size_t Utf8SequenceLength(const unsigned char* data, size_t available) {
  if (available == 0) return 0;
  unsigned char lead = data[0];
  if (lead < 0x80) return 1;
  size_t len;
  uint32_t code;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    code = lead & 0x07;
  } else {
    return 0;  // continuation byte, overlong 2-byte lead (C0, C1) or > F4
  }
  if (available < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((data[i] & 0xC0) != 0x80) return 0;
    code = (code << 6) | (data[i] & 0x3F);
  }
  if ((len == 3 && code < 0x800) || (len == 4 && code < 0x10000)) return 0;  // overlong
  if (code >= 0xD800 && code <= 0xDFFF) return 0;                             // surrogate
  if (code > 0x10FFFF) return 0;
  return len;
}

SourcePos Lexer::PosAt(size_t offset) {
  if (offset < tracked_offset_) {  // an error pointing back: rescan from the start
    tracked_offset_ = 0;
    tracked_line_ = 1;
    tracked_column_ = 1;
  }
  for (; tracked_offset_ < offset && tracked_offset_ < source_.size(); ++tracked_offset_) {
    auto byte = static_cast<unsigned char>(source_[tracked_offset_]);
    if (byte == '\n') {
      ++tracked_line_;
      tracked_column_ = 1;
    } else if ((byte & 0xC0) != 0x80) {  // continuation bytes do not start a column
      ++tracked_column_;
    }
  }
  return SourcePos{static_cast<uint32_t>(offset), tracked_line_, tracked_column_};
}

bool Lexer::Fail(size_t offset, std::string problem, bool unterminated, LexError* error) {
  error->problem = std::move(problem);
  error->pos = PosAt(offset);
  error->unterminated = unterminated;
  return false;
}

bool Lexer::ConsumeUtf8(LexError* error) {
  size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(source_.data() + pos_),
                                  source_.size() - pos_);
  if (len == 0) return Fail(pos_, "invalid UTF-8", false, error);
  pos_ += len;
  return true;
}

bool Lexer::SkipTrivia(LexError* error) {
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (IsSpace(c)) {
      ++pos_;
    } else if (c == '-' && pos_ + 1 < source_.size() && source_[pos_ + 1] == '-') {
      pos_ += 2;
      while (pos_ < source_.size() && source_[pos_] != '\n') {
        if (!ConsumeUtf8(error)) return false;
      }
    } else if (c == '/' && pos_ + 1 < source_.size() && source_[pos_ + 1] == '*') {
      size_t start = pos_;
      pos_ += 2;
      for (;;) {
        if (pos_ >= source_.size()) return Fail(start, "unterminated comment", true, error);
        if (source_[pos_] == '*' && pos_ + 1 < source_.size() && source_[pos_ + 1] == '/') {
          pos_ += 2;
          break;
        }
        if (!ConsumeUtf8(error)) return false;
      }
    } else {
      break;
    }
  }
  return true;
}

bool Lexer::Next(Token* token, LexError* error) {
  if (!SkipTrivia(error)) return false;
  token->keyword = Keyword::kNone;
  token->value.clear();
  size_t start = pos_;
  token->pos = PosAt(start);
  bool ok;
  if (pos_ >= source_.size()) {
    token->kind = TokenKind::kEnd;
    ok = true;
  } else {
    char c = source_[pos_];
    char next = pos_ + 1 < source_.size() ? source_[pos_ + 1] : '\0';
    if ((c == 'x' || c == 'X') && next == '\'') {
      ok = ScanBlob(token, error);
    } else if (IsWordStart(c)) {
      ok = ScanWord(token, error);
    } else if (IsDigit(c) || (c == '.' && IsDigit(next))) {
      ok = ScanNumber(token, error);
    } else if (c == '\'') {
      ok = ScanString(token, error);
    } else if (c == '"') {
      ok = ScanQuotedIdentifier('"', token, error);
    } else if (c == '`') {
      ok = ScanQuotedIdentifier('`', token, error);
    } else if (c == '[') {
      ok = ScanQuotedIdentifier(']', token, error);
    } else if (c == '$' || c == '?') {
      ok = ScanParameter(token, error);
    } else {
      ok = ScanOperator(token, error);
    }
  }
  token->text = source_.substr(start, pos_ - start);
  return ok;
}

bool Lexer::ScanWord(Token* token, LexError* error) {
  // The ASCII run in one piece, lowered in place; other letters one by one.
  const size_t ascii_start = pos_;
  while (pos_ < source_.size() && static_cast<unsigned char>(source_[pos_]) < 0x80 && IsWordPart(source_[pos_])) {
    ++pos_;
  }
  token->value.assign(source_.data() + ascii_start, pos_ - ascii_start);
  for (char& c : token->value) c = AsciiLower(c);
  while (pos_ < source_.size() && IsWordPart(source_[pos_])) {
    if (static_cast<unsigned char>(source_[pos_]) >= 0x80) {
      size_t at = pos_;
      if (!ConsumeUtf8(error)) return false;
      token->value.append(source_.substr(at, pos_ - at));
    } else {
      token->value.push_back(AsciiLower(source_[pos_++]));
    }
  }
  token->kind = TokenKind::kIdentifier;
  token->keyword = LookupKeyword(token->value);
  return true;
}

bool Lexer::ScanNumber(Token* token, LexError* error) {
  size_t start = pos_;
  token->kind = TokenKind::kInteger;
  while (pos_ < source_.size() && IsDigit(source_[pos_])) ++pos_;
  if (pos_ < source_.size() && source_[pos_] == '.') {
    token->kind = TokenKind::kDecimal;
    ++pos_;
    while (pos_ < source_.size() && IsDigit(source_[pos_])) ++pos_;
  }
  if (pos_ < source_.size() && (source_[pos_] == 'e' || source_[pos_] == 'E')) {
    size_t exp = pos_ + 1;
    if (exp < source_.size() && (source_[exp] == '+' || source_[exp] == '-')) ++exp;
    if (exp >= source_.size() || !IsDigit(source_[exp])) {
      return Fail(start, "malformed number: exponent has no digits", false, error);
    }
    token->kind = TokenKind::kFloat;
    pos_ = exp;
    while (pos_ < source_.size() && IsDigit(source_[pos_])) ++pos_;
  }
  // `12abc` is a typo, not the number 12 followed by an alias.
  if (pos_ < source_.size() && (IsWordPart(source_[pos_]) || source_[pos_] == '.')) {
    return Fail(start, "malformed number", false, error);
  }
  token->value.assign(source_.substr(start, pos_ - start));
  return true;
}

bool Lexer::ScanString(Token* token, LexError* error) {
  size_t start = pos_++;
  for (;;) {
    if (pos_ >= source_.size()) return Fail(start, "unterminated string literal", true, error);
    char c = source_[pos_];
    if (c == '\'') {
      if (pos_ + 1 < source_.size() && source_[pos_ + 1] == '\'') {  // '' stands for '
        token->value.push_back('\'');
        pos_ += 2;
        continue;
      }
      ++pos_;
      break;
    }
    size_t at = pos_;
    if (!ConsumeUtf8(error)) return false;
    token->value.append(source_.substr(at, pos_ - at));
  }
  token->kind = TokenKind::kString;
  return true;
}

bool Lexer::ScanQuotedIdentifier(char close, Token* token, LexError* error) {
  size_t start = pos_++;
  // Brackets cannot be escaped; the other quotes escape by doubling.
  bool doubling = close != ']';
  for (;;) {
    if (pos_ >= source_.size()) {
      return Fail(start, "unterminated quoted identifier", true, error);
    }
    char c = source_[pos_];
    if (c == close) {
      if (doubling && pos_ + 1 < source_.size() && source_[pos_ + 1] == close) {
        token->value.push_back(close);
        pos_ += 2;
        continue;
      }
      ++pos_;
      break;
    }
    size_t at = pos_;
    if (!ConsumeUtf8(error)) return false;
    token->value.append(source_.substr(at, pos_ - at));
  }
  if (token->value.empty()) return Fail(start, "zero-length quoted identifier", false, error);
  token->kind = TokenKind::kQuotedIdentifier;
  return true;
}

bool Lexer::ScanBlob(Token* token, LexError* error) {
  size_t start = pos_;
  pos_ += 2;  // X'
  size_t digits = pos_;
  while (pos_ < source_.size() && IsHexDigit(source_[pos_])) ++pos_;
  if (pos_ >= source_.size()) return Fail(start, "unterminated blob literal", true, error);
  if (source_[pos_] != '\'') {
    return Fail(pos_, "blob literal may only contain hexadecimal digits", false, error);
  }
  size_t count = pos_ - digits;
  if (count % 2 != 0) return Fail(start, "blob literal has an odd number of hex digits", false, error);
  for (size_t i = digits; i < pos_; i += 2) {
    token->value.push_back(static_cast<char>(HexValue(source_[i]) * 16 + HexValue(source_[i + 1])));
  }
  ++pos_;
  token->kind = TokenKind::kBlob;
  return true;
}

bool Lexer::ScanParameter(Token* token, LexError* error) {
  size_t start = pos_;
  bool dollar = source_[pos_++] == '$';
  while (pos_ < source_.size() && IsDigit(source_[pos_])) token->value.push_back(source_[pos_++]);
  if (dollar && token->value.empty()) return Fail(start, "'$' must be followed by a parameter number", false, error);
  if (token->value.size() > 9 || (!token->value.empty() && std::stoul(token->value) == 0)) {
    return Fail(start, "parameter number out of range", false, error);
  }
  token->kind = TokenKind::kParameter;
  return true;
}

bool Lexer::ScanOperator(Token* token, LexError* error) {
  char c = source_[pos_];
  char next = pos_ + 1 < source_.size() ? source_[pos_ + 1] : '\0';
  auto one = [&](TokenKind kind) {
    token->kind = kind;
    pos_ += 1;
    return true;
  };
  auto two = [&](TokenKind kind) {
    token->kind = kind;
    pos_ += 2;
    return true;
  };
  switch (c) {
    case '(': return one(TokenKind::kLParen);
    case ')': return one(TokenKind::kRParen);
    case ',': return one(TokenKind::kComma);
    case ';': return one(TokenKind::kSemicolon);
    case '.': return one(TokenKind::kDot);
    case '+': return one(TokenKind::kPlus);
    case '-': return one(TokenKind::kMinus);
    case '*': return one(TokenKind::kStar);
    case '/': return one(TokenKind::kSlash);
    case '%': return one(TokenKind::kPercent);
    case '&': return one(TokenKind::kBitAnd);
    case '~': return one(TokenKind::kBitNot);
    case '|': return next == '|' ? two(TokenKind::kConcat) : one(TokenKind::kBitOr);
    case '=': return next == '=' ? two(TokenKind::kEq) : one(TokenKind::kEq);
    case '!':
      if (next == '=') return two(TokenKind::kNotEq);
      break;
    case ':':
      if (next == ':') return two(TokenKind::kDoubleColon);
      break;
    case '<':
      if (next == '=') return two(TokenKind::kLe);
      if (next == '>') return two(TokenKind::kNotEq);
      if (next == '<') return two(TokenKind::kShiftLeft);
      return one(TokenKind::kLt);
    case '>':
      if (next == '=') return two(TokenKind::kGe);
      if (next == '>') return two(TokenKind::kShiftRight);
      return one(TokenKind::kGt);
    default:
      break;
  }
  return Fail(pos_, "unexpected character", false, error);
}

bool Tokenize(std::string_view source, std::vector<Token>* tokens, LexError* error) {
  // About one token per four bytes of SQL: a guess that saves regrowing a
  // statement's vector, capped so that a long literal or script does not
  // reserve many times its size up front (a Token is 64 bytes).
  tokens->reserve(tokens->size() + std::min<size_t>(source.size() / 4 + 4, 1024));
  Lexer lexer(source);
  for (;;) {
    Token& token = tokens->emplace_back();
    if (!lexer.Next(&token, error)) {
      tokens->pop_back();
      return false;
    }
    if (token.kind == TokenKind::kEnd) return true;
  }
}

}  // namespace neuroquantum::sql
