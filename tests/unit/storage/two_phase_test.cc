// Storage-level pieces of transactions: partial rollback to a savepoint
// mark, prepared transactions across a crash, the ordered commit hook and
// reading a transaction's changes back from the WAL.
#include <thread>

#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::ExpectIntegrity;
using testing::ExpectTreeEquals;
using testing::Must;
using testing::SmallOptions;

class TwoPhaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = Must(StorageEngine::Open("db", SmallOptions(&env_)));
    tree_ = Must(engine_->CreateTree("t"));
    auto txn = engine_->Begin();
    ASSERT_TRUE(engine_->Put(txn.get(), tree_, "a", "1").ok());
    ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  }
  void Reopen() {
    engine_.reset();
    engine_ = Must(StorageEngine::Open("db", SmallOptions(&env_)));
  }
  FaultInjectionEnv env_;
  std::unique_ptr<StorageEngine> engine_;
  TreeId tree_ = 0;
};

TEST_F(TwoPhaseTest, RollbackToMarkUndoesOnlyLaterChanges) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "b", "2").ok());
  size_t mark = txn->savepoint_mark();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "a", "changed").ok());
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "c", std::string(9000, 'c')).ok());
  ASSERT_TRUE(engine_->Delete(txn.get(), tree_, "b").ok());
  ASSERT_TRUE(engine_->RollbackTo(txn.get(), mark).ok());
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(engine_->RollbackTo(txn.get(), mark + 1).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "d", "4").ok());
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}, {"b", "2"}, {"d", "4"}});
  ExpectIntegrity(engine_.get());
}

TEST_F(TwoPhaseTest, CrashAfterPartialRollbackUndoesTheRestOnce) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "a", "first").ok());
  size_t mark = txn->savepoint_mark();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "a", "second").ok());
  ASSERT_TRUE(engine_->RollbackTo(txn.get(), mark).ok());
  ASSERT_TRUE(engine_->Checkpoint().ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  txn.reset();
  Reopen();
  EXPECT_EQ(engine_->recovery_info().transactions_undone, 1u);
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}});
  ExpectIntegrity(engine_.get());
}

TEST_F(TwoPhaseTest, PreparedTransactionSurvivesCrashAndCanCommit) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "a", "prepared").ok());
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "p", "new").ok());
  EXPECT_EQ(engine_->Prepare(txn.get(), "").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(engine_->Prepare(txn.get(), "gid-1").ok());
  EXPECT_TRUE(txn->prepared());
  EXPECT_EQ(engine_->Prepare(txn.get(), "again").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->RollbackTo(txn.get(), 0).code(), StatusCode::kInvalidArgument);
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  txn.reset();  // a prepared handle is never rolled back by its destructor
  Reopen();
  EXPECT_EQ(engine_->recovery_info().transactions_prepared, 1u);
  EXPECT_EQ(engine_->recovery_info().transactions_undone, 0u);
  auto prepared = engine_->TakePreparedTransactions();
  ASSERT_EQ(prepared.size(), 1u);
  EXPECT_EQ(prepared[0]->gid(), "gid-1");
  EXPECT_TRUE(engine_->TakePreparedTransactions().empty());
  // Its changes are in place (held by it) and readable from the WAL.
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "prepared"}, {"p", "new"}});
  auto changes = Must(engine_->ReadChanges(*prepared[0]));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].op, LogicalOp::kUpdate);
  EXPECT_EQ(changes[0].old_value, "1");
  EXPECT_EQ(changes[1].op, LogicalOp::kInsert);
  // Still prepared after a clean close and a checkpoint: its WAL is kept.
  prepared.clear();
  ASSERT_TRUE(engine_->Checkpoint().ok());
  Reopen();
  prepared = engine_->TakePreparedTransactions();
  ASSERT_EQ(prepared.size(), 1u);
  ASSERT_TRUE(engine_->Commit(prepared[0].get()).ok());
  Reopen();
  EXPECT_TRUE(engine_->TakePreparedTransactions().empty());
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "prepared"}, {"p", "new"}});
  ExpectIntegrity(engine_.get());
}

TEST_F(TwoPhaseTest, PreparedTransactionCanRollBackAfterCrash) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Delete(txn.get(), tree_, "a").ok());
  ASSERT_TRUE(engine_->Prepare(txn.get(), "g").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  txn.reset();
  Reopen();
  ExpectTreeEquals(engine_.get(), tree_, {});
  auto prepared = engine_->TakePreparedTransactions();
  ASSERT_EQ(prepared.size(), 1u);
  ASSERT_TRUE(engine_->Rollback(prepared[0].get()).ok());
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}});
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);  // the abort was synced
  prepared.clear();
  Reopen();
  EXPECT_TRUE(engine_->TakePreparedTransactions().empty());
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}});
}

TEST_F(TwoPhaseTest, CommitHookSeesCommitsInWalOrder) {
  std::mutex mu;
  std::vector<Lsn> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto txn = engine_->Begin();
        ASSERT_TRUE(engine_->Put(txn.get(), tree_, fmt::format("k{}-{}", t, i), "v").ok());
        StorageEngine::CommitHooks hooks;
        hooks.after_append = [&](Lsn end) {
          std::lock_guard lock(mu);
          seen.push_back(end);
        };
        ASSERT_TRUE(engine_->Commit(txn.get(), hooks).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(seen.size(), 200u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST_F(TwoPhaseTest, CommitHookCanCancelTheCommit) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "a", "changed").ok());
  StorageEngine::CommitHooks hooks;
  bool appended = false;
  hooks.before_append = [] { return Status::SerializationFailure("no"); };
  hooks.after_append = [&](Lsn) { appended = true; };
  EXPECT_EQ(engine_->Commit(txn.get(), hooks).code(), StatusCode::kSerializationFailure);
  EXPECT_FALSE(appended);
  EXPECT_FALSE(txn->finished());
  ASSERT_TRUE(engine_->Rollback(txn.get()).ok());
  ExpectTreeEquals(engine_.get(), tree_, {{"a", "1"}});
}

TEST_F(TwoPhaseTest, ReadChangesOmitsRolledBackWork) {
  auto txn = engine_->Begin();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "x", "1").ok());
  size_t mark = txn->savepoint_mark();
  ASSERT_TRUE(engine_->Put(txn.get(), tree_, "y", "2").ok());
  ASSERT_TRUE(engine_->RollbackTo(txn.get(), mark).ok());
  ASSERT_TRUE(engine_->Delete(txn.get(), tree_, "a").ok());
  auto changes = Must(engine_->ReadChanges(*txn));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].key, "x");
  EXPECT_EQ(changes[0].new_value, "1");
  EXPECT_EQ(changes[1].op, LogicalOp::kDelete);
  EXPECT_EQ(changes[1].key, "a");
  EXPECT_EQ(changes[1].old_value, "1");
  ASSERT_TRUE(engine_->Commit(txn.get()).ok());
}

}  // namespace
}  // namespace neuroquantum::storage
