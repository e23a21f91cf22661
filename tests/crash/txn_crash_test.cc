// SIGKILL crash tests of the transaction engine. A child process runs four
// threads of bank transfers (REPEATABLE READ, retrying serialization
// failures and deadlock victims); every transfer also bumps its thread's
// counter row, and every seventh goes through PREPARE TRANSACTION and
// COMMIT PREPARED. The child reports each acknowledged commit ("C thread n")
// and prepare ("P thread n"). The parent kills it at a random moment,
// reopens the database and checks:
//  1. the total over all accounts never changes (atomicity);
//  2. each counter equals the last acknowledged n or, for the one in-flight
//     transaction, n + 1 (durability of acknowledged commits, nothing more);
//  3. every acknowledged prepare that was not acknowledged as committed is
//     still prepared (or committed, if its COMMIT PREPARED was in flight),
//     and nothing else is prepared but the thread's in-flight one;
//  4. prepared transactions hold their row locks and can then be committed
//     or rolled back, after which the total is still intact.
// Before the transfers start, the child also prepares one transaction that
// it never resolves ("H"): after every kill that came later, recovery must
// list it as prepared, holding its row lock; the parent then commits or
// rolls it back and checks its row.
// Rounds continue on the same database.
#include <array>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "crash_process.h"
#include "txn/txn_engine.h"

namespace neuroquantum::storage::crash {
namespace {

using txn::IsolationLevel;
using txn::TxnEngine;
using txn::TxnEngineOptions;
using txn::TxnOptions;

constexpr int kThreads = 4;
constexpr int kAccounts = 16;
constexpr int64_t kInitial = 1000;
constexpr char kTable[] = "bank";
constexpr char kChildTest[] = "TxnCrashChild.DISABLED_Main";

std::string Account(int i) { return fmt::format("a{:03}", i); }
std::string Counter(int thread) { return fmt::format("c{}", thread); }
std::string Gid(int thread, int64_t n) { return fmt::format("g{}-{}", thread, n); }
std::string ParkedKey(uint64_t seed) { return fmt::format("h{}", seed); }
std::string ParkedGid(uint64_t seed) { return fmt::format("parked-{}", seed); }

TxnEngineOptions EngineOptions(std::chrono::milliseconds lock_timeout = std::chrono::seconds(30)) {
  TxnEngineOptions o;
  o.locks.lock_timeout = lock_timeout;
  o.locks.deadlock_timeout = std::chrono::milliseconds(20);
  o.purge_interval = std::chrono::milliseconds(50);
  return o;
}

// One thread's transfers, until killed. Returns only on an unexpected error.
int RunTransfers(TxnEngine* engine, TreeId table, int thread, uint64_t seed) {
  std::mt19937_64 rng(seed * 31 + static_cast<uint64_t>(thread));
  int64_t n = 0;
  {
    auto txn = engine->Begin();
    auto v = txn->Get(table, Counter(thread));
    if (!v.ok()) return 5;
    if (v->has_value()) n = std::stoll(**v);
    (void)txn->Commit();
  }
  for (;;) {
    int64_t next = n + 1;
    int from = static_cast<int>(rng() % kAccounts), to = static_cast<int>(rng() % kAccounts);
    if (from == to) continue;
    int64_t amount = static_cast<int64_t>(rng() % 100);
    auto txn = engine->Begin(TxnOptions{IsolationLevel::kRepeatableRead, false});
    auto work = [&]() -> Status {
      NQ_ASSIGN_OR_RETURN(auto a, txn->GetForUpdate(table, Account(from)));
      NQ_ASSIGN_OR_RETURN(auto b, txn->GetForUpdate(table, Account(to)));
      if (!a || !b) return Status::Internal("account missing");
      NQ_RETURN_IF_ERROR(txn->Update(table, Account(from), std::to_string(std::stoll(*a) - amount)));
      NQ_RETURN_IF_ERROR(txn->Update(table, Account(to), std::to_string(std::stoll(*b) + amount)));
      NQ_RETURN_IF_ERROR(txn->Put(table, Counter(thread), std::to_string(next)));
      if (next % 7 != 0) return txn->Commit();
      NQ_RETURN_IF_ERROR(txn->Prepare(Gid(thread, next)));
      WriteLine(fmt::format("P {} {}", thread, next));
      return engine->CommitPrepared(Gid(thread, next));
    };
    Status s = work();
    if (s.ok()) {
      WriteLine(fmt::format("C {} {}", thread, next));
      n = next;
      continue;
    }
    if (s.code() != StatusCode::kSerializationFailure && s.code() != StatusCode::kDeadlock) {
      WriteLine(fmt::format("E thread {}: {}", thread, s.ToString()));
      return 6;
    }
    if (!txn->finished()) (void)txn->Rollback();
  }
}

TEST(TxnCrashChild, DISABLED_Main) {
  const char* spec = std::getenv(kChildEnv);
  if (spec == nullptr) GTEST_SKIP() << "only runs as a crash-test child process";
  WriteLine("S");
  std::string text(spec);
  auto semi = text.find(';');
  std::string path = text.substr(0, semi);
  uint64_t seed = std::strtoull(text.c_str() + semi + 1, nullptr, 10);
  auto engine = TxnEngine::Open(path, CrashOptions(), EngineOptions());
  if (!engine.ok()) {
    WriteLine("E open: " + engine.status().ToString());
    ::_exit(2);
  }
  auto table = (*engine)->FindTable(kTable);
  if (!table.ok()) ::_exit(2);
  WriteLine("O");
  auto parked = (*engine)->Begin();
  if (!parked->Put(*table, ParkedKey(seed), "1").ok() || !parked->Prepare(ParkedGid(seed)).ok()) {
    WriteLine("E the parked transaction did not prepare");
    ::_exit(2);
  }
  WriteLine("H");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { ::_exit(RunTransfers(engine->get(), *table, t, seed)); });
  }
  for (auto& th : threads) th.join();
  ::_exit(4);
}

class TxnCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    path_ = dir_ + "/db";
    auto engine = TxnEngine::Open(path_, CrashOptions(), EngineOptions());
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    auto table = (*engine)->CreateTable(kTable);
    ASSERT_TRUE(table.ok());
    auto txn = (*engine)->Begin();
    for (int i = 0; i < kAccounts; ++i) ASSERT_TRUE(txn->Insert(*table, Account(i), std::to_string(kInitial)).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "txn crash test: database kept at " << path_ << "\n";
    } else {
      std::filesystem::remove_all(dir_);
    }
  }

  // Checks the invariants after recovery and resolves the prepared
  // transactions (commit or rollback, by round).
  void Verify(int round, const ChildRun& run) {
    std::array<int64_t, kThreads> prepared_only{};  // acked P without its C
    bool parked_acked = false;
    for (const auto& line : run.lines) {
      ASSERT_NE(line[0], 'E') << "child: " << line;
      parked_acked |= line == "H";
      int thread = 0;
      long long n = 0;
      if (line == "O" || std::sscanf(line.c_str() + 2, "%d %lld", &thread, &n) != 2) continue;
      if (line[0] == 'C') {
        acked_[thread] = n;
        if (prepared_only[thread] == n) prepared_only[thread] = 0;
      } else if (line[0] == 'P') {
        prepared_only[thread] = n;
      }
    }
    auto engine = TxnEngine::Open(path_, CrashOptions(), EngineOptions(std::chrono::milliseconds(100)));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    TreeId table = *(*engine)->FindTable(kTable);
    std::map<std::string, int64_t> rows;
    {
      auto txn = (*engine)->Begin(TxnOptions{IsolationLevel::kRepeatableRead, true});
      auto cursor = txn->Scan(table, "");
      ASSERT_TRUE(cursor.ok());
      for (; (*cursor)->Valid(); (*cursor)->Next()) rows[std::string((*cursor)->key())] = std::stoll(std::string((*cursor)->value()));
      ASSERT_TRUE((*cursor)->status().ok());
    }
    int64_t total = 0;
    for (int i = 0; i < kAccounts; ++i) total += rows[Account(i)];
    EXPECT_EQ(total, kAccounts * kInitial) << "round " << round;
    std::map<std::string, int64_t> listed;
    for (const auto& p : (*engine)->ListPrepared()) listed[p.gid] = 0;
    const auto seed = static_cast<uint64_t>(round + 1);
    if (listed.erase(ParkedGid(seed)) == 1) {
      ResolveParked(engine->get(), table, round);
      if (HasFatalFailure()) return;
    } else {
      EXPECT_FALSE(parked_acked) << "round " << round << ": acknowledged prepare " << ParkedGid(seed) << " was lost";
    }
    for (int t = 0; t < kThreads; ++t) {
      int64_t counter = rows.count(Counter(t)) ? rows[Counter(t)] : 0;
      EXPECT_TRUE(counter == acked_[t] || counter == acked_[t] + 1)
          << "round " << round << " thread " << t << ": counter " << counter << ", last acknowledged " << acked_[t];
      if (prepared_only[t] != 0 && counter < prepared_only[t]) {
        EXPECT_EQ(listed.count(Gid(t, prepared_only[t])), 1u)
            << "round " << round << ": acknowledged prepare " << Gid(t, prepared_only[t]) << " was lost";
      }
      // Anything prepared is this thread's next transfer.
      for (const auto& [gid, unused] : listed) {
        if (gid.rfind(fmt::format("g{}-", t), 0) == 0) {
          EXPECT_EQ(gid, Gid(t, counter + 1)) << "round " << round;
        }
      }
      acked_[t] = counter;
    }
    // A prepared transaction keeps its row locks: a writer of its counter
    // row cannot get the lock.
    for (const auto& [gid, unused] : listed) {
      int t = gid[1] - '0';
      auto probe = (*engine)->Begin();
      EXPECT_EQ(probe->Put(table, Counter(t), "x").code(), StatusCode::kTimedOut) << gid;
      ASSERT_TRUE(probe->Rollback().ok());
      bool commit = round % 2 == 0;
      ASSERT_TRUE((commit ? (*engine)->CommitPrepared(gid) : (*engine)->RollbackPrepared(gid)).ok());
      if (commit) acked_[t] += 1;
      resolved_++;
    }
  }

  // The parked transaction of `round` holds its row's lock; commit it in
  // even rounds and roll it back in odd ones, and check its row after.
  void ResolveParked(TxnEngine* engine, TreeId table, int round) {
    const auto seed = static_cast<uint64_t>(round + 1);
    auto probe = engine->Begin();
    EXPECT_EQ(probe->Put(table, ParkedKey(seed), "2").code(), StatusCode::kTimedOut) << "round " << round;
    ASSERT_TRUE(probe->Rollback().ok());
    const bool commit = round % 2 == 0;
    ASSERT_TRUE((commit ? engine->CommitPrepared(ParkedGid(seed)) : engine->RollbackPrepared(ParkedGid(seed))).ok());
    auto reader = engine->Begin();
    auto row = reader->Get(table, ParkedKey(seed));
    ASSERT_TRUE(row.ok());
    EXPECT_EQ(row->has_value(), commit) << "round " << round;
    if (commit && row->has_value()) {
      EXPECT_EQ(**row, "1");
    }
    ASSERT_TRUE(reader->Commit().ok());
    parked_++;
  }

  std::string dir_, path_;
  std::array<int64_t, kThreads> acked_{};
  int resolved_ = 0;
  int parked_ = 0;
};

TEST_F(TxnCrashTest, ConcurrentTransfersSurviveSigkill) {
  std::mt19937 rng(7);
  for (int round = 0; round < 10; ++round) {
    int delay = 30 + static_cast<int>(rng() % 300);
    ChildRun run = SpawnAndKill(kChildTest, fmt::format("{};{}", path_, round + 1), delay);
    ASSERT_TRUE(run.error.empty()) << run.error;
    ASSERT_TRUE(run.killed()) << run.DescribeExit();
    Verify(round, run);
    if (HasFatalFailure()) return;
  }
  int64_t commits = 0;
  for (int64_t a : acked_) commits += a;
  std::cout << "txn crash: 10 rounds, " << commits << " transfers durable, " << resolved_
            << " prepared transfers and " << parked_ << " parked transactions resolved after restart\n";
  EXPECT_GT(commits, 10);
  // The child prepares its parked transaction right after opening, long
  // before the earliest kill (30 ms after start-up) in nearly every round.
  EXPECT_GE(parked_, 5);
}

}  // namespace
}  // namespace neuroquantum::storage::crash
