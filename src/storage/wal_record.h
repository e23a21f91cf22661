// Logical contents of WAL records (the payload that the fragment layer of
// wal_format.h carries). Every record is self-describing: a type byte and a
// format version byte come first.
//
// kMtr record (a mini-transaction: an atomic group of page changes):
//   u8 type=1, u8 version=1, varint txn_id, u8 flags (MtrFlags)
//   if kHasLogical:    u8 op, varint tree_id, lp key, lp new_value, lp old_value
//   if kCompensation:  varint compensated_lsn (start LSN of the undone record)
//   if kOverflowAlloc: (nothing more: the record's pages are a chain in progress)
//   if kChainFree:     varint chain_head, varint next_to_free (0 = done)
//   if kLinkPending:   (nothing more: the flag alone is the message)
//   varint page_count, then per page:
//     varint page_id, u8 kind (2 = byte ranges, 3 = full image, 4 = leaf operation)
//     ranges, full image: varint range_count, then per range varint offset, lp bytes
//     leaf operation: varint slot, u8 LeafOpBits, lp cell if kLeafInsertCell
// kCommit / kAbort: u8 type, u8 version, varint txn_id
// kPrepare: u8 type, u8 version, varint txn_id, lp global transaction id
// (lp = varint length prefix + bytes.) Values are persisted: do not change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neuroquantum/result.h"
#include "storage/page.h"

namespace neuroquantum::storage {

// Version 2 added page update kind 4 (leaf operations); version 1 records
// are still read.
inline constexpr uint8_t kWalRecordVersion = 2;
inline constexpr uint8_t kOldestWalRecordVersion = 1;

enum class WalRecordType : uint8_t { kMtr = 1, kCommit = 2, kAbort = 3, kPrepare = 4 };

// Persisted bit values: do not change.
enum MtrFlags : uint8_t {
  kHasLogical = 1,
  kCompensation = 2,
  // The record's pages (except page 0) are allocated but not yet linked from
  // any tree; recovery frees them unless a linking record of the same
  // transaction follows (kHasLogical, kCompensation or kLinkPending).
  kOverflowAlloc = 4,
  // Progress of freeing an overflow chain; its pages also leave the
  // transaction's allocated-unlinked set (every transaction's for
  // transaction 0, recovery finishing a free). chain_head = 0 marks pages freed
  // outside any chain (a failed bulk load returning its pages): nothing to
  // resume.
  kChainFree = 8,
  // Every page this transaction allocated so far (kOverflowAlloc) is now
  // linked: set on the mtr that installs a bulk-loaded tree in its root.
  kLinkPending = 16,
};
// Every defined MtrFlags bit; the decoder rejects a record with any other.
inline constexpr uint8_t kKnownMtrFlags =
    kHasLogical | kCompensation | kOverflowAlloc | kChainFree | kLinkPending;

// A change a transaction made to a tree; drives undo and the change feed.
enum class LogicalOp : uint8_t { kInsert = 1, kUpdate = 2, kDelete = 3 };

struct LogicalChange {
  LogicalOp op = LogicalOp::kInsert;
  TreeId tree = 0;
  std::string key;
  std::string new_value;  // insert/update
  std::string old_value;  // update/delete: what undo restores
};

struct PageRange {
  uint32_t offset = 0;
  std::string bytes;
};

// Persisted bits of a leaf operation: do not change.
enum LeafOpBits : uint8_t {
  kLeafRemove = 1,         // remove the cell at the slot
  kLeafInsertCell = 2,     // then insert the cell the record carries at the slot
  kLeafInsertLogical = 4,  // or insert MakeLeafCell(logical key, logical new value)
};
inline constexpr uint8_t kKnownLeafOpBits = kLeafRemove | kLeafInsertCell | kLeafInsertLogical;

// A change of one leaf redone by running it again on the page
// (physiological logging): RemoveCell(slot) and/or InsertCell(slot, cell).
// The node code is deterministic, so the page comes out byte for byte as it
// did when the change was made. Used by single-leaf writes, which would
// otherwise log the cell twice (in the logical change and in a diff).
struct LeafOp {
  uint16_t slot = 0;
  uint8_t bits = 0;
  // The cell to insert; after decoding also when made from the logical change.
  std::string cell;
};

// The cell a kLeafInsertLogical operation inserts for `change`.
std::string LogicalLeafCell(const LogicalChange& change);

struct PageUpdate {
  PageId page_id = 0;
  // Set for a leaf operation (no ranges, not a full image).
  std::optional<LeafOp> leaf;
  // A full image determines the whole page (a torn page is rebuilt from it):
  // redo zeroes the page, then copies the ranges. Stored sparsely, since
  // free space inside pages is zero. Otherwise the ranges patch the page.
  bool full_image = false;
  std::vector<PageRange> ranges;
};

struct MtrRecord {
  TxnId txn = 0;
  uint8_t flags = 0;
  LogicalChange logical;
  Lsn compensated_lsn = 0;
  PageId chain_head = 0;
  PageId chain_next = 0;
  std::vector<PageUpdate> pages;
};

struct DecodedRecord {
  WalRecordType type = WalRecordType::kMtr;
  TxnId txn = 0;
  MtrRecord mtr;  // valid when type == kMtr
  std::string gid;  // valid when type == kPrepare
};

void EncodeMtrRecord(const MtrRecord& rec, std::string* out);
void EncodeTxnRecord(WalRecordType type, TxnId txn, std::string* out);
void EncodePrepareRecord(TxnId txn, std::string_view gid, std::string* out);
// Parses untrusted bytes; Corruption on anything malformed.
Result<DecodedRecord> DecodeWalRecord(std::string_view bytes, uint32_t page_size);

// Appends to `out` the ranges where `after` differs from `before`, skipping
// the checksum and LSN fields; nearby differences are merged.
void DiffPage(const uint8_t* before, const uint8_t* after, uint32_t page_size,
              std::vector<PageRange>* out);
// Applies an update to a page buffer. Corruption if a range is out of bounds
// or a leaf operation does not fit the page.
Status ApplyPageUpdate(const PageUpdate& update, uint8_t* page, uint32_t page_size);

}  // namespace neuroquantum::storage
