#include "exec/binder.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "exec/estimate.h"
#include "exec/join_order.h"
#include "exec/window.h"
#include "sql/printer.h"

namespace neuroquantum::exec {

// One query level: every scope of a SELECT (its FROM, its aggregate
// output, its join conditions) and its derived tables share one, since they
// run as one unit when the level is a subquery.
struct Level {
  bool correlated = false;  // something inside reads an enclosing query's row
  // The enclosing rows' columns read from inside, as (levels up from this
  // query, column): what a correlated subquery's result depends on.
  std::vector<std::pair<int, int>> outer_columns;
  bool calls_volatile = false;  // RANDOM() or the like, here or in a subquery
};

struct ScopeColumn {
  std::string table;  // alias or table name; empty for derived columns
  std::string name;
  DataType type;
  bool nocase = false;
  bool hidden = false;  // right side of USING: reachable only qualified
  // A base table's column: its flag in the scan's column mask.
  std::shared_ptr<std::vector<bool>> usage = nullptr;
  int usage_index = -1;
  const TableInfo* table_info = nullptr;  // a base table's column: its table (statistics)
  // Not reachable by any name: the columns left of an inner join, whose
  // ON sees only its own sides' columns yet reads them at their places in
  // the whole FROM clause's row.
  bool unreachable = false;
};

void MarkUsed(const ScopeColumn& c) {
  if (c.usage) (*c.usage)[c.usage_index] = true;
}

struct AggState;

struct Scope {
  Scope(Scope* p, Level* l) : parent(p), level(l) {}
  std::vector<ScopeColumn> columns;
  Scope* parent;
  Level* level;
  AggState* agg = nullptr;  // set on the scope after GROUP BY
  WindowBinding* window = nullptr;  // set while window functions are allowed
};

struct AggState {
  Scope* input = nullptr;
  std::vector<std::string> key_sql;
  std::vector<int> key_column;  // input column of a plain-column key, else -1
  std::vector<DataType> key_types;
  std::vector<AggregateCall> calls;
  std::vector<std::string> call_sql;
  std::vector<DataType> call_types;
};

namespace {

Status BindError(std::string_view sqlstate, const sql::SourcePos& pos, std::string msg) {
  return Status::InvalidArgument(fmt::format("{} (line {}, column {})", msg, pos.line, pos.column))
      .WithSqlState(sqlstate);
}

BoundExprPtr MakeColumn(int index, DataType type, bool nocase = false) {
  auto e = std::make_unique<BoundExpr>(BoundKind::kColumn);
  e->index = index;
  e->type = type;
  e->nocase = nocase;
  return e;
}

BoundExprPtr MakeConstant(Value v) {
  auto e = std::make_unique<BoundExpr>(BoundKind::kConstant);
  e->type = DataType::Of(v.kind());
  e->constant = std::move(v);
  return e;
}

BoundExprPtr MakeBinary(BoundKind kind, uint8_t op, BoundExprPtr a, BoundExprPtr b) {
  auto e = std::make_unique<BoundExpr>(kind);
  e->op = op;
  e->nocase = a->nocase || b->nocase;
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

DataType ArithType(const DataType& a, const DataType& b) {
  auto rank = [](const DataType& t) {
    if (t.is_integer() || t.id == TypeId::kBoolean) return 1;
    if (t.id == TypeId::kNumeric) return 2;
    if (t.is_floating()) return 3;
    return 0;
  };
  int ra = rank(a), rb = rank(b);
  if (ra == 0 || rb == 0) return DataType::Of(TypeId::kNull);
  int r = std::max(ra, rb);
  return DataType::Of(r == 1 ? TypeId::kBigInt : (r == 2 ? TypeId::kNumeric : TypeId::kDouble));
}

// The static type of date/time arithmetic where the kinds decide it
// (functions.h); kNull when only the values will tell.
DataType DateTimeArithType(const DataType& a, const DataType& b, bool subtract) {
  auto instant = [](const DataType& t) { return t.id == TypeId::kDate || t.id == TypeId::kTimestamp; };
  TypeId x = a.id, y = b.id;
  if ((instant(a) && y == TypeId::kInterval) || (x == TypeId::kInterval && instant(b) && !subtract)) {
    return DataType::Of(TypeId::kTimestamp);
  }
  if (instant(a) && instant(b) && subtract && (x == TypeId::kTimestamp || y == TypeId::kTimestamp)) {
    return DataType::Of(TypeId::kInterval);
  }
  if (x == TypeId::kInterval && (y == TypeId::kInterval || b.is_numeric())) return DataType::Of(TypeId::kInterval);
  if (a.is_numeric() && y == TypeId::kInterval) return DataType::Of(TypeId::kInterval);
  if (x == TypeId::kTime && y == TypeId::kInterval) return DataType::Of(TypeId::kTime);
  if (x == TypeId::kTime && y == TypeId::kTime && subtract) return DataType::Of(TypeId::kInterval);
  return DataType::Of(TypeId::kNull);
}

DataType AggregateType(std::string_view name, const std::vector<BoundExprPtr>& args) {
  if (name == "count") return DataType::Of(TypeId::kBigInt);
  if (name == "avg" || name == "total") return DataType::Of(TypeId::kDouble);
  if (name == "group_concat" || name == "string_agg") return DataType::Of(TypeId::kText);
  if (args.empty()) return DataType::Of(TypeId::kNull);
  const DataType& t = args[0]->type;
  if (name == "sum") return t.is_integer() ? DataType::Of(TypeId::kBigInt) : t;
  return t;  // min, max
}

// Calls `fn` on each direct child expression (not inside subqueries).
void ForEachChild(const sql::Expr& e, const std::function<void(const sql::Expr&)>& fn) {
  auto visit = [&](const sql::ExprPtr& p) {
    if (p) fn(*p);
  };
  using K = sql::ExprKind;
  switch (e.kind) {
    case K::kUnary: visit(e.As<sql::UnaryExpr>().operand); break;
    case K::kBinary:
      visit(e.As<sql::BinaryExpr>().left);
      visit(e.As<sql::BinaryExpr>().right);
      break;
    case K::kCast: visit(e.As<sql::CastExpr>().operand); break;
    case K::kCase: {
      const auto& c = e.As<sql::CaseExpr>();
      visit(c.operand);
      for (const auto& w : c.whens) {
        visit(w.condition);
        visit(w.result);
      }
      visit(c.else_result);
      break;
    }
    case K::kFunction:
      for (const auto& a : e.As<sql::FunctionExpr>().args) visit(a);
      if (const auto& over = e.As<sql::FunctionExpr>().over) {
        for (const auto& p : over->partition_by) visit(p);
        for (const auto& o : over->order_by) visit(o.expr);
      }
      break;
    case K::kInList:
      visit(e.As<sql::InListExpr>().operand);
      for (const auto& a : e.As<sql::InListExpr>().list) visit(a);
      break;
    case K::kInSubquery: visit(e.As<sql::InSubqueryExpr>().operand); break;
    case K::kInTable: visit(e.As<sql::InTableExpr>().operand); break;
    case K::kLike: {
      const auto& l = e.As<sql::LikeExpr>();
      visit(l.operand);
      visit(l.pattern);
      visit(l.escape);
      break;
    }
    case K::kBetween: {
      const auto& b = e.As<sql::BetweenExpr>();
      visit(b.operand);
      visit(b.low);
      visit(b.high);
      break;
    }
    case K::kIsNull: visit(e.As<sql::IsNullExpr>().operand); break;
    case K::kIsDistinct:
      visit(e.As<sql::IsDistinctExpr>().left);
      visit(e.As<sql::IsDistinctExpr>().right);
      break;
    case K::kCollate: visit(e.As<sql::CollateExpr>().operand); break;
    default: break;
  }
}

bool IsAggregateCall(const sql::Expr& e) {
  if (e.kind != sql::ExprKind::kFunction) return false;
  const auto& f = e.As<sql::FunctionExpr>();
  if (f.over) return false;  // a window function
  const AggregateFunction* agg = FindAggregateFunction(f.name);
  if (!agg) return false;
  // Two-argument MIN/MAX are SQLite's scalar forms.
  if ((f.name == "min" || f.name == "max") && f.args.size() > 1) return false;
  return true;
}

// Whether a subquery (or `x IN table`) is inside `e`.
bool ContainsSubquery(const sql::Expr& e) {
  if (e.kind == sql::ExprKind::kInSubquery || e.kind == sql::ExprKind::kInTable ||
      e.kind == sql::ExprKind::kExists || e.kind == sql::ExprKind::kSubquery) {
    return true;
  }
  bool found = false;
  ForEachChild(e, [&](const sql::Expr& c) { found = found || ContainsSubquery(c); });
  return found;
}

// Whether a FROM item is an inner or cross join that joins like a comma
// (no NATURAL or USING, whose merged columns need the join itself).
bool FlattensIntoFromList(const sql::TableRef& ref) {
  if (ref.kind != sql::TableRefKind::kJoin) return false;
  const auto& j = ref.As<sql::JoinTableRef>();
  return (j.type == sql::JoinType::kInner || j.type == sql::JoinType::kCross) && !j.natural &&
         j.using_columns.empty();
}

bool ContainsAggregate(const sql::Expr& e) {
  if (IsAggregateCall(e)) return true;
  bool found = false;
  ForEachChild(e, [&](const sql::Expr& c) { found = found || ContainsAggregate(c); });
  return found;
}

// Column references of this level used by a bound expression, and whether
// it has subqueries (which keep it from moving between operators).
void ColumnSpan(const BoundExpr& e, int* lo, int* hi, bool* has_subquery) {
  if (e.kind == BoundKind::kColumn) {
    *lo = std::min(*lo, e.index);
    *hi = std::max(*hi, e.index);
  }
  if (e.subplan) *has_subquery = true;
  for (const auto& a : e.args) ColumnSpan(*a, lo, hi, has_subquery);
}

// Whether a subquery inside reads a row of an enclosing query (this one's
// included): such a conjunct must be evaluated over the row it was bound
// against. One with only uncorrelated subqueries moves like any other.
bool HasCorrelatedSubquery(const BoundExpr& e) {
  if (e.subplan && e.subplan->correlated) return true;
  return std::any_of(e.args.begin(), e.args.end(), [](const BoundExprPtr& a) { return HasCorrelatedSubquery(*a); });
}

void ShiftColumns(BoundExpr* e, int delta) {
  if (e->kind == BoundKind::kColumn) e->index += delta;
  for (auto& a : e->args) ShiftColumns(a.get(), delta);
}

bool HashCompatible(const DataType& a, const DataType& b) {
  auto family = [](const DataType& t) {
    if (t.is_numeric()) return 1;
    if (t.is_string()) return 2;
    if (t.id == TypeId::kBlob) return 3;
    if (t.is_temporal()) return 4 + static_cast<int>(t.id);
    return 0;
  };
  int fa = family(a);
  return fa != 0 && fa == family(b);
}

// Calls fn(left column, right column) for each equality `left column =
// right column` across a join boundary at `left_width` (either operand
// order), of types that hash alike.
template <typename Fn>
void ForEachEqualKey(const std::vector<BoundExprPtr>& conds, int left_width, Fn fn) {
  for (const auto& c : conds) {
    if (c->kind != BoundKind::kCompare || static_cast<CompareOp>(c->op) != CompareOp::kEq || c->nocase) continue;
    const BoundExpr& a = *c->args[0];
    const BoundExpr& b = *c->args[1];
    if (a.kind != BoundKind::kColumn || b.kind != BoundKind::kColumn) continue;
    if (!HashCompatible(a.type, b.type)) continue;
    if (a.index < left_width && b.index >= left_width) fn(a, b);
    if (b.index < left_width && a.index >= left_width) fn(b, a);
  }
}

// The hash join keys: (left index, right index relative to the right side).
std::vector<std::pair<int, int>> EqualKeys(const std::vector<BoundExprPtr>& conds, int left_width) {
  std::vector<std::pair<int, int>> keys;
  ForEachEqualKey(conds, left_width, [&](const BoundExpr& l, const BoundExpr& r) {
    keys.emplace_back(l.index, r.index - left_width);
  });
  return keys;
}

std::string OutputName(const sql::SelectItem& item) {
  if (!item.alias.empty()) return item.alias;
  if (item.expr->kind == sql::ExprKind::kColumnRef) return item.expr->As<sql::ColumnRefExpr>().column;
  return sql::ToSql(*item.expr);
}

Result<Value> LiteralValue(const sql::LiteralExpr& lit) {
  switch (lit.literal) {
    case sql::LiteralKind::kInteger: return Value::Integer(lit.int_value);
    case sql::LiteralKind::kNumeric: {
      auto d = Decimal::Parse(lit.text);
      if (d.ok()) return Value::Numeric(*d);
      return Value::Double(std::strtod(lit.text.c_str(), nullptr));
    }
    case sql::LiteralKind::kFloat: {
      double v = std::strtod(lit.text.c_str(), nullptr);
      if (std::isinf(v)) return Status::OutOfRange(fmt::format("\"{}\" is out of range for type double", lit.text))
                             .WithSqlState("22003");
      return Value::Double(v);
    }
    case sql::LiteralKind::kString: return Value::Text(lit.text);
    case sql::LiteralKind::kBlob: return Value::Blob(lit.text);
    case sql::LiteralKind::kNull: return Value::Null();
    case sql::LiteralKind::kTrue: return Value::Boolean(true);
    case sql::LiteralKind::kFalse: return Value::Boolean(false);
  }
  return Status::Internal("unknown literal");
}

}  // namespace

void SplitConjuncts(BoundExprPtr expr, std::vector<BoundExprPtr>* out) {
  if (!expr) return;
  if (expr->kind == BoundKind::kAnd) {
    SplitConjuncts(std::move(expr->args[0]), out);
    SplitConjuncts(std::move(expr->args[1]), out);
    return;
  }
  out->push_back(std::move(expr));
}

// Whether two bound expressions compute the same value from the same row
// (no subqueries; no functions that may answer differently each call).
bool SameExpr(const BoundExpr& a, const BoundExpr& b) {
  if (a.kind != b.kind || a.op != b.op || a.index != b.index || a.levels != b.levels || a.negated != b.negated ||
      a.nocase != b.nocase || a.has_else != b.has_else || a.has_operand != b.has_operand ||
      a.function != b.function || !(a.cast_type == b.cast_type) || a.subplan || b.subplan ||
      a.args.size() != b.args.size()) {
    return false;
  }
  if (a.function != nullptr && !a.function->deterministic) return false;
  if (a.kind == BoundKind::kConstant &&
      (a.constant.kind() != b.constant.kind() || a.constant.SortCompare(b.constant) != 0)) {
    return false;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!SameExpr(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

void SplitDisjuncts(BoundExprPtr expr, std::vector<BoundExprPtr>* out) {
  if (expr->kind == BoundKind::kOr) {
    SplitDisjuncts(std::move(expr->args[0]), out);
    SplitDisjuncts(std::move(expr->args[1]), out);
    return;
  }
  out->push_back(std::move(expr));
}

BoundExprPtr CombineConjuncts(std::vector<BoundExprPtr> parts);

// (A AND B) OR (A AND C) is A AND (B OR C): a conjunct every branch of an
// OR repeats is taken out, so that a join condition written in each branch
// (TPC-H Q19) becomes a join key. Appends the result's conjuncts to *out.
// Exact under three-valued logic: both forms are true, false or unknown
// for the same rows.
void FactorOr(BoundExprPtr expr, std::vector<BoundExprPtr>* out) {
  if (expr->kind != BoundKind::kOr) {
    out->push_back(std::move(expr));
    return;
  }
  std::vector<BoundExprPtr> branches;
  SplitDisjuncts(std::move(expr), &branches);
  std::vector<std::vector<BoundExprPtr>> parts(branches.size());
  for (size_t i = 0; i < branches.size(); ++i) SplitConjuncts(std::move(branches[i]), &parts[i]);
  // Conjuncts of the first branch found in every other one.
  std::vector<BoundExprPtr> common;
  for (size_t k = 0; k < parts[0].size();) {
    bool everywhere = true;
    for (size_t i = 1; i < parts.size() && everywhere; ++i) {
      everywhere = std::any_of(parts[i].begin(), parts[i].end(),
                               [&](const BoundExprPtr& c) { return SameExpr(*c, *parts[0][k]); });
    }
    if (!everywhere) {
      ++k;
      continue;
    }
    for (size_t i = 1; i < parts.size(); ++i) {
      auto it = std::find_if(parts[i].begin(), parts[i].end(),
                             [&](const BoundExprPtr& c) { return SameExpr(*c, *parts[0][k]); });
      parts[i].erase(it);
    }
    common.push_back(std::move(parts[0][k]));
    parts[0].erase(parts[0].begin() + static_cast<std::ptrdiff_t>(k));
  }
  // The OR of what is left; a branch left empty is true, and so is the OR.
  bool always = false;
  BoundExprPtr rest;
  for (auto& p : parts) {
    if (p.empty()) {
      always = true;
      break;
    }
    BoundExprPtr branch = CombineConjuncts(std::move(p));
    if (!rest) {
      rest = std::move(branch);
      continue;
    }
    auto either = std::make_unique<BoundExpr>(BoundKind::kOr);
    either->type = DataType::Of(TypeId::kBoolean);
    either->args.push_back(std::move(rest));
    either->args.push_back(std::move(branch));
    rest = std::move(either);
  }
  for (auto& c : common) out->push_back(std::move(c));
  if (!always && rest) out->push_back(std::move(rest));
}

BoundExprPtr CombineConjuncts(std::vector<BoundExprPtr> parts) {
  BoundExprPtr acc;
  for (auto& p : parts) {
    if (!acc) {
      acc = std::move(p);
    } else {
      acc = MakeBinary(BoundKind::kAnd, 0, std::move(acc), std::move(p));
      acc->type = DataType::Of(TypeId::kBoolean);
    }
  }
  return acc;
}

namespace {

// Finds `table.column` (table may be empty) among a scope's own columns:
// its position, -1 when absent; 42702 when ambiguous.
Result<int> FindColumnIn(const Scope& scope, const sql::ColumnRefExpr& ref) {
  int found = -1;
  for (size_t i = 0; i < scope.columns.size(); ++i) {
    const auto& c = scope.columns[i];
    if (c.name != ref.column || c.unreachable) continue;
    if (ref.table.empty() ? c.hidden : c.table != ref.table) continue;
    if (found >= 0) {
      return BindError("42702", ref.pos, fmt::format("column reference \"{}\" is ambiguous", ref.column));
    }
    found = static_cast<int>(i);
  }
  return found;
}

}  // namespace

Result<BoundExprPtr> Binder::BindColumn(const sql::ColumnRefExpr& ref, Scope* scope) {
  int levels = 0;
  for (Scope* s = scope; s; s = s->parent, ++levels) {
    int index = -1;
    DataType type;
    bool nocase = false;
    if (s->agg) {
      NQ_ASSIGN_OR_RETURN(int in, FindColumnIn(*s->agg->input, ref));
      if (in >= 0) {
        auto it = std::find(s->agg->key_column.begin(), s->agg->key_column.end(), in);
        if (it == s->agg->key_column.end()) {
          return BindError("42803", ref.pos,
                           fmt::format("column \"{}\" must appear in the GROUP BY clause or be used in an "
                                       "aggregate function",
                                       ref.table.empty() ? ref.column : ref.table + "." + ref.column));
        }
        index = static_cast<int>(it - s->agg->key_column.begin());
        type = s->agg->input->columns[in].type;
        nocase = s->agg->input->columns[in].nocase;
        MarkUsed(s->agg->input->columns[in]);
      }
    } else {
      NQ_ASSIGN_OR_RETURN(index, FindColumnIn(*s, ref));
      if (index >= 0) {
        type = s->columns[index].type;
        nocase = s->columns[index].nocase;
        MarkUsed(s->columns[index]);
      }
    }
    if (index < 0) continue;
    if (levels == 0) return MakeColumn(index, type, nocase);
    int up = levels;
    for (Scope* t = scope; t != s; t = t->parent, --up) {
      Level* level = t->level;
      level->correlated = true;
      const std::pair<int, int> column{up, index};
      if (std::find(level->outer_columns.begin(), level->outer_columns.end(), column) == level->outer_columns.end()) {
        level->outer_columns.push_back(column);
      }
    }
    auto e = std::make_unique<BoundExpr>(BoundKind::kOuterColumn);
    e->index = index;
    e->levels = levels;
    e->type = type;
    e->nocase = nocase;
    return e;
  }
  NQ_ASSIGN_OR_RETURN(auto trigger_column, BindTriggerColumn(ref));
  if (trigger_column) return trigger_column;
  std::string name = ref.table.empty() ? ref.column : ref.table + "." + ref.column;
  return BindError("42703", ref.pos, fmt::format("column \"{}\" does not exist", name));
}

Result<BoundExprPtr> Binder::BindTriggerColumn(const sql::ColumnRefExpr& ref) {
  if (!trigger_rows_ || !ref.schema.empty() || (ref.table != "new" && ref.table != "old")) return BoundExprPtr();
  const bool is_new = ref.table == "new";
  if (is_new ? !trigger_rows_->has_new : !trigger_rows_->has_old) {
    return BindError("42P01", ref.pos, fmt::format("{} is not available here: {}", is_new ? "NEW" : "OLD",
                                                   is_new ? "a DELETE trigger has no new row"
                                                          : "an INSERT trigger has no old row"));
  }
  const auto& names = trigger_rows_->names;
  auto it = std::find(names.begin(), names.end(), ref.column);
  if (it == names.end()) {
    return BindError("42703", ref.pos, fmt::format("column \"{}\" of {} does not exist", ref.column,
                                                   is_new ? "NEW" : "OLD"));
  }
  auto e = std::make_unique<BoundExpr>(BoundKind::kParameter);
  size_t column = static_cast<size_t>(it - names.begin());
  e->index = static_cast<int>(is_new ? names.size() + column : column);
  e->type = trigger_rows_->types[column];
  return e;
}

Result<BoundExprPtr> Binder::BindRaise(const sql::FunctionExpr& f, Scope* scope) {
  if (!trigger_rows_) return BindError("42601", f.pos, "RAISE() is only allowed inside a trigger");
  const sql::Expr* first = f.args.empty() ? nullptr : f.args[0].get();
  std::string action;
  if (first && first->kind == sql::ExprKind::kColumnRef && first->As<sql::ColumnRefExpr>().table.empty()) {
    action = first->As<sql::ColumnRefExpr>().column;
  }
  const bool ignore = action == "ignore";
  if (!ignore && action != "abort" && action != "fail" && action != "rollback") {
    return BindError("42601", f.pos, "RAISE() takes IGNORE, or ABORT, FAIL or ROLLBACK and a message");
  }
  if (f.args.size() != (ignore ? 1u : 2u) || f.star || f.distinct) {
    return BindError("42601", f.pos, ignore ? "RAISE(IGNORE) takes no message" : "RAISE() needs a message");
  }
  auto e = std::make_unique<BoundExpr>(BoundKind::kFunction);
  e->function = RaiseFunction();
  auto kind = std::make_unique<BoundExpr>(BoundKind::kConstant);
  kind->constant = Value::Integer(ignore ? 0 : 1);
  e->args.push_back(std::move(kind));
  if (!ignore) {
    NQ_ASSIGN_OR_RETURN(auto message, Bind(*f.args[1], scope));
    e->args.push_back(std::move(message));
  }
  return e;
}

Result<BoundExprPtr> Binder::BindFunction(const sql::FunctionExpr& f, Scope* scope) {
  if (f.name == "raise") return BindRaise(f, scope);
  if (IsAggregateCall(f)) {
    return BindError("42803", f.pos, fmt::format("aggregate function {}() is not allowed here", f.name));
  }
  const ScalarFunction* fn = FindScalarFunction(f.name);
  if (!fn && IsWindowOnlyFunction(f.name)) {
    return BindError("42809", f.pos, fmt::format("window function {}() requires an OVER clause", f.name));
  }
  if (!fn) return BindError("42883", f.pos, fmt::format("function {}() does not exist", f.name));
  if (!fn->deterministic) scope->level->calls_volatile = true;
  int n = static_cast<int>(f.args.size());
  if (f.star || f.distinct) {
    return BindError("42601", f.pos, fmt::format("{}() is not an aggregate; * and DISTINCT do not apply", f.name));
  }
  if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
    return BindError("42883", f.pos, fmt::format("function {}() does not take {} argument{}", f.name, n,
                                                 n == 1 ? "" : "s"));
  }
  // COALESCE and IFNULL stop at the first non-NULL argument.
  bool lazy = f.name == "coalesce" || f.name == "ifnull";
  auto e = std::make_unique<BoundExpr>(lazy ? BoundKind::kCoalesce : BoundKind::kFunction);
  e->function = fn;
  for (const auto& a : f.args) {
    NQ_ASSIGN_OR_RETURN(auto b, Bind(*a, scope));
    e->args.push_back(std::move(b));
  }
  if (f.name == "length" || f.name == "instr" || f.name == "position" || f.name == "sign") {
    e->type = DataType::Of(TypeId::kBigInt);
  } else if (f.name == "lower" || f.name == "upper" || f.name == "substr" || f.name == "substring" ||
             f.name == "trim" || f.name == "ltrim" || f.name == "rtrim" || f.name == "replace" ||
             f.name == "concat" || f.name == "lpad" || f.name == "rpad" || f.name == "typeof") {
    e->type = DataType::Of(TypeId::kText);
  } else if ((f.name == "abs" || f.name == "coalesce" || f.name == "ifnull" || f.name == "nullif") &&
             !e->args.empty()) {
    e->type = e->args[0]->type;
  } else {
    e->type = DateTimeResultType(f.name);
  }
  return e;
}

Result<BoundExprPtr> Binder::BindSubquery(const sql::Query& query, Scope* scope, BoundKind kind, bool negated,
                                          BoundExprPtr operand) {
  Level level;
  // EXISTS of one SELECT (no WITH, whose queries come first) looks only at
  // whether rows come.
  rows_only_ = kind == BoundKind::kExists && !query.with && query.body->kind == sql::QueryBodyKind::kSelect;
  const uint32_t anonymous_at = next_anonymous_;
  auto bound = BindQueryIn(query, scope, &level);
  rows_only_ = false;
  NQ_ASSIGN_OR_RETURN(BoundQuery q, std::move(bound));
  if (kind != BoundKind::kExists && q.names.size() != 1) {
    return BindError("42601", query.pos, "subquery must return only one column");
  }
  auto e = std::make_unique<BoundExpr>(kind);
  e->negated = negated;
  e->subplan = std::make_shared<SubPlan>();
  e->subplan->root = std::move(q.root);
  e->subplan->correlated = level.correlated;
  e->subplan->outer_columns = level.outer_columns;
  // The same enclosing values give the same answer, unless a function
  // gives a different value each time.
  e->subplan->memoizable = rewrites_ && level.correlated && !level.calls_volatile;
  if (level.calls_volatile) scope->level->calls_volatile = true;
  subplans_.push_back(e->subplan);
  if (kind == BoundKind::kExists) HashExists(query, scope, e->subplan.get(), anonymous_at);
  if (kind == BoundKind::kScalarSubquery) {
    e->type = q.types[0];
  } else {
    e->type = DataType::Of(TypeId::kBoolean);
  }
  if (operand) {
    e->nocase = operand->nocase;
    e->args.push_back(std::move(operand));
  }
  return e;
}

namespace {

// Whether `e` reads an enclosing query's row or holds a subquery.
bool ReadsOutside(const BoundExpr& e) {
  if (e.kind == BoundKind::kOuterColumn || e.subplan) return true;
  return std::any_of(e.args.begin(), e.args.end(), [](const BoundExprPtr& a) { return ReadsOutside(*a); });
}

}  // namespace

void Binder::TakeExistsKey(std::vector<BoundExprPtr>* conjuncts, ExistsKey* key) {
  std::vector<BoundExprPtr> rest;
  for (auto& c : *conjuncts) {
    if (c->kind == BoundKind::kCompare && static_cast<CompareOp>(c->op) == CompareOp::kEq && !c->nocase) {
      for (size_t side = 0; side < 2; ++side) {
        const BoundExpr& inner = *c->args[side];
        const BoundExpr& outer = *c->args[1 - side];
        if (inner.kind == BoundKind::kColumn && outer.kind == BoundKind::kOuterColumn && outer.levels == 1) {
          key->ok = key->ok && !key->inner;  // one equality only
          key->inner = std::move(c->args[side]);
          key->outer = outer.index;
          c.reset();
          break;
        }
      }
      if (!c) continue;
    }
    if (ReadsOutside(*c)) key->ok = false;
    rest.push_back(std::move(c));
  }
  if (!key->inner) key->ok = false;
  *conjuncts = std::move(rest);
}

// Hashes each hashed EXISTS in `e` (see HashExists) where that costs less
// than running the correlated subquery for each of the `rows` rows the
// expression is evaluated for.
void Binder::ChooseExistsPlans(BoundExpr* e, double rows) {
  if (e->subplan) {
    if (auto it = exists_keys_.find(e->subplan.get()); it != exists_keys_.end()) {
      const double probes = std::max(rows >= 0 ? rows : kDefaultTableRows, 1.0);
      const double key_cost = it->second.root->estimated_cost();
      const double correlated = probes * std::max(e->subplan->root->estimated_cost(), 1.0);
      // Half, because misjudging costs more one way: a hash that was not
      // worth it reads the whole inner table, where lookups would have
      // read a few rows each (tables never analysed all look alike).
      if (key_cost >= 0 && 2 * (key_cost + probes) < correlated) {
        e->subplan->key_root = std::move(it->second.root);
        e->subplan->key_column = it->second.column;
      }
      exists_keys_.erase(it);
    }
  }
  for (auto& a : e->args) ChooseExistsPlans(a.get(), rows);
}

namespace {

// Whether `ref` is base tables only (inner and cross joins of them without
// USING or NATURAL, ON conditions without subqueries): what HashExists
// binds a second time, so that nothing below it is bound twice in turn.
bool BaseTablesOnly(const sql::TableRef& ref, const Catalog& catalog, const auto& ctes) {
  if (ref.kind == sql::TableRefKind::kTable) {
    const std::string& name = ref.As<sql::BaseTableRef>().name.name;
    for (const auto& scope : ctes) {
      if (scope.count(name) != 0) return false;
    }
    return catalog.FindView(name) == nullptr;
  }
  if (!FlattensIntoFromList(ref)) return false;
  const auto& j = ref.As<sql::JoinTableRef>();
  return (!j.on || !ContainsSubquery(*j.on)) && BaseTablesOnly(*j.left, catalog, ctes) &&
         BaseTablesOnly(*j.right, catalog, ctes);
}

}  // namespace

void Binder::HashExists(const sql::Query& query, Scope* scope, SubPlan* plan, uint32_t anonymous_at) {
  if (!rewrites_ || !plan->correlated || !plan->memoizable) return;
  // One SELECT whose rows come from its FROM and WHERE alone: no WITH,
  // no LIMIT, no aggregate (which makes a row of no rows).
  if (query.with || query.body->kind != sql::QueryBodyKind::kSelect || !query.order_by.empty() || query.limit ||
      query.offset) {
    return;
  }
  const auto& core = query.body->As<sql::SelectCore>();
  // A subquery inside would be bound twice too, and so on down.
  if (core.from.empty() || !core.group_by.empty() || core.having || (core.where && ContainsSubquery(*core.where))) {
    return;
  }
  for (const auto& item : core.items) {
    if (item.kind == sql::SelectItemKind::kExpr && ContainsAggregate(*item.expr)) return;
  }
  for (const auto& ref : core.from) {
    if (!BaseTablesOnly(*ref, *catalog_, ctes_)) return;
  }
  ExistsKey key;
  Level level;
  Level* const saved_level = std::exchange(current_level_, &level);
  const uint32_t anonymous_after = std::exchange(next_anonymous_, anonymous_at);
  exists_key_ = &key;
  auto bound = BindSelect(core, scope, nullptr);
  exists_key_ = nullptr;
  next_anonymous_ = anonymous_after;
  current_level_ = saved_level;
  // Anything else keeps the correlated subquery alone.
  if (!bound.ok() || !key.ok || !bound->root) return;
  // Used if the WHERE it is in finds it cheaper (ChooseExistsPlans).
  exists_keys_[plan] = ExistsKeyPlan{std::move(bound->root), key.outer};
}

Result<BoundExprPtr> Binder::BindWindowFunction(const sql::FunctionExpr& f, Scope* scope) {
  WindowBinding* windows = scope->window;
  if (!windows) {
    return BindError("42P20", f.pos, window_args_ > 0 ? "window function calls cannot be nested"
                                                      : fmt::format("window function {}() is not allowed here", f.name));
  }
  // Arguments and keys read the rows below the Window operator.
  scope->window = nullptr;
  ++window_args_;
  auto result = BindWindowCall(
      f, windows, [&](const sql::Expr& e) { return Bind(e, scope); },
      [&](const sql::Expr& e) { return BindConstantExpr(e); });
  --window_args_;
  scope->window = windows;
  return result;
}

namespace {

// Constant folding: an expression whose operands are all constants, and
// which reads no row, parameter, subquery or clock and gives the same
// answer every time, becomes the constant it evaluates to, once, when the
// statement is planned. One that fails (1/0) is left to fail when run, as
// it would have, and only if it is run.
BoundExprPtr FoldConstant(BoundExprPtr e) {
  switch (e->kind) {
    case BoundKind::kConstant:
    case BoundKind::kColumn:
    case BoundKind::kOuterColumn:
    case BoundKind::kParameter:
    case BoundKind::kInSubquery:
    case BoundKind::kExists:
    case BoundKind::kScalarSubquery: return e;
    default: break;
  }
  if (e->subplan || (e->function != nullptr && !e->function->deterministic)) return e;
  for (const auto& a : e->args) {
    if (a->kind != BoundKind::kConstant) return e;
  }
  ExecContext ctx;
  auto value = Evaluate(*e, Row(), &ctx);
  if (!value.ok()) return e;
  auto folded = MakeConstant(std::move(*value));
  if (e->type.id != TypeId::kNull) folded->type = e->type;
  folded->nocase = e->nocase;
  return folded;
}

}  // namespace

Result<BoundExprPtr> Binder::Bind(const sql::Expr& expr, Scope* scope) {
  NQ_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(expr, scope));
  return rewrites_ ? FoldConstant(std::move(e)) : std::move(e);
}

Result<BoundExprPtr> Binder::BindExpr(const sql::Expr& expr, Scope* scope) {
  if (expr.kind == sql::ExprKind::kFunction && expr.As<sql::FunctionExpr>().over) {
    return BindWindowFunction(expr.As<sql::FunctionExpr>(), scope);
  }
  if (scope->agg) {
    AggState* agg = scope->agg;
    std::string text = sql::ToSql(expr);
    for (size_t k = 0; k < agg->key_sql.size(); ++k) {
      if (agg->key_sql[k] == text) return MakeColumn(static_cast<int>(k), agg->key_types[k]);
    }
    if (IsAggregateCall(expr)) {
      const auto& f = expr.As<sql::FunctionExpr>();
      const AggregateFunction* fn = FindAggregateFunction(f.name);
      int n = static_cast<int>(f.args.size());
      if (f.star && (f.name != "count" || f.distinct)) {
        return BindError("42601", f.pos, fmt::format("{}(*) is not valid; name a column", f.name));
      }
      if (f.distinct && n != 1) {
        return BindError("42601", f.pos, fmt::format("DISTINCT {}() must have exactly one argument", f.name));
      }
      if (!f.star && (n < fn->min_args || n > fn->max_args || (f.name == "count" && n == 0))) {
        return BindError("42883", f.pos, fmt::format("aggregate {}() does not take {} argument{}", f.name, n,
                                                     n == 1 ? "" : "s"));
      }
      size_t nkeys = agg->key_sql.size();
      for (size_t j = 0; j < agg->call_sql.size(); ++j) {
        if (agg->call_sql[j] == text) return MakeColumn(static_cast<int>(nkeys + j), agg->call_types[j]);
      }
      AggregateCall call;
      call.function = fn;
      call.distinct = f.distinct;
      for (const auto& a : f.args) {
        NQ_ASSIGN_OR_RETURN(auto b, Bind(*a, agg->input));
        call.args.push_back(std::move(b));
      }
      DataType type = AggregateType(f.name, call.args);
      agg->calls.push_back(std::move(call));
      agg->call_sql.push_back(text);
      agg->call_types.push_back(type);
      return MakeColumn(static_cast<int>(nkeys + agg->calls.size() - 1), type);
    }
  }
  using K = sql::ExprKind;
  switch (expr.kind) {
    case K::kLiteral: {
      NQ_ASSIGN_OR_RETURN(Value v, LiteralValue(expr.As<sql::LiteralExpr>()));
      return MakeConstant(std::move(v));
    }
    case K::kColumnRef: return BindColumn(expr.As<sql::ColumnRefExpr>(), scope);
    case K::kParameter: {
      const auto& p = expr.As<sql::ParameterExpr>();
      uint32_t n = p.number == 0 ? ++next_anonymous_ : p.number;
      if (n > 65535) return BindError("42P02", p.pos, fmt::format("there is no parameter ${}", n));
      parameter_count_ = std::max<size_t>(parameter_count_, n);
      auto e = std::make_unique<BoundExpr>(BoundKind::kParameter);
      e->index = static_cast<int>(n - 1);
      return e;
    }
    case K::kUnary: {
      const auto& u = expr.As<sql::UnaryExpr>();
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*u.operand, scope));
      if (u.op == sql::UnaryOp::kPlus) return operand;
      BoundKind kind = u.op == sql::UnaryOp::kNegate ? BoundKind::kNegate
                       : u.op == sql::UnaryOp::kNot  ? BoundKind::kNot
                                                     : BoundKind::kBitNot;
      auto e = std::make_unique<BoundExpr>(kind);
      e->type = kind == BoundKind::kNot ? DataType::Of(TypeId::kBoolean)
                                        : (kind == BoundKind::kBitNot ? DataType::Of(TypeId::kBigInt) : operand->type);
      if (kind == BoundKind::kNegate && operand->type.is_integer()) e->type = DataType::Of(TypeId::kBigInt);
      e->args.push_back(std::move(operand));
      return e;
    }
    case K::kBinary: {
      const auto& b = expr.As<sql::BinaryExpr>();
      NQ_ASSIGN_OR_RETURN(auto l, Bind(*b.left, scope));
      NQ_ASSIGN_OR_RETURN(auto r, Bind(*b.right, scope));
      using O = sql::BinaryOp;
      BoundExprPtr e;
      switch (b.op) {
        case O::kOr: e = MakeBinary(BoundKind::kOr, 0, std::move(l), std::move(r)); break;
        case O::kAnd: e = MakeBinary(BoundKind::kAnd, 0, std::move(l), std::move(r)); break;
        case O::kEq: case O::kNotEq: case O::kLt: case O::kLe: case O::kGt: case O::kGe: {
          static constexpr CompareOp kOps[] = {CompareOp::kEq, CompareOp::kNotEq, CompareOp::kLt,
                                               CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};
          e = MakeBinary(BoundKind::kCompare,
                         static_cast<uint8_t>(kOps[static_cast<int>(b.op) - static_cast<int>(O::kEq)]), std::move(l),
                         std::move(r));
          break;
        }
        case O::kBitAnd: e = MakeBinary(BoundKind::kBitwise, static_cast<uint8_t>(BitOp::kAnd), std::move(l), std::move(r)); break;
        case O::kBitOr: e = MakeBinary(BoundKind::kBitwise, static_cast<uint8_t>(BitOp::kOr), std::move(l), std::move(r)); break;
        case O::kShiftLeft: e = MakeBinary(BoundKind::kBitwise, static_cast<uint8_t>(BitOp::kShiftLeft), std::move(l), std::move(r)); break;
        case O::kShiftRight: e = MakeBinary(BoundKind::kBitwise, static_cast<uint8_t>(BitOp::kShiftRight), std::move(l), std::move(r)); break;
        case O::kConcat:
          e = MakeBinary(BoundKind::kConcat, 0, std::move(l), std::move(r));
          e->type = DataType::Of(TypeId::kText);
          return e;
        case O::kAdd: case O::kSubtract: case O::kMultiply: case O::kDivide: case O::kModulo: case O::kIntegerDivide: {
          static constexpr ArithOp kOps[] = {ArithOp::kAdd, ArithOp::kSubtract, ArithOp::kMultiply,
                                             ArithOp::kDivide, ArithOp::kModulo, ArithOp::kIntegerDivide};
          DataType t = ArithType(l->type, r->type);
          if (b.op == O::kIntegerDivide) t = DataType::Of(TypeId::kBigInt);
          if (t.id == TypeId::kNull) t = DateTimeArithType(l->type, r->type, b.op == O::kSubtract);
          e = MakeBinary(BoundKind::kArith, static_cast<uint8_t>(kOps[static_cast<int>(b.op) - static_cast<int>(O::kAdd)]),
                         std::move(l), std::move(r));
          e->type = t;
          e->nocase = false;
          return e;
        }
      }
      if (e->kind == BoundKind::kBitwise) {
        e->type = DataType::Of(TypeId::kBigInt);
      } else {
        e->type = DataType::Of(TypeId::kBoolean);
      }
      return e;
    }
    case K::kCast: {
      const auto& c = expr.As<sql::CastExpr>();
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*c.operand, scope));
      auto type = DataTypeFromName(c.type.name, c.type.params);
      if (!type.ok()) return BindError(SqlState(type.status()), c.type.pos, std::string(type.status().message()));
      auto e = std::make_unique<BoundExpr>(BoundKind::kCast);
      e->cast_type = *type;
      e->type = *type;
      e->args.push_back(std::move(operand));
      return e;
    }
    case K::kCase: {
      const auto& c = expr.As<sql::CaseExpr>();
      auto e = std::make_unique<BoundExpr>(BoundKind::kCase);
      if (c.operand) {
        NQ_ASSIGN_OR_RETURN(auto op, Bind(*c.operand, scope));
        e->args.push_back(std::move(op));
        e->has_operand = true;
      }
      for (const auto& w : c.whens) {
        NQ_ASSIGN_OR_RETURN(auto cond, Bind(*w.condition, scope));
        NQ_ASSIGN_OR_RETURN(auto result, Bind(*w.result, scope));
        if (e->type.id == TypeId::kNull) e->type = result->type;
        e->args.push_back(std::move(cond));
        e->args.push_back(std::move(result));
      }
      if (c.else_result) {
        NQ_ASSIGN_OR_RETURN(auto el, Bind(*c.else_result, scope));
        if (e->type.id == TypeId::kNull) e->type = el->type;
        e->args.push_back(std::move(el));
        e->has_else = true;
      }
      return e;
    }
    case K::kFunction: return BindFunction(expr.As<sql::FunctionExpr>(), scope);
    case K::kInList: {
      const auto& in = expr.As<sql::InListExpr>();
      auto e = std::make_unique<BoundExpr>(BoundKind::kInList);
      e->negated = in.negated;
      e->type = DataType::Of(TypeId::kBoolean);
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*in.operand, scope));
      e->nocase = operand->nocase;
      e->args.push_back(std::move(operand));
      for (const auto& item : in.list) {
        NQ_ASSIGN_OR_RETURN(auto b, Bind(*item, scope));
        e->args.push_back(std::move(b));
      }
      return e;
    }
    case K::kInSubquery: {
      const auto& in = expr.As<sql::InSubqueryExpr>();
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*in.operand, scope));
      return BindSubquery(*in.query, scope, BoundKind::kInSubquery, in.negated, std::move(operand));
    }
    case K::kInTable: {
      const auto& in = expr.As<sql::InTableExpr>();
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*in.operand, scope));
      // x IN t means x IN (SELECT * FROM t).
      sql::Query q;
      auto core = std::make_unique<sql::SelectCore>();
      sql::SelectItem star;
      star.kind = sql::SelectItemKind::kStar;
      core->items.push_back(std::move(star));
      auto table = std::make_unique<sql::BaseTableRef>();
      table->name = in.table;
      table->pos = in.table.pos;
      core->from.push_back(std::move(table));
      q.body = std::move(core);
      q.pos = in.table.pos;
      return BindSubquery(q, scope, BoundKind::kInSubquery, in.negated, std::move(operand));
    }
    case K::kExists:
      return BindSubquery(*expr.As<sql::ExistsExpr>().query, scope, BoundKind::kExists, false, nullptr);
    case K::kSubquery:
      return BindSubquery(*expr.As<sql::SubqueryExpr>().query, scope, BoundKind::kScalarSubquery, false, nullptr);
    case K::kLike: {
      const auto& l = expr.As<sql::LikeExpr>();
      auto e = std::make_unique<BoundExpr>(BoundKind::kLike);
      e->op = static_cast<uint8_t>(l.op);
      e->negated = l.negated;
      e->type = DataType::Of(TypeId::kBoolean);
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*l.operand, scope));
      NQ_ASSIGN_OR_RETURN(auto pattern, Bind(*l.pattern, scope));
      e->nocase = operand->nocase;
      e->args.push_back(std::move(operand));
      e->args.push_back(std::move(pattern));
      if (l.escape) {
        NQ_ASSIGN_OR_RETURN(auto esc, Bind(*l.escape, scope));
        e->args.push_back(std::move(esc));
      }
      return e;
    }
    case K::kBetween: {
      const auto& b = expr.As<sql::BetweenExpr>();
      auto e = std::make_unique<BoundExpr>(BoundKind::kBetween);
      e->negated = b.negated;
      e->type = DataType::Of(TypeId::kBoolean);
      for (const sql::Expr* part : {b.operand.get(), b.low.get(), b.high.get()}) {
        NQ_ASSIGN_OR_RETURN(auto x, Bind(*part, scope));
        e->nocase = e->nocase || x->nocase;
        e->args.push_back(std::move(x));
      }
      return e;
    }
    case K::kIsNull: {
      const auto& n = expr.As<sql::IsNullExpr>();
      auto e = std::make_unique<BoundExpr>(BoundKind::kIsNull);
      e->negated = n.negated;
      e->type = DataType::Of(TypeId::kBoolean);
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*n.operand, scope));
      e->args.push_back(std::move(operand));
      return e;
    }
    case K::kIsDistinct: {
      const auto& d = expr.As<sql::IsDistinctExpr>();
      NQ_ASSIGN_OR_RETURN(auto l, Bind(*d.left, scope));
      NQ_ASSIGN_OR_RETURN(auto r, Bind(*d.right, scope));
      auto e = MakeBinary(BoundKind::kIsDistinct, 0, std::move(l), std::move(r));
      e->negated = d.negated;
      e->type = DataType::Of(TypeId::kBoolean);
      return e;
    }
    case K::kCollate: {
      const auto& c = expr.As<sql::CollateExpr>();
      if (c.collation != "nocase" && c.collation != "binary") {
        return BindError("42704", c.pos, fmt::format("collation \"{}\" does not exist", c.collation));
      }
      NQ_ASSIGN_OR_RETURN(auto operand, Bind(*c.operand, scope));
      operand->nocase = c.collation == "nocase";
      return operand;
    }
  }
  return Status::Internal("unknown expression kind");
}

namespace {

// Whether a bound expression can be computed before the scan reads a row:
// no columns of this level, no subqueries.
bool RowIndependent(const BoundExpr& e) {
  if (e.kind == BoundKind::kColumn || e.subplan) return false;
  if (e.kind == BoundKind::kFunction && !e.function->deterministic) return false;
  for (const auto& a : e.args) {
    if (!RowIndependent(*a)) return false;
  }
  return true;
}

BoundExprPtr Clone(const BoundExpr& e) {
  auto c = std::make_unique<BoundExpr>(e.kind);
  c->type = e.type;
  c->constant = e.constant;
  c->index = e.index;
  c->levels = e.levels;
  c->op = e.op;
  c->negated = e.negated;
  c->nocase = e.nocase;
  c->has_else = e.has_else;
  c->has_operand = e.has_operand;
  c->function = e.function;
  c->cast_type = e.cast_type;
  c->subplan = e.subplan;
  for (const auto& a : e.args) c->args.push_back(Clone(*a));
  return c;
}

// A conjunct that bounds one column: col = v, col IN (v...), col < v, ...
// For col IN (uncorrelated subquery) `values` holds the IN expression,
// which stands for the subquery's values (ScanBounds).
struct ColumnPredicate {
  int column;
  enum { kEqual, kLower, kUpper } what;
  bool inclusive = true;
  std::vector<const BoundExpr*> values;
  bool subquery = false;
  // Values the equality allows: a subquery's are not known yet.
  size_t Width() const { return subquery ? SIZE_MAX : values.size(); }
};

// `in_subqueries`: also col IN (uncorrelated subquery).
void CollectPredicates(const BoundExpr& c, std::vector<ColumnPredicate>* out, bool in_subqueries) {
  auto is_col = [](const BoundExpr& e) { return e.kind == BoundKind::kColumn && !e.nocase; };
  if (c.kind == BoundKind::kCompare && !c.nocase) {
    const BoundExpr* col = c.args[0].get();
    const BoundExpr* val = c.args[1].get();
    auto op = static_cast<CompareOp>(c.op);
    if (!is_col(*col)) {
      std::swap(col, val);
      op = MirrorCompare(op);  // v < col is col > v
    }
    if (!is_col(*col) || !RowIndependent(*val)) return;
    switch (op) {
      case CompareOp::kEq: out->push_back({col->index, ColumnPredicate::kEqual, true, {val}}); break;
      case CompareOp::kGt: out->push_back({col->index, ColumnPredicate::kLower, false, {val}}); break;
      case CompareOp::kGe: out->push_back({col->index, ColumnPredicate::kLower, true, {val}}); break;
      case CompareOp::kLt: out->push_back({col->index, ColumnPredicate::kUpper, false, {val}}); break;
      case CompareOp::kLe: out->push_back({col->index, ColumnPredicate::kUpper, true, {val}}); break;
      default: break;
    }
  } else if (c.kind == BoundKind::kInList && !c.negated && !c.nocase && is_col(*c.args[0]) && c.args.size() > 1) {
    ColumnPredicate p{c.args[0]->index, ColumnPredicate::kEqual, true, {}};
    for (size_t i = 1; i < c.args.size(); ++i) {
      if (!RowIndependent(*c.args[i])) return;
      p.values.push_back(c.args[i].get());
    }
    out->push_back(std::move(p));
  } else if (in_subqueries && c.kind == BoundKind::kInSubquery && !c.negated && !c.nocase && is_col(*c.args[0]) &&
             !c.subplan->correlated) {
    out->push_back({c.args[0]->index, ColumnPredicate::kEqual, true, {&c}, true});
  } else if (c.kind == BoundKind::kBetween && !c.negated && !c.nocase && is_col(*c.args[0]) &&
             RowIndependent(*c.args[1]) && RowIndependent(*c.args[2])) {
    out->push_back({c.args[0]->index, ColumnPredicate::kLower, true, {c.args[1].get()}});
    out->push_back({c.args[0]->index, ColumnPredicate::kUpper, true, {c.args[2].get()}});
  }
}

// Bounds on a key over `columns` (ascending only) from the predicates;
// null when none applies. `score` ranks them.
std::shared_ptr<ScanBounds> BoundsFor(const TableInfo& table, const std::vector<int>& columns,
                                      const std::vector<bool>* descending,
                                      const std::vector<ColumnPredicate>& preds, int* score) {
  auto bounds = std::make_shared<ScanBounds>();
  *score = 0;
  size_t i = 0;
  for (; i < columns.size(); ++i) {
    if (descending && (*descending)[i]) return bounds->equal.empty() ? nullptr : bounds;
    const ColumnPredicate* eq = nullptr;
    for (const auto& p : preds) {
      if (p.column == columns[i] && p.what == ColumnPredicate::kEqual && (!eq || p.Width() < eq->Width())) {
        eq = &p;
      }
    }
    if (!eq) break;
    std::vector<BoundExprPtr> values;
    for (const BoundExpr* v : eq->values) values.push_back(Clone(*v));
    bounds->equal.push_back(std::move(values));
    bounds->types.push_back(table.columns[columns[i]].type);
    *score += 4;
  }
  if (i < columns.size() && !(descending && (*descending)[i])) {
    for (const auto& p : preds) {
      if (p.column != columns[i]) continue;
      if (p.what == ColumnPredicate::kLower && !bounds->lower) {
        bounds->lower = Clone(*p.values[0]);
        bounds->lower_inclusive = p.inclusive;
        *score += 1;
      } else if (p.what == ColumnPredicate::kUpper && !bounds->upper) {
        bounds->upper = Clone(*p.values[0]);
        bounds->upper_inclusive = p.inclusive;
        *score += 1;
      }
    }
    if (bounds->lower || bounds->upper) bounds->types.push_back(table.columns[columns[i]].type);
  }
  if (*score == 0) return nullptr;
  return bounds;
}

}  // namespace

namespace {

// A key to scan by: the primary key (no index) or an index, with its
// bounds; no bounds when none applies.
struct KeyChoice {
  std::shared_ptr<ScanBounds> bounds;
  std::shared_ptr<const IndexInfo> index;
};

// The key whose bounds from `preds` score best among those `usable`
// accepts (given the bounds and the key's columns). The primary key reads
// rows directly: it wins ties.
KeyChoice ChooseKey(const TableInfo& table, const std::vector<ColumnPredicate>& preds,
                    const std::function<bool(const ScanBounds&, const std::vector<int>&)>& usable) {
  KeyChoice best;
  int best_score = 0;
  if (!table.primary_key.empty()) {
    int score = 0;
    auto b = BoundsFor(table, table.primary_key, nullptr, preds, &score);
    if (b && usable(*b, table.primary_key) && score * 2 + 1 > best_score) {
      best.bounds = std::move(b);
      best_score = score * 2 + 1;
    }
  }
  for (const auto& index : table.indexes) {
    int score = 0;
    auto b = BoundsFor(table, index->columns, &index->descending, preds, &score);
    if (b && usable(*b, index->columns) && score * 2 > best_score) {
      best.bounds = std::move(b);
      best.index = index;
      best_score = score * 2;
    }
  }
  return best;
}

}  // namespace

Result<OperatorPtr> Binder::AccessPath(const TableInfo& table, std::vector<BoundExprPtr>* conjuncts,
                                       bool with_key, ColumnMask needed) {
  std::vector<ColumnPredicate> preds;
  for (const auto& c : *conjuncts) CollectPredicates(*c, &preds, rewrites_);
  KeyChoice choice;
  if (!preds.empty()) choice = ChooseKey(table, preds, [](const ScanBounds&, const std::vector<int>&) { return true; });
  std::shared_ptr<ScanBounds> best = std::move(choice.bounds);
  std::shared_ptr<const IndexInfo> best_index = std::move(choice.index);
  OperatorPtr op = best_index ? MakeIndexScan(SharedTable(&table), best_index, best, with_key, needed)
                              : MakeTableScan(SharedTable(&table), best, with_key, needed);
  // Estimates: the filter keeps the rows all conjuncts accept; a bounded
  // scan reads those that the conjuncts on its bounded key columns accept.
  const double rows = EstimateTableRows(table);
  double kept = rows;
  double read = rows;
  std::vector<int> bounded;
  if (best) {
    const std::vector<int>& key = best_index ? best_index->columns : table.primary_key;
    const size_t used = best->equal.size() + (best->lower || best->upper ? 1 : 0);
    bounded.assign(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(std::min(used, key.size())));
  }
  const std::vector<double> selectivities = EstimateConjuncts(*conjuncts, table.stats.get());
  for (size_t i = 0; i < conjuncts->size(); ++i) {
    const BoundExprPtr& c = (*conjuncts)[i];
    const double selectivity = selectivities[i];
    kept *= selectivity;
    std::vector<ColumnPredicate> on_key;
    CollectPredicates(*c, &on_key, rewrites_);
    const bool narrows = std::any_of(on_key.begin(), on_key.end(), [&](const ColumnPredicate& p) {
      return std::find(bounded.begin(), bounded.end(), p.column) != bounded.end();
    });
    if (narrows) read *= selectivity;
  }
  op->set_estimated_rows(read);
  // Bounds narrow the rows read; every conjunct is still checked on them.
  if (!conjuncts->empty()) {
    op = MakeFilter(std::move(op), CombineConjuncts(std::move(*conjuncts)));
    op->set_estimated_rows(kept);
  }
  conjuncts->clear();
  return op;
}

Result<OperatorPtr> Binder::LookupPath(const TableInfo& table, std::vector<BoundExprPtr>* conjuncts,
                                       ColumnMask needed, const std::vector<ProbeKey>& probe, double rows) {
  // The probe keys first: they win ties with the table's own equalities.
  std::vector<ColumnPredicate> preds;
  for (const ProbeKey& k : probe) preds.push_back({k.column, ColumnPredicate::kEqual, true, {k.value.get()}});
  for (const auto& c : *conjuncts) CollectPredicates(*c, &preds, rewrites_);
  // Only a key whose bounded prefix seeks a probe key will do.
  auto probes = [&](const ScanBounds& b, const std::vector<int>& key) {
    for (size_t i = 0; i < b.equal.size(); ++i) {
      for (const ProbeKey& k : probe) {
        if (key[i] == k.column && b.equal[i].size() == 1 && b.equal[i][0]->kind == BoundKind::kColumn) return true;
      }
    }
    return false;
  };
  KeyChoice choice = ChooseKey(table, preds, probes);
  if (!choice.bounds) return OperatorPtr();
  OperatorPtr op = choice.index
                       ? MakeIndexScan(SharedTable(&table), choice.index, choice.bounds, false, std::move(needed))
                       : MakeTableScan(SharedTable(&table), choice.bounds, false, std::move(needed));
  double read = rows;
  for (double selectivity : EstimateConjuncts(*conjuncts, table.stats.get())) read /= std::max(selectivity, 1e-9);
  op->set_estimated_rows(std::max(read, 1.0));
  if (!conjuncts->empty()) {
    op = MakeFilter(std::move(op), CombineConjuncts(std::move(*conjuncts)));
    op->set_estimated_rows(rows);
  }
  conjuncts->clear();
  return op;
}

Result<Binder::From> Binder::BindFromItem(const sql::TableRef& ref, Scope* parent, Scope* scope) {
  switch (ref.kind) {
    case sql::TableRefKind::kTable: {
      const auto& t = ref.As<sql::BaseTableRef>();
      std::string alias = t.alias.empty() ? t.name.name : t.alias;
      for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
        auto found = it->find(t.name.name);
        if (found == it->end()) continue;
        const sql::CommonTableExpr& cte = *found->second;
        auto self = std::find_if(defining_.rbegin(), defining_.rend(),
                                 [&](const CteDefinition& d) { return d.cte == &cte; });
        if (self != defining_.rend()) {
          // A reference from inside the query's own definition.
          if (!self->working) {
            return BindError("42P19", t.pos, fmt::format("recursive reference to query \"{}\" must not appear "
                                                         "within its non-recursive term (the first part of its "
                                                         "UNION)", cte.name));
          }
          if (self->level != scope->level) {
            return BindError("42P19", t.pos, fmt::format("recursive reference to query \"{}\" must not appear "
                                                         "within a subquery", cte.name));
          }
          if (self->used) {
            return BindError("42P19", t.pos, fmt::format("recursive reference to query \"{}\" must not appear "
                                                         "more than once", cte.name));
          }
          self->used = true;
          for (size_t i = 0; i < self->names.size(); ++i) scope->columns.push_back({alias, self->names[i], self->types[i]});
          return From{MakeWorkingTableScan(self->working, cte.name), self->names.size()};
        }
        CteDefinition definition;
        definition.cte = &cte;
        defining_.push_back(std::move(definition));
        auto bound = BindQueryIn(*cte.query, parent, scope->level);
        defining_.pop_back();
        NQ_ASSIGN_OR_RETURN(BoundQuery q, std::move(bound));
        if (!cte.columns.empty() && cte.columns.size() != q.names.size()) {
          return BindError("42P10", cte.pos, fmt::format("WITH query \"{}\" has {} columns available but {} "
                                                         "columns specified", cte.name, q.names.size(),
                                                         cte.columns.size()));
        }
        for (size_t i = 0; i < q.names.size(); ++i) {
          scope->columns.push_back({alias, cte.columns.empty() ? q.names[i] : cte.columns[i], q.types[i]});
        }
        return From{std::move(q.root), q.names.size()};
      }
      if (const TableInfo* table = catalog_->FindTable(t.name.name)) {
        auto usage = std::make_shared<std::vector<bool>>(table->columns.size(), false);
        for (size_t i = 0; i < table->columns.size(); ++i) {
          const auto& c = table->columns[i];
          scope->columns.push_back({alias, c.name, c.type, c.nocase, false, usage, static_cast<int>(i), table});
        }
        // The scan is chosen once the WHERE conjuncts are known.
        return From{nullptr, table->columns.size(), std::move(usage)};
      }
      if (const ViewInfo* view = catalog_->FindView(t.name.name)) {
        if (view_depth_ > 32) return BindError("42P17", t.pos, "views nest too deeply");
        ++view_depth_;
        auto q = BindQueryIn(view->query(), nullptr, scope->level);
        --view_depth_;
        if (!q.ok()) return q.status();
        for (size_t i = 0; i < q->names.size(); ++i) {
          std::string name = i < view->columns.size() ? view->columns[i] : q->names[i];
          scope->columns.push_back({alias, name, q->types[i]});
        }
        return From{std::move(q->root), q->names.size()};
      }
      return BindError("42P01", t.name.pos, fmt::format("relation \"{}\" does not exist", t.name.name));
    }
    case sql::TableRefKind::kSubquery: {
      const auto& s = ref.As<sql::SubqueryTableRef>();
      NQ_ASSIGN_OR_RETURN(BoundQuery q, BindQueryIn(*s.query, parent, scope->level));
      for (size_t i = 0; i < q.names.size(); ++i) scope->columns.push_back({s.alias, q.names[i], q.types[i]});
      return From{std::move(q.root), q.names.size()};
    }
    case sql::TableRefKind::kJoin: {
      const auto& j = ref.As<sql::JoinTableRef>();
      Scope join_scope(parent, scope->level);
      // Bind each side as a one-item FROM list so base tables get scans.
      std::vector<BoundExprPtr> unused;
      auto bind_side = [&](const sql::TableRef& side) -> Result<From> {
        NQ_ASSIGN_OR_RETURN(From f, BindFromItem(side, parent, &join_scope));
        if (!f.op) {
          const auto& bt = side.As<sql::BaseTableRef>();
          NQ_ASSIGN_OR_RETURN(f.op, AccessPath(*catalog_->FindTable(bt.name.name), &unused, false, f.usage));
        }
        return f;
      };
      NQ_ASSIGN_OR_RETURN(From l, bind_side(*j.left));
      size_t lw = l.width;
      NQ_ASSIGN_OR_RETURN(From r, bind_side(*j.right));
      std::vector<BoundExprPtr> conds;
      std::vector<std::string> using_cols = j.using_columns;
      if (j.natural) {
        for (size_t i = lw; i < join_scope.columns.size(); ++i) {
          for (size_t k = 0; k < lw; ++k) {
            if (!join_scope.columns[k].hidden && join_scope.columns[k].name == join_scope.columns[i].name) {
              using_cols.push_back(join_scope.columns[i].name);
              break;
            }
          }
        }
      }
      for (const auto& name : using_cols) {
        int li = -1, ri = -1;
        for (size_t k = 0; k < join_scope.columns.size(); ++k) {
          if (join_scope.columns[k].name != name || join_scope.columns[k].hidden) continue;
          (k < lw ? li : ri) = static_cast<int>(k);
        }
        if (li < 0 || ri < 0) {
          return BindError("42703", j.pos, fmt::format("column \"{}\" specified in USING clause does not exist "
                                                       "in both tables", name));
        }
        join_scope.columns[ri].hidden = true;
        MarkUsed(join_scope.columns[li]);
        MarkUsed(join_scope.columns[ri]);
        auto eq = MakeBinary(BoundKind::kCompare, static_cast<uint8_t>(CompareOp::kEq),
                             MakeColumn(li, join_scope.columns[li].type), MakeColumn(ri, join_scope.columns[ri].type));
        eq->type = DataType::Of(TypeId::kBoolean);
        conds.push_back(std::move(eq));
      }
      if (j.on) {
        NQ_ASSIGN_OR_RETURN(auto on, Bind(*j.on, &join_scope));
        SplitConjuncts(std::move(on), &conds);
      }
      JoinKind kind = JoinKind::kInner;
      if (j.type == sql::JoinType::kLeft) kind = JoinKind::kLeft;
      if (j.type == sql::JoinType::kRight) kind = JoinKind::kRight;
      if (j.type == sql::JoinType::kFull) kind = JoinKind::kFull;
      auto keys = EqualKeys(conds, static_cast<int>(lw));
      // Estimate: the matching pairs (default selectivities), plus the
      // unmatched rows an outer join keeps (at least its preserved side).
      const double left_rows = std::max(l.op->estimated_rows(), 1.0);
      const double right_rows = std::max(r.op->estimated_rows(), 1.0);
      double rows = left_rows * right_rows;
      for (const auto& c : conds) rows *= EstimateSelectivity(*c, nullptr);
      if (kind == JoinKind::kLeft || kind == JoinKind::kFull) rows = std::max(rows, left_rows);
      if (kind == JoinKind::kRight || kind == JoinKind::kFull) rows = std::max(rows, right_rows);
      OperatorPtr op = MakeJoin(std::move(l.op), std::move(r.op), lw, r.width, kind,
                                CombineConjuncts(std::move(conds)), std::move(keys));
      op->set_estimated_rows(rows);
      for (auto& c : join_scope.columns) scope->columns.push_back(std::move(c));
      return From{std::move(op), lw + r.width};
    }
  }
  return Status::Internal("unknown table reference");
}

namespace {

// Column positions of this level a bound expression reads.
void ColumnsOf(const BoundExpr& e, std::vector<int>* out) {
  if (e.kind == BoundKind::kColumn) out->push_back(e.index);
  for (const auto& a : e.args) ColumnsOf(*a, out);
}

// Whether an expression gives the same answer each time it is computed
// over the same row: no subqueries, no RANDOM().
bool Repeatable(const BoundExpr& e) {
  if (e.subplan || (e.function != nullptr && !e.function->deterministic)) return false;
  return std::all_of(e.args.begin(), e.args.end(), [](const BoundExprPtr& a) { return Repeatable(*a); });
}

// The operands of a tree of `kind` (kAnd or kOr) nodes.
void Flatten(const BoundExpr& e, BoundKind kind, std::vector<const BoundExpr*>* out) {
  if (e.kind != kind) {
    out->push_back(&e);
    return;
  }
  for (const auto& a : e.args) Flatten(*a, kind, out);
}

// Kinds whose `=` is transitive among each other: integers with decimals
// (compared exactly), doubles, text under binary collation, each date or
// time kind, booleans; 0 for the rest (text against a number reads the
// text as a number, so '1' = 1 and 1 = '1.0' but '1' <> '1.0').
int TransitiveFamily(const DataType& t) {
  if (t.is_integer() || t.id == TypeId::kNumeric) return 1;
  if (t.is_floating()) return 2;
  if (t.is_string()) return 3;
  if (t.id == TypeId::kBoolean) return 4;
  if (t.is_temporal()) return 10 + static_cast<int>(t.id);
  return 0;
}

// Implied equalities: `a = b` and `b = c` between columns of three FROM
// items imply `a = c`, which lets the join order join a's item to c's
// directly (through an index on c, say) instead of only through b's.
// Appends the missing equalities and numbers each equality of a class of
// such columns in *classes (one entry per conjunct; -1 for the others),
// so that the estimates count each class's filtering once per item it
// adds (JoinGraph::Predicate::equal_class). A class with two columns of
// one item is left alone.
void AddImpliedEqualities(std::vector<BoundExprPtr>* conjuncts, const std::vector<int>& item_of,
                          std::vector<int>* classes) {
  std::map<int, int> parent;  // union-find over column positions
  std::map<int, DataType> types;
  auto find = [&](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  auto equality = [&](const BoundExpr& c, const BoundExpr** a, const BoundExpr** b) {
    if (c.kind != BoundKind::kCompare || static_cast<CompareOp>(c.op) != CompareOp::kEq || c.nocase) return false;
    *a = c.args[0].get();
    *b = c.args[1].get();
    return (*a)->kind == BoundKind::kColumn && (*b)->kind == BoundKind::kColumn &&
           item_of[static_cast<size_t>((*a)->index)] != item_of[static_cast<size_t>((*b)->index)] &&
           TransitiveFamily((*a)->type) != 0 && TransitiveFamily((*a)->type) == TransitiveFamily((*b)->type);
  };
  std::set<std::pair<int, int>> present;
  for (const auto& c : *conjuncts) {
    const BoundExpr *a, *b;
    if (!equality(*c, &a, &b)) continue;
    for (const BoundExpr* x : {a, b}) {
      parent.try_emplace(x->index, x->index);
      types.try_emplace(x->index, x->type);
    }
    parent[find(a->index)] = find(b->index);
    present.insert(std::minmax(a->index, b->index));
  }
  // The classes, with their columns in order; a class is usable when its
  // columns lie in different items.
  std::map<int, std::vector<int>> members;
  for (const auto& [column, unused] : parent) members[find(column)].push_back(column);
  std::map<int, int> class_of_root;
  for (const auto& [root, columns] : members) {
    std::set<int> items;
    for (int column : columns) items.insert(item_of[static_cast<size_t>(column)]);
    if (items.size() != columns.size()) continue;
    const int id = static_cast<int>(class_of_root.size());
    class_of_root[root] = id;
    for (size_t i = 0; i < columns.size(); ++i) {
      for (size_t j = i + 1; j < columns.size(); ++j) {
        if (present.count({columns[i], columns[j]}) != 0) continue;
        conjuncts->push_back(MakeBinary(BoundKind::kCompare, static_cast<uint8_t>(CompareOp::kEq),
                                        MakeColumn(columns[i], types[columns[i]]),
                                        MakeColumn(columns[j], types[columns[j]])));
        conjuncts->back()->type = DataType::Of(TypeId::kBoolean);
      }
    }
  }
  classes->assign(conjuncts->size(), -1);
  for (size_t i = 0; i < conjuncts->size(); ++i) {
    const BoundExpr *a, *b;
    if (!equality(*(*conjuncts)[i], &a, &b)) continue;
    if (auto it = class_of_root.find(find(a->index)); it != class_of_root.end()) (*classes)[i] = it->second;
  }
}

// Implied restrictions: an OR over several FROM items whose every branch
// has conditions on one item alone implies the OR of those conditions,
// which filters that item's scan before any join (PostgreSQL extracts the
// same). In TPC-H Q19 each branch names a brand, containers and sizes of
// the part: their OR narrows 20,000 parts to a few dozen. The OR itself
// stays, so the rows kept are the same; the implied conjuncts are appended.
void AddImpliedRestrictions(std::vector<BoundExprPtr>* conjuncts, const std::vector<int>& item_of,
                            size_t item_count) {
  const size_t original = conjuncts->size();
  for (size_t ci = 0; ci < original; ++ci) {
    const BoundExpr& c = *(*conjuncts)[ci];
    if (c.kind != BoundKind::kOr) continue;
    std::vector<int> read;
    ColumnsOf(c, &read);
    uint64_t items = 0;
    for (int column : read) items |= uint64_t{1} << item_of[static_cast<size_t>(column)];
    if (std::popcount(items) < 2) continue;  // already one item's condition
    std::vector<const BoundExpr*> branches;
    Flatten(c, BoundKind::kOr, &branches);
    for (size_t item = 0; item < item_count; ++item) {
      if ((items >> item & 1) == 0) continue;
      BoundExprPtr implied;
      for (const BoundExpr* branch : branches) {
        std::vector<const BoundExpr*> parts;
        Flatten(*branch, BoundKind::kAnd, &parts);
        std::vector<BoundExprPtr> own;
        for (const BoundExpr* part : parts) {
          std::vector<int> columns;
          ColumnsOf(*part, &columns);
          const bool only_this = !columns.empty() && std::all_of(columns.begin(), columns.end(), [&](int column) {
            return item_of[static_cast<size_t>(column)] == static_cast<int>(item);
          });
          if (only_this && Repeatable(*part)) own.push_back(Clone(*part));
        }
        if (own.empty()) {
          implied.reset();  // a branch that says nothing of this item
          break;
        }
        BoundExprPtr mine = CombineConjuncts(std::move(own));
        if (implied) {
          implied = MakeBinary(BoundKind::kOr, 0, std::move(implied), std::move(mine));
          implied->type = DataType::Of(TypeId::kBoolean);
        } else {
          implied = std::move(mine);
        }
      }
      if (implied) conjuncts->push_back(std::move(implied));
    }
  }
}

void RemapColumns(BoundExpr* e, const std::vector<int>& position) {
  if (e->kind == BoundKind::kColumn) e->index = position[static_cast<size_t>(e->index)];
  for (auto& a : e->args) RemapColumns(a.get(), position);
}

// The rows an operator's scan reads: the largest estimate down its first
// children (a filter over a scan reads what the scan reads).
double ReadEstimate(const Operator& op) {
  double read = op.estimated_rows();
  for (const Operator* o = &op; !o->children().empty();) {
    o = o->children()[0];
    read = std::max(read, o->estimated_rows());
  }
  return read;
}

// Distinct values PostgreSQL assumes for a column it knows nothing about.
constexpr double kDefaultDistinct = 200;

// Distinct values of a GROUP BY key: a base table column's from its
// statistics, anything else the default; at most `rows`.
double KeyDistinct(const BoundExpr& key, const Scope& scope, double rows) {
  double distinct = kDefaultDistinct;
  if (key.kind == BoundKind::kColumn && key.index >= 0 && static_cast<size_t>(key.index) < scope.columns.size()) {
    const ScopeColumn& c = scope.columns[static_cast<size_t>(key.index)];
    if (c.table_info != nullptr && c.table_info->stats) {
      const double d = c.table_info->stats->columns[static_cast<size_t>(c.usage_index)].distinct;
      if (d > 0) distinct = d;
    }
  }
  return std::min(distinct, rows);
}

// column = column between two FROM items: a hash join key.
bool IsEquiJoin(const BoundExpr& e, const std::vector<int>& item_of) {
  if (e.kind != BoundKind::kCompare || static_cast<CompareOp>(e.op) != CompareOp::kEq || e.nocase) return false;
  const BoundExpr& a = *e.args[0];
  const BoundExpr& b = *e.args[1];
  return a.kind == BoundKind::kColumn && b.kind == BoundKind::kColumn && HashCompatible(a.type, b.type) &&
         item_of[static_cast<size_t>(a.index)] != item_of[static_cast<size_t>(b.index)];
}

}  // namespace

Status Binder::CollectFromItems(const sql::TableRef& ref, Scope* parent, Scope* scope, std::vector<FromItem>* items,
                                std::vector<BoundExprPtr>* conditions) {
  if (FlattensIntoFromList(ref)) {
    // Inner joins join like the FROM list: their sides become items and
    // their ON conditions conjuncts, so the planner orders them freely. ON
    // still sees only its own join's columns.
    const auto& j = ref.As<sql::JoinTableRef>();
    const size_t start = scope->columns.size();
    NQ_RETURN_IF_ERROR(CollectFromItems(*j.left, parent, scope, items, conditions));
    NQ_RETURN_IF_ERROR(CollectFromItems(*j.right, parent, scope, items, conditions));
    if (j.on) {
      // Columns keep their positions (a subquery in ON reads them as outer
      // columns at those positions); those before the join are out of
      // reach.
      Scope join_scope(parent, scope->level);
      join_scope.columns = scope->columns;
      for (size_t i = 0; i < start; ++i) join_scope.columns[i].unreachable = true;
      NQ_ASSIGN_OR_RETURN(auto on, Bind(*j.on, &join_scope));
      SplitConjuncts(std::move(on), conditions);
    }
    return Status::OK();
  }
  FromItem item;
  item.offset = scope->columns.size();
  NQ_ASSIGN_OR_RETURN(item.from, BindFromItem(ref, parent, scope));
  if (!item.from.op) item.table = catalog_->FindTable(ref.As<sql::BaseTableRef>().name.name);
  items->push_back(std::move(item));
  return Status::OK();
}

Result<Binder::From> Binder::BindFromList(const std::vector<sql::TableRefPtr>& from, const sql::Expr* where,
                                          Scope* parent, Scope* scope, std::vector<BoundExprPtr>* leftover,
                                          ExistsKey* key) {
  std::vector<FromItem> items;
  std::vector<BoundExprPtr> conjuncts;
  for (const auto& ref : from) NQ_RETURN_IF_ERROR(CollectFromItems(*ref, parent, scope, &items, &conjuncts));
  if (where) {
    NQ_ASSIGN_OR_RETURN(auto w, Bind(*where, scope));
    SplitConjuncts(std::move(w), &conjuncts);
  }
  if (key) {
    TakeExistsKey(&conjuncts, key);
    // A derived table or outer join could read the enclosing row too.
    for (const FromItem& item : items) key->ok = key->ok && item.table != nullptr;
  }
  if (rewrites_) {
    std::vector<BoundExprPtr> factored;
    for (auto& c : conjuncts) FactorOr(std::move(c), &factored);
    conjuncts = std::move(factored);
  }
  if (items.empty()) {
    std::vector<std::vector<BoundExprPtr>> one_row(1);
    for (auto& c : conjuncts) leftover->push_back(std::move(c));
    return From{MakeValues(std::move(one_row)), 0};
  }
  if (items.size() > kMaxJoinRelations) {
    return Status::InvalidArgument(fmt::format("at most {} tables can be joined in one FROM clause",
                                               kMaxJoinRelations))
        .WithSqlState("54001");
  }
  // The item each column belongs to.
  std::vector<int> item_of(scope->columns.size(), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t k = 0; k < items[i].from.width; ++k) item_of[items[i].offset + k] = static_cast<int>(i);
  }
  if (items.size() > 1 && rewrites_) AddImpliedRestrictions(&conjuncts, item_of, items.size());
  std::vector<int> equal_classes(conjuncts.size(), -1);
  if (items.size() > 2 && rewrites_) AddImpliedEqualities(&conjuncts, item_of, &equal_classes);
  std::vector<JoinConjunct> conj;
  for (size_t ci = 0; ci < conjuncts.size(); ++ci) {
    BoundExprPtr& c = conjuncts[ci];
    JoinConjunct x;
    x.equal_class = equal_classes[ci];
    int lo = INT32_MAX, hi = -1;
    bool sub = false;
    ColumnSpan(*c, &lo, &hi, &sub);
    x.movable = hi >= 0 && (!sub || (rewrites_ && !HasCorrelatedSubquery(*c)));
    std::vector<int> columns;
    ColumnsOf(*c, &columns);
    for (int column : columns) x.items |= uint64_t{1} << item_of[static_cast<size_t>(column)];
    x.expr = std::move(c);
    conj.push_back(std::move(x));
  }
  // Each item gets the conjuncts on its own columns.
  for (size_t i = 0; i < items.size(); ++i) {
    FromItem& item = items[i];
    std::vector<BoundExprPtr> mine;
    for (auto& c : conj) {
      if (c.expr && c.movable && c.items == uint64_t{1} << i) {
        ShiftColumns(c.expr.get(), -static_cast<int>(item.offset));
        mine.push_back(std::move(c.expr));
      }
    }
    if (item.table) {
      if (items.size() > 1) {
        for (const auto& c : mine) item.local.push_back(Clone(*c));
      }
      NQ_ASSIGN_OR_RETURN(item.from.op, AccessPath(*item.table, &mine, false, item.from.usage));
    } else if (!mine.empty()) {
      const double rows = item.from.op->estimated_rows();
      double kept = rows >= 0 ? rows : kDefaultTableRows;
      for (const auto& c : mine) kept *= EstimateSelectivity(*c, nullptr);
      item.from.op = MakeFilter(std::move(item.from.op), CombineConjuncts(std::move(mine)));
      item.from.op->set_estimated_rows(kept);
    }
  }
  From result;
  if (items.size() == 1) {
    result = std::move(items[0].from);
  } else {
    // The join graph: each item with its estimated rows, each conjunct
    // over several items with its selectivity.
    JoinGraph graph;
    for (const FromItem& item : items) {
      const double rows = item.from.op->estimated_rows();
      JoinGraph::Relation relation;
      relation.rows = rows >= 0 ? rows : kDefaultTableRows;
      relation.scan_cost = std::max(ReadEstimate(*item.from.op), 1.0);
      relation.width = static_cast<double>(item.from.width);
      graph.relations.push_back(std::move(relation));
    }
    for (const JoinConjunct& c : conj) {
      if (!c.expr || !c.movable) continue;
      graph.predicates.push_back(
          {c.items, JoinSelectivity(*c.expr, items, item_of), IsEquiJoin(*c.expr, item_of), c.equal_class});
    }
    AddLookups(items, conj, item_of, &graph);
    AddUniqueKeys(items, conj, item_of, &graph);
    std::unique_ptr<JoinTree> tree = reorder_joins_ ? OrderJoins(graph) : JoinsInOrder(graph);
    std::vector<int> columns;  // the tree's row: original column positions
    NQ_ASSIGN_OR_RETURN(result.op, BuildJoinTree(*tree, &items, &conj, &columns));
    result.width = columns.size();
    // Back to the FROM clause's column order, which the rest of the query
    // was bound against.
    bool reordered = false;
    for (size_t i = 0; i < columns.size(); ++i) reordered |= columns[i] != static_cast<int>(i);
    if (reordered) {
      std::vector<int> position(columns.size());
      for (size_t i = 0; i < columns.size(); ++i) position[static_cast<size_t>(columns[i])] = static_cast<int>(i);
      std::vector<BoundExprPtr> exprs;
      for (size_t i = 0; i < columns.size(); ++i) exprs.push_back(MakeColumn(position[i], scope->columns[i].type));
      const double rows = result.op->estimated_rows();
      result.op = MakeProject(std::move(result.op), std::move(exprs));
      result.op->set_estimated_rows(rows);
    }
  }
  for (auto& c : conj) {
    if (c.expr) leftover->push_back(std::move(c.expr));
  }
  return result;
}

Result<OperatorPtr> Binder::BuildJoinTree(const JoinTree& tree, std::vector<FromItem>* items,
                                          std::vector<JoinConjunct>* conjuncts, std::vector<int>* columns) {
  if (tree.relation >= 0) {
    FromItem& item = (*items)[static_cast<size_t>(tree.relation)];
    for (size_t k = 0; k < item.from.width; ++k) columns->push_back(static_cast<int>(item.offset + k));
    return std::move(item.from.op);
  }
  // Each side's row starts at its own first column.
  std::vector<int> right_columns;
  NQ_ASSIGN_OR_RETURN(OperatorPtr left, BuildJoinTree(*tree.left, items, conjuncts, columns));
  const size_t left_width = columns->size();
  FromItem* looked_up = tree.lookup ? &(*items)[static_cast<size_t>(tree.right->relation)] : nullptr;
  OperatorPtr right;
  if (looked_up != nullptr) {
    // Planned below, once the probe keys are known.
    for (size_t k = 0; k < looked_up->from.width; ++k) right_columns.push_back(static_cast<int>(looked_up->offset + k));
  } else {
    NQ_ASSIGN_OR_RETURN(right, BuildJoinTree(*tree.right, items, conjuncts, &right_columns));
  }
  columns->insert(columns->end(), right_columns.begin(), right_columns.end());
  // The conjuncts this join completes, over its own row.
  std::vector<int> position(columns->empty() ? 0 : static_cast<size_t>(*std::max_element(columns->begin(),
                                                                                         columns->end())) + 1, -1);
  for (size_t i = 0; i < columns->size(); ++i) position[static_cast<size_t>((*columns)[i])] = static_cast<int>(i);
  std::vector<BoundExprPtr> conds;
  for (auto& c : *conjuncts) {
    if (!c.expr || !c.movable || (c.items & ~tree.relations) != 0) continue;
    RemapColumns(c.expr.get(), position);
    conds.push_back(std::move(c.expr));
  }
  auto keys = EqualKeys(conds, static_cast<int>(left_width));
  const size_t right_width = columns->size() - left_width;
  if (looked_up != nullptr) {
    // The inner table's scan seeks each key column an equality joins to
    // the outer row; the join still checks every condition.
    std::vector<ProbeKey> probe;
    ForEachEqualKey(conds, static_cast<int>(left_width), [&](const BoundExpr& outer, const BoundExpr& inner) {
      probe.push_back({inner.index - static_cast<int>(left_width), MakeColumn(outer.index, outer.type)});
    });
    const double outer_rows = std::max(left->estimated_rows(), 1.0);
    NQ_ASSIGN_OR_RETURN(right, LookupPath(*looked_up->table, &looked_up->local, looked_up->from.usage, probe,
                                          tree.rows / outer_rows));
    if (right) {
      OperatorPtr op = MakeLookupJoin(std::move(left), std::move(right), left_width, right_width,
                                      CombineConjuncts(std::move(conds)));
      op->set_estimated_rows(tree.rows);
      return op;
    }
    right = std::move(looked_up->from.op);  // no index after all: a hash join
  }
  OperatorPtr op = MakeJoin(std::move(left), std::move(right), left_width, right_width, JoinKind::kInner,
                            CombineConjuncts(std::move(conds)), std::move(keys));
  op->set_estimated_rows(tree.rows);
  return op;
}

namespace {

// Whether a key over `table` starts with `column`: the primary key (1), an
// ascending index (2), or none (0).
int LeadingKey(const TableInfo& table, int column) {
  if (!table.primary_key.empty() && table.primary_key[0] == column) return 1;
  for (const auto& index : table.indexes) {
    if (!index->columns.empty() && index->columns[0] == column && !index->descending[0]) return 2;
  }
  return 0;
}

}  // namespace

void Binder::AddLookups(const std::vector<FromItem>& items, const std::vector<JoinConjunct>& conjuncts,
                        const std::vector<int>& item_of, JoinGraph* graph) const {
  for (const JoinConjunct& c : conjuncts) {
    if (!c.expr || !c.movable || !IsEquiJoin(*c.expr, item_of)) continue;
    const double selectivity = JoinSelectivity(*c.expr, items, item_of);
    for (int side = 0; side < 2; ++side) {
      const int column = c.expr->args[static_cast<size_t>(side)]->index;
      const int other = c.expr->args[static_cast<size_t>(1 - side)]->index;
      const size_t i = static_cast<size_t>(item_of[static_cast<size_t>(column)]);
      const FromItem& item = items[i];
      if (item.table == nullptr) continue;
      const int key = LeadingKey(*item.table, column - static_cast<int>(item.offset));
      if (key == 0) continue;
      const double fetched = std::max(EstimateTableRows(*item.table) * selectivity, 1.0);
      const double cost = kLookupSeekCost + fetched * (key == 1 ? kLookupRowCost : kLookupIndexRowCost);
      JoinGraph::Relation& r = graph->relations[i];
      const size_t from = static_cast<size_t>(item_of[static_cast<size_t>(other)]);
      if (r.lookup_from == 0) r.lookup_cost.assign(items.size(), 0);
      if ((r.lookup_from >> from & 1) == 0 || cost < r.lookup_cost[from]) r.lookup_cost[from] = cost;
      r.lookup_from |= uint64_t{1} << from;
    }
  }
}

void Binder::AddUniqueKeys(const std::vector<FromItem>& items, const std::vector<JoinConjunct>& conjuncts,
                           const std::vector<int>& item_of, JoinGraph* graph) const {
  for (size_t i = 0; i < items.size(); ++i) {
    const FromItem& item = items[i];
    if (item.table == nullptr) continue;
    const TableInfo& table = *item.table;
    std::vector<const std::vector<int>*> keys;
    if (!table.primary_key.empty()) keys.push_back(&table.primary_key);
    for (const auto& index : table.indexes) {
      if (index->unique) keys.push_back(&index->columns);
    }
    if (keys.empty()) continue;
    // The relations an equality joins each of this table's columns to.
    std::vector<uint64_t> joined(table.columns.size(), 0);
    for (const JoinConjunct& c : conjuncts) {
      if (!c.expr || !c.movable || !IsEquiJoin(*c.expr, item_of)) continue;
      for (size_t side = 0; side < 2; ++side) {
        const int column = c.expr->args[side]->index - static_cast<int>(item.offset);
        const int other = c.expr->args[1 - side]->index;
        if (column < 0 || static_cast<size_t>(column) >= joined.size() ||
            static_cast<size_t>(item_of[static_cast<size_t>(column) + item.offset]) != i) {
          continue;
        }
        joined[static_cast<size_t>(column)] |= uint64_t{1} << item_of[static_cast<size_t>(other)];
      }
    }
    JoinGraph::Relation& r = graph->relations[i];
    for (const std::vector<int>* key : keys) {
      std::vector<uint64_t> to;
      for (int column : *key) to.push_back(joined[static_cast<size_t>(column)]);
      r.unique_keys.push_back(std::move(to));
    }
    r.base_rows = std::max(EstimateTableRows(table), 1.0);
  }
}

double Binder::DistinctValues(int column, const std::vector<FromItem>& items, const std::vector<int>& item_of) const {
  const FromItem& item = items[static_cast<size_t>(item_of[static_cast<size_t>(column)])];
  const double item_rows = std::max(item.from.op->estimated_rows(), 1.0);
  if (item.table == nullptr) return std::min(kDefaultDistinct, item_rows);
  const int c = column - static_cast<int>(item.offset);
  const TableInfo& table = *item.table;
  const double table_rows = std::max(EstimateTableRows(table), 1.0);
  if (table.stats) {
    const ColumnStats& stats = table.stats->columns[static_cast<size_t>(c)];
    if (stats.distinct > 0) return stats.distinct;
  }
  // A column unique by itself has as many values as rows.
  if (table.primary_key.size() == 1 && table.primary_key[0] == c) return table_rows;
  for (const auto& index : table.indexes) {
    if (index->unique && index->columns.size() == 1 && index->columns[0] == c) return table_rows;
  }
  return std::min(kDefaultDistinct, table_rows);
}

double Binder::JoinSelectivity(const BoundExpr& e, const std::vector<FromItem>& items,
                               const std::vector<int>& item_of) const {
  // a.x = b.y: each value of the side with fewer distinct values finds
  // its match among the other side's (PostgreSQL's eqjoinsel without
  // most-common-value matching).
  if (e.kind == BoundKind::kCompare && static_cast<CompareOp>(e.op) == CompareOp::kEq &&
      e.args[0]->kind == BoundKind::kColumn && e.args[1]->kind == BoundKind::kColumn) {
    const double a = DistinctValues(e.args[0]->index, items, item_of);
    const double b = DistinctValues(e.args[1]->index, items, item_of);
    return 1 / std::max({a, b, 1.0});
  }
  return EstimateSelectivity(e, nullptr);
}

Result<BoundQuery> Binder::BindSelect(const sql::SelectCore& core, Scope* parent, const sql::Query* ordered) {
  // Set for the select of an EXISTS subquery only, not for those below it.
  const bool rows_only = std::exchange(rows_only_, false);
  ExistsKey* const exists_key = std::exchange(exists_key_, nullptr);
  Scope from_scope(parent, current_level_);
  std::vector<BoundExprPtr> leftover;
  NQ_ASSIGN_OR_RETURN(From from,
                      BindFromList(core.from, core.where.get(), parent, &from_scope, &leftover, exists_key));
  OperatorPtr op = std::move(from.op);
  if (!leftover.empty()) {
    for (const auto& c : leftover) ChooseExistsPlans(c.get(), op->estimated_rows());
    op = MakeFilter(std::move(op), CombineConjuncts(std::move(leftover)));
  }
  if (exists_key) {
    // The rows that pass the rest of the WHERE, as their key column.
    BoundQuery q;
    if (!exists_key->ok) return q;
    const double rows = op->estimated_rows();
    q.names.push_back("key");
    q.types.push_back(exists_key->inner->type);
    std::vector<BoundExprPtr> exprs;
    exprs.push_back(std::move(exists_key->inner));
    q.root = MakeProject(std::move(op), std::move(exprs));
    q.root->set_estimated_rows(rows);
    return q;
  }

  bool aggregate = !core.group_by.empty() || core.having;
  for (const auto& item : core.items) {
    if (item.kind == sql::SelectItemKind::kExpr && ContainsAggregate(*item.expr)) aggregate = true;
  }
  if (ordered && ordered->body.get() == &core) {
    for (const auto& o : ordered->order_by) {
      if (ContainsAggregate(*o.expr)) aggregate = true;
    }
  }
  NQ_RETURN_IF_ERROR(CheckWindowClause(core.windows));
  for (const auto& w : core.windows) {
    for (const auto& p : w.spec.partition_by) aggregate = aggregate || ContainsAggregate(*p);
    for (const auto& o : w.spec.order_by) aggregate = aggregate || ContainsAggregate(*o.expr);
  }

  AggState agg;
  Scope agg_scope(parent, from_scope.level);
  std::vector<BoundExprPtr> keys;
  Scope* out = &from_scope;
  if (aggregate) {
    agg.input = &from_scope;
    for (const auto& g : core.group_by) {
      // GROUP BY n names the n-th select item, as in ORDER BY.
      const sql::Expr* key = g.get();
      if (g->kind == sql::ExprKind::kLiteral && g->As<sql::LiteralExpr>().literal == sql::LiteralKind::kInteger) {
        int64_t n = g->As<sql::LiteralExpr>().int_value;
        if (n < 1 || n > static_cast<int64_t>(core.items.size()) ||
            core.items[n - 1].kind != sql::SelectItemKind::kExpr) {
          return BindError("42P10", g->pos, fmt::format("GROUP BY position {} is not in select list", n));
        }
        key = core.items[n - 1].expr.get();
      }
      if (ContainsAggregate(*key)) return BindError("42803", key->pos, "aggregate functions are not allowed in GROUP BY");
      NQ_ASSIGN_OR_RETURN(auto k, Bind(*key, &from_scope));
      agg.key_sql.push_back(sql::ToSql(*key));
      agg.key_column.push_back(k->kind == BoundKind::kColumn ? k->index : -1);
      agg.key_types.push_back(k->type);
      keys.push_back(std::move(k));
    }
    agg_scope.agg = &agg;
    out = &agg_scope;
  }

  // The columns `*` stands for need no decoding when only the number of
  // rows matters (EXISTS) and no grouping or DISTINCT looks at them: they
  // come out NULL unless something else reads them.
  const bool star_unread = rows_only && !aggregate && !core.distinct;
  BoundQuery result;
  std::vector<BoundExprPtr> exprs;
  std::vector<const sql::Expr*> item_ast;
  // Window functions are allowed in the select list and ORDER BY only.
  WindowBinding windows;
  windows.named = &core.windows;
  out->window = &windows;
  for (const auto& item : core.items) {
    if (item.kind == sql::SelectItemKind::kExpr) {
      NQ_ASSIGN_OR_RETURN(auto e, Bind(*item.expr, out));
      result.names.push_back(OutputName(item));
      result.types.push_back(e->type);
      exprs.push_back(std::move(e));
      item_ast.push_back(item.expr.get());
      continue;
    }
    bool any = false;
    for (size_t i = 0; i < from_scope.columns.size(); ++i) {
      const auto& c = from_scope.columns[i];
      if (item.kind == sql::SelectItemKind::kStar ? c.hidden : c.table != item.table) continue;
      any = true;
      sql::ColumnRefExpr ref;
      ref.table = c.table;
      ref.column = c.name;
      ref.pos = item.pos;
      BoundExprPtr e;
      if (aggregate) {
        NQ_ASSIGN_OR_RETURN(e, BindColumn(ref, out));
      } else {
        e = MakeColumn(static_cast<int>(i), c.type, c.nocase);
        if (!star_unread) MarkUsed(c);
      }
      result.names.push_back(c.name);
      result.types.push_back(c.type);
      exprs.push_back(std::move(e));
      item_ast.push_back(nullptr);
    }
    if (!any && item.kind == sql::SelectItemKind::kTableStar) {
      return BindError("42P01", item.pos, fmt::format("missing FROM-clause entry for table \"{}\"", item.table));
    }
    if (!any && !core.from.empty()) return BindError("42601", item.pos, "SELECT * with no columns");
  }
  if (result.names.empty()) return BindError("42601", core.pos, "SELECT * with no tables specified is not valid");
  size_t visible = exprs.size();
  out->window = nullptr;

  BoundExprPtr having;
  if (core.having) {
    NQ_ASSIGN_OR_RETURN(having, Bind(*core.having, out));
  }

  std::vector<SortKey> sort;
  out->window = &windows;
  if (ordered && ordered->body.get() == &core) {
    for (const auto& o : ordered->order_by) {
      int column = -1;
      const sql::Expr& oe = *o.expr;
      if (oe.kind == sql::ExprKind::kLiteral && oe.As<sql::LiteralExpr>().literal == sql::LiteralKind::kInteger) {
        int64_t n = oe.As<sql::LiteralExpr>().int_value;
        if (n < 1 || n > static_cast<int64_t>(visible)) {
          return BindError("42P10", oe.pos, fmt::format("ORDER BY position {} is not in select list", n));
        }
        column = static_cast<int>(n - 1);
      } else if (oe.kind == sql::ExprKind::kColumnRef && oe.As<sql::ColumnRefExpr>().table.empty()) {
        const std::string& name = oe.As<sql::ColumnRefExpr>().column;
        for (size_t i = 0; i < visible; ++i) {
          const auto& item_alias = result.names[i];
          if (item_alias == name && item_ast[i] != nullptr) {
            column = static_cast<int>(i);
            break;
          }
        }
      }
      if (column < 0) {
        std::string text = sql::ToSql(oe);
        for (size_t i = 0; i < visible; ++i) {
          if (item_ast[i] && sql::ToSql(*item_ast[i]) == text) {
            column = static_cast<int>(i);
            break;
          }
        }
      }
      if (column < 0) {
        NQ_ASSIGN_OR_RETURN(auto e, Bind(oe, out));
        column = static_cast<int>(exprs.size());
        exprs.push_back(std::move(e));
      }
      SortKey key;
      key.column = column;
      key.descending = o.direction == sql::SortDirection::kDesc;
      key.nulls_first = o.nulls == sql::NullsOrder::kDefault ? !key.descending : o.nulls == sql::NullsOrder::kFirst;
      sort.push_back(key);
    }
  }

  out->window = nullptr;
  // The Window operator appends its results after the row it reads.
  int window_input = static_cast<int>(aggregate ? keys.size() + agg.calls.size() : from.width);
  if (aggregate) {
    // Groups: one without keys, else the product of the keys' distinct
    // values, at most the input rows.
    const double input_rows = std::max(op->estimated_rows(), 1.0);
    double groups = 1;
    for (const auto& k : keys) groups *= KeyDistinct(*k, from_scope, input_rows);
    op = MakeAggregate(std::move(op), std::move(keys), std::move(agg.calls));
    op->set_estimated_rows(std::min(groups, input_rows));
    if (having) op = MakeFilter(std::move(op), std::move(having));
  } else if (having) {
    return BindError("42803", core.having->pos, "HAVING needs GROUP BY or an aggregate");
  }
  if (!windows.calls.empty()) {
    for (auto& e : exprs) PlaceWindowColumns(e.get(), window_input);
    op = MakeWindow(std::move(op), std::move(windows.calls));
  }
  size_t total = exprs.size();
  op = MakeProject(std::move(op), std::move(exprs));
  if (core.distinct) op = MakeDistinct(std::move(op), visible);
  if (!sort.empty()) {
    // With a LIMIT the sort keeps only the rows it can return (top-N).
    LimitOffset top;
    if (ordered->limit) {
      NQ_ASSIGN_OR_RETURN(top, BindLimitOffset(*ordered, parent));
    }
    op = MakeSort(std::move(op), std::move(sort), std::move(top.limit), std::move(top.offset));
  }
  if (total > visible) {
    std::vector<BoundExprPtr> trim;
    for (size_t i = 0; i < visible; ++i) trim.push_back(MakeColumn(static_cast<int>(i), result.types[i]));
    op = MakeProject(std::move(op), std::move(trim));
  }
  result.root = std::move(op);
  return result;
}

Result<BoundQuery> Binder::BindValues(const sql::ValuesBody& values, Scope* parent) {
  Scope scope(parent, current_level_);
  BoundQuery result;
  result.reads_no_tables = true;
  std::vector<std::vector<BoundExprPtr>> rows;
  rows.reserve(values.rows.size());
  for (const auto& row : values.rows) {
    std::vector<BoundExprPtr> bound;
    bound.reserve(row.size());
    for (const auto& e : row) {
      if (ContainsSubquery(*e)) result.reads_no_tables = false;
      NQ_ASSIGN_OR_RETURN(auto b, Bind(*e, &scope));
      bound.push_back(std::move(b));
    }
    if (!rows.empty() && bound.size() != rows[0].size()) {
      return BindError("42601", values.pos, "VALUES lists must all be the same length");
    }
    rows.push_back(std::move(bound));
  }
  for (size_t i = 0; i < rows[0].size(); ++i) {
    result.names.push_back("column" + std::to_string(i + 1));
    DataType t = rows[0][i]->type;
    for (const auto& r : rows) {
      if (t.id == TypeId::kNull) t = r[i]->type;
    }
    result.types.push_back(t);
  }
  const double count = static_cast<double>(rows.size());
  result.root = MakeValues(std::move(rows));
  result.root->set_estimated_rows(count);
  return result;
}

Result<BoundQuery> Binder::BindBody(const sql::QueryBody& body, Scope* parent, const sql::Query* ordered) {
  switch (body.kind) {
    case sql::QueryBodyKind::kSelect: return BindSelect(body.As<sql::SelectCore>(), parent, ordered);
    case sql::QueryBodyKind::kValues: return BindValues(body.As<sql::ValuesBody>(), parent);
    case sql::QueryBodyKind::kNested: return BindQueryIn(*body.As<sql::NestedBody>().query, parent, current_level_);
    case sql::QueryBodyKind::kSetOp: {
      const auto& s = body.As<sql::SetOpBody>();
      // The UNION at the top of a common table expression being defined
      // may be recursive: its left side is the anchor, and references in
      // its right side read the rows of the previous iteration.
      size_t defining = defining_.size();
      bool may_recur = defining > 0 && s.op == sql::SetOpKind::kUnion && !defining_.back().working &&
                       defining_.back().cte->query->body.get() == &body;
      NQ_ASSIGN_OR_RETURN(BoundQuery l, BindBody(*s.left, parent, nullptr));
      if (may_recur) {
        CteDefinition& d = defining_[defining - 1];
        if (!d.cte->columns.empty() && d.cte->columns.size() != l.names.size()) {
          return BindError("42P10", d.cte->pos, fmt::format("WITH query \"{}\" has {} columns available but {} "
                                                            "columns specified", d.cte->name, l.names.size(),
                                                            d.cte->columns.size()));
        }
        d.working = std::make_shared<WorkingTable>();
        d.level = current_level_;
        d.names = d.cte->columns.empty() ? l.names : d.cte->columns;
        d.types = l.types;
      }
      NQ_ASSIGN_OR_RETURN(BoundQuery r, BindBody(*s.right, parent, nullptr));
      // A side may read a table after the other's rows went out.
      l.reads_no_tables = false;
      if (l.names.size() != r.names.size()) {
        return BindError("42601", s.pos, "each side of a set operation must have the same number of columns");
      }
      if (may_recur && defining_[defining - 1].used) {
        l.root = MakeRecursiveUnion(std::move(l.root), std::move(r.root), defining_[defining - 1].working, s.all,
                                    defining_[defining - 1].cte->name);
        return l;
      }
      SetOp op = s.op == sql::SetOpKind::kUnion ? SetOp::kUnion
                 : s.op == sql::SetOpKind::kIntersect ? SetOp::kIntersect
                                                      : SetOp::kExcept;
      for (size_t i = 0; i < l.types.size(); ++i) {
        if (l.types[i].id == TypeId::kNull) l.types[i] = r.types[i];
      }
      l.root = MakeSetOp(std::move(l.root), std::move(r.root), op, s.all);
      return l;
    }
  }
  return Status::Internal("unknown query body");
}

Result<BoundQuery> Binder::BindQueryIn(const sql::Query& query, Scope* parent, Level* level) {
  Level* saved_level = current_level_;
  current_level_ = level;
  bool pushed_ctes = false;
  if (query.with) {
    // RECURSIVE is optional, as in SQLite: a query that refers to itself
    // in the second part of a UNION is recursive either way.
    PushWith(*query.with);
    pushed_ctes = true;
  }
  auto finish = [&](Result<BoundQuery> r) {
    if (pushed_ctes) ctes_.pop_back();
    current_level_ = saved_level;
    return r;
  };
  auto body = BindBody(*query.body, parent, &query);
  if (!body.ok()) return finish(std::move(body));
  BoundQuery q = std::move(body).value();
  if (query.with || !query.order_by.empty() || query.limit || query.offset) q.reads_no_tables = false;
  if (!query.order_by.empty() && query.body->kind != sql::QueryBodyKind::kSelect) {
    // ORDER BY over a compound result names its output columns.
    Scope out(parent, level);
    for (size_t i = 0; i < q.names.size(); ++i) out.columns.push_back({"", q.names[i], q.types[i]});
    std::vector<BoundExprPtr> exprs;
    for (size_t i = 0; i < q.names.size(); ++i) exprs.push_back(MakeColumn(static_cast<int>(i), q.types[i]));
    std::vector<SortKey> sort;
    for (const auto& o : query.order_by) {
      SortKey key;
      const sql::Expr& oe = *o.expr;
      if (oe.kind == sql::ExprKind::kLiteral && oe.As<sql::LiteralExpr>().literal == sql::LiteralKind::kInteger) {
        int64_t n = oe.As<sql::LiteralExpr>().int_value;
        if (n < 1 || n > static_cast<int64_t>(q.names.size())) {
          return finish(BindError("42P10", oe.pos, fmt::format("ORDER BY position {} is not in select list", n)));
        }
        key.column = static_cast<int>(n - 1);
      } else {
        const sql::Expr* target = &oe;
        sql::ColumnRefExpr unqualified;
        if (oe.kind == sql::ExprKind::kColumnRef) {
          // t.c names output column c of a compound select.
          unqualified.column = oe.As<sql::ColumnRefExpr>().column;
          unqualified.pos = oe.pos;
          target = &unqualified;
        }
        auto e = Bind(*target, &out);
        if (!e.ok()) return finish(e.status());
        key.column = static_cast<int>(exprs.size());
        exprs.push_back(std::move(e).value());
      }
      key.descending = o.direction == sql::SortDirection::kDesc;
      key.nulls_first = o.nulls == sql::NullsOrder::kDefault ? !key.descending : o.nulls == sql::NullsOrder::kFirst;
      sort.push_back(key);
    }
    size_t visible = q.names.size();
    bool extra = exprs.size() > visible;
    if (extra) q.root = MakeProject(std::move(q.root), std::move(exprs));
    // With a LIMIT the sort keeps only the rows it can return (top-N).
    LimitOffset top;
    if (query.limit) {
      auto bound = BindLimitOffset(query, parent);
      if (!bound.ok()) return finish(bound.status());
      top = std::move(bound).value();
    }
    q.root = MakeSort(std::move(q.root), std::move(sort), std::move(top.limit), std::move(top.offset));
    if (extra) {
      std::vector<BoundExprPtr> trim;
      for (size_t i = 0; i < visible; ++i) trim.push_back(MakeColumn(static_cast<int>(i), q.types[i]));
      q.root = MakeProject(std::move(q.root), std::move(trim));
    }
  }
  if (query.limit || query.offset) {
    auto bound = BindLimitOffset(query, parent);
    if (!bound.ok()) return finish(bound.status());
    double rows = q.root->estimated_rows();
    const BoundExpr* limit = bound->limit.get();
    if (rows >= 0 && limit != nullptr && limit->kind == BoundKind::kConstant &&
        limit->constant.kind() == TypeId::kBigInt && limit->constant.integer() >= 0) {
      rows = std::min(rows, static_cast<double>(limit->constant.integer()));
    }
    q.root = MakeLimit(std::move(q.root), std::move(bound->limit), std::move(bound->offset));
    if (rows >= 0) q.root->set_estimated_rows(rows);
  }
  return finish(std::move(q));
}

Result<Binder::LimitOffset> Binder::BindLimitOffset(const sql::Query& query, Scope* parent) {
  // No columns of the query itself: constants, parameters, outer columns.
  Scope none(parent, current_level_);
  LimitOffset out;
  if (query.limit) {
    NQ_ASSIGN_OR_RETURN(out.limit, Bind(*query.limit, &none));
  }
  if (query.offset) {
    NQ_ASSIGN_OR_RETURN(out.offset, Bind(*query.offset, &none));
  }
  return out;
}

Result<BoundQuery> Binder::BindQuery(const sql::Query& query) {
  Level level;
  return BindQueryIn(query, nullptr, &level);
}

Result<BoundExprPtr> Binder::BindTableExpr(const sql::Expr& expr, const TableInfo& table, std::string_view alias,
                                           bool allow_subqueries) {
  return BindRowExpr(expr, table, alias, /*with_excluded=*/false, allow_subqueries);
}

Result<BoundExprPtr> Binder::BindUpsertExpr(const sql::Expr& expr, const TableInfo& table, std::string_view alias) {
  return BindRowExpr(expr, table, alias, /*with_excluded=*/true, /*allow_subqueries=*/true);
}

Result<BoundExprPtr> Binder::BindRowExpr(const sql::Expr& expr, const TableInfo& table, std::string_view alias,
                                         bool with_excluded, bool allow_subqueries) {
  Level level;
  Scope scope(nullptr, &level);
  std::string name(alias.empty() ? std::string_view(table.name) : alias);
  for (const auto& c : table.columns) scope.columns.push_back({name, c.name, c.type, c.nocase});
  if (with_excluded) {
    // The proposed row, reachable only as excluded.c.
    for (const auto& c : table.columns) {
      scope.columns.push_back({"excluded", c.name, c.type, c.nocase});
      scope.columns.back().hidden = true;
    }
  }
  Level* saved = current_level_;
  current_level_ = &level;
  auto e = Bind(expr, &scope);
  current_level_ = saved;
  if (e.ok() && !allow_subqueries) {
    int lo = INT32_MAX, hi = -1;
    bool sub = false;
    ColumnSpan(**e, &lo, &hi, &sub);
    if (sub) return BindError("0A000", expr.pos, "cannot use a subquery here");
  }
  return e;
}

Result<OperatorPtr> Binder::BindTableScan(const TableInfo& table, std::string_view alias, const sql::Expr* where,
                                          bool with_key) {
  std::vector<BoundExprPtr> conjuncts;
  if (where) {
    NQ_ASSIGN_OR_RETURN(auto w, BindTableExpr(*where, table, alias));
    SplitConjuncts(std::move(w), &conjuncts);
  }
  return AccessPath(table, &conjuncts, with_key);
}

void Binder::PushWith(const sql::WithClause& with) {
  ctes_.emplace_back();
  for (const auto& cte : with.ctes) ctes_.back()[cte.name] = &cte;
}

Result<BoundExprPtr> Binder::BindConstantExpr(const sql::Expr& expr) {
  Level level;
  Scope scope(nullptr, &level);
  Level* saved = current_level_;
  current_level_ = &level;
  auto e = Bind(expr, &scope);
  current_level_ = saved;
  return e;
}

}  // namespace neuroquantum::exec
