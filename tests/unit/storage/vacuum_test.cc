// VACUUM: the file shrinks after mass deletes, data and integrity are
// preserved, and a crash at any point during vacuum is recovered.
#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::ExpectIntegrity;
using testing::ExpectTreeEquals;
using testing::Must;
using testing::SmallOptions;
using Model = std::map<std::string, std::string>;

// Two trees, 6000 rows with some overflow values, then 95% deleted.
void Populate(StorageEngine* engine, Model* a, Model* b) {
  TreeId ta = Must(engine->CreateTree("a"));
  TreeId tb = Must(engine->CreateTree("b"));
  auto txn = engine->Begin();
  for (int i = 0; i < 6000; ++i) {
    std::string key = fmt::format("{:06}", i);
    std::string value(i % 97 == 0 ? 9000 : 80, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(engine->Put(txn.get(), i % 2 ? ta : tb, key, value).ok());
    (i % 2 ? *a : *b)[key] = value;
  }
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  txn = engine->Begin();
  for (int i = 0; i < 6000; ++i) {
    if (i % 20 == 3 || i % 20 == 8) continue;  // keep 10% of each tree, spread out
    std::string key = fmt::format("{:06}", i);
    ASSERT_TRUE(engine->Delete(txn.get(), i % 2 ? ta : tb, key).ok());
    (i % 2 ? *a : *b).erase(key);
  }
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
}

void ExpectContents(StorageEngine* engine, const Model& a, const Model& b) {
  ExpectTreeEquals(engine, Must(engine->FindTree("a")), a);
  ExpectTreeEquals(engine, Must(engine->FindTree("b")), b);
  ExpectIntegrity(engine);
}

TEST(VacuumTest, FileShrinksAfterMassDelete) {
  FaultInjectionEnv env;
  Model a, b;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  Populate(engine.get(), &a, &b);
  uint64_t pages_before = engine->stats().page_count;
  auto stats = Must(engine->Vacuum());
  EXPECT_EQ(stats.pages_before, pages_before);
  EXPECT_LT(stats.pages_after * 3, stats.pages_before) << "vacuum should return most pages";
  EXPECT_EQ(engine->stats().free_pages, 0u);
  uint64_t file_pages = Must(engine->page_file()->SizeInPages());
  EXPECT_EQ(file_pages, stats.pages_after);
  ExpectContents(engine.get(), a, b);
  // The database keeps working after vacuum, and survives reopening.
  auto txn = engine->Begin();
  ASSERT_TRUE(engine->Put(txn.get(), Must(engine->FindTree("a")), "new", "v").ok());
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  a["new"] = "v";
  engine.reset();
  engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  ExpectContents(engine.get(), a, b);
  // Nothing left to do: a second vacuum moves nothing.
  EXPECT_EQ(Must(engine->Vacuum()).pages_moved, 0u);
}

TEST(VacuumTest, RefusesWhileTransactionsAreOpen) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId t = Must(engine->CreateTree("t"));
  auto txn = engine->Begin();
  ASSERT_TRUE(engine->Put(txn.get(), t, "k", "v").ok());
  EXPECT_EQ(engine->Vacuum().status().code(), StatusCode::kBusy);
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  EXPECT_TRUE(engine->Vacuum().ok());
}

TEST(VacuumTest, CrashDuringVacuumIsRecovered) {
  // Count the mutating operations of a vacuum, then crash at points along it.
  uint64_t start_ops, end_ops;
  Model a, b;
  {
    FaultInjectionEnv probe;
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&probe)));
    Populate(engine.get(), &a, &b);
    start_ops = probe.mutating_ops();
    ASSERT_TRUE(engine->Vacuum().ok());
    end_ops = probe.mutating_ops();
  }
  uint64_t step = std::max<uint64_t>(1, (end_ops - start_ops) / 25);
  for (uint64_t offset = 0; offset < end_ops - start_ops; offset += step) {
    FaultInjectionEnv env;
    Model ma, mb;
    {
      auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
      Populate(engine.get(), &ma, &mb);
      env.CrashAtOp(env.mutating_ops() + offset, offset % 2 ? CrashAction::kTearWrite : CrashAction::kDropOp);
      (void)engine->Vacuum();
      env.SimulateCrash(offset % 3 ? CrashMode::kKeepRandomUnsynced : CrashMode::kDropUnsynced, offset);
    }
    auto engine = StorageEngine::Open("db", SmallOptions(&env));
    ASSERT_TRUE(engine.ok()) << "offset " << offset << ": " << engine.status().ToString();
    ExpectContents(engine->get(), ma, mb);
    ASSERT_TRUE((*engine)->Vacuum().ok()) << "offset " << offset;
    ExpectContents(engine->get(), ma, mb);
    // Whatever the interrupted run left, the file now ends at the page count.
    EXPECT_EQ(Must((*engine)->page_file()->SizeInPages()), (*engine)->stats().page_count)
        << "offset " << offset;
    if (HasFailure()) {
      ADD_FAILURE() << "at crash offset " << offset;
      return;
    }
  }
}

}  // namespace
}  // namespace neuroquantum::storage
