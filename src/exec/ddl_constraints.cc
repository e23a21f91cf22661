// ALTER TABLE ... ADD [CONSTRAINT name] constraint and ALTER TABLE ... DROP
// CONSTRAINT [IF EXISTS] name [RESTRICT | CASCADE], for CHECK, UNIQUE,
// FOREIGN KEY and (added only) PRIMARY KEY constraints.
//
// A table's constraints live in its canonical CREATE TABLE, the catalog
// format: adding one appends a table constraint to the definition,
// dropping one removes it, whether it was written as a column or a table
// constraint. Unnamed constraints answer to PostgreSQL's default names
// (ConstraintNames); both statements first write every such name into the
// definition, so that removing one constraint never renames another
// (`t_check1` does not become `t_check` when `t_check` goes).
//
// Implicit unique indexes (one per UNIQUE constraint not equal to the
// primary key) keep their entries in trees "i.<table id>.<n>", n being the
// index's position among them (Catalog::Load). An added UNIQUE constraint
// is the last, so it takes a new tree; dropping the k-th moves the entries
// of every later one down one tree, and empties the last. ADD PRIMARY KEY
// re-keys every row and so rebuilds every index, each in the tree of its
// new position.
#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

#include "exec/functions.h"
#include "exec/row_codec.h"
#include "exec/statements.h"
#include "exec/internal/statement_util.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::exec {
namespace {

using internal::ForEachEntry;
using internal::SqlError;

// Removes the constraint named `name` from `def`, whose constraints are
// all named; false if there is none.
bool RemoveConstraint(sql::CreateTableStmt* def, const std::string& name) {
  for (const auto& c : ConstraintNames(*def)) {
    if (c.name != name) continue;
    if (c.column >= 0) {
      auto& list = def->columns[c.column].constraints;
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(c.index));
    } else {
      def->constraints.erase(def->constraints.begin() + static_cast<std::ptrdiff_t>(c.index));
    }
    return true;
  }
  return false;
}

std::vector<std::shared_ptr<const IndexInfo>> ImplicitIndexes(const TableInfo& table) {
  std::vector<std::shared_ptr<const IndexInfo>> out;
  for (const auto& index : table.indexes) {
    if (index->implicit) out.push_back(index);
  }
  return out;
}

Status EmptyTree(txn::Transaction* txn, txn::TreeId tree) {
  return ForEachEntry(txn, tree, [&](const std::string& key, const std::string&) { return txn->Delete(tree, key); });
}

// Makes `to` hold exactly the entries of `from`.
Status CopyTree(txn::Transaction* txn, txn::TreeId from, txn::TreeId to) {
  NQ_RETURN_IF_ERROR(EmptyTree(txn, to));
  return ForEachEntry(txn, from, [&](const std::string& key, const std::string& value) {
    return txn->Put(to, key, value);
  });
}

std::string KeyText(const TableInfo& table, const std::vector<int>& columns, const Row& row) {
  std::string names, shown;
  for (size_t i = 0; i < columns.size(); ++i) {
    names += (i ? ", " : "") + table.columns[columns[i]].name;
    shown += (i ? ", " : "") + row[columns[i]].ToString();
  }
  return fmt::format("({})=({})", names, shown);
}

}  // namespace

Status StatementRunner::RekeyRows(const TableInfo& table, const TableInfo& new_table) {
  // Every row is taken out (with its index entries) before any goes back,
  // as ConvertColumn does: a new key cannot then meet an old one.
  std::vector<std::pair<std::string, Row>> rows;
  auto types = table.types();
  Status taken = ForEachEntry(txn_, table.tree, [&](const std::string& key, const std::string& value) -> Status {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(value, types));
    NQ_RETURN_IF_ERROR(ctx_->memory->Charge(RowBytes(row) + key.size()));
    NQ_RETURN_IF_ERROR(DeleteIndexEntries(table, row, key));
    NQ_RETURN_IF_ERROR(txn_->Delete(table.tree, key));
    rows.emplace_back(key, std::move(row));
    return Status::OK();
  });
  NQ_RETURN_IF_ERROR(taken);
  auto new_types = new_table.types();
  for (auto& [old_key, row] : rows) {
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    for (int c : new_table.primary_key) {
      if (row[c].is_null()) {
        return SqlError("23502", fmt::format("column \"{}\" of relation \"{}\" contains null values",
                                                    new_table.columns[c].name, new_table.name));
      }
    }
    NQ_ASSIGN_OR_RETURN(std::string key, RowKey(new_table, row));
    NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(row, new_types));
    Status s = txn_->Insert(new_table.tree, key, record);
    if (s.code() == StatusCode::kAlreadyExists) {
      return SqlError("23505", fmt::format("could not create unique index \"{}_pkey\": key {} is duplicated",
                                                  new_table.name,
                                                  KeyText(new_table, new_table.primary_key, row)));
    }
    NQ_RETURN_IF_ERROR(s);
    NQ_RETURN_IF_ERROR(InsertIndexEntries(new_table, row, key));
  }
  return Status::OK();
}

Result<std::unique_ptr<ResultSource>> StatementRunner::AlterConstraint(const sql::AlterTableStmt& stmt,
                                                                       const TableInfo& table,
                                                                       sql::CreateTableStmt* def) {
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  auto done = [] {
    auto r = std::make_unique<ResultSource>();
    r->command = "ALTER TABLE";
    return r;
  };
  // The table as `def` now defines it, in the same tree; its implicit
  // unique indexes in the trees of their positions, then its other indexes.
  auto rebuild = [&]() -> Result<std::shared_ptr<TableInfo>> {
    NQ_ASSIGN_OR_RETURN(auto canonical, Canonical(*def));
    NQ_ASSIGN_OR_RETURN(auto info, TableInfoFromDefinition(canonical));
    info->id = table.id;
    info->sequence_id = table.sequence_id;
    info->tree = table.tree;
    for (size_t i = 0; i < info->indexes.size(); ++i) {
      auto index = std::make_shared<IndexInfo>(*info->indexes[i]);
      index->id = table.id;
      NQ_ASSIGN_OR_RETURN(index->tree, writer.TreeFor(fmt::format("i.{}.{}", table.id, i)));
      info->indexes[i] = std::move(index);
    }
    for (const auto& index : table.indexes) {
      if (!index->implicit) info->indexes.push_back(index);
    }
    return info;
  };
  std::vector<NamedConstraint> names = ConstraintNames(*def);
  auto find = [&](const std::string& name) -> const NamedConstraint* {
    for (const auto& c : names) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };

  if (stmt.action == sql::AlterAction::kDropConstraint) {
    const NamedConstraint* found = find(stmt.name);
    if (!found) {
      if (stmt.if_exists) return done();
      return SqlError("42704", fmt::format("constraint \"{}\" of relation \"{}\" does not exist", stmt.name,
                                                  table.name));
    }
    const sql::TableConstraintKind kind = found->kind;
    if (kind == sql::TableConstraintKind::kPrimaryKey) {
      return SqlError("0A000", fmt::format("cannot drop primary key constraint \"{}\": the rows of \"{}\" are "
                                                  "stored by their primary key", stmt.name, table.name));
    }
    NameConstraints(def);
    auto old_implicit = ImplicitIndexes(table);
    RemoveConstraint(def, stmt.name);
    // Foreign keys that find their parent row through the index of a
    // dropped UNIQUE constraint depend on it.
    std::map<const TableInfo*, std::vector<std::string>> dependents;
    const IndexInfo* dropped_index = nullptr;
    for (const auto& index : old_implicit) {
      if (index->name == stmt.name) dropped_index = index.get();
    }
    if (kind == sql::TableConstraintKind::kUnique && dropped_index) {
      for (const auto& by : table.referenced_by) {
        const ForeignKeyInfo& fk = by.table->foreign_keys[by.index];
        if (fk.parent_index == dropped_index) dependents[by.table].push_back(fk.name);
      }
    }
    if (!dependents.empty() && !stmt.cascade) {
      const auto& [child, fks] = *dependents.begin();
      return SqlError("2BP01", fmt::format("cannot drop constraint \"{}\" on table \"{}\" because foreign key "
                                                  "constraint \"{}\" on table \"{}\" depends on it; use CASCADE",
                                                  stmt.name, table.name, fks.front(), child->name));
    }
    for (const auto& [child, fks] : dependents) {
      if (child == &table) {
        for (const auto& fk : fks) RemoveConstraint(def, fk);
        continue;
      }
      NQ_ASSIGN_OR_RETURN(auto parsed, sql::ParseStatement(child->sql));
      auto& child_def = parsed->As<sql::CreateTableStmt>();
      NameConstraints(&child_def);
      for (const auto& fk : fks) RemoveConstraint(&child_def, fk);
      NQ_ASSIGN_OR_RETURN(auto canonical, Canonical(child_def));
      NQ_ASSIGN_OR_RETURN(auto child_info, TableInfoFromDefinition(canonical));
      NQ_RETURN_IF_ERROR(SaveTable(&writer, *child, child_info->sql));
    }
    NQ_ASSIGN_OR_RETURN(auto info, rebuild());
    auto new_implicit = ImplicitIndexes(*info);
    if (new_implicit.size() < old_implicit.size()) {
      // The k-th implicit index went: every later one moves down a tree.
      size_t k = 0;
      while (k < new_implicit.size() && old_implicit[k]->name != stmt.name) ++k;
      for (size_t i = k; i < new_implicit.size(); ++i) {
        NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
        NQ_RETURN_IF_ERROR(CopyTree(txn_, old_implicit[i + 1]->tree, old_implicit[i]->tree));
      }
      NQ_RETURN_IF_ERROR(EmptyTree(txn_, old_implicit.back()->tree));
    }
    NQ_RETURN_IF_ERROR(SaveTable(&writer, table, info->sql));
    return done();
  }

  // ADD: the constraint from a fresh parse of the statement (`stmt` is
  // not ours to move from).
  NQ_ASSIGN_OR_RETURN(auto alter, sql::ParseStatement(sql::ToSql(stmt)));
  sql::TableConstraint added = std::move(alter->As<sql::AlterTableStmt>().constraint);
  if (!added.name.empty() && find(added.name)) {
    return SqlError("42710", fmt::format("constraint \"{}\" for relation \"{}\" already exists", added.name,
                                                table.name));
  }
  if (added.kind == sql::TableConstraintKind::kPrimaryKey && !table.primary_key.empty()) {
    return SqlError("42P16", fmt::format("multiple primary keys for table \"{}\" are not allowed",
                                                table.name));
  }
  NameConstraints(def);
  def->constraints.push_back(std::move(added));
  NameConstraints(def);
  const sql::TableConstraint& constraint = def->constraints.back();
  const std::string& name = constraint.name;
  bool makes_index = constraint.kind == sql::TableConstraintKind::kUnique ||
                     constraint.kind == sql::TableConstraintKind::kPrimaryKey;
  if (makes_index) NQ_RETURN_IF_ERROR(RequireFreeName(name, stmt.constraint.pos));
  NQ_ASSIGN_OR_RETURN(auto info, rebuild());
  auto types = table.types();
  switch (constraint.kind) {
    case sql::TableConstraintKind::kCheck: {
      // The condition as the rebuilt table holds it (the last of its checks).
      const sql::Expr* check = info->checks.back();
      NQ_ASSIGN_OR_RETURN(auto bound, binder_.BindTableExpr(*check, *info, "", false));
      Status checked = ForEachEntry(txn_, table.tree, [&](const std::string&, const std::string& value) -> Status {
        NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
        NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(value, types));
        NQ_ASSIGN_OR_RETURN(Value verdict, Evaluate(*bound, row, ctx_));
        auto truth = Truth(verdict);
        if (truth && !*truth) {
          return SqlError("23514", fmt::format("check constraint \"{}\" of relation \"{}\" is violated by "
                                                      "some row", name, table.name));
        }
        return Status::OK();
      });
      NQ_RETURN_IF_ERROR(checked);
      break;
    }
    case sql::TableConstraintKind::kUnique: {
      auto old_implicit = ImplicitIndexes(table);
      auto new_implicit = ImplicitIndexes(*info);
      // A UNIQUE constraint equal to the primary key needs no index.
      if (new_implicit.size() == old_implicit.size()) break;
      const IndexInfo& index = *new_implicit.back();
      NQ_RETURN_IF_ERROR(EmptyTree(txn_, index.tree));
      Status filled = ForEachEntry(txn_, table.tree, [&](const std::string& key, const std::string& value) -> Status {
        NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
        NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(value, types));
        bool unique_form = false;
        NQ_ASSIGN_OR_RETURN(std::string entry, IndexKey(index, *info, row, key, &unique_form));
        Status s = txn_->Insert(index.tree, entry, key);
        if (s.code() == StatusCode::kAlreadyExists) {
          return SqlError("23505", fmt::format("could not create unique index \"{}\": key {} is duplicated",
                                                      index.name, KeyText(*info, index.columns, row)));
        }
        return s;
      });
      NQ_RETURN_IF_ERROR(filled);
      break;
    }
    case sql::TableConstraintKind::kForeignKey: {
      ForeignKeyInfo& fk = info->foreign_keys.back();
      const TableInfo* parent = fk.parent == table.name ? info.get() : catalog_->FindTable(fk.parent);
      if (!parent) {
        return SqlError(catalog_->FindView(fk.parent) ? "42809" : "42P01",
                               fmt::format("foreign key \"{}\": referenced table \"{}\" does not exist", fk.name,
                                           fk.parent));
      }
      // The parent's deletes and updates must now see this key.
      if (parent != info.get()) NQ_RETURN_IF_ERROR(LockTable(*parent, txn::LockMode::kExclusive));
      NQ_RETURN_IF_ERROR(ResolveForeignKey(&fk, *info, *parent));
      Status checked = ForEachEntry(txn_, table.tree, [&](const std::string&, const std::string& value) -> Status {
        NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
        NQ_ASSIGN_OR_RETURN(Row row, DecodeRow(value, types));
        std::vector<Value> values;
        for (int c : fk.columns) {
          if (row[c].is_null()) return Status::OK();  // MATCH SIMPLE: references nothing
          values.push_back(row[c]);
        }
        // Locked, so that no other transaction deletes the parent row
        // before this one commits.
        NQ_ASSIGN_OR_RETURN(bool exists, ParentExists(*parent, fk, values, /*lock=*/true));
        if (!exists) {
          return SqlError("23503", fmt::format("insert or update on table \"{}\" violates foreign key "
                                                      "constraint \"{}\": key {} is not present in table \"{}\"",
                                                      table.name, fk.name, KeyText(*info, fk.columns, row),
                                                      parent->name));
        }
        return Status::OK();
      });
      NQ_RETURN_IF_ERROR(checked);
      break;
    }
    case sql::TableConstraintKind::kPrimaryKey:
      for (int c : info->primary_key) {
        if (info->columns[c].type.id == TypeId::kInterval) {
          return SqlError("0A000", fmt::format("column \"{}\": INTERVAL columns cannot be part of a key",
                                                      info->columns[c].name));
        }
      }
      NQ_RETURN_IF_ERROR(RekeyRows(table, *info));
      break;
  }
  NQ_RETURN_IF_ERROR(SaveTable(&writer, table, info->sql));
  return done();
}

}  // namespace neuroquantum::exec
