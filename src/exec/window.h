// Window functions: the bound form of `f(...) OVER (...)`, the operator
// that computes them, and the binder's helpers for them
// (docs/reference/qsql.md, "Window functions"; docs/architecture/exec.md).
//
// A SELECT with window functions runs them in one Window operator placed
// after GROUP BY / HAVING and before the projection, DISTINCT, ORDER BY
// and LIMIT. The operator appends one column per window function to each
// input row; the binder first refers to those columns by placeholder
// positions (it does not know the input's width until the whole SELECT is
// bound) and fixes them with PlaceWindowColumns.
//
// Thread safety: as plan.h.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "exec/plan.h"
#include "sql/ast.h"

namespace neuroquantum::exec {

enum class WindowFunctionKind : uint8_t {
  kAggregate,  // any aggregate of functions.h used with OVER
  kRowNumber, kRank, kDenseRank, kPercentRank, kCumeDist, kNtile,
  kLag, kLead, kFirstValue, kLastValue, kNthValue,
};

struct WindowOrderKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = true;
};

struct WindowFrameBound {
  sql::FrameBoundKind kind = sql::FrameBoundKind::kCurrentRow;
  BoundExprPtr offset;  // kPreceding / kFollowing: a constant (parameters allowed)
};

// One window function call. Expressions read the operator's input row.
struct WindowCall {
  WindowFunctionKind kind = WindowFunctionKind::kAggregate;
  std::string name;                              // for messages
  const AggregateFunction* aggregate = nullptr;  // kAggregate
  std::vector<BoundExprPtr> args;
  std::vector<BoundExprPtr> partition;
  std::vector<WindowOrderKey> order;
  // Calls whose PARTITION BY and ORDER BY read the same are computed over
  // one sort of the input.
  std::string sort_signature;
  sql::FrameUnit unit = sql::FrameUnit::kRange;
  WindowFrameBound start, end;
  sql::FrameExclusion exclusion = sql::FrameExclusion::kNoOthers;
};

// Output rows: the input row followed by one value per call, in the order
// of the last sort it made (that of the last distinct window). Materialises
// the input, charging the query's memory budget. Per partition: ranking
// functions and LAG/LEAD are linear; aggregates whose frame starts at
// UNBOUNDED PRECEDING without EXCLUDE are running totals (linear); other
// frames recompute the aggregate per row (O(rows x frame size)).
// Runtime errors: 22014 NTILE argument <= 0, 22016 NTH_VALUE argument
// <= 0, 22013 negative frame offset, 22004 NULL frame offset, 22023 a
// non-integer offset where one is needed.
OperatorPtr MakeWindow(OperatorPtr child, std::vector<WindowCall> calls);

// The window functions of one SELECT being bound.
struct WindowBinding {
  const std::vector<sql::NamedWindow>* named = nullptr;  // its WINDOW clause
  std::unordered_map<std::string, size_t> index;          // WINDOW name -> position, made on first use
  std::vector<WindowCall> calls;
  std::vector<std::string> call_sql;  // identical calls are computed once
  std::vector<DataType> call_types;
};

using WindowBindFn = std::function<Result<BoundExprPtr>(const sql::Expr&)>;

// Binds `call` (which has an OVER clause) into `windows`: `bind` binds its
// arguments and keys over the operator's input, `bind_offset` a frame
// offset (a constant). Returns a placeholder column for its result.
// Errors: 42704 unknown window, 42P20 misplaced or impossible frames and
// window overrides, 42809 OVER on a scalar function, 0A000 DISTINCT,
// 42883 wrong argument count.
Result<BoundExprPtr> BindWindowCall(const sql::FunctionExpr& call, WindowBinding* windows, const WindowBindFn& bind,
                                    const WindowBindFn& bind_offset);
// 42P20 when the WINDOW clause defines a name twice.
Status CheckWindowClause(const std::vector<sql::NamedWindow>& windows);
// Rewrites placeholder columns to `width` + their call's position.
void PlaceWindowColumns(BoundExpr* expr, int width);
// ROW_NUMBER, RANK, ..., NTH_VALUE: functions that exist only with OVER.
bool IsWindowOnlyFunction(std::string_view name);

}  // namespace neuroquantum::exec
