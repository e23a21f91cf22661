// TxnManager and Snapshot: visibility of committed, running, prepared and
// aborted writers; own writes; the purge horizon and trimming; invalid state
// changes; and the snapshot rule under concurrent begin/commit.
#include "txn/snapshot.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace neuroquantum::txn {
namespace {

TEST(SnapshotTest, SeesExactlyWhatCommittedBeforeIt) {
  TxnManager tm;
  TxnId before = tm.Begin();
  ASSERT_TRUE(tm.Commit(before).ok());
  TxnId running = tm.Begin();
  TxnId reader = tm.Begin();
  auto snap = tm.TakeSnapshot(reader);
  TxnId later = tm.Begin();
  ASSERT_TRUE(tm.Commit(running).ok());  // commits after the snapshot
  ASSERT_TRUE(tm.Commit(later).ok());

  EXPECT_TRUE(tm.Visible(*snap, before));
  EXPECT_FALSE(tm.Visible(*snap, running));
  EXPECT_FALSE(tm.Visible(*snap, later));
  EXPECT_TRUE(tm.Visible(*snap, reader)) << "own writes";
  EXPECT_TRUE(tm.Visible(*snap, 0)) << "data written outside transactions";

  // A new snapshot (READ COMMITTED's next statement) sees both.
  auto next = tm.TakeSnapshot(reader);
  EXPECT_TRUE(tm.Visible(*next, running));
  EXPECT_TRUE(tm.Visible(*next, later));
  tm.ReleaseSnapshot(snap);
  tm.ReleaseSnapshot(next);
}

TEST(SnapshotTest, AbortedAndPreparedWritersAreInvisible) {
  TxnManager tm;
  TxnId aborted = tm.Begin();
  TxnId prepared = tm.Begin();
  ASSERT_TRUE(tm.Abort(aborted).ok());
  ASSERT_TRUE(tm.Prepare(prepared).ok());
  auto snap = tm.TakeSnapshot(0);
  EXPECT_FALSE(tm.Visible(*snap, aborted));
  EXPECT_FALSE(tm.Visible(*snap, prepared));
  EXPECT_EQ(tm.State(prepared), TxnState::kPrepared);
  // A prepared transaction still holds back the horizon.
  EXPECT_LE(tm.Horizon(), prepared);
  ASSERT_TRUE(tm.Commit(prepared).ok());  // COMMIT PREPARED
  EXPECT_TRUE(tm.Visible(*tm.TakeSnapshot(0), prepared));
}

TEST(SnapshotTest, InvalidStateChangesAreRejected) {
  TxnManager tm;
  TxnId t = tm.Begin();
  ASSERT_TRUE(tm.Commit(t).ok());
  EXPECT_EQ(tm.Commit(t).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tm.Abort(t).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tm.Prepare(t).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tm.Commit(999).code(), StatusCode::kInvalidArgument);
  TxnId p = tm.Begin();
  ASSERT_TRUE(tm.Prepare(p).ok());
  EXPECT_EQ(tm.Prepare(p).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(tm.Abort(p).ok());  // ROLLBACK PREPARED
}

TEST(SnapshotTest, HorizonFollowsRunningTransactionsAndSnapshots) {
  TxnManager tm(100);
  TxnId a = tm.Begin();  // 100
  TxnId b = tm.Begin();  // 101
  EXPECT_EQ(tm.Horizon(), a);
  auto old = tm.TakeSnapshot(b);  // xmin 100
  ASSERT_TRUE(tm.Commit(a).ok());
  ASSERT_TRUE(tm.Commit(b).ok());
  EXPECT_EQ(tm.Horizon(), a) << "the open snapshot still needs 100 as running";
  EXPECT_EQ(tm.Trim(), 0u);
  tm.ReleaseSnapshot(old);
  EXPECT_EQ(tm.Horizon(), 102u);
  EXPECT_EQ(tm.Trim(), 2u);
  EXPECT_EQ(tm.table_size(), 0u);
  EXPECT_EQ(tm.State(a), TxnState::kCommitted);
}

TEST(SnapshotTest, ConcurrentSnapshotsNeverSeeUncommittedWork) {
  TxnManager tm;
  std::atomic<int> violations{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        TxnId id = tm.Begin();
        auto during = tm.TakeSnapshot(0);
        if (tm.Visible(*during, id)) ++violations;
        if (i % 3 == 0) {
          (void)tm.Abort(id);
        } else {
          (void)tm.Commit(id);
        }
        auto after = tm.TakeSnapshot(0);
        if (tm.Visible(*during, id)) ++violations;  // still invisible to the old one
        if (tm.Visible(*after, id) != (i % 3 != 0)) ++violations;
        tm.ReleaseSnapshot(during);
        tm.ReleaseSnapshot(after);
        if (i % 100 == 0) tm.Trim();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
}

}  // namespace
}  // namespace neuroquantum::txn
