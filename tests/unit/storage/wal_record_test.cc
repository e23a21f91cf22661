// WAL record encoding of page updates: ranges and sparse full images round
// trip and rebuild the page exactly, whatever the page held before (a torn
// or zeroed page for a full image); leaf operations redo a leaf change byte
// for byte and refuse what does not fit the page; retired and unknown kinds
// are rejected.
#include "storage/wal_record.h"

#include "common/coding.h"
#include "fmt/format.h"
#include "storage/btree_node.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace neuroquantum::storage {
namespace {

constexpr uint32_t kPageSize = 4096;

std::vector<uint8_t> NodeLikePage(std::mt19937_64& rng) {
  // Header and slots at the start, cells at the end, zeros between.
  std::vector<uint8_t> page(kPageSize, 0);
  for (size_t i = 0; i < 300; ++i) page[i] = static_cast<uint8_t>(rng());
  for (size_t i = kPageSize - 900; i < kPageSize; ++i) page[i] = static_cast<uint8_t>(rng());
  return page;
}

DecodedRecord RoundTrip(const MtrRecord& rec) {
  std::string bytes;
  EncodeMtrRecord(rec, &bytes);
  auto decoded = DecodeWalRecord(bytes, kPageSize);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : DecodedRecord{};
}

TEST(WalRecordTest, SparseFullImageRebuildsThePageOverAnyContents) {
  std::mt19937_64 rng(5);
  std::vector<uint8_t> zero(kPageSize, 0);
  for (int round = 0; round < 20; ++round) {
    std::vector<uint8_t> after = NodeLikePage(rng);
    MtrRecord rec;
    PageUpdate update;
    update.page_id = 9;
    update.full_image = true;
    DiffPage(zero.data(), after.data(), kPageSize, &update.ranges);
    rec.pages.push_back(update);
    DecodedRecord decoded = RoundTrip(rec);
    ASSERT_EQ(decoded.mtr.pages.size(), 1u);
    ASSERT_TRUE(decoded.mtr.pages[0].full_image);
    // The target holds garbage, as a torn page would.
    std::vector<uint8_t> target(kPageSize);
    for (auto& b : target) b = static_cast<uint8_t>(rng());
    ASSERT_TRUE(ApplyPageUpdate(decoded.mtr.pages[0], target.data(), kPageSize).ok());
    // Everything but the checksum and LSN fields, which are not logged.
    EXPECT_TRUE(std::equal(after.begin() + kTypeOffset, after.begin() + kLsnOffset,
                           target.begin() + kTypeOffset));
    EXPECT_TRUE(std::equal(after.begin() + kPageHeaderSize, after.end(),
                           target.begin() + kPageHeaderSize));
    size_t logged = 0;
    for (const auto& r : update.ranges) logged += r.bytes.size();
    EXPECT_LT(logged, kPageSize / 2) << "free space must not be logged";
  }
}

TEST(WalRecordTest, RangesPatchOnlyWhatChanged) {
  std::mt19937_64 rng(6);
  std::vector<uint8_t> before = NodeLikePage(rng);
  std::vector<uint8_t> after = before;
  after[100] ^= 0xff;
  after[kPageSize - 10] ^= 0x0f;
  MtrRecord rec;
  PageUpdate update;
  update.page_id = 3;
  DiffPage(before.data(), after.data(), kPageSize, &update.ranges);
  ASSERT_EQ(update.ranges.size(), 2u);
  rec.pages.push_back(update);
  DecodedRecord decoded = RoundTrip(rec);
  std::vector<uint8_t> target = before;
  ASSERT_TRUE(ApplyPageUpdate(decoded.mtr.pages[0], target.data(), kPageSize).ok());
  EXPECT_EQ(target, after);
}

TEST(WalRecordTest, RetiredAndUnknownUpdateKindsAreCorruption) {
  MtrRecord rec;
  PageUpdate update;
  update.page_id = 1;
  rec.pages.push_back(update);
  std::string bytes;
  EncodeMtrRecord(rec, &bytes);
  // The kind byte follows the page id (varint 1) at the end of the record:
  // ... count=1, page_id=1, kind, range_count=0.
  ASSERT_EQ(static_cast<uint8_t>(bytes[bytes.size() - 2]), 2u);
  for (uint8_t kind : {0, 1, 5, 255}) {
    std::string bad = bytes;
    bad[bad.size() - 2] = static_cast<char>(kind);
    auto decoded = DecodeWalRecord(bad, kPageSize);
    ASSERT_FALSE(decoded.ok()) << int{kind};
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    EXPECT_NE(decoded.status().ToString().find("page update kind"), std::string::npos);
  }
}

}  // namespace
}  // namespace neuroquantum::storage

namespace neuroquantum::storage {
namespace {

TEST(WalRecordTest, PrepareRecordCarriesItsGlobalId) {
  std::string bytes;
  EncodePrepareRecord(42, "order-17", &bytes);
  auto rec = DecodeWalRecord(bytes, 4096);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->type, WalRecordType::kPrepare);
  EXPECT_EQ(rec->txn, 42u);
  EXPECT_EQ(rec->gid, "order-17");
  // A truncated gid and an unknown record type are refused.
  EXPECT_TRUE(DecodeWalRecord(bytes.substr(0, bytes.size() - 1), 4096).status().IsCorruption());
  bytes[0] = 5;
  EXPECT_TRUE(DecodeWalRecord(bytes, 4096).status().IsCorruption());
}

}  // namespace
}  // namespace neuroquantum::storage

namespace neuroquantum::storage {
namespace {

// A leaf holding keys k000, k002, ... k098 (values v<i>).
std::vector<uint8_t> Leaf() {
  std::vector<uint8_t> page(kPageSize, 0);
  btree::Node node(page.data(), kPageSize);
  node.Init(PageType::kLeaf, 0, 7);
  for (int i = 0; i < 50; ++i) {
    bool ok = node.InsertCell(static_cast<uint16_t>(i),
                              btree::MakeLeafCell(fmt::format("k{:03}", 2 * i), fmt::format("v{}", i)));
    EXPECT_TRUE(ok);
  }
  return page;
}

TEST(WalRecordTest, LeafOperationsRedoTheChangeByteForByte) {
  std::vector<uint8_t> before = Leaf();
  struct Case {
    const char* name;
    uint16_t slot;
    uint8_t bits;
  };
  for (Case c : {Case{"insert", 3, kLeafInsertLogical}, Case{"update", 3, kLeafRemove | kLeafInsertLogical},
                 Case{"delete", 3, kLeafRemove}, Case{"insert at the end", 50, kLeafInsertCell},
                 Case{"update with a logged cell", 0, kLeafRemove | kLeafInsertCell}}) {
    SCOPED_TRACE(c.name);
    std::string key = (c.bits & kLeafRemove) ? fmt::format("k{:03}", 2 * c.slot) : fmt::format("k{:03}", 2 * c.slot - 1);
    std::string cell = btree::MakeLeafCell(key, "a new value");
    std::vector<uint8_t> after = before;
    btree::Node node(after.data(), kPageSize);
    if (c.bits & kLeafRemove) node.RemoveCell(c.slot);
    if (c.bits != kLeafRemove) {
      ASSERT_TRUE(node.InsertCell(c.slot, cell));
    }

    MtrRecord rec;
    rec.flags = kHasLogical;
    rec.logical.op = c.bits == kLeafRemove ? LogicalOp::kDelete : LogicalOp::kUpdate;
    rec.logical.key = key;
    if (c.bits != kLeafRemove) rec.logical.new_value = "a new value";
    PageUpdate update;
    update.page_id = 4;
    update.leaf = LeafOp{c.slot, c.bits, (c.bits & kLeafInsertCell) ? cell : ""};
    rec.pages.push_back(update);
    std::string bytes;
    EncodeMtrRecord(rec, &bytes);
    if (c.bits & kLeafInsertLogical) {
      EXPECT_EQ(bytes.find(cell), std::string::npos) << "the cell is not logged twice";
    }
    DecodedRecord decoded = RoundTrip(rec);
    ASSERT_EQ(decoded.mtr.pages.size(), 1u);
    ASSERT_TRUE(decoded.mtr.pages[0].leaf.has_value());
    std::vector<uint8_t> target = before;
    ASSERT_TRUE(ApplyPageUpdate(decoded.mtr.pages[0], target.data(), kPageSize).ok());
    EXPECT_EQ(target, after);
  }
}

TEST(WalRecordTest, LeafOperationsThatDoNotFitThePageAreCorruption) {
  std::vector<uint8_t> leaf = Leaf();
  auto apply = [&](const std::vector<uint8_t>& page, LeafOp op) {
    std::vector<uint8_t> target = page;
    PageUpdate update;
    update.leaf = std::move(op);
    return ApplyPageUpdate(update, target.data(), kPageSize);
  };
  std::string cell = btree::MakeLeafCell("k001", "v");
  EXPECT_TRUE(apply(leaf, LeafOp{50, kLeafRemove, ""}).IsCorruption()) << "slot past the last cell";
  EXPECT_TRUE(apply(leaf, LeafOp{51, kLeafInsertCell, cell}).IsCorruption()) << "slot past the end";
  std::string huge = btree::MakeLeafCell("k001", std::string(kPageSize, 'x'));
  EXPECT_TRUE(apply(leaf, LeafOp{1, kLeafInsertCell, huge}).IsCorruption()) << "cell larger than the space";
  std::vector<uint8_t> internal = leaf;
  SetPageType(internal.data(), PageType::kInternal);
  EXPECT_TRUE(apply(internal, LeafOp{1, kLeafInsertCell, cell}).IsCorruption()) << "not a leaf";
  std::vector<uint8_t> damaged = leaf;
  damaged[btree::kSlotsOffset] = 0xff;  // the first cell's offset points past the page
  damaged[btree::kSlotsOffset + 1] = 0xff;
  EXPECT_TRUE(apply(damaged, LeafOp{1, kLeafInsertCell, cell}).IsCorruption()) << "damaged leaf";
  EXPECT_TRUE(apply(leaf, LeafOp{1, kLeafInsertCell, cell}).ok());
}

TEST(WalRecordTest, MalformedLeafOperationsAreRefused) {
  auto decode = [](uint8_t flags, LeafOp op, std::string_view cell_bytes = {}) {
    MtrRecord rec;
    rec.flags = flags;
    rec.logical.op = LogicalOp::kDelete;
    rec.logical.key = "k";
    PageUpdate update;
    update.page_id = 2;
    update.leaf = std::move(op);
    rec.pages.push_back(update);
    std::string bytes;
    EncodeMtrRecord(rec, &bytes);
    if (!cell_bytes.empty()) {  // replace the logged cell (the record's tail)
      bytes.resize(bytes.size() - rec.pages[0].leaf->cell.size() - 1);
      PutLengthPrefixed(&bytes, cell_bytes);
    }
    return DecodeWalRecord(bytes, kPageSize).status();
  };
  std::string cell = btree::MakeLeafCell("k", "v");
  EXPECT_TRUE(decode(kHasLogical, LeafOp{0, kLeafRemove, ""}).ok());
  EXPECT_TRUE(decode(kHasLogical, LeafOp{0, 0, ""}).IsCorruption()) << "no operation";
  EXPECT_TRUE(decode(kHasLogical, LeafOp{0, 8, ""}).IsCorruption()) << "unknown bit";
  EXPECT_TRUE(decode(kHasLogical, LeafOp{0, kLeafInsertCell | kLeafInsertLogical, cell}).IsCorruption());
  EXPECT_TRUE(decode(kHasLogical, LeafOp{0, kLeafInsertLogical, ""}).IsCorruption()) << "logical change is a delete";
  EXPECT_TRUE(decode(0, LeafOp{0, kLeafInsertLogical, ""}).IsCorruption()) << "no logical change";
  EXPECT_TRUE(decode(0, LeafOp{0, kLeafInsertCell, cell}).ok());
  EXPECT_TRUE(decode(0, LeafOp{0, kLeafInsertCell, cell}, cell + "x").IsCorruption()) << "trailing cell bytes";
  EXPECT_TRUE(decode(0, LeafOp{0, kLeafInsertCell, cell}, "\x05").IsCorruption()) << "truncated cell";
  // The logical change's cell serves one leaf operation only.
  MtrRecord twice;
  twice.flags = kHasLogical;
  twice.logical.op = LogicalOp::kInsert;
  twice.logical.key = "k";
  twice.logical.new_value = std::string(1000, 'v');
  for (PageId page : {2, 3}) {
    PageUpdate update;
    update.page_id = page;
    update.leaf = LeafOp{0, kLeafInsertLogical, ""};
    twice.pages.push_back(update);
  }
  std::string bytes;
  EncodeMtrRecord(twice, &bytes);
  EXPECT_TRUE(DecodeWalRecord(bytes, kPageSize).status().IsCorruption());
  twice.pages.pop_back();
  bytes.clear();
  EncodeMtrRecord(twice, &bytes);
  EXPECT_TRUE(DecodeWalRecord(bytes, kPageSize).ok());
}

}  // namespace
}  // namespace neuroquantum::storage
