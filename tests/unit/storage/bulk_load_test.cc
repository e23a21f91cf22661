// StorageEngine::BulkLoad: building a B+ tree bottom-up from sorted input.
// Empty, tiny and multi-level loads (with overflow values), the fill factor,
// later writes into a loaded tree, rejected input (non-empty tree, unsorted
// or oversized keys, a writer racing the load), durability, atomicity under
// a crash at every few I/O operations, and density against random Puts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <utility>
#include <vector>

#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::ExpectIntegrity;
using testing::ExpectTreeEquals;
using testing::Must;
using testing::SmallOptions;
using Model = std::map<std::string, std::string>;
using Rows = std::vector<std::pair<std::string, std::string>>;

// Yields rows in the order given (sorted or not).
class RowSource : public BulkSource {
 public:
  explicit RowSource(const Rows* rows) : rows_(rows) {}
  bool Next(std::string_view* key, std::string_view* value) override {
    if (next_ >= rows_->size()) return false;
    const auto& row = (*rows_)[next_++];
    *key = row.first;
    *value = row.second;
    return true;
  }
  size_t yielded() const { return next_; }

 private:
  const Rows* rows_;
  size_t next_ = 0;
};

std::string Key(size_t i) { return fmt::format("key{:08}", i); }

// `count` ascending rows; every `overflow_every`-th value (0 = none) is large
// enough for an overflow chain.
Rows MakeRows(size_t count, size_t overflow_every = 0, size_t overflow_bytes = 9000) {
  Rows rows;
  rows.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    bool big = overflow_every != 0 && i % overflow_every == overflow_every / 2;
    std::string value = big ? std::string(overflow_bytes + i % 3000, static_cast<char>('a' + i % 26))
                            : fmt::format("value-{}-{}", i, std::string(i % 40, 'x'));
    rows.emplace_back(Key(i), std::move(value));
  }
  return rows;
}

Model ToModel(const Rows& rows) { return Model(rows.begin(), rows.end()); }

Options TestOptions(Env* env) { return SmallOptions(env); }

class BulkLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = Must(StorageEngine::Open("db", TestOptions(&env_)));
    tree_ = Must(engine_->CreateTree("t"));
    root_ = Root();
  }
  Status Load(const Rows& rows) {
    RowSource source(&rows);
    return engine_->BulkLoad(tree_, &source);
  }
  Status PutCommitted(const std::string& k, const std::string& v) {
    auto txn = engine_->Begin();
    NQ_RETURN_IF_ERROR(engine_->Put(txn.get(), tree_, k, v));
    return engine_->Commit(txn.get());
  }
  PageId Root() {
    for (const auto& [name, root] : engine_->TreeRoots()) {
      if (name == "t") return root;
    }
    return kInvalidPageId;
  }
  // Level of the page (0 = leaf).
  int Level(PageId id) {
    PageGuard page = Must(engine_->context()->pool->Fetch(id, LatchMode::kShared));
    return btree::Node(const_cast<uint8_t*>(page.data()), engine_->page_size()).level();
  }
  // Pages in use (not free) in the whole file.
  uint64_t UsedPages() {
    EngineStats s = engine_->stats();
    return s.page_count - s.free_pages;
  }
  void Reopen() {
    engine_.reset();
    engine_ = Must(StorageEngine::Open("db", TestOptions(&env_)));
  }

  FaultInjectionEnv env_;
  std::unique_ptr<StorageEngine> engine_;
  TreeId tree_ = 0;
  PageId root_ = kInvalidPageId;
};

TEST_F(BulkLoadTest, EmptyInputLeavesTheTreeEmptyAndUsable) {
  uint64_t used = UsedPages();
  ASSERT_TRUE(Load({}).ok());
  ExpectTreeEquals(engine_.get(), tree_, {});
  EXPECT_EQ(UsedPages(), used);
  ASSERT_TRUE(PutCommitted("a", "1").ok());
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}});
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, SingleKeyStaysInTheRootLeaf) {
  uint64_t used = UsedPages();
  ASSERT_TRUE(Load({{"only", "value"}}).ok());
  EXPECT_EQ(Root(), root_);
  EXPECT_EQ(Level(root_), 0);
  EXPECT_EQ(UsedPages(), used);
  EXPECT_EQ(*Must(engine_->Get(tree_, "only")), "value");
  ExpectTreeEquals(engine_.get(), tree_, {{"only", "value"}});
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, FewKeysWithOverflowValueAndLongestKey) {
  Rows rows = MakeRows(10, 4);  // rows 2 and 6 overflow
  rows.emplace_back("", "empty key sorts first");
  rows.emplace_back(std::string(engine_->max_key_size(), 'z'), "longest key");
  std::sort(rows.begin(), rows.end());
  ASSERT_TRUE(Load(rows).ok());
  EXPECT_EQ(Root(), root_);
  EXPECT_EQ(Level(root_), 0);
  ExpectTreeEquals(engine_.get(), tree_, ToModel(rows));
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, LargeLoadBuildsAMultiLevelTree) {
  Rows rows = MakeRows(200000, 997);
  uint64_t commits = engine_->stats().commits;
  ASSERT_TRUE(Load(rows).ok());
  EXPECT_EQ(engine_->stats().commits, commits + 1);  // one transaction
  EXPECT_EQ(Root(), root_);                          // the root keeps its page id
  EXPECT_GE(Level(root_), 2);
  Model model = ToModel(rows);
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
  for (size_t i : {0ul, 1ul, 498ul, 99999ul, 199999ul}) {
    EXPECT_EQ(*Must(engine_->Get(tree_, Key(i))), rows[i].second) << i;
  }
  EXPECT_FALSE(Must(engine_->Get(tree_, "key00099999x")).has_value());
  // Seeks land between loaded separators.
  auto it = Must(engine_->NewIterator(tree_));
  it->Seek("key00123456a");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(123457));
  it->SeekForPrev("key00123456a");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(123456));
  Reopen();
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
}

// Walks the leaves from the leftmost one and checks their fill: every leaf
// but the last two at the fill factor (within one cell); the last two were
// balanced against each other.
TEST_F(BulkLoadTest, LeavesAreFilledToTheFillFactor) {
  Rows rows = MakeRows(20000);
  ASSERT_TRUE(Load(rows).ok());
  BufferPool* pool = engine_->context()->pool;
  uint32_t page_size = engine_->page_size();
  PageId id = root_;
  while (Level(id) > 0) {
    PageGuard page = Must(pool->Fetch(id, LatchMode::kShared));
    id = btree::Node(const_cast<uint8_t*>(page.data()), page_size).leftmost_child();
  }
  std::vector<uint32_t> used;
  uint32_t capacity = 0, largest_cell = 0;
  while (id != kInvalidPageId) {
    PageGuard page = Must(pool->Fetch(id, LatchMode::kShared));
    btree::Node node(const_cast<uint8_t*>(page.data()), page_size);
    used.push_back(node.UsedSpace());
    capacity = node.Capacity();
    for (uint16_t i = 0; i < node.count(); ++i) largest_cell = std::max(largest_cell, node.cell(i).size + 2);
    id = node.right();
  }
  ASSERT_GT(used.size(), 10u);
  uint32_t target = capacity * BTree::kBulkFillPercent / 100;
  for (size_t i = 0; i + 2 < used.size(); ++i) {
    EXPECT_LE(used[i], target) << "leaf " << i;
    EXPECT_GT(used[i] + largest_cell, target) << "leaf " << i;
  }
  uint32_t last = used[used.size() - 1], before_last = used[used.size() - 2];
  EXPECT_LE(last, before_last);
  EXPECT_LE(before_last, target);
  EXPECT_GE(last + 2 * largest_cell, before_last);  // balanced
  // The slack takes an insert in the middle without a split.
  uint64_t pages = UsedPages();
  ASSERT_TRUE(PutCommitted(Key(10000) + "-new", "inserted").ok());
  EXPECT_EQ(UsedPages(), pages);
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, PutsAndDeletesAfterTheLoadSplitAndMerge) {
  Rows rows = MakeRows(30000, 500);
  ASSERT_TRUE(Load(rows).ok());
  Model model = ToModel(rows);
  std::mt19937_64 rng(11);
  auto txn = engine_->Begin();
  for (int i = 0; i < 15000; ++i) {  // new keys between loaded ones: splits
    std::string key = Key(rng() % 30000) + fmt::format("-{}", i);
    std::string value(rng() % 50 == 0 ? 7000 : 20 + rng() % 100, static_cast<char>('A' + i % 26));
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, key, value).ok());
    model[key] = value;
    if (i % 1000 == 999) {
      ASSERT_TRUE(engine_->Commit(txn.get()).ok());
      txn = engine_->Begin();
    }
  }
  for (int i = 0; i < 3000; ++i) {  // updates, some to and from overflow
    std::string key = Key(rng() % 30000);
    std::string value(i % 3 == 0 ? 8000 : 5, 'u');
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, key, value).ok());
    model[key] = value;
  }
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
  uint64_t peak = UsedPages();
  txn = engine_->Begin();
  int deleted = 0;
  for (auto it = model.begin(); it != model.end();) {  // delete ~90%: merges
    if (rng() % 10 != 0) {
      ASSERT_TRUE(engine_->Delete(txn.get(), tree_, it->first).ok()) << it->first;
      it = model.erase(it);
      if (++deleted % 1000 == 0) {
        ASSERT_TRUE(engine_->Commit(txn.get()).ok());
        txn = engine_->Begin();
      }
    } else {
      ++it;
    }
  }
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  EXPECT_LT(UsedPages(), peak / 2);
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
  Reopen();
  ExpectTreeEquals(engine_.get(), tree_, model);
}

TEST_F(BulkLoadTest, VacuumCompactsALoadedTreeAfterDeletes) {
  Rows rows = MakeRows(20000, 250);
  ASSERT_TRUE(Load(rows).ok());
  Model model = ToModel(rows);
  auto txn = engine_->Begin();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i % 4 == 0) continue;
    ASSERT_TRUE(engine_->Delete(txn.get(), tree_, rows[i].first).ok());
    model.erase(rows[i].first);
  }
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  auto stats = Must(engine_->Vacuum());
  EXPECT_LT(stats.pages_after, stats.pages_before);
  ExpectTreeEquals(engine_.get(), tree_, model);
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, NonEmptyTreeIsRejected) {
  ASSERT_TRUE(PutCommitted("a", "1").ok());
  Status s = Load(MakeRows(100));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}});
  ExpectIntegrity(engine_.get());
}

// A tree whose keys were all deleted is empty again (merges collapse it into
// its root leaf) and can be loaded again.
TEST_F(BulkLoadTest, TreeEmptiedByDeletesCanBeLoadedAgain) {
  Rows rows = MakeRows(20000, 1000);
  ASSERT_TRUE(Load(rows).ok());
  Rows order = rows;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  auto txn = engine_->Begin();
  for (const auto& row : order) ASSERT_TRUE(engine_->Delete(txn.get(), tree_, row.first).ok());
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  ExpectTreeEquals(engine_.get(), tree_, {});
  rows.resize(7000);
  ASSERT_TRUE(Load(rows).ok());
  ExpectTreeEquals(engine_.get(), tree_, ToModel(rows));
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, LoadedTreeCannotBeLoadedAgain) {
  Rows rows = MakeRows(5000);
  ASSERT_TRUE(Load(rows).ok());
  Status s = Load(MakeRows(10));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  ExpectTreeEquals(engine_.get(), tree_, ToModel(rows));
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, DescendingKeyIsRejectedAndNothingBecomesVisible) {
  Rows rows = MakeRows(20000, 300);
  std::swap(rows[15000], rows[15001]);  // key 15001 < key 15000
  uint64_t used = UsedPages();
  RowSource source(&rows);
  Status s = engine_->BulkLoad(tree_, &source);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.ToString().find("key 15001"), std::string::npos) << s.ToString();
  EXPECT_EQ(source.yielded(), 15002u);  // stopped at the offending key
  ExpectTreeEquals(engine_.get(), tree_, {});
  EXPECT_EQ(UsedPages(), used);  // every page written was freed again
  ExpectIntegrity(engine_.get());
  // The tree is still empty, so a correct load succeeds.
  std::swap(rows[15000], rows[15001]);
  ASSERT_TRUE(Load(rows).ok());
  ExpectTreeEquals(engine_.get(), tree_, ToModel(rows));
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, DuplicateKeyIsRejected) {
  Rows rows = MakeRows(10);
  rows[4].first = rows[3].first;
  Status s = Load(rows);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.ToString().find("key 4"), std::string::npos) << s.ToString();
  ExpectTreeEquals(engine_.get(), tree_, {});
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, OversizedKeyIsOutOfRange) {
  Rows rows = MakeRows(3000, 100);
  rows[2500].first = Key(2500) + std::string(engine_->max_key_size(), 'k');
  uint64_t used = UsedPages();
  Status s = Load(rows);
  ASSERT_EQ(s.code(), StatusCode::kOutOfRange) << s.ToString();
  EXPECT_NE(s.ToString().find("key 2500"), std::string::npos) << s.ToString();
  ExpectTreeEquals(engine_.get(), tree_, {});
  EXPECT_EQ(UsedPages(), used);
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, CatalogAndMissingTreesAreRejected) {
  Rows rows = MakeRows(3);
  RowSource source(&rows);
  EXPECT_EQ(engine_->BulkLoad(0, &source).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->BulkLoad(tree_ + 100, &source).code(), StatusCode::kNotFound);
  ExpectIntegrity(engine_.get());
}

// A source that writes into the tree being loaded halfway through: the load
// must notice at the end and give its pages back.
class InterferingSource : public RowSource {
 public:
  InterferingSource(const Rows* rows, StorageEngine* engine, TreeId tree)
      : RowSource(rows), engine_(engine), tree_(tree) {}
  bool Next(std::string_view* key, std::string_view* value) override {
    if (yielded() == 5000) {
      auto txn = engine_->Begin();
      EXPECT_TRUE(engine_->Put(txn.get(), tree_, "intruder", "x").ok());
      EXPECT_TRUE(engine_->Commit(txn.get()).ok());
    }
    return RowSource::Next(key, value);
  }

 private:
  StorageEngine* engine_;
  TreeId tree_;
};

TEST_F(BulkLoadTest, WriterDuringTheLoadIsDetected) {
  Rows rows = MakeRows(10000, 700);
  uint64_t used = UsedPages();
  InterferingSource source(&rows, engine_.get(), tree_);
  Status s = engine_->BulkLoad(tree_, &source);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  ExpectTreeEquals(engine_.get(), tree_, {{"intruder", "x"}});
  EXPECT_EQ(UsedPages(), used);
  ExpectIntegrity(engine_.get());
}

TEST_F(BulkLoadTest, LoadIsDurableWhenItReturns) {
  Rows rows = MakeRows(20000, 400);
  ASSERT_TRUE(Load(rows).ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);  // power loss, no close
  engine_.reset();  // its handles are stale
  engine_ = Must(StorageEngine::Open("db", TestOptions(&env_)));
  ExpectTreeEquals(engine_.get(), tree_, ToModel(rows));
  ExpectIntegrity(engine_.get());
}

// A crash at every few writes or syncs from the start of a load to the end
// of the close that follows: after recovery the tree is empty (with every
// page of the load freed) or complete.
TEST(BulkLoadCrashTest, CrashLeavesTheTreeEmptyOrComplete) {
  // Larger than the 1 MiB buffer pool, so pages are evicted (WAL synced,
  // pages written) while the load runs.
  const Rows rows = MakeRows(8000, 50, 10000);
  const Model model = ToModel(rows);
  auto run = [&rows](FaultInjectionEnv* env, uint64_t crash_after) {
    auto engine = Must(StorageEngine::Open("db", SmallOptions(env)));
    TreeId tree = Must(engine->CreateTree("t"));
    uint64_t base = env->mutating_ops();
    if (crash_after != UINT64_MAX) {
      env->CrashAtOp(base + crash_after,
                     crash_after % 2 ? CrashAction::kTearWrite : CrashAction::kDropOp,
                     512 * (crash_after % 8));
    }
    RowSource source(&rows);
    Status s = engine->BulkLoad(tree, &source);
    if (crash_after == UINT64_MAX) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    engine.reset();  // close: a checkpoint, unless the crash came first
    return env->mutating_ops() - base;
  };
  uint64_t total_ops;
  {
    FaultInjectionEnv probe;
    total_ops = run(&probe, UINT64_MAX);
  }
  std::printf("crash points: %lu mutating operations\n", static_cast<unsigned long>(total_ops));
  ASSERT_GT(total_ops, 20u);
  uint64_t step = std::getenv("NQ_TEST_LONG") != nullptr ? 1 : std::max<uint64_t>(1, total_ops / 60);
  int empty = 0, complete = 0, repaired = 0;
  for (uint64_t op = 0; op < total_ops; op += step) {
    FaultInjectionEnv env;
    run(&env, op);
    ASSERT_TRUE(env.crashed()) << "crash at op " << op << " did not fire";
    env.SimulateCrash(op % 3 == 0 ? CrashMode::kDropUnsynced : CrashMode::kKeepRandomUnsynced, op);
    auto engine = StorageEngine::Open("db", SmallOptions(&env));
    ASSERT_TRUE(engine.ok()) << "crash at op " << op << ": " << engine.status().ToString();
    TreeId tree = Must((*engine)->FindTree("t"));
    auto it = Must((*engine)->NewIterator(tree));
    it->SeekToFirst();
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    if (!it->Valid()) {
      empty++;
      if ((*engine)->recovery_info().leaked_pages_freed > 0) repaired++;
    } else {
      complete++;
      ExpectTreeEquals(engine->get(), tree, model);
    }
    ExpectIntegrity(engine->get());  // includes: no leaked page
    if (HasFailure()) {
      ADD_FAILURE() << "crash at op " << op;
      return;
    }
  }
  std::printf("outcomes: %d empty (%d with pages freed by recovery), %d complete\n", empty,
              repaired, complete);
  EXPECT_GT(empty, 0);
  EXPECT_GT(repaired, 0);
  EXPECT_GT(complete, 0);
}

// Bulk-loaded nodes are ~90% full; random-order inserts leave them ~70%.
TEST(BulkLoadDensityTest, UsesFewerPagesThanRandomPuts) {
  const size_t kKeys = 100000;
  Rows rows = MakeRows(kKeys);
  auto used_pages = [](StorageEngine* engine) {
    EngineStats s = engine->stats();
    return s.page_count - s.free_pages;
  };
  uint64_t bulk_pages, put_pages;
  using Clock = std::chrono::steady_clock;
  Clock::duration bulk_time{}, put_time{};
  {
    FaultInjectionEnv env;
    Options options = SmallOptions(&env);
    options.buffer_pool_mib = 16;
    auto engine = Must(StorageEngine::Open("db", options));
    TreeId tree = Must(engine->CreateTree("t"));
    RowSource source(&rows);
    Clock::time_point start = Clock::now();
    ASSERT_TRUE(engine->BulkLoad(tree, &source).ok());
    bulk_time = Clock::now() - start;
    bulk_pages = used_pages(engine.get());
    ExpectIntegrity(engine.get());
  }
  {
    FaultInjectionEnv env;
    Options options = SmallOptions(&env);
    options.buffer_pool_mib = 16;
    auto engine = Must(StorageEngine::Open("db", options));
    TreeId tree = Must(engine->CreateTree("t"));
    Rows shuffled = rows;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(3));
    Clock::time_point start = Clock::now();
    auto txn = engine->Begin();
    for (size_t i = 0; i < shuffled.size(); ++i) {
      ASSERT_TRUE(engine->Put(txn.get(), tree, shuffled[i].first, shuffled[i].second).ok());
      if (i % 5000 == 4999) {
        ASSERT_TRUE(engine->Commit(txn.get()).ok());
        txn = engine->Begin();
      }
    }
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
    put_time = Clock::now() - start;
    put_pages = used_pages(engine.get());
    ExpectTreeEquals(engine.get(), tree, ToModel(rows));
  }
  auto ms = [](Clock::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  std::printf("pages: bulk load %lu (%ld ms), random puts %lu (%ld ms)\n",
              static_cast<unsigned long>(bulk_pages), ms(bulk_time),
              static_cast<unsigned long>(put_pages), ms(put_time));
  // Bulk load fills leaves to 90%; random puts leave them about 80% full.
  EXPECT_LT(bulk_pages * 100, put_pages * 95);  // at least 5% fewer pages
}

}  // namespace
}  // namespace neuroquantum::storage
