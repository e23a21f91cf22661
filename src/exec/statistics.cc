#include "exec/statistics.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "common/coding.h"
#include "exec/catalog.h"
#include "exec/plan.h"
#include "exec/row_codec.h"

namespace neuroquantum::exec {
namespace {

constexpr uint64_t kFormatVersion = 1;

// HashValue is consistent with SQL equality (1 = 1.0) but not well mixed;
// HyperLogLog needs every bit to look random.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

void PutDouble(std::string* out, double v) { PutFixed64(out, std::bit_cast<uint64_t>(v)); }

bool GetDouble(ByteReader* in, double* v) {
  uint64_t bits;
  if (!in->GetFixed64(&bits)) return false;
  *v = std::bit_cast<double>(bits);
  return true;
}

// A count, then the values as one record of that many columns of `type`.
Status PutValues(std::string* out, const std::vector<Value>& values, const DataType& type) {
  PutVarint64(out, values.size());
  if (values.empty()) {
    PutLengthPrefixed(out, "");
    return Status::OK();
  }
  const std::vector<DataType> types(values.size(), type);
  NQ_ASSIGN_OR_RETURN(std::string record, EncodeRow(values, types));
  PutLengthPrefixed(out, record);
  return Status::OK();
}

Result<std::vector<Value>> GetValues(ByteReader* in, const DataType& type) {
  uint64_t count;
  std::string_view record;
  if (!in->GetVarint64(&count) || count > (1u << 16) || !in->GetLengthPrefixed(&record)) {
    return Status::Corruption("truncated statistics");
  }
  if (count == 0) return std::vector<Value>();
  const std::vector<DataType> types(count, type);
  return DecodeRow(record, types);
}

bool Less(const Value& a, const Value& b) { return a.SortCompare(b) < 0; }

}  // namespace

const ColumnStats* TableStats::Find(std::string_view column) const {
  for (const ColumnStats& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

std::string EncodeTableStats(const TableStats& stats) {
  std::string out;
  PutVarint64(&out, kFormatVersion);
  PutVarint64(&out, stats.row_count);
  PutVarint64(&out, stats.columns.size());
  for (const ColumnStats& c : stats.columns) {
    PutLengthPrefixed(&out, c.name);
    PutLengthPrefixed(&out, c.type.ToString());
    PutDouble(&out, c.null_fraction);
    PutDouble(&out, c.distinct);
    // Values the statistics hold were read from the column, so they encode
    // as its type; a failure here would be a bug, and the column is then
    // written without values rather than failing ANALYZE.
    std::string values;
    if (!PutValues(&values, c.most_common, c.type).ok() || !PutValues(&values, c.histogram, c.type).ok()) {
      values.clear();
      for (int list = 0; list < 2; ++list) {
        PutVarint64(&values, 0);
        PutLengthPrefixed(&values, "");
      }
    } else {
      for (double f : c.most_common_fractions) PutDouble(&values, f);
    }
    PutLengthPrefixed(&out, values);
  }
  return out;
}

Result<std::shared_ptr<const TableStats>> DecodeTableStats(std::string_view bytes, const TableInfo& table) {
  ByteReader in(bytes);
  uint64_t version, rows, count;
  if (!in.GetVarint64(&version)) return Status::Corruption("statistics of table " + table.name + ": empty");
  // Statistics of a later format are ignored (as if never analysed), so an
  // older binary still opens the database.
  if (version != kFormatVersion) return std::shared_ptr<const TableStats>();
  if (!in.GetVarint64(&rows) || !in.GetVarint64(&count)) {
    return Status::Corruption("statistics of table " + table.name + ": bad header");
  }
  auto stats = std::make_shared<TableStats>();
  stats->row_count = rows;
  stats->columns.resize(table.columns.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    stats->columns[i].name = table.columns[i].name;
    stats->columns[i].type = table.columns[i].type;
  }
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name, type, values;
    double null_fraction, distinct;
    if (!in.GetLengthPrefixed(&name) || !in.GetLengthPrefixed(&type) || !GetDouble(&in, &null_fraction) ||
        !GetDouble(&in, &distinct) || !in.GetLengthPrefixed(&values)) {
      return Status::Corruption("statistics of table " + table.name + ": truncated");
    }
    const int position = table.FindColumn(name);
    if (position < 0) continue;  // dropped since
    ColumnStats& c = stats->columns[static_cast<size_t>(position)];
    if (c.type.ToString() != type) continue;  // changed type since
    c.null_fraction = null_fraction;
    c.distinct = distinct;
    ByteReader value_in(values);
    NQ_ASSIGN_OR_RETURN(c.most_common, GetValues(&value_in, c.type));
    NQ_ASSIGN_OR_RETURN(c.histogram, GetValues(&value_in, c.type));
    c.most_common_fractions.resize(c.most_common.size());
    for (double& f : c.most_common_fractions) {
      if (!GetDouble(&value_in, &f)) return Status::Corruption("statistics of table " + table.name + ": truncated");
    }
  }
  return std::shared_ptr<const TableStats>(std::move(stats));
}

void StatsCollector::Sketch::Add(uint64_t hash) {
  const size_t index = hash >> (64 - kPrecisionBits);
  const uint64_t rest = hash << kPrecisionBits;
  // Position of the first 1 bit in the remaining bits, counting from 1.
  const uint8_t rank =
      static_cast<uint8_t>(rest == 0 ? 64 - kPrecisionBits + 1 : std::countl_zero(rest) + 1);
  registers[index] = std::max(registers[index], rank);
}

double StatsCollector::Sketch::Estimate() const {
  const double m = static_cast<double>(registers.size());
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : registers) {
    sum += std::ldexp(1.0, -r);
    if (r == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double raw = alpha * m * m / sum;
  // Linear counting while many registers are still empty.
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));
  return raw;
}

StatsCollector::StatsCollector(const TableInfo& table, uint64_t seed)
    : table_(table), rng_(seed), nulls_(table.columns.size()), sketches_(table.columns.size()) {}

void StatsCollector::Add(const std::vector<Value>& row) {
  for (size_t c = 0; c < sketches_.size() && c < row.size(); ++c) {
    if (row[c].is_null()) {
      ++nulls_[c];
    } else {
      sketches_[c].Add(Mix(HashValue(row[c])));
    }
  }
  // Reservoir sampling (Algorithm R): every row ends in the sample with
  // the same probability.
  if (sample_.size() < kSampleRows) {
    sample_.push_back(row);
  } else {
    const uint64_t j = std::uniform_int_distribution<uint64_t>(0, rows_)(rng_);
    if (j < kSampleRows) sample_[j] = row;
  }
  ++rows_;
}

TableStats StatsCollector::Finish() {
  TableStats stats;
  stats.row_count = rows_;
  const bool complete = sample_.size() == rows_;
  for (size_t c = 0; c < table_.columns.size(); ++c) {
    ColumnStats col;
    col.name = table_.columns[c].name;
    col.type = table_.columns[c].type;
    if (rows_ == 0) {
      stats.columns.push_back(std::move(col));
      continue;
    }
    col.null_fraction = static_cast<double>(nulls_[c]) / static_cast<double>(rows_);

    std::vector<Value> values;
    for (const std::vector<Value>& row : sample_) {
      if (c < row.size() && !row[c].is_null()) values.push_back(row[c]);
    }
    std::sort(values.begin(), values.end(), Less);
    // Runs of equal values in the sample.
    std::vector<std::pair<size_t, size_t>> runs;  // (count, first index)
    for (size_t i = 0; i < values.size();) {
      size_t j = i + 1;
      while (j < values.size() && values[j].SortCompare(values[i]) == 0) ++j;
      runs.emplace_back(j - i, i);
      i = j;
    }
    const double non_null = static_cast<double>(rows_ - nulls_[c]);
    col.distinct = complete ? static_cast<double>(runs.size())
                            : std::min(non_null, std::max(sketches_[c].Estimate(), static_cast<double>(runs.size())));

    // Most common values: seen at least twice and clearly more often than
    // the average value of the sample.
    std::vector<std::pair<size_t, size_t>> common;
    if (!runs.empty()) {
      const double average = static_cast<double>(values.size()) / static_cast<double>(runs.size());
      for (const auto& run : runs) {
        if (run.first >= 2 && static_cast<double>(run.first) > 1.25 * average) common.push_back(run);
      }
      std::stable_sort(common.begin(), common.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      if (common.size() > kMostCommon) common.resize(kMostCommon);
    }
    std::vector<bool> is_common(values.size());
    for (const auto& [count, first] : common) {
      col.most_common.push_back(values[first]);
      col.most_common_fractions.push_back(static_cast<double>(count) / static_cast<double>(sample_.size()));
      for (size_t k = 0; k < count; ++k) is_common[first + k] = true;
    }

    // Equi-depth histogram over the rest.
    std::vector<Value> rest;
    for (size_t i = 0; i < values.size(); ++i) {
      if (!is_common[i]) rest.push_back(std::move(values[i]));
    }
    if (rest.size() >= 2) {
      const size_t bounds = std::min(kBuckets + 1, rest.size());
      for (size_t b = 0; b < bounds; ++b) col.histogram.push_back(rest[b * (rest.size() - 1) / (bounds - 1)]);
    }
    stats.columns.push_back(std::move(col));
  }
  return stats;
}

}  // namespace neuroquantum::exec
