// Triggers: CREATE / DROP TRIGGER, and running a trigger's statements for
// each row a statement inserts, updates or deletes (docs/architecture/exec.md,
// "Triggers").
//
// A trigger's WHEN and body run in a StatementRunner of their own, one
// level deeper, in the same transaction, with OLD and NEW passed as
// parameters (Binder::SetTriggerRows). The body is bound each time it runs,
// so it always sees the current catalog; a body that no longer binds (a
// table it names was dropped) fails when it fires, naming the trigger.
#include <fmt/format.h>

#include <algorithm>

#include "exec/functions.h"
#include "exec/row_codec.h"
#include "exec/statements.h"
#include "exec/internal/row_spool.h"
#include "exec/internal/statement_util.h"
#include "sql/lexer.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::exec {
namespace {

// Trigger bodies that fire triggers, that fire triggers, ...: a cycle
// (a trigger that writes its own table) stops here with 54001.
constexpr int kMaxTriggerDepth = 32;

using internal::SqlError;

// A trigger body's SELECT results go nowhere.
class DiscardRows : public RowSink {
 public:
  Status OnRow(const ResultSet&) override { return Status::OK(); }
};


// NEW and OLD shaped as `shape`'s columns (a table, or a view's output).
TriggerRows MakeRows(const TableInfo& shape, sql::TriggerEvent event) {
  TriggerRows rows;
  for (const auto& c : shape.columns) rows.names.push_back(c.name);
  rows.types = shape.types();
  rows.has_old = event != sql::TriggerEvent::kInsert;
  rows.has_new = event != sql::TriggerEvent::kDelete;
  return rows;
}

// Whether an UPDATE OF trigger fires: one of its columns is assigned (or,
// without an assignment list, changes value).
Result<bool> TouchesColumns(const sql::CreateTriggerStmt& def, const TriggerRows& rows, const Row* old,
                            const Row* next, const std::vector<int>* assigned) {
  for (const std::string& name : def.columns) {
    auto it = std::find(rows.names.begin(), rows.names.end(), name);
    if (it == rows.names.end()) {
      return SqlError("42703", fmt::format("column \"{}\" of trigger \"{}\" does not exist", name,
                                               def.name.name));
    }
    int column = static_cast<int>(it - rows.names.begin());
    if (assigned) {
      if (std::find(assigned->begin(), assigned->end(), column) != assigned->end()) return true;
      continue;
    }
    if (old && next) {
      const Value& a = (*old)[column];
      const Value& b = (*next)[column];
      if (a.is_null() != b.is_null()) return true;
      if (!a.is_null()) {
        NQ_ASSIGN_OR_RETURN(auto order, CompareForSql(a, b, false));
        if (order && *order != 0) return true;
      }
    }
  }
  return false;
}

}  // namespace

bool StatementRunner::HasTriggers(const TableInfo& table, sql::TriggerTiming timing, sql::TriggerEvent event) const {
  return std::any_of(table.triggers.begin(), table.triggers.end(), [&](const auto& t) {
    return t->stmt().timing == timing && t->stmt().event == event;
  });
}

const TriggerRows& StatementRunner::RowsOf(const TableInfo& table, sql::TriggerEvent event) {
  auto [it, fresh] = trigger_rows_.try_emplace({&table, event});
  if (fresh) it->second = MakeRows(table, event);
  return it->second;
}

Status StatementRunner::FireTriggers(const TableInfo& table, sql::TriggerTiming timing, sql::TriggerEvent event,
                                     const Row* old, const Row* next, const std::vector<int>* assigned, bool* skip) {
  if (!HasTriggers(table, timing, event)) return Status::OK();
  return FireTriggerList(table.triggers, RowsOf(table, event), timing, event, old, next, assigned, skip);
}

Status StatementRunner::FireTriggerList(const TriggerList& triggers, const TriggerRows& rows,
                                        sql::TriggerTiming timing, sql::TriggerEvent event, const Row* old,
                                        const Row* next, const std::vector<int>* assigned, bool* skip) {
  for (const auto& trigger : triggers) {
    const sql::CreateTriggerStmt& def = trigger->stmt();
    if (def.timing != timing || def.event != event) continue;
    if (!def.columns.empty()) {
      NQ_ASSIGN_OR_RETURN(bool touched, TouchesColumns(def, rows, old, next, assigned));
      if (!touched) continue;
    }
    Status s = RunTrigger(*trigger, rows, old, next);
    if (SqlState(s) == kRaiseIgnoreState) {
      // RAISE(IGNORE): this row's change and its remaining triggers are
      // abandoned; the statement goes on with the next row.
      if (skip) *skip = true;
      return Status::OK();
    }
    NQ_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

Status StatementRunner::RunTrigger(const TriggerInfo& trigger, const TriggerRows& rows, const Row* old,
                                   const Row* next) {
  if (trigger_depth_ >= kMaxTriggerDepth) {
    return SqlError("54001", fmt::format("trigger \"{}\" exceeds the trigger nesting limit of {} (a trigger "
                                             "whose statements fire it again without end?)",
                                             trigger.name, kMaxTriggerDepth));
  }
  // Each trigger body counts its own ticks (below), so a wide tree of
  // nested triggers would rarely reach CheckInterrupt's clock read: check
  // for cancellation and the deadline at every firing.
  NQ_RETURN_IF_ERROR(ctx_->CheckInterruptNow());
  // The body's plans end with this firing, and with them what they held.
  MemoryScope memory(ctx_->memory);
  const size_t n = rows.names.size();
  std::vector<Value> args(2 * n);
  for (size_t i = 0; i < n; ++i) {
    if (old) args[i] = (*old)[i];
    if (next) args[n + i] = (*next)[i];
  }
  ExecContext ctx = *ctx_;
  ctx.params = &args;  // OLD and NEW
  ctx.outer.clear();
  ctx.statement_time = ctx_->StatementTime();
  DiscardRows discard;
  StatementRunner nested(engine_, txn_, catalog_, &ctx, &discard);
  nested.trigger_depth_ = trigger_depth_ + 1;
  // Cascades count across trigger levels: one bound for the whole stack.
  nested.fk_depth_ = fk_depth_;
  nested.binder_.SetTriggerRows(&rows);
  const sql::CreateTriggerStmt& def = trigger.stmt();
  auto in_trigger = [&](const Status& s) {
    // RAISE's own message and IGNORE pass through as they are; an error
    // from a nested trigger already names the innermost one.
    if (SqlState(s) == "P0001" || SqlState(s) == kRaiseIgnoreState) return s;
    if (s.message().rfind("in trigger \"", 0) == 0) return s;
    return s.WithContext(fmt::format("in trigger \"{}\"", trigger.name));
  };
  if (def.when) {
    auto when = nested.binder_.BindConstantExpr(*def.when);
    if (!when.ok()) return in_trigger(when.status());
    static const Row kEmpty;
    auto fire = EvaluatePredicate(**when, kEmpty, &ctx);
    if (!fire.ok()) return in_trigger(fire.status());
    if (!*fire) return Status::OK();
  }
  for (const auto& statement : def.body) {
    Status s = nested.Run(*statement).status();
    if (SqlState(s) == kRaiseIgnoreState) {
      // The statement stops where RAISE(IGNORE) struck, its changes so far
      // kept (as in SQLite); the foreign keys of those changes still hold.
      Status checked = nested.FinishForeignKeys();
      return checked.ok() ? s : in_trigger(checked);
    }
    if (!s.ok()) return in_trigger(s);
  }
  return Status::OK();
}

Result<bool> StatementRunner::StillUnchanged(const TableInfo& table, const std::string& key, const Row& row,
                                             std::string_view what) {
  NQ_ASSIGN_OR_RETURN(auto raw, txn_->GetForUpdate(table.tree, key));
  if (!raw) return false;
  NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(row, table.types()));
  if (*raw == record) return true;
  return SqlError("27000", fmt::format("the row of \"{}\" to be {} was changed by a BEFORE trigger of the same "
                                           "statement",
                                           table.name, what));
}

// ---------------------------------------------------------------------------
// Views with INSTEAD OF triggers

const ViewInfo* StatementRunner::ViewWithInsteadOf(const sql::QualifiedName& name, sql::TriggerEvent event) const {
  const ViewInfo* view = catalog_->FindView(name.name);
  if (!view) return nullptr;
  bool has = std::any_of(view->triggers.begin(), view->triggers.end(), [&](const auto& t) {
    return t->stmt().timing == sql::TriggerTiming::kInsteadOf && t->stmt().event == event;
  });
  return has ? view : nullptr;
}

Status StatementRunner::ViewRows(const ViewInfo& view, std::string_view alias, const sql::Expr* where,
                                 TableInfo* shape, std::vector<Row>* rows) {
  std::string text = "SELECT * FROM " + sql::QuoteIdentifier(view.name);
  if (!alias.empty()) text += " AS " + sql::QuoteIdentifier(alias);
  if (where) text += " WHERE " + sql::ToSql(*where);
  NQ_ASSIGN_OR_RETURN(auto parsed, sql::ParseStatement(text));
  NQ_ASSIGN_OR_RETURN(BoundQuery q, binder_.BindQuery(*parsed->As<sql::SelectStmt>().query));
  shape->name = view.name;
  shape->columns.clear();
  for (size_t i = 0; i < q.names.size(); ++i) {
    ColumnInfo c;
    c.name = q.names[i];
    c.type = q.types[i];
    shape->columns.push_back(std::move(c));
  }
  shape->SetColumnTypes();
  if (!rows) return Status::OK();
  NQ_RETURN_IF_ERROR(q.root->Open(ctx_));
  return internal::DrainInto(q.root.get(), ctx_, rows);
}

namespace {

Status RefuseOnView(bool refused, std::string_view what, const ViewInfo& view) {
  if (!refused) return Status::OK();
  return SqlError("0A000", fmt::format("{} is not supported on view \"{}\" (its INSTEAD OF trigger does the "
                                           "change)",
                                           what, view.name));
}

}  // namespace

Result<std::unique_ptr<ResultSource>> StatementRunner::InsertIntoView(const sql::InsertStmt& stmt,
                                                                      const ViewInfo& view) {
  NQ_RETURN_IF_ERROR(RefuseOnView(!stmt.returning.empty(), "RETURNING", view));
  NQ_RETURN_IF_ERROR(RefuseOnView(stmt.upsert != nullptr || stmt.on_conflict != sql::ConflictAction::kNone,
                                  "ON CONFLICT / INSERT OR", view));
  TableInfo shape;
  NQ_RETURN_IF_ERROR(ViewRows(view, "", nullptr, &shape, nullptr));
  std::vector<int> targets;
  if (stmt.columns.empty()) {
    for (size_t i = 0; i < shape.columns.size(); ++i) targets.push_back(static_cast<int>(i));
  } else {
    for (const auto& name : stmt.columns) {
      int c = shape.FindColumn(name);
      if (c < 0) {
        return SqlError("42703", fmt::format("column \"{}\" of view \"{}\" does not exist", name, view.name));
      }
      if (std::find(targets.begin(), targets.end(), c) != targets.end()) {
        return SqlError("42701", fmt::format("column \"{}\" specified more than once", name));
      }
      targets.push_back(c);
    }
  }
  RowSpool source(ctx_);
  if (stmt.source == sql::InsertSource::kDefaultValues) {
    NQ_RETURN_IF_ERROR(source.Add(Row()));
    targets.clear();
  } else {
    NQ_ASSIGN_OR_RETURN(BoundQuery q, binder_.BindQuery(*stmt.query));
    if (q.names.size() != targets.size()) {
      return SqlError("42601", fmt::format("INSERT has {} expressions but {} target columns", q.names.size(),
                                               targets.size()));
    }
    NQ_RETURN_IF_ERROR(q.root->Open(ctx_));
    NQ_RETURN_IF_ERROR(source.AddAll(q.root.get()));
  }
  TriggerRows rows = MakeRows(shape, sql::TriggerEvent::kInsert);
  uint64_t affected = 0;
  Row src;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, source.Next(&src));
    if (!more) break;
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    Row row(shape.columns.size());  // columns not given are NULL: a view has no defaults
    for (size_t i = 0; i < targets.size(); ++i) row[targets[i]] = std::move(src[i]);
    bool skip = false;
    NQ_RETURN_IF_ERROR(FireTriggerList(view.triggers, rows, sql::TriggerTiming::kInsteadOf,
                                       sql::TriggerEvent::kInsert, nullptr, &row, nullptr, &skip));
    if (!skip) ++affected;
  }
  auto result = CommandResult("INSERT");
  result->rows_affected = affected;
  return result;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::UpdateView(const sql::UpdateStmt& stmt, const ViewInfo& view) {
  NQ_RETURN_IF_ERROR(RefuseOnView(!stmt.returning.empty(), "RETURNING", view));
  NQ_RETURN_IF_ERROR(RefuseOnView(stmt.on_conflict != sql::ConflictAction::kNone, "UPDATE OR", view));
  TableInfo shape;
  std::vector<Row> targets;
  NQ_RETURN_IF_ERROR(ViewRows(view, stmt.alias, stmt.where.get(), &shape, &targets));
  std::vector<ColumnAssignment> sets;
  for (const auto& a : stmt.assignments) {
    ColumnAssignment set;
    set.column = shape.FindColumn(a.column);
    if (set.column < 0) {
      return SqlError("42703", fmt::format("column \"{}\" of view \"{}\" does not exist", a.column, view.name));
    }
    if (a.value) {
      NQ_ASSIGN_OR_RETURN(set.value, binder_.BindTableExpr(*a.value, shape, stmt.alias));
    }
    sets.push_back(std::move(set));
  }
  std::vector<int> assigned;
  for (const auto& set : sets) assigned.push_back(set.column);
  TriggerRows rows = MakeRows(shape, sql::TriggerEvent::kUpdate);
  uint64_t affected = 0;
  for (const Row& old : targets) {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    Row next = old;
    for (const auto& set : sets) {
      if (set.value) {
        NQ_ASSIGN_OR_RETURN(next[set.column], Evaluate(*set.value, old, ctx_));
      } else {
        next[set.column] = Value::Null();
      }
    }
    bool skip = false;
    NQ_RETURN_IF_ERROR(FireTriggerList(view.triggers, rows, sql::TriggerTiming::kInsteadOf,
                                       sql::TriggerEvent::kUpdate, &old, &next, &assigned, &skip));
    if (!skip) ++affected;
  }
  auto result = CommandResult("UPDATE");
  result->rows_affected = affected;
  return result;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::DeleteFromView(const sql::DeleteStmt& stmt,
                                                                      const ViewInfo& view) {
  NQ_RETURN_IF_ERROR(RefuseOnView(!stmt.returning.empty(), "RETURNING", view));
  TableInfo shape;
  std::vector<Row> targets;
  NQ_RETURN_IF_ERROR(ViewRows(view, stmt.alias, stmt.where.get(), &shape, &targets));
  TriggerRows rows = MakeRows(shape, sql::TriggerEvent::kDelete);
  uint64_t affected = 0;
  for (const Row& old : targets) {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    bool skip = false;
    NQ_RETURN_IF_ERROR(FireTriggerList(view.triggers, rows, sql::TriggerTiming::kInsteadOf,
                                       sql::TriggerEvent::kDelete, &old, nullptr, nullptr, &skip));
    if (!skip) ++affected;
  }
  auto result = CommandResult("DELETE");
  result->rows_affected = affected;
  return result;
}

// ---------------------------------------------------------------------------
// CREATE / DROP TRIGGER

Result<std::unique_ptr<ResultSource>> StatementRunner::CreateTrigger(const sql::CreateTriggerStmt& stmt) {
  const std::string& name = stmt.name.name;
  if (catalog_->FindTrigger(name)) {
    if (stmt.if_not_exists) return CommandResult("CREATE TRIGGER");
    return SqlError("42710", fmt::format("trigger \"{}\" already exists (line {}, column {})", name,
                                             stmt.name.pos.line, stmt.name.pos.column));
  }
  const TableInfo* table = catalog_->FindTable(stmt.table.name);
  const ViewInfo* view = table ? nullptr : catalog_->FindView(stmt.table.name);
  if (!table && !view) {
    return SqlError("42P01", fmt::format("relation \"{}\" does not exist (line {}, column {})", stmt.table.name,
                                             stmt.table.pos.line, stmt.table.pos.column));
  }
  const bool instead = stmt.timing == sql::TriggerTiming::kInsteadOf;
  if (view && !instead) {
    return SqlError("42809", fmt::format("\"{}\" is a view: a view's triggers are INSTEAD OF triggers",
                                             view->name));
  }
  if (table && instead) {
    return SqlError("42809", fmt::format("\"{}\" is a table: INSTEAD OF triggers are for views", table->name));
  }
  if (table) NQ_RETURN_IF_ERROR(LockTable(*table, txn::LockMode::kExclusive));
  for (const auto& statement : stmt.body) {
    if (statement->kind == sql::StatementKind::kSelect || statement->kind == sql::StatementKind::kInsert ||
        statement->kind == sql::StatementKind::kUpdate || statement->kind == sql::StatementKind::kDelete) {
      continue;
    }
    return SqlError("0A000", "a trigger's statements are INSERT, UPDATE, DELETE or SELECT");
  }
  // OLD and NEW travel as parameters: $n or ? in the text would read them.
  std::vector<sql::Token> tokens;
  sql::LexError lex_error;
  if (sql::Tokenize(sql::ToSql(stmt), &tokens, &lex_error)) {
    for (const auto& token : tokens) {
      if (token.kind == sql::TokenKind::kParameter) {
        return SqlError("42P02", "a trigger cannot use parameters ($n or ?)");
      }
    }
  }
  // The shape NEW and OLD take, to check WHEN and UPDATE OF now.
  TableInfo view_shape;
  if (view) NQ_RETURN_IF_ERROR(ViewRows(*view, "", nullptr, &view_shape, nullptr));
  const TableInfo& shape = table ? *table : view_shape;
  TriggerRows rows = MakeRows(shape, stmt.event);
  for (const std::string& column : stmt.columns) {
    if (shape.FindColumn(column) < 0) {
      return SqlError("42703", fmt::format("column \"{}\" of relation \"{}\" does not exist", column,
                                               shape.name));
    }
  }
  if (stmt.when) {
    Binder check(catalog_);
    check.SetTriggerRows(&rows);
    NQ_RETURN_IF_ERROR(check.BindConstantExpr(*stmt.when).status());
  }
  NQ_ASSIGN_OR_RETURN(auto canonical, Canonical(stmt));
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  Status s = writer.Create(CatalogWriter::Kind::kTrigger, name, 0, sql::ToSql(*canonical));
  if (s.code() == StatusCode::kAlreadyExists) {
    if (stmt.if_not_exists) return CommandResult("CREATE TRIGGER");
    return SqlError("42710", fmt::format("trigger \"{}\" already exists", name));
  }
  NQ_RETURN_IF_ERROR(s);
  NQ_RETURN_IF_ERROR(BumpVersion(&writer));
  return CommandResult("CREATE TRIGGER");
}

Status StatementRunner::DropTrigger(CatalogWriter* writer, const sql::DropStmt& stmt, const sql::QualifiedName& name,
                                    bool* changed) {
  const TriggerInfo* trigger = catalog_->FindTrigger(name.name);
  if (trigger && stmt.trigger_table && trigger->table != stmt.trigger_table->name) trigger = nullptr;
  if (!trigger) {
    if (stmt.if_exists) return Status::OK();
    std::string on = stmt.trigger_table ? fmt::format(" on \"{}\"", stmt.trigger_table->name) : std::string();
    return SqlError("42704", fmt::format("trigger \"{}\"{} does not exist (line {}, column {})", name.name, on,
                                             name.pos.line, name.pos.column));
  }
  if (const TableInfo* table = catalog_->FindTable(trigger->table)) {
    NQ_RETURN_IF_ERROR(LockTable(*table, txn::LockMode::kExclusive));
  }
  NQ_RETURN_IF_ERROR(writer->Remove(CatalogWriter::Kind::kTrigger, trigger->name));
  *changed = true;
  return Status::OK();
}

}  // namespace neuroquantum::exec
