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

// Estimates are whole rows, at least 1 (as PostgreSQL prints them: an
// estimate of 0 would make every product with it 0).
uint64_t EstimateText(const Operator& op) {
  return static_cast<uint64_t>(std::max(1.0, std::round(op.estimated_rows())));
}

void TextInto(const Operator& op, int depth, bool analyze, std::string* out) {
  out->append(static_cast<size_t>(depth) * 2, ' ');
  out->append(op.Describe());
  if (op.estimated_rows() >= 0) fmt::format_to(std::back_inserter(*out), " (rows={})", EstimateText(op));
  if (analyze) {
    const OperatorStats& stats = op.stats();
    if (stats.loops == 0) {
      out->append(" (never executed)");
    } else {
      fmt::format_to(std::back_inserter(*out), " (actual rows={} loops={} time={:.3f} ms)", RowsPerLoop(stats),
                     stats.loops, Milliseconds(stats.time));
    }
  }
  out->push_back('\n');
  for (const Operator* c : op.children()) TextInto(*c, depth + 1, analyze, out);
}

void JsonInto(const Operator& op, bool analyze, std::string* out) {
  out->append("{\"Operator\": ");
  AppendJsonString(out, op.Describe());
  if (op.estimated_rows() >= 0) fmt::format_to(std::back_inserter(*out), ", \"Plan Rows\": {}", EstimateText(op));
  if (analyze) {
    const OperatorStats& stats = op.stats();
    fmt::format_to(std::back_inserter(*out), ", \"Actual Rows\": {}, \"Actual Loops\": {}, \"Actual Total Time\": ",
                   RowsPerLoop(stats), stats.loops);
    AppendJsonDouble(out, Milliseconds(stats.time));
  }
  const std::vector<const Operator*> children = op.children();
  if (!children.empty()) {
    out->append(", \"Plans\": [");
    for (size_t i = 0; i < children.size(); ++i) {
      if (i > 0) out->append(", ");
      JsonInto(*children[i], analyze, out);
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
