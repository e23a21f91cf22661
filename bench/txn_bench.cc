// txn_bench: the transaction benchmark of `make bench`. A TPC-B-like
// workload (as pgbench runs it) on NeuroQuantumDB's transaction engine and
// on SQLite in the same run, with 1, 2 and 4 client threads, reporting
// transactions per second and the ratio ours/SQLite.
//
// Each transaction, for random account a, teller t and branch b:
//   UPDATE accounts SET balance = balance + d WHERE id = a
//   SELECT balance FROM accounts WHERE id = a
//   UPDATE tellers  SET balance = balance + d WHERE id = t
//   UPDATE branches SET balance = balance + d WHERE id = b
//   INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (...)
// Ours: READ COMMITTED, each UPDATE a GetForUpdate + Update on the row, the
// history row a fresh key; full durability (group commit). SQLite:
// journal_mode=WAL, synchronous=FULL, busy_timeout, BEGIN IMMEDIATE, one
// connection per thread, prepared statements. --scale branches, each with
// 10 tellers and --accounts-per-branch accounts (pgbench has 100000; fewer
// by default to keep the load short; the hot rows are the same).
//
// The configurations alternate between the engines in rounds so that the
// shared machine's drift does not fall on one engine only. Any error aborts
// the run: a figure is never made up.
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"

#include "neuroquantum/options.h"
#include "txn/txn_engine.h"
#include "scratch_dir.h"

namespace neuroquantum::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using storage::TreeId;

struct Flags {
  int scale = 4;
  int accounts_per_branch = 10000;
  double seconds = 3.0;  // per configuration and round
  int rounds = 2;
  std::vector<int> threads = {1, 2, 4};
  std::string dir;
};

[[noreturn]] void Die(std::string_view message) {
  fmt::print(stderr, "txn_bench: {}\n", message);
  std::exit(1);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--scale") f.scale = std::stoi(value());
    else if (arg == "--accounts-per-branch") f.accounts_per_branch = std::stoi(value());
    else if (arg == "--seconds") f.seconds = std::stod(value());
    else if (arg == "--rounds") f.rounds = std::stoi(value());
    else if (arg == "--dir") f.dir = value();
    else if (arg == "--threads") {
      f.threads.clear();
      std::string list = value();
      for (size_t pos = 0; pos < list.size();) {
        size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        f.threads.push_back(std::stoi(list.substr(pos, comma - pos)));
        pos = comma + 1;
      }
    }
    else if (arg == "--help") {
      fmt::print("txn_bench [--scale N=4] [--accounts-per-branch N=10000] [--seconds S=3]\n"
                 "          [--rounds N=2] [--threads 1,2,4] [--dir DIR]\n");
      std::exit(0);
    } else {
      Die("unknown flag " + arg + " (see --help)");
    }
  }
  if (f.scale < 1 || f.accounts_per_branch < 1 || f.seconds <= 0 || f.rounds < 1 || f.threads.empty()) {
    Die("bad flag value");
  }
  for (int t : f.threads) {
    if (t < 1 || t > 64) Die("--threads takes 1 to 64 per entry");
  }
  return f;
}

// One client's random choices, the same sequence for both engines.
struct Choice {
  int account, teller, branch, delta;
};

class Chooser {
 public:
  Chooser(const Flags& f, uint64_t seed) : flags_(f), rng_(seed) {}
  Choice Next() {
    Choice c;
    c.branch = static_cast<int>(rng_() % static_cast<uint64_t>(flags_.scale));
    c.teller = static_cast<int>(rng_() % static_cast<uint64_t>(flags_.scale * 10));
    c.account = static_cast<int>(rng_() % static_cast<uint64_t>(flags_.scale * flags_.accounts_per_branch));
    c.delta = static_cast<int>(rng_() % 10001) - 5000;
    return c;
  }

 private:
  const Flags& flags_;
  std::mt19937_64 rng_;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  // Runs transactions until `stop`; returns how many committed.
  virtual uint64_t Client(int id, const std::atomic<bool>& stop) = 0;
};

// ------------------------------------------------------------------ ours ---

// Big-endian, so keys sort as the numbers do (all are non-negative).
std::string IntKey(int64_t v) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) key[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return key;
}

class Ours : public Engine {
 public:
  Ours(const Flags& flags, const std::string& dir) : flags_(flags) {
    Options o;
    o.buffer_pool_mib = 64;
    auto engine = txn::TxnEngine::Open(dir + "/nq.db", o);
    if (!engine.ok()) Die(engine.status().ToString());
    engine_ = std::move(*engine);
    accounts_ = Create("accounts");
    tellers_ = Create("tellers");
    branches_ = Create("branches");
    history_ = Create("history");
    Load(accounts_, flags.scale * flags.accounts_per_branch);
    Load(tellers_, flags.scale * 10);
    Load(branches_, flags.scale);
  }
  std::string name() const override { return "NeuroQuantumDB"; }

  uint64_t Client(int id, const std::atomic<bool>& stop) override {
    Chooser chooser(flags_, static_cast<uint64_t>(id) + 1);
    uint64_t done = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      Choice c = chooser.Next();
      auto txn = engine_->Begin();
      Status s = AddTo(txn.get(), accounts_, c.account, c.delta);
      if (s.ok()) {
        auto balance = txn->Get(accounts_, IntKey(c.account));
        s = balance.ok() ? Status::OK() : balance.status();
      }
      if (s.ok()) s = AddTo(txn.get(), tellers_, c.teller, c.delta);
      if (s.ok()) s = AddTo(txn.get(), branches_, c.branch, c.delta);
      if (s.ok()) {
        std::string key = IntKey(history_seq_.fetch_add(1, std::memory_order_relaxed));
        s = txn->Insert(history_, key, fmt::format("{} {} {} {} {}", c.teller, c.branch, c.account, c.delta,
                                                   std::time(nullptr)));
      }
      if (s.ok()) s = txn->Commit();
      if (!s.ok()) Die("ours: " + s.ToString());
      ++done;
    }
    return done;
  }
  std::string Summary() {
    auto t = engine_->stats();
    auto st = engine_->storage()->stats();
    return fmt::format("{} commits, WAL {:.0f} bytes and {:.2f} fsyncs per commit, {} checkpoints",
                       t.commits, static_cast<double>(t.wal_bytes) / static_cast<double>(t.commits),
                       static_cast<double>(t.wal_syncs) / static_cast<double>(t.commits), st.checkpoints);
  }

 private:
  TreeId Create(const char* name) {
    auto t = engine_->CreateTable(name);
    if (!t.ok()) Die(t.status().ToString());
    return *t;
  }
  void Load(TreeId table, int rows) {
    for (int start = 0; start < rows; start += 10000) {
      auto txn = engine_->Begin();
      for (int i = start; i < std::min(rows, start + 10000); ++i) {
        Status s = txn->Insert(table, IntKey(i), "0");
        if (!s.ok()) Die(s.ToString());
      }
      Status s = txn->Commit();
      if (!s.ok()) Die(s.ToString());
    }
  }
  Status AddTo(txn::Transaction* txn, TreeId table, int id, int delta) {
    std::string key = IntKey(id);
    NQ_ASSIGN_OR_RETURN(auto value, txn->GetForUpdate(table, key));
    if (!value) return Status::Internal("row missing");
    return txn->Update(table, key, std::to_string(std::stoll(*value) + delta));
  }

  const Flags& flags_;
  std::unique_ptr<txn::TxnEngine> engine_;
  TreeId accounts_ = 0, tellers_ = 0, branches_ = 0, history_ = 0;
  std::atomic<int64_t> history_seq_{0};
};

// ---------------------------------------------------------------- SQLite ---

class Sqlite : public Engine {
 public:
  Sqlite(const Flags& flags, const std::string& dir) : flags_(flags), path_(dir + "/sqlite.db") {
    sqlite3* db = OpenConnection();
    Exec(db, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
    Exec(db, "CREATE TABLE tellers(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
    Exec(db, "CREATE TABLE branches(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
    Exec(db, "CREATE TABLE history(tid INTEGER, bid INTEGER, aid INTEGER, delta INTEGER, mtime INTEGER)");
    Exec(db, "BEGIN");
    Fill(db, "accounts", flags.scale * flags.accounts_per_branch);
    Fill(db, "tellers", flags.scale * 10);
    Fill(db, "branches", flags.scale);
    Exec(db, "COMMIT");
    sqlite3_close(db);
  }
  std::string name() const override { return "SQLite"; }

  uint64_t Client(int id, const std::atomic<bool>& stop) override {
    sqlite3* db = OpenConnection();
    sqlite3_stmt* begin = Prepare(db, "BEGIN IMMEDIATE");
    sqlite3_stmt* commit = Prepare(db, "COMMIT");
    sqlite3_stmt* upd_a = Prepare(db, "UPDATE accounts SET balance = balance + ?1 WHERE id = ?2");
    sqlite3_stmt* sel_a = Prepare(db, "SELECT balance FROM accounts WHERE id = ?1");
    sqlite3_stmt* upd_t = Prepare(db, "UPDATE tellers SET balance = balance + ?1 WHERE id = ?2");
    sqlite3_stmt* upd_b = Prepare(db, "UPDATE branches SET balance = balance + ?1 WHERE id = ?2");
    sqlite3_stmt* ins_h = Prepare(db, "INSERT INTO history VALUES (?1, ?2, ?3, ?4, ?5)");
    Chooser chooser(flags_, static_cast<uint64_t>(id) + 1);
    uint64_t done = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      Choice c = chooser.Next();
      Step(db, begin);
      sqlite3_bind_int(upd_a, 1, c.delta);
      sqlite3_bind_int(upd_a, 2, c.account);
      Step(db, upd_a);
      sqlite3_bind_int(sel_a, 1, c.account);
      Step(db, sel_a);
      sqlite3_bind_int(upd_t, 1, c.delta);
      sqlite3_bind_int(upd_t, 2, c.teller);
      Step(db, upd_t);
      sqlite3_bind_int(upd_b, 1, c.delta);
      sqlite3_bind_int(upd_b, 2, c.branch);
      Step(db, upd_b);
      sqlite3_bind_int(ins_h, 1, c.teller);
      sqlite3_bind_int(ins_h, 2, c.branch);
      sqlite3_bind_int(ins_h, 3, c.account);
      sqlite3_bind_int(ins_h, 4, c.delta);
      sqlite3_bind_int64(ins_h, 5, std::time(nullptr));
      Step(db, ins_h);
      Step(db, commit);
      ++done;
    }
    for (auto* s : {begin, commit, upd_a, sel_a, upd_t, upd_b, ins_h}) sqlite3_finalize(s);
    sqlite3_close(db);
    return done;
  }

 private:
  sqlite3* OpenConnection() {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      Die("cannot open SQLite database");
    }
    sqlite3_busy_timeout(db, 10000);
    Exec(db, "PRAGMA journal_mode=WAL");
    Exec(db, "PRAGMA synchronous=FULL");
    return db;
  }
  static void Exec(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      Die(fmt::format("SQLite: {}: {}", sql, sqlite3_errmsg(db)));
    }
  }
  static sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      Die(fmt::format("SQLite: {}: {}", sql, sqlite3_errmsg(db)));
    }
    return stmt;
  }
  static void Step(sqlite3* db, sqlite3_stmt* stmt) {
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) Die(fmt::format("SQLite: {}: {}", sqlite3_sql(stmt), sqlite3_errmsg(db)));
    sqlite3_reset(stmt);
  }
  static void Fill(sqlite3* db, const char* table, int rows) {
    sqlite3_stmt* ins = Prepare(db, fmt::format("INSERT INTO {} VALUES (?1, 0)", table).c_str());
    for (int i = 0; i < rows; ++i) {
      sqlite3_bind_int(ins, 1, i);
      Step(db, ins);
    }
    sqlite3_finalize(ins);
  }

  const Flags& flags_;
  std::string path_;
};

// ----------------------------------------------------------------- runs ---

// User and system CPU seconds of the whole process.
std::pair<double, double> CpuSeconds() {
  rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return {static_cast<double>(u.ru_utime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec) * 1e-6,
          static_cast<double>(u.ru_stime.tv_sec) + static_cast<double>(u.ru_stime.tv_usec) * 1e-6};
}

struct RunResult {
  double tps = 0;
  double cpu_us_per_txn = 0;  // user + system CPU of the whole process
  double user_us_per_txn = 0;
};

RunResult Run(Engine* engine, int threads, double seconds) {
  std::atomic<bool> stop{false};
  auto cpu_start = CpuSeconds();
  std::vector<uint64_t> counts(static_cast<size_t>(threads));
  std::vector<std::thread> clients;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] { counts[static_cast<size_t>(t)] = engine->Client(t, stop); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& c : clients) c.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  RunResult r;
  r.tps = static_cast<double>(total) / elapsed;
  auto cpu_end = CpuSeconds();
  double per = 1e6 / static_cast<double>(std::max<uint64_t>(total, 1));
  r.user_us_per_txn = (cpu_end.first - cpu_start.first) * per;
  r.cpu_us_per_txn = r.user_us_per_txn + (cpu_end.second - cpu_start.second) * per;
  return r;
}

int Main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  std::string dir = MakeScratchDir(flags.dir, "txn_bench");
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  fmt::print("txn_bench  {}\n", date);
  fmt::print("  machine: {} hardware threads; data dir {}\n", std::thread::hardware_concurrency(), dir);
  fmt::print("  TPC-B-like: scale {} ({} branches, {} tellers, {} accounts), {:.1f} s per configuration,\n"
             "  {} rounds alternating the engines; ours READ COMMITTED + full durability, SQLite {}\n"
             "  WAL + synchronous=FULL + BEGIN IMMEDIATE\n\n",
             flags.scale, flags.scale, flags.scale * 10, flags.scale * flags.accounts_per_branch, flags.seconds,
             flags.rounds, sqlite3_libversion());
  auto ours_owner = std::make_unique<Ours>(flags, dir);
  auto sqlite_owner = std::make_unique<Sqlite>(flags, dir);
  Ours& ours = *ours_owner;
  Sqlite& sqlite = *sqlite_owner;
  const std::vector<int>& configs = flags.threads;
  const size_t n = configs.size();
  std::vector<double> best_ours(n, 0), best_sqlite(n, 0);
  std::vector<double> cpu_ours(n, 1e18), cpu_sqlite(n, 1e18);
  for (int round = 0; round < flags.rounds; ++round) {
    for (size_t c = 0; c < n; ++c) {
      bool ours_first = (static_cast<size_t>(round) + c) % 2 == 0;
      for (int k = 0; k < 2; ++k) {
        bool is_ours = (k == 0) == ours_first;
        RunResult r = Run(is_ours ? static_cast<Engine*>(&ours) : &sqlite, configs[c], flags.seconds);
        double& best = is_ours ? best_ours[c] : best_sqlite[c];
        best = std::max(best, r.tps);
        double& cpu = is_ours ? cpu_ours[c] : cpu_sqlite[c];
        cpu = std::min(cpu, r.cpu_us_per_txn);
        fmt::print("  round {} {:>15} {} thread{}: {:8.0f} tps, CPU per transaction {:6.1f} us ({:5.1f} us user)\n",
                   round + 1, is_ours ? "NeuroQuantumDB" : "SQLite", configs[c], configs[c] == 1 ? " " : "s", r.tps,
                   r.cpu_us_per_txn, r.user_us_per_txn);
        std::fflush(stdout);
      }
    }
  }
  fmt::print("\nBest of {} rounds (transactions per second):\n\n", flags.rounds);
  fmt::print("| threads | NeuroQuantumDB | SQLite | ours / SQLite | CPU us/txn ours | CPU us/txn SQLite |\n"
             "|---|---|---|---|---|---|\n");
  for (size_t c = 0; c < n; ++c) {
    fmt::print("| {} | {:.0f} | {:.0f} | {:.2f}x | {:.1f} | {:.1f} |\n", configs[c], best_ours[c], best_sqlite[c],
               best_ours[c] / best_sqlite[c], cpu_ours[c], cpu_sqlite[c]);
  }
  fmt::print("\nGoals:");
  for (size_t c = 0; c < n; ++c) {
    double r = best_ours[c] / best_sqlite[c];
    if (configs[c] == 1) fmt::print(" 1 thread >= 1x SQLite: {:.2f}x {};", r, r >= 1.0 ? "PASS" : "MISS");
    if (configs[c] == 4) fmt::print(" 4 threads > 1.5x SQLite: {:.2f}x {};", r, r > 1.5 ? "PASS" : "MISS");
  }
  fmt::print("\n");
  fmt::print("ours over the whole run (load included): {}\n", ours.Summary());
  ours_owner.reset();
  sqlite_owner.reset();
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace neuroquantum::bench

int main(int argc, char** argv) { return neuroquantum::bench::Main(argc, argv); }
