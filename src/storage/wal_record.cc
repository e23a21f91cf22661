// WAL record encoding, decoding, page diffs.
#include "storage/wal_record.h"

#include <cstring>

#include "common/coding.h"
#include "fmt/format.h"
#include "storage/btree_node.h"

namespace neuroquantum::storage {

namespace {

// Persisted page update kinds. Kind 1 (a dense page image) belonged to
// database format 1 and is no longer written or read.
constexpr uint8_t kPageUpdateRanges = 2;
constexpr uint8_t kPageUpdateFullImage = 3;
constexpr uint8_t kPageUpdateLeafOp = 4;

}  // namespace

void EncodeMtrRecord(const MtrRecord& rec, std::string* out) {
  out->push_back(static_cast<char>(WalRecordType::kMtr));
  out->push_back(static_cast<char>(kWalRecordVersion));
  PutVarint64(out, rec.txn);
  out->push_back(static_cast<char>(rec.flags));
  if (rec.flags & kHasLogical) {
    out->push_back(static_cast<char>(rec.logical.op));
    PutVarint64(out, rec.logical.tree);
    PutLengthPrefixed(out, rec.logical.key);
    PutLengthPrefixed(out, rec.logical.new_value);
    PutLengthPrefixed(out, rec.logical.old_value);
  }
  if (rec.flags & kCompensation) PutVarint64(out, rec.compensated_lsn);
  if (rec.flags & kChainFree) {
    PutVarint64(out, rec.chain_head);
    PutVarint64(out, rec.chain_next);
  }
  PutVarint64(out, rec.pages.size());
  for (const auto& page : rec.pages) {
    PutVarint64(out, page.page_id);
    if (page.leaf) {
      out->push_back(static_cast<char>(kPageUpdateLeafOp));
      PutVarint64(out, page.leaf->slot);
      out->push_back(static_cast<char>(page.leaf->bits));
      if (page.leaf->bits & kLeafInsertCell) PutLengthPrefixed(out, page.leaf->cell);
      continue;
    }
    out->push_back(page.full_image ? kPageUpdateFullImage : kPageUpdateRanges);
    PutVarint64(out, page.ranges.size());
    for (const auto& range : page.ranges) {
      PutVarint64(out, range.offset);
      PutLengthPrefixed(out, range.bytes);
    }
  }
}

std::string LogicalLeafCell(const LogicalChange& change) {
  return btree::MakeLeafCell(change.key, change.new_value);
}

void EncodeTxnRecord(WalRecordType type, TxnId txn, std::string* out) {
  out->push_back(static_cast<char>(type));
  out->push_back(static_cast<char>(kWalRecordVersion));
  PutVarint64(out, txn);
}

void EncodePrepareRecord(TxnId txn, std::string_view gid, std::string* out) {
  EncodeTxnRecord(WalRecordType::kPrepare, txn, out);
  PutLengthPrefixed(out, gid);
}

namespace {

Status Malformed(const char* what) {
  return Status::Corruption(fmt::format("malformed WAL record: {}", what));
}

Status DecodePages(ByteReader* in, uint32_t page_size, std::vector<PageUpdate>* pages) {
  uint64_t count = 0;
  if (!in->GetVarint64(&count) || count > in->remaining()) return Malformed("page count");
  pages->resize(count);
  for (auto& page : *pages) {
    uint8_t kind = 0;
    if (!in->GetVarint64(&page.page_id) || !in->GetFixed8(&kind)) return Malformed("page entry");
    std::string_view bytes;
    if (kind == kPageUpdateLeafOp) {
      LeafOp& op = page.leaf.emplace();
      uint64_t slot = 0;
      if (!in->GetVarint64(&slot) || slot > 0xFFFF || !in->GetFixed8(&op.bits)) return Malformed("leaf operation");
      op.slot = static_cast<uint16_t>(slot);
      if ((op.bits & ~kKnownLeafOpBits) != 0 || op.bits == 0 ||
          (op.bits & (kLeafInsertCell | kLeafInsertLogical)) == (kLeafInsertCell | kLeafInsertLogical)) {
        return Malformed("leaf operation bits");
      }
      if (op.bits & kLeafInsertCell) {
        if (!in->GetLengthPrefixed(&bytes) || !btree::WellFormedLeafCell(bytes)) return Malformed("leaf cell");
        op.cell.assign(bytes);
      }
      continue;
    }
    if (kind != kPageUpdateRanges && kind != kPageUpdateFullImage) {
      return Malformed("page update kind");
    }
    page.full_image = kind == kPageUpdateFullImage;
    uint64_t ranges = 0;
    if (!in->GetVarint64(&ranges) || ranges > in->remaining()) return Malformed("range count");
    page.ranges.resize(ranges);
    for (auto& range : page.ranges) {
      uint64_t offset = 0;
      if (!in->GetVarint64(&offset) || !in->GetLengthPrefixed(&bytes) ||
          offset + bytes.size() > page_size) {
        return Malformed("range");
      }
      range.offset = static_cast<uint32_t>(offset);
      range.bytes.assign(bytes);
    }
  }
  return Status::OK();
}

Status DecodeMtrBody(ByteReader* in, uint32_t page_size, MtrRecord* rec) {
  if (!in->GetFixed8(&rec->flags)) return Malformed("flags");
  // An unknown bit would be a flag from a newer format whose meaning we
  // would silently ignore (e.g. free pages it declares linked).
  if (rec->flags & ~kKnownMtrFlags) return Malformed("unknown flags");
  if (rec->flags & kHasLogical) {
    uint8_t op = 0;
    std::string_view key, new_value, old_value;
    if (!in->GetFixed8(&op) || op < 1 || op > 3 || !in->GetVarint64(&rec->logical.tree) ||
        !in->GetLengthPrefixed(&key) || !in->GetLengthPrefixed(&new_value) ||
        !in->GetLengthPrefixed(&old_value)) {
      return Malformed("logical change");
    }
    rec->logical.op = static_cast<LogicalOp>(op);
    rec->logical.key.assign(key);
    rec->logical.new_value.assign(new_value);
    rec->logical.old_value.assign(old_value);
  }
  if ((rec->flags & kCompensation) && !in->GetVarint64(&rec->compensated_lsn)) {
    return Malformed("compensation");
  }
  if ((rec->flags & kChainFree) &&
      (!in->GetVarint64(&rec->chain_head) || !in->GetVarint64(&rec->chain_next))) {
    return Malformed("chain free");
  }
  NQ_RETURN_IF_ERROR(DecodePages(in, page_size, &rec->pages));
  bool logical_cell_used = false;
  for (auto& page : rec->pages) {
    if (!page.leaf || !(page.leaf->bits & kLeafInsertLogical)) continue;
    if (!(rec->flags & kHasLogical) || rec->logical.op == LogicalOp::kDelete) {
      return Malformed("leaf cell from a missing logical change");
    }
    // A write changes one leaf; more would let a small record expand into
    // many copies of a large value.
    if (logical_cell_used) return Malformed("leaf cell from the logical change used twice");
    logical_cell_used = true;
    page.leaf->cell = LogicalLeafCell(rec->logical);
  }
  return Status::OK();
}

}  // namespace

Result<DecodedRecord> DecodeWalRecord(std::string_view bytes, uint32_t page_size) {
  ByteReader in(bytes);
  uint8_t type = 0;
  uint8_t version = 0;
  DecodedRecord out;
  if (!in.GetFixed8(&type) || !in.GetFixed8(&version) || !in.GetVarint64(&out.txn)) {
    return Malformed("header");
  }
  if (version < kOldestWalRecordVersion || version > kWalRecordVersion) {
    return Status::NotSupported(fmt::format("WAL record version {}", version));
  }
  if (type < 1 || type > 4) return Malformed("type");
  out.type = static_cast<WalRecordType>(type);
  if (out.type == WalRecordType::kMtr) {
    out.mtr.txn = out.txn;
    NQ_RETURN_IF_ERROR(DecodeMtrBody(&in, page_size, &out.mtr));
  } else if (out.type == WalRecordType::kPrepare) {
    std::string_view gid;
    if (!in.GetLengthPrefixed(&gid)) return Malformed("prepare gid");
    out.gid = std::string(gid);
  }
  if (in.remaining() != 0) return Malformed("trailing bytes");
  return out;
}

namespace {

uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Appends the differing ranges of [begin, end); equal stretches, which are
// most of a page, are skipped 32 bytes at a time.
void DiffRegion(const uint8_t* before, const uint8_t* after, uint32_t begin, uint32_t end,
                std::vector<PageRange>* out) {
  // Differences closer than this are merged: a range costs ~3 bytes of
  // overhead, so bridging a short equal gap is cheaper than a new range.
  constexpr uint32_t kMergeGap = 8;
  uint32_t i = begin;
  while (i < end) {
    // Equal 32-byte blocks first (four independent word compares per step),
    // then words, then bytes.
    while (i + 32 <= end) {
      uint64_t x = (Load64(before + i) ^ Load64(after + i)) |
                   (Load64(before + i + 8) ^ Load64(after + i + 8)) |
                   (Load64(before + i + 16) ^ Load64(after + i + 16)) |
                   (Load64(before + i + 24) ^ Load64(after + i + 24));
      if (x != 0) break;
      i += 32;
    }
    while (i + 8 <= end && Load64(before + i) == Load64(after + i)) i += 8;
    while (i < end && before[i] == after[i]) ++i;
    if (i >= end) break;
    uint32_t start = i;
    uint32_t last = i + 1;  // exclusive end of the last differing byte
    for (uint32_t j = last; j < end && j < last + kMergeGap; ++j) {
      if (before[j] != after[j]) last = j + 1;
    }
    out->push_back({start, std::string(reinterpret_cast<const char*>(after + start), last - start)});
    i = last;
  }
}

// Runs a leaf operation on a page, checking first that the page is a sound
// leaf and that the operation fits it, so a damaged WAL cannot make the node
// code read or write outside the page.
Status ApplyLeafOp(const LeafOp& op, uint8_t* page, uint32_t page_size) {
  if (GetPageType(page) != PageType::kLeaf) return Malformed("leaf operation on a page that is not a leaf");
  btree::Node node(page, page_size);
  if (std::string error = node.Validate(); !error.empty()) {
    return Status::Corruption(fmt::format("leaf operation on a damaged leaf: {}", error));
  }
  if (op.bits & kLeafRemove) {
    if (op.slot >= node.count()) return Malformed("leaf operation slot");
    node.RemoveCell(op.slot);
  }
  if (op.bits & (kLeafInsertCell | kLeafInsertLogical)) {
    if (op.slot > node.count() || !node.InsertCell(op.slot, op.cell)) return Malformed("leaf cell does not fit");
  }
  return Status::OK();
}

}  // namespace

void DiffPage(const uint8_t* before, const uint8_t* after, uint32_t page_size,
              std::vector<PageRange>* out) {
  // The checksum is recomputed at write time and the LSN is set by redo.
  DiffRegion(before, after, kTypeOffset, kLsnOffset, out);
  DiffRegion(before, after, kPageHeaderSize, page_size, out);
}

Status ApplyPageUpdate(const PageUpdate& update, uint8_t* page, uint32_t page_size) {
  if (update.leaf) return ApplyLeafOp(*update.leaf, page, page_size);
  if (update.full_image) std::memset(page, 0, page_size);
  for (const auto& range : update.ranges) {
    if (range.offset + range.bytes.size() > page_size) return Malformed("range bounds");
    std::memcpy(page + range.offset, range.bytes.data(), range.bytes.size());
  }
  return Status::OK();
}

}  // namespace neuroquantum::storage
