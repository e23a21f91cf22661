// Power-loss and I/O-error tests through FaultInjectionEnv. SIGKILL cannot
// show a missing fsync (the OS page cache survives), so here the file layer
// itself loses everything not yet synced, tears the write in progress, or
// fails with ENOSPC / EIO / a short write, at every write or sync of a
// workload in turn. After each simulated crash the database must reopen,
// hold every acknowledged commit, show the in-flight transaction entirely or
// not at all, and pass the integrity check.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <algorithm>
#include <random>

#include <sys/wait.h>
#include <unistd.h>

#include "../unit/storage/storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::ExpectIntegrity;
using testing::SmallOptions;
using Model = std::map<std::string, std::string>;

// The outcome of running a workload until it finished or hit an error.
struct RunResult {
  Model committed;            // state after the last acknowledged commit
  Model in_flight;            // state if the transaction in progress committed
  bool failed = false;
  Status first_error;
};

// A deterministic workload: `txns` transactions of a few puts/deletes over a
// small key space, with occasional values large enough for overflow chains.
// A small WAL bound so that automatic checkpoints, segment switches and
// segment recycling happen inside the workload.
Options CrashOptions(Env* env) {
  Options o = SmallOptions(env);
  o.max_wal_mib = 2;
  return o;
}

RunResult RunWorkload(Env* env, uint64_t seed, int txns) {
  RunResult result;
  std::mt19937_64 rng(seed);
  auto engine = StorageEngine::Open("db", CrashOptions(env));
  if (!engine.ok()) {
    result.failed = true;
    result.first_error = engine.status();
    return result;
  }
  auto tree = (*engine)->FindTree("t");
  if (!tree.ok()) tree = (*engine)->CreateTree("t");
  if (!tree.ok()) {
    result.failed = true;
    result.first_error = tree.status();
    return result;
  }
  // Start from what is in the database (a workload may follow a recovery).
  {
    auto it = testing::Must((*engine)->NewIterator(*tree));
    for (it->SeekToFirst(); it->Valid(); it->Next()) result.committed[std::string(it->key())] = *it->value();
  }
  for (int t = 0; t < txns; ++t) {
    auto txn = (*engine)->Begin();
    Model next = result.committed;
    int ops = 1 + static_cast<int>(rng() % 6);
    Status s;
    for (int i = 0; i < ops && s.ok(); ++i) {
      std::string key = "key" + std::to_string(rng() % 60);
      if (rng() % 4 == 0 && next.count(key)) {
        s = (*engine)->Delete(txn.get(), *tree, key);
        next.erase(key);
      } else {
        size_t size = rng() % 10 == 0 ? 6000 + rng() % 9000 : 10 + rng() % 200;
        std::string value(size, static_cast<char>('a' + (t + i) % 26));
        s = (*engine)->Put(txn.get(), *tree, key, value);
        next[key] = value;
      }
    }
    result.in_flight = next;
    if (s.ok()) s = (*engine)->Commit(txn.get());
    if (!s.ok()) {
      result.failed = true;
      result.first_error = s;
      return result;
    }
    result.committed = std::move(next);
  }
  result.in_flight = result.committed;
  return result;
}

Model ReadAll(StorageEngine* engine) {
  Model out;
  auto tree = engine->FindTree("t");
  if (!tree.ok()) return out;
  auto it = testing::Must(engine->NewIterator(*tree));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[std::string(it->key())] = *it->value();
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

// Reopens after a crash and checks the recovered state.
void VerifyRecovered(FaultInjectionEnv* env, const RunResult& run, const std::string& where) {
  auto engine = StorageEngine::Open("db", CrashOptions(env));
  ASSERT_TRUE(engine.ok()) << where << ": reopen failed: " << engine.status().ToString();
  Model actual = ReadAll(engine->get());
  bool matches = actual == run.committed || actual == run.in_flight;
  ASSERT_TRUE(matches) << where << ": recovered " << actual.size() << " keys; expected "
                       << run.committed.size() << " (committed) or " << run.in_flight.size()
                       << " (with in-flight txn)";
  ExpectIntegrity(engine->get());
}

int Rounds(int normal) { return std::getenv("NQ_TEST_LONG") != nullptr ? normal * 5 : normal; }

TEST(PowerLossTest, CleanRunSurvivesPowerLossAfterClose) {
  FaultInjectionEnv env;
  RunResult run = RunWorkload(&env, 1, 30);
  ASSERT_FALSE(run.failed) << run.first_error.ToString();
  env.SimulateCrash(CrashMode::kDropUnsynced, 1);
  VerifyRecovered(&env, run, "after clean close");
}

TEST(PowerLossTest, CommittedDataSurvivesPowerLossWithoutClose) {
  FaultInjectionEnv env;
  // Keep the engine open (no checkpoint at close) while the power goes.
  auto engine = testing::Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = testing::Must(engine->CreateTree("t"));
  Model model;
  for (int i = 0; i < 200; ++i) {
    auto txn = engine->Begin();
    std::string key = "k" + std::to_string(i % 37);
    ASSERT_TRUE(engine->Put(txn.get(), tree, key, std::string(i % 7 == 0 ? 7000 : 40, 'x')).ok());
    ASSERT_TRUE(engine->Commit(txn.get()).ok());
    model[key] = std::string(i % 7 == 0 ? 7000 : 40, 'x');
  }
  auto uncommitted = engine->Begin();
  ASSERT_TRUE(engine->Put(uncommitted.get(), tree, "zz-uncommitted", "v").ok());
  env.SimulateCrash(CrashMode::kKeepRandomUnsynced, 7);  // power loss
  // The old process is gone: its transaction (whose rollback now fails
  // against the dead env) and then the engine go with it.
  uncommitted.reset();
  engine.reset();
  RunResult expect;
  expect.committed = model;
  expect.in_flight = model;
  VerifyRecovered(&env, expect, "power loss with open engine");
}

// The crash point walks over every write and sync of the workload.
TEST(PowerLossTest, CrashAtEveryOperation) {
  uint64_t total_ops;
  {
    FaultInjectionEnv probe;
    RunResult run = RunWorkload(&probe, 42, 200);
    ASSERT_FALSE(run.failed);
    total_ops = probe.mutating_ops();
    auto engine = testing::Must(StorageEngine::Open("db", CrashOptions(&probe)));
    // The workload must cross checkpoints for the test to mean much.
    EXPECT_GT(engine->recovery_info().redo_start, 1u << 20);
  }
  std::printf("crash points: %lu mutating operations\n", static_cast<unsigned long>(total_ops));
  ASSERT_GT(total_ops, 20u);
  uint64_t step = std::getenv("NQ_TEST_LONG") != nullptr ? 1 : std::max<uint64_t>(1, total_ops / 150);
  for (uint64_t op = 0; op < total_ops; op += step) {
    FaultInjectionEnv env;
    bool tear = op % 2 == 1;
    env.CrashAtOp(op, tear ? CrashAction::kTearWrite : CrashAction::kDropOp, 512 * (op % 8));
    RunResult run = RunWorkload(&env, 42, 200);
    // The crash may also hit the checkpoint at close, after every commit.
    ASSERT_TRUE(env.crashed()) << "crash at op " << op << " did not fire";
    env.SimulateCrash(op % 3 == 0 ? CrashMode::kDropUnsynced : CrashMode::kKeepRandomUnsynced, op);
    VerifyRecovered(&env, run, "crash at op " + std::to_string(op) + (tear ? " (torn)" : ""));
    if (HasFatalFailure() || HasFailure()) return;
  }
}

// Crash, recover, continue, crash again: recovery must cope with WAL left by
// an earlier epoch beyond the end of log and with recycled segments.
TEST(PowerLossTest, RepeatedCrashesOnOneDatabase) {
  FaultInjectionEnv env;
  std::mt19937_64 rng(5);
  for (int round = 0; round < Rounds(25); ++round) {
    env.CrashAtOp(env.mutating_ops() + 10 + rng() % 400, CrashAction::kTearWrite, 100 + rng() % 3000);
    RunResult run = RunWorkload(&env, 100 + round, 40);
    env.SimulateCrash(round % 2 ? CrashMode::kDropUnsynced : CrashMode::kKeepRandomUnsynced, round);
    VerifyRecovered(&env, run, "round " + std::to_string(round));
    if (HasFailure()) return;
  }
}

// durability = normal: commits reach the OS but are synced only at segment
// switches, checkpoints and page writes. A power loss may lose recent
// commits, but what survives is exactly the state after some acknowledged
// commit (no partial transaction, no gap), and the database is intact.
TEST(DurabilityTest, NormalLosesOnlyATailOfCommitsOnPowerLoss) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    FaultInjectionEnv env;
    Options o = SmallOptions(&env);
    o.durability = Durability::kNormal;
    std::vector<Model> states{Model{}};  // state after each acknowledged commit
    {
      auto engine = testing::Must(StorageEngine::Open("db", o));
      TreeId tree = testing::Must(engine->CreateTree("t"));
      std::mt19937_64 rng(seed);
      Model model;
      for (int t = 0; t < 150; ++t) {
        auto txn = engine->Begin();
        for (int i = 0; i < 3; ++i) {
          std::string key = "k" + std::to_string(rng() % 40);
          std::string value(rng() % 20 == 0 ? 7000 : 50, static_cast<char>('a' + t % 26));
          ASSERT_TRUE(engine->Put(txn.get(), tree, key, value).ok());
          model[key] = value;
        }
        ASSERT_TRUE(engine->Commit(txn.get()).ok());
        states.push_back(model);
        // A checkpoint syncs: every commit up to here must survive.
        if (t == 75) {
          ASSERT_TRUE(engine->Checkpoint().ok());
        }
      }
      env.SimulateCrash(CrashMode::kDropUnsynced, seed);
    }
    auto engine = StorageEngine::Open("db", o);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    Model actual = ReadAll(engine->get());
    auto found = std::find(states.begin() + 76, states.end(), actual);
    EXPECT_TRUE(found != states.end())
        << "seed " << seed << ": recovered state is no commit's state at or after the checkpoint";
    ExpectIntegrity(engine->get());
  }
}

// durability = off: nothing is synced, but a process crash (the OS and its
// page cache survive) loses no acknowledged commit. A child process commits
// and exits without closing; the parent reopens.
TEST(DurabilityTest, OffKeepsEveryCommitWhenOnlyTheProcessDies) {
  testing::TempDir dir;
  const std::string path = dir.Path("db");
  Options o;
  o.durability = Durability::kOff;
  o.flush_interval_ms = 0;
  std::fflush(nullptr);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto engine = StorageEngine::Open(path, o);
    if (!engine.ok()) _exit(2);
    auto tree = (*engine)->CreateTree("t");
    if (!tree.ok()) _exit(3);
    for (int t = 0; t < 100; ++t) {
      auto txn = (*engine)->Begin();
      if (!(*engine)->Put(txn.get(), *tree, "k" + std::to_string(t % 30), std::to_string(t)).ok() ||
          !(*engine)->Commit(txn.get()).ok()) {
        _exit(4);
      }
    }
    _exit((*engine)->stats().wal.syncs == 0 ? 0 : 5);  // no close, no checkpoint
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed (5: it synced despite durability=off)";
  Model expected;
  for (int t = 0; t < 100; ++t) expected["k" + std::to_string(t % 30)] = std::to_string(t);
  auto engine = testing::Must(StorageEngine::Open(path, o));
  EXPECT_EQ(ReadAll(engine.get()), expected);
  ExpectIntegrity(engine.get());
}

TEST(IoErrorTest, NoSpaceIsAnErrorNotACrashAndLosesNothing) {
  for (uint64_t op : {30u, 80u, 150u, 260u}) {
    FaultInjectionEnv env;
    env.FailOpWith(op, StatusCode::kNoSpace);
    RunResult run = RunWorkload(&env, 9, 40);
    if (!run.failed) continue;  // the op hit a write whose error was absorbed... must not happen
    EXPECT_TRUE(run.first_error.code() == StatusCode::kReadOnly ||
                run.first_error.code() == StatusCode::kNoSpace)
        << run.first_error.ToString();
    env.SimulateCrash(CrashMode::kKeepRandomUnsynced, op);
    VerifyRecovered(&env, run, "ENOSPC at op " + std::to_string(op));
  }
}

TEST(IoErrorTest, FsyncFailureMakesDatabaseReadOnlyUntilReopen) {
  FaultInjectionEnv env;
  auto engine = testing::Must(StorageEngine::Open("db", SmallOptions(&env)));
  TreeId tree = testing::Must(engine->CreateTree("t"));
  auto txn = engine->Begin();
  ASSERT_TRUE(engine->Put(txn.get(), tree, "a", "1").ok());
  // The next sync is the commit's fdatasync of the WAL.
  uint64_t next = env.mutating_ops();
  for (uint64_t op = next; op < next + 4; ++op) env.FailOpWith(op, StatusCode::kIOError);
  Status commit = engine->Commit(txn.get());
  ASSERT_FALSE(commit.ok());
  // Sticky: no later write is accepted, even though the disk "recovered".
  auto txn2 = engine->Begin();
  Status later = engine->Put(txn2.get(), tree, "b", "2");
  EXPECT_EQ(later.code(), StatusCode::kReadOnly) << later.ToString();
  EXPECT_FALSE(engine->health().ok());
  engine.reset();
  env.SimulateCrash(CrashMode::kDropUnsynced, 1);
  auto reopened = testing::Must(StorageEngine::Open("db", SmallOptions(&env)));
  EXPECT_TRUE(reopened->health().ok());
  ExpectIntegrity(reopened.get());
}

TEST(IoErrorTest, ShortWriteIsReportedAndRecovered) {
  for (uint64_t op : {25u, 90u, 200u}) {
    FaultInjectionEnv env;
    env.ShortWriteAt(op);
    RunResult run = RunWorkload(&env, 3, 40);
    env.SimulateCrash(CrashMode::kDropUnsynced, op);
    VerifyRecovered(&env, run, "short write at op " + std::to_string(op));
  }
}

}  // namespace
}  // namespace neuroquantum::storage
