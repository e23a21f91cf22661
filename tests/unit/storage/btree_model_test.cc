// Model-based randomized test of the B+ tree against std::map: random puts
// (small and overflow-sized values), deletes, gets, seeks and scans, over
// many seeds, with a buffer pool small enough to force eviction, then a
// reopen. NQ_TEST_LONG=1 runs many more operations.
#include <cstdlib>
#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::ExpectIntegrity;
using testing::ExpectTreeEquals;
using testing::Must;
using testing::SmallOptions;

int Scale() { return std::getenv("NQ_TEST_LONG") != nullptr ? 20 : 1; }

std::string RandomKey(std::mt19937_64& rng, int key_space) {
  // Mostly short keys from a bounded space (so deletes and updates hit), and
  // sometimes long ones to stress splits.
  uint64_t n = rng() % key_space;
  std::string key = "k" + std::to_string(n);
  if (n % 7 == 0) key.append(200 + n % 300, static_cast<char>('a' + n % 26));
  return key;
}

std::string RandomValue(std::mt19937_64& rng) {
  uint64_t r = rng() % 100;
  size_t size = r < 90 ? rng() % 120 : (r < 98 ? 500 + rng() % 3000 : 5000 + rng() % 40000);
  std::string v(size, '\0');
  for (auto& c : v) c = static_cast<char>('A' + rng() % 26);
  return v;
}

class BTreeModelTest : public ::testing::TestWithParam<int> {};

TEST_P(BTreeModelTest, RandomOperationsMatchStdMap) {
  const uint64_t seed = static_cast<uint64_t>(GetParam());
  std::mt19937_64 rng(seed);
  FaultInjectionEnv env;
  std::map<std::string, std::string> model;
  const int ops = 3000 * Scale();
  const int key_space = 200 + static_cast<int>(seed % 5) * 400;
  {
    auto engine = StorageEngine::Open("db", SmallOptions(&env));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    auto tree = (*engine)->CreateTree("t");
    ASSERT_TRUE(tree.ok()) << tree.status().ToString();
    auto txn = (*engine)->Begin();
    for (int i = 0; i < ops; ++i) {
      std::string key = RandomKey(rng, key_space);
      uint64_t op = rng() % 100;
      if (op < 55) {
        std::string value = RandomValue(rng);
        ASSERT_TRUE((*engine)->Put(txn.get(), *tree, key, value).ok());
        model[key] = value;
      } else if (op < 85) {
        Status s = (*engine)->Delete(txn.get(), *tree, key);
        if (model.erase(key) == 1) {
          ASSERT_TRUE(s.ok()) << s.ToString();
        } else {
          ASSERT_TRUE(s.IsNotFound()) << s.ToString();
        }
      } else if (op < 95) {
        auto got = (*engine)->Get(*tree, key);
        ASSERT_TRUE(got.ok());
        auto expected = model.find(key);
        ASSERT_EQ(got->has_value(), expected != model.end()) << key;
        if (got->has_value()) {
          ASSERT_EQ(**got, expected->second);
        }
      } else if (op < 97) {
        // Backward from the last key <= `key`, then forward again: every
        // change of direction may cross a leaf boundary.
        auto it = Must((*engine)->NewIterator(*tree));
        it->SeekForPrev(key);
        auto expected = model.upper_bound(key);
        int steps = 0;
        for (; steps < 40 && expected != model.begin(); ++steps) {
          --expected;
          ASSERT_TRUE(it->Valid());
          ASSERT_EQ(it->key(), expected->first);
          ASSERT_EQ(Must(it->value()), expected->second);
          if (steps + 1 < 40 && expected != model.begin()) it->Prev();
        }
        if (steps == 0) {
          ASSERT_FALSE(it->Valid());
        }
        if (steps > 0 && expected == model.begin()) {
          it->Prev();
          ASSERT_FALSE(it->Valid());
          it->Seek(expected->first);
        }
        for (int back = 0; back < steps && expected != model.end(); ++back, ++expected) {
          ASSERT_TRUE(it->Valid());
          ASSERT_EQ(it->key(), expected->first);
          it->Next();
        }
      } else {
        // Half the scans end before an upper bound (which may lie below
        // the start, or in another leaf).
        auto it = Must((*engine)->NewIterator(*tree));
        auto expected = model.lower_bound(key);
        auto end = model.end();
        if (rng() % 2 == 0) {
          const std::string bound = RandomKey(rng, key_space);
          it->SetUpperBound(bound);
          end = bound <= key ? expected : model.lower_bound(bound);
        }
        it->Seek(key);
        for (int step = 0; step < 40 && expected != end; ++step, ++expected) {
          ASSERT_TRUE(it->Valid());
          ASSERT_EQ(it->key(), expected->first);
          it->Next();
        }
        if (expected == end) {
          ASSERT_FALSE(it->Valid());
        }
      }
      if (i % 1000 == 999) {
        ASSERT_TRUE((*engine)->Commit(txn.get()).ok());
        txn = (*engine)->Begin();
        ExpectIntegrity(engine->get());
      }
    }
    ASSERT_TRUE((*engine)->Commit(txn.get()).ok());
    ExpectTreeEquals(engine->get(), *tree, model);
    ExpectIntegrity(engine->get());
  }
  // Reopen: everything committed is there.
  auto engine = StorageEngine::Open("db", SmallOptions(&env));
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto tree = (*engine)->FindTree("t");
  ASSERT_TRUE(tree.ok());
  ExpectTreeEquals(engine->get(), *tree, model);
  ExpectIntegrity(engine->get());
}

INSTANTIATE_TEST_SUITE_P(Seeds, BTreeModelTest, ::testing::Range(1, 9));

TEST(BTreeTest, DeleteEverythingShrinksTreeToEmptyRoot) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  auto txn = engine->Begin();
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(engine->Put(txn.get(), tree, fmt::format("{:08}", i), std::string(50, 'x')).ok());
  }
  uint64_t pages_full = engine->stats().page_count;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(engine->Delete(txn.get(), tree, fmt::format("{:08}", i)).ok()) << i;
  }
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  ExpectTreeEquals(engine.get(), tree, {});
  ExpectIntegrity(engine.get());
  // Merges returned most pages to the free list.
  EXPECT_GT(engine->stats().free_pages, pages_full / 2);
}

TEST(BTreeTest, KeyTooLargeIsRejectedWithItsSize) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  auto txn = engine->Begin();
  std::string key(engine->max_key_size() + 1, 'k');
  Status s = engine->Put(txn.get(), tree, key, "v");
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_NE(s.message().find(std::to_string(key.size())), std::string::npos) << s.ToString();
  std::string max_key(engine->max_key_size(), 'k');
  EXPECT_TRUE(engine->Put(txn.get(), tree, max_key, std::string(5000, 'v')).ok());
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  EXPECT_EQ(**engine->Get(tree, max_key), std::string(5000, 'v'));
}

// Keys "000000", "000002", ..., "002998" in one committed transaction.
void PutEvenKeys(StorageEngine* engine, TreeId tree) {
  auto txn = engine->Begin();
  for (int i = 0; i < 3000; i += 2) {
    ASSERT_TRUE(engine->Put(txn.get(), tree, fmt::format("{:06}", i), "v").ok());
  }
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
}

TEST(BTreeTest, BackwardScanFromMiddle) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  ASSERT_NO_FATAL_FAILURE(PutEvenKeys(engine.get(), tree));
  auto it = Must(engine->NewIterator(tree));
  it->SeekForPrev("001001");
  int expected = 1000;
  for (; it->Valid(); it->Prev(), expected -= 2) ASSERT_EQ(it->key(), fmt::format("{:06}", expected));
  EXPECT_EQ(expected, -2);
}

// A forward scan moves from leaf to leaf by the right link while the leaf
// it copied is unchanged, and descends again when it changed. Between
// steps, keys are inserted around the scan's position (splitting its leaf
// and the next) and runs ahead of it are deleted (merging and freeing
// leaves): the scan returns keys in strictly increasing order, every key
// present throughout, and nothing that never existed.
TEST(BTreeTest, ForwardScanFollowsSplitsAndMergesAroundIt) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  auto key = [](int i) { return fmt::format("{:06}", i); };
  const int n = 6000;
  std::set<std::string> ever, removed;
  {
    auto txn = engine->Begin();
    for (int i = 0; i < n; i += 2) {
      ASSERT_TRUE(engine->Put(txn.get(), tree, key(i), std::string(60, 'v')).ok());
      ever.insert(key(i));
    }
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
  }
  std::mt19937_64 rng(7);
  std::vector<std::string> seen;
  auto it = Must(engine->NewIterator(tree));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    seen.emplace_back(it->key());
    const int at = std::stoi(seen.back());
    const uint64_t r = rng() % 16;
    if (r > 2) continue;
    auto txn = engine->Begin();
    if (r == 0) {  // odd keys just ahead: the copied leaf or the next splits
      for (int k = at + 1; k < std::min(n, at + 120); k += 2) {
        ASSERT_TRUE(engine->Put(txn.get(), tree, key(k), std::string(60, 'w')).ok());
        ever.insert(key(k));
      }
    } else if (r == 1) {  // a run further ahead goes: leaves merge and are freed
      const int from = at + 40 + static_cast<int>(rng() % 200);
      for (int k = from; k < std::min(n, from + 150); ++k) {
        if (engine->Delete(txn.get(), tree, key(k)).ok()) removed.insert(key(k));
      }
    } else {  // keys behind the scan go
      for (int k = std::max(0, at - 100); k < at; ++k) {
        if (engine->Delete(txn.get(), tree, key(k)).ok()) removed.insert(key(k));
      }
    }
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  ASSERT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  ASSERT_TRUE(std::adjacent_find(seen.begin(), seen.end()) == seen.end()) << "a key was returned twice";
  const std::set<std::string> returned(seen.begin(), seen.end());
  for (const auto& k : returned) EXPECT_TRUE(ever.count(k)) << k;
  for (int i = 0; i < n; i += 2) {
    if (!removed.count(key(i))) {
      EXPECT_TRUE(returned.count(key(i))) << key(i);
    }
  }
  ExpectIntegrity(engine.get());
}

// A backward seek copies its leaf only up to the bound; moving forward
// from there returns the rest of that leaf, then the next.
TEST(BTreeTest, ForwardStepsAfterABackwardSeekMissNothing) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  ASSERT_NO_FATAL_FAILURE(PutEvenKeys(engine.get(), tree));
  auto it = Must(engine->NewIterator(tree));
  for (int from : {1, 501, 1001, 2001}) {
    it->SeekForPrev(fmt::format("{:06}", from));
    int expected = from - 1;
    for (; it->Valid() && expected < 3000; it->Next(), expected += 2) {
      ASSERT_EQ(it->key(), fmt::format("{:06}", expected)) << from;
    }
    EXPECT_EQ(expected, 3000) << from;
    EXPECT_TRUE(it->status().ok());
  }
}

TEST(BTreeTest, SequentialInsertFillsPages) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  auto txn = engine->Begin();
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(engine->Put(txn.get(), tree, fmt::format("{:016}", i), std::string(100, 'v')).ok());
  }
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  // 16-byte key + 100-byte value + 5 bytes of cell header + 2-byte slot:
  // about 32 cells per 4 KiB page when pages are filled.
  uint64_t pages = engine->stats().page_count;
  EXPECT_LT(pages, static_cast<uint64_t>(n / 30 + 50)) << "append splits should fill pages";
  ExpectIntegrity(engine.get());
}

// An append to the last leaf starts the next leaf with the new cell alone and
// leaves the full one untouched. Recovery rebuilds such splits from the WAL,
// values of every size included (some spill to overflow pages).
TEST(BTreeTest, AppendSplitsSurviveACrash) {
  FaultInjectionEnv env;
  std::map<std::string, std::string> model;
  std::mt19937_64 rng(5);
  {
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
    TreeId tree = *engine->CreateTree("t");
    auto txn = engine->Begin();
    for (int i = 0; i < 8000; ++i) {
      std::string key = fmt::format("{:08}", i);
      std::string value(rng() % 50 == 0 ? 3000 + rng() % 3000 : rng() % 150, static_cast<char>('a' + i % 26));
      ASSERT_TRUE(engine->Put(txn.get(), tree, key, value).ok());
      model[key] = value;
    }
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
    env.SimulateCrash(CrashMode::kDropUnsynced, 1);
  }
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  ExpectTreeEquals(engine.get(), Must(engine->FindTree("t")), model);
  ExpectIntegrity(engine.get());
}

// Inserts at or after the first key of the rightmost leaf go straight to
// that leaf. Mix them with what invalidates it: splits, the tail deleted
// (the rightmost leaf merged away), updates of the last keys, keys below
// it, a vacuum that moves pages; the tree must match the model throughout.
TEST(BTreeTest, AppendsToTheRightmostLeafMatchStdMap) {
  FaultInjectionEnv env;
  std::map<std::string, std::string> model;
  std::mt19937_64 rng(11);
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  auto key_of = [](uint64_t n) { return fmt::format("{:08}", n); };
  uint64_t next = 0;
  for (int round = 0; round < 6; ++round) {
    auto txn = engine->Begin();
    for (int i = 0; i < 3000; ++i) {
      const uint64_t r = rng() % 100;
      std::string key;
      if (r < 80 || model.empty()) {
        key = key_of(next++);  // an append
      } else if (r < 90) {
        key = std::prev(model.end())->first;  // an update of the last key
      } else {
        key = key_of(rng() % next);  // anywhere below
      }
      std::string value(rng() % 40 == 0 ? 2000 + rng() % 3000 : rng() % 120, static_cast<char>('a' + i % 26));
      ASSERT_TRUE(engine->Put(txn.get(), tree, key, value).ok()) << key;
      model[key] = value;
    }
    // Delete the tail, so that the rightmost leaves merge into their left
    // neighbours, and continue from a lower key.
    const uint64_t cut = next - 400 - rng() % 400;
    for (auto it = model.lower_bound(key_of(cut)); it != model.end();) {
      ASSERT_TRUE(engine->Delete(txn.get(), tree, it->first).ok()) << it->first;
      it = model.erase(it);
    }
    next = cut;
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
    ExpectTreeEquals(engine.get(), tree, model);
    if (round == 2) {
      ASSERT_TRUE(engine->Vacuum().ok());
    }
  }
  ExpectIntegrity(engine.get());
}

// Random inserts used to split full leaves in half and leave them about 69%
// full; moving cells into a right sibling with room first keeps them fuller,
// so a fixed cache holds more of the tree.
TEST(BTreeTest, RandomInsertsKeepLeavesFull) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  std::vector<int> order(20000);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  auto txn = engine->Begin();
  for (int i : order) {
    ASSERT_TRUE(engine->Put(txn.get(), tree, fmt::format("{:016}", i), std::string(100, 'v')).ok());
  }
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  CheckReport report;
  ASSERT_TRUE(CheckDatabase(engine.get(), &report).ok());
  EXPECT_TRUE(report.ok());
  // About 32 such cells fit a 4 KiB leaf (see SequentialInsertFillsPages).
  const double fill = static_cast<double>(order.size()) / 32.0 / static_cast<double>(report.tree_pages);
  EXPECT_GT(fill, 0.78) << report.tree_pages << " tree pages";
}

// Long keys of varying length fill internal nodes fast, so splits that share
// cells with a sibling often meet a parent without room for the moved or the
// new separator, and a grandparent that was released.
TEST(BTreeTest, SplitsWithSiblingsKeepLongVariedKeysIntact) {
  FaultInjectionEnv env;
  auto engine = Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = *engine->CreateTree("t");
  std::mt19937_64 rng(11);
  std::map<std::string, std::string> model;
  auto txn = engine->Begin();
  for (int i = 0; i < 6000; ++i) {
    std::string key = fmt::format("{:08}", rng() % 100000);
    key.append(rng() % 3 == 0 ? 1 + rng() % 900 : rng() % 40, static_cast<char>('a' + i % 26));
    std::string value(rng() % 200, static_cast<char>('A' + i % 26));
    ASSERT_TRUE(engine->Put(txn.get(), tree, key, value).ok());
    model[key] = value;
  }
  ASSERT_TRUE(engine->Commit(txn.get()).ok());
  ExpectTreeEquals(engine.get(), tree, model);
  ExpectIntegrity(engine.get());
}

}  // namespace
}  // namespace neuroquantum::storage
