#include "exec/estimate.h"

#include <algorithm>

#include "exec/catalog.h"

namespace neuroquantum::exec {
namespace {

// PostgreSQL's defaults when nothing better is known.
constexpr double kDefaultEqual = 0.005;
constexpr double kDefaultRange = 1.0 / 3;
constexpr double kDefaultMatch = 0.1;  // LIKE and other pattern matches
constexpr double kDefaultOther = 0.5;

double Clamp(double s) { return std::clamp(s, 0.0, 1.0); }

const ColumnStats* StatsOf(const BoundExpr& e, const TableStats* stats) {
  if (stats == nullptr || e.kind != BoundKind::kColumn || e.index < 0) return nullptr;
  const size_t i = static_cast<size_t>(e.index);
  return i < stats->columns.size() ? &stats->columns[i] : nullptr;
}

const Value* ConstantOf(const BoundExpr& e) { return e.kind == BoundKind::kConstant ? &e.constant : nullptr; }

double CommonSum(const ColumnStats& c) {
  double sum = 0;
  for (double f : c.most_common_fractions) sum += f;
  return sum;
}

// Fraction of rows equal to `v` (null: a value not known before running).
double EqualFraction(const ColumnStats& c, const Value* v) {
  if (v != nullptr && v->is_null()) return 0;
  if (v != nullptr) {
    for (size_t i = 0; i < c.most_common.size(); ++i) {
      if (c.most_common[i].SortCompare(*v) == 0) return c.most_common_fractions[i];
    }
  }
  const double rest = std::max(0.0, 1 - c.null_fraction - CommonSum(c));
  const double others = c.distinct - static_cast<double>(c.most_common.size());
  if (others < 1) return v != nullptr ? 0 : rest;
  return rest / others;
}

std::optional<double> AsNumber(const Value& v) {
  switch (v.kind()) {
    case TypeId::kBigInt: return static_cast<double>(v.integer());
    case TypeId::kDouble: return v.dbl();
    case TypeId::kNumeric: {
      auto d = v.CastTo(DataType::Of(TypeId::kDouble));
      if (d.ok()) return d->dbl();
      return std::nullopt;
    }
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp: return static_cast<double>(v.temporal());
    default: return std::nullopt;
  }
}

// Fraction of the histogram's values below `v`, interpolating inside a
// bucket when the values are numbers (or dates and times).
double HistogramBelow(const std::vector<Value>& bounds, const Value& v) {
  if (v.SortCompare(bounds.front()) <= 0) return 0;
  if (v.SortCompare(bounds.back()) >= 0) return 1;
  size_t i = 0;
  while (i + 2 < bounds.size() && v.SortCompare(bounds[i + 1]) >= 0) ++i;
  double within = 0.5;
  const auto lo = AsNumber(bounds[i]);
  const auto hi = AsNumber(bounds[i + 1]);
  const auto x = AsNumber(v);
  if (lo && hi && x && bounds[i].kind() == v.kind() && *hi > *lo) within = std::clamp((*x - *lo) / (*hi - *lo), 0.0, 1.0);
  return (static_cast<double>(i) + within) / static_cast<double>(bounds.size() - 1);
}

// Fraction of rows below `v` (or at most `v`).
double BelowFraction(const ColumnStats& c, const Value& v, bool inclusive) {
  if (v.is_null()) return 0;
  double sel = 0;
  for (size_t i = 0; i < c.most_common.size(); ++i) {
    const int cmp = c.most_common[i].SortCompare(v);
    if (cmp < 0 || (inclusive && cmp == 0)) sel += c.most_common_fractions[i];
  }
  const double rest = std::max(0.0, 1 - c.null_fraction - CommonSum(c));
  sel += rest * (c.histogram.size() >= 2 ? HistogramBelow(c.histogram, v) : kDefaultRange);
  return Clamp(sel);
}

double CompareSelectivity(const BoundExpr& e, const TableStats* stats) {
  const BoundExpr* col = e.args[0].get();
  const BoundExpr* val = e.args[1].get();
  auto op = static_cast<CompareOp>(e.op);
  if (StatsOf(*col, stats) == nullptr) {
    std::swap(col, val);
    op = MirrorCompare(op);  // a < col is col > a
  }
  const ColumnStats* c = StatsOf(*col, stats);
  const Value* v = ConstantOf(*val);
  const bool equality = op == CompareOp::kEq || op == CompareOp::kNotEq;
  if (c == nullptr || e.nocase) {
    const double eq = kDefaultEqual;
    return op == CompareOp::kEq ? eq : op == CompareOp::kNotEq ? 1 - eq : kDefaultRange;
  }
  if (equality) {
    const double eq = EqualFraction(*c, v);
    return op == CompareOp::kEq ? eq : Clamp(1 - eq - c->null_fraction);
  }
  if (v == nullptr) return kDefaultRange;
  const double non_null = 1 - c->null_fraction;
  switch (op) {
    case CompareOp::kLt: return BelowFraction(*c, *v, false);
    case CompareOp::kLe: return BelowFraction(*c, *v, true);
    case CompareOp::kGt: return Clamp(non_null - BelowFraction(*c, *v, true));
    case CompareOp::kGe: return Clamp(non_null - BelowFraction(*c, *v, false));
    default: return kDefaultRange;
  }
}

}  // namespace

double EstimateSelectivity(const BoundExpr& e, const TableStats* stats) {
  switch (e.kind) {
    case BoundKind::kConstant:
      if (e.constant.is_null()) return 0;
      if (e.constant.kind() == TypeId::kBoolean) return e.constant.boolean() ? 1 : 0;
      return kDefaultOther;
    case BoundKind::kAnd: {
      double s = 1;
      for (const auto& a : e.args) s *= EstimateSelectivity(*a, stats);
      return s;
    }
    case BoundKind::kOr: {
      double s = 0;
      for (const auto& a : e.args) {
        const double t = EstimateSelectivity(*a, stats);
        s = s + t - s * t;
      }
      return s;
    }
    case BoundKind::kNot: return Clamp(1 - EstimateSelectivity(*e.args[0], stats));
    case BoundKind::kCompare: return CompareSelectivity(e, stats);
    case BoundKind::kIsNull: {
      const ColumnStats* c = StatsOf(*e.args[0], stats);
      const double null_fraction = c != nullptr ? c->null_fraction : kDefaultEqual;
      return e.negated ? 1 - null_fraction : null_fraction;
    }
    case BoundKind::kInList: {
      const ColumnStats* c = e.nocase ? nullptr : StatsOf(*e.args[0], stats);
      double s = 0;
      for (size_t i = 1; i < e.args.size(); ++i) {
        s += c != nullptr ? EqualFraction(*c, ConstantOf(*e.args[i])) : kDefaultEqual;
      }
      s = Clamp(s);
      if (!e.negated) return s;
      return Clamp((c != nullptr ? 1 - c->null_fraction : 1) - s);
    }
    case BoundKind::kBetween: {
      const ColumnStats* c = e.nocase ? nullptr : StatsOf(*e.args[0], stats);
      const Value* lo = ConstantOf(*e.args[1]);
      const Value* hi = ConstantOf(*e.args[2]);
      double s = kDefaultRange * kDefaultRange;
      if (c != nullptr && lo != nullptr && hi != nullptr) {
        s = Clamp(BelowFraction(*c, *hi, true) - BelowFraction(*c, *lo, false));
      }
      if (!e.negated) return s;
      return Clamp((c != nullptr ? 1 - c->null_fraction : 1) - s);
    }
    case BoundKind::kLike: return e.negated ? 1 - kDefaultMatch : kDefaultMatch;
    default: return kDefaultOther;
  }
}

std::vector<double> EstimateConjuncts(const std::vector<BoundExprPtr>& conjuncts, const TableStats* stats) {
  std::vector<double> out;
  for (const auto& c : conjuncts) out.push_back(EstimateSelectivity(*c, stats));
  // col > a AND col < b keeps the rows between a and b, not the product of
  // the two fractions: the first of the pair takes below(b) - below(a) =
  // s_lower + s_upper - non-NULL fraction, the second 1 (PostgreSQL's
  // range pairs), for columns with a histogram. Bounds that cross keep
  // (almost) nothing; a small negative difference is estimation noise
  // around a narrow range, taken as kDefaultEqual.
  auto bound_of = [&](const BoundExpr& e, int* column, bool* lower) {
    if (e.kind != BoundKind::kCompare || e.nocase) return false;
    auto op = static_cast<CompareOp>(e.op);
    const BoundExpr* col = e.args[0].get();
    const BoundExpr* val = e.args[1].get();
    if (StatsOf(*col, stats) == nullptr) {
      std::swap(col, val);
      op = MirrorCompare(op);
    }
    if (StatsOf(*col, stats) == nullptr || StatsOf(*col, stats)->histogram.size() < 2 || ConstantOf(*val) == nullptr) {
      return false;
    }
    if (op == CompareOp::kEq || op == CompareOp::kNotEq) return false;
    *column = col->index;
    *lower = op == CompareOp::kGt || op == CompareOp::kGe;
    return true;
  };
  std::vector<bool> paired(conjuncts.size(), false);
  for (size_t i = 0; i < conjuncts.size(); ++i) {
    int ci;
    bool lower_i;
    if (paired[i] || !bound_of(*conjuncts[i], &ci, &lower_i)) continue;
    for (size_t j = i + 1; j < conjuncts.size(); ++j) {
      int cj;
      bool lower_j;
      if (paired[j] || !bound_of(*conjuncts[j], &cj, &lower_j) || cj != ci || lower_j == lower_i) continue;
      const ColumnStats& c = stats->columns[static_cast<size_t>(ci)];
      const double between = out[i] + out[j] - (1 - c.null_fraction);
      out[i] = between > 0 ? between : (between < -0.01 ? 1e-10 : kDefaultEqual);
      out[j] = 1;
      paired[i] = paired[j] = true;
      break;
    }
  }
  return out;
}

double EstimateTableRows(const TableInfo& table) {
  return table.stats ? static_cast<double>(table.stats->row_count) : kDefaultTableRows;
}

}  // namespace neuroquantum::exec
