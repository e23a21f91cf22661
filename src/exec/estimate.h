// Row estimates from table statistics (statistics.h): the fraction of a
// table's rows a predicate keeps, and how many rows a table holds. EXPLAIN
// shows them; the cost-based optimizer is built on them
// (docs/architecture/optimizer.md).
//
// The rules are PostgreSQL's: an equality with a most common value takes
// its frequency, any other value an equal share of the remaining rows; a
// range sums the most common values inside it and interpolates in the
// histogram; AND multiplies (columns taken as independent), OR adds
// minus the overlap, NOT complements. Without statistics, or for
// predicates these rules do not cover, fixed defaults apply.
#pragma once

#include "exec/plan.h"
#include "exec/statistics.h"

namespace neuroquantum::exec {

// Rows assumed in a table that was never analysed.
inline constexpr double kDefaultTableRows = 1000;

// Costs of a lookup relative to a full scan's one per row read: the seek
// (the scan's key ranges, a cursor, a B+ tree descent), and each row
// fetched through the primary key or through another index (an index
// entry, then the row by its key). Measured on TPC-H at scale factor 0.1
// (warm, 512 MiB pool): a full scan reads a row in about 0.2 us, a lookup
// of one order by its key takes about 2.3 us, and a line item read through
// the l_partkey index about 2 us. Join ordering and EXPLAIN's costs use
// them.
inline constexpr double kLookupSeekCost = 10;
inline constexpr double kLookupRowCost = 1.5;
inline constexpr double kLookupIndexRowCost = 9;
// The cost of copying one column of a row a join materialises (its hash
// table's rows, its output), relative to the same unit. Measured on TPC-H
// Q9: a hash join spends about 1.2 us per built and output row pair of
// some 60 columns together. Joined rows carry every column of their
// tables, so wide inputs are costly to hold.
inline constexpr double kColumnCost = 0.1;

// The fraction (0..1) of a table's rows for which `predicate` holds.
// Columns in `predicate` are table column positions (as bound for a scan
// of the table); `stats` may be null.
double EstimateSelectivity(const BoundExpr& predicate, const TableStats* stats);

// The selectivity of each of a table's conjuncts, as EstimateSelectivity
// gives it, except that a lower and an upper bound on one column (col > a,
// col < b) are estimated together: the first of them gets the fraction
// between the bounds, the second 1. The product is the rows kept.
std::vector<double> EstimateConjuncts(const std::vector<BoundExprPtr>& conjuncts, const TableStats* stats);

// The rows `table` holds by its last ANALYZE, else kDefaultTableRows.
double EstimateTableRows(const TableInfo& table);

}  // namespace neuroquantum::exec
