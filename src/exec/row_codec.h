// Row records and index keys of QSQL tables (docs/adr/0004-qsql-execution.md).
//
// Record layout (the value of a table row, after the txn layer's version
// header):
//   varint column count n
//   null bitmap, ceil(n / 8) bytes, bit i set = column i is NULL
//   each non-NULL column in order, encoded by its declared type:
//     BOOLEAN                 1 byte (0 or 1)
//     integer types           zigzag varint
//     REAL, DOUBLE            8 bytes, IEEE 754 little-endian
//     NUMERIC                 u8 scale, zigzag varint of the 128-bit unscaled value
//     text types, BLOB        varint length, bytes
//     DATE, TIME, TIMESTAMP   zigzag varint
//     INTERVAL                zigzag varint months, zigzag varint microseconds
// A record may hold fewer columns than the table has (columns added later
// by ALTER TABLE ADD COLUMN): decoding returns what is stored and the
// caller supplies defaults for the rest. Values are persisted: do not
// change the encoding without a format version.
//
// Keys (primary keys and index entries) use the order-preserving encoding
// of storage/key_encoding.h, one column after another. INTERVAL columns
// have no key form: the catalog refuses them in keys and indexes (0A000).
//
// Thread safety: stateless functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exec/value.h"
#include "storage/key_encoding.h"

namespace neuroquantum::exec {

// Encodes `row`, whose values must already have the kinds of `types` (cast
// on write); Internal if one does not.
Result<std::string> EncodeRow(std::span<const Value> row, std::span<const DataType> types);
// Decodes a record of a table with columns `types`. Corruption (naming the
// column) for malformed bytes or more columns than `types`.
Result<std::vector<Value>> DecodeRow(std::string_view record, std::span<const DataType> types);

// Decodes the records of one table, reading only the columns a scan needs.
// The work per column is decided once, when the decoder is built, so that
// scans pay only for reading bytes.
class RowDecoder {
 public:
  // `needed` marks the columns to decode (null: every column); columns
  // past its end are not wanted.
  RowDecoder(std::span<const DataType> types, const std::vector<bool>* needed);

  // Decodes `record` into `out`, reusing its storage. With every column
  // wanted, `out` holds the record's columns (a record written before ALTER
  // TABLE ADD COLUMN holds fewer). Otherwise `out` holds one value per
  // column: the wanted ones decoded (NULL past the record's end), the others
  // left as they were (NULL when `out` was empty). Columns after the last
  // wanted one are not read, so their bytes go unchecked; skipped columns
  // are stepped over by their lengths (an integer's or date's end is its
  // first byte below 0x80), their contents unchecked. Corruption (naming
  // the column) for malformed bytes or more columns than the table has.
  Status Decode(std::string_view record, std::vector<Value>* out) const;

 private:
  struct Column {
    TypeId kind;      // the stored kind (exec/value.h)
    bool want;
    int64_t min, max; // range of integer and date kinds
  };
  // The record's columns [0, end_) as steps, for records with none of them
  // NULL (most): runs of unwanted columns are stepped over at once.
  struct Step {
    enum Code : uint8_t {
      kSkipEnds,    // `n` bytes below 0x80 (integers, dates, booleans and decimals end with one)
      kSkipBytes,   // `n` bytes (doubles)
      kSkipString,  // a length-prefixed string
      kGet,         // the value of column `n`
    };
    Code code;
    TypeId kind;
    uint32_t n;
    int64_t min, max;
  };
  Status DecodeEachColumn(std::string_view record, std::vector<Value>* out) const;

  std::vector<Column> columns_;  // one per column of the table
  std::vector<Step> steps_;
  size_t end_;                   // columns from here on are not read
  bool all_;
};

// One-off form of RowDecoder(types, needed).Decode(record, out).
Status DecodeRowInto(std::string_view record, std::span<const DataType> types, std::vector<Value>* out,
                     const std::vector<bool>* needed = nullptr);

// Rows of any values, each tagged with its kind (no table types needed):
// what a spilled sort writes. Decoding checks every byte (Corruption).
void EncodeTaggedRow(std::span<const Value> row, std::string* out);
Status DecodeTaggedRow(std::string_view bytes, std::vector<Value>* out);

// Appends `value` (of the kind of `type`, or NULL) as one key column.
Status AppendKeyColumn(storage::KeyEncoder* key, const Value& value, const DataType& type,
                       storage::SortOrder order = storage::SortOrder::kAscending);
// Reads one key column written by AppendKeyColumn with the same type and
// order.
Result<Value> ReadKeyColumn(storage::KeyDecoder* key, const DataType& type,
                            storage::SortOrder order = storage::SortOrder::kAscending);

}  // namespace neuroquantum::exec
