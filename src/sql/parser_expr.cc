// Expression grammar: one function per precedence level, loosest first
// (the table is in internal/parser_impl.h and docs/architecture/qsql.md).
// Binary levels loop instead of recursing, so `a+b+c` builds a left-deep
// tree without growing the C++ stack; the tree height check catches chains
// that would make the tree itself too tall.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {
namespace {

// Builds a binary node and checks its height.
Result<ExprPtr> MakeBinary(ParserImpl* parser, BinaryOp op, ExprPtr left, ExprPtr right,
                           const SourcePos& pos) {
  auto node = std::make_unique<BinaryExpr>();
  node->pos = pos;
  node->op = op;
  uint32_t tallest = ParserImpl::MaxHeight({left.get(), right.get()});
  node->left = std::move(left);
  node->right = std::move(right);
  NQ_RETURN_IF_ERROR(parser->SetHeight(node.get(), tallest));
  return ExprPtr(std::move(node));
}

// Multi-word type names: the words that may follow a given prefix.
bool ContinuesTypeName(std::string_view prefix, std::string_view word) {
  if (prefix == "double") return word == "precision";
  if (prefix == "character" || prefix == "char" || prefix == "national character") {
    return word == "varying";
  }
  if (prefix == "national") return word == "character" || word == "char";
  if (prefix == "unsigned") return word == "big" || word == "int" || word == "integer";
  if (prefix == "unsigned big" || prefix == "big") return word == "int";
  return false;
}

std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Reserved words that are still usable as function names: LEFT(s, n) and
// RIGHT(s, n) from MySQL, LIKE(p, s) and GLOB(p, s) from SQLite.
bool IsReservedFunctionName(Keyword keyword) {
  return keyword == Keyword::kLeft || keyword == Keyword::kRight || keyword == Keyword::kLike ||
         keyword == Keyword::kGlob;
}

// Types that prefix a string to form a typed literal: DATE '2024-01-31'.
// (A name directly followed by a string is otherwise a syntax error, so
// these do not need to be reserved.)
bool IsTypedLiteralType(std::string_view lower_name) {
  return lower_name == "date" || lower_name == "time" || lower_name == "timestamp";
}

}  // namespace

Result<ExprPtr> ParserImpl::ParseExpr() {
  NQ_SQL_NEST();
  return ParseOr();
}

Result<ExprPtr> ParserImpl::ParseOr() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  return ParseOrRest(std::move(left));
}

Result<ExprPtr> ParserImpl::ParseOrRest(ExprPtr left) {
  while (PeekKeyword(Keyword::kOr)) {
    SourcePos pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, BinaryOp::kOr, std::move(left), std::move(right), pos));
  }
  return left;
}

Result<ExprPtr> ParserImpl::ParseAnd() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  return ParseAndRest(std::move(left));
}

Result<ExprPtr> ParserImpl::ParseAndRest(ExprPtr left) {
  while (PeekKeyword(Keyword::kAnd)) {
    SourcePos pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, BinaryOp::kAnd, std::move(left), std::move(right), pos));
  }
  return left;
}

Result<ExprPtr> ParserImpl::ParseNot() {
  if (!PeekKeyword(Keyword::kNot)) return ParseEquality();
  NQ_SQL_NEST();
  auto node = std::make_unique<UnaryExpr>();
  node->pos = Advance().pos;
  node->op = UnaryOp::kNot;
  NQ_ASSIGN_OR_RETURN(node->operand, ParseNot());
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseEquality() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseRelational());
  return ParseEqualityRest(std::move(left));
}

Result<ExprPtr> ParserImpl::ParseEqualityRest(ExprPtr left) {
  for (;;) {
    const Token& token = Peek();
    SourcePos pos = token.pos;
    if (token.kind == TokenKind::kEq || token.kind == TokenKind::kNotEq) {
      BinaryOp op = token.kind == TokenKind::kEq ? BinaryOp::kEq : BinaryOp::kNotEq;
      Advance();
      NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseRelational());
      NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, op, std::move(left), std::move(right), pos));
      continue;
    }
    if (token.Is(Keyword::kIs)) {
      NQ_ASSIGN_OR_RETURN(left, ParseIs(std::move(left)));
      continue;
    }
    if (token.Is(Keyword::kIsnull) || token.Is(Keyword::kNotnull) ||
        (token.Is(Keyword::kNot) && PeekKeyword(Keyword::kNull, 1))) {
      auto node = std::make_unique<IsNullExpr>();
      node->pos = pos;
      node->negated = !token.Is(Keyword::kIsnull);
      if (Advance().Is(Keyword::kNot)) Advance();  // NOT NULL
      node->operand = std::move(left);
      NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
      left = std::move(node);
      continue;
    }
    // [NOT] IN / LIKE / ILIKE / GLOB / BETWEEN
    bool negated = token.Is(Keyword::kNot);
    Keyword op = Peek(negated ? 1 : 0).keyword;
    if (op != Keyword::kIn && op != Keyword::kLike && op != Keyword::kIlike &&
        op != Keyword::kGlob && op != Keyword::kBetween) {
      return left;
    }
    if (negated) Advance();
    Advance();  // the operator keyword
    if (op == Keyword::kIn) {
      NQ_ASSIGN_OR_RETURN(left, ParseIn(std::move(left), negated));
    } else if (op == Keyword::kBetween) {
      NQ_ASSIGN_OR_RETURN(left, ParseBetween(std::move(left), negated));
    } else {
      LikeOp like = op == Keyword::kLike ? LikeOp::kLike
                    : op == Keyword::kIlike ? LikeOp::kIlike : LikeOp::kGlob;
      NQ_ASSIGN_OR_RETURN(left, ParseLike(std::move(left), like, negated));
    }
    left->pos = pos;
  }
}

Result<ExprPtr> ParserImpl::ParseLike(ExprPtr operand, LikeOp op, bool negated) {
  auto node = std::make_unique<LikeExpr>();
  node->op = op;
  node->negated = negated;
  node->operand = std::move(operand);
  NQ_ASSIGN_OR_RETURN(node->pattern, ParseRelational());
  if (AcceptKeyword(Keyword::kEscape)) {
    NQ_ASSIGN_OR_RETURN(node->escape, ParseRelational());
  }
  NQ_RETURN_IF_ERROR(SetHeight(
      node.get(), MaxHeight({node->operand.get(), node->pattern.get(), node->escape.get()})));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseBetween(ExprPtr operand, bool negated) {
  auto node = std::make_unique<BetweenExpr>();
  node->negated = negated;
  node->operand = std::move(operand);
  NQ_ASSIGN_OR_RETURN(node->low, ParseRelational());
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAnd, "AND"));
  NQ_ASSIGN_OR_RETURN(node->high, ParseRelational());
  NQ_RETURN_IF_ERROR(SetHeight(
      node.get(), MaxHeight({node->operand.get(), node->low.get(), node->high.get()})));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseIs(ExprPtr operand) {
  SourcePos pos = Advance().pos;  // IS
  bool negated = AcceptKeyword(Keyword::kNot);
  if (AcceptKeyword(Keyword::kNull)) {
    auto node = std::make_unique<IsNullExpr>();
    node->pos = pos;
    node->negated = negated;
    node->operand = std::move(operand);
    NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
    return ExprPtr(std::move(node));
  }
  auto node = std::make_unique<IsDistinctExpr>();
  node->pos = pos;
  if (AcceptKeyword(Keyword::kDistinct)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kFrom, "FROM"));
    node->negated = negated;
  } else {
    // SQLite: `a IS b` is true when both are equal or both NULL.
    node->negated = !negated;
  }
  node->left = std::move(operand);
  NQ_ASSIGN_OR_RETURN(node->right, ParseRelational());
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), MaxHeight({node->left.get(), node->right.get()})));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseIn(ExprPtr operand, bool negated) {
  if (Peek().kind != TokenKind::kLParen) {
    auto node = std::make_unique<InTableExpr>();
    node->negated = negated;
    NQ_ASSIGN_OR_RETURN(node->table, ParseQualifiedName("'(' or table name after IN"));
    node->operand = std::move(operand);
    NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
    return ExprPtr(std::move(node));
  }
  Advance();  // (
  if (AtQueryStart()) {
    auto node = std::make_unique<InSubqueryExpr>();
    node->negated = negated;
    NQ_ASSIGN_OR_RETURN(node->query, ParseQuery());
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
    node->operand = std::move(operand);
    NQ_RETURN_IF_ERROR(SetHeight(node.get(), std::max(node->operand->height, node->query->height)));
    return ExprPtr(std::move(node));
  }
  auto node = std::make_unique<InListExpr>();
  node->negated = negated;
  uint32_t tallest = operand->height;
  node->operand = std::move(operand);
  if (!Accept(TokenKind::kRParen)) {
    NQ_SQL_NEST();
    do {
      NQ_ASSIGN_OR_RETURN(ExprPtr item, ParseExpr());
      tallest = std::max(tallest, item->height);
      node->list.push_back(std::move(item));
    } while (Accept(TokenKind::kComma));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')'"));
  }
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), tallest));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseRelational() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseBitwise());
  for (;;) {
    BinaryOp op;
    switch (Peek().kind) {
      case TokenKind::kLt: op = BinaryOp::kLt; break;
      case TokenKind::kLe: op = BinaryOp::kLe; break;
      case TokenKind::kGt: op = BinaryOp::kGt; break;
      case TokenKind::kGe: op = BinaryOp::kGe; break;
      default: return left;
    }
    SourcePos pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseBitwise());
    NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, op, std::move(left), std::move(right), pos));
  }
}

Result<ExprPtr> ParserImpl::ParseBitwise() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
  for (;;) {
    BinaryOp op;
    switch (Peek().kind) {
      case TokenKind::kBitAnd: op = BinaryOp::kBitAnd; break;
      case TokenKind::kBitOr: op = BinaryOp::kBitOr; break;
      case TokenKind::kShiftLeft: op = BinaryOp::kShiftLeft; break;
      case TokenKind::kShiftRight: op = BinaryOp::kShiftRight; break;
      default: return left;
    }
    SourcePos pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseConcat());
    NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, op, std::move(left), std::move(right), pos));
  }
}

Result<ExprPtr> ParserImpl::ParseConcat() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseAdditive());
  while (Peek().kind == TokenKind::kConcat) {
    SourcePos pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseAdditive());
    NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, BinaryOp::kConcat, std::move(left), std::move(right), pos));
  }
  return left;
}

Result<ExprPtr> ParserImpl::ParseAdditive() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseMultiplicative());
  while (Peek().kind == TokenKind::kPlus || Peek().kind == TokenKind::kMinus) {
    BinaryOp op = Peek().kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSubtract;
    SourcePos pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseMultiplicative());
    NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, op, std::move(left), std::move(right), pos));
  }
  return left;
}

Result<ExprPtr> ParserImpl::ParseMultiplicative() {
  NQ_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary());
  for (;;) {
    BinaryOp op;
    switch (Peek().kind) {
      case TokenKind::kStar: op = BinaryOp::kMultiply; break;
      case TokenKind::kSlash: op = BinaryOp::kDivide; break;
      case TokenKind::kPercent: op = BinaryOp::kModulo; break;
      case TokenKind::kIdentifier:
        if (!PeekKeyword(Keyword::kDiv)) return left;
        op = BinaryOp::kIntegerDivide;
        break;
      default: return left;
    }
    SourcePos pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary());
    NQ_ASSIGN_OR_RETURN(left, MakeBinary(this, op, std::move(left), std::move(right), pos));
  }
}

Result<ExprPtr> ParserImpl::ParseUnary() {
  UnaryOp op;
  switch (Peek().kind) {
    case TokenKind::kMinus: op = UnaryOp::kNegate; break;
    case TokenKind::kPlus: op = UnaryOp::kPlus; break;
    case TokenKind::kBitNot: op = UnaryOp::kBitNot; break;
    default: return ParsePostfix();
  }
  NQ_SQL_NEST();
  auto node = std::make_unique<UnaryExpr>();
  node->pos = Advance().pos;
  node->op = op;
  NQ_ASSIGN_OR_RETURN(node->operand, ParseUnary());
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParsePostfix() {
  NQ_ASSIGN_OR_RETURN(ExprPtr expr, ParsePrimary());
  for (;;) {
    if (Peek().kind == TokenKind::kDoubleColon) {
      auto node = std::make_unique<CastExpr>();
      node->pos = Advance().pos;
      NQ_ASSIGN_OR_RETURN(node->type, ParseTypeName());
      node->operand = std::move(expr);
      NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
      expr = std::move(node);
    } else if (PeekKeyword(Keyword::kCollate)) {
      auto node = std::make_unique<CollateExpr>();
      node->pos = Advance().pos;
      NQ_ASSIGN_OR_RETURN(node->collation, ParseIdentifier("collation name"));
      node->operand = std::move(expr);
      NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
      expr = std::move(node);
    } else {
      return expr;
    }
  }
}

Result<ExprPtr> ParserImpl::ParsePrimary() {
  const Token& token = Peek();
  switch (token.kind) {
    case TokenKind::kInteger:
    case TokenKind::kDecimal:
    case TokenKind::kFloat:
    case TokenKind::kString:
    case TokenKind::kBlob:
      return ParseLiteral();
    case TokenKind::kParameter:
      return ParseParameter();
    case TokenKind::kLParen:
      return ParseParenthesized();
    case TokenKind::kQuotedIdentifier:
    case TokenKind::kIdentifier:
      break;
    default:
      return ErrorExpected("an expression");
  }
  switch (token.keyword) {
    case Keyword::kNull:
    case Keyword::kTrue:
    case Keyword::kFalse:
      return ParseLiteral();
    case Keyword::kCase:
      return ParseCase();
    case Keyword::kCast:
      return ParseCast();
    case Keyword::kExists:
      return ParseExists();
    default:
      break;
  }
  if (token.kind == TokenKind::kIdentifier && token.value == "interval" && AtIntervalLiteral()) {
    return ParseIntervalLiteral();
  }
  if (AtBareClockFunction()) return ParseBareClockFunction();
  if (token.kind == TokenKind::kIdentifier && Peek(1).kind == TokenKind::kString &&
      IsTypedLiteralType(token.value)) {
    return ParseTypedLiteral();
  }
  bool callable = AtIdentifier() || (token.kind == TokenKind::kIdentifier &&
                                     IsReservedFunctionName(token.keyword));
  if (callable && Peek(1).kind == TokenKind::kLParen) return ParseFunctionCall();
  if (!AtIdentifier()) return ErrorExpected("an expression");
  return ParseColumnRef();
}

// DATE 'x' is CAST('x' AS DATE), and prints as 'x'::DATE.
Result<ExprPtr> ParserImpl::ParseTypedLiteral() {
  auto node = std::make_unique<CastExpr>();
  node->pos = Peek().pos;
  node->type.pos = Peek().pos;
  node->type.name = AsciiUpper(Advance().value);
  NQ_ASSIGN_OR_RETURN(node->operand, ParseLiteral());
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseParameter() {
  const Token& token = Advance();
  auto node = std::make_unique<ParameterExpr>();
  node->pos = token.pos;
  node->dollar = token.text[0] == '$';
  if (!token.value.empty()) {
    // The lexer allows at most 9 digits, so this cannot overflow.
    std::from_chars(token.value.data(), token.value.data() + token.value.size(), node->number);
  }
  return ExprPtr(std::move(node));
}

// `( expr )` or a scalar subquery `( query )`.
Result<ExprPtr> ParserImpl::ParseParenthesized() {
  SourcePos pos = Advance().pos;
  if (AtQueryStart()) {
    auto node = std::make_unique<SubqueryExpr>();
    node->pos = pos;
    NQ_ASSIGN_OR_RETURN(node->query, ParseQuery());
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
    NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->query->height));
    return ExprPtr(std::move(node));
  }
  NQ_ASSIGN_OR_RETURN(ExprPtr inner, ParseExpr());
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  return inner;
}

Result<ExprPtr> ParserImpl::ParseExists() {
  auto node = std::make_unique<ExistsExpr>();
  node->pos = Advance().pos;
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' after EXISTS"));
  if (!AtQueryStart()) return ErrorExpected("a query after EXISTS (");
  NQ_ASSIGN_OR_RETURN(node->query, ParseQuery());
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->query->height));
  return ExprPtr(std::move(node));
}

// column, table.column or schema.table.column.
Result<ExprPtr> ParserImpl::ParseColumnRef() {
  auto node = std::make_unique<ColumnRefExpr>();
  node->pos = Peek().pos;
  node->column = Advance().value;
  if (Peek().kind == TokenKind::kDot) {
    Advance();
    node->table = std::move(node->column);
    NQ_ASSIGN_OR_RETURN(node->column, ParseIdentifier("column name"));
    if (Peek().kind == TokenKind::kDot) {
      Advance();
      node->schema = std::move(node->table);
      node->table = std::move(node->column);
      NQ_ASSIGN_OR_RETURN(node->column, ParseIdentifier("column name"));
    }
  }
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseLiteral() {
  const Token& token = Advance();
  auto node = std::make_unique<LiteralExpr>();
  node->pos = token.pos;
  switch (token.kind) {
    case TokenKind::kInteger: {
      node->text = token.value;
      const char* begin = token.value.data();
      const char* end = begin + token.value.size();
      auto [ptr, ec] = std::from_chars(begin, end, node->int_value);
      // Too large for int64: kept exactly, as NUMERIC (PostgreSQL does the
      // same); the binder folds -9223372036854775808.
      node->literal = (ec == std::errc() && ptr == end) ? LiteralKind::kInteger
                                                        : LiteralKind::kNumeric;
      if (node->literal == LiteralKind::kNumeric) node->int_value = 0;
      break;
    }
    case TokenKind::kDecimal:
      node->literal = LiteralKind::kNumeric;
      node->text = token.value;
      break;
    case TokenKind::kFloat:
      node->literal = LiteralKind::kFloat;
      node->text = token.value;
      break;
    case TokenKind::kString:
      node->literal = LiteralKind::kString;
      node->text = token.value;
      break;
    case TokenKind::kBlob:
      node->literal = LiteralKind::kBlob;
      node->text = token.value;
      break;
    default:
      node->literal = token.Is(Keyword::kNull)   ? LiteralKind::kNull
                      : token.Is(Keyword::kTrue) ? LiteralKind::kTrue
                                                 : LiteralKind::kFalse;
      break;
  }
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseCase() {
  NQ_SQL_NEST();
  auto node = std::make_unique<CaseExpr>();
  node->pos = Advance().pos;
  if (!PeekKeyword(Keyword::kWhen)) {
    NQ_ASSIGN_OR_RETURN(node->operand, ParseExpr());
  }
  uint32_t tallest = HeightOf(node->operand);
  if (!PeekKeyword(Keyword::kWhen)) return ErrorExpected("WHEN");
  while (PeekKeyword(Keyword::kWhen)) {
    WhenClause when;
    when.pos = Advance().pos;
    NQ_ASSIGN_OR_RETURN(when.condition, ParseExpr());
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kThen, "THEN"));
    NQ_ASSIGN_OR_RETURN(when.result, ParseExpr());
    tallest = std::max({tallest, when.condition->height, when.result->height});
    node->whens.push_back(std::move(when));
  }
  if (AcceptKeyword(Keyword::kElse)) {
    NQ_ASSIGN_OR_RETURN(node->else_result, ParseExpr());
    tallest = std::max(tallest, node->else_result->height);
  }
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kEnd, "WHEN, ELSE or END"));
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), tallest));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseCast() {
  auto node = std::make_unique<CastExpr>();
  node->pos = Advance().pos;
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' after CAST"));
  NQ_ASSIGN_OR_RETURN(node->operand, ParseExpr());
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAs, "AS"));
  NQ_ASSIGN_OR_RETURN(node->type, ParseTypeName());
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseFunctionCall() {
  NQ_SQL_NEST();
  auto node = std::make_unique<FunctionExpr>();
  node->pos = Peek().pos;
  bool quoted = Peek().kind == TokenKind::kQuotedIdentifier;
  node->name = Advance().value;
  Advance();  // (
  if (Accept(TokenKind::kStar)) {
    node->star = true;
  } else if (Peek().kind != TokenKind::kRParen) {
    if (AcceptKeyword(Keyword::kDistinct)) {
      node->distinct = true;
    } else {
      AcceptKeyword(Keyword::kAll);
    }
    bool complete = false;
    if (!quoted && !node->distinct) {
      NQ_RETURN_IF_ERROR(ParseSpecialArguments(node.get(), &complete));
    }
    // The special forms may have read a first ordinary argument already.
    if (!complete && (node->args.empty() || Accept(TokenKind::kComma))) {
      do {
        NQ_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpr());
        node->args.push_back(std::move(arg));
      } while (Accept(TokenKind::kComma));
    }
  }
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, node->star ? "')'" : "',' or ')'"));
  uint32_t tallest = 0;
  for (const auto& arg : node->args) tallest = std::max(tallest, arg->height);
  if (PeekKeyword(Keyword::kOver)) {
    NQ_RETURN_IF_ERROR(ParseOverClause(node.get(), &tallest));
  }
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), tallest));
  return ExprPtr(std::move(node));
}

Result<TypeName> ParserImpl::ParseTypeName() {
  TypeName type;
  type.pos = Peek().pos;
  if (Peek().kind != TokenKind::kIdentifier || IsReserved(Peek().keyword)) {
    return ErrorExpected("type name");
  }
  std::string words = Advance().value;
  while (Peek().kind == TokenKind::kIdentifier && ContinuesTypeName(words, Peek().value)) {
    words += ' ';
    words += Advance().value;
  }
  type.name = AsciiUpper(words);
  if (Accept(TokenKind::kLParen)) {
    do {
      bool negative = false;
      if (Peek().kind == TokenKind::kMinus || Peek().kind == TokenKind::kPlus) {
        negative = Advance().kind == TokenKind::kMinus;
      }
      if (Peek().kind != TokenKind::kInteger) return ErrorExpected("an integer type parameter");
      const std::string& digits = Advance().value;
      type.params.push_back(negative ? "-" + digits : digits);
    } while (Accept(TokenKind::kComma));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')'"));
  }
  return type;
}

Status ParserImpl::ParseExprList(std::vector<ExprPtr>* list) {
  do {
    NQ_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr());
    list->push_back(std::move(expr));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

}  // namespace neuroquantum::sql::internal
