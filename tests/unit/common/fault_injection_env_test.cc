// Tests for FaultInjectionEnv: in-memory file semantics, durability of data
// and directory entries across SimulateCrash, and op-indexed fault injection.
#include "common/fault_injection_env.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace neuroquantum {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir("db").ok()); }

  std::unique_ptr<File> Open(const std::string& path, OpenMode mode = OpenMode::kCreate) {
    Result<std::unique_ptr<File>> file = env_.OpenFile(path, mode);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  // Creates `path` with `text`, syncs it and its directory: fully durable.
  void WriteDurable(const std::string& path, std::string_view text) {
    std::unique_ptr<File> file = Open(path);
    ASSERT_NE(file, nullptr);
    ASSERT_TRUE(file->WriteAt(0, Bytes(text)).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(env_.SyncDir("db").ok());
  }

  // The whole current content of `path`, or "<missing>".
  std::string Contents(const std::string& path) {
    Result<std::unique_ptr<File>> file = env_.OpenFile(path, OpenMode::kReadOnly);
    if (!file.ok()) return "<missing>";
    Result<uint64_t> size = (*file)->Size();
    EXPECT_TRUE(size.ok());
    std::string out(*size, '\0');
    size_t bytes_read = 0;
    std::span<uint8_t> buf(reinterpret_cast<uint8_t*>(out.data()), out.size());
    EXPECT_TRUE((*file)->ReadAt(0, buf, &bytes_read).ok());
    EXPECT_EQ(bytes_read, out.size());
    return out;
  }

  FaultInjectionEnv env_;
};

TEST_F(FaultInjectionEnvTest, ReadSeesUnsyncedWrite) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("hello")).ok());
  EXPECT_EQ(Contents("db/a"), "hello");
}

TEST_F(FaultInjectionEnvTest, WritePastEndFillsHoleWithZeros) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(3, Bytes("x")).ok());
  EXPECT_EQ(Contents("db/a"), std::string("\0\0\0x", 4));
}

TEST_F(FaultInjectionEnvTest, ReadPastEofReadsZeroBytes) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("abc")).ok());
  uint8_t buf[8];
  size_t bytes_read = 99;
  ASSERT_TRUE(file->ReadAt(3, buf, &bytes_read).ok());
  EXPECT_EQ(bytes_read, 0u);
  ASSERT_TRUE(file->ReadAt(1, buf, &bytes_read).ok());
  EXPECT_EQ(bytes_read, 2u);
}

TEST_F(FaultInjectionEnvTest, AllocateDoesNotExtend) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->Allocate(0, 4096).ok());
  EXPECT_EQ(*file->Size(), 0u);
}

TEST_F(FaultInjectionEnvTest, OpenModes) {
  EXPECT_TRUE(env_.OpenFile("db/a", OpenMode::kReadWrite).status().IsNotFound());
  EXPECT_TRUE(env_.OpenFile("db/a", OpenMode::kCreateNew).ok());
  EXPECT_EQ(env_.OpenFile("db/a", OpenMode::kCreateNew).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(env_.OpenFile("nodir/a", OpenMode::kCreate).status().IsNotFound());
}

TEST_F(FaultInjectionEnvTest, ReadOnlyHandleRejectsWrites) {
  WriteDurable("db/a", "abc");
  std::unique_ptr<File> file = Open("db/a", OpenMode::kReadOnly);
  EXPECT_TRUE(file->WriteAt(0, Bytes("x")).IsIOError());
  EXPECT_TRUE(file->Truncate(0).IsIOError());
  EXPECT_EQ(Contents("db/a"), "abc");
}

TEST_F(FaultInjectionEnvTest, ListDirListsDirectEntriesOnly) {
  ASSERT_TRUE(env_.CreateDir("db/sub").ok());
  Open("db/b");
  Open("db/a");
  Open("db/sub/c");
  Result<std::vector<std::string>> names = env_.ListDir("db/");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "sub"}));
  EXPECT_TRUE(env_.ListDir("missing").status().IsNotFound());
}

TEST_F(FaultInjectionEnvTest, UnsyncedWriteLostOnDropUnsynced) {
  WriteDurable("db/a", "old");
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("new!")).ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/a"), "old");
}

TEST_F(FaultInjectionEnvTest, SyncedWriteSurvivesCrash) {
  WriteDurable("db/a", "data");
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/a"), "data");
}

TEST_F(FaultInjectionEnvTest, UnsyncedTruncateIsUndoneByCrash) {
  WriteDurable("db/a", "data");
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->Truncate(1).ok());
  EXPECT_EQ(Contents("db/a"), "d");
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/a"), "data");
}

TEST_F(FaultInjectionEnvTest, SyncedTruncateThenWriteKeepsOrder) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("abcdef")).ok());
  ASSERT_TRUE(file->Truncate(2).ok());
  ASSERT_TRUE(file->WriteAt(4, Bytes("z")).ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(env_.SyncDir("db").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/a"), std::string("ab\0\0z", 5));
}

TEST_F(FaultInjectionEnvTest, CreatedFileVanishesWithoutSyncDir) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("x")).ok());
  ASSERT_TRUE(file->Sync().ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_FALSE(env_.FileExists("db/a"));
  EXPECT_TRUE(env_.FileExists("db"));  // directories are always durable
}

TEST_F(FaultInjectionEnvTest, RenameNotDurableWithoutSyncDir) {
  WriteDurable("db/tmp", "v1");
  ASSERT_TRUE(env_.RenameFile("db/tmp", "db/final").ok());
  EXPECT_FALSE(env_.FileExists("db/tmp"));
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/tmp"), "v1");
  EXPECT_FALSE(env_.FileExists("db/final"));
}

TEST_F(FaultInjectionEnvTest, RenameDurableAfterSyncDir) {
  WriteDurable("db/tmp", "v1");
  ASSERT_TRUE(env_.RenameFile("db/tmp", "db/final").ok());
  ASSERT_TRUE(env_.SyncDir("db").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_FALSE(env_.FileExists("db/tmp"));
  EXPECT_EQ(Contents("db/final"), "v1");
}

TEST_F(FaultInjectionEnvTest, RenameReplacesTarget) {
  WriteDurable("db/a", "new");
  WriteDurable("db/b", "old");
  ASSERT_TRUE(env_.RenameFile("db/a", "db/b").ok());
  EXPECT_EQ(Contents("db/b"), "new");
  EXPECT_TRUE(env_.RenameFile("db/a", "db/c").IsNotFound());
}

TEST_F(FaultInjectionEnvTest, RemoveDurableOnlyAfterSyncDir) {
  WriteDurable("db/a", "x");
  ASSERT_TRUE(env_.RemoveFile("db/a").ok());
  EXPECT_TRUE(env_.RemoveFile("db/a").IsNotFound());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/a"), "x");
  ASSERT_TRUE(env_.RemoveFile("db/a").ok());
  ASSERT_TRUE(env_.SyncDir("db").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_FALSE(env_.FileExists("db/a"));
}

TEST_F(FaultInjectionEnvTest, OpenHandleToRemovedFileStillWorks) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(env_.RemoveFile("db/a").ok());
  ASSERT_TRUE(file->WriteAt(0, Bytes("ghost")).ok());
  ASSERT_TRUE(file->Sync().ok());
  EXPECT_EQ(*file->Size(), 5u);
  EXPECT_FALSE(env_.FileExists("db/a"));
}

TEST_F(FaultInjectionEnvTest, MutatingOpsCountsWritesAndSyncs) {
  std::unique_ptr<File> file = Open("db/a");
  EXPECT_EQ(env_.mutating_ops(), 0u);
  ASSERT_TRUE(file->WriteAt(0, Bytes("a")).ok());
  ASSERT_TRUE(file->Truncate(0).ok());  // not counted
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(env_.SyncDir("db").ok());  // not counted
  EXPECT_EQ(env_.mutating_ops(), 2u);
}

TEST_F(FaultInjectionEnvTest, CrashAtOpTearWriteKeepsExactPrefix) {
  std::unique_ptr<File> file = Open("db/a");
  env_.CrashAtOp(0, CrashAction::kTearWrite, 3);
  EXPECT_TRUE(file->WriteAt(0, Bytes("abcdefgh")).IsIOError());
  EXPECT_TRUE(env_.crashed());
  EXPECT_EQ(Contents("db/a"), "abc");
}

TEST_F(FaultInjectionEnvTest, TearKeepLargerThanWriteKeepsWholeWrite) {
  std::unique_ptr<File> file = Open("db/a");
  env_.CrashAtOp(0, CrashAction::kTearWrite);  // default keeps 512 bytes
  EXPECT_TRUE(file->WriteAt(0, Bytes("abc")).IsIOError());
  EXPECT_EQ(Contents("db/a"), "abc");
}

TEST_F(FaultInjectionEnvTest, TornWriteIsStillUnsynced) {
  WriteDurable("db/a", "12345678");
  std::unique_ptr<File> file = Open("db/a");
  env_.CrashAtOp(env_.mutating_ops(), CrashAction::kTearWrite, 2);
  EXPECT_TRUE(file->WriteAt(0, Bytes("abcdefgh")).IsIOError());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/a"), "12345678");
}

TEST_F(FaultInjectionEnvTest, CrashAtOpDropOpAppliesNothing) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("keep")).ok());
  env_.CrashAtOp(1, CrashAction::kDropOp);
  Status status = file->WriteAt(0, Bytes("lost"));
  EXPECT_TRUE(status.IsIOError());
  EXPECT_EQ(status.message(), "simulated crash");
  EXPECT_EQ(Contents("db/a"), "keep");
}

TEST_F(FaultInjectionEnvTest, CrashAtSyncIsDroppedEvenWhenTearing) {
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(env_.SyncDir("db").ok());
  ASSERT_TRUE(file->WriteAt(0, Bytes("data")).ok());
  env_.CrashAtOp(1, CrashAction::kTearWrite);
  EXPECT_TRUE(file->Sync().IsIOError());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_EQ(Contents("db/a"), "");
}

TEST_F(FaultInjectionEnvTest, EnvIsDownAfterCrashUntilSimulateCrash) {
  WriteDurable("db/a", "abc");
  std::unique_ptr<File> file = Open("db/a");
  env_.CrashAtOp(env_.mutating_ops(), CrashAction::kDropOp);
  EXPECT_TRUE(file->WriteAt(0, Bytes("x")).IsIOError());
  ASSERT_TRUE(env_.crashed());
  EXPECT_TRUE(file->WriteAt(0, Bytes("x")).IsIOError());
  EXPECT_TRUE(file->Sync().IsIOError());
  EXPECT_TRUE(file->Truncate(0).IsIOError());
  EXPECT_TRUE(env_.SyncDir("db").IsIOError());
  EXPECT_TRUE(env_.RenameFile("db/a", "db/b").IsIOError());
  EXPECT_TRUE(env_.RemoveFile("db/a").IsIOError());
  EXPECT_TRUE(env_.CreateDir("db/sub").IsIOError());
  EXPECT_TRUE(env_.OpenFile("db/new", OpenMode::kCreate).status().IsIOError());
  EXPECT_EQ(Contents("db/a"), "abc");  // reads still work
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  EXPECT_FALSE(env_.crashed());
  std::unique_ptr<File> reopened = Open("db/a");
  EXPECT_TRUE(reopened->WriteAt(0, Bytes("x")).ok());
  EXPECT_TRUE(reopened->Sync().ok());
  EXPECT_EQ(Contents("db/a"), "xbc");
}

TEST_F(FaultInjectionEnvTest, SimulateCrashClearsArmedFaults) {
  std::unique_ptr<File> file = Open("db/a");
  env_.CrashAtOp(5, CrashAction::kDropOp);
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  std::unique_ptr<File> fresh = Open("db/b");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(fresh->WriteAt(0, Bytes("x")).ok());
  EXPECT_FALSE(env_.crashed());
}

TEST_F(FaultInjectionEnvTest, WritesToCountsWritesPerOpenedPath) {
  std::unique_ptr<File> a = Open("db/a");
  std::unique_ptr<File> b = Open("db/b");
  ASSERT_TRUE(a->WriteAt(0, Bytes("1")).ok());
  ASSERT_TRUE(b->WriteAt(0, Bytes("1")).ok());
  ASSERT_TRUE(a->Sync().ok());  // not a write
  std::unique_ptr<File> a_again = Open("db/a");
  ASSERT_TRUE(a_again->WriteAt(1, Bytes("2")).ok());
  EXPECT_EQ(env_.writes_to("db/a"), 2u);
  EXPECT_EQ(env_.writes_to("db/b"), 1u);
  EXPECT_EQ(env_.writes_to("db/c"), 0u);
}

TEST_F(FaultInjectionEnvTest, CrashAtWriteToFiresOnThatPathsWriteOnly) {
  std::unique_ptr<File> a = Open("db/a");
  std::unique_ptr<File> b = Open("db/b");
  ASSERT_TRUE(a->WriteAt(0, Bytes("x")).ok());
  env_.CrashAtWriteTo("db/a", 2, CrashAction::kDropOp);
  ASSERT_TRUE(b->WriteAt(0, Bytes("b")).ok());  // other paths do not count
  ASSERT_TRUE(a->WriteAt(1, Bytes("y")).ok());  // write 1 of db/a
  ASSERT_TRUE(b->WriteAt(1, Bytes("b")).ok());
  EXPECT_FALSE(env_.crashed());
  EXPECT_TRUE(a->WriteAt(2, Bytes("z")).IsIOError());  // write 2 of db/a
  EXPECT_TRUE(env_.crashed());
  EXPECT_EQ(Contents("db/a"), "xy");
  EXPECT_EQ(env_.writes_to("db/a"), 3u);
}

TEST_F(FaultInjectionEnvTest, SimulateCrashClearsCrashArmedByPath) {
  std::unique_ptr<File> file = Open("db/a");
  env_.CrashAtWriteTo("db/a", 0, CrashAction::kDropOp);
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  std::unique_ptr<File> fresh = Open("db/a");
  EXPECT_TRUE(fresh->WriteAt(0, Bytes("x")).ok());
  EXPECT_FALSE(env_.crashed());
}

TEST_F(FaultInjectionEnvTest, FailOpWithIoErrorOnSyncDropsUnsyncedData) {
  WriteDurable("db/a", "old!");
  std::unique_ptr<File> file = Open("db/a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("new!")).ok());
  env_.FailOpWith(env_.mutating_ops(), StatusCode::kIOError);
  EXPECT_TRUE(file->Sync().IsIOError());
  EXPECT_FALSE(env_.crashed());
  EXPECT_EQ(Contents("db/a"), "old!");  // the page cache lost the write
  EXPECT_TRUE(file->Sync().ok());       // the retry "succeeds"...
  env_.SimulateCrash(CrashMode::kKeepRandomUnsynced, 7);
  EXPECT_EQ(Contents("db/a"), "old!");  // ...but the data never got there
}

TEST_F(FaultInjectionEnvTest, FailOpWithNoSpaceOnWriteAppliesNothing) {
  std::unique_ptr<File> file = Open("db/a");
  env_.FailOpWith(0, StatusCode::kNoSpace);
  Status status = file->WriteAt(0, Bytes("abc"));
  EXPECT_EQ(status.code(), StatusCode::kNoSpace);
  EXPECT_EQ(*file->Size(), 0u);
  EXPECT_FALSE(env_.crashed());
  EXPECT_TRUE(file->WriteAt(0, Bytes("abc")).ok());  // fails only once
  EXPECT_EQ(Contents("db/a"), "abc");
}

TEST_F(FaultInjectionEnvTest, ShortWriteAppliesFirstHalf) {
  std::unique_ptr<File> file = Open("db/a");
  env_.ShortWriteAt(0);
  Status status = file->WriteAt(0, Bytes("abcdefg"));
  EXPECT_EQ(status.code(), StatusCode::kNoSpace);
  EXPECT_EQ(status.message(), "short write");
  EXPECT_EQ(Contents("db/a"), "abc");
  EXPECT_TRUE(file->WriteAt(0, Bytes("abcdefg")).ok());
}

TEST_F(FaultInjectionEnvTest, SecondLockOfSamePathIsBusy) {
  Result<std::unique_ptr<FileLock>> first = env_.LockFile("db/LOCK");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(env_.FileExists("db/LOCK"));
  EXPECT_EQ(env_.LockFile("db/LOCK").status().code(), StatusCode::kBusy);
  EXPECT_TRUE(env_.LockFile("db/OTHER").ok());
}

TEST_F(FaultInjectionEnvTest, DestroyingLockReleasesIt) {
  {
    Result<std::unique_ptr<FileLock>> lock = env_.LockFile("db/LOCK");
    ASSERT_TRUE(lock.ok());
  }
  EXPECT_TRUE(env_.LockFile("db/LOCK").ok());
}

TEST_F(FaultInjectionEnvTest, CrashReleasesLocks) {
  Result<std::unique_ptr<FileLock>> old_lock = env_.LockFile("db/LOCK");
  ASSERT_TRUE(old_lock.ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  Result<std::unique_ptr<FileLock>> new_lock = env_.LockFile("db/LOCK");
  ASSERT_TRUE(new_lock.ok());
  old_lock.value().reset();  // destroying the stale lock must not free new_lock
  EXPECT_EQ(env_.LockFile("db/LOCK").status().code(), StatusCode::kBusy);
}

TEST_F(FaultInjectionEnvTest, StaleHandlesFailAfterCrash) {
  WriteDurable("db/a", "abc");
  std::unique_ptr<File> file = Open("db/a");
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  uint8_t buf[4];
  size_t bytes_read = 0;
  Status status = file->ReadAt(0, buf, &bytes_read);
  EXPECT_TRUE(status.IsIOError());
  EXPECT_EQ(status.message(), "file handle invalidated by simulated crash");
  EXPECT_TRUE(file->WriteAt(0, Bytes("x")).IsIOError());
  EXPECT_TRUE(file->Sync().IsIOError());
  EXPECT_TRUE(file->Truncate(0).IsIOError());
  EXPECT_TRUE(file->Size().status().IsIOError());
  EXPECT_TRUE(file->Allocate(0, 1).IsIOError());
  EXPECT_EQ(Contents("db/a"), "abc");
}

// Writes eight one-byte unsynced writes on a durable "--------" and crashes
// with kKeepRandomUnsynced; returns what survived.
std::string CrashWithEightUnsyncedWrites(uint64_t seed) {
  FaultInjectionEnv env;
  EXPECT_TRUE(env.CreateDir("db").ok());
  std::unique_ptr<File> file = std::move(env.OpenFile("db/a", OpenMode::kCreate)).value();
  EXPECT_TRUE(file->WriteAt(0, Bytes("--------")).ok());
  EXPECT_TRUE(file->Sync().ok());
  EXPECT_TRUE(env.SyncDir("db").ok());
  for (uint64_t i = 0; i < 8; ++i) {
    char digit = static_cast<char>('0' + i);
    EXPECT_TRUE(file->WriteAt(i, Bytes(std::string_view(&digit, 1))).ok());
  }
  env.SimulateCrash(CrashMode::kKeepRandomUnsynced, seed);
  std::string out(8, '\0');
  size_t bytes_read = 0;
  std::unique_ptr<File> reopened = std::move(env.OpenFile("db/a", OpenMode::kReadOnly)).value();
  EXPECT_TRUE(reopened->ReadAt(0, {reinterpret_cast<uint8_t*>(out.data()), 8}, &bytes_read).ok());
  return out;
}

TEST(FaultInjectionEnvRandomTest, KeepRandomUnsyncedIsDeterministicForSeed) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(CrashWithEightUnsyncedWrites(seed), CrashWithEightUnsyncedWrites(seed));
  }
}

TEST(FaultInjectionEnvRandomTest, KeepRandomUnsyncedKeepsStrictSubsetForSomeSeed) {
  bool found_strict_subset = false;
  for (uint64_t seed = 0; seed < 20 && !found_strict_subset; ++seed) {
    std::string survived = CrashWithEightUnsyncedWrites(seed);
    found_strict_subset = survived != "--------" && survived != "01234567";
  }
  EXPECT_TRUE(found_strict_subset);
}

TEST(FaultInjectionEnvRandomTest, DifferentSeedsGiveDifferentOutcomes) {
  std::string first = CrashWithEightUnsyncedWrites(0);
  bool differs = false;
  for (uint64_t seed = 1; seed < 20 && !differs; ++seed) {
    differs = CrashWithEightUnsyncedWrites(seed) != first;
  }
  EXPECT_TRUE(differs);
}

TEST_F(FaultInjectionEnvTest, ConcurrentWritesToDisjointRangesAreSafe) {
  std::unique_ptr<File> file = Open("db/a");
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&file, t] {
      char tag = static_cast<char>('a' + t);
      for (int i = 0; i < kWritesPerThread; ++i) {
        uint64_t offset = static_cast<uint64_t>(i * kThreads + t);
        EXPECT_TRUE(file->WriteAt(offset, Bytes(std::string_view(&tag, 1))).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(env_.mutating_ops(), static_cast<uint64_t>(kThreads * kWritesPerThread));
  std::string contents = Contents("db/a");
  ASSERT_EQ(contents.size(), static_cast<size_t>(kThreads * kWritesPerThread));
  for (size_t i = 0; i < contents.size(); ++i) {
    EXPECT_EQ(contents[i], static_cast<char>('a' + i % kThreads));
  }
}

}  // namespace
}  // namespace neuroquantum
