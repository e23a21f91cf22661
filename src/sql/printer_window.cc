// Canonical text of window syntax (printer.h): `OVER name` or
// `OVER (name PARTITION BY ... ORDER BY ... frame)`, frames always in the
// BETWEEN form and EXCLUDE NO OTHERS left out, and the WINDOW clause.
#include "sql/internal/printer_impl.h"

namespace neuroquantum::sql::internal {

namespace {

void Bound(Printer* p, const FrameBound& bound) {
  switch (bound.kind) {
    case FrameBoundKind::kUnboundedPreceding: p->Put("UNBOUNDED PRECEDING"); return;
    case FrameBoundKind::kUnboundedFollowing: p->Put("UNBOUNDED FOLLOWING"); return;
    case FrameBoundKind::kCurrentRow: p->Put("CURRENT ROW"); return;
    case FrameBoundKind::kPreceding:
    case FrameBoundKind::kFollowing:
      p->Expression(*bound.offset);
      p->Put(bound.kind == FrameBoundKind::kPreceding ? " PRECEDING" : " FOLLOWING");
      return;
  }
}

}  // namespace

void Printer::Over(const WindowSpec& spec) {
  Put(" OVER ");
  if (spec.reference_only) {
    Name(spec.base);
    return;
  }
  Put("(");
  WindowSpecText(spec);
  Put(")");
}

void Printer::WindowSpecText(const WindowSpec& spec) {
  bool space = false;
  auto separate = [&] {
    if (space) Put(" ");
    space = true;
  };
  if (!spec.base.empty()) {
    separate();
    Name(spec.base);
  }
  if (!spec.partition_by.empty()) {
    separate();
    Put("PARTITION BY ");
    ExprList(spec.partition_by);
  }
  if (!spec.order_by.empty()) {
    separate();
    Put("ORDER BY ");
    for (size_t i = 0; i < spec.order_by.size(); ++i) {
      const auto& item = spec.order_by[i];
      if (i > 0) Put(", ");
      Expression(*item.expr);
      Direction(item.direction);
      if (item.nulls != NullsOrder::kDefault) Put(item.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST");
    }
  }
  if (spec.frame) {
    const WindowFrame& frame = *spec.frame;
    separate();
    Put(frame.unit == FrameUnit::kRows ? "ROWS" : frame.unit == FrameUnit::kRange ? "RANGE" : "GROUPS");
    Put(" BETWEEN ");
    Bound(this, frame.start);
    Put(" AND ");
    Bound(this, frame.end);
    switch (frame.exclusion) {
      case FrameExclusion::kNoOthers: break;
      case FrameExclusion::kCurrentRow: Put(" EXCLUDE CURRENT ROW"); break;
      case FrameExclusion::kGroup: Put(" EXCLUDE GROUP"); break;
      case FrameExclusion::kTies: Put(" EXCLUDE TIES"); break;
    }
  }
}

void Printer::WindowClause(const std::vector<NamedWindow>& windows) {
  Put(" WINDOW ");
  for (size_t i = 0; i < windows.size(); ++i) {
    if (i > 0) Put(", ");
    Name(windows[i].name);
    Put(" AS (");
    WindowSpecText(windows[i].spec);
    Put(")");
  }
}

}  // namespace neuroquantum::sql::internal
