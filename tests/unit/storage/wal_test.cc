// WalWriter / WalReader: framing across blocks and segments, end-of-log
// detection, epochs, foreign WAL, group commit, sticky errors, recycling.
#include <random>
#include <thread>

#include "storage/wal.h"
#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::Must;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir("wal").ok()); }

  WalConfig Config(uint32_t epoch = 1, uint64_t db = 7) {
    return WalConfig{"wal", 4 * kWalBlockSize, db, epoch, Durability::kFull};
  }

  std::vector<std::string> ReadAll(Lsn from, uint64_t db = 7, Lsn* end = nullptr) {
    WalReader reader(&env_, "wal", 4 * kWalBlockSize, db, from);
    std::vector<std::string> out;
    std::string rec;
    Lsn s = 0, e = 0;
    while (reader.Next(&rec, &s, &e)) out.push_back(rec);
    EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
    if (end != nullptr) *end = reader.end_lsn();
    return out;
  }

  static std::string Record(size_t size, int tag) {
    std::string r(size, '\0');
    for (size_t i = 0; i < size; ++i) r[i] = static_cast<char>((i * 31 + tag) & 0xff);
    return r;
  }

  FaultInjectionEnv env_;
};

TEST_F(WalTest, RecordsOfAllSizesRoundTripAcrossBlocksAndSegments) {
  auto writer = Must(WalWriter::Open(&env_, Config(), 0));
  std::vector<std::string> written;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 60; ++i) {
    size_t size = i % 10 == 0 ? 70000 + rng() % 90000 : rng() % 2000;  // some span segments
    written.push_back(Record(size, i));
    ASSERT_TRUE(writer->Append(written.back()).ok());
  }
  ASSERT_TRUE(writer->FlushAll().ok());
  Lsn end = 0;
  EXPECT_EQ(ReadAll(0, 7, &end), written);
  EXPECT_EQ(end, writer->end_lsn());
}

TEST_F(WalTest, AppendReportsStartAndEndLsn) {
  auto writer = Must(WalWriter::Open(&env_, Config(), 0));
  Lsn start = 0;
  Lsn end = Must(writer->Append("abc", &start));
  EXPECT_EQ(start, 0u);
  EXPECT_EQ(end, kFragmentHeaderSize + 3);
  ASSERT_TRUE(writer->FlushAll().ok());
  EXPECT_EQ(Must(WalReader::ReadRecordAt(&env_, "wal", 4 * kWalBlockSize, 7, start)), "abc");
}

TEST_F(WalTest, UnflushedTailIsNotReadAndTornTailEndsTheLog) {
  auto writer = Must(WalWriter::Open(&env_, Config(), 0));
  ASSERT_TRUE(writer->Append("one").ok());
  ASSERT_TRUE(writer->FlushAll().ok());
  ASSERT_TRUE(writer->Append(Record(50000, 2)).ok());  // never flushed
  EXPECT_EQ(ReadAll(0).size(), 1u);
  // Now write it but crash with only part of it on disk.
  env_.CrashAtOp(env_.mutating_ops(), CrashAction::kTearWrite, 20000);
  EXPECT_FALSE(writer->FlushAll().ok());
  writer.reset();
  env_.SimulateCrash(CrashMode::kKeepRandomUnsynced, 1);
  Lsn end = 0;
  EXPECT_EQ(ReadAll(0, 7, &end), std::vector<std::string>{"one"});
  EXPECT_EQ(end, kFragmentHeaderSize + 3u);
}

TEST_F(WalTest, TornRecordSpanningBlocksIsATornTailNotDamage) {
  auto writer = Must(WalWriter::Open(&env_, Config(), 0));
  ASSERT_TRUE(writer->Append("one").ok());
  ASSERT_TRUE(writer->FlushAll().ok());
  ASSERT_TRUE(writer->Append(Record(3 * kWalBlockSize, 5)).ok());  // spans four blocks
  // Tear the write so that its first blocks (FIRST and MIDDLE fragments)
  // survive but not its end.
  env_.CrashAtOp(env_.mutating_ops(), CrashAction::kTearWrite, 2 * kWalBlockSize + 100);
  EXPECT_FALSE(writer->FlushAll().ok());
  writer.reset();
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  WalReader reader(&env_, "wal", 4 * kWalBlockSize, 7, 0);
  std::string rec;
  Lsn s = 0, e = 0;
  ASSERT_TRUE(reader.Next(&rec, &s, &e));
  EXPECT_FALSE(reader.Next(&rec, &s, &e));
  EXPECT_FALSE(reader.ValidDataBeyondEnd(4)) << "a torn tail must not look like damage";
}

TEST_F(WalTest, WriterFailureIsStickyAndReadOnly) {
  auto writer = Must(WalWriter::Open(&env_, Config(), 0));
  ASSERT_TRUE(writer->Append("a").ok());
  env_.FailOpWith(env_.mutating_ops() + 1, StatusCode::kIOError);  // the fdatasync
  Status s = writer->FlushAll();
  EXPECT_EQ(s.code(), StatusCode::kReadOnly) << s.ToString();
  EXPECT_EQ(writer->Append("b").status().code(), StatusCode::kReadOnly);
  EXPECT_EQ(writer->FlushAll().code(), StatusCode::kReadOnly);  // never "recovers"
}

TEST_F(WalTest, RecordsFromAnOlderEpochBeyondTheEndAreStale) {
  {
    auto writer = Must(WalWriter::Open(&env_, Config(1), 0));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(writer->Append(Record(100, i)).ok());
    ASSERT_TRUE(writer->FlushAll().ok());
  }
  // A new run appends at LSN 0 again (as after recovery found the log ended
  // there) with fewer bytes; the old records beyond must not be read.
  {
    auto writer = Must(WalWriter::Open(&env_, Config(2), 0));
    ASSERT_TRUE(writer->Append(Record(150, 9)).ok());
    ASSERT_TRUE(writer->FlushAll().ok());
  }
  EXPECT_EQ(ReadAll(0), std::vector<std::string>{Record(150, 9)});
}

TEST_F(WalTest, AnotherDatabasesWalDoesNotVerify) {
  auto writer = Must(WalWriter::Open(&env_, Config(1, 7), 0));
  ASSERT_TRUE(writer->Append("mine").ok());
  ASSERT_TRUE(writer->FlushAll().ok());
  EXPECT_TRUE(ReadAll(0, 8).empty());
}

TEST_F(WalTest, GroupCommitSharesSyncs) {
  auto writer = Must(WalWriter::Open(&env_, Config(), 0));
  constexpr int kThreads = 8, kCommits = 200;
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        auto end = writer->Append(Record(40, t));
        if (!end.ok() || !writer->FlushTo(*end, true).ok()) errors++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  WalStats stats = writer->stats();
  EXPECT_EQ(stats.records, static_cast<uint64_t>(kThreads * kCommits));
  EXPECT_GE(writer->durable_lsn(), writer->end_lsn());
  EXPECT_LE(stats.syncs, static_cast<uint64_t>(kThreads * kCommits));
  EXPECT_EQ(ReadAll(0).size(), static_cast<size_t>(kThreads * kCommits));
}

TEST_F(WalTest, RecycledSegmentsAreReusedAndTheirOldContentIgnored) {
  auto writer = Must(WalWriter::Open(&env_, Config(), 0));
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(writer->Append(Record(20000, i)).ok());
  ASSERT_TRUE(writer->FlushAll().ok());
  Lsn keep = writer->end_lsn();
  ASSERT_TRUE(writer->RecycleSegments(keep, 2).ok());
  auto names = Must(env_.ListDir("wal"));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer->Append(Record(20000, 100 + i)).ok());
  ASSERT_TRUE(writer->FlushAll().ok());
  auto records = ReadAll(keep - keep % kWalBlockSize == keep ? keep : keep);
  ASSERT_EQ(records.size(), 20u);
  EXPECT_EQ(records.back(), Record(20000, 119));
  // Old segments wholly before `keep` are gone (renamed for reuse or removed).
  for (const auto& name : Must(env_.ListDir("wal"))) {
    if (name.size() != 20) continue;
    uint64_t no = std::stoull(name.substr(0, 16), nullptr, 16);
    EXPECT_GE(no, keep / (4 * kWalBlockSize)) << name;
  }
}

}  // namespace
}  // namespace neuroquantum::storage
