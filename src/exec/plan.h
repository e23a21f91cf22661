// Bound expressions and physical operators: what the binder builds from a
// syntax tree and the executor runs (docs/architecture/exec.md).
//
// Operators pull rows (Open, then Next until it returns false) and can be
// re-opened, which is how correlated subqueries re-run per outer row. A row
// is a vector of Values whose positions the binder fixed.
//
// Thread safety: a plan runs on one thread; plans are not shared.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "exec/auto_analyze.h"
#include "exec/catalog.h"
#include "exec/functions.h"
#include "exec/value.h"
#include "storage/page_transform.h"
#include "txn/txn_engine.h"

namespace neuroquantum::exec {

using Row = std::vector<Value>;

// Charges the bytes a query holds (hash tables, sort buffers, results)
// against its limit; 53200 when exceeded.
class MemoryBudget {
 public:
  explicit MemoryBudget(size_t limit);
  Status Charge(size_t bytes);
  void Release(size_t bytes) { used_ -= std::min(bytes, used_); }
  size_t used() const { return used_; }
  size_t limit() const { return limit_; }
  // Distinguishes budgets of different statements (a kept plan outlives
  // the budget of the statement that last ran it).
  uint64_t id() const { return id_; }

 private:
  size_t limit_;
  size_t used_ = 0;
  uint64_t id_;
};

// Gives back, when it ends, what was charged to `budget` while it lived:
// for work whose plans end with it (a trigger firing binds and runs its
// body afresh), so what their operators held does not stay charged.
class MemoryScope {
 public:
  explicit MemoryScope(MemoryBudget* budget) : budget_(budget), used_(budget ? budget->used() : 0) {}
  ~MemoryScope() {
    if (budget_ && budget_->used() > used_) budget_->Release(budget_->used() - used_);
  }
  MemoryScope(const MemoryScope&) = delete;
  MemoryScope& operator=(const MemoryScope&) = delete;

 private:
  MemoryBudget* budget_;
  size_t used_;
};

// Approximate bytes a row holds.
size_t RowBytes(const Row& row);

// Where operators past their memory budget may write what they hold: a
// directory on the database's disk, pages of `page_size` through the
// database's page transform (storage/spill_file.h).
struct SpillSettings {
  std::string dir;
  size_t page_size = 4096;
  storage::PageTransform* transform = nullptr;
};

struct ExecContext {
  txn::Transaction* txn = nullptr;
  // Null: an operator over the memory budget fails with 53200. Sorts, hash
  // joins, hash aggregates and DISTINCT spill; nested-loop joins do not.
  const SpillSettings* spill = nullptr;
  const std::vector<Value>* params = nullptr;
  // Current rows of the enclosing queries, innermost last.
  std::vector<const Row*> outer;
  // While a lookup join opens its inner side: the outer row, which the
  // columns in the inner scan's key bounds read (MakeLookupJoin).
  const Row* probe = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  MemoryBudget* memory = nullptr;
  uint64_t recursion_limit = 1000000;  // iterations of a recursive query (DatabaseOptions)
  uint64_t ticks = 0;
  // EXPLAIN ANALYZE: operators opened under this context count their
  // loops, rows and time (Operator::stats).
  bool profile = false;
  // Correlated subqueries may answer from the results they gave for the
  // same enclosing values (SubPlan::memo): set for queries, which write
  // nothing the subqueries could read.
  bool memoize_subqueries = false;
  // Rows the statement writes, by table id (automatic ANALYZE); null: not
  // counted. Trigger bodies and cascades write into the same map.
  std::map<uint64_t, TableWrites>* writes = nullptr;
  void NoteWrite(const TableInfo& table) {
    if (writes == nullptr) return;
    TableWrites& w = (*writes)[table.id];
    ++w.rows;
    w.analysed_rows = table.stats ? table.stats->row_count : 0;
  }
  // Schema currency (StatementRunner::LockTable): the engine's schema
  // epoch when the session last found its catalog current, whether the
  // transaction has changed the schema itself (then no other DDL can commit
  // before it ends: it holds the catalog's version row), and, set by LockTable,
  // that a table changed after the catalog was read, so a READ COMMITTED
  // statement is to run again on a fresh catalog (shared by the copies
  // trigger bodies run under; null: no restart, the error stands).
  uint64_t catalog_epoch = UINT64_MAX;
  bool txn_changed_schema = false;
  bool* restart = nullptr;
  // The statement's time for NOW(), CURRENT_TIMESTAMP, ... (microseconds
  // since the epoch): read from the clock once, at the first use, so every
  // call in one statement agrees.
  std::optional<int64_t> statement_time;
  int64_t StatementTime();

  // 57014 when cancelled or past the deadline; cheap enough per row.
  Status CheckInterrupt() {
    if ((++ticks & 255) != 0) return Status::OK();
    return CheckInterruptNow();
  }
  Status CheckInterruptNow();
};

class Operator;
struct SubPlan;

enum class BoundKind : uint8_t {
  kConstant, kColumn, kOuterColumn, kParameter,
  kNegate, kNot, kBitNot,
  kArith, kBitwise, kConcat, kCompare, kAnd, kOr,
  kCast, kCase, kCoalesce, kFunction,
  kInList, kInSubquery, kExists, kScalarSubquery,
  kLike, kBetween, kIsNull, kIsDistinct,
};

enum class CompareOp : uint8_t { kEq, kNotEq, kLt, kLe, kGt, kGe };

// The operator with its operands swapped: a < b is b > a.
inline CompareOp MirrorCompare(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return CompareOp::kGt;
    case CompareOp::kLe: return CompareOp::kGe;
    case CompareOp::kGt: return CompareOp::kLt;
    case CompareOp::kGe: return CompareOp::kLe;
    default: return op;
  }
}

struct BoundExpr {
  explicit BoundExpr(BoundKind k) : kind(k) {}
  BoundKind kind;
  DataType type;           // static type; kNull when not known before running
  Value constant;          // kConstant
  int index = 0;           // kColumn, kOuterColumn: row position; kParameter: 0-based number
  int levels = 0;          // kOuterColumn: 1 = the enclosing query
  uint8_t op = 0;          // ArithOp, BitOp, CompareOp or LikeOp
  bool negated = false;    // NOT IN / NOT LIKE / NOT BETWEEN / IS NOT NULL / IS DISTINCT
  bool nocase = false;     // compare under COLLATE NOCASE
  bool has_else = false;   // kCase; a simple CASE has args[0] as operand when has_operand
  bool has_operand = false;
  const ScalarFunction* function = nullptr;
  DataType cast_type;
  std::shared_ptr<SubPlan> subplan;
  // Operands in order. kCase: [operand], (when, then)..., [else].
  // kLike: operand, pattern, [escape]. kBetween: operand, low, high.
  std::vector<std::unique_ptr<BoundExpr>> args;
};
using BoundExprPtr = std::unique_ptr<BoundExpr>;

// SQL comparison of two values: nullopt when either is NULL. Numbers
// compare across kinds; text compared with a number reads as a number when
// it is one (else the number sorts first, as in SQLite); text compared with
// a date or time reads as that type.
Result<std::optional<int>> CompareForSql(const Value& a, const Value& b, bool nocase);

Result<Value> Evaluate(const BoundExpr& expr, const Row& row, ExecContext* ctx);
// A predicate's outcome: NULL and false both reject.
Result<bool> EvaluatePredicate(const BoundExpr& expr, const Row& row, ExecContext* ctx);
// The values of an uncorrelated `x IN (subquery)` (NULLs included), run
// at the first use and kept.
Result<const std::vector<Value>*> UncorrelatedInValues(const BoundExpr& in, ExecContext* ctx);

// Hashing and equality consistent with Value::SortCompare (1 = 1.0).
size_t HashValue(const Value& v);
struct ValueHash {
  size_t operator()(const Value& v) const { return HashValue(v); }
};
struct ValueEq {
  bool operator()(const Value& a, const Value& b) const { return a.SortCompare(b) == 0; }
};

struct RowHash {
  size_t operator()(const Row& r) const;
};
// Equality for grouping: SQL equality, so 1 and 1.0 are one group.
struct RowEq {
  bool operator()(const Row& a, const Row& b) const;
};
// Equality of kind and exact contents (1 and 1.0 differ, and so do 0.0
// and -0.0): rows that are interchangeable in every expression.
struct StrictRowEq {
  bool operator()(const Row& a, const Row& b) const;
};

// A subquery inside an expression.
struct SubPlan {
  std::unique_ptr<Operator> root;
  bool correlated = false;
  // Results of an uncorrelated subquery, computed on first use.
  bool cached = false;
  std::vector<Value> values;  // first column, in order
  bool has_null = false;
  // An uncorrelated IN subquery's non-NULL values as a hash set, built
  // with them when they are many and all of one kind (integers, text,
  // ...; see InFamily in expr_eval.cc): `x IN (...)` then probes the set
  // for an x of that kind. 0 when there is no set.
  std::unordered_set<Value, ValueHash, ValueEq> set;
  int set_family = 0;

  // A correlated subquery's answers by the enclosing values it reads
  // (outer_columns: levels up from the subquery, column), when
  // `memoizable` (no volatile function inside) and the statement allows it
  // (ExecContext::memoize_subqueries). Memoization stops for the rest of
  // the statement when few rows repeat their values.
  std::vector<std::pair<int, int>> outer_columns;
  bool memoizable = false;
  struct Answer {
    std::vector<Value> values;
    bool has_null = false;
  };
  std::unordered_map<Row, Answer, RowHash, StrictRowEq> memo;
  bool memo_off = false;
  size_t memo_bytes = 0;  // charged to the statement's budget
  uint64_t memo_hits = 0, memo_misses = 0;

  // An EXISTS subquery whose only link to the enclosing row is one
  // equality `inner column = enclosing column` (Binder::HashExists) is
  // answered from a hash set, as a semi-join (NOT EXISTS: an anti-join):
  // key_root yields the inner column of the rows that pass the rest of
  // the subquery, once per execution, into key_set; each enclosing row then
  // looks up its column key_column. `root` still answers the rows the set
  // cannot: a value of another kind than the set's (see InFamily in
  // expr_eval.cc), or every row once the set is over a quarter of the
  // budget or mixes kinds.
  std::unique_ptr<Operator> key_root;
  int key_column = -1;
  std::unordered_set<Value, ValueHash, ValueEq> key_set;
  int key_family = 0;
  enum class KeyState : uint8_t { kUnbuilt, kBuilt, kOff };
  KeyState key_state = KeyState::kUnbuilt;
  size_t key_bytes = 0;  // charged to the statement's budget
  uint64_t key_probes = 0, key_fallbacks = 0;

  // Forgets what one execution of the statement computed (its budget is
  // gone with it).
  void Reset() {
    cached = false;
    memo.clear();
    memo_off = false;
    memo_bytes = 0;
    memo_hits = memo_misses = 0;
    key_set.clear();
    key_family = 0;
    key_state = KeyState::kUnbuilt;
    key_bytes = 0;
    key_probes = key_fallbacks = 0;
  }
};

// What EXPLAIN ANALYZE reports for one operator, counted only while
// ExecContext::profile is set: how often it was opened (a correlated
// subquery or the inner side of a loop opens it again), the rows it
// returned in all, and the time spent in it and the operators below it.
struct OperatorStats {
  uint64_t loops = 0;
  uint64_t rows = 0;
  std::chrono::nanoseconds time{0};
  uint64_t spilled_bytes = 0;  // written to spill files
};

class Operator {
 public:
  virtual ~Operator() = default;
  // (Re)starts the operator; children are opened by their parent.
  Status Open(ExecContext* ctx) {
    profiling_ = ctx->profile;
    if (!profiling_) return DoOpen(ctx);
    ++stats_.loops;
    const auto start = std::chrono::steady_clock::now();
    Status status = DoOpen(ctx);
    stats_.time += std::chrono::steady_clock::now() - start;
    return status;
  }
  // Fills `row` with the next row; false at the end.
  Result<bool> Next(Row* row) {
    if (!profiling_) return DoNext(row);
    const auto start = std::chrono::steady_clock::now();
    Result<bool> more = DoNext(row);
    stats_.time += std::chrono::steady_clock::now() - start;
    if (more.ok() && *more) ++stats_.rows;
    return more;
  }
  // One line naming the operator, for EXPLAIN.
  virtual std::string Describe() const = 0;
  virtual std::vector<const Operator*> children() const { return {}; }
  // The expressions the operator evaluates, for EXPLAIN to find the
  // subqueries in them.
  virtual std::vector<const BoundExpr*> expressions() const { return {}; }
  const OperatorStats& stats() const { return stats_; }
  // The planner's estimate of the rows returned per loop (EXPLAIN shows
  // it as rows=N). An operator without its own estimate (a projection, a
  // sort, a limit) passes on its first input's; negative when there is
  // none at all.
  double estimated_rows() const {
    if (estimated_rows_ >= 0) return estimated_rows_;
    const std::vector<const Operator*> inputs = children();
    return inputs.empty() ? -1 : inputs[0]->estimated_rows();
  }
  void set_estimated_rows(double rows) { estimated_rows_ = rows; }
  // The planner's estimated cost of one loop (EXPLAIN's cost=), in rows
  // handled: the inputs' costs plus the operator's own work, by default
  // one unit per row it returns (a scan: per row it reads); joins, sorts,
  // filters and aggregates count as docs/reference/explain.md says.
  // Negative when the operator has no row estimate.
  virtual double estimated_cost() const {
    const double rows = estimated_rows();
    return rows < 0 ? -1 : InputsCost() + rows;
  }
  // Output columns the rows come ordered by (each ascending or each
  // descending), most significant first: rows equal in a prefix of them
  // are adjacent. Empty when nothing is known.
  const std::vector<int>& sorted_by() const { return sorted_by_; }
  void set_sorted_by(std::vector<int> columns) { sorted_by_ = std::move(columns); }

 protected:
  virtual Status DoOpen(ExecContext* ctx) = 0;
  virtual Result<bool> DoNext(Row* row) = 0;
  // The sum of the inputs' estimated costs (those without one count 0).
  double InputsCost() const {
    double sum = 0;
    for (const Operator* c : children()) sum += std::max(c->estimated_cost(), 0.0);
    return sum;
  }
  // An input's estimated rows per loop, 0 when it has none.
  static double RowsOf(const Operator& op) { return std::max(op.estimated_rows(), 0.0); }
  // The cost of an operator that handles each row of its first input once
  // (a filter, an aggregate, DISTINCT).
  double CostPerInputRow() const {
    const std::vector<const Operator*> inputs = children();
    if (estimated_rows() < 0 || inputs.empty()) return -1;
    return InputsCost() + RowsOf(*inputs[0]);
  }
  void NoteSpilled(uint64_t bytes) { stats_.spilled_bytes += bytes; }

 private:
  bool profiling_ = false;
  OperatorStats stats_;
  double estimated_rows_ = -1;
  std::vector<int> sorted_by_;
};
using OperatorPtr = std::unique_ptr<Operator>;

// Key bounds of a scan, computed when it opens (they may use parameters,
// outer rows and, in a lookup join's inner scan, columns of the probing
// row): values for a prefix of the key columns (one, or several for IN),
// then an optional range on the next key column. Values that do
// not encode as the column's type make the scan read everything; the
// caller filters the rows with the full predicate anyway.
struct ScanBounds {
  std::vector<DataType> types;  // of the key columns used, in key order
  // Per key column, its values; an uncorrelated `col IN (subquery)`
  // stands for the subquery's values.
  std::vector<std::vector<BoundExprPtr>> equal;
  BoundExprPtr lower, upper;  // on key column equal.size()
  bool lower_inclusive = true;
  bool upper_inclusive = true;
};

// Rows of a table, all or those whose primary key is within `bounds`.
// `with_key` appends the row's storage key as a blob column.
// `needed` (one flag per table column) limits decoding to the columns the
// query reads; the others come out NULL. Null: every column.
using ColumnMask = std::shared_ptr<const std::vector<bool>>;
OperatorPtr MakeTableScan(std::shared_ptr<const TableInfo> table, std::shared_ptr<ScanBounds> bounds,
                          bool with_key, ColumnMask needed = nullptr);
// Rows of a table found through an index within `bounds`.
OperatorPtr MakeIndexScan(std::shared_ptr<const TableInfo> table, std::shared_ptr<const IndexInfo> index,
                          std::shared_ptr<ScanBounds> bounds, bool with_key, ColumnMask needed = nullptr);
OperatorPtr MakeValues(std::vector<std::vector<BoundExprPtr>> rows);
OperatorPtr MakeFilter(OperatorPtr child, BoundExprPtr predicate);
OperatorPtr MakeProject(OperatorPtr child, std::vector<BoundExprPtr> exprs);
enum class JoinKind : uint8_t { kInner, kLeft, kRight, kFull };
// Nested loops over a materialised right side; with equal-key pairs, a hash
// join on them (the condition is still checked on each candidate pair),
// which partitions both sides to spill files when the right side outgrows
// the memory budget.
OperatorPtr MakeJoin(OperatorPtr left, OperatorPtr right, size_t left_width, size_t right_width, JoinKind kind,
                     BoundExprPtr condition, std::vector<std::pair<int, int>> equal_keys);
// Index nested loop: for each left row, the right side is opened again
// with that row as ExecContext::probe, so its scan reads only the rows
// whose key matches (the columns in the scan's bounds are the left row's).
// `condition` is checked on each combined row. Inner joins only.
OperatorPtr MakeLookupJoin(OperatorPtr left, OperatorPtr right, size_t left_width, size_t right_width,
                           BoundExprPtr condition);
struct AggregateCall {
  const AggregateFunction* function = nullptr;
  bool distinct = false;
  std::vector<BoundExprPtr> args;
};
// Output rows: the group keys, then one value per aggregate. Without keys,
// exactly one row even for empty input.
OperatorPtr MakeAggregate(OperatorPtr child, std::vector<BoundExprPtr> keys, std::vector<AggregateCall> aggregates);
struct SortKey {
  int column = 0;
  bool descending = false;
  bool nulls_first = true;
};
// With `limit` (and `offset`), the values of the LIMIT (and OFFSET) above
// it: only the first limit + offset rows in order are kept (top-N).
OperatorPtr MakeSort(OperatorPtr child, std::vector<SortKey> keys, BoundExprPtr limit = nullptr,
                     BoundExprPtr offset = nullptr);
// Drops rows whose first `width` columns repeat an earlier row's.
OperatorPtr MakeDistinct(OperatorPtr child, size_t width);
OperatorPtr MakeLimit(OperatorPtr child, BoundExprPtr limit, BoundExprPtr offset);
enum class SetOp : uint8_t { kUnion, kIntersect, kExcept };
OperatorPtr MakeSetOp(OperatorPtr left, OperatorPtr right, SetOp op, bool all);
// Rows computed once and replayed (the rows are charged to the budget).
OperatorPtr MakeMaterialized(std::vector<Row> rows);

// WITH RECURSIVE: the rows of the previous iteration, which the recursive
// term reads through a working-table scan.
struct WorkingTable {
  std::vector<Row> rows;
};
OperatorPtr MakeWorkingTableScan(std::shared_ptr<WorkingTable> table, std::string name);
// The anchor's rows, then those of the recursive term run again over each
// iteration's new rows until an iteration adds none. Without `all`, rows
// seen before are dropped (and do not feed the next iteration). Rows come
// out as they are produced, so a LIMIT above stops the recursion. More
// than ExecContext::recursion_limit iterations fail with 54001.
OperatorPtr MakeRecursiveUnion(OperatorPtr anchor, OperatorPtr step, std::shared_ptr<WorkingTable> working,
                               bool all, std::string name);

// Indented operator tree, one operator per line, with the estimated rows
// where the planner made an estimate; with `analyze`, each line ends in the
// operator's counters (actual rows per loop, loops, time).
std::string ExplainPlan(const Operator& root, bool analyze);
// The same tree as JSON: {"Operator": ..., "Plans": [...]} per operator,
// with "Plan Rows" where estimated, and "Actual Rows", "Actual Loops" and
// "Actual Total Time" (ms) when `analyze`.
std::string ExplainPlanJson(const Operator& root, bool analyze);

}  // namespace neuroquantum::exec
