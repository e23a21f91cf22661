// Bad files: empty, truncated, random bytes, another format, flipped bits in
// data pages, the header, the control file and WAL records, newer format
// versions and feature flags, a second writer. Each gives a clear error (or,
// for damage the WAL can repair, a correct database) and never a crash.
#include <cstdlib>
#include <random>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "../unit/storage/storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::Must;
using testing::SmallOptions;

class BadFileTest : public ::testing::Test {
 protected:
  Options Opts() {
    Options o = SmallOptions(&env_);
    o.create_if_missing = false;
    return o;
  }

  // Creates a database with one tree of `n` entries and closes it cleanly.
  void MakeDatabase(int n = 2000) {
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&env_)));
    TreeId tree = Must(engine->CreateTree("t"));
    auto txn = engine->Begin();
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(engine->Put(txn.get(), tree, fmt::format("{:06}", i), std::string(60, 'v')).ok());
    }
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
  }

  void WriteFile(const std::string& path, const std::string& bytes) {
    auto file = Must(env_.OpenFile(path, OpenMode::kCreate));
    ASSERT_TRUE(file->Truncate(0).ok());
    ASSERT_TRUE(file->WriteAt(0, {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}).ok());
    ASSERT_TRUE(file->Sync().ok());
  }

  void FlipBit(const std::string& path, uint64_t offset) {
    auto file = Must(env_.OpenFile(path, OpenMode::kReadWrite));
    uint8_t byte = 0;
    size_t got = 0;
    ASSERT_TRUE(file->ReadAt(offset, {&byte, 1}, &got).ok());
    ASSERT_EQ(got, 1u);
    byte ^= 0x10;
    ASSERT_TRUE(file->WriteAt(offset, {&byte, 1}).ok());
    ASSERT_TRUE(file->Sync().ok());
  }

  Status OpenStatus() { return StorageEngine::Open("db", Opts()).status(); }

  FaultInjectionEnv env_;
};

TEST_F(BadFileTest, MissingDatabaseIsNotFound) {
  EXPECT_TRUE(OpenStatus().IsNotFound()) << OpenStatus().ToString();
}

TEST_F(BadFileTest, EmptyFileIsCorruption) {
  WriteFile("db", "");
  Status s = OpenStatus();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("too short"), std::string::npos) << s.ToString();
}

TEST_F(BadFileTest, TruncatedFileIsCorruption) {
  MakeDatabase();
  auto file = Must(env_.OpenFile("db", OpenMode::kReadWrite));
  ASSERT_TRUE(file->Truncate(1000).ok());
  EXPECT_TRUE(OpenStatus().IsCorruption()) << OpenStatus().ToString();
}

TEST_F(BadFileTest, RandomBytesAreNotADatabase) {
  std::mt19937_64 rng(1);
  std::string junk(64 * 1024, '\0');
  for (auto& c : junk) c = static_cast<char>(rng());
  WriteFile("db", junk);
  Status s = OpenStatus();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("not a NeuroQuantumDB database"), std::string::npos) << s.ToString();
}

TEST_F(BadFileTest, SqliteFileIsNotADatabase) {
  std::string sqlite_header("SQLite format 3\0", 16);
  sqlite_header.resize(8192, '\0');
  WriteFile("db", sqlite_header);
  EXPECT_NE(OpenStatus().message().find("not a NeuroQuantumDB database"), std::string::npos);
}

TEST_F(BadFileTest, NewerFormatVersionIsNotSupported) {
  MakeDatabase(10);
  auto file = Must(env_.OpenFile("db", OpenMode::kReadWrite));
  uint8_t version[4];
  EncodeFixed32(version, kFormatVersion + 1);
  ASSERT_TRUE(file->WriteAt(header::kVersion, version).ok());
  Status s = OpenStatus();
  EXPECT_EQ(s.code(), StatusCode::kNotSupported) << s.ToString();
}

TEST_F(BadFileTest, UnknownIncompatibleFeatureIsNotSupported) {
  MakeDatabase(10);
  auto file = Must(env_.OpenFile("db", OpenMode::kReadWrite));
  uint8_t flags[4];
  EncodeFixed32(flags, 1u << 31);
  ASSERT_TRUE(file->WriteAt(header::kIncompat, flags).ok());
  EXPECT_EQ(OpenStatus().code(), StatusCode::kNotSupported) << OpenStatus().ToString();
}

TEST_F(BadFileTest, FlippedBitInHeaderPageIsCorruption) {
  MakeDatabase(10);
  FlipBit("db", 100);
  Status s = OpenStatus();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("page 0"), std::string::npos) << s.ToString();
}

TEST_F(BadFileTest, FlippedBitInDataPageIsReportedWithItsPageNumber) {
  MakeDatabase();
  const PageId victim = 5;
  FlipBit("db", victim * 4096 + 2000);
  auto engine = StorageEngine::Open("db", Opts());
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();  // pages are read lazily
  CheckReport report;
  ASSERT_TRUE(CheckDatabase(engine->get(), &report).ok());
  ASSERT_FALSE(report.ok());
  bool named = false;
  for (const auto& p : report.problems) named |= p.find("page 5") != std::string::npos;
  EXPECT_TRUE(named) << report.problems.front();
  // Reading through the damaged page fails cleanly; it is never returned as data.
  TreeId tree = Must((*engine)->FindTree("t"));
  auto it = Must((*engine)->NewIterator(tree));
  size_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++seen;
  EXPECT_TRUE(it->status().IsCorruption());
  EXPECT_LT(seen, 2000u);
}

TEST_F(BadFileTest, DamagedControlFileIsCorruption) {
  MakeDatabase(10);
  WriteFile("db-wal/control", std::string(1024, 'x'));
  EXPECT_TRUE(OpenStatus().IsCorruption()) << OpenStatus().ToString();
}

TEST_F(BadFileTest, OneTornControlSlotFallsBackToTheOther) {
  MakeDatabase(10);
  FlipBit("db-wal/control", 10);   // slot 0
  ASSERT_TRUE(OpenStatus().ok()) << OpenStatus().ToString();
}

TEST_F(BadFileTest, MissingWalDirectoryIsCorruption) {
  MakeDatabase(10);
  ASSERT_TRUE(env_.RemoveFile("db-wal/control").ok());
  Status s = OpenStatus();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

// A bit flip inside the WAL tail that recovery must replay: recovery stops at
// the damaged record, keeps everything before it, reports the damage, and the
// database is consistent.
TEST_F(BadFileTest, FlippedBitInWalRecordStopsReplayAndIsReported) {
  std::string first_segment;
  {
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&env_)));
    TreeId tree = Must(engine->CreateTree("t"));
    for (int i = 0; i < 300; ++i) {
      auto txn = engine->Begin();
      ASSERT_TRUE(engine->Put(txn.get(), tree, fmt::format("{:06}", i), std::string(100, 'v')).ok());
      ASSERT_TRUE(engine->Commit(txn.get()).ok());
    }
    env_.SimulateCrash(CrashMode::kDropUnsynced, 1);  // no checkpoint at close
  }
  auto names = Must(env_.ListDir("db-wal"));
  for (const auto& n : names) {
    if (n.size() == 20 && (first_segment.empty() || n < first_segment)) first_segment = n;
  }
  FlipBit("db-wal/" + first_segment, 40000);  // inside the second block
  auto engine = StorageEngine::Open("db", Opts());
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_TRUE((*engine)->recovery_info().damaged_wal_discarded);
  testing::ExpectIntegrity(engine->get());
  // What survived is a prefix of the committed sequence.
  TreeId tree = Must((*engine)->FindTree("t"));
  auto it = Must((*engine)->NewIterator(tree));
  int expected = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    ASSERT_EQ(it->key(), fmt::format("{:06}", expected));
  }
  EXPECT_LT(expected, 300);
}

TEST_F(BadFileTest, RandomGarbageWalSegmentIsIgnoredAsStale) {
  MakeDatabase(100);
  std::mt19937_64 rng(3);
  std::string junk(1 << 20, '\0');
  for (auto& c : junk) c = static_cast<char>(rng());
  WriteFile("db-wal/00000000000000ff.wal", junk);
  ASSERT_TRUE(OpenStatus().ok()) << OpenStatus().ToString();
}

TEST_F(BadFileTest, LeftoverWalDirectoryWithoutDatabaseIsRefused) {
  MakeDatabase(10);
  ASSERT_TRUE(env_.RemoveFile("db").ok());
  auto engine = StorageEngine::Open("db", SmallOptions(&env_));
  EXPECT_EQ(engine.status().code(), StatusCode::kAlreadyExists) << engine.status().ToString();
}

TEST_F(BadFileTest, ReadOnlyOpenRefusesADatabaseWithUnfinishedTransactions) {
  {
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&env_)));
    TreeId tree = Must(engine->CreateTree("t"));
    auto txn = engine->Begin();
    ASSERT_TRUE(engine->Put(txn.get(), tree, "uncommitted", "x").ok());
    ASSERT_TRUE(engine->Checkpoint().ok());  // its change is before the redo point
    env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  }
  Options ro = Opts();
  ro.read_only = true;
  auto engine = StorageEngine::Open("db", ro);
  EXPECT_EQ(engine.status().code(), StatusCode::kBusy) << engine.status().ToString();
  // After a read-write open has recovered, read-only works and hides nothing.
  ASSERT_TRUE(StorageEngine::Open("db", Opts()).ok());
  auto reopened = Must(StorageEngine::Open("db", ro));
  EXPECT_FALSE(Must(reopened->Get(Must(reopened->FindTree("t")), "uncommitted")).has_value());
  auto txn = reopened->Begin();
  EXPECT_EQ(reopened->Put(txn.get(), Must(reopened->FindTree("t")), "k", "v").code(), StatusCode::kReadOnly);
}

TEST(FileLockTest, SecondWriterGetsBusy) {
  testing::TempDir dir;
  std::string path = dir.Path("db");
  Options o;
  o.flush_interval_ms = 0;
  auto first = StorageEngine::Open(path, o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = StorageEngine::Open(path, o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy) << second.status().ToString();
  first->reset();
  auto third = StorageEngine::Open(path, o);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
  third->reset();
}

// OFD locks conflict between processes: a second process gets Busy while
// the first has the database open.
TEST(FileLockTest, SecondProcessGetsBusy) {
  testing::TempDir dir;
  const std::string path = dir.Path("db");
  Options o;
  o.flush_interval_ms = 0;
  {
    auto created = Must(StorageEngine::Open(path, o));  // create, then close
  }
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // holds the database open until told to stop
    auto engine = StorageEngine::Open(path, o);
    char byte = engine.ok() ? 'y' : 'n';
    if (::write(ready[1], &byte, 1) != 1) _exit(2);
    if (::read(done[0], &byte, 1) != 1) _exit(3);
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  auto second = StorageEngine::Open(path, o);
  EXPECT_EQ(second.status().code(), StatusCode::kBusy) << second.status().ToString();
  ASSERT_EQ(::write(done[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(StorageEngine::Open(path, o).ok()) << "the lock must be released at exit";
  for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

}  // namespace
}  // namespace neuroquantum::storage
