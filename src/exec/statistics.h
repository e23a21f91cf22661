// Table statistics: what ANALYZE gathers and the planner's estimates read
// (docs/architecture/optimizer.md).
//
// ANALYZE reads every row of a table once: it counts the rows and the
// NULLs of each column exactly, estimates each column's number of distinct
// values with a HyperLogLog sketch over all rows, and keeps a uniform
// reservoir sample of up to kSampleRows rows, from which come the most
// common values (with their frequencies) and an equi-depth histogram of
// the remaining values. The result is kept in the catalog (one row per
// table, written by the ANALYZE statement's transaction), so it commits,
// rolls back and survives restarts like the schema.
//
// Thread safety: TableStats is immutable once loaded and may be shared;
// a StatsCollector is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "exec/types.h"
#include "exec/value.h"
#include "neuroquantum/result.h"

namespace neuroquantum::exec {

struct TableInfo;

struct ColumnStats {
  std::string name;
  DataType type;
  double null_fraction = 0;  // of all rows
  double distinct = 0;       // distinct non-NULL values (estimated)
  // The most common non-NULL values of the sample, most frequent first,
  // each with its estimated fraction of all rows.
  std::vector<Value> most_common;
  std::vector<double> most_common_fractions;
  // Bounds of equi-depth buckets over the non-NULL values that are not
  // among `most_common`, ascending: each bucket holds about the same
  // number of rows. Empty when there are fewer than two such values.
  std::vector<Value> histogram;
};

struct TableStats {
  uint64_t row_count = 0;
  std::vector<ColumnStats> columns;  // by table column position

  // The statistics of a column, or null (a column added after ANALYZE).
  const ColumnStats* Find(std::string_view column) const;
};

// Catalog form: the statistics of `table` as bytes, and back. Decoding
// matches columns by name and type, so statistics outlive renames of the
// table and ADD/DROP COLUMN; a column whose type changed loses its own.
std::string EncodeTableStats(const TableStats& stats);
Result<std::shared_ptr<const TableStats>> DecodeTableStats(std::string_view bytes, const TableInfo& table);

// Gathers the statistics of one table from its rows (ANALYZE).
class StatsCollector {
 public:
  static constexpr size_t kSampleRows = 30000;
  static constexpr size_t kMostCommon = 20;
  static constexpr size_t kBuckets = 32;

  // `seed` makes the sample reproducible (tests).
  StatsCollector(const TableInfo& table, uint64_t seed);
  void Add(const std::vector<Value>& row);
  TableStats Finish();

 private:
  // HyperLogLog with 2^kPrecisionBits registers (standard error about
  // 1.04 / sqrt(4096) = 1.6%), with the small-range correction.
  static constexpr int kPrecisionBits = 12;
  struct Sketch {
    std::vector<uint8_t> registers = std::vector<uint8_t>(size_t{1} << kPrecisionBits);
    void Add(uint64_t hash);
    double Estimate() const;
  };

  const TableInfo& table_;
  std::mt19937_64 rng_;
  uint64_t rows_ = 0;
  std::vector<uint64_t> nulls_;
  std::vector<Sketch> sketches_;
  std::vector<std::vector<Value>> sample_;
};

}  // namespace neuroquantum::exec
