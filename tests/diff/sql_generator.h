// Random schemas, rows and queries in the SQL that NeuroQuantumDB and SQLite
// share, for differential testing (tests/diff/differential_test.cc).
//
// The generator stays inside the common dialect on purpose, so any
// difference in results is a bug in one engine (ours, so far):
//  - numbers are small (no integer overflow: ours fails with 22003 where
//    SQLite switches to floating point) and doubles are multiples of 1/4,
//    so sums are exact whatever order the rows are added in;
//  - divisors are non-zero literals (ours fails with 22012 where SQLite
//    returns NULL);
//  - scalar subqueries aggregate, so they never return two rows;
//  - text is short ASCII that never looks like a number, LIKE runs with
//    SQLite's case_sensitive_like on, and doubles never meet text;
//  - ORDER BY, when present, lists every output column, so the expected
//    order is total and LIMIT is deterministic.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace neuroquantum::testing {

enum class SqlType : uint8_t { kInt, kDouble, kText };

struct GenColumn {
  std::string name;
  SqlType type;
};

struct GenTable {
  std::string name;
  std::vector<GenColumn> columns;  // columns[0] is the INTEGER PRIMARY KEY
};

// One generated database: statements that create and fill it, and the
// tables they describe.
struct GenDatabase {
  std::vector<GenTable> tables;
  std::vector<std::string> setup;  // CREATE TABLE / CREATE INDEX / INSERT
};

class SqlGenerator {
 public:
  explicit SqlGenerator(uint64_t seed) : rng_(seed) {}

  GenDatabase Database();
  // A SELECT over `db` (possibly a compound one).
  std::string Query(const GenDatabase& db);

 private:
  // A FROM item in scope: an alias for one of the tables.
  struct Source {
    std::string alias;
    const GenTable* table;
  };
  struct Scope {
    std::vector<Source> sources;
    const Scope* outer = nullptr;  // enclosing query, for correlation
  };

  std::string Select(const GenDatabase& db, const std::vector<SqlType>& types, const Scope* outer,
                     bool allow_order);
  // Sets *outer_join when it used RIGHT or FULL JOIN.
  std::string From(const GenDatabase& db, Scope* scope, bool* outer_join = nullptr);
  std::string Expr(SqlType type, const Scope& scope, int depth);
  std::string Numeric(SqlType type, const Scope& scope, int depth);
  std::string Text(const Scope& scope, int depth);
  std::string Predicate(const Scope& scope, int depth);
  std::string Aggregate(SqlType type, const Scope& scope);
  std::string AggregateCall(SqlType type, const Scope& scope);
  std::string Subquery(SqlType type, const Scope& scope, int depth);
  std::string ColumnOf(SqlType type, const Scope& scope, bool allow_outer);
  std::string Literal(SqlType type);
  std::string TextValue();
  std::string LikePattern();
  // ORDER BY every output column (maybe with LIMIT/OFFSET), or nothing.
  std::string OrderBy(size_t columns);

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }
  SqlType AnyType() { return static_cast<SqlType>(Uniform(0, 2)); }
  std::string NextAlias() { return "a" + std::to_string(alias_counter_++); }

  std::mt19937_64 rng_;
  const GenDatabase* db_ = nullptr;  // the database of the query being built
  int alias_counter_ = 0;
  bool local_only_ = false;  // inside an aggregate's arguments: no outer columns
};

}  // namespace neuroquantum::testing
