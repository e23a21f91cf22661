// CREATE / DROP / ALTER / TRUNCATE: catalog rows written in the
// statement's transaction, so DDL commits and rolls back like data.
#include <fmt/format.h>

#include "common/log.h"
#include "exec/row_codec.h"
#include "exec/statements.h"
#include "exec/internal/row_spool.h"
#include "exec/internal/statement_util.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::exec {
namespace {

using internal::ForEachEntry;
using internal::SqlError;

// The rows of `child`, each replaced by what `map` makes of it.
class MapRows : public Operator {
 public:
  using Fn = std::function<Status(Row* in, Row* out)>;
  MapRows(OperatorPtr child, Fn map) : child_(std::move(child)), map_(std::move(map)) {}
  Status DoOpen(ExecContext* ctx) override { return child_->Open(ctx); }
  Result<bool> DoNext(Row* row) override {
    NQ_ASSIGN_OR_RETURN(bool more, child_->Next(&in_));
    if (!more) return false;
    NQ_RETURN_IF_ERROR(map_(&in_, row));
    return true;
  }
  std::string Describe() const override { return "MapRows"; }
  std::vector<const Operator*> children() const override { return {child_.get()}; }

 private:
  OperatorPtr child_;
  Fn map_;
  Row in_;
};

Status ClearTree(txn::Transaction* txn, txn::TreeId tree) {
  return ForEachEntry(txn, tree, [&](const std::string& key, const std::string&) { return txn->Delete(tree, key); });
}

// Column references named `from` become `to` in an index or key column
// list.
void RenameIndexedColumns(std::vector<sql::IndexedColumn>* cols, const std::string& from, const std::string& to) {
  for (auto& c : *cols) {
    sql::Expr* e = c.expr.get();
    if (e->kind == sql::ExprKind::kCollate) e = e->As<sql::CollateExpr>().operand.get();
    if (e->kind == sql::ExprKind::kColumnRef && e->As<sql::ColumnRefExpr>().column == from) {
      e->As<sql::ColumnRefExpr>().column = to;
    }
  }
}

// The first table other than `table` with a foreign key referencing it.
const TableInfo* OtherReferencingTable(const TableInfo& table) {
  for (const auto& by : table.referenced_by) {
    if (by.table != &table) return by.table;
  }
  return nullptr;
}

// Whether `column` of `table` takes part in a foreign key, on either side.
bool InForeignKey(const TableInfo& table, int column) {
  for (const auto& fk : table.foreign_keys) {
    if (std::find(fk.columns.begin(), fk.columns.end(), column) != fk.columns.end()) return true;
  }
  for (const auto& by : table.referenced_by) {
    const auto& cols = by.table->foreign_keys[by.index].parent_columns;
    if (std::find(cols.begin(), cols.end(), column) != cols.end()) return true;
  }
  return false;
}

bool MentionsColumn(const std::string& sql_text, const std::string& column) {
  // Conservative: any identifier-like occurrence counts.
  size_t pos = 0;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while ((pos = sql_text.find(column, pos)) != std::string::npos) {
    bool start = pos == 0 || !is_word(sql_text[pos - 1]);
    size_t end = pos + column.size();
    bool finish = end >= sql_text.size() || !is_word(sql_text[end]);
    if (start && finish) return true;
    pos = end;
  }
  return false;
}

// A trigger of `table` whose definition may name `column` (its WHEN,
// UPDATE OF or body); null if none does.
const TriggerInfo* TriggerMentioning(const TableInfo& table, const std::string& column) {
  for (const auto& trigger : table.triggers) {
    if (MentionsColumn(trigger->sql, column)) return trigger.get();
  }
  return nullptr;
}

}  // namespace

std::string ColumnTypeSql(const DataType& type) {
  if (type.id == TypeId::kNull) return "TEXT";
  return type.ToString();
}

Result<std::shared_ptr<const sql::Statement>> StatementRunner::Canonical(const sql::Statement& stmt) {
  NQ_ASSIGN_OR_RETURN(auto parsed, sql::ParseStatement(sql::ToSql(stmt)));
  return std::shared_ptr<const sql::Statement>(std::move(parsed));
}

Status StatementRunner::RequireFreeName(const std::string& name, const sql::SourcePos& pos) {
  if (catalog_->FindTable(name) || catalog_->FindView(name) || catalog_->FindIndex(name)) {
    return SqlError("42P07", fmt::format("relation \"{}\" already exists (line {}, column {})", name, pos.line,
                                         pos.column));
  }
  return Status::OK();
}

Status StatementRunner::SaveTable(CatalogWriter* writer, const TableInfo& old_table, const std::string& sql) {
  NQ_RETURN_IF_ERROR(
      writer->Put(CatalogWriter::Kind::kTable, old_table.name, old_table.id, sql, old_table.sequence_id));
  return BumpVersion(writer);
}

Status StatementRunner::BumpVersion(CatalogWriter* writer) {
  wrote_ddl_ = true;
  changed_schema_ = true;
  return writer->BumpVersion();
}

Status StatementRunner::ClearTable(const TableInfo& table) {
  for (const auto& index : table.indexes) NQ_RETURN_IF_ERROR(ClearTree(txn_, index->tree));
  return ForEachEntry(txn_, table.tree, [&](const std::string& k, const std::string&) -> Status {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    NQ_RETURN_IF_ERROR(txn_->Delete(table.tree, k));
    return Status::OK();
  });
}

Status StatementRunner::RewriteRows(const TableInfo& table, const TableInfo& new_table,
                                    const std::function<Result<Row>(Row)>& fn) {
  auto old_types = table.types();
  auto new_types = new_table.types();
  return ForEachEntry(txn_, table.tree, [&](const std::string& k, const std::string& v) -> Status {
    NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(v, old_types));
    NQ_ASSIGN_OR_RETURN(Row next, fn(std::move(row)));
    NQ_RETURN_IF_ERROR(CheckRow(new_table, &next));
    NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(next, new_types));
    NQ_RETURN_IF_ERROR(txn_->Update(table.tree, k, record));
    return Status::OK();
  });
}

Status StatementRunner::ConvertColumn(const TableInfo& table, const TableInfo& new_table, int column,
                                      const BoundExpr* convert) {
  // Every row is taken out first, then written back converted: a key that
  // changes cannot then collide with a row not yet moved.
  std::vector<std::pair<std::string, Row>> rows;
  auto old_types = table.types();
  Status taken = ForEachEntry(txn_, table.tree, [&](const std::string& k, const std::string& v) -> Status {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(v, old_types));
    NQ_RETURN_IF_ERROR(ctx_->memory->Charge(RowBytes(row) + k.size()));
    NQ_RETURN_IF_ERROR(DeleteIndexEntries(table, row, k));
    NQ_RETURN_IF_ERROR(txn_->Delete(table.tree, k));
    rows.emplace_back(k, std::move(row));
    return Status::OK();
  });
  NQ_RETURN_IF_ERROR(taken);
  const DataType& type = new_table.columns[column].type;
  auto new_types = new_table.types();
  for (auto& [key, row] : rows) {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    Value v = row[column];
    if (convert) {
      NQ_ASSIGN_OR_RETURN(v, Evaluate(*convert, row, ctx_));
    }
    auto cast = v.CastTo(type, /*assignment=*/true);
    if (!cast.ok()) {
      return Status(cast.status().code(), fmt::format("column \"{}\" cannot be converted to {}: {}",
                                                      new_table.columns[column].name, type.ToString(),
                                                      cast.status().message()))
          .WithSqlState(SqlState(cast.status()));
    }
    row[column] = std::move(*cast);
    NQ_RETURN_IF_ERROR(CheckRow(new_table, &row));
    std::string new_key = key;
    if (!new_table.primary_key.empty()) {
      NQ_ASSIGN_OR_RETURN(new_key, RowKey(new_table, row));
    }
    NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(row, new_types));
    Status s = txn_->Insert(new_table.tree, new_key, record);
    if (s.code() == StatusCode::kAlreadyExists) {
      return SqlError("23505", fmt::format("converting column \"{}\" makes primary key values of \"{}\" equal",
                                           new_table.columns[column].name, new_table.name));
    }
    NQ_RETURN_IF_ERROR(s);
    NQ_RETURN_IF_ERROR(InsertIndexEntries(new_table, row, new_key));
  }
  return Status::OK();
}

Result<std::unique_ptr<ResultSource>> StatementRunner::CreateTable(const sql::CreateTableStmt& stmt) {
  const std::string& name = stmt.name.name;
  if (catalog_->FindTable(name) || catalog_->FindView(name)) {
    if (stmt.if_not_exists) return CommandResult("CREATE TABLE");
  }
  NQ_RETURN_IF_ERROR(RequireFreeName(name, stmt.name.pos));
  std::shared_ptr<const sql::Statement> def;
  RowSpool rows(ctx_);  // AS query's rows, in memory or spilled
  if (stmt.as_query) {
    NQ_ASSIGN_OR_RETURN(BoundQuery q, binder_.BindQuery(*stmt.as_query));
    NQ_RETURN_IF_ERROR(q.root->Open(ctx_));
    // A column whose type the query leaves open takes its first non-NULL
    // value's.
    std::vector<DataType> types = q.types;
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, q.root->Next(&row));
      if (!more) break;
      for (size_t i = 0; i < types.size() && i < row.size(); ++i) {
        if (types[i].id == TypeId::kNull) types[i] = DataType::Of(row[i].kind());
      }
      NQ_RETURN_IF_ERROR(rows.Add(std::move(row)));
      row = Row();
    }
    std::string text = fmt::format("CREATE TABLE {} (", sql::QuoteIdentifier(name));
    for (size_t i = 0; i < q.names.size(); ++i) {
      DataType t = types[i];
      if (t.id == TypeId::kBigInt) t = DataType::Of(TypeId::kBigInt);
      text += fmt::format("{}{} {}", i ? ", " : "", sql::QuoteIdentifier(q.names[i]), ColumnTypeSql(t));
    }
    text += ")";
    NQ_ASSIGN_OR_RETURN(auto parsed, sql::ParseStatement(text));
    def = std::move(parsed);
  } else {
    NQ_ASSIGN_OR_RETURN(def, Canonical(stmt));
  }
  NQ_ASSIGN_OR_RETURN(auto table, TableInfoFromDefinition(def));
  // Constraint names are unique in the table (42710), and a UNIQUE
  // constraint's index takes a relation name (42P07).
  std::set<std::string> given;
  for (const auto& c : ConstraintNames(def->As<sql::CreateTableStmt>())) {
    if (!given.insert(c.name).second) {
      return SqlError("42710", fmt::format("constraint \"{}\" for relation \"{}\" already exists", c.name, name));
    }
  }
  for (const auto& index : table->indexes) NQ_RETURN_IF_ERROR(RequireFreeName(index->name, stmt.name.pos));
  // Defaults are constants; CHECKs see only the row.
  for (const auto& c : table->columns) {
    if (c.default_expr) NQ_RETURN_IF_ERROR(binder_.BindConstantExpr(*c.default_expr).status());
  }
  for (const sql::Expr* check : table->checks) {
    NQ_RETURN_IF_ERROR(binder_.BindTableExpr(*check, *table, "", false).status());
  }
  // The parents' deletes and updates must now see the new keys: lock them
  // before drawing an id, whose counter row other DDL waits for.
  for (const auto& fk : table->foreign_keys) {
    if (fk.parent == table->name) continue;
    if (const TableInfo* parent = catalog_->FindTable(fk.parent)) {
      NQ_RETURN_IF_ERROR(LockTable(*parent, txn::LockMode::kExclusive));
    }
  }
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  NQ_ASSIGN_OR_RETURN(table->id, writer.NextId());
  table->sequence_id = table->id;
  // A rolled-back CREATE TABLE may have drawn this id and used sequences
  // under it; the new table's start at 1.
  NQ_RETURN_IF_ERROR(engine_->sequences()->Forget(table->id));
  NQ_ASSIGN_OR_RETURN(table->tree, writer.TreeFor(fmt::format("t.{}", table->id)));
  for (size_t i = 0; i < table->indexes.size(); ++i) {
    auto index = std::make_shared<IndexInfo>(*table->indexes[i]);
    index->id = table->id;
    NQ_ASSIGN_OR_RETURN(index->tree, writer.TreeFor(fmt::format("i.{}.{}", table->id, i)));
    table->indexes[i] = std::move(index);
  }
  // Foreign keys reference existing tables (or this one).
  for (auto& fk : table->foreign_keys) {
    const TableInfo* parent = fk.parent == table->name ? table.get() : catalog_->FindTable(fk.parent);
    if (!parent) {
      return SqlError(catalog_->FindView(fk.parent) ? "42809" : "42P01",
                      fmt::format("foreign key \"{}\": referenced table \"{}\" does not exist", fk.name, fk.parent));
    }
    NQ_RETURN_IF_ERROR(ResolveForeignKey(&fk, *table, *parent));
  }
  NQ_RETURN_IF_ERROR(writer.Create(CatalogWriter::Kind::kTable, name, table->id, table->sql));
  NQ_RETURN_IF_ERROR(BumpVersion(&writer));
  Row row;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, rows.Next(&row));
    if (!more) break;
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    NQ_RETURN_IF_ERROR(CheckRow(*table, &row));
    NQ_ASSIGN_OR_RETURN(std::string key, RowKey(*table, row));
    NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(row, table->types()));
    NQ_RETURN_IF_ERROR(txn_->Insert(table->tree, key, record));
    NQ_RETURN_IF_ERROR(InsertIndexEntries(*table, row, key));
  }
  auto result = CommandResult(stmt.as_query ? "SELECT" : "CREATE TABLE");
  result->rows_affected = rows.size();
  return result;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::CreateIndex(const sql::CreateIndexStmt& stmt) {
  const TableInfo* table = catalog_->FindTable(stmt.table.name);
  if (!table) {
    if (catalog_->FindView(stmt.table.name)) {
      return SqlError("42809", fmt::format("\"{}\" is a view; indexes need a table", stmt.table.name));
    }
    return SqlError("42P01", fmt::format("relation \"{}\" does not exist", stmt.table.name));
  }
  NQ_RETURN_IF_ERROR(LockTable(*table, txn::LockMode::kExclusive));
  if (catalog_->FindIndex(stmt.name.name) && stmt.if_not_exists) return CommandResult("CREATE INDEX");
  NQ_RETURN_IF_ERROR(RequireFreeName(stmt.name.name, stmt.name.pos));
  NQ_ASSIGN_OR_RETURN(auto canonical, Canonical(stmt));
  NQ_ASSIGN_OR_RETURN(auto index, IndexInfoFromDefinition(canonical->As<sql::CreateIndexStmt>(), *table));
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  NQ_ASSIGN_OR_RETURN(index->id, writer.NextId());
  NQ_ASSIGN_OR_RETURN(index->tree, writer.TreeFor(fmt::format("i.{}", index->id)));
  // The entries (index key, primary key) of every row, sorted by index key
  // (spilling past the memory budget like ORDER BY), then inserted in
  // order: each insert lands next to the previous one, so the index is
  // filled left to right instead of at random places.
  auto entries = std::make_unique<MapRows>(
      MakeTableScan(std::shared_ptr<const TableInfo>(catalog_, table), nullptr, /*with_key=*/true),
      [&](Row* in, Row* out) -> Status {
        std::string pk = in->back().str();
        in->pop_back();
        bool unique_form = false;
        NQ_ASSIGN_OR_RETURN(std::string key, IndexKey(*index, *table, *in, pk, &unique_form));
        out->resize(2);
        (*out)[0] = Value::Blob(std::move(key));
        (*out)[1] = Value::Blob(std::move(pk));
        return Status::OK();
      });
  OperatorPtr sorted = MakeSort(std::move(entries), {SortKey{0, false, true}});
  NQ_RETURN_IF_ERROR(sorted->Open(ctx_));
  Row entry;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, sorted->Next(&entry));
    if (!more) break;
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    Status s = txn_->Insert(index->tree, entry[0].str(), entry[1].str());
    if (s.code() == StatusCode::kAlreadyExists) {
      return SqlError("23505",
                      fmt::format("could not create unique index \"{}\": key is duplicated", index->name));
    }
    NQ_RETURN_IF_ERROR(s);
  }
  NQ_RETURN_IF_ERROR(writer.Create(CatalogWriter::Kind::kIndex, index->name, index->id, index->sql));
  NQ_RETURN_IF_ERROR(BumpVersion(&writer));
  return CommandResult("CREATE INDEX");
}

Result<std::unique_ptr<ResultSource>> StatementRunner::CreateView(const sql::CreateViewStmt& stmt) {
  const std::string& name = stmt.name.name;
  if ((catalog_->FindTable(name) || catalog_->FindView(name)) && stmt.if_not_exists) return CommandResult("CREATE VIEW");
  NQ_RETURN_IF_ERROR(RequireFreeName(name, stmt.name.pos));
  NQ_ASSIGN_OR_RETURN(BoundQuery q, binder_.BindQuery(*stmt.query));
  if (!stmt.columns.empty() && stmt.columns.size() != q.names.size()) {
    return SqlError("42601", fmt::format("view \"{}\" names {} columns but its query has {}", name,
                                         stmt.columns.size(), q.names.size()));
  }
  NQ_ASSIGN_OR_RETURN(auto canonical, Canonical(stmt));
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  NQ_RETURN_IF_ERROR(writer.Create(CatalogWriter::Kind::kView, name, 0, sql::ToSql(*canonical)));
  NQ_RETURN_IF_ERROR(BumpVersion(&writer));
  return CommandResult("CREATE VIEW");
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Drop(const sql::DropStmt& stmt) {
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  bool changed = false;
  std::string command;
  for (const auto& n : stmt.names) {
    const std::string& name = n.name;
    switch (stmt.object) {
      case sql::ObjectKind::kTable: {
        command = "DROP TABLE";
        const TableInfo* table = catalog_->FindTable(name);
        if (!table) {
          if (catalog_->FindView(name)) {
            return SqlError("42809", fmt::format("\"{}\" is not a table; use DROP VIEW", name));
          }
          if (stmt.if_exists) continue;
          return SqlError("42P01", fmt::format("table \"{}\" does not exist", name));
        }
        NQ_RETURN_IF_ERROR(LockTable(*table, txn::LockMode::kExclusive));
        if (const TableInfo* child = OtherReferencingTable(*table)) {
          bool dropped_too = false;
          for (const auto& other : stmt.names) dropped_too |= other.name == child->name;
          if (!dropped_too) {
            return SqlError("2BP01", fmt::format("cannot drop table \"{}\" because foreign key constraints of "
                                                 "table \"{}\" reference it", name, child->name));
          }
        }
        NQ_RETURN_IF_ERROR(ClearTable(*table));
        for (const auto& index : table->indexes) {
          if (!index->implicit) NQ_RETURN_IF_ERROR(writer.Remove(CatalogWriter::Kind::kIndex, index->name));
        }
        for (const auto& trigger : table->triggers) {
          NQ_RETURN_IF_ERROR(writer.Remove(CatalogWriter::Kind::kTrigger, trigger->name));
        }
        if (table->stats) NQ_RETURN_IF_ERROR(writer.RemoveStatistics(table->id));
        NQ_RETURN_IF_ERROR(writer.Remove(CatalogWriter::Kind::kTable, name));
        break;
      }
      case sql::ObjectKind::kView: {
        command = "DROP VIEW";
        const ViewInfo* view = catalog_->FindView(name);
        if (!view) {
          if (catalog_->FindTable(name)) {
            return SqlError("42809", fmt::format("\"{}\" is not a view; use DROP TABLE", name));
          }
          if (stmt.if_exists) continue;
          return SqlError("42P01", fmt::format("view \"{}\" does not exist", name));
        }
        for (const auto& trigger : view->triggers) {
          NQ_RETURN_IF_ERROR(writer.Remove(CatalogWriter::Kind::kTrigger, trigger->name));
        }
        NQ_RETURN_IF_ERROR(writer.Remove(CatalogWriter::Kind::kView, name));
        break;
      }
      case sql::ObjectKind::kTrigger: {
        command = "DROP TRIGGER";
        bool dropped = false;
        NQ_RETURN_IF_ERROR(DropTrigger(&writer, stmt, n, &dropped));
        if (!dropped) continue;
        break;
      }
      case sql::ObjectKind::kIndex: {
        command = "DROP INDEX";
        const IndexInfo* index = catalog_->FindIndex(name);
        if (!index) {
          if (stmt.if_exists) continue;
          return SqlError("42704", fmt::format("index \"{}\" does not exist", name));
        }
        if (index->implicit) {
          return SqlError("2BP01", fmt::format("cannot drop index \"{}\" because a UNIQUE constraint of table "
                                               "\"{}\" requires it", name, index->table));
        }
        if (const TableInfo* owner = catalog_->FindTable(index->table)) {
          NQ_RETURN_IF_ERROR(LockTable(*owner, txn::LockMode::kExclusive));
          for (const auto& by : owner->referenced_by) {
            if (by.table->foreign_keys[by.index].parent_index == index) {
              return SqlError("2BP01", fmt::format("cannot drop index \"{}\" because foreign key \"{}\" of table "
                                                   "\"{}\" requires it", name, by.table->foreign_keys[by.index].name,
                                                   by.table->name));
            }
          }
        }
        NQ_RETURN_IF_ERROR(ClearTree(txn_, index->tree));
        NQ_RETURN_IF_ERROR(writer.Remove(CatalogWriter::Kind::kIndex, name));
        break;
      }
    }
    changed = true;
  }
  if (changed) {
    NQ_RETURN_IF_ERROR(BumpVersion(&writer));
  }
  return CommandResult(command);
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Truncate(const sql::TruncateStmt& stmt) {
  // The tables to empty, each once: the listed ones, then (CASCADE) every
  // table referencing one already taken, to any depth.
  std::vector<const TableInfo*> tables;
  auto taken = [&](const TableInfo* table) { return std::find(tables.begin(), tables.end(), table) != tables.end(); };
  for (const auto& name : stmt.tables) {
    NQ_ASSIGN_OR_RETURN(const TableInfo* table, WritableTable(name, txn::LockMode::kExclusive));
    if (!taken(table)) tables.push_back(table);
  }
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableInfo* table = tables[i];  // `tables` grows below
    for (const auto& by : table->referenced_by) {
      if (taken(by.table)) continue;  // also a self-reference
      if (!stmt.cascade) {
        return SqlError("0A000", fmt::format("cannot truncate a table referenced in a foreign key constraint: "
                                             "table \"{}\" references \"{}\"", by.table->name, table->name));
      }
      NQ_LOG_INFO("sql", "truncate cascades to table \"{}\"", by.table->name);
      NQ_RETURN_IF_ERROR(LockTable(*by.table, txn::LockMode::kExclusive));
      tables.push_back(by.table);
    }
  }
  if (stmt.restart_identity) {
    // The allocator is not transactional, so its sequences are not reset:
    // each table moves to a fresh sequence id (starting every sequence at
    // 1) in its catalog row, which commits or rolls back with the rest.
    CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
    bool changed = false;
    for (const TableInfo* table : tables) {
      bool has_sequence = table->id_strategy == IdStrategy::kSnowflake;
      for (const auto& c : table->columns) has_sequence |= c.generated != Generated::kNone;
      if (!has_sequence) continue;
      NQ_ASSIGN_OR_RETURN(uint64_t sequence_id, writer.NextId());
      // A rolled-back DDL may have drawn, and used, the same id.
      NQ_RETURN_IF_ERROR(engine_->sequences()->Forget(sequence_id));
      NQ_RETURN_IF_ERROR(writer.Put(CatalogWriter::Kind::kTable, table->name, table->id, table->sql, sequence_id));
      changed = true;
    }
    if (changed) {
      NQ_RETURN_IF_ERROR(BumpVersion(&writer));
    }
  }
  for (const TableInfo* table : tables) NQ_RETURN_IF_ERROR(ClearTable(*table));
  return CommandResult("TRUNCATE TABLE");
}

Result<std::unique_ptr<ResultSource>> StatementRunner::AlterTable(const sql::AlterTableStmt& stmt) {
  NQ_ASSIGN_OR_RETURN(const TableInfo* table, WritableTable(stmt.table, txn::LockMode::kExclusive));
  // A private, editable copy of the definition.
  NQ_ASSIGN_OR_RETURN(auto parsed, sql::ParseStatement(table->sql));
  auto& def = parsed->As<sql::CreateTableStmt>();
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  auto rebuild = [&]() -> Result<std::shared_ptr<TableInfo>> {
    NQ_ASSIGN_OR_RETURN(auto canonical, Canonical(def));
    NQ_ASSIGN_OR_RETURN(auto info, TableInfoFromDefinition(canonical));
    info->id = table->id;
    info->sequence_id = table->sequence_id;
    info->tree = table->tree;
    info->indexes = table->indexes;
    return info;
  };
  switch (stmt.action) {
    case sql::AlterAction::kAddColumn: {
      if (table->FindColumn(stmt.column.name) >= 0) {
        if (stmt.if_not_exists) return CommandResult("ALTER TABLE");
        return SqlError("42701", fmt::format("column \"{}\" of relation \"{}\" already exists", stmt.column.name,
                                             table->name));
      }
      for (const auto& c : stmt.column.constraints) {
        if (c.kind == sql::ColumnConstraintKind::kPrimaryKey || c.kind == sql::ColumnConstraintKind::kUnique ||
            c.kind == sql::ColumnConstraintKind::kReferences) {
          return SqlError("0A000", "ADD COLUMN with PRIMARY KEY, UNIQUE or REFERENCES is not supported");
        }
      }
      // Take the column definition from a fresh parse of the statement.
      NQ_ASSIGN_OR_RETURN(auto alter, sql::ParseStatement(sql::ToSql(stmt)));
      def.columns.push_back(std::move(alter->As<sql::AlterTableStmt>().column));
      NQ_ASSIGN_OR_RETURN(auto info, rebuild());
      const ColumnInfo& added = info->columns.back();
      BoundExprPtr fill;
      if (added.default_expr) {
        NQ_ASSIGN_OR_RETURN(fill, binder_.BindConstantExpr(*added.default_expr));
      }
      uint32_t position = static_cast<uint32_t>(info->columns.size() - 1);
      NQ_RETURN_IF_ERROR(RewriteRows(*table, *info, [&](Row row) -> Result<Row> {
        static const Row kEmpty;
        Value v;
        if (fill) {
          NQ_ASSIGN_OR_RETURN(v, Evaluate(*fill, kEmpty, ctx_));
        } else if (added.generated != Generated::kNone) {
          NQ_ASSIGN_OR_RETURN(int64_t id, engine_->sequences()->Next(info->sequence_id, position));
          v = Value::Integer(id);
        }
        row.push_back(std::move(v));
        return row;
      }));
      NQ_RETURN_IF_ERROR(SaveTable(&writer, *table, info->sql));
      break;
    }
    case sql::AlterAction::kDropColumn: {
      int c = table->FindColumn(stmt.name);
      if (c < 0) {
        if (stmt.if_exists) return CommandResult("ALTER TABLE");
        return SqlError("42703", fmt::format("column \"{}\" of relation \"{}\" does not exist", stmt.name,
                                             table->name));
      }
      if (table->columns.size() == 1) return SqlError("0A000", "cannot drop the only column of a table");
      bool used = std::find(table->primary_key.begin(), table->primary_key.end(), c) != table->primary_key.end();
      for (const auto& index : table->indexes) {
        used |= std::find(index->columns.begin(), index->columns.end(), c) != index->columns.end();
      }
      // CHECKs that stay (table constraints, other columns' constraints)
      // must not read the column; the column's own go with it.
      for (const auto& tc : def.constraints) used |= tc.check && MentionsColumn(sql::ToSql(*tc.check), stmt.name);
      for (size_t i = 0; i < def.columns.size(); ++i) {
        if (static_cast<int>(i) == c) continue;
        for (const auto& cc : def.columns[i].constraints) {
          used |= cc.kind == sql::ColumnConstraintKind::kCheck && MentionsColumn(sql::ToSql(*cc.expr), stmt.name);
        }
      }
      used |= InForeignKey(*table, c);
      if (used) {
        return SqlError("2BP01", fmt::format("cannot drop column \"{}\": a key, index or constraint uses it",
                                             stmt.name));
      }
      if (const TriggerInfo* trigger = TriggerMentioning(*table, stmt.name)) {
        return SqlError("2BP01", fmt::format("cannot drop column \"{}\": trigger \"{}\" may use it (drop the "
                                             "trigger first)",
                                             stmt.name, trigger->name));
      }
      // Sequences are kept by column position: a later SERIAL, identity or
      // Snowflake key column would move off its sequence.
      for (size_t i = static_cast<size_t>(c) + 1; i < table->columns.size(); ++i) {
        bool strategy_key =
            table->id_strategy == IdStrategy::kSnowflake && table->primary_key[0] == static_cast<int>(i);
        if (table->columns[i].generated != Generated::kNone || strategy_key) {
          return SqlError("0A000", fmt::format("dropping column \"{}\" before the generated column \"{}\" is not "
                                               "supported",
                                               stmt.name, table->columns[i].name));
        }
      }
      // The other constraints keep their names; a CHECK written on the
      // column that does not read it stays, as a table constraint.
      NameConstraints(&def);
      for (auto& cc : def.columns[c].constraints) {
        if (cc.kind != sql::ColumnConstraintKind::kCheck || MentionsColumn(sql::ToSql(*cc.expr), stmt.name)) continue;
        sql::TableConstraint kept;
        kept.kind = sql::TableConstraintKind::kCheck;
        kept.name = cc.name;
        kept.check = std::move(cc.expr);
        def.constraints.push_back(std::move(kept));
      }
      def.columns.erase(def.columns.begin() + c);
      NQ_ASSIGN_OR_RETURN(auto info, rebuild());
      NQ_RETURN_IF_ERROR(RewriteRows(*table, *info, [&](Row row) -> Result<Row> {
        row.erase(row.begin() + c);
        return row;
      }));
      NQ_RETURN_IF_ERROR(SaveTable(&writer, *table, info->sql));
      break;
    }
    case sql::AlterAction::kRenameColumn: {
      int c = table->FindColumn(stmt.name);
      if (c < 0) {
        return SqlError("42703", fmt::format("column \"{}\" of relation \"{}\" does not exist", stmt.name,
                                             table->name));
      }
      if (table->FindColumn(stmt.new_name) >= 0) {
        return SqlError("42701", fmt::format("column \"{}\" of relation \"{}\" already exists", stmt.new_name,
                                             table->name));
      }
      for (const sql::Expr* check : table->checks) {
        if (MentionsColumn(sql::ToSql(*check), stmt.name)) {
          return SqlError("0A000", "renaming a column that a CHECK constraint uses is not supported");
        }
      }
      if (InForeignKey(*table, c)) {
        return SqlError("0A000", "renaming a column that a foreign key uses is not supported");
      }
      if (const TriggerInfo* trigger = TriggerMentioning(*table, stmt.name)) {
        return SqlError("0A000", fmt::format("renaming a column that trigger \"{}\" may use is not supported",
                                             trigger->name));
      }
      def.columns[c].name = stmt.new_name;
      for (auto& tc : def.constraints) RenameIndexedColumns(&tc.columns, stmt.name, stmt.new_name);
      NQ_ASSIGN_OR_RETURN(auto info, rebuild());
      for (const auto& index : table->indexes) {
        if (index->implicit) continue;
        NQ_ASSIGN_OR_RETURN(auto idx, sql::ParseStatement(index->sql));
        RenameIndexedColumns(&idx->As<sql::CreateIndexStmt>().columns, stmt.name, stmt.new_name);
        NQ_RETURN_IF_ERROR(writer.Put(CatalogWriter::Kind::kIndex, index->name, index->id, sql::ToSql(*idx)));
      }
      NQ_RETURN_IF_ERROR(SaveTable(&writer, *table, info->sql));
      break;
    }
    case sql::AlterAction::kAlterColumnType: {
      int c = table->FindColumn(stmt.column.name);
      if (c < 0) {
        return SqlError("42703", fmt::format("column \"{}\" of relation \"{}\" does not exist", stmt.column.name,
                                             table->name));
      }
      bool strategy_key = table->id_strategy != IdStrategy::kAutoIncrement && table->primary_key[0] == c;
      if (table->columns[c].generated != Generated::kNone || strategy_key) {
        return SqlError("0A000", fmt::format("cannot change the type of generated column \"{}\"", stmt.column.name));
      }
      if (InForeignKey(*table, c)) {
        return SqlError("0A000", fmt::format("cannot change the type of column \"{}\": a foreign key uses it",
                                             stmt.column.name));
      }
      BoundExprPtr convert;
      if (stmt.using_expr) {
        NQ_ASSIGN_OR_RETURN(convert, binder_.BindTableExpr(*stmt.using_expr, *table, ""));
      }
      def.columns[c].type = *stmt.column.type;
      NQ_ASSIGN_OR_RETURN(auto info, rebuild());
      if (info->columns[c].type.id == TypeId::kInterval) {
        for (const auto& index : info->indexes) {
          if (std::find(index->columns.begin(), index->columns.end(), c) != index->columns.end()) {
            return SqlError("0A000", fmt::format("column \"{}\": INTERVAL columns cannot be part of a key or index",
                                                 stmt.column.name));
          }
        }
      }
      NQ_RETURN_IF_ERROR(ConvertColumn(*table, *info, c, convert.get()));
      NQ_RETURN_IF_ERROR(SaveTable(&writer, *table, info->sql));
      break;
    }
    case sql::AlterAction::kAddConstraint:
    case sql::AlterAction::kDropConstraint:
      return AlterConstraint(stmt, *table, &def);
    case sql::AlterAction::kRenameTable: {
      NQ_RETURN_IF_ERROR(RequireFreeName(stmt.name, stmt.table.pos));
      if (!table->referenced_by.empty() || !table->foreign_keys.empty()) {
        return SqlError("0A000", "renaming a table that takes part in a foreign key is not supported");
      }
      def.name.name = stmt.name;
      NQ_ASSIGN_OR_RETURN(auto canonical, Canonical(def));
      NQ_RETURN_IF_ERROR(writer.Remove(CatalogWriter::Kind::kTable, table->name));
      NQ_RETURN_IF_ERROR(writer.Create(CatalogWriter::Kind::kTable, stmt.name, table->id, sql::ToSql(*canonical),
                                       table->sequence_id));
      for (const auto& index : table->indexes) {
        if (index->implicit) continue;
        NQ_ASSIGN_OR_RETURN(auto idx, sql::ParseStatement(index->sql));
        idx->As<sql::CreateIndexStmt>().table.name = stmt.name;
        NQ_RETURN_IF_ERROR(writer.Put(CatalogWriter::Kind::kIndex, index->name, index->id, sql::ToSql(*idx)));
      }
      // Triggers follow their table; their bodies are left as written.
      for (const auto& trigger : table->triggers) {
        NQ_ASSIGN_OR_RETURN(auto moved, sql::ParseStatement(trigger->sql));
        moved->As<sql::CreateTriggerStmt>().table.name = stmt.name;
        NQ_RETURN_IF_ERROR(writer.Put(CatalogWriter::Kind::kTrigger, trigger->name, 0, sql::ToSql(*moved)));
      }
      NQ_RETURN_IF_ERROR(BumpVersion(&writer));
      break;
    }
  }
  return CommandResult("ALTER TABLE");
}

}  // namespace neuroquantum::exec
