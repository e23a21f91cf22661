// FOREIGN KEY enforcement (docs/reference/qsql.md, "Foreign keys").
//
// Referencing side: a row written with all of a foreign key's columns
// non-NULL (MATCH SIMPLE) must find its parent row. The check is deferred
// to the end of the statement, as PostgreSQL does, so one statement may
// insert a parent after its child or a row that references itself; it
// locks the parent row, so a concurrent transaction cannot delete it
// before this one commits. A missing parent is a violation only while a
// row still holds the values (a later action of the statement may have
// changed them again).
//
// Referenced side: deleting a row, or changing its referenced columns,
// applies each referencing foreign key's action: CASCADE deletes or
// updates the referencing rows (through the same paths, so cascades chain),
// SET NULL / SET DEFAULT rewrite their columns, RESTRICT fails at once, NO
// ACTION (the default) fails at the end of the statement if referencing
// rows remain and no row with the old key came back. Referencing rows are
// found by scanning the referencing table (an index is not used yet).
#include <fmt/format.h>

#include <set>

#include "exec/row_codec.h"
#include "exec/statements.h"

namespace neuroquantum::exec {
namespace {

// Cascades deeper than this fail (54001) rather than exhaust the stack.
constexpr int kMaxCascadeDepth = 1000;

Status ForeignKeyViolation(std::string msg) {
  return Status::InvalidArgument(std::move(msg)).WithSqlState("23503");
}

std::vector<Value> ValuesAt(const Row& row, const std::vector<int>& columns) {
  std::vector<Value> out;
  out.reserve(columns.size());
  for (int c : columns) out.push_back(row[c]);
  return out;
}

bool AnyNull(const std::vector<Value>& values) {
  for (const auto& v : values) {
    if (v.is_null()) return true;
  }
  return false;
}

bool SameValues(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_null() != b[i].is_null() || a[i].SortCompare(b[i]) != 0) return false;
  }
  return true;
}

std::string KeyText(const TableInfo& table, const std::vector<int>& columns, const std::vector<Value>& values) {
  std::string names, shown;
  for (size_t i = 0; i < columns.size(); ++i) {
    names += (i ? ", " : "") + table.columns[columns[i]].name;
    shown += (i ? ", " : "") + values[i].ToString();
  }
  return fmt::format("({})=({})", names, shown);
}

}  // namespace

Status StatementRunner::DeferParentCheck(const TableInfo& table, const Row& row, const Row* old) {
  for (size_t i = 0; i < table.foreign_keys.size(); ++i) {
    const ForeignKeyInfo& fk = table.foreign_keys[i];
    std::vector<Value> values = ValuesAt(row, fk.columns);
    if (AnyNull(values)) continue;
    if (old && SameValues(values, ValuesAt(*old, fk.columns))) continue;
    NQ_RETURN_IF_ERROR(ctx_->memory->Charge(RowBytes(values)));
    pending_parents_.push_back({&table, i, std::move(values)});
  }
  return Status::OK();
}

Result<bool> StatementRunner::ParentExists(const TableInfo& parent, const ForeignKeyInfo& fk,
                                           const std::vector<Value>& values, bool lock) {
  Row probe(parent.columns.size());
  for (size_t k = 0; k < values.size(); ++k) {
    int c = fk.parent_columns[k];
    auto cast = values[k].CastTo(parent.columns[c].type);
    if (!cast.ok()) return false;  // no parent can hold a value that does not convert
    probe[c] = std::move(*cast);
  }
  std::string pk;
  if (!fk.parent_index) {
    NQ_ASSIGN_OR_RETURN(pk, RowKey(parent, probe));
  } else {
    bool unique_form = false;
    NQ_ASSIGN_OR_RETURN(std::string ikey, IndexKey(*fk.parent_index, parent, probe, "", &unique_form));
    NQ_ASSIGN_OR_RETURN(auto found, txn_->Get(fk.parent_index->tree, ikey));
    if (!found) return false;
    pk = *found;
  }
  if (lock) {
    NQ_ASSIGN_OR_RETURN(auto row, LockRow(parent, pk));
    return row.has_value();
  }
  NQ_ASSIGN_OR_RETURN(auto raw, txn_->Get(parent.tree, pk));
  return raw.has_value();
}

Status StatementRunner::ForEachReferencingRow(const TableInfo& child, const ForeignKeyInfo& fk,
                                              const std::vector<Value>& values,
                                              const std::function<Status(const std::string& key, Row* row)>& fn) {
  std::vector<Value> wanted;
  for (size_t k = 0; k < values.size(); ++k) {
    auto cast = values[k].CastTo(child.columns[fk.columns[k]].type);
    if (!cast.ok()) return Status::OK();  // no referencing value can equal it
    wanted.push_back(std::move(*cast));
  }
  // The keys first (`fn` may change the table), as this transaction sees
  // them and as committed now: a row another transaction committed since
  // this one's snapshot must not be missed. Locking it below reads its
  // newest version (READ COMMITTED) or fails with 40001 (REPEATABLE READ,
  // SERIALIZABLE), as PostgreSQL's referential checks do.
  std::set<std::string> keys;
  auto types = child.types();
  auto collect = [&](txn::Transaction* reader) -> Status {
    NQ_ASSIGN_OR_RETURN(auto cursor, reader->Scan(child.tree, ""));
    for (; cursor->Valid(); cursor->Next()) {
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(cursor->value(), types));
      if (SameValues(ValuesAt(row, fk.columns), wanted)) keys.emplace(cursor->key());
    }
    return cursor->status();
  };
  NQ_RETURN_IF_ERROR(collect(txn_));
  {
    engine_->txn()->AwaitAppendedCommits();
    txn::TxnOptions options;
    options.read_only = true;
    auto latest = engine_->txn()->Begin(options);
    Status s = collect(latest.get());
    (void)latest->Commit();
    NQ_RETURN_IF_ERROR(s);
  }
  for (const auto& key : keys) {
    NQ_ASSIGN_OR_RETURN(auto row, LockRow(child, key));
    // Gone, or changed by a cascade meanwhile.
    if (!row || !SameValues(ValuesAt(*row, fk.columns), wanted)) continue;
    NQ_RETURN_IF_ERROR(fn(key, &*row));
  }
  return Status::OK();
}

Status StatementRunner::ActOnReferencingRows(const TableInfo& table, const Row& old, const Row* next) {
  if (table.referenced_by.empty()) return Status::OK();
  if (++fk_depth_ > kMaxCascadeDepth) {
    --fk_depth_;
    return Status::InvalidArgument(fmt::format("foreign key actions nest more than {} levels deep",
                                               kMaxCascadeDepth))
        .WithSqlState("54001");
  }
  Status s = ApplyReferentialActions(table, old, next);
  --fk_depth_;
  return s;
}

Status StatementRunner::ApplyReferentialActions(const TableInfo& table, const Row& old, const Row* next) {
  for (const ForeignKeyRefBy& by : table.referenced_by) {
    const TableInfo& child = *by.table;
    const ForeignKeyInfo& fk = child.foreign_keys[by.index];
    std::vector<Value> values = ValuesAt(old, fk.parent_columns);
    if (AnyNull(values)) continue;
    std::vector<Value> new_values;
    if (next) {
      new_values = ValuesAt(*next, fk.parent_columns);
      if (SameValues(values, new_values)) continue;  // the key did not change
    }
    sql::ReferentialAction action = next ? fk.on_update : fk.on_delete;
    switch (action) {
      case sql::ReferentialAction::kNone:
      case sql::ReferentialAction::kNoAction:
        NQ_RETURN_IF_ERROR(ctx_->memory->Charge(RowBytes(values)));
        pending_children_.push_back({&table, &child, by.index, std::move(values)});
        break;
      case sql::ReferentialAction::kRestrict: {
        Status found = ForEachReferencingRow(child, fk, values, [&](const std::string&, Row*) -> Status {
          return ForeignKeyViolation(fmt::format(
              "{} on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\": key {} is still "
              "referenced", next ? "update" : "delete", table.name, fk.name, child.name,
              KeyText(table, fk.parent_columns, values)));
        });
        NQ_RETURN_IF_ERROR(found);
        break;
      }
      case sql::ReferentialAction::kCascade:
      case sql::ReferentialAction::kSetNull:
      case sql::ReferentialAction::kSetDefault: {
        NQ_RETURN_IF_ERROR(LockTable(child, txn::LockMode::kShared));
        Status done = ForEachReferencingRow(child, fk, values, [&](const std::string& key, Row* row) -> Status {
          if (action == sql::ReferentialAction::kCascade && !next) return DeleteRow(child, key, *row);
          Row changed = *row;
          for (size_t k = 0; k < fk.columns.size(); ++k) {
            int c = fk.columns[k];
            if (action == sql::ReferentialAction::kCascade) {
              changed[c] = new_values[k];
            } else if (action == sql::ReferentialAction::kSetNull || !child.columns[c].default_expr) {
              changed[c] = Value::Null();
            } else {
              NQ_ASSIGN_OR_RETURN(auto e, binder_.BindConstantExpr(*child.columns[c].default_expr));
              static const Row kEmpty;
              NQ_ASSIGN_OR_RETURN(changed[c], Evaluate(*e, kEmpty, ctx_));
            }
          }
          NQ_RETURN_IF_ERROR(CheckRow(child, &changed));
          NQ_RETURN_IF_ERROR(ReplaceRow(child, key, *row, changed).status());
          // A default equal to the old key still needs its parent, which is
          // the row going away.
          if (action == sql::ReferentialAction::kSetDefault) return DeferParentCheck(child, changed, nullptr);
          return Status::OK();
        });
        NQ_RETURN_IF_ERROR(done);
        break;
      }
    }
  }
  return Status::OK();
}

Status StatementRunner::FinishForeignKeys() {
  // Actions may queue more checks while these run; index loops see them.
  for (size_t i = 0; i < pending_parents_.size(); ++i) {
    const PendingParentCheck& p = pending_parents_[i];
    const ForeignKeyInfo& fk = p.table->foreign_keys[p.fk];
    const TableInfo* parent = catalog_->FindTable(fk.parent);
    if (!parent) return Status::Internal("foreign key parent table missing");
    NQ_ASSIGN_OR_RETURN(bool found, ParentExists(*parent, fk, p.values, /*lock=*/true));
    if (found) continue;
    // A violation only if a row still holds the values: a later change in
    // the statement (another action on the same row) may have moved it on.
    Status held = ForEachReferencingRow(*p.table, fk, p.values, [&](const std::string&, Row*) -> Status {
      return ForeignKeyViolation(fmt::format(
          "insert or update on table \"{}\" violates foreign key constraint \"{}\": key {} is not present in "
          "table \"{}\"", p.table->name, fk.name, KeyText(*p.table, fk.columns, p.values), parent->name));
    });
    NQ_RETURN_IF_ERROR(held);
  }
  for (size_t i = 0; i < pending_children_.size(); ++i) {
    const PendingChildCheck& c = pending_children_[i];
    const ForeignKeyInfo& fk = c.child->foreign_keys[c.fk];
    NQ_ASSIGN_OR_RETURN(bool back, ParentExists(*c.parent, fk, c.values, /*lock=*/false));
    if (back) continue;  // a row with the old key exists again
    Status found = ForEachReferencingRow(*c.child, fk, c.values, [&](const std::string&, Row*) -> Status {
      return ForeignKeyViolation(fmt::format(
          "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\": key {} is "
          "still referenced", c.parent->name, fk.name, c.child->name, KeyText(*c.parent, fk.parent_columns,
                                                                              c.values)));
    });
    NQ_RETURN_IF_ERROR(found);
  }
  pending_parents_.clear();
  pending_children_.clear();
  return Status::OK();
}

Status StatementRunner::DeleteRow(const TableInfo& table, const std::string& key, const Row& row, bool* skipped) {
  if (HasTriggers(table, sql::TriggerTiming::kBefore, sql::TriggerEvent::kDelete)) {
    bool skip = false;
    NQ_RETURN_IF_ERROR(
        FireTriggers(table, sql::TriggerTiming::kBefore, sql::TriggerEvent::kDelete, &row, nullptr, nullptr, &skip));
    if (!skip) {
      NQ_ASSIGN_OR_RETURN(bool unchanged, StillUnchanged(table, key, row, "deleted"));
      skip = !unchanged;
    }
    if (skip) {
      if (skipped) *skipped = true;
      return Status::OK();
    }
  }
  NQ_RETURN_IF_ERROR(DeleteIndexEntries(table, row, key));
  NQ_RETURN_IF_ERROR(txn_->Delete(table.tree, key));
  ctx_->NoteWrite(table);
  NQ_RETURN_IF_ERROR(ActOnReferencingRows(table, row, nullptr));
  return FireTriggers(table, sql::TriggerTiming::kAfter, sql::TriggerEvent::kDelete, &row, nullptr, nullptr, nullptr);
}

}  // namespace neuroquantum::exec
