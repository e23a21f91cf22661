// StorageEngine behaviour: transactions and rollback, concurrency, large
// values, WAL bounding by checkpoints, statistics.
#include <atomic>
#include <functional>
#include <random>
#include <thread>

#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::ExpectIntegrity;
using testing::ExpectTreeEquals;
using testing::Must;
using testing::SmallOptions;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = Must(StorageEngine::Open("db", SmallOptions(&env_)));
    tree_ = Must(engine_->CreateTree("t"));
  }
  Status PutCommitted(const std::string& k, const std::string& v) {
    auto txn = engine_->Begin();
    NQ_RETURN_IF_ERROR(engine_->Put(txn.get(), tree_, k, v));
    return engine_->Commit(txn.get());
  }
  // Full forward scans until `stop`, counting keys out of order and
  // iterator errors (readers beside concurrent writers).
  void ScanUntil(const std::atomic<bool>& stop, std::atomic<int>* errors) {
    while (!stop.load()) {
      auto it = Must(engine_->NewIterator(tree_));
      std::string last;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (!last.empty() && !(last < it->key())) ++*errors;  // order must hold
        last = std::string(it->key());
      }
      if (!it->status().ok()) ++*errors;
    }
  }
  // Runs `writer(w)` on `writers` threads while `scanners` threads scan the
  // tree; returns the failures the writers reported plus what the scans found.
  int RunBesideScans(int writers, int scanners, const std::function<int(int)>& writer) {
    std::atomic<bool> stop{false};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) threads.emplace_back([&, w] { errors += writer(w); });
    for (int r = 0; r < scanners; ++r) threads.emplace_back([&] { ScanUntil(stop, &errors); });
    for (int w = 0; w < writers; ++w) threads[static_cast<size_t>(w)].join();
    stop = true;
    for (size_t i = static_cast<size_t>(writers); i < threads.size(); ++i) threads[i].join();
    return errors.load();
  }

  // Keys 0000..n-1, each committed alone; every `large_every`-th value is
  // `large` bytes (an overflow chain), the others `small`.
  std::map<std::string, std::string> PutCommittedKeys(int n, int large_every, size_t large, size_t small) {
    std::map<std::string, std::string> model;
    for (int i = 0; i < n; ++i) {
      std::string v(i % large_every == 0 ? large : small, static_cast<char>('a' + i % 26));
      EXPECT_TRUE(PutCommitted(fmt::format("{:04}", i), v).ok());
      model[fmt::format("{:04}", i)] = v;
    }
    return model;
  }
  FaultInjectionEnv env_;
  std::unique_ptr<StorageEngine> engine_;
  TreeId tree_ = 0;
};

TEST_F(EngineTest, RollbackRestoresInsertsUpdatesDeletesAndOverflowValues) {
  std::map<std::string, std::string> model = PutCommittedKeys(300, 50, 20000, 30);
  ASSERT_FALSE(HasFailure());
  uint64_t free_before = engine_->stats().free_pages;
  auto txn = engine_->Begin();
  for (int i = 0; i < 300; i += 3) ASSERT_TRUE(engine_->Delete(txn.get(), tree_, fmt::format("{:04}", i)).ok());
  for (int i = 1; i < 300; i += 3) {
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, fmt::format("{:04}", i), std::string(9000, 'z')).ok());
  }
  for (int i = 300; i < 600; ++i) ASSERT_TRUE(engine_->Put(txn.get(), tree_, fmt::format("{:04}", i), "new").ok());
  ASSERT_TRUE(engine_->Rollback(txn.get()).ok());
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
  EXPECT_EQ(engine_->stats().rollbacks, 1u);
  // Overflow pages written by the rolled-back updates were freed again.
  EXPECT_GE(engine_->stats().free_pages, free_before);
}

// A put's check sees the value the put replaces (absent, inline or in an
// overflow chain), and its error cancels the put, on the optimistic path and
// on the path that splits.
TEST_F(EngineTest, PutCheckSeesTheCurrentValueAndCanCancelThePut) {
  std::map<std::string, std::string> model = PutCommittedKeys(400, 40, 9000, 40);
  ASSERT_FALSE(HasFailure());
  auto txn = engine_->Begin();
  std::optional<std::string> seen;
  bool refuse = false;
  int calls = 0;
  auto check = [&](std::optional<std::string_view> current) -> Status {
    ++calls;
    seen = current ? std::optional<std::string>(std::string(*current)) : std::nullopt;
    return refuse ? Status::AlreadyExists("refused") : Status::OK();
  };
  WriteCheck in_tree(check);
  for (int i = 0; i < 400; i += 7) {
    std::string key = fmt::format("{:04}", i);
    // A value this large cannot go in by the optimistic path of a full leaf.
    std::string value(i % 2 == 0 ? 30 : 1500, 'n');
    refuse = true;
    calls = 0;
    EXPECT_EQ(engine_->Put(txn.get(), tree_, key, value, &in_tree).code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(calls, 1) << key;
    EXPECT_EQ(seen, model[key]) << key;
    refuse = false;
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, key, value, &in_tree).ok());
    EXPECT_EQ(seen, model[key]) << key;
    model[key] = value;
    std::string fresh = key + "x";
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, fresh, value, &in_tree).ok());
    EXPECT_EQ(seen, std::nullopt) << fresh;
    model[fresh] = value;
  }
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());

  // A transaction whose only write its check refused wrote nothing: its
  // commit and its rollback log nothing.
  auto refuse_all = [](std::optional<std::string_view>) { return Status::AlreadyExists("refused"); };
  WriteCheck refused(refuse_all);
  for (bool commit : {true, false}) {
    auto idle = engine_->Begin();
    EXPECT_EQ(engine_->Put(idle.get(), tree_, "0007", "v", &refused).code(), StatusCode::kAlreadyExists);
    uint64_t records = engine_->stats().wal.records;
    ASSERT_TRUE((commit ? engine_->Commit(idle.get()) : engine_->Rollback(idle.get())).ok());
    EXPECT_EQ(engine_->stats().wal.records, records) << (commit ? "commit" : "rollback");
  }
}

TEST_F(EngineTest, FinishedTransactionCannotBeReused) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "a", "1").ok());
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  EXPECT_EQ(engine_->Commit(txn.get()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Put(txn.get(), tree_, "b", "2").code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, AbandonedTransactionIsRolledBack) {
  ASSERT_TRUE(PutCommitted("keep", "1").ok());
  {
    auto txn = engine_->Begin();
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, "keep", "changed").ok());
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, "new", std::string(20000, 'n')).ok());
  }  // dropped without Commit or Rollback
  ExpectTreeEquals(engine_.get(), tree_, {{"keep", "1"}});
  EXPECT_EQ(engine_->stats().rollbacks, 1u);
  ExpectIntegrity(engine_.get());
  // It no longer pins the WAL: a checkpoint moves the undo point to the end.
  ASSERT_TRUE(engine_->Checkpoint().ok());
  engine_.reset();
  engine_ = Must(StorageEngine::Open("db", SmallOptions(&env_)));
  EXPECT_EQ(engine_->recovery_info().records_scanned, 0u);
}

TEST_F(EngineTest, TreeNamesAreUniqueAndPersist) {
  EXPECT_EQ(engine_->CreateTree("t").status().code(), StatusCode::kAlreadyExists);
  TreeId other = Must(engine_->CreateTree("other"));
  EXPECT_NE(other, tree_);
  EXPECT_TRUE(engine_->FindTree("missing").status().IsNotFound());
  engine_.reset();
  engine_ = Must(StorageEngine::Open("db", SmallOptions(&env_)));
  EXPECT_EQ(Must(engine_->FindTree("other")), other);
  EXPECT_EQ(engine_->ListTrees(), (std::vector<std::string>{"other", "t"}));
}

TEST_F(EngineTest, UncommittedWorkIsUndoneAfterCrash) {
  ASSERT_TRUE(PutCommitted("keep", "1").ok());
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "keep", "changed").ok());
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "gone", std::string(50000, 'g')).ok());
  ASSERT_TRUE(engine_->Checkpoint().ok());  // uncommitted changes reach the data file
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  txn.reset();  // the process is gone (its rollback fails against the dead env)
  engine_.reset();
  engine_ = Must(StorageEngine::Open("db", SmallOptions(&env_)));
  EXPECT_EQ(engine_->recovery_info().transactions_undone, 1u);
  TreeId tree = Must(engine_->FindTree("t"));
  ExpectTreeEquals(engine_.get(), tree, {{"keep", "1"}});
  ExpectIntegrity(engine_.get());
}

TEST(CheckpointTest, CheckpointsBoundTheWalToReplay) {
  // With max_wal_mib = 1, a checkpoint runs whenever 512 KiB accumulate, so
  // recovery never replays much more than that.
  FaultInjectionEnv env;
  Options o = SmallOptions(&env);
  o.max_wal_mib = 1;
  {
    auto engine = Must(StorageEngine::Open("db", o));
    TreeId tree = Must(engine->CreateTree("t"));
    for (int i = 0; i < 4000; ++i) {
      auto txn = engine->Begin();
      ASSERT_TRUE(engine->Put(txn.get(), tree, fmt::format("{:05}", i), std::string(300, 'x')).ok());
      ASSERT_TRUE(engine->Commit(txn.get()).ok());
    }
    EXPECT_GT(engine->stats().checkpoints, 2u);
    env.SimulateCrash(CrashMode::kDropUnsynced, 1);
  }
  auto engine = Must(StorageEngine::Open("db", o));
  const RecoveryInfo& info = engine->recovery_info();
  EXPECT_LE(info.log_end - info.redo_start, 600u << 10);
  EXPECT_EQ(Must(engine->Get(Must(engine->FindTree("t")), "03999")), std::string(300, 'x'));
  ExpectIntegrity(engine.get());
}

TEST_F(EngineTest, ConcurrentWritersOnDisjointKeysAndReaders) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 1500;
  int errors = RunBesideScans(kWriters, 2, [&](int w) {
    int failed = 0;
    std::mt19937_64 rng(w);
    for (int i = 0; i < kPerWriter; ++i) {
      auto txn = engine_->Begin();
      std::string key = fmt::format("w{}-{:05}", w, i);
      size_t size = rng() % 40 == 0 ? 6000 : 50;
      Status s = engine_->Put(txn.get(), tree_, key, std::string(size, static_cast<char>('a' + w)));
      if (s.ok() && i % 5 == 4) s = engine_->Delete(txn.get(), tree_, fmt::format("w{}-{:05}", w, i - 1));
      if (s.ok()) s = engine_->Commit(txn.get());
      if (!s.ok()) failed++;
    }
    return failed;
  });
  EXPECT_EQ(errors, 0);
  std::map<std::string, std::string> model;
  for (int w = 0; w < kWriters; ++w) {
    std::mt19937_64 rng(w);
    for (int i = 0; i < kPerWriter; ++i) {
      size_t size = rng() % 40 == 0 ? 6000 : 50;
      model[fmt::format("w{}-{:05}", w, i)] = std::string(size, static_cast<char>('a' + w));
      if (i % 5 == 4) model.erase(fmt::format("w{}-{:05}", w, i - 1));
    }
  }
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
}

// Writers inserting and deleting interleaved random keys split leaves
// together with their right siblings, allocate and free pages and follow
// far links, all at once, while readers scan: no latch cycle (the run
// would hang), no lost key, a sound tree.
TEST_F(EngineTest, ConcurrentRandomWritersSplitAndMergeNeighbouringLeaves) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 2000;
  auto key_of = [](int w, uint64_t n) { return fmt::format("{:06}-{}", n % 1000000, w); };
  int errors = RunBesideScans(kWriters, 1, [&](int w) {
    int failed = 0;
    std::mt19937_64 rng(100 + w);
    for (int i = 0; i < kPerWriter; ++i) {
      auto txn = engine_->Begin();
      Status s = engine_->Put(txn.get(), tree_, key_of(w, rng()), std::string(90, static_cast<char>('a' + w)));
      if (s.ok() && i % 3 == 2) {
        // Delete a key put earlier: merges run beside the splits.
        std::mt19937_64 replay(100 + w);
        uint64_t n = 0;
        for (int j = 0; j <= i / 2; ++j) n = replay();
        s = engine_->Delete(txn.get(), tree_, key_of(w, n));
        if (s.IsNotFound()) s = Status::OK();
      }
      if (s.ok()) s = engine_->Commit(txn.get());
      if (!s.ok()) failed++;
    }
    return failed;
  });
  EXPECT_EQ(errors, 0);
  std::map<std::string, std::string> model;
  for (int w = 0; w < kWriters; ++w) {
    std::mt19937_64 rng(100 + w);
    std::vector<uint64_t> drawn;
    for (int i = 0; i < kPerWriter; ++i) {
      drawn.push_back(rng());
      model[key_of(w, drawn.back())] = std::string(90, static_cast<char>('a' + w));
      if (i % 3 == 2) model.erase(key_of(w, drawn[static_cast<size_t>(i / 2)]));
    }
  }
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
}

// Writers appending interleaved ascending keys all aim at the rightmost
// leaf, which keeps splitting under them; readers scan meanwhile.
TEST_F(EngineTest, ConcurrentAppendersShareTheRightmostLeaf) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 3000;
  auto key_of = [](int w, int i) { return fmt::format("{:08}", i * kWriters + w); };
  int errors = RunBesideScans(kWriters, 1, [&](int w) {
    int failed = 0;
    for (int i = 0; i < kPerWriter; ++i) {
      auto txn = engine_->Begin();
      Status s = engine_->Put(txn.get(), tree_, key_of(w, i), std::string(60 + i % 50, static_cast<char>('a' + w)));
      if (s.ok()) s = engine_->Commit(txn.get());
      if (!s.ok()) failed++;
    }
    return failed;
  });
  EXPECT_EQ(errors, 0);
  std::map<std::string, std::string> model;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kPerWriter; ++i) model[key_of(w, i)] = std::string(60 + i % 50, static_cast<char>('a' + w));
  }
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
}

TEST_F(EngineTest, StatsCountHitsAndMisses) {
  auto txn = engine_->Begin();
  for (int i = 0; i < 8000; ++i) {
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, fmt::format("{:05}", i), std::string(300, 'x')).ok());
  }
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  auto before = engine_->stats().buffer_pool;
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(engine_->Get(tree_, fmt::format("{:05}", i * 2)).ok());
  auto after = engine_->stats().buffer_pool;
  EXPECT_GT(after.hits, before.hits);
  EXPECT_GT(after.misses + after.hits, before.misses + before.hits + 3000);
  EXPECT_GT(after.evictions, 0u);  // 1 MiB pool, ~2.6 MiB of data
  EXPECT_GT(after.hit_rate(), 0.0);
  EXPECT_LT(after.hit_rate(), 1.0);
  EXPECT_GT(engine_->stats().wal.syncs, 0u);
}

TEST(LargeValueTest, HundredMegabyteValueRoundTripsAndIsFreed) {
  testing::TempDir dir;
  std::string path = dir.Path("db");
  Options o;
  o.flush_interval_ms = 0;
  o.max_wal_mib = 64;
  std::string value(100u << 20, '\0');
  std::mt19937_64 rng(1);
  for (size_t i = 0; i < value.size(); i += 8) {
    uint64_t r = rng();
    std::memcpy(&value[i], &r, 8);
  }
  {
    auto engine = Must(StorageEngine::Open(path, o));
    TreeId tree = Must(engine->CreateTree("blobs"));
    auto txn = engine->Begin();
    ASSERT_TRUE(engine->Put(txn.get(), tree, "big", value).ok());
    ASSERT_TRUE(engine->Put(txn.get(), tree, "small", "s").ok());
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
  }
  auto engine = Must(StorageEngine::Open(path, o));
  TreeId tree = Must(engine->FindTree("blobs"));
  auto got = Must(engine->Get(tree, "big"));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(*got == value);
  auto txn = engine->Begin();
  ASSERT_TRUE(engine->Delete(txn.get(), tree, "big").ok());
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  EXPECT_GT(engine->stats().free_pages, 25000u);  // the chain went to the free list
  ExpectIntegrity(engine.get());
  engine.reset();
}

}  // namespace
}  // namespace neuroquantum::storage
