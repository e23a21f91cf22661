// INSERT ... ON CONFLICT: the arbiter constraints of the clause and what
// happens to a proposed row that collides with an existing one.
//
// As in PostgreSQL: the conflict target names the columns of the primary
// key or of a unique index (in any order); without a target (DO NOTHING
// only) every unique constraint is an arbiter. A proposed row that
// collides on an arbiter is skipped (DO NOTHING) or turns into an update
// of the row it collides with (DO UPDATE SET ... WHERE ..., with the
// proposed row as `excluded`); collisions on other constraints are errors
// as for a plain INSERT. The arbiters are probed with locking reads, so a
// concurrent transaction inserting the same key makes this one wait for
// its outcome and then see its row. One statement cannot update the same
// row twice (21000).
#include <fmt/format.h>

#include <algorithm>

#include "exec/functions.h"
#include "exec/statements.h"

namespace neuroquantum::exec {
namespace {

bool SameColumns(std::vector<int> a, std::vector<int> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

Result<BoundUpsert> StatementRunner::BindUpsert(const sql::UpsertClause& clause, const TableInfo& table,
                                                std::string_view alias) {
  BoundUpsert upsert;
  if (clause.columns.empty()) {
    upsert.primary_key = !table.primary_key.empty();
    for (const auto& index : table.indexes) {
      if (index->unique) upsert.indexes.push_back(index.get());
    }
  } else {
    std::vector<int> target;
    for (const auto& name : clause.columns) {
      int c = table.FindColumn(name);
      if (c < 0) {
        return Status::InvalidArgument(fmt::format("column \"{}\" of relation \"{}\" does not exist", name,
                                                   table.name))
            .WithSqlState("42703");
      }
      target.push_back(c);
    }
    upsert.primary_key = !table.primary_key.empty() && SameColumns(target, table.primary_key);
    for (const auto& index : table.indexes) {
      if (index->unique && SameColumns(target, index->columns)) upsert.indexes.push_back(index.get());
    }
    if (!upsert.primary_key && upsert.indexes.empty()) {
      return Status::InvalidArgument(fmt::format("there is no unique or primary key constraint matching the ON "
                                                 "CONFLICT specification (line {}, column {})",
                                                 clause.pos.line, clause.pos.column))
          .WithSqlState("42P10");
    }
  }
  upsert.do_update = clause.do_update;
  if (clause.do_update) {
    NQ_ASSIGN_OR_RETURN(upsert.sets, BindAssignments(clause.assignments, table, alias, /*upsert=*/true));
    for (const auto& set : upsert.sets) upsert.assigned.push_back(set.column);
    if (clause.where) {
      NQ_ASSIGN_OR_RETURN(upsert.where, binder_.BindUpsertExpr(*clause.where, table, alias));
    }
  }
  return upsert;
}

Result<bool> StatementRunner::ResolveConflict(BoundUpsert* upsert, const TableInfo& table, const Row& row,
                                              const std::string& key, std::optional<Row>* updated) {
  // The key of the existing row the proposed one collides with, if any.
  std::optional<std::string> existing;
  if (upsert->primary_key) {
    NQ_ASSIGN_OR_RETURN(auto found, txn_->GetForUpdate(table.tree, key));
    if (found) existing = key;
  }
  for (size_t i = 0; !existing && i < upsert->indexes.size(); ++i) {
    bool unique_form = false;
    NQ_ASSIGN_OR_RETURN(std::string ikey, IndexKey(*upsert->indexes[i], table, row, key, &unique_form));
    if (!unique_form) continue;  // a NULL in the key collides with nothing
    NQ_ASSIGN_OR_RETURN(auto found, txn_->GetForUpdate(upsert->indexes[i]->tree, ikey));
    if (found) existing = *found;
  }
  if (!existing) return false;
  if (!upsert->do_update) return true;
  if (upsert->touched.count(*existing) != 0) {
    return Status::InvalidArgument("ON CONFLICT DO UPDATE command cannot affect row a second time: the proposed "
                                   "rows hold duplicate keys")
        .WithSqlState("21000");
  }
  NQ_ASSIGN_OR_RETURN(auto old, LockRow(table, *existing));
  if (!old) return false;  // gone since the probe: insert after all
  // The values are computed over the existing row followed by the proposed one.
  Row input = *old;
  input.insert(input.end(), row.begin(), row.end());
  if (upsert->where) {
    NQ_ASSIGN_OR_RETURN(bool go, EvaluatePredicate(*upsert->where, input, ctx_));
    if (!go) return true;
  }
  NQ_ASSIGN_OR_RETURN(Row next, ApplyAssignments(table, upsert->sets, *old, input));
  bool skipped = false;
  NQ_ASSIGN_OR_RETURN(std::string new_key, ReplaceRow(table, *existing, *old, next, &upsert->assigned, &skipped));
  upsert->touched.insert(std::move(new_key));
  if (!skipped) *updated = std::move(next);
  return true;
}

}  // namespace neuroquantum::exec
