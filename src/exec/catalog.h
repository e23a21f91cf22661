// The catalog: tables, their columns, constraints and indexes, and views,
// as one transaction sees them (docs/architecture/exec.md, "Catalog").
//
// Each object is a row of the catalog tree, written by the DDL statement's
// own transaction, so DDL commits and rolls back with it. A row holds the
// object's kind, its id (which names its data tree, "t.<id>" or "i.<id>")
// and its definition as canonical SQL; loading re-parses that SQL, so the
// catalog format is the language itself. A table's row may end with its
// sequence id (TableInfo::sequence_id) when that differs from its id. A
// version row, bumped by every DDL, tells sessions when their cached
// catalog is stale.
//
// Thread safety: a loaded Catalog is immutable and may be shared.
#pragma once

#include <cassert>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/statistics.h"
#include "exec/types.h"
#include "neuroquantum/result.h"
#include "sql/ast.h"
#include "txn/txn_engine.h"

namespace neuroquantum::exec {

// How a column gets a value when an INSERT does not give one.
enum class Generated : uint8_t {
  kNone,
  kSerial,          // SERIAL, AUTO_INCREMENT, INTEGER PRIMARY KEY, BY DEFAULT AS IDENTITY
  kIdentityAlways,  // GENERATED ALWAYS AS IDENTITY: explicit values refused
};

struct ColumnInfo {
  std::string name;
  DataType type;
  bool not_null = false;
  Generated generated = Generated::kNone;
  const sql::Expr* default_expr = nullptr;  // in the owning TableInfo's definition
  bool nocase = false;                      // COLLATE NOCASE
};

struct IndexInfo {
  uint64_t id = 0;
  std::string name;
  std::string table;
  std::vector<int> columns;  // table column positions
  std::vector<bool> descending;
  bool unique = false;
  bool implicit = false;  // made for a UNIQUE constraint; not shown by SchemaSql
  txn::TreeId tree = 0;
  std::string sql;
};

// FOREIGN KEY (columns) REFERENCES parent (parent columns): a row's values
// in `columns`, when none is NULL, must equal the values of a row of
// `parent` in `parent_columns` (MATCH SIMPLE). Enforced by foreign_keys.cc.
struct ForeignKeyInfo {
  std::string name;                  // given, else <table>_<columns>_fkey
  std::vector<int> columns;          // in the referencing table
  std::string parent;                // the referenced table
  std::vector<std::string> parent_column_names;  // as written; empty: its primary key
  // Resolved against the parent (ResolveForeignKey): positions matching
  // `columns` one to one, and the unique index they form (null when they
  // are the parent's primary key).
  std::vector<int> parent_columns;
  const IndexInfo* parent_index = nullptr;
  sql::ReferentialAction on_delete = sql::ReferentialAction::kNoAction;
  sql::ReferentialAction on_update = sql::ReferentialAction::kNoAction;
};

// CREATE TRIGGER: statements run for each row a statement inserts,
// updates or deletes in a table (BEFORE or AFTER the change), or in place
// of the change on a view (INSTEAD OF); triggers.cc runs them.
struct TriggerInfo {
  std::string name;
  std::string table;  // the table or view it is on
  std::string sql;    // canonical CREATE TRIGGER
  std::shared_ptr<const sql::Statement> definition;
  const sql::CreateTriggerStmt& stmt() const { return definition->As<sql::CreateTriggerStmt>(); }
};
using TriggerList = std::vector<std::shared_ptr<const TriggerInfo>>;

struct TableInfo;
// A foreign key of `table` (its foreign_keys[index]).
struct ForeignKeyRefBy {
  const TableInfo* table = nullptr;
  size_t index = 0;
};

// How rows inserted without a primary key value get one (id_strategy.h).
enum class IdStrategy : uint8_t { kAutoIncrement, kUuidV7, kUuidV4, kSnowflake };

struct TableInfo {
  uint64_t id = 0;
  // The id under which SequenceAllocator keeps this table's column
  // sequences (SERIAL, identity, AUTO_INCREMENT, id strategies). It starts
  // as `id`; TRUNCATE ... RESTART IDENTITY gives the table a fresh one in
  // its catalog row, which restarts every sequence at 1 yet commits or
  // rolls back with the transaction, although the allocator itself is not
  // transactional.
  uint64_t sequence_id = 0;
  std::string name;
  std::vector<ColumnInfo> columns;
  // Primary key column positions; empty: rows are keyed by a hidden row id.
  std::vector<int> primary_key;
  // WITH ID_STRATEGY = ... [, MACHINE_ID = n]: applies to the one primary
  // key column.
  IdStrategy id_strategy = IdStrategy::kAutoIncrement;
  uint32_t machine_id = 0;
  std::vector<const sql::Expr*> checks;  // in `definition`
  std::vector<ForeignKeyInfo> foreign_keys;
  // The foreign keys (of any table, this one included) that reference
  // this table; filled when the catalog loads.
  std::vector<ForeignKeyRefBy> referenced_by;
  std::vector<std::shared_ptr<const IndexInfo>> indexes;
  TriggerList triggers;  // in name order
  txn::TreeId tree = 0;
  std::string sql;  // canonical CREATE TABLE
  std::shared_ptr<const sql::Statement> definition;
  // What the last ANALYZE found; null when the table was never analysed.
  std::shared_ptr<const TableStats> stats;

  // columns[i].type for each column, kept beside `columns` by whoever fills
  // them (SetColumnTypes), so that encoding a row allocates nothing.
  std::vector<DataType> column_types;

  int FindColumn(std::string_view column) const;
  const std::vector<DataType>& types() const {
    assert(column_types.size() == columns.size() && "SetColumnTypes() after filling columns");
    return column_types;
  }
  void SetColumnTypes();
};

struct ViewInfo {
  std::string name;
  std::vector<std::string> columns;  // declared column names; may be empty
  std::string sql;                   // canonical CREATE VIEW
  std::shared_ptr<const sql::Statement> definition;
  TriggerList triggers;  // INSTEAD OF triggers, in name order
  const sql::Query& query() const;
};

class Catalog {
 public:
  // Reads the catalog as `txn` sees it.
  static Result<std::shared_ptr<const Catalog>> Load(txn::TxnEngine* engine, txn::Transaction* txn,
                                                     txn::TreeId catalog_tree);

  uint64_t version() const { return version_; }
  const TableInfo* FindTable(std::string_view name) const;
  const ViewInfo* FindView(std::string_view name) const;
  const IndexInfo* FindIndex(std::string_view name) const;
  const TriggerInfo* FindTrigger(std::string_view name) const;
  std::vector<std::string> TableAndViewNames() const;
  // CREATE statements for `name` (table or view) and its indexes, or for
  // everything when `name` is empty.
  std::vector<std::string> SchemaSql(std::string_view name) const;

 private:
  // Attaches each table's statistics row, if any (TableInfo::stats).
  static Status LoadStatistics(txn::Transaction* txn, txn::TreeId catalog_tree, Catalog* catalog);

  uint64_t version_ = 0;
  std::map<std::string, std::shared_ptr<TableInfo>, std::less<>> tables_;
  std::map<std::string, std::shared_ptr<ViewInfo>, std::less<>> views_;
  std::map<std::string, std::shared_ptr<const IndexInfo>, std::less<>> indexes_;
  std::map<std::string, std::shared_ptr<const TriggerInfo>, std::less<>> triggers_;
};

// Whether two loads of a table describe the same thing to a writer: same
// data tree, definition, sequences, indexes, triggers and referencing keys.
bool SameDefinition(const TableInfo& a, const TableInfo& b);

// A CHECK, UNIQUE, PRIMARY KEY or FOREIGN KEY constraint of a definition:
// a column constraint (constraints[index] of columns[column]) or a table
// constraint (constraints[index]), with its name, given or default.
struct NamedConstraint {
  std::string name;
  sql::TableConstraintKind kind = sql::TableConstraintKind::kCheck;
  int column = -1;  // -1: a table constraint
  size_t index = 0;
};

// Every CHECK, UNIQUE, PRIMARY KEY and FOREIGN KEY constraint of `def`,
// column constraints first (in column order), then table constraints, each
// with its name: as given, or PostgreSQL's default (<table>_pkey,
// <table>_<columns>_key, <table>_<columns>_fkey, <table>_<column>_check or
// <table>_check) with 1, 2, ... appended while the name is taken. The one
// source of constraint names: implicit unique indexes and foreign keys are
// named by it, and ALTER TABLE ... DROP CONSTRAINT finds them by it.
std::vector<NamedConstraint> ConstraintNames(const sql::CreateTableStmt& def);
// Writes every constraint's name into `def`, so that removing one never
// renames another (`t_check1` does not become `t_check` when `t_check` goes).
void NameConstraints(sql::CreateTableStmt* def);

// Resolves a foreign key of `child` against its `parent` (the same table
// for a self-reference): the referenced columns must be the parent's
// primary key or a unique index's columns (42830), as many as the
// referencing ones (42830), of comparable types (42804).
Status ResolveForeignKey(ForeignKeyInfo* fk, const TableInfo& child, const TableInfo& parent);
// Applies CREATE TABLE's WITH options (ID_STRATEGY, MACHINE_ID) to a table
// whose columns and primary key are known; 22023 for an unknown option or
// value, 42P16 when the primary key cannot hold the strategy's ids.
Status ApplyTableOptions(const std::vector<sql::TableOption>& options, TableInfo* table);
// Builds a TableInfo from a CREATE TABLE statement (checks names and types;
// errors carry SQLSTATEs: 42701 duplicate column, 42P16 bad primary key,
// 42704 unknown type). Trees and ids are left zero.
Result<std::shared_ptr<TableInfo>> TableInfoFromDefinition(std::shared_ptr<const sql::Statement> def);
// Resolves an index's columns against its table (42703 unknown column).
Result<std::shared_ptr<IndexInfo>> IndexInfoFromDefinition(const sql::CreateIndexStmt& def,
                                                           const TableInfo& table);

// Catalog writes, inside the DDL's transaction.
class CatalogWriter {
 public:
  CatalogWriter(txn::TxnEngine* engine, txn::Transaction* txn, txn::TreeId catalog_tree)
      : engine_(engine), txn_(txn), tree_(catalog_tree) {}

  // A fresh object id (never reused once committed).
  Result<uint64_t> NextId();
  // Creates (or finds, after a rolled-back DDL used the name) the data
  // tree `name`: "t.<id>" for a table, "i.<id>" for an index,
  // "i.<table id>.<n>" for a table's n-th UNIQUE constraint.
  Result<txn::TreeId> TreeFor(const std::string& name);
  enum class Kind : char { kTable = 't', kView = 'v', kIndex = 'i', kTrigger = 'g' };
  // Adds an object; 42P07 if one of that name exists (also when a
  // concurrent transaction created it first). `sequence_id` is a table's
  // TableInfo::sequence_id; 0 means the same as `id`.
  Status Create(Kind kind, std::string_view name, uint64_t id, std::string_view sql, uint64_t sequence_id = 0);
  // Replaces an object's definition.
  Status Put(Kind kind, std::string_view name, uint64_t id, std::string_view sql, uint64_t sequence_id = 0);
  Status Remove(Kind kind, std::string_view name);
  // A table's statistics (ANALYZE), kept under its id so that renames do
  // not move them; DROP TABLE removes them.
  Status PutStatistics(uint64_t table_id, std::string_view bytes);
  Status RemoveStatistics(uint64_t table_id);
  // Bumps the schema version; every DDL calls it once.
  Status BumpVersion();

 private:
  txn::TxnEngine* engine_;
  txn::Transaction* txn_;
  txn::TreeId tree_;
};

// The schema version as `txn` sees it (one point read).
Result<uint64_t> ReadSchemaVersion(txn::Transaction* txn, txn::TreeId catalog_tree);

}  // namespace neuroquantum::exec
