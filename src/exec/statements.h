// Runs one bound statement inside a transaction: queries, DML and DDL.
// Internal to the session (session.cc); ddl.cc and dml.cc hold the parts.
//
// Thread safety: one runner per statement, on one thread.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "exec/binder.h"
#include "exec/session.h"
#include "storage/key_encoding.h"

namespace neuroquantum::exec {

// One SET c = e of an UPDATE or an upsert, bound; a null value is DEFAULT
// without a default expression (NULL).
struct ColumnAssignment {
  int column = 0;
  BoundExprPtr value;
};

// An INSERT's ON CONFLICT clause, bound (upsert.cc).
struct BoundUpsert {
  bool primary_key = false;               // the primary key is an arbiter
  std::vector<const IndexInfo*> indexes;  // unique indexes that are arbiters
  bool do_update = false;
  std::vector<ColumnAssignment> sets;  // over the existing row + the proposed row
  std::vector<int> assigned;           // the columns `sets` assign
  BoundExprPtr where;                  // may be null
  std::set<std::string> touched;       // keys of rows this statement inserted or updated
};

class StatementRunner {
 public:
  // With `sink`, result rows go to it instead of into the result: a
  // SELECT's as its operator tree produces them, other statements' once
  // they are done (before the statement ends, so a sink error undoes it).
  StatementRunner(Engine* engine, txn::Transaction* txn, std::shared_ptr<const Catalog> catalog, ExecContext* ctx,
                  RowSink* sink = nullptr)
      : engine_(engine),
        txn_(txn),
        catalog_(std::move(catalog)),
        ctx_(ctx),
        sink_(sink),
        binder_(catalog_, engine->options().reorder_joins, engine->options().rewrite_queries) {}

  // `cache` (prepared statements) keeps a SELECT's plan between runs.
  Result<std::unique_ptr<ResultSource>> Run(const sql::Statement& stmt, std::unique_ptr<CachedQuery>* cache = nullptr);
  // Whether the statement changed the catalog.
  bool wrote_ddl() const { return wrote_ddl_; }
  // Whether it bumped the schema version (DDL; not ANALYZE, which only
  // changes statistics).
  bool changed_schema() const { return changed_schema_; }

 private:
  Result<std::unique_ptr<ResultSource>> Dispatch(const sql::Statement& stmt, std::unique_ptr<CachedQuery>* cache);
  Result<std::unique_ptr<ResultSource>> Select(const sql::Query& query, std::unique_ptr<CachedQuery>* cache);
  Result<std::unique_ptr<ResultSource>> Insert(const sql::InsertStmt& stmt, std::unique_ptr<CachedQuery>* cache);
  // The bound query of a SELECT or an INSERT's source, from `cache` when it
  // was bound against this catalog (its sub-plans reset), else bound now
  // (and kept in `cache` if given).
  Result<BoundQuery*> BoundFor(const sql::Query& query, std::unique_ptr<CachedQuery>* cache, BoundQuery* local);
  // ON CONFLICT (upsert.cc): the bound clause, then per proposed row
  // whether the clause disposed of it (skipped or updated the row it
  // collides with; *updated holds that row's new version) or it is to be
  // inserted.
  Result<BoundUpsert> BindUpsert(const sql::UpsertClause& clause, const TableInfo& table, std::string_view alias);
  Result<bool> ResolveConflict(BoundUpsert* upsert, const TableInfo& table, const Row& row, const std::string& key,
                               std::optional<Row>* updated);
  Result<std::unique_ptr<ResultSource>> Update(const sql::UpdateStmt& stmt);
  // SET lists: bound over the table's row (or, for an upsert, the row and
  // the proposed one), applied to `old` with `input` as the row the values
  // are computed from.
  Result<std::vector<ColumnAssignment>> BindAssignments(const std::vector<sql::Assignment>& assignments,
                                                        const TableInfo& table, std::string_view alias, bool upsert);
  // The result has passed CheckRow.
  Result<Row> ApplyAssignments(const TableInfo& table, const std::vector<ColumnAssignment>& sets, const Row& old,
                               const Row& input);
  // Foreign keys (foreign_keys.cc). A written row's references are checked
  // when the statement ends (FinishForeignKeys; 23503); deleting or
  // re-keying a referenced row applies the referencing keys' actions.
  Status DeferParentCheck(const TableInfo& table, const Row& row, const Row* old);
  Status ActOnReferencingRows(const TableInfo& table, const Row& old, const Row* next);
  Status ApplyReferentialActions(const TableInfo& table, const Row& old, const Row* next);
  Status FinishForeignKeys();
  Result<bool> ParentExists(const TableInfo& parent, const ForeignKeyInfo& fk, const std::vector<Value>& values,
                            bool lock);
  // The rows of `child` whose foreign key `fk` holds `values`, each locked.
  Status ForEachReferencingRow(const TableInfo& child, const ForeignKeyInfo& fk, const std::vector<Value>& values,
                               const std::function<Status(const std::string& key, Row* row)>& fn);
  // Deletes a row, its index entries, and applies referential actions,
  // between the table's BEFORE and AFTER DELETE triggers; *skipped (if
  // given) is set when a BEFORE trigger left the row in place.
  Status DeleteRow(const TableInfo& table, const std::string& key, const Row& row, bool* skipped = nullptr);
  // Stores `next` in place of `old` under `key`: record, index entries and
  // a changed primary key, then the foreign keys' work (above), between the
  // table's BEFORE and AFTER UPDATE triggers (`assigned`: the columns the
  // statement sets, for UPDATE OF; null: those whose value changes).
  // Returns the row's key afterwards; *skipped as for DeleteRow.
  Result<std::string> ReplaceRow(const TableInfo& table, const std::string& key, const Row& old, const Row& next,
                                 const std::vector<int>* assigned = nullptr, bool* skipped = nullptr);
  // Triggers (triggers.cc). Runs `table`'s triggers for `event` at
  // `timing`, in name order, with OLD = *old and NEW = *next (either may be
  // null). A RAISE(IGNORE) stops them and sets *skip (when given).
  Status FireTriggers(const TableInfo& table, sql::TriggerTiming timing, sql::TriggerEvent event, const Row* old,
                      const Row* next, const std::vector<int>* assigned, bool* skip);
  Status FireTriggerList(const TriggerList& triggers, const TriggerRows& rows, sql::TriggerTiming timing,
                         sql::TriggerEvent event, const Row* old, const Row* next,
                         const std::vector<int>* assigned, bool* skip);
  bool HasTriggers(const TableInfo& table, sql::TriggerTiming timing, sql::TriggerEvent event) const;
  // One trigger's WHEN and body, in a runner of its own one level deeper.
  Status RunTrigger(const TriggerInfo& trigger, const TriggerRows& rows, const Row* old, const Row* next);
  const TriggerRows& RowsOf(const TableInfo& table, sql::TriggerEvent event);
  // After a BEFORE trigger ran: whether the row under `key` is still `row`
  // (false: gone, so it is skipped; 27000 when a trigger changed it).
  Result<bool> StillUnchanged(const TableInfo& table, const std::string& key, const Row& row, std::string_view what);
  // INSERT, UPDATE and DELETE on a view with INSTEAD OF triggers.
  Result<std::unique_ptr<ResultSource>> InsertIntoView(const sql::InsertStmt& stmt, const ViewInfo& view);
  Result<std::unique_ptr<ResultSource>> UpdateView(const sql::UpdateStmt& stmt, const ViewInfo& view);
  Result<std::unique_ptr<ResultSource>> DeleteFromView(const sql::DeleteStmt& stmt, const ViewInfo& view);
  // The view's rows matching `where` (all without it), and its columns as
  // a table (for binding SET lists and the trigger rows).
  Status ViewRows(const ViewInfo& view, std::string_view alias, const sql::Expr* where, TableInfo* shape,
                  std::vector<Row>* rows);
  // The view named `name` when it has an INSTEAD OF trigger for `event`.
  const ViewInfo* ViewWithInsteadOf(const sql::QualifiedName& name, sql::TriggerEvent event) const;
  Result<std::unique_ptr<ResultSource>> CreateTrigger(const sql::CreateTriggerStmt& stmt);
  // DROP TRIGGER; sets *changed when it dropped one.
  Status DropTrigger(CatalogWriter* writer, const sql::DropStmt& stmt, const sql::QualifiedName& name,
                     bool* changed);
  Result<std::unique_ptr<ResultSource>> Delete(const sql::DeleteStmt& stmt);
  Result<std::unique_ptr<ResultSource>> CreateTable(const sql::CreateTableStmt& stmt);
  Result<std::unique_ptr<ResultSource>> CreateIndex(const sql::CreateIndexStmt& stmt);
  Result<std::unique_ptr<ResultSource>> CreateView(const sql::CreateViewStmt& stmt);
  Result<std::unique_ptr<ResultSource>> Drop(const sql::DropStmt& stmt);
  Result<std::unique_ptr<ResultSource>> AlterTable(const sql::AlterTableStmt& stmt);
  // ALTER TABLE ADD / DROP CONSTRAINT (ddl_constraints.cc) on `table`, whose
  // definition, freshly parsed, is `def` (edited here).
  Result<std::unique_ptr<ResultSource>> AlterConstraint(const sql::AlterTableStmt& stmt, const TableInfo& table,
                                                        sql::CreateTableStmt* def);
  // ADD PRIMARY KEY: every row of `table` stored again under its key in
  // `new_table` (same tree) and indexed into `new_table`'s indexes.
  Status RekeyRows(const TableInfo& table, const TableInfo& new_table);
  Result<std::unique_ptr<ResultSource>> Truncate(const sql::TruncateStmt& stmt);
  Result<std::unique_ptr<ResultSource>> Explain(const sql::ExplainStmt& stmt);
  // ANALYZE [table] (analyze.cc): gathers and stores table statistics.
  Result<std::unique_ptr<ResultSource>> Analyze(const sql::AnalyzeStmt& stmt);

  // Row storage shared by DML and DDL.
  // The table `name`, locked in `mode` (LockTable).
  Result<const TableInfo*> WritableTable(const sql::QualifiedName& name,
                                         txn::LockMode mode = txn::LockMode::kShared);
  // Locks `table` for the transaction: shared before writing its rows,
  // exclusive before changing its definition or rebuilding its data, so
  // DML and DDL on one table never overlap. A DDL statement then reads
  // from a fresh snapshot (Transaction::RefreshStatementSnapshot). A lock
  // newly taken after a DDL on the table committed since this statement's
  // catalog was read fails with 40001: in READ COMMITTED the session runs
  // the statement again on the new catalog (ExecContext::restart); in
  // REPEATABLE READ and SERIALIZABLE the transaction is doomed.
  Status LockTable(const TableInfo& table, txn::LockMode mode);
  Result<std::string> RowKey(const TableInfo& table, const Row& row);
  // The finished key; 54000 when it is longer than the tree allows.
  Result<std::string> FinishKey(storage::KeyEncoder key);
  // Index entry key for `row` (with primary key `pk`); `unique_form` is set
  // when the key holds the indexed columns alone (a unique index, no NULLs).
  Result<std::string> IndexKey(const IndexInfo& index, const TableInfo& table, const Row& row,
                               std::string_view pk, bool* unique_form);
  Status InsertIndexEntries(const TableInfo& table, const Row& row, std::string_view pk);
  Status DeleteIndexEntries(const TableInfo& table, const Row& row, std::string_view pk);
  // Gives a row without a primary key value one by the table's id
  // strategy (UUID, Snowflake); an explicit Snowflake id moves the
  // generator past it.
  Status AssignId(const TableInfo& table, Row* row);
  // Casts to column types, fills NOT NULL / CHECK verdicts (23502, 23514).
  Status CheckRow(const TableInfo& table, Row* row);
  // The row stored under `pk`, if any (locked for update).
  Result<std::optional<Row>> LockRow(const TableInfo& table, std::string_view pk);
  // The rows of `table` matching `where` (all without it), each locked and
  // checked again on its newest version, passed to `fn` with its key.
  Status ForEachTargetRow(const TableInfo& table, std::string_view alias, const sql::Expr* where,
                          const std::function<Status(const std::string& key, Row* old)>& fn);
  // Removes every row of a table and its index entries.
  Status ClearTable(const TableInfo& table);
  // ALTER COLUMN TYPE: converts `column` of every row to its type in
  // `new_table` (same tree, same indexes), through `convert` (USING, over
  // the old row) or a cast; rows are re-keyed and re-indexed.
  Status ConvertColumn(const TableInfo& table, const TableInfo& new_table, int column, const BoundExpr* convert);
  // Rewrites every row through `fn` into `new_table` (same tree).
  Status RewriteRows(const TableInfo& table, const TableInfo& new_table,
                     const std::function<Result<Row>(Row)>& fn);
  Result<std::shared_ptr<const sql::Statement>> Canonical(const sql::Statement& stmt);
  Status SaveTable(CatalogWriter* writer, const TableInfo& old_table, const std::string& sql);
  Status RequireFreeName(const std::string& name, const sql::SourcePos& pos);
  Result<std::unique_ptr<ResultSource>> Returning(const std::vector<sql::SelectItem>& items, const TableInfo& table,
                                                  std::string_view alias, std::vector<Row> rows,
                                                  std::string command, uint64_t affected);

  Engine* engine_;
  txn::Transaction* txn_;
  std::shared_ptr<const Catalog> catalog_;
  ExecContext* ctx_;
  RowSink* sink_;
  Binder binder_;
  bool wrote_ddl_ = false;
  bool changed_schema_ = false;
  // Bumps the schema version through `writer`, marking the statement as DDL.
  Status BumpVersion(CatalogWriter* writer);
  // Foreign key checks waiting for the end of the statement: references
  // of written rows, and NO ACTION keys of removed or re-keyed rows.
  struct PendingParentCheck {
    const TableInfo* table;  // the referencing table
    size_t fk;               // index into its foreign_keys
    std::vector<Value> values;
  };
  struct PendingChildCheck {
    const TableInfo* parent;
    const TableInfo* child;
    size_t fk;
    std::vector<Value> values;  // the parent's old key
  };
  std::vector<PendingParentCheck> pending_parents_;
  std::vector<PendingChildCheck> pending_children_;
  int fk_depth_ = 0;
  // Nesting of trigger bodies: this runner runs one at this depth.
  int trigger_depth_ = 0;
  // NEW/OLD shapes by table and event.
  std::map<std::pair<const TableInfo*, sql::TriggerEvent>, TriggerRows> trigger_rows_;
  // CHECK constraints bound once per statement, by table.
  std::map<const TableInfo*, std::vector<BoundExprPtr>> checks_;
};

// A result with a command tag and no rows (DDL, transaction control).
std::unique_ptr<ResultSource> CommandResult(std::string command);

// Column types in a canonical CREATE TABLE for CREATE TABLE ... AS.
std::string ColumnTypeSql(const DataType& type);

}  // namespace neuroquantum::exec
