// Crash tests with SIGKILL on the real POSIX Env. Each round starts a child
// process (this binary again, see crash_process.h) that runs the
// deterministic workload of crash_workload.h on one on-disk database
// (Durability::kFull) and reports every finished transaction through a pipe
// after Commit or Rollback returned. The parent kills it at a random moment,
// reopens the database (crash recovery runs) and checks:
//  1. every acknowledged commit is present, exactly;
//  2. the one transaction per stream that was in flight is all-or-nothing;
//  3. nothing of a rolled-back transaction is visible;
//  4. point lookups agree with a scan, and CheckDatabase finds no problem.
// Rounds continue on the same database from the recovered state.
//
// NQ_TEST_LONG=1 runs 300 mixed rounds instead of 40. NQ_CRASH_SEED=N
// changes the workload seed (kill timing is never exactly reproducible).
// On failure the database directory is kept and its path printed.
#include <array>
#include <chrono>
#include <functional>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "crash_process.h"
#include "crash_workload.h"
#include "storage/check.h"
#include "storage/engine.h"

namespace neuroquantum::storage::crash {
namespace {

constexpr char kTreeName[] = "crash";
constexpr size_t kMaxDiffsShown = 12;

bool LongRun() { return std::getenv("NQ_TEST_LONG") != nullptr; }

uint64_t SeedFor(uint64_t default_seed) {
  const char* env = std::getenv("NQ_CRASH_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 0) : default_seed;
}

// Which keys of one stream differ from `expected`; empty when equal.
std::vector<std::string> DiffStream(uint64_t seed, int stream, const StreamState& expected,
                                    const std::map<std::string, std::string>& actual) {
  std::vector<std::string> diffs;
  std::map<std::string, int> expected_keys;
  for (const auto& [index, version] : expected) expected_keys[KeyName(stream, index)] = index;
  for (const auto& [key, index] : expected_keys) {
    std::string want = MakeValue(seed, stream, index, expected.at(index));
    auto found = actual.find(key);
    // Keys print as "s<stream>/<index>" (long keys have a filler tail).
    if (found == actual.end()) {
      diffs.push_back(fmt::format("key {}: expected {}, actual absent", key.substr(0, 7),
                                  DescribeValue(want)));
    } else if (found->second != want) {
      diffs.push_back(fmt::format("key {}: expected {}, actual {}", key.substr(0, 7),
                                  DescribeValue(want), DescribeValue(found->second)));
    }
  }
  for (const auto& [key, value] : actual) {
    if (expected_keys.count(key) == 0) {
      diffs.push_back(fmt::format("key {}: expected absent, actual {}", key.substr(0, 7),
                                  DescribeValue(value)));
    }
  }
  return diffs;
}

std::string JoinDiffs(const std::vector<std::string>& diffs) {
  std::string text;
  for (size_t i = 0; i < diffs.size() && i < kMaxDiffsShown; ++i) text += "\n    " + diffs[i];
  if (diffs.size() > kMaxDiffsShown) {
    text += fmt::format("\n    ... {} more", diffs.size() - kMaxDiffsShown);
  }
  return text;
}

// ---- the child ----

// What a child process does, passed in NQ_CRASH_CHILD as
// "workload <seed> <stream mask> <next0> <next1> <next2> <next3> <path>" or
// "recover <path>" (the path last: it may contain spaces).
struct ChildTask {
  bool recover_only = false;
  uint64_t seed = 0;
  std::vector<int> streams;
  std::array<uint64_t, kStreams> next{};
  std::string path;

  std::string Encode() const {
    if (recover_only) return "recover " + path;
    unsigned mask = 0;
    for (int s : streams) mask |= 1u << s;
    return fmt::format("workload {} {} {} {} {} {} {}", seed, mask, next[0], next[1], next[2],
                       next[3], path);
  }
  static bool Parse(const std::string& text, ChildTask* task) {
    std::istringstream in(text);
    std::string kind;
    in >> kind;
    if (kind == "workload") {
      unsigned mask = 0;
      in >> task->seed >> mask;
      for (auto& n : task->next) in >> n;
      for (int s = 0; s < kStreams; ++s) {
        if (mask & (1u << s)) task->streams.push_back(s);
      }
    } else {
      task->recover_only = kind == "recover";
    }
    in >> std::ws;
    std::getline(in, task->path);
    return in.eof() && !task->path.empty() && (task->recover_only || !task->streams.empty());
  }
};

// Runs transactions of `stream` from `first` on until killed. Reports
// "C <stream> <txn>" or "R <stream> <txn>" once Commit or Rollback returned
// OK; on any error reports "E ..." and returns nonzero.
int RunStream(StorageEngine* engine, TreeId tree, uint64_t seed, int stream, uint64_t first) {
  for (uint64_t number = first;; ++number) {
    TxnPlan plan = MakePlan(seed, stream, number);
    auto txn = engine->Begin();
    for (size_t i = 0; i < plan.ops.size(); ++i) {
      const Op& op = plan.ops[i];
      std::string key = KeyName(stream, op.key_index);
      Version version{number, static_cast<uint32_t>(i), op.filler_bytes};
      Status s = op.is_delete
                     ? engine->Delete(txn.get(), tree, key)
                     : engine->Put(txn.get(), tree, key,
                                   MakeValue(seed, stream, op.key_index, version));
      if (!s.ok() && !(op.is_delete && s.IsNotFound())) {
        WriteLine(fmt::format("E s{} t{} op {}: {}", stream, number, i, s.ToString()));
        return 2;
      }
    }
    Status s = plan.rollback ? engine->Rollback(txn.get()) : engine->Commit(txn.get());
    if (!s.ok()) {
      WriteLine(fmt::format("E s{} t{} {}: {}", stream, number,
                            plan.rollback ? "rollback" : "commit", s.ToString()));
      return 2;
    }
    WriteLine(fmt::format("{} {} {}", plan.rollback ? 'R' : 'C', stream, number));
    if (plan.checkpoint_after) {
      s = engine->Checkpoint();
      if (!s.ok()) {
        WriteLine(fmt::format("E checkpoint after s{} t{}: {}", stream, number, s.ToString()));
        return 2;
      }
    }
  }
}

// The child's whole life: open (recovering if needed), report "O", then
// either stop at once without closing (recover_only) or run one thread per
// stream until killed.
int RunChild(const ChildTask& task) {
  auto engine = StorageEngine::Open(task.path, CrashOptions());
  if (!engine.ok()) {
    WriteLine("E open: " + engine.status().ToString());
    return 2;
  }
  WriteLine("O");
  if (task.recover_only) ::_exit(0);  // no clean close: skip the closing checkpoint
  auto tree = (*engine)->FindTree(kTreeName);
  if (!tree.ok()) {
    WriteLine("E find tree: " + tree.status().ToString());
    return 2;
  }
  std::vector<std::thread> threads;
  for (int stream : task.streams) {
    threads.emplace_back([&, stream] {
      // An error in one thread ends the process.
      ::_exit(RunStream(engine->get(), *tree, task.seed, stream, task.next[stream]));
    });
  }
  for (auto& thread : threads) thread.join();
  return 4;  // unreachable: RunStream only returns on error
}

// The child's entry point: SpawnAndKill runs this binary with only this
// test selected. Skipped when run by hand.
TEST(CrashChild, DISABLED_Main) {
  const char* spec = std::getenv(kChildEnv);
  if (spec == nullptr) GTEST_SKIP() << "only runs as a crash-test child process";
  WriteLine("S");
  ChildTask task;
  if (!ChildTask::Parse(spec, &task)) {
    WriteLine(fmt::format("E bad {}: {}", kChildEnv, spec));
    ::_exit(2);
  }
  ::_exit(RunChild(task));  // never return into GoogleTest
}

constexpr char kChildTest[] = "CrashChild.DISABLED_Main";

// ---- the parent ----

struct RoundSpec {
  bool concurrent = false;     // four streams in four threads (group commit)
  int stream = 0;              // the stream of a single-threaded round
  int delay_ms = 0;            // until SIGKILL
  std::vector<int> recovery_kills_ms;  // then interrupt recoveries after these delays
};

struct CrashStats {
  int rounds = 0;
  int killed_before_open = 0;
  uint64_t commits = 0;
  uint64_t rollbacks = 0;
  uint64_t in_flight_committed = 0;
  uint64_t transactions_undone = 0;
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty()) << "cannot create a temporary directory";
    path_ = dir_ + "/db";
    auto engine = StorageEngine::Open(path_, CrashOptions());
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_TRUE((*engine)->CreateTree(kTreeName).ok());
    next_.fill(1);
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "crash_test: database kept at " << path_ << "\n";
    } else if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
  }

  std::string Where(int round) const {
    return fmt::format("round {} (seed {}, NQ_CRASH_SEED={} replays the workload, db {})", round,
                       seed_, seed_, path_);
  }

  void RunRound(int round, const RoundSpec& spec);
  void ApplyReport(int round, const ChildRun& run);
  void KillDuringRecovery(int round, int delay_ms);
  void VerifyRound(int round, const std::array<std::optional<uint64_t>, kStreams>& in_flight);
  void ResolveStream(int round, int stream, std::optional<uint64_t> in_flight,
                     const std::map<std::string, std::string>& actual);
  void PrintStats(const char* name, std::chrono::steady_clock::time_point start) const;
  // Runs `rounds` rounds (`long_rounds` with NQ_TEST_LONG=1), the spec of
  // each drawn by `make_spec` from the test's seeded generator, then prints
  // the statistics under `name`.
  void RunRounds(uint64_t default_seed, const char* name, int rounds, int long_rounds,
                 const std::function<RoundSpec(int round, std::mt19937_64& rng)>& make_spec);

  std::string dir_, path_;
  uint64_t seed_ = 0;
  std::array<StreamState, kStreams> model_;  // state after acknowledged commits
  std::array<uint64_t, kStreams> next_{};    // next transaction number per stream
  CrashStats stats_;
};

void CrashTest::RunRound(int round, const RoundSpec& spec) {
  ChildTask task;
  task.seed = seed_;
  task.next = next_;
  task.path = path_;
  if (spec.concurrent) {
    for (int s = 0; s < kStreams; ++s) task.streams.push_back(s);
  } else {
    task.streams.push_back(spec.stream);
  }
  ChildRun run = SpawnAndKill(kChildTest, task.Encode(), spec.delay_ms);
  stats_.rounds++;
  ASSERT_NO_FATAL_FAILURE(ApplyReport(round, run));
  std::array<std::optional<uint64_t>, kStreams> in_flight;
  for (int s : task.streams) in_flight[s] = next_[s];
  for (int delay_ms : spec.recovery_kills_ms) {
    ASSERT_NO_FATAL_FAILURE(KillDuringRecovery(round, delay_ms));
  }
  ASSERT_NO_FATAL_FAILURE(VerifyRound(round, in_flight));
}

// Applies the acknowledged transactions to the model, in order per stream.
void CrashTest::ApplyReport(int round, const ChildRun& run) {
  ASSERT_TRUE(run.error.empty()) << Where(round) << ": " << run.error;
  bool opened = false;
  for (const std::string& line : run.lines) {
    ASSERT_FALSE(line.empty() || line[0] == 'E') << Where(round) << ": child failed: " << line;
    if (line == "O") {
      opened = true;
      continue;
    }
    char kind = 0;
    int stream = -1;
    uint64_t number = 0;
    std::istringstream in(line);
    in >> kind >> stream >> number;
    ASSERT_TRUE(in && (kind == 'C' || kind == 'R') && stream >= 0 && stream < kStreams)
        << Where(round) << ": bad report line '" << line << "'";
    ASSERT_EQ(number, next_[stream]) << Where(round) << ": stream " << stream << " out of order";
    TxnPlan plan = MakePlan(seed_, stream, number);
    ASSERT_EQ(kind == 'R', plan.rollback) << Where(round) << ": " << line;
    Apply(plan, &model_[stream]);
    next_[stream]++;
    (kind == 'C' ? stats_.commits : stats_.rollbacks)++;
  }
  ASSERT_TRUE(run.killed()) << Where(round) << ": child " << run.DescribeExit()
                            << " instead of being killed";
  if (!opened) stats_.killed_before_open++;
}

// Kills a second child while it recovers (or, if it is quicker, after it
// recovered and before any clean close).
void CrashTest::KillDuringRecovery(int round, int delay_ms) {
  ChildTask task;
  task.recover_only = true;
  task.path = path_;
  ChildRun run = SpawnAndKill(kChildTest, task.Encode(), delay_ms);
  ASSERT_TRUE(run.error.empty()) << Where(round) << ": recovery child: " << run.error;
  for (const std::string& line : run.lines) {
    ASSERT_TRUE(line == "O") << Where(round) << ": recovery child failed: " << line;
  }
  ASSERT_TRUE(run.killed() || run.exited_ok())
      << Where(round) << ": recovery child " << run.DescribeExit();
}

// Reopens, compares every stream with the model, resolves the in-flight
// transactions, cross-checks point lookups, runs the integrity checker.
void CrashTest::VerifyRound(int round,
                            const std::array<std::optional<uint64_t>, kStreams>& in_flight) {
  auto engine = StorageEngine::Open(path_, CrashOptions());
  ASSERT_TRUE(engine.ok()) << Where(round) << ": reopen failed: " << engine.status().ToString();
  stats_.transactions_undone += (*engine)->recovery_info().transactions_undone;
  auto tree = (*engine)->FindTree(kTreeName);
  ASSERT_TRUE(tree.ok()) << Where(round) << ": " << tree.status().ToString();
  std::array<std::map<std::string, std::string>, kStreams> actual;
  auto it = (*engine)->NewIterator(*tree);
  ASSERT_TRUE(it.ok()) << Where(round) << ": " << it.status().ToString();
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
    std::string key((*it)->key());
    auto value = (*it)->value();
    ASSERT_TRUE(value.ok()) << Where(round) << ": value of " << key << ": "
                            << value.status().ToString();
    int stream = key.size() > 2 && key[0] == 's' && key[2] == '/' ? key[1] - '0' : -1;
    ASSERT_TRUE(stream >= 0 && stream < kStreams) << Where(round) << ": stray key " << key;
    actual[stream][key] = *std::move(value);
  }
  ASSERT_TRUE((*it)->status().ok()) << Where(round) << ": scan: " << (*it)->status().ToString();
  for (int s = 0; s < kStreams; ++s) {
    ASSERT_NO_FATAL_FAILURE(ResolveStream(round, s, in_flight[s], actual[s]));
    for (int index = 0; index < kKeysPerStream; ++index) {
      std::string key = KeyName(s, index);
      auto got = (*engine)->Get(*tree, key);
      ASSERT_TRUE(got.ok()) << Where(round) << ": Get " << key << ": " << got.status().ToString();
      auto scanned = actual[s].find(key);
      ASSERT_EQ(got->has_value(), scanned != actual[s].end())
          << Where(round) << ": Get and scan disagree on presence of s" << s << " k" << index;
      if (got->has_value()) {
        ASSERT_TRUE(**got == scanned->second)
            << Where(round) << ": Get and scan disagree on s" << s << " k" << index << ": "
            << DescribeValue(**got) << " vs " << DescribeValue(scanned->second);
      }
    }
  }
  CheckReport report;
  Status s = CheckDatabase(engine->get(), &report);
  ASSERT_TRUE(s.ok()) << Where(round) << ": CheckDatabase: " << s.ToString();
  for (const auto& problem : report.problems) ADD_FAILURE() << Where(round) << ": " << problem;
}

// The stream must equal the model, or (if its in-flight transaction was a
// commit) the model plus that whole transaction. Adopts whichever matched.
void CrashTest::ResolveStream(int round, int stream, std::optional<uint64_t> in_flight,
                              const std::map<std::string, std::string>& actual) {
  std::vector<std::string> without = DiffStream(seed_, stream, model_[stream], actual);
  if (!in_flight) {
    ASSERT_TRUE(without.empty()) << Where(round) << ": stream " << stream
                                 << " (idle this round) differs from its last state:"
                                 << JoinDiffs(without);
    return;
  }
  next_[stream] = *in_flight + 1;  // skip it either way: it is settled now
  if (without.empty()) return;
  TxnPlan plan = MakePlan(seed_, stream, *in_flight);
  StreamState with_state = model_[stream];
  Apply(plan, &with_state);
  std::vector<std::string> with = DiffStream(seed_, stream, with_state, actual);
  if (!plan.rollback && with.empty()) {
    model_[stream] = std::move(with_state);
    stats_.in_flight_committed++;
    return;
  }
  FAIL() << Where(round) << ": stream " << stream << " after acknowledged t" << *in_flight - 1
         << " matches neither that state nor the in-flight " << DescribePlan(plan)
         << "\n  versus acknowledged state:" << JoinDiffs(without)
         << (plan.rollback ? std::string("\n  (in-flight was a rollback: no other state allowed)")
                           : "\n  versus acknowledged + in-flight:" + JoinDiffs(with));
}

void CrashTest::PrintStats(const char* name, std::chrono::steady_clock::time_point start) const {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "[ crash    ] {}: {} rounds in {} ms, seed {}: {} commits and {} rollbacks acknowledged, "
      "{} in-flight commits survived, {} kills before open, {} transactions undone\n",
      name, stats_.rounds, ms, seed_, stats_.commits, stats_.rollbacks,
      stats_.in_flight_committed, stats_.killed_before_open, stats_.transactions_undone);
}

void CrashTest::RunRounds(uint64_t default_seed, const char* name, int rounds, int long_rounds,
                          const std::function<RoundSpec(int, std::mt19937_64&)>& make_spec) {
  seed_ = SeedFor(default_seed);
  std::mt19937_64 rng(seed_);
  auto start = std::chrono::steady_clock::now();
  const int total = LongRun() ? long_rounds : rounds;
  for (int round = 1; round <= total && !HasFailure(); ++round) {
    ASSERT_NO_FATAL_FAILURE(RunRound(round, make_spec(round, rng)));
  }
  PrintStats(name, start);
}

TEST_F(CrashTest, MixedRoundsKeepEveryAcknowledgedCommit) {
  RunRounds(1, "mixed", 40, 300, [](int, std::mt19937_64& rng) {
    RoundSpec spec;
    uint64_t kind = rng() % 100;
    spec.concurrent = kind < 25;
    spec.stream = static_cast<int>(rng() % kStreams);
    spec.delay_ms = 5 + static_cast<int>(rng() % 146);
    if (kind >= 85) spec.recovery_kills_ms.push_back(static_cast<int>(rng() % 15));
    return spec;
  });
}

TEST_F(CrashTest, ConcurrentWritersKeepEveryAcknowledgedCommit) {
  RunRounds(2, "concurrent", 12, 60, [](int, std::mt19937_64& rng) {
    RoundSpec spec;
    spec.concurrent = true;
    spec.delay_ms = 5 + static_cast<int>(rng() % 146);
    return spec;
  });
}

// Kills land in Open (with its recovery and checkpoint) and the first
// transactions after it.
TEST_F(CrashTest, KillsRightAfterStartAreHarmless) {
  RunRounds(3, "early kills", 10, 60, [](int round, std::mt19937_64& rng) {
    RoundSpec spec;
    spec.concurrent = round % 2 == 0;
    spec.stream = round % kStreams;
    spec.delay_ms = static_cast<int>(rng() % 30);
    if (round % 3 == 0) spec.recovery_kills_ms.push_back(static_cast<int>(rng() % 5));
    return spec;
  });
}

// Several recoveries in a row are each interrupted before the final one.
TEST_F(CrashTest, RepeatedlyInterruptedRecoveryConverges) {
  RunRounds(4, "interrupted recoveries", 4, 30, [](int, std::mt19937_64& rng) {
    RoundSpec spec;
    spec.concurrent = true;
    spec.delay_ms = 40 + static_cast<int>(rng() % 100);
    for (int i = 0; i < 4; ++i) spec.recovery_kills_ms.push_back(static_cast<int>(rng() % 6));
    return spec;
  });
}

}  // namespace
}  // namespace neuroquantum::storage::crash
