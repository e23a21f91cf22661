#include "exec/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/coding.h"
#include "exec/id_strategy.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::exec {
namespace {

// Catalog tree rows: "\0version" and "\0next_id" (8-byte big-endian
// counters), and one row per object keyed by its kind letter and name.
constexpr std::string_view kVersionKey("\0version", 8);
constexpr std::string_view kNextIdKey("\0next_id", 8);
// Statistics rows: this prefix and the table id (8 bytes, big-endian).
// Like the counters they sort before every object row, so the object
// scan of Load never meets them.
constexpr std::string_view kStatsPrefix("\0stats.", 7);

std::string StatsKey(uint64_t table_id) {
  std::string key(kStatsPrefix);
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(table_id >> shift));
  return key;
}

std::string ObjectKey(char kind, std::string_view name) {
  std::string key(1, kind);
  key.append(name);
  return key;
}

std::string EncodeCounter(uint64_t v) {
  std::string s;
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

uint64_t DecodeCounter(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

Result<uint64_t> ReadCounter(txn::Transaction* txn, txn::TreeId tree, std::string_view key) {
  NQ_ASSIGN_OR_RETURN(auto raw, txn->Get(tree, key));
  return raw ? DecodeCounter(*raw) : 0;
}

// Reads a counter about to be incremented: locked first, so two DDL
// statements never draw the same value (the second waits for the first).
Result<uint64_t> LockCounter(txn::Transaction* txn, txn::TreeId tree, std::string_view key) {
  NQ_ASSIGN_OR_RETURN(auto raw, txn->GetForUpdate(tree, key));
  return raw ? DecodeCounter(*raw) : 0;
}

Status SchemaError(std::string_view sqlstate, std::string msg) {
  return Status::InvalidArgument(msg).WithSqlState(sqlstate);
}

std::string ColumnRefName(const sql::IndexedColumn& c) {
  if (c.expr->kind == sql::ExprKind::kColumnRef) return c.expr->As<sql::ColumnRefExpr>().column;
  if (c.expr->kind == sql::ExprKind::kCollate) {
    const auto& inner = *c.expr->As<sql::CollateExpr>().operand;
    if (inner.kind == sql::ExprKind::kColumnRef) return inner.As<sql::ColumnRefExpr>().column;
  }
  return {};
}

Result<std::vector<int>> ResolveColumns(const std::vector<sql::IndexedColumn>& cols, const TableInfo& table,
                                        std::vector<bool>* descending) {
  std::vector<int> out;
  for (const auto& c : cols) {
    std::string name = ColumnRefName(c);
    if (name.empty()) {
      return Status::NotSupported("indexes on expressions are not supported; name a column").WithSqlState("0A000");
    }
    int pos = table.FindColumn(name);
    if (pos < 0) {
      return SchemaError("42703", fmt::format("column \"{}\" of table \"{}\" does not exist", name, table.name));
    }
    out.push_back(pos);
    if (descending) descending->push_back(c.direction == sql::SortDirection::kDesc);
  }
  return out;
}

bool IsSerialName(std::string_view n) { return n == "SERIAL" || n == "BIGSERIAL" || n == "SMALLSERIAL" ||
                                               n == "SERIAL4" || n == "SERIAL8" || n == "SERIAL2"; }

Result<DataType> ColumnType(const sql::ColumnDef& def) {
  if (!def.type) return DataType::Of(TypeId::kText);  // SQLite allows a column without a type
  const std::string& n = def.type->name;
  if (n == "SERIAL" || n == "SERIAL4") return DataType::Of(TypeId::kInteger);
  if (n == "BIGSERIAL" || n == "SERIAL8") return DataType::Of(TypeId::kBigInt);
  if (n == "SMALLSERIAL" || n == "SERIAL2") return DataType::Of(TypeId::kSmallInt);
  return DataTypeFromName(n, def.type->params);
}

}  // namespace

int TableInfo::FindColumn(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

void TableInfo::SetColumnTypes() {
  column_types.clear();
  column_types.reserve(columns.size());
  for (const auto& c : columns) column_types.push_back(c.type);
}

const sql::Query& ViewInfo::query() const { return *definition->As<sql::CreateViewStmt>().query; }

// INTERVAL has no order-preserving key form (its order, by 30-day months,
// would not give back the value): it cannot be part of a key or index.
static Status CheckKeyColumnTypes(const std::vector<int>& columns, const TableInfo& table) {
  for (int c : columns) {
    if (table.columns[c].type.id == TypeId::kInterval) {
      return Status::NotSupported(fmt::format("column \"{}\": INTERVAL columns cannot be part of a key or index",
                                              table.columns[c].name))
          .WithSqlState("0A000");
    }
  }
  return Status::OK();
}

namespace {

// An option's value: the text of a string literal, or a whole number.
struct OptionValue {
  std::optional<std::string> text;
  std::optional<int64_t> number;
};

OptionValue ReadOption(const sql::Expr& value) {
  OptionValue out;
  bool negative = value.kind == sql::ExprKind::kUnary;
  const sql::Expr& e = negative ? *value.As<sql::UnaryExpr>().operand : value;
  if (e.kind != sql::ExprKind::kLiteral) return out;
  const auto& lit = e.As<sql::LiteralExpr>();
  if (lit.literal == sql::LiteralKind::kString && !negative) out.text = lit.text;
  if (lit.literal == sql::LiteralKind::kInteger) out.number = negative ? -lit.int_value : lit.int_value;
  return out;
}

Status OptionError(const sql::TableOption& option, std::string msg) {
  return SchemaError("22023", fmt::format("{} (line {}, column {})", msg, option.pos.line, option.pos.column));
}

}  // namespace

Status ApplyTableOptions(const std::vector<sql::TableOption>& options, TableInfo* table) {
  bool machine_given = false;
  for (const auto& option : options) {
    OptionValue v = ReadOption(*option.value);
    if (option.name == "id_strategy") {
      std::string s = v.text.value_or("");
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (s == "auto_increment" || s == "autoincrement") {
        table->id_strategy = IdStrategy::kAutoIncrement;
      } else if (s == "uuid" || s == "uuid_v7" || s == "uuidv7") {
        table->id_strategy = IdStrategy::kUuidV7;
      } else if (s == "uuid_v4" || s == "uuidv4") {
        table->id_strategy = IdStrategy::kUuidV4;
      } else if (s == "snowflake") {
        table->id_strategy = IdStrategy::kSnowflake;
      } else {
        return OptionError(option, "ID_STRATEGY must be 'AUTO_INCREMENT', 'UUID', 'UUID_V4' or 'SNOWFLAKE'");
      }
    } else if (option.name == "machine_id") {
      if (!v.number || *v.number < 0 || *v.number > kMaxMachineId) {
        return OptionError(option, fmt::format("MACHINE_ID must be a whole number from 0 to {}", kMaxMachineId));
      }
      table->machine_id = static_cast<uint32_t>(*v.number);
      machine_given = true;
    } else {
      return OptionError(option, fmt::format("unrecognized table option \"{}\"", option.name));
    }
  }
  if (machine_given && table->id_strategy != IdStrategy::kSnowflake) {
    return SchemaError("22023", "MACHINE_ID applies only to ID_STRATEGY = 'SNOWFLAKE'");
  }
  if (table->id_strategy == IdStrategy::kAutoIncrement) return Status::OK();
  // The strategy fills the one primary key column, which must hold its ids.
  if (table->primary_key.size() != 1) {
    return SchemaError("42P16", "an ID_STRATEGY needs a primary key of one column");
  }
  const ColumnInfo& key = table->columns[table->primary_key[0]];
  if (key.generated != Generated::kNone) {
    return SchemaError("42P16", fmt::format("column \"{}\" is already generated (SERIAL, identity or "
                                            "AUTOINCREMENT); an ID_STRATEGY replaces that", key.name));
  }
  TypeId t = key.type.id;
  if (table->id_strategy == IdStrategy::kSnowflake) {
    if (t != TypeId::kBigInt) {
      return SchemaError("42P16", fmt::format("ID_STRATEGY 'SNOWFLAKE' needs a BIGINT primary key; \"{}\" is {}",
                                              key.name, key.type.ToString()));
    }
  } else {
    bool text = t == TypeId::kText || ((t == TypeId::kVarchar || t == TypeId::kChar) && key.type.length >= 36);
    if (!text && t != TypeId::kBlob) {
      return SchemaError("42P16", fmt::format("a UUID ID_STRATEGY needs a TEXT, VARCHAR(36+), CHAR(36) or BLOB "
                                              "primary key; \"{}\" is {}", key.name, key.type.ToString()));
    }
  }
  return Status::OK();
}

namespace {

// `name` comes from ConstraintNames.
Status AddForeignKey(TableInfo* table, const std::string& name, std::vector<int> columns,
                     const sql::ForeignKeyRef& ref) {
  ForeignKeyInfo fk;
  fk.name = name;
  fk.columns = std::move(columns);
  fk.parent = ref.table.name;
  fk.parent_column_names = ref.columns;
  auto action = [](sql::ReferentialAction a) {
    return a == sql::ReferentialAction::kNone ? sql::ReferentialAction::kNoAction : a;
  };
  fk.on_delete = action(ref.on_delete);
  fk.on_update = action(ref.on_update);
  table->foreign_keys.push_back(std::move(fk));
  return Status::OK();
}

bool SameColumnSet(std::vector<int> a, std::vector<int> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

Status ResolveForeignKey(ForeignKeyInfo* fk, const TableInfo& child, const TableInfo& parent) {
  std::vector<int> cols;
  if (fk->parent_column_names.empty()) {
    if (parent.primary_key.empty()) {
      return SchemaError("42830", fmt::format("there is no primary key for referenced table \"{}\"", parent.name));
    }
    cols = parent.primary_key;
  } else {
    for (const auto& name : fk->parent_column_names) {
      int c = parent.FindColumn(name);
      if (c < 0) {
        return SchemaError("42703", fmt::format("column \"{}\" referenced in foreign key constraint does not exist",
                                                name));
      }
      cols.push_back(c);
    }
  }
  if (cols.size() != fk->columns.size()) {
    return SchemaError("42830", "number of referencing and referenced columns for foreign key disagree");
  }
  fk->parent_index = nullptr;
  if (!SameColumnSet(cols, parent.primary_key)) {
    const IndexInfo* match = nullptr;
    for (const auto& index : parent.indexes) {
      if (index->unique && SameColumnSet(cols, index->columns)) match = index.get();
    }
    if (!match) {
      return SchemaError("42830", fmt::format("there is no unique constraint matching given keys for referenced "
                                              "table \"{}\"", parent.name));
    }
    fk->parent_index = match;
  }
  for (size_t i = 0; i < cols.size(); ++i) {
    const DataType& a = child.columns[fk->columns[i]].type;
    const DataType& b = parent.columns[cols[i]].type;
    auto text = [](const DataType& t) {
      return t.id == TypeId::kText || t.id == TypeId::kVarchar || t.id == TypeId::kChar;
    };
    bool comparable = (a.is_numeric() && b.is_numeric()) || a.id == b.id || (text(a) && text(b));
    if (!comparable) {
      return SchemaError("42804", fmt::format("foreign key constraint \"{}\": column \"{}\" ({}) cannot reference "
                                              "\"{}\" ({})", fk->name, child.columns[fk->columns[i]].name,
                                              a.ToString(), parent.columns[cols[i]].name, b.ToString()));
    }
  }
  fk->parent_columns = std::move(cols);
  return Status::OK();
}

namespace {


std::optional<sql::TableConstraintKind> NamedKind(sql::ColumnConstraintKind kind) {
  switch (kind) {
    case sql::ColumnConstraintKind::kPrimaryKey: return sql::TableConstraintKind::kPrimaryKey;
    case sql::ColumnConstraintKind::kUnique: return sql::TableConstraintKind::kUnique;
    case sql::ColumnConstraintKind::kCheck: return sql::TableConstraintKind::kCheck;
    case sql::ColumnConstraintKind::kReferences: return sql::TableConstraintKind::kForeignKey;
    default: return std::nullopt;
  }
}

std::string IndexedColumnName(const sql::IndexedColumn& c) {
  const sql::Expr* e = c.expr.get();
  if (e->kind == sql::ExprKind::kCollate) e = e->As<sql::CollateExpr>().operand.get();
  return e->kind == sql::ExprKind::kColumnRef ? e->As<sql::ColumnRefExpr>().column : "";
}

// The columns of `def` a CHECK condition names. Read from its text with
// string literals left out; a function called like a column would count,
// which only changes the default name chosen.
std::vector<std::string> CheckedColumns(const sql::CreateTableStmt& def, const sql::Expr& check) {
  std::string text;
  bool quoted = false;
  for (char ch : sql::ToSql(check)) {
    if (ch == '\'') {
      quoted = !quoted;
      text.push_back(' ');
    } else {
      text.push_back(quoted ? ' ' : ch);
    }
  }
  auto is_word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  std::vector<std::string> out;
  for (const auto& column : def.columns) {
    for (size_t pos = text.find(column.name); pos != std::string::npos; pos = text.find(column.name, pos + 1)) {
      size_t end = pos + column.name.size();
      if ((pos == 0 || !is_word(text[pos - 1])) && (end >= text.size() || !is_word(text[end]))) {
        out.push_back(column.name);
        break;
      }
    }
  }
  return out;
}

}  // namespace

std::vector<NamedConstraint> ConstraintNames(const sql::CreateTableStmt& def) {
  const std::string& table = def.name.name;
  std::vector<NamedConstraint> out;
  std::set<std::string> used;
  std::vector<std::string> bases;  // the default's stem, for unnamed ones
  auto add = [&](NamedConstraint c, const std::string& given, std::string base) {
    if (!given.empty()) used.insert(given);
    c.name = given;
    out.push_back(std::move(c));
    bases.push_back(given.empty() ? std::move(base) : std::string());
  };
  auto columns_stem = [&](const std::vector<std::string>& names) {
    std::string stem = table;
    for (const auto& n : names) stem += "_" + n;
    return stem;
  };
  for (size_t col = 0; col < def.columns.size(); ++col) {
    const auto& column = def.columns[col];
    for (size_t i = 0; i < column.constraints.size(); ++i) {
      const auto& cc = column.constraints[i];
      auto kind = NamedKind(cc.kind);
      if (!kind) continue;
      NamedConstraint c;
      c.kind = *kind;
      c.column = static_cast<int>(col);
      c.index = i;
      std::string suffix = *kind == sql::TableConstraintKind::kPrimaryKey ? "pkey"
                           : *kind == sql::TableConstraintKind::kUnique   ? "key"
                           : *kind == sql::TableConstraintKind::kCheck    ? "check"
                                                                           : "fkey";
      std::string base = *kind == sql::TableConstraintKind::kPrimaryKey ? table + "_pkey"
                                                                         : columns_stem({column.name}) + "_" + suffix;
      if (*kind == sql::TableConstraintKind::kCheck) {
        // As PostgreSQL: named after the columns the condition uses, not
        // the column it is written on.
        auto names = CheckedColumns(def, *cc.expr);
        base = names.size() == 1 ? columns_stem(names) + "_check" : table + "_check";
      }
      add(std::move(c), cc.name, std::move(base));
    }
  }
  for (size_t i = 0; i < def.constraints.size(); ++i) {
    const auto& tc = def.constraints[i];
    NamedConstraint c;
    c.kind = tc.kind;
    c.index = i;
    std::string base;
    switch (tc.kind) {
      case sql::TableConstraintKind::kPrimaryKey: base = table + "_pkey"; break;
      case sql::TableConstraintKind::kUnique: {
        std::vector<std::string> names;
        for (const auto& ic : tc.columns) names.push_back(IndexedColumnName(ic));
        base = columns_stem(names) + "_key";
        break;
      }
      case sql::TableConstraintKind::kForeignKey: base = columns_stem(tc.fk_columns) + "_fkey"; break;
      case sql::TableConstraintKind::kCheck: {
        auto names = CheckedColumns(def, *tc.check);
        base = names.size() == 1 ? columns_stem(names) + "_check" : table + "_check";
        break;
      }
    }
    add(std::move(c), tc.name, std::move(base));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].name.empty()) continue;
    std::string name = bases[i];
    for (int n = 1; used.count(name); ++n) name = bases[i] + std::to_string(n);
    used.insert(name);
    out[i].name = std::move(name);
  }
  return out;
}

void NameConstraints(sql::CreateTableStmt* def) {
  for (const auto& c : ConstraintNames(*def)) {
    if (c.column >= 0) {
      def->columns[c.column].constraints[c.index].name = c.name;
    } else {
      def->constraints[c.index].name = c.name;
    }
  }
}

Result<std::shared_ptr<TableInfo>> TableInfoFromDefinition(std::shared_ptr<const sql::Statement> def) {
  const auto& stmt = def->As<sql::CreateTableStmt>();
  auto table = std::make_shared<TableInfo>();
  table->name = stmt.name.name;
  // The names of the column constraints of column c and of the table
  // constraints (column -1), by position.
  std::map<std::pair<int, size_t>, std::string> constraint_names;
  for (auto& c : ConstraintNames(stmt)) constraint_names[{c.column, c.index}] = std::move(c.name);
  auto name_of = [&](int column, size_t index) { return constraint_names[{column, index}]; };
  std::set<std::string> names;
  // UNIQUE constraints: their name and columns.
  std::vector<std::pair<std::string, std::vector<int>>> uniques;
  bool integer_pk_alias = false;
  for (const auto& col : stmt.columns) {
    if (!names.insert(col.name).second) {
      return SchemaError("42701", fmt::format("column \"{}\" specified more than once", col.name));
    }
    ColumnInfo info;
    info.name = col.name;
    NQ_ASSIGN_OR_RETURN(info.type, ColumnType(col));
    if (col.type && IsSerialName(col.type->name)) {
      info.generated = Generated::kSerial;
      info.not_null = true;
    }
    int pos = static_cast<int>(table->columns.size());
    for (size_t ci = 0; ci < col.constraints.size(); ++ci) {
      const auto& c = col.constraints[ci];
      switch (c.kind) {
        case sql::ColumnConstraintKind::kPrimaryKey:
          if (!table->primary_key.empty()) {
            return SchemaError("42P16", fmt::format("multiple primary keys for table \"{}\"", table->name));
          }
          table->primary_key = {pos};
          info.not_null = true;
          // INTEGER PRIMARY KEY numbers rows itself when none is given
          // (SQLite's row id alias), as AUTOINCREMENT does.
          if (col.type && (col.type->name == "INTEGER" || c.autoincrement)) integer_pk_alias = true;
          break;
        case sql::ColumnConstraintKind::kNotNull: info.not_null = true; break;
        case sql::ColumnConstraintKind::kNull: break;
        case sql::ColumnConstraintKind::kUnique: uniques.emplace_back(name_of(pos, ci), std::vector<int>{pos}); break;
        case sql::ColumnConstraintKind::kDefault: info.default_expr = c.expr.get(); break;
        case sql::ColumnConstraintKind::kCheck: table->checks.push_back(c.expr.get()); break;
        case sql::ColumnConstraintKind::kIdentity:
          info.generated = c.identity_always ? Generated::kIdentityAlways : Generated::kSerial;
          info.not_null = true;
          break;
        case sql::ColumnConstraintKind::kAutoIncrement:
          info.generated = Generated::kSerial;
          info.not_null = true;
          break;
        case sql::ColumnConstraintKind::kCollate:
          if (c.collation == "nocase") {
            info.nocase = true;
          } else if (c.collation != "binary") {
            return SchemaError("42704", fmt::format("collation \"{}\" does not exist", c.collation));
          }
          break;
        case sql::ColumnConstraintKind::kReferences:
          NQ_RETURN_IF_ERROR(AddForeignKey(table.get(), name_of(pos, ci), {pos}, c.references));
          break;
      }
    }
    if (integer_pk_alias && table->primary_key == std::vector<int>{pos} && info.generated == Generated::kNone) {
      if (!info.type.is_integer()) {
        return SchemaError("42P16", "AUTOINCREMENT is only allowed on an integer primary key");
      }
      info.generated = Generated::kSerial;
    }
    integer_pk_alias = false;
    table->columns.push_back(std::move(info));
  }
  for (size_t ti = 0; ti < stmt.constraints.size(); ++ti) {
    const auto& tc = stmt.constraints[ti];
    switch (tc.kind) {
      case sql::TableConstraintKind::kPrimaryKey: {
        if (!table->primary_key.empty()) {
          return SchemaError("42P16", fmt::format("multiple primary keys for table \"{}\"", table->name));
        }
        NQ_ASSIGN_OR_RETURN(table->primary_key, ResolveColumns(tc.columns, *table, nullptr));
        for (int p : table->primary_key) table->columns[p].not_null = true;
        break;
      }
      case sql::TableConstraintKind::kUnique: {
        NQ_ASSIGN_OR_RETURN(auto cols, ResolveColumns(tc.columns, *table, nullptr));
        uniques.emplace_back(name_of(-1, ti), std::move(cols));
        break;
      }
      case sql::TableConstraintKind::kCheck: table->checks.push_back(tc.check.get()); break;
      case sql::TableConstraintKind::kForeignKey: {
        std::vector<int> cols;
        for (const auto& name : tc.fk_columns) {
          int c = table->FindColumn(name);
          if (c < 0) {
            return SchemaError("42703", fmt::format("column \"{}\" referenced in foreign key constraint does not "
                                                    "exist", name));
          }
          cols.push_back(c);
        }
        NQ_RETURN_IF_ERROR(AddForeignKey(table.get(), name_of(-1, ti), std::move(cols), tc.references));
        break;
      }
    }
  }
  std::set<int> pk_set(table->primary_key.begin(), table->primary_key.end());
  if (pk_set.size() != table->primary_key.size()) {
    return SchemaError("42701", "a column appears twice in the primary key");
  }
  NQ_RETURN_IF_ERROR(CheckKeyColumnTypes(table->primary_key, *table));
  NQ_RETURN_IF_ERROR(ApplyTableOptions(stmt.options, table.get()));
  // UNIQUE constraints become implicit unique indexes named as the
  // constraint; one equal to the primary key adds nothing.
  for (auto& [constraint_name, cols] : uniques) {
    if (cols == table->primary_key) continue;
    NQ_RETURN_IF_ERROR(CheckKeyColumnTypes(cols, *table));
    auto index = std::make_shared<IndexInfo>();
    index->name = constraint_name;
    index->table = table->name;
    index->columns = cols;
    index->descending.assign(cols.size(), false);
    index->unique = true;
    index->implicit = true;
    table->indexes.push_back(std::move(index));
  }
  table->SetColumnTypes();
  table->sql = sql::ToSql(*def);
  table->definition = std::move(def);
  return table;
}

Result<std::shared_ptr<IndexInfo>> IndexInfoFromDefinition(const sql::CreateIndexStmt& def, const TableInfo& table) {
  if (def.where) return Status::NotSupported("partial indexes are not supported yet").WithSqlState("0A000");
  auto index = std::make_shared<IndexInfo>();
  index->name = def.name.name;
  index->table = table.name;
  NQ_ASSIGN_OR_RETURN(index->columns, ResolveColumns(def.columns, table, &index->descending));
  NQ_RETURN_IF_ERROR(CheckKeyColumnTypes(index->columns, table));
  index->unique = def.unique;
  index->sql = sql::ToSql(def);
  return index;
}

Status Catalog::LoadStatistics(txn::Transaction* txn, txn::TreeId catalog_tree, Catalog* catalog) {
  std::map<uint64_t, TableInfo*> by_id;
  for (auto& [name, table] : catalog->tables_) by_id[table->id] = table.get();
  NQ_ASSIGN_OR_RETURN(auto cursor, txn->Scan(catalog_tree, kStatsPrefix));
  for (; cursor->Valid() && cursor->key().starts_with(kStatsPrefix); cursor->Next()) {
    const std::string_view key = cursor->key();
    if (key.size() != kStatsPrefix.size() + 8) return Status::Corruption("malformed statistics key in the catalog");
    uint64_t id = 0;
    for (size_t i = kStatsPrefix.size(); i < key.size(); ++i) id = id << 8 | static_cast<uint8_t>(key[i]);
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    NQ_ASSIGN_OR_RETURN(it->second->stats, DecodeTableStats(cursor->value(), *it->second));
  }
  return cursor->status();
}

Result<std::shared_ptr<const Catalog>> Catalog::Load(txn::TxnEngine* engine, txn::Transaction* txn,
                                                     txn::TreeId catalog_tree) {
  auto catalog = std::make_shared<Catalog>();
  NQ_ASSIGN_OR_RETURN(catalog->version_, ReadCounter(txn, catalog_tree, kVersionKey));
  NQ_ASSIGN_OR_RETURN(auto cursor, txn->Scan(catalog_tree, std::string_view("\x01", 1)));
  struct Pending {
    uint64_t id;
    std::string sql;
  };
  std::vector<Pending> indexes;
  std::vector<std::shared_ptr<const sql::Statement>> triggers;
  for (; cursor->Valid(); cursor->Next()) {
    std::string key(cursor->key());
    ByteReader reader(cursor->value());
    uint64_t id = 0;
    std::string_view sql_text;
    if (key.empty() || !reader.GetVarint64(&id) || !reader.GetLengthPrefixed(&sql_text)) {
      return Status::Corruption("malformed catalog row");
    }
    // Rows written before sequence ids existed, and rows of tables never
    // restarted, end here: their sequences are kept under the table id.
    uint64_t sequence_id = id;
    if (reader.remaining() > 0 && (!reader.GetVarint64(&sequence_id) || reader.remaining() > 0)) {
      return Status::Corruption("malformed catalog row");
    }
    auto parsed = sql::ParseStatement(sql_text);
    if (!parsed.ok()) {
      return Status::Corruption(fmt::format("catalog definition of \"{}\" does not parse: {}", key.substr(1),
                                            parsed.status().message()));
    }
    std::shared_ptr<const sql::Statement> def(std::move(parsed).value());
    switch (key[0]) {
      case 't': {
        if (def->kind != sql::StatementKind::kCreateTable) return Status::Corruption("catalog table row");
        NQ_ASSIGN_OR_RETURN(auto table, TableInfoFromDefinition(def));
        table->id = id;
        table->sequence_id = sequence_id;
        NQ_ASSIGN_OR_RETURN(table->tree, engine->FindTable(fmt::format("t.{}", id)));
        // Implicit unique indexes are numbered after their table.
        uint64_t sub = 0;
        for (auto& index : table->indexes) {
          auto copy = std::make_shared<IndexInfo>(*index);
          copy->id = id;
          NQ_ASSIGN_OR_RETURN(copy->tree, engine->FindTable(fmt::format("i.{}.{}", id, sub++)));
          index = std::move(copy);
        }
        catalog->tables_[table->name] = table;
        break;
      }
      case 'v': {
        if (def->kind != sql::StatementKind::kCreateView) return Status::Corruption("catalog view row");
        auto view = std::make_shared<ViewInfo>();
        const auto& v = def->As<sql::CreateViewStmt>();
        view->name = v.name.name;
        view->columns = v.columns;
        view->sql = sql::ToSql(*def);
        view->definition = def;
        catalog->views_[view->name] = view;
        break;
      }
      case 'i': indexes.push_back({id, std::string(sql_text)}); break;
      case 'g':
        if (def->kind != sql::StatementKind::kCreateTrigger) return Status::Corruption("catalog trigger row");
        triggers.push_back(std::move(def));
        break;
      default: return Status::Corruption("unknown catalog row kind");
    }
  }
  NQ_RETURN_IF_ERROR(cursor->status());
  for (const auto& p : indexes) {
    NQ_ASSIGN_OR_RETURN(auto stmt, sql::ParseStatement(p.sql));
    const auto& def = stmt->As<sql::CreateIndexStmt>();
    auto it = catalog->tables_.find(def.table.name);
    if (it == catalog->tables_.end()) return Status::Corruption("index of a missing table");
    NQ_ASSIGN_OR_RETURN(auto index, IndexInfoFromDefinition(def, *it->second));
    index->id = p.id;
    NQ_ASSIGN_OR_RETURN(index->tree, engine->FindTable(fmt::format("i.{}", p.id)));
    it->second->indexes.push_back(index);
  }
  for (auto& [name, table] : catalog->tables_) {
    for (const auto& index : table->indexes) catalog->indexes_[index->name] = index;
  }
  NQ_RETURN_IF_ERROR(LoadStatistics(txn, catalog_tree, catalog.get()));
  // Triggers, in name order (the catalog scan's order) on their table or
  // view.
  for (auto& def : triggers) {
    const auto& stmt = def->As<sql::CreateTriggerStmt>();
    auto trigger = std::make_shared<TriggerInfo>();
    trigger->name = stmt.name.name;
    trigger->table = stmt.table.name;
    trigger->sql = sql::ToSql(*def);
    trigger->definition = std::move(def);
    if (auto t = catalog->tables_.find(trigger->table); t != catalog->tables_.end()) {
      t->second->triggers.push_back(trigger);
    } else if (auto v = catalog->views_.find(trigger->table); v != catalog->views_.end()) {
      v->second->triggers.push_back(trigger);
    } else {
      return Status::Corruption(fmt::format("trigger \"{}\" is on a missing table \"{}\"", trigger->name,
                                            trigger->table));
    }
    catalog->triggers_[trigger->name] = std::move(trigger);
  }
  // Foreign keys, once every table and index is known; each parent learns
  // who references it.
  for (auto& [name, table] : catalog->tables_) {
    for (size_t i = 0; i < table->foreign_keys.size(); ++i) {
      ForeignKeyInfo& fk = table->foreign_keys[i];
      auto parent = catalog->tables_.find(fk.parent);
      if (parent == catalog->tables_.end()) {
        return Status::Corruption(fmt::format("foreign key \"{}\" references a missing table \"{}\"", fk.name,
                                              fk.parent));
      }
      NQ_RETURN_IF_ERROR(ResolveForeignKey(&fk, *table, *parent->second));
      ForeignKeyRefBy by;
      by.table = table.get();
      by.index = i;
      parent->second->referenced_by.push_back(by);
    }
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

bool SameDefinition(const TableInfo& a, const TableInfo& b) {
  auto same_triggers = [](const TriggerList& x, const TriggerList& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                      [](const auto& p, const auto& q) { return p->name == q->name && p->sql == q->sql; });
  };
  // An index dropped and created again has the same SQL but a new tree.
  auto same_indexes = [](const auto& x, const auto& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const auto& p, const auto& q) {
      return p->name == q->name && p->sql == q->sql && p->id == q->id && p->tree == q->tree;
    });
  };
  auto same_refs = [](const std::vector<ForeignKeyRefBy>& x, const std::vector<ForeignKeyRefBy>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const auto& p, const auto& q) {
      return p.table->id == q.table->id && p.index == q.index;
    });
  };
  return a.id == b.id && a.tree == b.tree && a.sequence_id == b.sequence_id && a.sql == b.sql &&
         same_indexes(a.indexes, b.indexes) && same_triggers(a.triggers, b.triggers) &&
         same_refs(a.referenced_by, b.referenced_by);
}

const TableInfo* Catalog::FindTable(std::string_view name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second.get();
}

const ViewInfo* Catalog::FindView(std::string_view name) const {
  auto it = views_.find(name);
  return it == views_.end() ? nullptr : it->second.get();
}

const TriggerInfo* Catalog::FindTrigger(std::string_view name) const {
  auto it = triggers_.find(name);
  return it == triggers_.end() ? nullptr : it->second.get();
}

const IndexInfo* Catalog::FindIndex(std::string_view name) const {
  auto it = indexes_.find(name);
  return it == indexes_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Catalog::TableAndViewNames() const {
  std::vector<std::string> names;
  for (const auto& [n, t] : tables_) names.push_back(n);
  for (const auto& [n, v] : views_) names.push_back(n);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Catalog::SchemaSql(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, t] : tables_) {
    if (!name.empty() && n != name) continue;
    out.push_back(t->sql);
    for (const auto& index : t->indexes) {
      if (!index->implicit) out.push_back(index->sql);
    }
    for (const auto& trigger : t->triggers) out.push_back(trigger->sql);
  }
  for (const auto& [n, v] : views_) {
    if (!name.empty() && n != name) continue;
    out.push_back(v->sql);
    for (const auto& trigger : v->triggers) out.push_back(trigger->sql);
  }
  return out;
}

Result<uint64_t> CatalogWriter::NextId() {
  NQ_ASSIGN_OR_RETURN(uint64_t next, LockCounter(txn_, tree_, kNextIdKey));
  if (next == 0) next = 1;
  NQ_RETURN_IF_ERROR(txn_->Put(tree_, kNextIdKey, EncodeCounter(next + 1)));
  return next;
}

Result<txn::TreeId> CatalogWriter::TreeFor(const std::string& name) {
  auto found = engine_->FindTable(name);
  if (found.ok()) return found;
  return engine_->CreateTable(name);
}

namespace {
// varint id, length-prefixed SQL, then the sequence id as a varint only
// when it differs from the id (so rows of older databases stay valid).
std::string ObjectValue(uint64_t id, std::string_view sql, uint64_t sequence_id) {
  std::string value;
  PutVarint64(&value, id);
  PutLengthPrefixed(&value, sql);
  if (sequence_id != 0 && sequence_id != id) PutVarint64(&value, sequence_id);
  return value;
}
}  // namespace

Status CatalogWriter::Create(Kind kind, std::string_view name, uint64_t id, std::string_view sql,
                             uint64_t sequence_id) {
  Status s = txn_->Insert(tree_, ObjectKey(static_cast<char>(kind), name), ObjectValue(id, sql, sequence_id));
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists(fmt::format("relation \"{}\" already exists", name)).WithSqlState("42P07");
  }
  return s;
}

Status CatalogWriter::Put(Kind kind, std::string_view name, uint64_t id, std::string_view sql,
                          uint64_t sequence_id) {
  return txn_->Put(tree_, ObjectKey(static_cast<char>(kind), name), ObjectValue(id, sql, sequence_id));
}

Status CatalogWriter::Remove(Kind kind, std::string_view name) {
  return txn_->Delete(tree_, ObjectKey(static_cast<char>(kind), name));
}

Status CatalogWriter::PutStatistics(uint64_t table_id, std::string_view bytes) {
  return txn_->Put(tree_, StatsKey(table_id), bytes);
}

Status CatalogWriter::RemoveStatistics(uint64_t table_id) { return txn_->Delete(tree_, StatsKey(table_id)); }

Status CatalogWriter::BumpVersion() {
  NQ_ASSIGN_OR_RETURN(uint64_t v, LockCounter(txn_, tree_, kVersionKey));
  return txn_->Put(tree_, kVersionKey, EncodeCounter(v + 1));
}

Result<uint64_t> ReadSchemaVersion(txn::Transaction* txn, txn::TreeId catalog_tree) {
  return ReadCounter(txn, catalog_tree, kVersionKey);
}

}  // namespace neuroquantum::exec
