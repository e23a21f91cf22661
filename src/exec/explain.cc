// EXPLAIN's output: the operator tree as indented text or as JSON, with
// each operator's counters under EXPLAIN ANALYZE.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/json_text.h"
#include "exec/plan.h"

namespace neuroquantum::exec {
namespace {

double Milliseconds(std::chrono::nanoseconds time) { return static_cast<double>(time.count()) / 1e6; }

// Rows per loop, as PostgreSQL reports them (the estimate, when there is
// one, is per loop too).
uint64_t RowsPerLoop(const OperatorStats& stats) {
  return stats.loops == 0 ? 0 : (stats.rows + stats.loops / 2) / stats.loops;
}

// Bytes written to spill files, in kB rounded up.
uint64_t SpilledKb(const OperatorStats& stats) { return (stats.spilled_bytes + 1023) / 1024; }

// `x` rounded to a whole number within [low, 1e30] (a cross join's
// estimates can pass any integer type; NaN counts as low).
std::string Whole(double x, double low) {
  if (!(x >= low)) x = low;
  return fmt::format("{:.0f}", std::min(std::round(x), 1e30));
}

// Estimates are whole rows, at least 1 (as PostgreSQL prints them: an
// estimate of 0 would make every product with it 0).
std::string EstimateText(const Operator& op) { return Whole(op.estimated_rows(), 1); }

// Costs are whole units (rows handled), rounded.
std::string CostText(const Operator& op) { return Whole(op.estimated_cost(), 0); }

// A subquery in one of an operator's expressions.
struct SubPlanRef {
  const BoundExpr* expr;  // kExists, kInSubquery or kScalarSubquery
  const Operator* root;
  bool keys = false;  // a hashed EXISTS's key_root
};

void CollectSubPlans(const BoundExpr* e, std::vector<SubPlanRef>* out) {
  if (!e) return;
  if (e->subplan && e->subplan->key_root) out->push_back({e, e->subplan->key_root.get(), true});
  if (e->subplan && e->subplan->root) out->push_back({e, e->subplan->root.get()});
  for (const auto& a : e->args) CollectSubPlans(a.get(), out);
}

std::vector<SubPlanRef> SubPlansOf(const Operator& op) {
  std::vector<SubPlanRef> out;
  for (const BoundExpr* e : op.expressions()) CollectSubPlans(e, &out);
  return out;
}

// "SubPlan (EXISTS, correlated)": what the subquery answers and whether it
// runs again for each row (correlated) or once.
// With `analyze`, a memoized subquery also tells how often it answered
// from memory.
std::string SubPlanTitle(const SubPlanRef& s, bool analyze) {
  std::string_view what = s.expr->kind == BoundKind::kExists        ? "EXISTS"
                          : s.expr->kind == BoundKind::kInSubquery ? "IN"
                                                                   : "scalar";
  const SubPlan& plan = *s.expr->subplan;
  if (s.keys) {
    std::string title = fmt::format("SubPlan ({}, hashed, runs once)", what);
    if (analyze) fmt::format_to(std::back_inserter(title), " (probes={})", plan.key_probes);
    return title;
  }
  std::string title = fmt::format("SubPlan ({}, {}", what, plan.correlated ? "correlated" : "runs once");
  if (plan.memoizable) title += ", memoized";
  // A hashed EXISTS runs its correlated form only for what the hash
  // cannot answer.
  if (plan.key_root) title += ", where the hash cannot answer";
  title += ')';
  if (analyze && plan.key_root) fmt::format_to(std::back_inserter(title), " (rows={})", plan.key_fallbacks);
  if (analyze && plan.memoizable) {
    fmt::format_to(std::back_inserter(title), " (memo hits={} misses={}{})", plan.memo_hits, plan.memo_misses,
                   plan.memo_off ? ", stopped" : "");
  }
  return title;
}

void TextInto(const Operator& op, int depth, bool analyze, std::string* out) {
  out->append(static_cast<size_t>(depth) * 2, ' ');
  out->append(op.Describe());
  if (op.estimated_rows() >= 0) {
    fmt::format_to(std::back_inserter(*out), " (cost={} rows={})", CostText(op), EstimateText(op));
  }
  if (analyze) {
    const OperatorStats& stats = op.stats();
    if (stats.loops == 0) {
      out->append(" (never executed)");
    } else {
      fmt::format_to(std::back_inserter(*out), " (actual rows={} loops={} time={:.3f} ms", RowsPerLoop(stats),
                     stats.loops, Milliseconds(stats.time));
      if (stats.spilled_bytes > 0) fmt::format_to(std::back_inserter(*out), " spilled={} kB", SpilledKb(stats));
      out->push_back(')');
    }
  }
  out->push_back('\n');
  for (const Operator* c : op.children()) TextInto(*c, depth + 1, analyze, out);
  for (const SubPlanRef& sub : SubPlansOf(op)) {
    out->append(static_cast<size_t>(depth + 1) * 2, ' ');
    out->append(SubPlanTitle(sub, analyze));
    out->push_back('\n');
    TextInto(*sub.root, depth + 2, analyze, out);
  }
}

void JsonInto(const Operator& op, bool analyze, std::string* out, const SubPlanRef* as_subplan = nullptr) {
  out->append("{\"Operator\": ");
  AppendJsonString(out, op.Describe());
  if (as_subplan) {
    out->append(", \"Parent Relationship\": \"SubPlan\", \"Subplan Name\": ");
    AppendJsonString(out, SubPlanTitle(*as_subplan, analyze));
  }
  if (op.estimated_rows() >= 0) {
    fmt::format_to(std::back_inserter(*out), ", \"Total Cost\": {}, \"Plan Rows\": {}", CostText(op),
                   EstimateText(op));
  }
  if (analyze) {
    const OperatorStats& stats = op.stats();
    fmt::format_to(std::back_inserter(*out), ", \"Actual Rows\": {}, \"Actual Loops\": {}, \"Actual Total Time\": ",
                   RowsPerLoop(stats), stats.loops);
    AppendJsonDouble(out, Milliseconds(stats.time));
    if (stats.spilled_bytes > 0) fmt::format_to(std::back_inserter(*out), ", \"Spilled kB\": {}", SpilledKb(stats));
  }
  const std::vector<const Operator*> children = op.children();
  const std::vector<SubPlanRef> subplans = SubPlansOf(op);
  if (!children.empty() || !subplans.empty()) {
    out->append(", \"Plans\": [");
    bool first = true;
    for (const Operator* c : children) {
      if (!first) out->append(", ");
      first = false;
      JsonInto(*c, analyze, out);
    }
    for (const SubPlanRef& sub : subplans) {
      if (!first) out->append(", ");
      first = false;
      JsonInto(*sub.root, analyze, out, &sub);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

}  // namespace

std::string ExplainPlan(const Operator& root, bool analyze) {
  std::string out;
  TextInto(root, 0, analyze, &out);
  return out;
}

std::string ExplainPlanJson(const Operator& root, bool analyze) {
  std::string out;
  JsonInto(root, analyze, &out);
  return out;
}

}  // namespace neuroquantum::exec
