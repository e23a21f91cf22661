// VersionStore: chain order, rolled-back entries, purge by horizon.
#include "txn/version_store.h"

#include <gtest/gtest.h>

namespace neuroquantum::txn {
namespace {

// Versions are plain strings here; "visible" accepts a fixed set.
std::optional<std::string> FindIn(const VersionStore& store, const std::string& row,
                                  std::initializer_list<std::string_view> visible) {
  return store.Find(row, [&](std::string_view v) {
    for (auto x : visible) {
      if (x == v) return true;
    }
    return false;
  });
}

TEST(VersionStoreTest, FindWalksNewestFirst) {
  VersionStore store;
  store.Push("r", "v0", 3);  // v0 replaced by txn 3 (which wrote v1)
  store.Push("r", "v1", 5);  // v1 replaced by txn 5
  EXPECT_EQ(FindIn(store, "r", {"v0", "v1"}), "v1");
  EXPECT_EQ(FindIn(store, "r", {"v0"}), "v0");
  EXPECT_EQ(FindIn(store, "r", {"x"}), std::nullopt);
  EXPECT_EQ(FindIn(store, "other", {"v0"}), std::nullopt);
  EXPECT_EQ(store.stats().versions, 2u);
}

TEST(VersionStoreTest, PurgeDropsWhatACommittedSupersederBelowTheHorizonHides) {
  VersionStore store;
  store.Push("r", "v0", 3);
  store.Push("r", "v1", 8);
  EXPECT_EQ(store.Purge(3), 0u);  // 3 may still be unseen by someone
  EXPECT_EQ(store.Purge(4), 1u);  // v0 is hidden from everyone by txn 3's v1
  EXPECT_EQ(FindIn(store, "r", {"v0", "v1"}), "v1");
  EXPECT_EQ(store.Purge(9), 1u);
  EXPECT_EQ(store.stats().versions, 0u);
  EXPECT_EQ(store.stats().bytes, 0u);
}

TEST(VersionStoreTest, RolledBackEntryStaysReadableAndNeverHidesOlderOnes) {
  VersionStore store;
  store.Push("r", "v0", 7);  // txn 7 wrote v1 and is still running
  store.Push("r", "v1", 5);  // txn 5 overwrote... then rolled back
  store.MarkRolledBack("r", 5);
  // A reader that read txn 5's version just before the undo still finds v1.
  EXPECT_EQ(FindIn(store, "r", {"v0", "v1"}), "v1");
  // Txn 5 below the horizon: only its own entry goes; v0 is still needed by
  // snapshots that cannot see txn 7.
  EXPECT_EQ(store.Purge(6), 1u);
  EXPECT_EQ(FindIn(store, "r", {"v0"}), "v0");
  EXPECT_EQ(FindIn(store, "r", {"v1"}), std::nullopt);
  EXPECT_EQ(store.Purge(8), 1u);
  EXPECT_EQ(store.stats().versions, 0u);
}

}  // namespace
}  // namespace neuroquantum::txn
