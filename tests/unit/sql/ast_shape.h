// Test helper: a compact prefix rendering of an expression tree, e.g.
// `(OR a (AND b (NOT (= c d))))`, so precedence tests can state the exact
// tree they expect independently of the printer.
#pragma once

#include <string>

#include "sql/ast.h"

namespace neuroquantum::sql::testing {

inline std::string Shape(const Expr& e);

inline std::string BinaryName(BinaryOp op) {
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

inline std::string Shape(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral: {
      const auto& lit = e.As<LiteralExpr>();
      switch (lit.literal) {
        case LiteralKind::kString: return "'" + lit.text + "'";
        case LiteralKind::kNull: return "NULL";
        case LiteralKind::kTrue: return "TRUE";
        case LiteralKind::kFalse: return "FALSE";
        default: return lit.text;
      }
    }
    case ExprKind::kColumnRef: {
      const auto& ref = e.As<ColumnRefExpr>();
      return (ref.table.empty() ? "" : ref.table + ".") + ref.column;
    }
    case ExprKind::kParameter: return "$" + std::to_string(e.As<ParameterExpr>().number);
    case ExprKind::kUnary: {
      const auto& u = e.As<UnaryExpr>();
      const char* op = u.op == UnaryOp::kNot ? "NOT" : u.op == UnaryOp::kNegate ? "neg"
                       : u.op == UnaryOp::kPlus ? "pos" : "~";
      return std::string("(") + op + " " + Shape(*u.operand) + ")";
    }
    case ExprKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      return "(" + BinaryName(b.op) + " " + Shape(*b.left) + " " + Shape(*b.right) + ")";
    }
    case ExprKind::kCast:
      return "(cast " + Shape(*e.As<CastExpr>().operand) + " " + e.As<CastExpr>().type.name + ")";
    case ExprKind::kCase: return "case";
    case ExprKind::kFunction: {
      const auto& f = e.As<FunctionExpr>();
      std::string out = "(" + f.name + (f.distinct ? " distinct" : "") + (f.star ? " *" : "");
      for (const auto& arg : f.args) out += " " + Shape(*arg);
      return out + ")";
    }
    case ExprKind::kInList: {
      const auto& in = e.As<InListExpr>();
      std::string out = std::string(in.negated ? "(notin " : "(in ") + Shape(*in.operand) + " [";
      for (size_t i = 0; i < in.list.size(); ++i) out += (i ? " " : "") + Shape(*in.list[i]);
      return out + "])";
    }
    case ExprKind::kInSubquery:
      return std::string(e.As<InSubqueryExpr>().negated ? "(notin " : "(in ") +
             Shape(*e.As<InSubqueryExpr>().operand) + " subquery)";
    case ExprKind::kInTable:
      return "(in " + Shape(*e.As<InTableExpr>().operand) + " table " +
             e.As<InTableExpr>().table.name + ")";
    case ExprKind::kExists: return "(exists)";
    case ExprKind::kSubquery: return "(subquery)";
    case ExprKind::kLike: {
      const auto& l = e.As<LikeExpr>();
      return std::string(l.negated ? "(notlike " : "(like ") + Shape(*l.operand) + " " +
             Shape(*l.pattern) + (l.escape ? " " + Shape(*l.escape) : "") + ")";
    }
    case ExprKind::kBetween: {
      const auto& b = e.As<BetweenExpr>();
      return std::string(b.negated ? "(notbetween " : "(between ") + Shape(*b.operand) + " " +
             Shape(*b.low) + " " + Shape(*b.high) + ")";
    }
    case ExprKind::kIsNull:
      return std::string(e.As<IsNullExpr>().negated ? "(notnull " : "(isnull ") +
             Shape(*e.As<IsNullExpr>().operand) + ")";
    case ExprKind::kIsDistinct: {
      const auto& d = e.As<IsDistinctExpr>();
      return std::string(d.negated ? "(notdistinct " : "(distinct ") + Shape(*d.left) + " " +
             Shape(*d.right) + ")";
    }
    case ExprKind::kCollate:
      return "(collate " + Shape(*e.As<CollateExpr>().operand) + " " +
             e.As<CollateExpr>().collation + ")";
  }
  return "?";
}

}  // namespace neuroquantum::sql::testing
