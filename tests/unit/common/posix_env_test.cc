// Tests for the POSIX Env on a real temporary directory: positional I/O,
// size and truncate, namespace operations and OFD file locks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "support/temp_dir.h"

namespace neuroquantum {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

class PosixEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }

  std::string Path(const std::string& name) const { return JoinPath(dir_, name); }

  std::unique_ptr<File> Open(const std::string& name, OpenMode mode = OpenMode::kCreate) {
    Result<std::unique_ptr<File>> file = env_->OpenFile(Path(name), mode);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  Env* env_ = Env::Default();
  neuroquantum::testing::TempDir tmp_{"nq_posix_env_"};
  std::string dir_;
};

TEST_F(PosixEnvTest, WriteThenRead) {
  std::unique_ptr<File> file = Open("a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("hello world")).ok());
  ASSERT_TRUE(file->WriteAt(6, Bytes("WORLD")).ok());
  ASSERT_TRUE(file->Sync().ok());
  std::string out(11, '\0');
  size_t bytes_read = 0;
  ASSERT_TRUE(file->ReadAt(0, {reinterpret_cast<uint8_t*>(out.data()), out.size()}, &bytes_read)
                  .ok());
  EXPECT_EQ(bytes_read, 11u);
  EXPECT_EQ(out, "hello WORLD");
}

TEST_F(PosixEnvTest, ReadPastEofReadsShortOrZero) {
  std::unique_ptr<File> file = Open("a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("abc")).ok());
  uint8_t buf[8];
  size_t bytes_read = 0;
  ASSERT_TRUE(file->ReadAt(1, buf, &bytes_read).ok());
  EXPECT_EQ(bytes_read, 2u);
  ASSERT_TRUE(file->ReadAt(100, buf, &bytes_read).ok());
  EXPECT_EQ(bytes_read, 0u);
}

TEST_F(PosixEnvTest, SizeAndTruncate) {
  std::unique_ptr<File> file = Open("a");
  EXPECT_EQ(*file->Size(), 0u);
  ASSERT_TRUE(file->WriteAt(0, Bytes("0123456789")).ok());
  EXPECT_EQ(*file->Size(), 10u);
  ASSERT_TRUE(file->Truncate(4).ok());
  EXPECT_EQ(*file->Size(), 4u);
  ASSERT_TRUE(file->Truncate(8192).ok());
  EXPECT_EQ(*file->Size(), 8192u);
}

TEST_F(PosixEnvTest, AllocateSucceeds) {
  std::unique_ptr<File> file = Open("a");
  EXPECT_TRUE(file->Allocate(0, 4096).ok());
}

TEST_F(PosixEnvTest, OpenModes) {
  EXPECT_TRUE(env_->OpenFile(Path("a"), OpenMode::kReadOnly).status().IsNotFound());
  EXPECT_TRUE(env_->OpenFile(Path("a"), OpenMode::kCreateNew).ok());
  EXPECT_EQ(env_->OpenFile(Path("a"), OpenMode::kCreateNew).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(env_->OpenFile(Path("a"), OpenMode::kReadWrite).ok());
}

TEST_F(PosixEnvTest, ReadOnlyHandleCannotWrite) {
  Open("a");
  std::unique_ptr<File> file = Open("a", OpenMode::kReadOnly);
  EXPECT_FALSE(file->WriteAt(0, Bytes("x")).ok());
}

TEST_F(PosixEnvTest, RenameRemoveListAndSyncDir) {
  Open("a");
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());  // existing is fine
  ASSERT_TRUE(env_->RenameFile(Path("a"), Path("b")).ok());
  ASSERT_TRUE(env_->SyncDir(dir_).ok());
  EXPECT_FALSE(env_->FileExists(Path("a")));
  EXPECT_TRUE(env_->FileExists(Path("b")));
  Result<std::vector<std::string>> names = env_->ListDir(dir_);
  ASSERT_TRUE(names.ok());
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"b", "sub"}));
  ASSERT_TRUE(env_->RemoveFile(Path("b")).ok());
  EXPECT_TRUE(env_->RemoveFile(Path("b")).IsNotFound());
  EXPECT_TRUE(env_->ListDir(Path("missing")).status().IsNotFound());
}

TEST_F(PosixEnvTest, LockFileTwiceInOneProcessIsBusy) {
  // OFD locks belong to the open file description, so two opens in one
  // process conflict (classic POSIX record locks would not).
  Result<std::unique_ptr<FileLock>> first = env_->LockFile(Path("LOCK"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::unique_ptr<FileLock>> second = env_->LockFile(Path("LOCK"));
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
}

TEST_F(PosixEnvTest, DestroyingLockReleasesIt) {
  {
    Result<std::unique_ptr<FileLock>> lock = env_->LockFile(Path("LOCK"));
    ASSERT_TRUE(lock.ok());
  }
  EXPECT_TRUE(env_->LockFile(Path("LOCK")).ok());
}

TEST_F(PosixEnvTest, JoinPathUsesSingleSlash) {
  EXPECT_EQ(JoinPath("db", "x"), "db/x");
  EXPECT_EQ(JoinPath("db/", "x"), "db/x");
  EXPECT_EQ(JoinPath("", "x"), "x");
}

TEST_F(PosixEnvTest, NowMicrosIsMonotonic) {
  uint64_t first = env_->NowMicros();
  uint64_t second = env_->NowMicros();
  EXPECT_LE(first, second);
}

}  // namespace
}  // namespace neuroquantum
