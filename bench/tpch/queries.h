// The 22 TPC-H queries (specification clause 2.4) with the validation
// substitution parameters of each query's clause 2.4.N.4, in two dialects
// where they must differ:
//   - ours: the specification's text (DATE literals, date ± INTERVAL,
//     EXTRACT(YEAR FROM ...), SUBSTRING(... FROM ... FOR ...));
//   - SQLite: dates are ISO text, so date arithmetic is date('...', '+N
//     months'), years are CAST(strftime('%Y', ...) AS INTEGER), and
//     SUBSTR(s, 1, 2); decimals are REAL, so Q6's bounds 0.06 ± 0.01 are
//     written as the values 0.05 and 0.07 (in binary floating point
//     0.06 + 0.01 is below the stored 0.07 and would drop those rows).
// Both texts keep the specification's FROM order and predicates. Changes
// that apply to both: "first N rows" is LIMIT N; Q13's derived-table column
// list (SQLite has none) became column aliases; Q15's view is a WITH query;
// the interval precision "day (3)" of Q1 is left out.
//
// Thread safety: plain data.
#pragma once

#include <string>
#include <vector>

namespace neuroquantum::bench::tpch {

struct Query {
  int number = 0;  // 1..22
  std::string ours;
  std::string sqlite;
  // The query has an ORDER BY that fixes the order of every row, so
  // results compare row by row; otherwise as multisets.
  bool ordered = true;
};

// Q11's fraction is 0.0001 / SF, hence the scale factor.
std::vector<Query> Queries(double scale_factor);

// The eight CREATE TABLE statements of clause 1.4 with their primary keys.
// Ours declares DATE and DECIMAL(15,2); SQLite gets TEXT (ISO dates) and
// REAL for them, its usual representation. Unless `fixed_char`, the
// specification's CHAR(n) columns are declared VARCHAR(n): our CHAR(n)
// stores values blank-padded but compares them with the padding, so
// `n_name = 'FRANCE'` would match nothing (docs/benchmarks/tpch.md).
std::vector<std::string> CreateTables(bool sqlite, bool fixed_char);
// One index per foreign-key column that is not the leading column of its
// table's primary key (l_orderkey and ps_partkey are), the same for both
// engines; created after the load.
std::vector<std::string> CreateIndexes();

}  // namespace neuroquantum::bench::tpch
