#include "diff/sql_generator.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace neuroquantum::testing {
namespace {

const char* TypeName(SqlType type) {
  switch (type) {
    case SqlType::kInt: return "INTEGER";
    case SqlType::kDouble: return "DOUBLE";
    case SqlType::kText: return "TEXT";
  }
  return "TEXT";
}

bool IsNumeric(SqlType type) { return type != SqlType::kText; }

constexpr int kMaxDepth = 3;
constexpr const char* kCompareHaving[] = {" > ", " < ", " = "};

}  // namespace

std::string SqlGenerator::TextValue() {
  // Letters of both cases, a blank and an underscore (LIKE's wildcard as
  // data); never digits, so no value reads as a number.
  static constexpr char kAlphabet[] = "abcAB _";
  std::string s;
  const int n = Uniform(0, 3);
  for (int i = 0; i < n; ++i) s += kAlphabet[Uniform(0, sizeof(kAlphabet) - 2)];
  return s;
}

std::string SqlGenerator::Literal(SqlType type) {
  if (Chance(5)) return "NULL";
  switch (type) {
    case SqlType::kInt: return std::to_string(Uniform(-20, 20));
    case SqlType::kDouble: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f", Uniform(-80, 80) / 4.0);
      return buf;
    }
    case SqlType::kText: return "'" + TextValue() + "'";
  }
  return "NULL";
}

std::string SqlGenerator::LikePattern() {
  static constexpr char kAlphabet[] = "abA%_";
  std::string s = "'";
  const int n = Uniform(0, 3);
  for (int i = 0; i < n; ++i) s += kAlphabet[Uniform(0, sizeof(kAlphabet) - 2)];
  return s + "'";
}

GenDatabase SqlGenerator::Database() {
  GenDatabase db;
  const int tables = Uniform(2, 3);
  for (int t = 0; t < tables; ++t) {
    GenTable table;
    table.name = "t" + std::to_string(t);
    table.columns.push_back({"c0", SqlType::kInt});
    const int extra = Uniform(2, 4);
    for (int c = 1; c <= extra; ++c) table.columns.push_back({"c" + std::to_string(c), AnyType()});

    std::string create = "CREATE TABLE " + table.name + "(c0 INTEGER PRIMARY KEY";
    for (size_t c = 1; c < table.columns.size(); ++c) {
      create += ", " + table.columns[c].name + " " + TypeName(table.columns[c].type);
    }
    db.setup.push_back(create + ")");
    if (Chance(50)) {
      const size_t c = static_cast<size_t>(Uniform(1, static_cast<int>(table.columns.size()) - 1));
      std::string index = "CREATE INDEX " + table.name + "_i ON " + table.name + "(" + table.columns[c].name;
      if (Chance(30) && c + 1 < table.columns.size()) index += ", " + table.columns[c + 1].name;
      db.setup.push_back(index + ")");
    }

    const int rows = Chance(5) ? 0 : Uniform(1, 12);
    std::set<int> keys;
    while (static_cast<int>(keys.size()) < rows) keys.insert(Uniform(1, 40));
    for (int key : keys) {
      std::string insert = "INSERT INTO " + table.name + " VALUES (" + std::to_string(key);
      for (size_t c = 1; c < table.columns.size(); ++c) {
        insert += ", ";
        insert += Chance(15) ? std::string("NULL") : Literal(table.columns[c].type);
      }
      db.setup.push_back(insert + ")");
    }
    db.tables.push_back(std::move(table));
  }
  return db;
}

std::string SqlGenerator::ColumnOf(SqlType type, const Scope& scope, bool allow_outer) {
  allow_outer &= !local_only_;
  std::vector<std::string> found;
  for (const Scope* s = &scope; s != nullptr; s = allow_outer ? s->outer : nullptr) {
    for (const Source& source : s->sources) {
      for (const GenColumn& column : source.table->columns) {
        if (column.type == type) found.push_back(source.alias + "." + column.name);
      }
    }
    // Outer columns are rarer than local ones.
    if (!found.empty() && !Chance(25)) break;
  }
  if (found.empty()) return "";
  return found[static_cast<size_t>(Uniform(0, static_cast<int>(found.size()) - 1))];
}

std::string SqlGenerator::Expr(SqlType type, const Scope& scope, int depth) {
  return type == SqlType::kText ? Text(scope, depth) : Numeric(type, scope, depth);
}

std::string SqlGenerator::Numeric(SqlType type, const Scope& scope, int depth) {
  if (depth >= kMaxDepth || Chance(40)) {
    std::string column = Chance(75) ? ColumnOf(type, scope, true) : "";
    return column.empty() ? Literal(type) : column;
  }
  // The other numeric type, for operations that mix them (an integer
  // operand keeps an integer result integral).
  const SqlType mixed = type == SqlType::kInt ? SqlType::kInt : AnyType() == SqlType::kText ? SqlType::kDouble : SqlType::kInt;
  switch (Uniform(0, 11)) {
    case 0: return "(" + Numeric(type, scope, depth + 1) + " + " + Numeric(mixed, scope, depth + 1) + ")";
    case 1: return "(" + Numeric(mixed, scope, depth + 1) + " - " + Numeric(type, scope, depth + 1) + ")";
    case 2: return "(" + Numeric(type, scope, depth + 1) + " * " + Numeric(mixed, scope, depth + 1) + ")";
    case 3: return "(-" + Numeric(type, scope, depth + 1) + ")";
    case 4: return "abs(" + Numeric(type, scope, depth + 1) + ")";
    case 5: {
      int divisor = Uniform(1, 5) * (Chance(50) ? 1 : -1);
      const char* op = type == SqlType::kInt && Chance(50) ? " % " : " / ";
      return "(" + Numeric(type, scope, depth + 1) + op + std::to_string(divisor) + ")";
    }
    case 6:
      return "CASE WHEN " + Predicate(scope, depth + 1) + " THEN " + Numeric(type, scope, depth + 1) + " ELSE " +
             Numeric(type, scope, depth + 1) + " END";
    case 7:
      return "coalesce(" + Numeric(type, scope, depth + 1) + ", " + Numeric(type, scope, depth + 1) + ")";
    case 8: return "nullif(" + Numeric(type, scope, depth + 1) + ", " + Numeric(type, scope, depth + 1) + ")";
    case 9:
      if (type == SqlType::kInt) return "length(" + Text(scope, depth + 1) + ")";
      return "(" + Numeric(SqlType::kInt, scope, depth + 1) + " / 4.0)";
    default: return Subquery(type, scope, depth + 1);
  }
}

std::string SqlGenerator::Text(const Scope& scope, int depth) {
  if (depth >= kMaxDepth || Chance(40)) {
    std::string column = Chance(75) ? ColumnOf(SqlType::kText, scope, true) : "";
    return column.empty() ? Literal(SqlType::kText) : column;
  }
  switch (Uniform(0, 9)) {
    case 0: return "(" + Text(scope, depth + 1) + " || " + Text(scope, depth + 1) + ")";
    case 1: return "(" + Numeric(SqlType::kInt, scope, depth + 1) + " || " + Text(scope, depth + 1) + ")";
    case 2: return "upper(" + Text(scope, depth + 1) + ")";
    case 3: return "lower(" + Text(scope, depth + 1) + ")";
    case 4:
      return "substr(" + Text(scope, depth + 1) + ", " + std::to_string(Uniform(1, 3)) + ", " +
             std::to_string(Uniform(0, 3)) + ")";
    case 5: return "trim(" + Text(scope, depth + 1) + ")";
    case 6:
      return "CASE WHEN " + Predicate(scope, depth + 1) + " THEN " + Text(scope, depth + 1) + " ELSE " +
             Text(scope, depth + 1) + " END";
    case 7: return "coalesce(" + Text(scope, depth + 1) + ", " + Text(scope, depth + 1) + ")";
    case 8: return "replace(" + Text(scope, depth + 1) + ", 'a', 'b')";
    default: return Subquery(SqlType::kText, scope, depth + 1);
  }
}

std::string SqlGenerator::Predicate(const Scope& scope, int depth) {
  const SqlType type = AnyType();
  if (depth >= kMaxDepth) {
    return Expr(type, scope, depth) + (Chance(50) ? " IS NULL" : " IS NOT NULL");
  }
  static constexpr const char* kCompare[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
  switch (Uniform(0, 10)) {
    case 0:
    case 1:
    case 2: {
      const SqlType other = IsNumeric(type) ? (Chance(50) ? SqlType::kInt : SqlType::kDouble) : type;
      return Expr(type, scope, depth + 1) + kCompare[Uniform(0, 5)] + Expr(other, scope, depth + 1);
    }
    case 3: return "(" + Predicate(scope, depth + 1) + " AND " + Predicate(scope, depth + 1) + ")";
    case 4: return "(" + Predicate(scope, depth + 1) + " OR " + Predicate(scope, depth + 1) + ")";
    case 5: return "NOT (" + Predicate(scope, depth + 1) + ")";
    case 6: return Expr(type, scope, depth + 1) + (Chance(50) ? " IS NULL" : " IS NOT NULL");
    case 7:
      return Expr(type, scope, depth + 1) + (Chance(30) ? " NOT" : "") + " BETWEEN " + Expr(type, scope, depth + 1) +
             " AND " + Expr(type, scope, depth + 1);
    case 8: {
      std::string list;
      const int n = Uniform(1, 4);
      for (int i = 0; i < n; ++i) list += (i ? ", " : "") + Literal(type);
      return Expr(type, scope, depth + 1) + (Chance(30) ? " NOT" : "") + " IN (" + list + ")";
    }
    case 9:
      return Text(scope, depth + 1) + (Chance(30) ? " NOT" : "") + " LIKE " + LikePattern();
    default: {
      // A subquery: EXISTS or IN over another table, maybe correlated.
      Scope inner;
      inner.outer = &scope;
      const std::string from = From(*db_, &inner);
      if (Chance(50)) {
        std::string where = Predicate(inner, depth + 1);
        // Often linked to the enclosing row by one equality, the shape
        // answered by a hash of the subquery's values (a semi-join).
        const auto link_type = static_cast<SqlType>(Uniform(0, 2));
        const std::string inner_column = ColumnOf(link_type, inner, false);
        const std::string outer_column = ColumnOf(link_type, scope, false);
        if (Chance(50) && !inner_column.empty() && !outer_column.empty()) {
          where = inner_column + " = " + outer_column + (Chance(50) ? " AND " + where : "");
        }
        return std::string(Chance(30) ? "NOT " : "") + "EXISTS (SELECT 1 FROM " + from + " WHERE " + where + ")";
      }
      std::string item = Expr(type, inner, depth + 1);
      return Expr(type, scope, depth + 1) + (Chance(30) ? " NOT" : "") + " IN (SELECT " + item + " FROM " + from +
             (Chance(60) ? " WHERE " + Predicate(inner, depth + 1) : "") + ")";
    }
  }
}

std::string SqlGenerator::Aggregate(SqlType type, const Scope& scope) {
  // Arguments are shallow and read the aggregating query's own columns:
  // an aggregate over outer columns only belongs to the outer query in
  // standard SQL and SQLite, which ours does not implement.
  const bool saved = local_only_;
  local_only_ = true;
  std::string call = AggregateCall(type, scope);
  local_only_ = saved;
  return call;
}

std::string SqlGenerator::AggregateCall(SqlType type, const Scope& scope) {
  const int depth = kMaxDepth - 1;
  switch (type) {
    case SqlType::kInt:
      switch (Uniform(0, 4)) {
        case 0: return "count(*)";
        case 1: return "count(" + Expr(AnyType(), scope, depth) + ")";
        case 2: return "count(DISTINCT " + Expr(AnyType(), scope, depth) + ")";
        case 3: return "sum(" + Numeric(SqlType::kInt, scope, depth) + ")";
        default: return std::string(Chance(50) ? "min(" : "max(") + Numeric(SqlType::kInt, scope, depth) + ")";
      }
    case SqlType::kDouble: {
      const SqlType arg = Chance(50) ? SqlType::kInt : SqlType::kDouble;
      switch (Uniform(0, 3)) {
        case 0: return "sum(" + Numeric(SqlType::kDouble, scope, depth) + ")";
        case 1: return "avg(" + Numeric(arg, scope, depth) + ")";
        case 2: return "total(" + Numeric(arg, scope, depth) + ")";
        default: return std::string(Chance(50) ? "min(" : "max(") + Numeric(SqlType::kDouble, scope, depth) + ")";
      }
    }
    case SqlType::kText:
      return std::string(Chance(50) ? "min(" : "max(") + Text(scope, depth) + ")";
  }
  return "count(*)";
}

std::string SqlGenerator::Subquery(SqlType type, const Scope& scope, int depth) {
  Scope inner;
  inner.outer = &scope;
  const std::string from = From(*db_, &inner);
  std::string sql = "(SELECT " + Aggregate(type, inner) + " FROM " + from;
  if (Chance(70)) sql += " WHERE " + Predicate(inner, std::max(depth, kMaxDepth - 1));
  return sql + ")";
}

std::string SqlGenerator::From(const GenDatabase& db, Scope* scope, bool* outer_join) {
  db_ = &db;
  bool ignored = false;
  if (outer_join == nullptr) outer_join = &ignored;
  // Subqueries read one table; the top level joins up to four.
  const int items = scope->outer != nullptr ? 1 : Uniform(1, 4);
  std::string sql;
  // ON may only name the items of its own join chain: a comma binds
  // looser than JOIN in standard SQL (SQLite is laxer).
  size_t chain_start = scope->sources.size();
  for (int i = 0; i < items; ++i) {
    const GenTable* table = &db.tables[static_cast<size_t>(Uniform(0, static_cast<int>(db.tables.size()) - 1))];
    Source source{NextAlias(), table};
    std::string item = table->name + " AS " + source.alias;
    if (i == 0) {
      scope->sources.push_back(source);
      sql = item;
      continue;
    }
    int join = Uniform(0, 9);
    if (join <= 2) {
      chain_start = scope->sources.size();
      scope->sources.push_back(source);
      sql += ", " + item;
      continue;
    }
    if (join == 3) {
      scope->sources.push_back(source);
      sql += " CROSS JOIN " + item;
      continue;
    }
    // After a comma, SQLite joins left to right ((a, b) RIGHT JOIN c)
    // where standard SQL reads a, (b RIGHT JOIN c); the two agree for
    // inner and left joins only.
    // SQLite 3.40 also drops rows of RIGHT and FULL joins whose left side
    // is itself a join, so these stay between two tables.
    if (join >= 8 && (chain_start > 0 || i != 1)) join = 7;
    static constexpr const char* kJoins[] = {" JOIN ", " LEFT JOIN ", " RIGHT JOIN ", " FULL JOIN "};
    const char* kind = kJoins[join <= 5 ? 0 : join <= 7 ? 1 : join - 6];
    scope->sources.push_back(source);
    // ON: usually an equality between the new item and an earlier one,
    // plus sometimes another condition; no subqueries.
    // SQLite 3.40 (Debian 12) loses WHERE conditions over RIGHT and FULL
    // joins; such queries get no WHERE clause.
    if (join >= 8) *outer_join = true;
    Scope chain;
    chain.sources.assign(scope->sources.begin() + static_cast<std::ptrdiff_t>(chain_start), scope->sources.end());
    Scope left;
    left.sources.assign(chain.sources.begin(), chain.sources.end() - 1);
    Scope right;
    right.sources.push_back(source);
    const SqlType type = Chance(70) ? SqlType::kInt : AnyType();
    std::string a = ColumnOf(type, left, false);
    std::string b = ColumnOf(type, right, false);
    std::string on = !a.empty() && !b.empty() ? a + " = " + b : Predicate(chain, kMaxDepth - 1);
    if (Chance(30)) on += " AND " + Predicate(chain, kMaxDepth - 1);
    sql += kind + item + " ON " + on;
  }
  return sql;
}

std::string SqlGenerator::Select(const GenDatabase& db, const std::vector<SqlType>& types, const Scope* outer,
                                 bool allow_order) {
  Scope scope;
  scope.outer = outer;
  bool outer_join = false;
  const std::string from = From(db, &scope, &outer_join);
  std::string items;
  std::string tail;
  if (Chance(30)) {
    // Grouped: keys are plain columns; other items aggregate.
    std::vector<std::pair<std::string, SqlType>> keys;
    const int key_count = Uniform(0, 2);
    for (int k = 0; k < key_count; ++k) {
      const SqlType type = AnyType();
      std::string column = ColumnOf(type, scope, false);
      if (!column.empty()) keys.emplace_back(column, type);
    }
    for (size_t i = 0; i < types.size(); ++i) {
      std::string item;
      for (const auto& [column, type] : keys) {
        if (type == types[i] && Chance(60)) item = column;
      }
      if (item.empty()) item = Aggregate(types[i], scope);
      items += (i ? ", " : "") + item;
    }
    if (!outer_join && Chance(60)) tail += " WHERE " + Predicate(scope, 1);
    if (!keys.empty()) {
      tail += " GROUP BY ";
      for (size_t k = 0; k < keys.size(); ++k) tail += (k ? ", " : "") + keys[k].first;
    }
    if (Chance(30)) {
      tail += " HAVING " + Aggregate(SqlType::kInt, scope) + kCompareHaving[Uniform(0, 2)] + Literal(SqlType::kInt);
    }
  } else {
    for (size_t i = 0; i < types.size(); ++i) items += (i ? ", " : "") + Expr(types[i], scope, 0);
    if (!outer_join && Chance(70)) tail += " WHERE " + Predicate(scope, 0);
  }
  std::string sql = std::string("SELECT ") + (Chance(15) ? "DISTINCT " : "") + items + " FROM " + from + tail;
  if (allow_order) sql += OrderBy(types.size());
  return sql;
}

std::string SqlGenerator::OrderBy(size_t columns) {
  if (!Chance(40)) return "";
  std::string sql = " ORDER BY ";
  for (size_t i = 0; i < columns; ++i) {
    sql += (i ? ", " : "") + std::to_string(i + 1);
    if (Chance(40)) sql += " DESC";
    if (Chance(30)) sql += Chance(50) ? " NULLS FIRST" : " NULLS LAST";
  }
  if (Chance(50)) {
    sql += " LIMIT " + std::to_string(Uniform(0, 6));
    if (Chance(40)) sql += " OFFSET " + std::to_string(Uniform(0, 4));
  }
  return sql;
}

std::string SqlGenerator::Query(const GenDatabase& db) {
  alias_counter_ = 0;
  db_ = &db;
  std::vector<SqlType> types(static_cast<size_t>(Uniform(1, 3)));
  for (SqlType& type : types) type = AnyType();
  if (!Chance(20)) return Select(db, types, nullptr, true);
  static constexpr const char* kSetOps[] = {" UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT "};
  // UNION, INTERSECT and EXCEPT compare doubles exactly, and a double
  // aggregate's last bits depend on the order its group's rows come in,
  // which differs between two engines' plans: only UNION ALL over them.
  const bool doubles = std::find(types.begin(), types.end(), SqlType::kDouble) != types.end();
  const char* op = doubles ? kSetOps[1] : kSetOps[Uniform(0, 3)];
  return Select(db, types, nullptr, false) + op + Select(db, types, nullptr, false) + OrderBy(types.size());
}

}  // namespace neuroquantum::testing
