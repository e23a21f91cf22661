// WAL record encoding of page updates: ranges and sparse full images round
// trip and rebuild the page exactly, whatever the page held before (a torn
// or zeroed page for a full image); retired and unknown kinds are rejected.
#include "storage/wal_record.h"

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
  for (uint8_t kind : {0, 1, 4, 255}) {
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
