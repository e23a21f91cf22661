// Date/time syntax without an AST of its own (docs/reference/qsql.md,
// "Dates, times and intervals"):
//   INTERVAL 'text'            CAST('text' AS INTERVAL)
//   INTERVAL 'n' UNIT          CAST('n unit' AS INTERVAL)
//   INTERVAL n UNIT            CAST('n unit' AS INTERVAL) for an integer literal,
//                              else (operand) * CAST('1 unit' AS INTERVAL)
//   CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP, LOCALTIME,
//   LOCALTIMESTAMP             calls of the functions of the same name
// so each prints as an expression that parses back to the same tree. The
// operand of the MySQL form is a unary expression: a literal, a column, a
// parameter or a parenthesised expression.
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {
namespace {

// Units of `INTERVAL x unit`, singular and plural.
bool IsIntervalUnit(const Token& token) {
  if (token.kind != TokenKind::kIdentifier) return false;
  static constexpr std::string_view kUnits[] = {
      "year",   "years",   "quarter", "quarters", "month",  "months",  "week",        "weeks",        "day",
      "days",   "hour",    "hours",   "minute",   "minutes", "second", "seconds",     "microsecond", "microseconds",
  };
  for (std::string_view u : kUnits) {
    if (token.value == u) return true;
  }
  return false;
}

}  // namespace

bool ParserImpl::AtIntervalLiteral() const {
  const Token& next = Peek(1);
  switch (next.kind) {
    case TokenKind::kString:
      return true;
    case TokenKind::kInteger:
    case TokenKind::kDecimal:
    case TokenKind::kParameter:
      return IsIntervalUnit(Peek(2));
    case TokenKind::kMinus:
    case TokenKind::kPlus:
      return (Peek(2).kind == TokenKind::kInteger || Peek(2).kind == TokenKind::kDecimal) &&
             IsIntervalUnit(Peek(3));
    case TokenKind::kLParen:
      return true;
    case TokenKind::kIdentifier:
    case TokenKind::kQuotedIdentifier:
      return AtIdentifier(1) && (IsIntervalUnit(Peek(2)) ||
                                 (Peek(2).kind == TokenKind::kDot && IsIntervalUnit(Peek(4))));
    default:
      return false;
  }
}

bool ParserImpl::AtBareClockFunction() const {
  const Token& token = Peek();
  if (token.kind != TokenKind::kIdentifier || Peek(1).kind == TokenKind::kLParen) return false;
  return token.value == "current_date" || token.value == "current_time" || token.value == "current_timestamp" ||
         token.value == "localtime" || token.value == "localtimestamp";
}

Result<ExprPtr> ParserImpl::ParseBareClockFunction() {
  auto node = std::make_unique<FunctionExpr>();
  node->pos = Peek().pos;
  node->name = Advance().value;
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), 0));
  return ExprPtr(std::move(node));
}

Result<ExprPtr> ParserImpl::ParseIntervalLiteral() {
  SourcePos pos = Advance().pos;  // INTERVAL
  auto cast_of = [&](std::string text) -> Result<ExprPtr> {
    auto literal = std::make_unique<LiteralExpr>();
    literal->pos = pos;
    literal->literal = LiteralKind::kString;
    literal->text = std::move(text);
    auto cast = std::make_unique<CastExpr>();
    cast->pos = pos;
    cast->type.pos = pos;
    cast->type.name = "INTERVAL";
    cast->operand = std::move(literal);
    NQ_RETURN_IF_ERROR(SetHeight(cast.get(), 1));
    return ExprPtr(std::move(cast));
  };
  if (Peek().kind == TokenKind::kString) {
    std::string text = Advance().value;
    if (IsIntervalUnit(Peek())) text += " " + Advance().value;
    return cast_of(std::move(text));
  }
  NQ_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
  if (!IsIntervalUnit(Peek())) return ErrorExpected("an interval unit (YEAR, MONTH, DAY, HOUR, ...)");
  std::string unit = Advance().value;
  if (operand->kind == ExprKind::kLiteral) {
    const auto& literal = operand->As<LiteralExpr>();
    if (literal.literal == LiteralKind::kInteger || literal.literal == LiteralKind::kNumeric) {
      return cast_of(literal.text + " " + unit);
    }
  }
  NQ_ASSIGN_OR_RETURN(ExprPtr one, cast_of("1 " + unit));
  auto product = std::make_unique<BinaryExpr>();
  product->pos = pos;
  product->op = BinaryOp::kMultiply;
  uint32_t tallest = MaxHeight({operand.get(), one.get()});
  product->left = std::move(operand);
  product->right = std::move(one);
  NQ_RETURN_IF_ERROR(SetHeight(product.get(), tallest));
  return ExprPtr(std::move(product));
}

}  // namespace neuroquantum::sql::internal
