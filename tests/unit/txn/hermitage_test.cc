// The Hermitage scenarios (Martin Kleppmann's isolation-level test suite)
// run through the engine API with two or three concurrent sessions, each
// checked against what PostgreSQL does at each isolation level. The table
// starts as (1, 10), (2, 20).
#include <future>

#include "txn_test_util.h"

namespace neuroquantum::txn {
namespace {

using testing::Session;
using testing::StillWaiting;
using testing::TxnEngineTest;

constexpr auto RC = IsolationLevel::kReadCommitted;
constexpr auto RR = IsolationLevel::kRepeatableRead;
constexpr auto SER = IsolationLevel::kSerializable;

class HermitageTest : public TxnEngineTest, public ::testing::WithParamInterface<IsolationLevel> {
 protected:
  IsolationLevel level() const { return GetParam(); }
  bool snapshot_per_txn() const { return level() >= RR; }
};

std::map<int, int> Rows(std::initializer_list<std::pair<const int, int>> rows) { return rows; }

// G0, write cycles: prevented at every level. Under READ COMMITTED the
// blocked writer proceeds once T1 commits; under REPEATABLE READ and
// SERIALIZABLE it fails (first updater wins).
TEST_P(HermitageTest, G0WriteCycles) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  ASSERT_TRUE(t1.Read(1).has_value());
  ASSERT_TRUE(t2.Read(1).has_value());
  ASSERT_TRUE(t1.Update(1, 11).ok());
  auto blocked = std::async(std::launch::async, [&] { return t2.Update(1, 12); });
  EXPECT_TRUE(StillWaiting(blocked));
  ASSERT_TRUE(t1.Update(2, 21).ok());
  ASSERT_TRUE(t1.Commit().ok());
  Status s = blocked.get();
  if (snapshot_per_txn()) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
    ASSERT_TRUE(t2.Rollback().ok());
    EXPECT_EQ(Committed(), Rows({{1, 11}, {2, 21}}));
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(t2.Update(2, 22).ok());
    ASSERT_TRUE(t2.Commit().ok());
    EXPECT_EQ(Committed(), Rows({{1, 12}, {2, 22}}));
  }
}

// G1a, aborted reads: prevented at every level.
TEST_P(HermitageTest, G1aAbortedReads) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  ASSERT_TRUE(t1.Update(1, 101).ok());
  EXPECT_EQ(t2.ReadAll(), Rows({{1, 10}, {2, 20}}));
  ASSERT_TRUE(t1.Rollback().ok());
  EXPECT_EQ(t2.ReadAll(), Rows({{1, 10}, {2, 20}}));
  ASSERT_TRUE(t2.Commit().ok());
}

// G1b, intermediate reads: prevented at every level.
TEST_P(HermitageTest, G1bIntermediateReads) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  ASSERT_TRUE(t1.Update(1, 101).ok());
  EXPECT_EQ(t2.ReadAll(), Rows({{1, 10}, {2, 20}}));
  ASSERT_TRUE(t1.Update(1, 11).ok());
  ASSERT_TRUE(t1.Commit().ok());
  EXPECT_EQ(t2.ReadAll(), snapshot_per_txn() ? Rows({{1, 10}, {2, 20}}) : Rows({{1, 11}, {2, 20}}));
  ASSERT_TRUE(t2.Commit().ok());
}

// G1c, circular information flow: prevented at every level (neither sees
// the other's uncommitted write). The two commits together would be write
// skew, which SERIALIZABLE refuses: T2 fails at commit, as in PostgreSQL.
TEST_P(HermitageTest, G1cCircularInformationFlow) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  ASSERT_TRUE(t1.Update(1, 11).ok());
  ASSERT_TRUE(t2.Update(2, 22).ok());
  EXPECT_EQ(t1.Read(2), 20);
  EXPECT_EQ(t2.Read(1), 10);
  ASSERT_TRUE(t1.Commit().ok());
  Status s = t2.Commit();
  if (level() == SER) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
    EXPECT_EQ(Committed(), Rows({{1, 11}, {2, 20}}));
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Committed(), Rows({{1, 11}, {2, 22}}));
  }
}

// OTV, observed transaction vanishes: prevented at every level.
TEST_P(HermitageTest, OtvObservedTransactionVanishes) {
  Session t1 = NewSession(level()), t2 = NewSession(level()), t3 = NewSession(level());
  ASSERT_TRUE(t1.Update(1, 11).ok());
  ASSERT_TRUE(t1.Update(2, 19).ok());
  auto blocked = std::async(std::launch::async, [&] { return t2.Update(1, 12); });
  EXPECT_TRUE(StillWaiting(blocked));
  ASSERT_TRUE(t1.Commit().ok());
  Status s = blocked.get();
  if (snapshot_per_txn()) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
    ASSERT_TRUE(t2.Rollback().ok());
    EXPECT_EQ(t3.Read(1), 11);
    EXPECT_EQ(t3.Read(2), 19);
    ASSERT_TRUE(t3.Commit().ok());
    return;
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(t3.Read(1), 11);
  ASSERT_TRUE(t2.Update(2, 18).ok());
  EXPECT_EQ(t3.Read(2), 19);
  ASSERT_TRUE(t2.Commit().ok());
  EXPECT_EQ(t3.Read(2), 18);
  EXPECT_EQ(t3.Read(1), 12);
  ASSERT_TRUE(t3.Commit().ok());
}

// PMP, predicate-many-preceders: READ COMMITTED sees the new row in its
// second read; REPEATABLE READ and SERIALIZABLE do not.
TEST_P(HermitageTest, PmpPredicateManyPreceders) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  auto thirties = [&] {
    std::vector<int> ids;
    for (const auto& [id, value] : t1.ReadAll()) {
      if (value == 30) ids.push_back(id);
    }
    return ids;
  };
  EXPECT_TRUE(thirties().empty());
  ASSERT_TRUE(t2.Insert(3, 30).ok());
  ASSERT_TRUE(t2.Commit().ok());
  EXPECT_EQ(thirties(), snapshot_per_txn() ? std::vector<int>{} : std::vector<int>{3});
  ASSERT_TRUE(t1.Commit().ok());
}

// PMP for write predicates: READ COMMITTED re-checks the predicate on the
// updated row and deletes nothing; the others fail T2.
TEST_P(HermitageTest, PmpWritePredicates) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  ASSERT_TRUE(t1.ForEachWhere([](int) { return true; },
                              [&](int id, int value) { return t1.txn()->Update(tree_, testing::Key(id), std::to_string(value + 10)); })
                  .ok());
  auto blocked = std::async(std::launch::async, [&] { return t2.DeleteWhere([](int v) { return v == 20; }); });
  EXPECT_TRUE(StillWaiting(blocked));
  ASSERT_TRUE(t1.Commit().ok());
  Status s = blocked.get();
  if (snapshot_per_txn()) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
    ASSERT_TRUE(t2.Rollback().ok());
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(t2.ReadAll(), Rows({{1, 20}, {2, 30}}));
    ASSERT_TRUE(t2.Commit().ok());
  }
  EXPECT_EQ(Committed(), Rows({{1, 20}, {2, 30}}));
}

// P4, lost update: READ COMMITTED lets it happen; the others fail T2.
TEST_P(HermitageTest, P4LostUpdate) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  EXPECT_EQ(t1.Read(1), 10);
  EXPECT_EQ(t2.Read(1), 10);
  ASSERT_TRUE(t1.Update(1, 11).ok());
  auto blocked = std::async(std::launch::async, [&] { return t2.Update(1, 11); });
  EXPECT_TRUE(StillWaiting(blocked));
  ASSERT_TRUE(t1.Commit().ok());
  Status s = blocked.get();
  if (snapshot_per_txn()) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
    EXPECT_EQ(t2.Commit().code(), StatusCode::kAborted);
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(t2.Commit().ok());
  }
}

// G-single, read skew: READ COMMITTED shows T2's change to row 2 but not
// the earlier read of row 1; the others keep T1's snapshot.
TEST_P(HermitageTest, GSingleReadSkew) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  EXPECT_EQ(t1.Read(1), 10);
  EXPECT_EQ(t2.Read(1), 10);
  EXPECT_EQ(t2.Read(2), 20);
  ASSERT_TRUE(t2.Update(1, 12).ok());
  ASSERT_TRUE(t2.Update(2, 18).ok());
  ASSERT_TRUE(t2.Commit().ok());
  EXPECT_EQ(t1.Read(2), snapshot_per_txn() ? 20 : 18);
  ASSERT_TRUE(t1.Commit().ok());
}

// G-single with a predicate-dependent write: READ COMMITTED re-checks and
// deletes nothing; the others fail T1.
TEST_P(HermitageTest, GSingleWritePredicate) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  EXPECT_EQ(t1.Read(1), 10);
  ASSERT_TRUE(t2.Update(1, 12).ok());
  ASSERT_TRUE(t2.Update(2, 18).ok());
  ASSERT_TRUE(t2.Commit().ok());
  Status s = t1.DeleteWhere([](int v) { return v == 20; });
  if (snapshot_per_txn()) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
    ASSERT_TRUE(t1.Rollback().ok());
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(t1.Commit().ok());
  }
  EXPECT_EQ(Committed(), Rows({{1, 12}, {2, 18}}));
}

// G2-item, write skew: only SERIALIZABLE prevents it (T2 fails at commit).
TEST_P(HermitageTest, G2ItemWriteSkew) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  EXPECT_EQ(t1.Read(1), 10);
  EXPECT_EQ(t1.Read(2), 20);
  EXPECT_EQ(t2.Read(1), 10);
  EXPECT_EQ(t2.Read(2), 20);
  ASSERT_TRUE(t1.Update(1, 11).ok());
  ASSERT_TRUE(t2.Update(2, 21).ok());
  ASSERT_TRUE(t1.Commit().ok());
  Status s = t2.Commit();
  if (level() == SER) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
    EXPECT_EQ(Committed(), Rows({{1, 11}, {2, 20}}));
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Committed(), Rows({{1, 11}, {2, 21}}));
  }
}

// G2, anti-dependency cycles through predicates: only SERIALIZABLE
// prevents it.
TEST_P(HermitageTest, G2AntiDependencyCycles) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  auto multiples_of_three = [](Session& s) {
    int n = 0;
    for (const auto& [id, value] : s.ReadAll()) n += value % 3 == 0;
    return n;
  };
  EXPECT_EQ(multiples_of_three(t1), 0);
  EXPECT_EQ(multiples_of_three(t2), 0);
  ASSERT_TRUE(t1.Insert(3, 30).ok());
  ASSERT_TRUE(t2.Insert(4, 42).ok());
  ASSERT_TRUE(t1.Commit().ok());
  Status s = t2.Commit();
  if (level() == SER) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

// G2 with two anti-dependency edges: only SERIALIZABLE prevents it.
TEST_P(HermitageTest, G2TwoEdges) {
  Session t1 = NewSession(level()), t2 = NewSession(level());
  EXPECT_EQ(t1.ReadAll(), Rows({{1, 10}, {2, 20}}));
  ASSERT_TRUE(t2.UpdateWith(2, [](int v) { return v + 5; }).ok());
  ASSERT_TRUE(t2.Commit().ok());
  Session t3 = NewSession(level());
  EXPECT_EQ(t3.ReadAll(), Rows({{1, 10}, {2, 25}}));
  ASSERT_TRUE(t3.Commit().ok());
  ASSERT_TRUE(t1.Update(1, 0).ok());
  Status s = t1.Commit();
  if (level() == SER) {
    EXPECT_EQ(s.code(), StatusCode::kSerializationFailure) << s.ToString();
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, HermitageTest, ::testing::Values(RC, RR, SER),
                         [](const ::testing::TestParamInfo<IsolationLevel>& param) {
                           switch (param.param) {
                             case RC: return std::string("ReadCommitted");
                             case RR: return std::string("RepeatableRead");
                             default: return std::string("Serializable");
                           }
                         });

// READ UNCOMMITTED is READ COMMITTED, as in PostgreSQL: no dirty reads.
TEST_F(TxnEngineTest, ReadUncommittedDoesNotReadDirtyData) {
  Session t1 = NewSession(RC);
  Session t2(engine_.get(), tree_, IsolationLevel::kReadUncommitted);
  EXPECT_EQ(t2.txn()->isolation(), RC);
  ASSERT_TRUE(t1.Update(1, 99).ok());
  EXPECT_EQ(t2.Read(1), 10);
  ASSERT_TRUE(t1.Rollback().ok());
  ASSERT_TRUE(t2.Commit().ok());
}

}  // namespace
}  // namespace neuroquantum::txn
