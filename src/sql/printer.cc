// Canonical SQL printer (see printer.h). Parentheses are derived from the
// parser's precedence table (internal/parser_impl.h): an operand is wrapped
// exactly when the parser would otherwise attach it differently.
#include "sql/printer.h"

#include "sql/internal/parser_impl.h"
#include "sql/internal/printer_impl.h"
#include "sql/keywords.h"

namespace neuroquantum::sql {
namespace {

using internal::Precedence;

bool IsPlainName(std::string_view name) {
  if (name.empty()) return false;
  char first = name[0];
  if (!((first >= 'a' && first <= 'z') || first == '_')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
    if (!ok) return false;
  }
  return true;
}

int PrecedenceOf(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kUnary:
      return expr.As<UnaryExpr>().op == UnaryOp::kNot ? internal::kPrecNot : internal::kPrecUnary;
    case ExprKind::kBinary:
      switch (expr.As<BinaryExpr>().op) {
        case BinaryOp::kOr: return internal::kPrecOr;
        case BinaryOp::kAnd: return internal::kPrecAnd;
        case BinaryOp::kEq:
        case BinaryOp::kNotEq: return internal::kPrecEquality;
        case BinaryOp::kLt:
        case BinaryOp::kLe:
        case BinaryOp::kGt:
        case BinaryOp::kGe: return internal::kPrecRelational;
        case BinaryOp::kBitAnd:
        case BinaryOp::kBitOr:
        case BinaryOp::kShiftLeft:
        case BinaryOp::kShiftRight: return internal::kPrecBitwise;
        case BinaryOp::kConcat: return internal::kPrecConcat;
        case BinaryOp::kAdd:
        case BinaryOp::kSubtract: return internal::kPrecAdditive;
        case BinaryOp::kMultiply:
        case BinaryOp::kDivide:
        case BinaryOp::kModulo:
        case BinaryOp::kIntegerDivide: return internal::kPrecMultiplicative;
      }
      return internal::kPrecPrimary;
    case ExprKind::kInList:
    case ExprKind::kInSubquery:
    case ExprKind::kInTable:
    case ExprKind::kLike:
    case ExprKind::kBetween:
    case ExprKind::kIsNull:
    case ExprKind::kIsDistinct:
      return internal::kPrecEquality;
    case ExprKind::kCollate:
    case ExprKind::kCast:
      return internal::kPrecPostfix;
    default:
      return internal::kPrecPrimary;
  }
}

std::string_view BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "OR";
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNotEq: return "<>";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kBitAnd: return "&";
    case BinaryOp::kBitOr: return "|";
    case BinaryOp::kShiftLeft: return "<<";
    case BinaryOp::kShiftRight: return ">>";
    case BinaryOp::kConcat: return "||";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSubtract: return "-";
    case BinaryOp::kMultiply: return "*";
    case BinaryOp::kDivide: return "/";
    case BinaryOp::kModulo: return "%";
    case BinaryOp::kIntegerDivide: return "DIV";
  }
  return "?";
}

// Whether the printed text of `expr` begins with `<operand> IN`: walks the
// operands printed first (conservatively, ignoring parentheses).
bool StartsWithIn(const Expr& expr) {
  const Expr* e = &expr;
  for (;;) {
    switch (e->kind) {
      case ExprKind::kInList:
        if (!e->As<InListExpr>().negated) return true;
        e = e->As<InListExpr>().operand.get();
        break;
      case ExprKind::kInSubquery:
        if (!e->As<InSubqueryExpr>().negated) return true;
        e = e->As<InSubqueryExpr>().operand.get();
        break;
      case ExprKind::kInTable:
        if (!e->As<InTableExpr>().negated) return true;
        e = e->As<InTableExpr>().operand.get();
        break;
      case ExprKind::kBinary: e = e->As<BinaryExpr>().left.get(); break;
      case ExprKind::kLike: e = e->As<LikeExpr>().operand.get(); break;
      case ExprKind::kBetween: e = e->As<BetweenExpr>().operand.get(); break;
      case ExprKind::kIsNull: e = e->As<IsNullExpr>().operand.get(); break;
      case ExprKind::kIsDistinct: e = e->As<IsDistinctExpr>().left.get(); break;
      case ExprKind::kCollate: e = e->As<CollateExpr>().operand.get(); break;
      case ExprKind::kCast: e = e->As<CastExpr>().operand.get(); break;
      default: return false;
    }
  }
}

int SetOpPrecedence(const QueryBody& body) {
  if (body.kind != QueryBodyKind::kSetOp) return 3;
  return body.As<SetOpBody>().op == SetOpKind::kIntersect ? 2 : 1;
}

}  // namespace

namespace internal {

void Printer::Qualified(const QualifiedName& name) {
  if (!name.schema.empty()) {
    Name(name.schema);
    Put(".");
  }
  Name(name.name);
}

void Printer::NameList(const std::vector<std::string>& names) {
  Put("(");
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) Put(", ");
    Name(names[i]);
  }
  Put(")");
}

void Printer::ExprList(const std::vector<ExprPtr>& exprs) {
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i > 0) Put(", ");
    Expression(*exprs[i]);
  }
}

void Printer::Literal(const LiteralExpr& literal) {
  switch (literal.literal) {
    case LiteralKind::kInteger:
    case LiteralKind::kNumeric:
    case LiteralKind::kFloat:
      Put(literal.text);
      break;
    case LiteralKind::kString:
      Put(QuoteString(literal.text));
      break;
    case LiteralKind::kBlob: {
      static constexpr char kHex[] = "0123456789ABCDEF";
      Put("X'");
      for (unsigned char byte : literal.text) {
        out_ += kHex[byte >> 4];
        out_ += kHex[byte & 15];
      }
      Put("'");
      break;
    }
    case LiteralKind::kNull: Put("NULL"); break;
    case LiteralKind::kTrue: Put("TRUE"); break;
    case LiteralKind::kFalse: Put("FALSE"); break;
  }
}

void Printer::Type(const TypeName& type) {
  Put(type.name);
  if (type.params.empty()) return;
  Put("(");
  for (size_t i = 0; i < type.params.size(); ++i) {
    if (i > 0) Put(", ");
    Put(type.params[i]);
  }
  Put(")");
}

void Printer::Expression(const Expr& expr, int min_precedence) {
  bool parenthesise = PrecedenceOf(expr) < min_precedence;
  if (parenthesise) Put("(");
  ExpressionBody(expr);
  if (parenthesise) Put(")");
}

void Printer::ExpressionBody(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kLiteral:
      Literal(expr.As<LiteralExpr>());
      return;
    case ExprKind::kColumnRef:
      Print(expr.As<ColumnRefExpr>());
      return;
    case ExprKind::kParameter:
      Print(expr.As<ParameterExpr>());
      return;
    case ExprKind::kUnary:
      Print(expr.As<UnaryExpr>());
      return;
    case ExprKind::kBinary:
      Print(expr.As<BinaryExpr>());
      return;
    case ExprKind::kCast:
      Print(expr.As<CastExpr>());
      return;
    case ExprKind::kCase:
      Print(expr.As<CaseExpr>());
      return;
    case ExprKind::kFunction:
      Print(expr.As<FunctionExpr>());
      return;
    case ExprKind::kInList:
      Print(expr.As<InListExpr>());
      return;
    case ExprKind::kInSubquery:
      Print(expr.As<InSubqueryExpr>());
      return;
    case ExprKind::kInTable:
      Print(expr.As<InTableExpr>());
      return;
    case ExprKind::kExists:
      Put("EXISTS (");
      QueryText(*expr.As<ExistsExpr>().query);
      Put(")");
      return;
    case ExprKind::kSubquery:
      Put("(");
      QueryText(*expr.As<SubqueryExpr>().query);
      Put(")");
      return;
    case ExprKind::kLike:
      Print(expr.As<LikeExpr>());
      return;
    case ExprKind::kBetween:
      Print(expr.As<BetweenExpr>());
      return;
    case ExprKind::kIsNull:
      Print(expr.As<IsNullExpr>());
      return;
    case ExprKind::kIsDistinct:
      Print(expr.As<IsDistinctExpr>());
      return;
    case ExprKind::kCollate:
      Print(expr.As<CollateExpr>());
      return;
  }
}


void Printer::Print(const ColumnRefExpr& ref) {
  if (!ref.schema.empty()) {
    Name(ref.schema);
    Put(".");
  }
  if (!ref.table.empty()) {
    Name(ref.table);
    Put(".");
  }
  Name(ref.column);
}

void Printer::Print(const ParameterExpr& param) {
  Put(param.dollar ? "$" : "?");
  if (param.number != 0) Put(std::to_string(param.number));
}

void Printer::Print(const UnaryExpr& unary) {
  switch (unary.op) {
    case UnaryOp::kNot:
      Put("NOT ");
      Expression(*unary.operand, internal::kPrecNot);
      return;
    case UnaryOp::kNegate: Put("-"); break;
    case UnaryOp::kPlus: Put("+"); break;
    case UnaryOp::kBitNot: Put("~"); break;
  }
  // "- -1" must not become the comment "--1".
  if (unary.operand->kind == ExprKind::kUnary &&
      unary.operand->As<UnaryExpr>().op == UnaryOp::kNegate) {
    Put(" ");
  }
  Expression(*unary.operand, internal::kPrecUnary);
}

void Printer::Print(const BinaryExpr& binary) {
  int precedence = PrecedenceOf(binary);
  Expression(*binary.left, precedence);  // left-associative
  Put(" ");
  Put(BinaryOpText(binary.op));
  Put(" ");
  Expression(*binary.right, precedence + 1);
}

// Postfix form: CAST(...) would add a level of nesting per cast, so a long
// `x::a::b::...` chain could print deeper than the parser allows.
void Printer::Print(const CastExpr& cast) {
  Expression(*cast.operand, internal::kPrecPostfix);
  Put("::");
  Type(cast.type);
}

void Printer::Print(const CaseExpr& case_expr) {
  Put("CASE");
  if (case_expr.operand) {
    Put(" ");
    Expression(*case_expr.operand);
  }
  for (const auto& when : case_expr.whens) {
    Put(" WHEN ");
    Expression(*when.condition);
    Put(" THEN ");
    Expression(*when.result);
  }
  if (case_expr.else_result) {
    Put(" ELSE ");
    Expression(*case_expr.else_result);
  }
  Put(" END");
}

namespace {

// The first argument of a trigger's RAISE(IGNORE | ABORT | FAIL | ROLLBACK
// [, message]), parsed as an unqualified column reference.
bool IsRaiseAction(const FunctionExpr& call) {
  if (call.name != "raise" || call.args.empty() || call.args[0]->kind != ExprKind::kColumnRef) return false;
  const auto& ref = call.args[0]->As<ColumnRefExpr>();
  if (!ref.schema.empty() || !ref.table.empty()) return false;
  return ref.column == "ignore" || ref.column == "abort" || ref.column == "fail" || ref.column == "rollback";
}

}  // namespace

void Printer::Print(const FunctionExpr& call) {
  Keyword keyword = LookupKeyword(call.name);
  bool bare = IsPlainName(call.name) &&
              (!IsReserved(keyword) || keyword == Keyword::kLeft ||
               keyword == Keyword::kRight || keyword == Keyword::kLike ||
               keyword == Keyword::kGlob);
  if (bare) {
    Put(call.name);
  } else {
    Name(call.name);
  }
  Put("(");
  if (call.star) {
    Put("*");
  } else {
    if (call.distinct) Put("DISTINCT ");
    // position(x IN t, s) would re-read as POSITION(x IN t) plus junk.
    bool guard = call.name == "position" && !call.args.empty() && StartsWithIn(*call.args[0]);
    for (size_t i = 0; i < call.args.size(); ++i) {
      if (i > 0) Put(", ");
      if (i == 0 && guard) Put("(");
      if (i == 0 && IsRaiseAction(call)) {
        // RAISE(ABORT, ...): the action reads as a plain word, which
        // parses back to the same column reference.
        Put(call.args[0]->As<ColumnRefExpr>().column);
      } else {
        Expression(*call.args[i]);
      }
      if (i == 0 && guard) Put(")");
    }
  }
  Put(")");
  if (call.over) Over(*call.over);
}

void Printer::Print(const InListExpr& in) {
  Expression(*in.operand, internal::kPrecEquality);
  Put(in.negated ? " NOT IN (" : " IN (");
  ExprList(in.list);
  Put(")");
}

void Printer::Print(const InSubqueryExpr& in) {
  Expression(*in.operand, internal::kPrecEquality);
  Put(in.negated ? " NOT IN (" : " IN (");
  QueryText(*in.query);
  Put(")");
}

void Printer::Print(const InTableExpr& in) {
  Expression(*in.operand, internal::kPrecEquality);
  Put(in.negated ? " NOT IN " : " IN ");
  Qualified(in.table);
}

void Printer::Print(const LikeExpr& like) {
  Expression(*like.operand, internal::kPrecEquality);
  if (like.negated) Put(" NOT");
  Put(like.op == LikeOp::kLike ? " LIKE " : like.op == LikeOp::kIlike ? " ILIKE " : " GLOB ");
  Expression(*like.pattern, internal::kPrecRelational);
  if (like.escape) {
    Put(" ESCAPE ");
    Expression(*like.escape, internal::kPrecRelational);
  }
}

void Printer::Print(const BetweenExpr& between) {
  Expression(*between.operand, internal::kPrecEquality);
  Put(between.negated ? " NOT BETWEEN " : " BETWEEN ");
  Expression(*between.low, internal::kPrecRelational);
  Put(" AND ");
  Expression(*between.high, internal::kPrecRelational);
}

void Printer::Print(const IsNullExpr& is) {
  Expression(*is.operand, internal::kPrecEquality);
  Put(is.negated ? " IS NOT NULL" : " IS NULL");
}

void Printer::Print(const IsDistinctExpr& is) {
  Expression(*is.left, internal::kPrecEquality);
  Put(is.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
  Expression(*is.right, internal::kPrecRelational);
}

void Printer::Print(const CollateExpr& collate) {
  Expression(*collate.operand, internal::kPrecPostfix);
  Put(" COLLATE ");
  Name(collate.collation);
}

void Printer::With(const WithClause& with) {
  Put(with.recursive ? "WITH RECURSIVE " : "WITH ");
  for (size_t i = 0; i < with.ctes.size(); ++i) {
    const auto& cte = with.ctes[i];
    if (i > 0) Put(", ");
    Name(cte.name);
    if (!cte.columns.empty()) NameList(cte.columns);
    Put(" AS (");
    QueryText(*cte.query);
    Put(")");
  }
  Put(" ");
}

void Printer::QueryText(const Query& query) {
  if (query.with) With(*query.with);
  Body(*query.body);
  if (!query.order_by.empty()) {
    Put(" ORDER BY ");
    for (size_t i = 0; i < query.order_by.size(); ++i) {
      const auto& item = query.order_by[i];
      if (i > 0) Put(", ");
      Expression(*item.expr);
      Direction(item.direction);
      if (item.nulls != NullsOrder::kDefault) {
        Put(item.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST");
      }
    }
  }
  if (query.limit) {
    Put(" LIMIT ");
    Expression(*query.limit);
  }
  if (query.offset) {
    Put(" OFFSET ");
    Expression(*query.offset);
  }
}

void Printer::SetOperand(const QueryBody& body, bool parenthesise) {
  if (parenthesise) Put("(");
  Body(body);
  if (parenthesise) Put(")");
}

void Printer::Body(const QueryBody& body) {
  switch (body.kind) {
    case QueryBodyKind::kSelect: {
      const auto& core = body.As<SelectCore>();
      Put(core.distinct ? "SELECT DISTINCT " : "SELECT ");
      SelectItems(core.items);
      if (!core.from.empty()) {
        Put(" FROM ");
        From(core.from);
      }
      if (core.where) {
        Put(" WHERE ");
        Expression(*core.where);
      }
      if (!core.group_by.empty()) {
        Put(" GROUP BY ");
        ExprList(core.group_by);
      }
      if (core.having) {
        Put(" HAVING ");
        Expression(*core.having);
      }
      if (!core.windows.empty()) WindowClause(core.windows);
      return;
    }
    case QueryBodyKind::kValues: {
      const auto& values = body.As<ValuesBody>();
      Put("VALUES ");
      for (size_t i = 0; i < values.rows.size(); ++i) {
        if (i > 0) Put(", ");
        Put("(");
        ExprList(values.rows[i]);
        Put(")");
      }
      return;
    }
    case QueryBodyKind::kSetOp: {
      const auto& set_op = body.As<SetOpBody>();
      int precedence = SetOpPrecedence(body);
      SetOperand(*set_op.left, SetOpPrecedence(*set_op.left) < precedence);
      switch (set_op.op) {
        case SetOpKind::kUnion: Put(" UNION "); break;
        case SetOpKind::kIntersect: Put(" INTERSECT "); break;
        case SetOpKind::kExcept: Put(" EXCEPT "); break;
      }
      if (set_op.all) Put("ALL ");
      SetOperand(*set_op.right, SetOpPrecedence(*set_op.right) <= precedence);
      return;
    }
    case QueryBodyKind::kNested:
      Put("(");
      QueryText(*body.As<NestedBody>().query);
      Put(")");
      return;
  }
}

void Printer::SelectItems(const std::vector<SelectItem>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (i > 0) Put(", ");
    switch (item.kind) {
      case SelectItemKind::kStar:
        Put("*");
        break;
      case SelectItemKind::kTableStar:
        Name(item.table);
        Put(".*");
        break;
      case SelectItemKind::kExpr:
        Expression(*item.expr);
        Alias(item.alias);
        break;
    }
  }
}

void Printer::Alias(const std::string& alias) {
  if (alias.empty()) return;
  Put(" AS ");
  Name(alias);
}

void Printer::From(const std::vector<TableRefPtr>& from) {
  for (size_t i = 0; i < from.size(); ++i) {
    if (i > 0) Put(", ");
    Table(*from[i]);
  }
}

void Printer::Table(const TableRef& ref) {
  switch (ref.kind) {
    case TableRefKind::kTable: {
      const auto& table = ref.As<BaseTableRef>();
      Qualified(table.name);
      Alias(table.alias);
      if (!table.indexed_by.empty()) {
        Put(" INDEXED BY ");
        Name(table.indexed_by);
      } else if (table.not_indexed) {
        Put(" NOT INDEXED");
      }
      return;
    }
    case TableRefKind::kSubquery: {
      const auto& sub = ref.As<SubqueryTableRef>();
      Put("(");
      QueryText(*sub.query);
      Put(")");
      Alias(sub.alias);
      return;
    }
    case TableRefKind::kJoin: {
      const auto& join = ref.As<JoinTableRef>();
      Table(*join.left);
      Put(join.natural ? " NATURAL " : " ");
      switch (join.type) {
        case JoinType::kInner: Put("JOIN "); break;
        case JoinType::kLeft: Put("LEFT JOIN "); break;
        case JoinType::kRight: Put("RIGHT JOIN "); break;
        case JoinType::kFull: Put("FULL JOIN "); break;
        case JoinType::kCross: Put("CROSS JOIN "); break;
      }
      bool nested = join.right->kind == TableRefKind::kJoin;
      if (nested) Put("(");
      Table(*join.right);
      if (nested) Put(")");
      if (join.on) {
        Put(" ON ");
        Expression(*join.on);
      }
      if (!join.using_columns.empty()) {
        Put(" USING ");
        NameList(join.using_columns);
      }
      return;
    }
  }
}

void Printer::Direction(SortDirection direction) {
  if (direction == SortDirection::kAsc) Put(" ASC");
  if (direction == SortDirection::kDesc) Put(" DESC");
}

void Printer::IndexedColumns(const std::vector<IndexedColumn>& columns) {
  Put("(");
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) Put(", ");
    Expression(*columns[i].expr);
    Direction(columns[i].direction);
  }
  Put(")");
}

void Printer::Returning(const std::vector<SelectItem>& items) {
  if (items.empty()) return;
  Put(" RETURNING ");
  SelectItems(items);
}

void Printer::Conflict(ConflictAction action) {
  switch (action) {
    case ConflictAction::kNone: break;
    case ConflictAction::kReplace: Put(" OR REPLACE"); break;
    case ConflictAction::kIgnore: Put(" OR IGNORE"); break;
    case ConflictAction::kAbort: Put(" OR ABORT"); break;
    case ConflictAction::kFail: Put(" OR FAIL"); break;
    case ConflictAction::kRollback: Put(" OR ROLLBACK"); break;
  }
}

}  // namespace internal

std::string QuoteIdentifier(std::string_view name) {
  if (IsPlainName(name) && !IsKeywordText(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string ToSql(const Expr& expr) {
  internal::Printer printer;
  printer.Expression(expr);
  return printer.Take();
}

std::string ToSql(const Query& query) {
  internal::Printer printer;
  printer.QueryText(query);
  return printer.Take();
}

std::string ToSql(const Statement& statement) {
  internal::Printer printer;
  printer.StatementText(statement);
  return printer.Take();
}

}  // namespace neuroquantum::sql
