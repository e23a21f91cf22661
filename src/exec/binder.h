// The binder: resolves names in a syntax tree against the catalog and
// turns queries into operator trees, applying the planning rules of this
// stage (docs/architecture/exec.md, "Binding and planning"):
//   - WHERE conjuncts are pushed to the lowest FROM item or join that has
//     their columns; equalities between the two sides make a hash join;
//   - equality and range conjuncts on a primary-key or index prefix become
//     key ranges of a table or index scan;
//   - aggregation is hashed; ORDER BY sorts; uncorrelated subqueries run
//     once, correlated ones per outer row.
//
// Errors carry SQLSTATEs: 42P01 undefined table, 42703 undefined column,
// 42702 ambiguous column, 42803 grouping error, 42883 undefined function,
// 42601 for misplaced constructs.
//
// Thread safety: one Binder per statement, used by one thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exec/catalog.h"
#include "exec/plan.h"
#include "sql/ast.h"

namespace neuroquantum::exec {

struct BoundQuery {
  OperatorPtr root;
  std::vector<std::string> names;
  std::vector<DataType> types;
  // A plain VALUES list without subqueries: its rows read no table, so an
  // INSERT may write each as it comes instead of computing all first.
  bool reads_no_tables = false;
};

struct Scope;
struct Level;
struct JoinGraph;
struct JoinTree;

// The rows a trigger's WHEN and body see (triggers.cc): OLD.c and NEW.c
// name the changed row's columns before and after the change, passed as
// parameters: OLD's column i is parameter i, NEW's is names.size() + i.
struct TriggerRows {
  std::vector<std::string> names;
  std::vector<DataType> types;
  bool has_old = false;  // UPDATE and DELETE
  bool has_new = false;  // INSERT and UPDATE
};

class Binder {
 public:
  // `reorder_joins`: order inner joins by cost; `rewrites`: the rewrites
  // of DatabaseOptions::rewrite_queries.
  explicit Binder(std::shared_ptr<const Catalog> catalog, bool reorder_joins = true, bool rewrites = true)
      : catalog_(std::move(catalog)), reorder_joins_(reorder_joins), rewrites_(rewrites) {}

  Result<BoundQuery> BindQuery(const sql::Query& query);

  // Expressions over one table's row (DML: SET values, WHERE, RETURNING,
  // defaults and CHECK constraints). `alias` may qualify the columns.
  Result<BoundExprPtr> BindTableExpr(const sql::Expr& expr, const TableInfo& table, std::string_view alias,
                                     bool allow_subqueries = true);
  // Expressions of INSERT ... ON CONFLICT DO UPDATE: over the existing row
  // (columns 0..n-1, as in BindTableExpr) followed by the proposed one
  // (columns n..2n-1), which only `excluded.c` reaches.
  Result<BoundExprPtr> BindUpsertExpr(const sql::Expr& expr, const TableInfo& table, std::string_view alias);
  // A WHERE over a table's rows, with the access path chosen from it; the
  // scan appends each row's storage key as a last column when `with_key`.
  Result<OperatorPtr> BindTableScan(const TableInfo& table, std::string_view alias, const sql::Expr* where,
                                    bool with_key);
  // An expression without columns (VALUES items, LIMIT).
  Result<BoundExprPtr> BindConstantExpr(const sql::Expr& expr);
  // The common table expressions of a statement's WITH (INSERT, UPDATE,
  // DELETE) are visible to everything bound until PopWith.
  void PushWith(const sql::WithClause& with);
  void PopWith() { ctes_.pop_back(); }
  // Inside a trigger: NEW and OLD resolve against `rows`, and RAISE() is
  // allowed. `rows` must outlive the binder's use.
  void SetTriggerRows(const TriggerRows* rows) { trigger_rows_ = rows; }

  std::shared_ptr<const TableInfo> SharedTable(const TableInfo* table) const {
    return std::shared_ptr<const TableInfo>(catalog_, table);
  }
  const Catalog& catalog() const { return *catalog_; }
  // Every subquery plan made so far (their cached results are reset before
  // a kept plan runs again).
  const std::vector<std::shared_ptr<SubPlan>>& subplans() const { return subplans_; }
  // Parameters seen so far: one past the highest number.
  size_t parameter_count() const { return parameter_count_; }

 private:
  friend struct BinderInternals;
  Result<BoundExprPtr> BindRowExpr(const sql::Expr& expr, const TableInfo& table, std::string_view alias,
                                   bool with_excluded, bool allow_subqueries);
  struct From {
    OperatorPtr op;
    size_t width = 0;
    // For a base table: which of its columns the query reads, filled in as
    // binding goes on and read by the scan when it runs.
    std::shared_ptr<std::vector<bool>> usage = nullptr;
  };

  Result<BoundQuery> BindQueryIn(const sql::Query& query, Scope* parent, Level* level);
  Result<BoundQuery> BindBody(const sql::QueryBody& body, Scope* parent, const sql::Query* ordered);
  Result<BoundQuery> BindSelect(const sql::SelectCore& core, Scope* parent, const sql::Query* ordered);
  Result<BoundQuery> BindValues(const sql::ValuesBody& values, Scope* parent);
  // LIMIT and OFFSET of `query` (null when absent).
  struct LimitOffset {
    BoundExprPtr limit, offset;
  };
  Result<LimitOffset> BindLimitOffset(const sql::Query& query, Scope* parent);
  Result<From> BindFromItem(const sql::TableRef& ref, Scope* parent, Scope* scope);
  // A FROM item the planner joins: a base table (whose scan is chosen once
  // the conjuncts are known) or any other operator.
  struct FromItem {
    From from;
    const TableInfo* table = nullptr;
    size_t offset = 0;  // its first column in the FROM clause's row
    // A base table's own conjuncts (over its columns), kept to plan its
    // scan again should it be read by lookups (a lookup join).
    std::vector<BoundExprPtr> local;
  };
  // An equality a lookup join's inner scan seeks on: a column of its table
  // and the value, over the outer row, it must equal.
  struct ProbeKey {
    int column = 0;
    BoundExprPtr value;
  };
  // A WHERE or ON conjunct and the FROM items it reads (bit i: item i).
  struct JoinConjunct {
    BoundExprPtr expr;
    uint64_t items = 0;
    bool movable = true;  // reads a column and no correlated subquery
    int equal_class = -1;  // JoinGraph::Predicate::equal_class
  };
  // Appends the items of `ref` (the sides of inner joins, recursively) and
  // the conjuncts of their ON conditions.
  Status CollectFromItems(const sql::TableRef& ref, Scope* parent, Scope* scope, std::vector<FromItem>* items,
                          std::vector<BoundExprPtr>* conditions);
  // The operators of a join tree; `columns` receives the original column
  // positions in the order of the tree's rows.
  Result<OperatorPtr> BuildJoinTree(const JoinTree& tree, std::vector<FromItem>* items,
                                    std::vector<JoinConjunct>* conjuncts, std::vector<int>* columns);
  // How each base table of the FROM list can be looked up from the others
  // (JoinGraph::Relation::lookup_from and lookup_cost).
  void AddLookups(const std::vector<FromItem>& items, const std::vector<JoinConjunct>& conjuncts,
                  const std::vector<int>& item_of, JoinGraph* graph) const;
  // The unique keys of each base table of the FROM list and the relations
  // equalities join their columns to (JoinGraph::Relation::unique_keys).
  void AddUniqueKeys(const std::vector<FromItem>& items, const std::vector<JoinConjunct>& conjuncts,
                     const std::vector<int>& item_of, JoinGraph* graph) const;
  double JoinSelectivity(const BoundExpr& conjunct, const std::vector<FromItem>& items,
                         const std::vector<int>& item_of) const;
  // Distinct values of a column of the FROM clause's row.
  double DistinctValues(int column, const std::vector<FromItem>& items, const std::vector<int>& item_of) const;
  // An EXISTS subquery's link to the enclosing row, taken out of its WHERE
  // (HashExists): `inner` = enclosing column `outer`. `ok` stays true only
  // when that one equality is the whole link.
  struct ExistsKey {
    BoundExprPtr inner;  // a column of the subquery's FROM row
    int outer = -1;      // the enclosing row's column
    bool ok = true;
  };
  // With `key`, the WHERE's link to the enclosing row is taken out into it.
  Result<From> BindFromList(const std::vector<sql::TableRefPtr>& from, const sql::Expr* where, Scope* parent,
                            Scope* scope, std::vector<BoundExprPtr>* leftover, ExistsKey* key = nullptr);
  // Takes the conjuncts `column = enclosing column` out of `conjuncts`
  // into *key; see ExistsKey.
  static void TakeExistsKey(std::vector<BoundExprPtr>* conjuncts, ExistsKey* key);
  // For `plan`, the correlated EXISTS subquery `query` bound in `scope`:
  // when its only link to the enclosing row is one equality on a column,
  // binds it once more without that link, as SubPlan::key_root, so that it
  // runs once and is probed by hash. `anonymous_at`: next_anonymous_
  // before the subquery was bound (its `?` parameters keep their numbers).
  void HashExists(const sql::Query& query, Scope* scope, SubPlan* plan, uint32_t anonymous_at);
  // Gives the hashed EXISTS subqueries in `e`, a conjunct of a WHERE over
  // `rows` estimated rows, their key plan where it is cheaper.
  void ChooseExistsPlans(BoundExpr* e, double rows);
  // Binds `expr` and folds it when it is constant.
  Result<BoundExprPtr> Bind(const sql::Expr& expr, Scope* scope);
  Result<BoundExprPtr> BindExpr(const sql::Expr& expr, Scope* scope);
  Result<BoundExprPtr> BindSubquery(const sql::Query& query, Scope* scope, BoundKind kind, bool negated,
                                    BoundExprPtr operand);
  Result<BoundExprPtr> BindColumn(const sql::ColumnRefExpr& ref, Scope* scope);
  Result<BoundExprPtr> BindFunction(const sql::FunctionExpr& f, Scope* scope);
  // NEW.c / OLD.c in a trigger; null when `ref` is not one.
  Result<BoundExprPtr> BindTriggerColumn(const sql::ColumnRefExpr& ref);
  // RAISE(IGNORE) / RAISE(ABORT|FAIL|ROLLBACK, message) in a trigger.
  Result<BoundExprPtr> BindRaise(const sql::FunctionExpr& f, Scope* scope);
  // `f(...) OVER ...` where the scope allows it (window.h); 42P20 elsewhere.
  Result<BoundExprPtr> BindWindowFunction(const sql::FunctionExpr& f, Scope* scope);
  Result<OperatorPtr> AccessPath(const TableInfo& table, std::vector<BoundExprPtr>* conjuncts, bool with_key,
                                 ColumnMask needed = nullptr);
  // The inner side of a lookup join: `table` read through an index or its
  // primary key bounded by the probe keys (rows per lookup: `rows`), with
  // its own conjuncts as a filter; null when no key starts with a probe
  // key's column.
  Result<OperatorPtr> LookupPath(const TableInfo& table, std::vector<BoundExprPtr>* conjuncts, ColumnMask needed,
                                 const std::vector<ProbeKey>& probe, double rows);

  std::shared_ptr<const Catalog> catalog_;
  bool reorder_joins_ = true;
  bool rewrites_ = true;
  // The next SELECT bound is an EXISTS subquery's (BindSubquery).
  bool rows_only_ = false;
  // The next SELECT bound is an EXISTS subquery's, bound again for its
  // key (HashExists).
  ExistsKey* exists_key_ = nullptr;
  // Key plans HashExists made, until ChooseExistsPlans gives them to their
  // subquery; those of subqueries outside a WHERE are never used.
  struct ExistsKeyPlan {
    OperatorPtr root;
    int column = -1;
  };
  std::map<const SubPlan*, ExistsKeyPlan> exists_keys_;
  const TriggerRows* trigger_rows_ = nullptr;
  size_t parameter_count_ = 0;
  uint32_t next_anonymous_ = 0;
  // Common table expressions in scope, innermost last.
  std::vector<std::map<std::string, const sql::CommonTableExpr*, std::less<>>> ctes_;
  // Common table expressions being bound, innermost last: a reference to
  // one of them from inside itself is recursive. `working` is set once the
  // anchor of a recursive query is bound: references in its recursive term
  // read that working table.
  struct CteDefinition {
    const sql::CommonTableExpr* cte = nullptr;
    std::shared_ptr<WorkingTable> working;
    Level* level = nullptr;  // of the recursive term: no references from subqueries
    std::vector<std::string> names;
    std::vector<DataType> types;
    bool used = false;
  };
  std::vector<CteDefinition> defining_;
  int view_depth_ = 0;
  std::vector<std::shared_ptr<SubPlan>> subplans_;
  Level* current_level_ = nullptr;  // of the query being bound
  int window_args_ = 0;  // > 0 while binding a window function's arguments
};

// Splits a predicate into its AND-ed parts.
void SplitConjuncts(BoundExprPtr expr, std::vector<BoundExprPtr>* out);
// Joins predicates with AND (null for none).
BoundExprPtr CombineConjuncts(std::vector<BoundExprPtr> parts);

}  // namespace neuroquantum::exec
