// Bank-transfer invariant: threads move money between accounts with random
// rollbacks, retrying serialization failures and deadlock victims; the total
// never changes and every snapshot sees the same total. Runs for a bounded
// time; also under TSan.
#include <array>
#include <atomic>
#include <random>
#include <thread>

#include "txn_test_util.h"

namespace neuroquantum::txn {
namespace {

using testing::Key;
using testing::Must;

constexpr int kAccounts = 40;
constexpr int kInitial = 1000;

int64_t Total(TxnEngine* engine, TreeId tree, IsolationLevel level) {
  auto txn = engine->Begin(TxnOptions{level, true});
  auto cursor = Must(txn->Scan(tree, ""));
  int64_t total = 0;
  int rows = 0;
  for (; cursor->Valid(); cursor->Next(), ++rows) total += std::stoll(std::string(cursor->value()));
  EXPECT_TRUE(cursor->status().ok()) << cursor->status().ToString();
  EXPECT_EQ(rows, kAccounts);
  EXPECT_TRUE(txn->Commit().ok());
  return total;
}

class ConcurrentBankTest : public ::testing::TestWithParam<IsolationLevel> {};

TEST_P(ConcurrentBankTest, TransfersKeepTheTotal) {
  FaultInjectionEnv env;
  auto engine = Must(TxnEngine::Open("db", testing::TestOptions(&env), testing::FastLocks()));
  TreeId tree = Must(engine->CreateTable("accounts"));
  {
    auto setup = engine->Begin();
    for (int i = 0; i < kAccounts; ++i) ASSERT_TRUE(setup->Insert(tree, Key(i), std::to_string(kInitial)).ok());
    ASSERT_TRUE(setup->Commit().ok());
  }
  const int64_t expected = int64_t{kAccounts} * kInitial;
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0}, retried{0}, rolled_back{0}, snapshots{0};
  auto transfer = [&](int seed) {
    std::mt19937 rng(seed);
    while (!stop.load()) {
      int from = static_cast<int>(rng() % kAccounts), to = static_cast<int>(rng() % kAccounts);
      if (from == to) continue;
      int amount = static_cast<int>(rng() % 50);
      auto txn = engine->Begin(TxnOptions{GetParam(), false});
      auto move = [&]() -> Status {
        NQ_ASSIGN_OR_RETURN(auto a, txn->GetForUpdate(tree, Key(from)));
        NQ_ASSIGN_OR_RETURN(auto b, txn->GetForUpdate(tree, Key(to)));
        if (!a || !b) return Status::Internal("account vanished");
        NQ_RETURN_IF_ERROR(txn->Update(tree, Key(from), std::to_string(std::stoll(*a) - amount)));
        return txn->Update(tree, Key(to), std::to_string(std::stoll(*b) + amount));
      };
      Status s = move();
      if (s.ok() && rng() % 5 == 0) {
        ASSERT_TRUE(txn->Rollback().ok());
        ++rolled_back;
        continue;
      }
      if (s.ok()) s = txn->Commit();
      if (s.ok()) {
        ++committed;
      } else {
        ASSERT_TRUE(s.code() == StatusCode::kSerializationFailure || s.code() == StatusCode::kDeadlock)
            << s.ToString();
        if (!txn->finished()) {
          ASSERT_TRUE(txn->Rollback().ok());
        }
        ++retried;
      }
    }
  };
  auto audit = [&] {
    while (!stop.load()) {
      EXPECT_EQ(Total(engine.get(), tree, GetParam()), expected);
      ++snapshots;
    }
  };
  auto purge = [&] {
    while (!stop.load()) {
      EXPECT_TRUE(engine->Purge().ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(transfer, t + 1);
  threads.emplace_back(audit);
  threads.emplace_back(purge);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(Total(engine.get(), tree, GetParam()), expected);
  EXPECT_GT(committed.load(), 10);
  EXPECT_GT(snapshots.load(), 2);
  EXPECT_GT(rolled_back.load(), 0);
  ASSERT_TRUE(engine->Purge().ok());
  EXPECT_EQ(engine->stats().versions.versions, 0u);
}

INSTANTIATE_TEST_SUITE_P(Levels, ConcurrentBankTest,
                         ::testing::Values(IsolationLevel::kReadCommitted, IsolationLevel::kRepeatableRead,
                                           IsolationLevel::kSerializable),
                         [](const ::testing::TestParamInfo<IsolationLevel>& param) {
                           return std::string(param.param == IsolationLevel::kReadCommitted    ? "ReadCommitted"
                                              : param.param == IsolationLevel::kRepeatableRead ? "RepeatableRead"
                                                                                               : "Serializable");
                         });

}  // namespace
}  // namespace neuroquantum::txn

namespace neuroquantum::txn {
namespace {

// Power loss in the middle of concurrent transfers (the env drops or keeps
// at random what was not synced): after recovery the total is intact and
// every acknowledged commit is there.
TEST(ConcurrentPowerLossTest, AcknowledgedTransfersSurviveAndTotalHolds) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    FaultInjectionEnv env;
    TreeId tree;
    {
      auto engine = Must(TxnEngine::Open("db", testing::TestOptions(&env), testing::FastLocks()));
      tree = Must(engine->CreateTable("accounts"));
      auto setup = engine->Begin();
      for (int i = 0; i < kAccounts; ++i) ASSERT_TRUE(setup->Insert(tree, Key(i), std::to_string(kInitial)).ok());
      ASSERT_TRUE(setup->Commit().ok());
      std::array<std::atomic<int64_t>, 4> acked{};
      env.CrashAtOp(env.mutating_ops() + 200 + seed * 97, CrashAction::kTearWrite);
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          std::mt19937 rng(static_cast<uint32_t>(seed * 10 + static_cast<uint64_t>(t)));
          for (int64_t n = 1;; ) {
            int from = static_cast<int>(rng() % kAccounts), to = static_cast<int>(rng() % kAccounts);
            if (from == to) continue;
            auto txn = engine->Begin(TxnOptions{IsolationLevel::kRepeatableRead, false});
            auto move = [&]() -> Status {
              NQ_ASSIGN_OR_RETURN(auto a, txn->GetForUpdate(tree, Key(from)));
              NQ_ASSIGN_OR_RETURN(auto b, txn->GetForUpdate(tree, Key(to)));
              NQ_RETURN_IF_ERROR(txn->Update(tree, Key(from), std::to_string(std::stoll(*a) - 7)));
              NQ_RETURN_IF_ERROR(txn->Update(tree, Key(to), std::to_string(std::stoll(*b) + 7)));
              NQ_RETURN_IF_ERROR(txn->Put(tree, fmt::format("c{}", t), std::to_string(n)));
              return txn->Commit();
            };
            Status s = move();
            if (s.ok()) {
              acked[static_cast<size_t>(t)] = n++;
              continue;
            }
            if (!txn->finished()) (void)txn->Rollback();
            if (s.code() != StatusCode::kSerializationFailure && s.code() != StatusCode::kDeadlock) return;
          }
        });
      }
      for (auto& th : threads) th.join();
      ASSERT_TRUE(env.crashed());
      engine.reset();
      env.SimulateCrash(CrashMode::kKeepRandomUnsynced, seed);
      auto reopened = Must(TxnEngine::Open("db", testing::TestOptions(&env), testing::FastLocks()));
      auto txn = reopened->Begin(TxnOptions{IsolationLevel::kRepeatableRead, true});
      int64_t total = 0;
      for (int i = 0; i < kAccounts; ++i) total += std::stoll(*Must(txn->Get(tree, Key(i))));
      EXPECT_EQ(total, int64_t{kAccounts} * kInitial) << "seed " << seed;
      for (int t = 0; t < 4; ++t) {
        auto counter = Must(txn->Get(tree, fmt::format("c{}", t)));
        int64_t n = counter ? std::stoll(*counter) : 0;
        int64_t a = acked[static_cast<size_t>(t)];
        EXPECT_TRUE(n == a || n == a + 1) << "seed " << seed << " thread " << t << ": " << n << " vs " << a;
      }
    }
  }
}

}  // namespace
}  // namespace neuroquantum::txn
