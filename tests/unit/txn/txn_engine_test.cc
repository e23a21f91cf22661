// TxnEngine: visibility, read-only transactions, row locks and timeouts,
// deadlocks, savepoints, two-phase commit across a crash, purge, the change
// feed and statistics.
#include <future>
#include <thread>

#include "txn_test_util.h"

namespace neuroquantum::txn {
namespace {

using testing::Key;
using testing::Must;
using testing::Session;
using testing::StillWaiting;
using testing::TxnEngineTest;

constexpr auto RC = IsolationLevel::kReadCommitted;
constexpr auto RR = IsolationLevel::kRepeatableRead;

std::optional<std::string> Get(Transaction* txn, TreeId tree, int id) {
  return Must(txn->Get(tree, Key(id)));
}

TEST_F(TxnEngineTest, OwnWritesAreVisibleOthersOnlyAfterCommit) {
  auto writer = engine_->Begin();
  auto reader = engine_->Begin();
  ASSERT_TRUE(writer->Put(tree_, Key(3), "30").ok());
  ASSERT_TRUE(writer->Delete(tree_, Key(1)).ok());
  EXPECT_EQ(Get(writer.get(), tree_, 3), "30");
  EXPECT_EQ(Get(writer.get(), tree_, 1), std::nullopt);
  EXPECT_EQ(Get(reader.get(), tree_, 3), std::nullopt);
  EXPECT_EQ(Get(reader.get(), tree_, 1), "10");
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_EQ(Get(reader.get(), tree_, 3), "30");
  EXPECT_EQ(Get(reader.get(), tree_, 1), std::nullopt);
  ASSERT_TRUE(reader->Commit().ok());
  EXPECT_EQ(Committed(), (std::map<int, int>{{2, 20}, {3, 30}}));
}

TEST_F(TxnEngineTest, InsertUpdateDeleteReportMissingAndDuplicateRows) {
  auto txn = engine_->Begin();
  EXPECT_EQ(txn->Insert(tree_, Key(1), "x").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(txn->Update(tree_, Key(7), "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(txn->Delete(tree_, Key(7)).code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Delete(tree_, Key(1)).ok());
  EXPECT_EQ(txn->Delete(tree_, Key(1)).code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Insert(tree_, Key(1), "again").ok());  // over its own tombstone
  ASSERT_TRUE(txn->Commit().ok());
  auto check = engine_->Begin();
  EXPECT_EQ(Get(check.get(), tree_, 1), "again");
}

TEST_F(TxnEngineTest, ReadOnlyTransactionRefusesWrites) {
  Session ro(engine_.get(), tree_, RC, /*read_only=*/true);
  EXPECT_EQ(ro.Read(1), 10);
  Status s = ro.txn()->Put(tree_, Key(1), "11");
  EXPECT_EQ(s.code(), StatusCode::kReadOnlyTransaction);
  EXPECT_EQ(SqlState(s.code()), "25006");
  EXPECT_EQ(ro.txn()->Delete(tree_, Key(1)).code(), StatusCode::kReadOnlyTransaction);
  ASSERT_TRUE(ro.Commit().ok());
}

TEST_F(TxnEngineTest, ReadersNeverBlockWritersNorWritersReaders) {
  Session writer = NewSession(RC);
  ASSERT_TRUE(writer.Update(1, 11).ok());
  // A reader of the locked row returns at once with the committed value.
  auto read = std::async(std::launch::async, [&] {
    Session reader = NewSession(RR);
    auto v = reader.Read(1);
    EXPECT_TRUE(reader.Commit().ok());
    return v;
  });
  ASSERT_EQ(read.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(read.get(), 10);
  // A long reader does not hold up a writer either.
  Session reader = NewSession(RR);
  EXPECT_EQ(reader.Read(2), 20);
  ASSERT_TRUE(writer.Update(2, 21).ok());
  ASSERT_TRUE(writer.Commit().ok());
  EXPECT_EQ(reader.Read(2), 20);
  ASSERT_TRUE(reader.Commit().ok());
}

TEST_F(TxnEngineTest, WritersOfDifferentRowsRunInParallelSameRowWaits) {
  Session a = NewSession(RC), b = NewSession(RC);
  ASSERT_TRUE(a.Update(1, 11).ok());
  ASSERT_TRUE(b.Update(2, 22).ok());  // no wait
  auto blocked = std::async(std::launch::async, [&] { return b.Update(1, 12); });
  EXPECT_TRUE(StillWaiting(blocked));
  ASSERT_TRUE(a.Commit().ok());
  ASSERT_TRUE(blocked.get().ok());
  ASSERT_TRUE(b.Commit().ok());
  EXPECT_EQ(Committed(), (std::map<int, int>{{1, 12}, {2, 22}}));
}

TEST(TxnLockTimeoutTest, SecondWriterTimesOutWithClearError) {
  FaultInjectionEnv env;
  auto options = testing::FastLocks();
  options.locks.lock_timeout = std::chrono::milliseconds(200);
  auto engine = Must(TxnEngine::Open("db", testing::TestOptions(&env), options));
  TreeId t = Must(engine->CreateTable("t"));
  auto a = engine->Begin();
  auto b = engine->Begin();
  ASSERT_TRUE(a->Put(t, "k", "a").ok());
  Status s = b->Put(t, "k", "b");
  EXPECT_EQ(s.code(), StatusCode::kTimedOut) << s.ToString();
  EXPECT_EQ(SqlState(s.code()), "55P03");
  EXPECT_NE(s.ToString().find("lock timeout"), std::string::npos);
  EXPECT_EQ(b->Put(t, "other", "b").code(), StatusCode::kAborted);  // doomed until rollback
  ASSERT_TRUE(b->Rollback().ok());
  ASSERT_TRUE(a->Commit().ok());
  EXPECT_EQ(engine->stats().lock_timeouts, 1u);
}

// A cycle of `n` transactions, each holding row i and asking for row i+1:
// exactly one is chosen as the victim (40P01); the rest commit.
void RunDeadlockCycle(TxnEngine* engine, TreeId tree, int n) {
  std::vector<std::unique_ptr<Transaction>> txns;
  for (int i = 0; i < n; ++i) {
    txns.push_back(engine->Begin());
    ASSERT_TRUE(txns[i]->Put(tree, Key(100 + i), "held").ok());
  }
  std::vector<std::future<Status>> asks;
  for (int i = 0; i < n; ++i) {
    asks.push_back(std::async(std::launch::async, [&, i] {
      Status s = txns[i]->Put(tree, Key(100 + (i + 1) % n), "wanted");
      if (s.code() == StatusCode::kDeadlock) {
        EXPECT_EQ(SqlState(s.code()), "40P01");
        return txns[i]->Rollback().ok() ? s : Status::Internal("rollback failed");
      }
      if (s.ok()) s = txns[i]->Commit();
      return s;
    }));
  }
  int victims = 0, committed = 0;
  for (auto& f : asks) {
    Status s = f.get();
    victims += s.code() == StatusCode::kDeadlock;
    committed += s.ok();
  }
  EXPECT_EQ(victims, 1);
  EXPECT_EQ(committed, n - 1);
}

TEST_F(TxnEngineTest, DeadlockOfTwoAbortsOneVictim) {
  RunDeadlockCycle(engine_.get(), tree_, 2);
  EXPECT_EQ(engine_->stats().deadlocks, 1u);
}

TEST_F(TxnEngineTest, DeadlockOfThreeAbortsOneVictim) { RunDeadlockCycle(engine_.get(), tree_, 3); }

// Inserts of new keys take no row lock (see Transaction::Write); the row's
// version in the tree stands for the lock until the inserter ends.
TEST_F(TxnEngineTest, InsertOfANewKeyLocksItWithoutTheLockTable) {
  const uint64_t acquired = engine_->stats().locks_acquired;
  Session a = NewSession(RC);
  for (int id = 10; id < 20; ++id) ASSERT_TRUE(a.Insert(id, id).ok());
  // One request in all: a's transaction lock, taken at its first write.
  EXPECT_EQ(engine_->stats().locks_acquired - acquired, 1u);
  ASSERT_TRUE(a.Commit().ok());
}

TEST_F(TxnEngineTest, SecondInserterOfAKeyWaitsForTheFirstToEnd) {
  for (bool first_commits : {true, false}) {
    Session a = NewSession(RC), b = NewSession(RC);
    const int id = first_commits ? 30 : 31;
    ASSERT_TRUE(a.Insert(id, 1).ok());
    auto second = std::async(std::launch::async, [&] { return b.Insert(id, 2); });
    EXPECT_TRUE(StillWaiting(second));
    if (first_commits) {
      ASSERT_TRUE(a.Commit().ok());
      EXPECT_EQ(second.get().code(), StatusCode::kAlreadyExists);
      ASSERT_TRUE(b.Rollback().ok());
      EXPECT_EQ(Committed().at(id), 1);
    } else {
      ASSERT_TRUE(a.Rollback().ok());
      ASSERT_TRUE(second.get().ok());
      ASSERT_TRUE(b.Commit().ok());
      EXPECT_EQ(Committed().at(id), 2);
    }
  }
}

TEST_F(TxnEngineTest, LockingReadOfAnInsertedRowWaitsForTheInserter) {
  Session a = NewSession(RC), b = NewSession(RC);
  ASSERT_TRUE(a.Insert(40, 4).ok());
  auto locking = std::async(std::launch::async, [&]() -> Result<std::optional<std::string>> {
    return b.txn()->GetForUpdate(tree_, Key(40));
  });
  EXPECT_TRUE(StillWaiting(locking));
  ASSERT_TRUE(a.Commit().ok());
  auto got = locking.get();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, "4");
  // The write that usually follows sees the committed row.
  ASSERT_TRUE(b.txn()->Update(tree_, Key(40), "5").ok());
  ASSERT_TRUE(b.Commit().ok());
  EXPECT_EQ(Committed().at(40), 5);
}

// INSERT ... ON CONFLICT reads the key with GetForUpdate and relies on the
// lock to keep plain inserts out until it has inserted or updated.
TEST_F(TxnEngineTest, LockingReadOfAnAbsentRowKeepsInsertersOut) {
  Session a = NewSession(RC), b = NewSession(RC);
  auto none = b.txn()->GetForUpdate(tree_, Key(50));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto plain = std::async(std::launch::async, [&] { return a.Insert(50, 1); });
  EXPECT_TRUE(StillWaiting(plain));
  ASSERT_TRUE(b.Insert(50, 2).ok());
  ASSERT_TRUE(b.Commit().ok());
  EXPECT_EQ(plain.get().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(a.Rollback().ok());
  EXPECT_EQ(Committed().at(50), 2);
}

// A locking read that finds an insert in progress waits without keeping the
// row's lock, so the inserter can still update the row it inserted.
TEST_F(TxnEngineTest, InserterUpdatesItsRowWhileALockingReadWaits) {
  Session a = NewSession(RC), b = NewSession(RC);
  ASSERT_TRUE(a.Insert(55, 1).ok());
  auto locking = std::async(std::launch::async, [&]() -> Result<std::optional<std::string>> {
    return b.txn()->GetForUpdate(tree_, Key(55));
  });
  EXPECT_TRUE(StillWaiting(locking));
  ASSERT_TRUE(a.txn()->Update(tree_, Key(55), "3").ok());  // no deadlock
  ASSERT_TRUE(a.Commit().ok());
  auto got = locking.get();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, "3");
  ASSERT_TRUE(b.Commit().ok());
  EXPECT_EQ(engine_->stats().deadlocks, 0u);
}

TEST_F(TxnEngineTest, DeadlockThroughInsertedKeysAbortsOneVictim) {
  Session a = NewSession(RC), b = NewSession(RC);
  ASSERT_TRUE(a.Insert(60, 1).ok());
  ASSERT_TRUE(b.Insert(61, 1).ok());
  // Each inserts the other's new key and waits for the other's end.
  auto first = std::async(std::launch::async, [&] {
    Status s = a.Insert(61, 2);
    if (s.code() == StatusCode::kDeadlock) {
      EXPECT_TRUE(a.Rollback().ok());
    }
    return s;
  });
  auto second = std::async(std::launch::async, [&] {
    Status s = b.Insert(60, 2);
    if (s.code() == StatusCode::kDeadlock) {
      EXPECT_TRUE(b.Rollback().ok());
    }
    return s;
  });
  Status s1 = first.get(), s2 = second.get();
  // The victim rolled back; the survivor found the key free.
  ASSERT_EQ((s1.code() == StatusCode::kDeadlock) + (s2.code() == StatusCode::kDeadlock), 1)
      << s1.ToString() << " / " << s2.ToString();
  Session& survivor = s1.code() == StatusCode::kDeadlock ? b : a;
  ASSERT_TRUE((s1.code() == StatusCode::kDeadlock ? s2 : s1).ok());
  ASSERT_TRUE(survivor.Commit().ok());
  EXPECT_EQ(Committed().count(60) + Committed().count(61), 2u);
  EXPECT_EQ(engine_->stats().deadlocks, 1u);
}

TEST_F(TxnEngineTest, NestedSavepointsRollBackAndRelease) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(txn->Put(tree_, Key(1), "a").ok());
  ASSERT_TRUE(txn->Savepoint("s1").ok());
  ASSERT_TRUE(txn->Put(tree_, Key(2), "b").ok());
  ASSERT_TRUE(txn->Insert(tree_, Key(3), "c").ok());
  ASSERT_TRUE(txn->Savepoint("s2").ok());
  ASSERT_TRUE(txn->Delete(tree_, Key(1)).ok());
  ASSERT_TRUE(txn->RollbackToSavepoint("s2").ok());
  EXPECT_EQ(Get(txn.get(), tree_, 1), "a");
  EXPECT_EQ(Get(txn.get(), tree_, 3), "c");
  ASSERT_TRUE(txn->Put(tree_, Key(4), "d").ok());
  ASSERT_TRUE(txn->RollbackToSavepoint("s1").ok());
  EXPECT_EQ(Get(txn.get(), tree_, 2), "20");
  EXPECT_EQ(Get(txn.get(), tree_, 3), std::nullopt);
  EXPECT_EQ(Get(txn.get(), tree_, 4), std::nullopt);
  EXPECT_EQ(txn->RollbackToSavepoint("s2").code(), StatusCode::kNotFound);  // dropped with s1's rollback
  ASSERT_TRUE(txn->Savepoint("s3").ok());
  ASSERT_TRUE(txn->Put(tree_, Key(5), "e").ok());
  ASSERT_TRUE(txn->ReleaseSavepoint("s1").ok());  // also releases s3, keeps the change
  EXPECT_EQ(txn->RollbackToSavepoint("s3").code(), StatusCode::kNotFound);
  ASSERT_TRUE(txn->Commit().ok());
  auto check = engine_->Begin();
  EXPECT_EQ(Get(check.get(), tree_, 1), "a");
  EXPECT_EQ(Get(check.get(), tree_, 5), "e");
  // Other snapshots never saw the rolled-back versions and the version
  // chains hold nothing of them.
  EXPECT_EQ(Get(check.get(), tree_, 3), std::nullopt);
}

TEST_F(TxnEngineTest, RollbackToSavepointClearsAFailedStatement) {
  Session t1 = NewSession(RR), t2 = NewSession(RR);
  EXPECT_EQ(t2.Read(1), 10);
  ASSERT_TRUE(t1.Update(1, 11).ok());
  ASSERT_TRUE(t1.Commit().ok());
  ASSERT_TRUE(t2.txn()->Savepoint("before").ok());
  EXPECT_EQ(t2.Update(1, 12).code(), StatusCode::kSerializationFailure);
  EXPECT_EQ(t2.Update(2, 22).code(), StatusCode::kAborted);
  ASSERT_TRUE(t2.txn()->RollbackToSavepoint("before").ok());
  ASSERT_TRUE(t2.Update(2, 22).ok());
  ASSERT_TRUE(t2.Commit().ok());
  EXPECT_EQ(Committed(), (std::map<int, int>{{1, 11}, {2, 22}}));
}

TEST_F(TxnEngineTest, PreparedTransactionSurvivesCrashHoldingItsLocks) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(txn->Put(tree_, Key(1), "11").ok());
  ASSERT_TRUE(txn->Insert(tree_, Key(3), "30").ok());
  ASSERT_TRUE(txn->Prepare("tx-1").ok());
  EXPECT_TRUE(txn->finished());
  auto dup = engine_->Begin();
  EXPECT_EQ(dup->Prepare("tx-1").code(), StatusCode::kAlreadyExists);
  // Still invisible to others.
  EXPECT_EQ(Committed(), (std::map<int, int>{{1, 10}, {2, 20}}));
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  txn.reset();
  dup.reset();
  engine_.reset();
  Open();
  auto prepared = engine_->ListPrepared();
  ASSERT_EQ(prepared.size(), 1u);
  EXPECT_EQ(prepared[0].gid, "tx-1");
  EXPECT_EQ(engine_->stats().prepared, 1u);
  // Still prepared: others see the old state, and its row lock holds.
  EXPECT_EQ(Committed(), (std::map<int, int>{{1, 10}, {2, 20}}));
  Session other = NewSession(RC);
  auto blocked = std::async(std::launch::async, [&] { return other.Update(1, 99); });
  EXPECT_TRUE(StillWaiting(blocked));
  ASSERT_TRUE(engine_->CommitPrepared("tx-1").ok());
  ASSERT_TRUE(blocked.get().ok());
  ASSERT_TRUE(other.Commit().ok());
  EXPECT_EQ(Committed(), (std::map<int, int>{{1, 99}, {2, 20}, {3, 30}}));
  EXPECT_EQ(engine_->CommitPrepared("tx-1").code(), StatusCode::kNotFound);
}

TEST_F(TxnEngineTest, RollbackPreparedUndoesAfterRestart) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(txn->Delete(tree_, Key(2)).ok());
  ASSERT_TRUE(txn->Prepare("g").ok());
  txn.reset();
  Reopen();  // a clean restart keeps it prepared too
  ASSERT_EQ(engine_->ListPrepared().size(), 1u);
  ASSERT_TRUE(engine_->RollbackPrepared("g").ok());
  EXPECT_TRUE(engine_->ListPrepared().empty());
  Reopen();
  EXPECT_TRUE(engine_->ListPrepared().empty());
  EXPECT_EQ(Committed(), (std::map<int, int>{{1, 10}, {2, 20}}));
}

TEST_F(TxnEngineTest, UncommittedAndRolledBackWorkLeavesNoTraceAfterCrash) {
  auto committed = engine_->Begin();
  ASSERT_TRUE(committed->Put(tree_, Key(5), "50").ok());
  ASSERT_TRUE(committed->Commit().ok());
  auto rolled = engine_->Begin();
  ASSERT_TRUE(rolled->Put(tree_, Key(1), "rolled").ok());
  ASSERT_TRUE(rolled->Rollback().ok());
  auto open = engine_->Begin();
  ASSERT_TRUE(open->Put(tree_, Key(2), "open").ok());
  ASSERT_TRUE(open->Delete(tree_, Key(5)).ok());
  ASSERT_TRUE(engine_->storage()->Checkpoint().ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  open.reset();
  engine_.reset();
  Open();
  EXPECT_EQ(Committed(), (std::map<int, int>{{1, 10}, {2, 20}, {5, 50}}));
}

TEST_F(TxnEngineTest, OldVersionsAreReclaimedOnceNoSnapshotNeedsThem) {
  // Stated thresholds for a long run of updates with purge every 10 rounds:
  // the version store never holds more than 10 rounds' worth (50 rows x 10
  // x ~200 bytes: well under 256 KiB), and the file does not grow.
  constexpr uint64_t kMaxVersionBytes = 256 << 10;
  uint64_t peak_bytes = 0;
  auto update_all = [&](int rounds) {
    for (int r = 0; r < rounds; ++r) {
      auto txn = engine_->Begin();
      for (int id = 1; id <= 50; ++id) ASSERT_TRUE(txn->Put(tree_, Key(id), std::string(100, static_cast<char>('a' + r % 26))).ok());
      ASSERT_TRUE(txn->Commit().ok());
      peak_bytes = std::max(peak_bytes, engine_->stats().versions.bytes);
      if (r % 10 == 0) {
        ASSERT_TRUE(engine_->Purge().ok());
      }
    }
    ASSERT_TRUE(engine_->Purge().ok());
  };
  update_all(200);
  EXPECT_LT(peak_bytes, kMaxVersionBytes);
  EXPECT_EQ(engine_->stats().versions.versions, 0u);
  uint64_t pages = engine_->storage()->stats().page_count;
  update_all(200);
  // The rows are updated in place: the file does not grow with updates.
  EXPECT_LE(engine_->storage()->stats().page_count, pages + 2);
  EXPECT_LT(peak_bytes, kMaxVersionBytes);
  // An old snapshot keeps every version since it was taken...
  auto old = engine_->Begin(TxnOptions{RR, false});
  auto seen = Get(old.get(), tree_, 1);  // takes the snapshot
  update_all(100);
  auto held = engine_->stats().versions;
  EXPECT_GE(held.versions, 100u * 50);
  EXPECT_GT(held.bytes, 100u * 50 * 100);
  // ...and still reads what it saw.
  EXPECT_EQ(Get(old.get(), tree_, 1), seen);
  ASSERT_TRUE(old->Commit().ok());
  ASSERT_TRUE(engine_->Purge().ok());
  auto after = engine_->stats().versions;
  EXPECT_EQ(after.versions, 0u);
  EXPECT_EQ(after.bytes, 0u);
}

TEST_F(TxnEngineTest, DeletedRowsArePurgedFromTheTree) {
  {
    auto txn = engine_->Begin();
    for (int id = 10; id < 500; ++id) ASSERT_TRUE(txn->Put(tree_, Key(id), std::string(200, 'x')).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto old = engine_->Begin(TxnOptions{RR, false});
  EXPECT_EQ(Get(old.get(), tree_, 10)->size(), 200u);
  {
    auto txn = engine_->Begin();
    for (int id = 10; id < 500; ++id) ASSERT_TRUE(txn->Delete(tree_, Key(id)).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  ASSERT_TRUE(engine_->Purge().ok());
  EXPECT_EQ(engine_->stats().tombstones_purged, 0u);  // the old snapshot may still look
  EXPECT_EQ(Get(old.get(), tree_, 499)->size(), 200u);
  ASSERT_TRUE(old->Commit().ok());
  ASSERT_TRUE(engine_->Purge().ok());
  EXPECT_EQ(engine_->stats().tombstones_purged, 490u);
  auto it = Must(engine_->storage()->NewIterator(tree_));
  int physical = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++physical;
  EXPECT_EQ(physical, 2);
}

TEST_F(TxnEngineTest, ChangeFeedDeliversCommittedChangesInCommitOrder) {
  std::mutex mu;
  std::vector<CommittedChanges> seen;
  uint64_t handle = engine_->Subscribe([&](const CommittedChanges& c) {
    std::lock_guard lock(mu);
    seen.push_back(c);
  });
  {
    auto txn = engine_->Begin();
    ASSERT_TRUE(txn->Insert(tree_, Key(3), "30").ok());
    ASSERT_TRUE(txn->Update(tree_, Key(1), "11").ok());
    ASSERT_TRUE(txn->Update(tree_, Key(1), "12").ok());  // one net update
    ASSERT_TRUE(txn->Delete(tree_, Key(2)).ok());
    ASSERT_TRUE(txn->Savepoint("s").ok());
    ASSERT_TRUE(txn->Insert(tree_, Key(4), "40").ok());
    ASSERT_TRUE(txn->RollbackToSavepoint("s").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  {
    auto txn = engine_->Begin();
    ASSERT_TRUE(txn->Insert(tree_, Key(9), "never").ok());
    ASSERT_TRUE(txn->Rollback().ok());
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto txn = engine_->Begin();
        ASSERT_TRUE(txn->Put(tree_, Key(1000 + t * 100 + i), "v").ok());
        ASSERT_TRUE(txn->Commit().ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  engine_->Unsubscribe(handle);
  ASSERT_EQ(seen.size(), 101u);
  const auto& first = seen[0].changes;
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].table, "test");
  EXPECT_EQ(first[0].op, ChangeOp::kInsert);
  EXPECT_EQ(first[0].key, Key(3));
  EXPECT_EQ(first[0].new_value, "30");
  EXPECT_EQ(first[1].op, ChangeOp::kUpdate);
  EXPECT_EQ(first[1].old_value, "10");
  EXPECT_EQ(first[1].new_value, "12");
  EXPECT_EQ(first[2].op, ChangeOp::kDelete);
  EXPECT_EQ(first[2].old_value, "20");
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1].commit_lsn, seen[i].commit_lsn);
}

TEST_F(TxnEngineTest, StatsCountCommitsRollbacksAndWal) {
  auto before = engine_->stats();
  auto a = engine_->Begin();
  ASSERT_TRUE(a->Put(tree_, Key(1), "x").ok());
  ASSERT_TRUE(a->Commit().ok());
  auto b = engine_->Begin();
  ASSERT_TRUE(b->Put(tree_, Key(1), "y").ok());
  ASSERT_TRUE(b->Rollback().ok());
  auto after = engine_->stats();
  EXPECT_EQ(after.commits, before.commits + 1);
  EXPECT_EQ(after.rollbacks, before.rollbacks + 1);
  EXPECT_GT(after.wal_bytes, before.wal_bytes);
  EXPECT_GT(after.wal_syncs, before.wal_syncs);
}

}  // namespace
}  // namespace neuroquantum::txn
