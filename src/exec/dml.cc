// INSERT, UPDATE and DELETE, and the row and index storage they share.
#include <fmt/format.h>

#include <chrono>
#include <set>

#include "common/log.h"
#include "exec/id_strategy.h"
#include "exec/row_codec.h"
#include "exec/statements.h"
#include "exec/internal/row_spool.h"
#include "exec/internal/statement_util.h"
#include "sql/printer.h"

namespace neuroquantum::exec {
namespace {

// An UPDATE or DELETE without WHERE touches every row of its table: often
// a mistake, so it leaves a line in the log.
void WarnUnfiltered(std::string_view command, const TableInfo& table, uint64_t rows) {
  NQ_LOG_WARN("sql", "{} without WHERE on table \"{}\": {} rows affected", command, table.name, rows);
}

// Hidden row ids use this sequence column number.
constexpr uint32_t kRowIdSequence = 0xffffffff;

using internal::SqlError;

Status UniqueSqlError(std::string_view constraint) {
  return Status::AlreadyExists(fmt::format("duplicate key value violates unique constraint \"{}\"", constraint))
      .WithSqlState("23505");
}

std::string PrimaryKeyName(const TableInfo& table) { return table.name + "_pkey"; }

// A DML statement's WITH clause, in scope for as long as this lives.
class WithScope {
 public:
  WithScope(Binder* binder, const std::optional<sql::WithClause>& with) : binder_(with ? binder : nullptr) {
    if (binder_) binder_->PushWith(*with);
  }
  ~WithScope() {
    if (binder_) binder_->PopWith();
  }
  WithScope(const WithScope&) = delete;
  WithScope& operator=(const WithScope&) = delete;

 private:
  Binder* binder_;
};

}  // namespace

Result<const TableInfo*> StatementRunner::WritableTable(const sql::QualifiedName& name, txn::LockMode mode) {
  if (const TableInfo* t = catalog_->FindTable(name.name)) {
    NQ_RETURN_IF_ERROR(LockTable(*t, mode));
    return t;
  }
  if (catalog_->FindView(name.name)) {
    return Status::InvalidArgument(fmt::format("cannot change view \"{}\"", name.name)).WithSqlState("42809");
  }
  return Status::InvalidArgument(fmt::format("relation \"{}\" does not exist (line {}, column {})", name.name,
                                             name.pos.line, name.pos.column))
      .WithSqlState("42P01");
}

Status StatementRunner::LockTable(const TableInfo& table, txn::LockMode mode) {
  bool first = false;
  NQ_RETURN_IF_ERROR(txn_->LockObject(table.tree, mode, &first));
  // Build from every committed row: the writers it waited for included.
  if (mode == txn::LockMode::kExclusive) txn_->RefreshStatementSnapshot();
  if (!first || changed_schema_ || ctx_->txn_changed_schema || engine_->schema_epoch() == ctx_->catalog_epoch) {
    return Status::OK();
  }
  // Some DDL committed after this statement's catalog was read: is it this
  // table's? (Rare; a full load of the committed catalog is affordable.)
  // A DDL that held the lock released it before its commit became visible.
  engine_->txn()->AwaitAppendedCommits();
  NQ_ASSIGN_OR_RETURN(auto committed, engine_->CommittedCatalog());
  const TableInfo* now = committed->FindTable(table.name);
  if (now != nullptr && SameDefinition(table, *now)) return Status::OK();
  Status changed = Status::SerializationFailure(
                       fmt::format("could not serialize access: table \"{}\" was changed by a concurrent "
                                   "transaction", table.name))
                       .WithSqlState("40001");
  // Held, but not vouched for: a retry (after ROLLBACK TO SAVEPOINT) checks
  // again.
  txn_->ForgetObjectLock(table.tree);
  if (txn_->isolation() >= txn::IsolationLevel::kRepeatableRead || ctx_->restart == nullptr) {
    return txn_->Doom(changed);
  }
  *ctx_->restart = true;
  return changed;
}

Result<std::string> StatementRunner::RowKey(const TableInfo& table, const Row& row) {
  storage::KeyEncoder key;
  if (table.primary_key.empty()) {
    // Hidden row ids stay under the table id, never restarted: a
    // concurrent transaction still using the old sequence could otherwise
    // hand out a key this one reuses.
    NQ_ASSIGN_OR_RETURN(int64_t id, engine_->sequences()->Next(table.id, kRowIdSequence));
    key.AddInt64(id);
  } else {
    for (int c : table.primary_key) NQ_RETURN_IF_ERROR(AppendKeyColumn(&key, row[c], table.columns[c].type));
  }
  return FinishKey(std::move(key));
}

Result<std::string> StatementRunner::FinishKey(storage::KeyEncoder key) {
  auto done = std::move(key).Finish(engine_->txn()->storage()->max_key_size());
  if (!done.ok()) return done.status().WithSqlState("54000");  // program limit exceeded
  return done;
}

Result<std::string> StatementRunner::IndexKey(const IndexInfo& index, const TableInfo& table, const Row& row,
                                              std::string_view pk, bool* unique_form) {
  storage::KeyEncoder key;
  bool has_null = false;
  for (size_t i = 0; i < index.columns.size(); ++i) {
    int c = index.columns[i];
    has_null |= row[c].is_null();
    NQ_RETURN_IF_ERROR(AppendKeyColumn(&key, row[c], table.columns[c].type,
                                       index.descending[i] ? storage::SortOrder::kDescending
                                                           : storage::SortOrder::kAscending));
  }
  *unique_form = index.unique && !has_null;
  // Other entries end with the row's key, which makes them distinct.
  if (!*unique_form) key.AddBlob(pk);
  return FinishKey(std::move(key));
}

Status StatementRunner::InsertIndexEntries(const TableInfo& table, const Row& row, std::string_view pk) {
  // Every inserted or updated row passes here once.
  ctx_->NoteWrite(table);
  for (const auto& index : table.indexes) {
    bool unique_form = false;
    NQ_ASSIGN_OR_RETURN(std::string key, IndexKey(*index, table, row, pk, &unique_form));
    Status s = txn_->Insert(index->tree, key, pk);
    if (s.code() == StatusCode::kAlreadyExists) return UniqueSqlError(index->name);
    NQ_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

Status StatementRunner::DeleteIndexEntries(const TableInfo& table, const Row& row, std::string_view pk) {
  for (const auto& index : table.indexes) {
    bool unique_form = false;
    NQ_ASSIGN_OR_RETURN(std::string key, IndexKey(*index, table, row, pk, &unique_form));
    NQ_RETURN_IF_ERROR(txn_->Delete(index->tree, key));
  }
  return Status::OK();
}

Status StatementRunner::AssignId(const TableInfo& table, Row* row) {
  const int c = table.primary_key[0];
  Value& v = (*row)[c];
  const auto column = static_cast<uint32_t>(c);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (table.id_strategy == IdStrategy::kSnowflake) {
    if (!v.is_null()) {
      // An explicit id: later ones exceed it (a bad value is CheckRow's).
      auto id = v.CastTo(DataType::Of(TypeId::kBigInt), true);
      if (id.ok()) NQ_RETURN_IF_ERROR(engine_->sequences()->Advance(table.sequence_id, column, id->integer()));
      return Status::OK();
    }
    // Ten seconds of ids are reserved on disk at a time.
    constexpr int64_t kAhead = int64_t{10000} << 22;
    NQ_ASSIGN_OR_RETURN(int64_t id, engine_->sequences()->NextChosen(
                                        table.sequence_id, column,
                                        [&](int64_t last) { return NextSnowflakeId(last, now_ms, table.machine_id); },
                                        kAhead));
    v = Value::Integer(id);
    return Status::OK();
  }
  if (!v.is_null()) return Status::OK();
  std::string bytes = table.id_strategy == IdStrategy::kUuidV4 ? NewUuidV4() : NewUuidV7(now_ms);
  v = table.columns[c].type.id == TypeId::kBlob ? Value::Blob(std::move(bytes)) : Value::Text(FormatUuid(bytes));
  return Status::OK();
}

Status StatementRunner::CheckRow(const TableInfo& table, Row* row) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnInfo& col = table.columns[i];
    Value& v = (*row)[i];
    if (v.is_null()) {
      if (col.not_null) {
        return SqlError("23502", fmt::format("null value in column \"{}\" of relation \"{}\" violates not-null "
                                              "constraint", col.name, table.name));
      }
      continue;
    }
    // The common case, a value already of its column's type, stays as is.
    if (v.kind() == TypeId::kBigInt && col.type.is_integer()) {
      if (v.integer() >= IntegerMin(col.type.id) && v.integer() <= IntegerMax(col.type.id)) continue;
    } else if (v.kind() == TypeId::kText && col.type.id == TypeId::kText) {
      continue;
    }
    DataType target = col.type;
    if (!engine_->options().check_string_length && (target.id == TypeId::kVarchar || target.id == TypeId::kChar)) {
      target = DataType::Of(TypeId::kText);
    }
    auto cast = v.CastTo(target, /*assignment=*/true);
    if (!cast.ok()) {
      return Status(cast.status().code(), fmt::format("column \"{}\": {}", col.name, cast.status().message()))
          .WithSqlState(SqlState(cast.status()));
    }
    v = std::move(cast).value();
  }
  if (table.checks.empty()) return Status::OK();
  auto bound = checks_.find(&table);
  if (bound == checks_.end()) {
    std::vector<BoundExprPtr> exprs;
    for (const sql::Expr* check : table.checks) {
      NQ_ASSIGN_OR_RETURN(auto e, binder_.BindTableExpr(*check, table, "", false));
      exprs.push_back(std::move(e));
    }
    bound = checks_.emplace(&table, std::move(exprs)).first;
  }
  for (size_t i = 0; i < table.checks.size(); ++i) {
    NQ_ASSIGN_OR_RETURN(Value verdict, Evaluate(*bound->second[i], *row, ctx_));
    auto t = Truth(verdict);
    if (t && !*t) {
      return SqlError("23514", fmt::format("new row for relation \"{}\" violates check constraint \"{}\"",
                                            table.name, sql::ToSql(*table.checks[i])));
    }
  }
  return Status::OK();
}

Result<std::optional<Row>> StatementRunner::LockRow(const TableInfo& table, std::string_view pk) {
  NQ_ASSIGN_OR_RETURN(auto raw, txn_->GetForUpdate(table.tree, pk));
  if (!raw) return std::optional<Row>();
  NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(*raw, table.types()));
  return std::optional<Row>(std::move(row));
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Returning(const std::vector<sql::SelectItem>& items,
                                                                 const TableInfo& table, std::string_view alias,
                                                                 std::vector<Row> rows, std::string command,
                                                                 uint64_t affected) {
  auto result = std::make_unique<ResultSource>();
  result->command = std::move(command);
  result->rows_affected = affected;
  if (items.empty()) return result;
  std::vector<BoundExprPtr> exprs;
  for (const auto& item : items) {
    if (item.kind != sql::SelectItemKind::kExpr) {
      for (size_t i = 0; i < table.columns.size(); ++i) {
        auto e = std::make_unique<BoundExpr>(BoundKind::kColumn);
        e->index = static_cast<int>(i);
        e->type = table.columns[i].type;
        exprs.push_back(std::move(e));
        result->names.push_back(table.columns[i].name);
        result->types.push_back(table.columns[i].type);
      }
      continue;
    }
    NQ_ASSIGN_OR_RETURN(auto e, binder_.BindTableExpr(*item.expr, table, alias));
    result->names.push_back(!item.alias.empty() ? item.alias
                            : item.expr->kind == sql::ExprKind::kColumnRef
                                ? item.expr->As<sql::ColumnRefExpr>().column
                                : sql::ToSql(*item.expr));
    result->types.push_back(e->type);
    exprs.push_back(std::move(e));
  }
  for (const auto& row : rows) {
    Row out;
    for (const auto& e : exprs) {
      NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e, row, ctx_));
      out.push_back(std::move(v));
    }
    result->rows.push_back(std::move(out));
  }
  return result;
}

Status StatementRunner::ForEachTargetRow(const TableInfo& table, std::string_view alias, const sql::Expr* where,
                                         const std::function<Status(const std::string& key, Row* old)>& fn) {
  BoundExprPtr recheck;
  if (where) {
    NQ_ASSIGN_OR_RETURN(recheck, binder_.BindTableExpr(*where, table, alias));
  }
  NQ_ASSIGN_OR_RETURN(OperatorPtr scan, binder_.BindTableScan(table, alias, where, true));
  // Find the rows first, then change them (a changed row is never seen
  // again by the same statement).
  std::vector<std::string> keys;
  NQ_RETURN_IF_ERROR(scan->Open(ctx_));
  Row row;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, scan->Next(&row));
    if (!more) break;
    keys.push_back(row.back().str());
  }
  for (const auto& key : keys) {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    // Lock the row, then check the condition again on the version the lock
    // returned: a concurrent committed change may have moved it.
    NQ_ASSIGN_OR_RETURN(auto old, LockRow(table, key));
    if (!old) continue;
    if (recheck) {
      NQ_ASSIGN_OR_RETURN(bool still, EvaluatePredicate(*recheck, *old, ctx_));
      if (!still) continue;
    }
    NQ_RETURN_IF_ERROR(fn(key, &*old));
  }
  return Status::OK();
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Insert(const sql::InsertStmt& stmt,
                                                              std::unique_ptr<CachedQuery>* cache) {
  WithScope with(&binder_, stmt.with);
  if (const ViewInfo* view = ViewWithInsteadOf(stmt.table, sql::TriggerEvent::kInsert)) {
    return InsertIntoView(stmt, *view);
  }
  NQ_ASSIGN_OR_RETURN(const TableInfo* table, WritableTable(stmt.table));
  std::vector<int> targets;
  if (stmt.columns.empty()) {
    for (size_t i = 0; i < table->columns.size(); ++i) targets.push_back(static_cast<int>(i));
  } else {
    std::set<int> seen;
    for (const auto& name : stmt.columns) {
      int c = table->FindColumn(name);
      if (c < 0) {
        return SqlError("42703", fmt::format("column \"{}\" of relation \"{}\" does not exist", name, table->name));
      }
      if (!seen.insert(c).second) {
        return SqlError("42701", fmt::format("column \"{}\" specified more than once", name));
      }
      targets.push_back(c);
    }
  }
  // The source rows, computed in full before any is inserted (so
  // INSERT ... SELECT from the same table sees the old rows only); past
  // the memory budget they wait in a spill file. A VALUES list that reads
  // no table is inserted row by row as it is evaluated.
  RowSpool spool(ctx_);
  Operator* direct = nullptr;
  BoundQuery local;
  if (stmt.source == sql::InsertSource::kDefaultValues) {
    NQ_RETURN_IF_ERROR(spool.Add(Row()));
    targets.clear();
  } else {
    NQ_ASSIGN_OR_RETURN(BoundQuery * q, BoundFor(*stmt.query, cache, &local));
    if (q->names.size() != targets.size()) {
      return SqlError("42601", fmt::format("INSERT has {} expressions but {} target columns", q->names.size(),
                                            targets.size()));
    }
    NQ_RETURN_IF_ERROR(q->root->Open(ctx_));
    if (q->reads_no_tables) {
      direct = q->root.get();
    } else {
      NQ_RETURN_IF_ERROR(spool.AddAll(q->root.get()));
    }
  }
  auto next_source = [&](Row* row) { return direct != nullptr ? direct->Next(row) : spool.Next(row); };

  // A source row that gives every column in table order is the new row
  // itself; otherwise its values move to their columns and the others
  // take their defaults.
  const size_t width = table->columns.size();
  bool in_order = targets.size() == width;
  for (size_t i = 0; in_order && i < width; ++i) in_order = targets[i] == static_cast<int>(i);
  std::vector<BoundExprPtr> defaults;
  std::vector<bool> given;
  if (!in_order) {
    defaults.resize(width);
    given.assign(width, false);
    for (int c : targets) given[c] = true;
    for (size_t i = 0; i < width; ++i) {
      if (!given[i] && table->columns[i].default_expr) {
        NQ_ASSIGN_OR_RETURN(defaults[i], binder_.BindConstantExpr(*table->columns[i].default_expr));
      }
    }
  }

  std::optional<BoundUpsert> upsert;
  if (stmt.upsert) {
    NQ_ASSIGN_OR_RETURN(upsert, BindUpsert(*stmt.upsert, *table, stmt.alias));
  }

  uint64_t affected = 0;  // rows inserted, or updated by ON CONFLICT DO UPDATE
  std::vector<Row> returned;
  static const Row kEmpty;
  Row src;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, next_source(&src));
    if (!more) break;
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    Row row;
    if (in_order) {
      row = std::move(src);
    } else {
      row.resize(width);
      for (size_t i = 0; i < targets.size(); ++i) row[targets[i]] = std::move(src[i]);
    }
    for (size_t i = 0; i < width; ++i) {
      const ColumnInfo& col = table->columns[i];
      const bool is_given = in_order || given[i];
      if (!is_given && defaults[i]) {
        NQ_ASSIGN_OR_RETURN(row[i], Evaluate(*defaults[i], kEmpty, ctx_));
      }
      if (col.generated == Generated::kNone) continue;
      if (is_given && !row[i].is_null()) {
        if (col.generated == Generated::kIdentityAlways) {
          return SqlError("428C9", fmt::format("cannot insert a non-DEFAULT value into column \"{}\"; it is "
                                                "GENERATED ALWAYS", col.name));
        }
        auto v = row[i].CastTo(DataType::Of(TypeId::kBigInt), true);
        if (v.ok()) {
          NQ_RETURN_IF_ERROR(
              engine_->sequences()->Advance(table->sequence_id, static_cast<uint32_t>(i), v->integer()));
        }
      } else if (row[i].is_null()) {
        NQ_ASSIGN_OR_RETURN(int64_t id, engine_->sequences()->Next(table->sequence_id, static_cast<uint32_t>(i)));
        row[i] = Value::Integer(id);
      }
    }
    if (table->id_strategy != IdStrategy::kAutoIncrement) NQ_RETURN_IF_ERROR(AssignId(*table, &row));
    NQ_RETURN_IF_ERROR(CheckRow(*table, &row));
    if (HasTriggers(*table, sql::TriggerTiming::kBefore, sql::TriggerEvent::kInsert)) {
      bool skip = false;
      NQ_RETURN_IF_ERROR(
          FireTriggers(*table, sql::TriggerTiming::kBefore, sql::TriggerEvent::kInsert, nullptr, &row, nullptr, &skip));
      if (skip) continue;
    }
    NQ_ASSIGN_OR_RETURN(std::string key, RowKey(*table, row));
    if (upsert) {
      std::optional<Row> updated;
      NQ_ASSIGN_OR_RETURN(bool disposed, ResolveConflict(&*upsert, *table, row, key, &updated));
      if (disposed) {
        if (updated) {
          ++affected;
          if (!stmt.returning.empty()) returned.push_back(std::move(*updated));
        }
        continue;
      }
    }

    sql::ConflictAction action = stmt.on_conflict;
    if (action == sql::ConflictAction::kIgnore || action == sql::ConflictAction::kReplace) {
      // Find the rows this one collides with: by primary key and by each
      // unique index.
      std::vector<std::string> conflicts;
      if (!table->primary_key.empty()) {
        NQ_ASSIGN_OR_RETURN(auto existing, txn_->Get(table->tree, key));
        if (existing) conflicts.push_back(key);
      }
      for (const auto& index : table->indexes) {
        bool unique_form = false;
        NQ_ASSIGN_OR_RETURN(std::string ikey, IndexKey(*index, *table, row, key, &unique_form));
        if (!unique_form) continue;
        NQ_ASSIGN_OR_RETURN(auto existing, txn_->Get(index->tree, ikey));
        if (existing && *existing != key) conflicts.push_back(*existing);
      }
      if (!conflicts.empty() && action == sql::ConflictAction::kIgnore) continue;
      for (const auto& pk : conflicts) {
        NQ_ASSIGN_OR_RETURN(auto old, LockRow(*table, pk));
        if (!old) continue;
        NQ_RETURN_IF_ERROR(DeleteRow(*table, pk, *old));
      }
    }
    NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(row, table->types()));
    Status s = txn_->Insert(table->tree, key, record);
    if (s.code() == StatusCode::kAlreadyExists) return UniqueSqlError(PrimaryKeyName(*table));
    NQ_RETURN_IF_ERROR(s);
    NQ_RETURN_IF_ERROR(InsertIndexEntries(*table, row, key));
    if (!table->foreign_keys.empty()) NQ_RETURN_IF_ERROR(DeferParentCheck(*table, row, nullptr));
    NQ_RETURN_IF_ERROR(
        FireTriggers(*table, sql::TriggerTiming::kAfter, sql::TriggerEvent::kInsert, nullptr, &row, nullptr, nullptr));
    if (upsert) upsert->touched.insert(key);
    ++affected;
    if (!stmt.returning.empty()) returned.push_back(std::move(row));
  }
  return Returning(stmt.returning, *table, stmt.alias, std::move(returned), "INSERT", affected);
}

Result<std::vector<ColumnAssignment>> StatementRunner::BindAssignments(
    const std::vector<sql::Assignment>& assignments, const TableInfo& table, std::string_view alias, bool upsert) {
  std::vector<ColumnAssignment> sets;
  for (const auto& a : assignments) {
    int c = table.FindColumn(a.column);
    if (c < 0) {
      return SqlError("42703", fmt::format("column \"{}\" of relation \"{}\" does not exist", a.column, table.name));
    }
    ColumnAssignment s;
    s.column = c;
    if (a.value) {
      if (upsert) {
        NQ_ASSIGN_OR_RETURN(s.value, binder_.BindUpsertExpr(*a.value, table, alias));
      } else {
        NQ_ASSIGN_OR_RETURN(s.value, binder_.BindTableExpr(*a.value, table, alias));
      }
    } else if (table.columns[c].default_expr) {
      NQ_ASSIGN_OR_RETURN(s.value, binder_.BindConstantExpr(*table.columns[c].default_expr));
    }
    if (table.columns[c].generated == Generated::kIdentityAlways && a.value) {
      return SqlError("428C9", fmt::format("column \"{}\" can only be updated to DEFAULT", a.column));
    }
    sets.push_back(std::move(s));
  }
  return sets;
}

Result<Row> StatementRunner::ApplyAssignments(const TableInfo& table, const std::vector<ColumnAssignment>& sets,
                                              const Row& old, const Row& input) {
  Row next = old;
  for (const auto& s : sets) {
    if (s.value) {
      NQ_ASSIGN_OR_RETURN(next[s.column], Evaluate(*s.value, input, ctx_));
    } else {
      next[s.column] = Value::Null();
    }
  }
  NQ_RETURN_IF_ERROR(CheckRow(table, &next));
  return next;
}

Result<std::string> StatementRunner::ReplaceRow(const TableInfo& table, const std::string& key, const Row& old,
                                                const Row& next, const std::vector<int>* assigned, bool* skipped) {
  if (HasTriggers(table, sql::TriggerTiming::kBefore, sql::TriggerEvent::kUpdate)) {
    bool skip = false;
    NQ_RETURN_IF_ERROR(
        FireTriggers(table, sql::TriggerTiming::kBefore, sql::TriggerEvent::kUpdate, &old, &next, assigned, &skip));
    if (!skip) {
      NQ_ASSIGN_OR_RETURN(bool unchanged, StillUnchanged(table, key, old, "updated"));
      skip = !unchanged;
    }
    if (skip) {
      if (skipped) *skipped = true;
      return key;
    }
  }
  std::string new_key = key;
  if (!table.primary_key.empty()) {
    NQ_ASSIGN_OR_RETURN(new_key, RowKey(table, next));
  }
  NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(next, table.types()));
  NQ_RETURN_IF_ERROR(DeleteIndexEntries(table, old, key));
  if (new_key == key) {
    NQ_RETURN_IF_ERROR(txn_->Update(table.tree, key, record));
  } else {
    NQ_RETURN_IF_ERROR(txn_->Delete(table.tree, key));
    Status s = txn_->Insert(table.tree, new_key, record);
    if (s.code() == StatusCode::kAlreadyExists) return UniqueSqlError(PrimaryKeyName(table));
    NQ_RETURN_IF_ERROR(s);
  }
  NQ_RETURN_IF_ERROR(InsertIndexEntries(table, next, new_key));
  if (!table.foreign_keys.empty()) NQ_RETURN_IF_ERROR(DeferParentCheck(table, next, &old));
  NQ_RETURN_IF_ERROR(ActOnReferencingRows(table, old, &next));
  NQ_RETURN_IF_ERROR(
      FireTriggers(table, sql::TriggerTiming::kAfter, sql::TriggerEvent::kUpdate, &old, &next, assigned, nullptr));
  return new_key;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Update(const sql::UpdateStmt& stmt) {
  WithScope with(&binder_, stmt.with);
  if (!stmt.from.empty()) return Status::NotSupported("UPDATE ... FROM is not supported yet").WithSqlState("0A000");
  if (const ViewInfo* view = ViewWithInsteadOf(stmt.table, sql::TriggerEvent::kUpdate)) return UpdateView(stmt, *view);
  NQ_ASSIGN_OR_RETURN(const TableInfo* table, WritableTable(stmt.table));
  NQ_ASSIGN_OR_RETURN(auto sets, BindAssignments(stmt.assignments, *table, stmt.alias, /*upsert=*/false));
  std::vector<int> assigned;
  for (const auto& set : sets) assigned.push_back(set.column);
  uint64_t updated = 0;
  std::vector<Row> returned;
  Status done = ForEachTargetRow(*table, stmt.alias, stmt.where.get(), [&](const std::string& key,
                                                                          Row* old) -> Status {
    NQ_ASSIGN_OR_RETURN(Row next, ApplyAssignments(*table, sets, *old, *old));
    bool skipped = false;
    NQ_RETURN_IF_ERROR(ReplaceRow(*table, key, *old, next, &assigned, &skipped).status());
    if (skipped) return Status::OK();
    ++updated;
    if (!stmt.returning.empty()) returned.push_back(std::move(next));
    return Status::OK();
  });
  NQ_RETURN_IF_ERROR(done);
  if (stmt.where == nullptr) WarnUnfiltered("UPDATE", *table, updated);
  return Returning(stmt.returning, *table, stmt.alias, std::move(returned), "UPDATE", updated);
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Delete(const sql::DeleteStmt& stmt) {
  WithScope with(&binder_, stmt.with);
  if (const ViewInfo* view = ViewWithInsteadOf(stmt.table, sql::TriggerEvent::kDelete)) {
    return DeleteFromView(stmt, *view);
  }
  NQ_ASSIGN_OR_RETURN(const TableInfo* table, WritableTable(stmt.table));
  uint64_t deleted = 0;
  std::vector<Row> returned;
  Status done = ForEachTargetRow(*table, stmt.alias, stmt.where.get(), [&](const std::string& key,
                                                                          Row* old) -> Status {
    bool skipped = false;
    NQ_RETURN_IF_ERROR(DeleteRow(*table, key, *old, &skipped));
    if (skipped) return Status::OK();
    ++deleted;
    if (!stmt.returning.empty()) returned.push_back(std::move(*old));
    return Status::OK();
  });
  NQ_RETURN_IF_ERROR(done);
  if (stmt.where == nullptr) WarnUnfiltered("DELETE", *table, deleted);
  return Returning(stmt.returning, *table, stmt.alias, std::move(returned), "DELETE", deleted);
}

}  // namespace neuroquantum::exec
