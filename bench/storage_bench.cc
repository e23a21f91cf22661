// storage_bench: the storage benchmark of `make bench`. Runs one workload
// (N keys of 16 bytes, values of 100 bytes) against the NeuroQuantumDB
// storage engine, LMDB and SQLite in the same process, prints each figure and
// the ratio ours/peer per phase, and ends with the goals of the storage issue
// marked PASS or MISS. docs/benchmarks/storage.md explains the phases, what
// "cold" means and how to read the output.
//
// Phases, each timed, for each engine:
//   1. sequential bulk insert (ascending keys, --batch keys per commit)
//   2. random insert into a fresh database (a fixed random permutation)
//   3. random point get, warm (right after phase 2) and cold (after close,
//      fdatasync + POSIX_FADV_DONTNEED of every data file, reopen)
//   4. full scan in key order, warm
//   5. durable single-put commits/s: one committer, then --threads committers
// plus the raw 4 KiB pwrite+fdatasync rate of the disk as the ceiling of 5.
// Each phase runs across all engines before the next starts, and phase 5
// runs in rounds where the engines and the fdatasync probe take turns, so
// that the shared machine's drift does not fall on one engine only.
//
// Every store runs with full durability (ours Durability::kFull, SQLite
// journal_mode=WAL + synchronous=FULL, LMDB default sync flags) and the
// same batching. Any error aborts the run: a figure is never made up.
//
// Thread safety: the program is single-threaded except in phase 5, where
// each committer thread uses its own Writer.
#include <fcntl.h>
#include <lmdb.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <latch>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fmt/format.h"

#include "neuroquantum/options.h"
#include "storage/engine.h"
#include "scratch_dir.h"

namespace neuroquantum::bench {
namespace {

namespace fs = std::filesystem;

constexpr size_t kKeyBytes = 16;
constexpr size_t kValueBytes = 100;
constexpr uint64_t kLmdbMinMapBytes = uint64_t{4} << 30;

// ---------------------------------------------------------------- flags ---

struct Flags {
  uint64_t keys = 1000000;
  uint64_t commits = 2000;  // durable commits per committer configuration
  uint32_t threads = 4;     // committers of the concurrent commit phase
  uint64_t batch = 10000;   // keys per transaction in the load phases
  uint32_t cache_mib = 64;
  std::string dir;          // empty: /tmp, or ./bench-data if /tmp is tmpfs
};

[[noreturn]] void Die(std::string_view message) {
  fmt::print(stderr, "storage_bench: {}\n", message);
  std::exit(1);
}

uint64_t ParseCount(std::string_view flag, const char* text) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value == 0) {
    Die(fmt::format("{} wants a positive integer, got '{}'", flag, text));
  }
  return value;
}

void PrintUsage() {
  fmt::print(
      "usage: storage_bench [--keys N] [--commits M] [--threads T] [--batch B]\n"
      "                     [--cache-mib MIB] [--dir DIR]\n"
      "  --keys N             keys loaded per engine (default 1000000)\n"
      "  --commits M          durable single-put commits per phase (default 2000)\n"
      "  --threads T          committers of the concurrent commit phase (default 4)\n"
      "  --batch B            keys per transaction while loading (default 10000)\n"
      "  --cache-mib MIB      our buffer pool and SQLite's cache_size, MiB (default 64)\n"
      "  --dir DIR            parent of the scratch directory (default /tmp unless\n"
      "                       it is tmpfs, then ./bench-data)\n");
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      PrintUsage();
      std::exit(0);
    }
    if (i + 1 >= argc) Die(fmt::format("unknown flag or missing value: {}", flag));
    const char* value = argv[++i];
    if (flag == "--keys") {
      flags.keys = ParseCount(flag, value);
    } else if (flag == "--commits") {
      flags.commits = ParseCount(flag, value);
    } else if (flag == "--threads") {
      flags.threads = static_cast<uint32_t>(ParseCount(flag, value));
    } else if (flag == "--batch") {
      flags.batch = ParseCount(flag, value);
    } else if (flag == "--cache-mib") {
      flags.cache_mib = static_cast<uint32_t>(ParseCount(flag, value));
    } else if (flag == "--dir") {
      flags.dir = value;
    } else {
      Die(fmt::format("unknown flag: {} (try --help)", flag));
    }
  }
  return flags;
}

// ------------------------------------------------------------- workload ---

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

using Key = std::array<char, kKeyBytes>;

// Key number `index`: 8 zero bytes, then the index as a big-endian uint64,
// so that byte order equals numeric order.
Key KeyAt(uint64_t index) {
  Key key{};
  for (int i = 0; i < 8; ++i) key[15 - i] = static_cast<char>((index >> (8 * i)) & 0xff);
  return key;
}

std::string_view AsView(const Key& key) { return {key.data(), key.size()}; }

// A bijection on uint64 (the splitmix64 finalizer): distinct inputs give
// distinct, well-spread keys for the commit phases.
uint64_t Scramble(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Values are 100-byte windows of 1 MiB of fixed-seed random bytes (as
// LevelDB's db_bench): deterministic and checkable without storing N values.
class ValuePool {
 public:
  ValuePool() : bytes_(kPoolBytes + kValueBytes, '\0') {
    std::mt19937_64 rng(20240601);
    for (auto& c : bytes_) c = static_cast<char>(rng() & 0xff);
  }
  std::string_view For(uint64_t index) const {
    return {bytes_.data() + (index * 7919) % kPoolBytes, kValueBytes};
  }

 private:
  static constexpr size_t kPoolBytes = size_t{1} << 20;
  std::string bytes_;
};

std::vector<uint64_t> Sequence(uint64_t count) {
  std::vector<uint64_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  return order;
}

std::vector<uint64_t> Shuffled(uint64_t count, uint64_t seed) {
  std::vector<uint64_t> order = Sequence(count);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

// Counts the pairs of a scan and checks they come in strictly ascending order.
class ScanTally {
 public:
  void Add(std::string_view key, std::string_view /*value*/) {
    if (count_ > 0 && key <= std::string_view(previous_)) Die("scan returned keys out of order");
    previous_.assign(key);
    ++count_;
  }
  uint64_t count() const { return count_; }

 private:
  std::string previous_;
  uint64_t count_ = 0;
};

// ---------------------------------------------------------------- stores ---

// One writer's session. SQLite writers may own a connection.
// Thread safety: one thread at a time.
class Writer {
 public:
  virtual ~Writer() = default;
  virtual void Begin() = 0;
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Commit() = 0;
};

// A key-value store under test. Every method aborts the program on error.
// Thread safety: all methods from one thread, except that writers returned by
// NewWriter may be used concurrently (each by one thread).
class Store {
 public:
  virtual ~Store() = default;
  virtual std::string_view name() const = 0;
  // Opens, creating if missing, the database kept in directory `dir`.
  virtual void Open(const std::string& dir) = 0;
  virtual void Close() = 0;
  // Writer 0 shares the main session (SQLite: the main connection, so its
  // cache is the one later reads use); others get their own.
  virtual std::unique_ptr<Writer> NewWriter(uint32_t thread) = 0;
  // Gets are bracketed in read groups of --batch keys: a read transaction for
  // the peers (their fastest honest mode), nothing for ours.
  virtual void BeginReads() {}
  virtual void EndReads() {}
  // Returns false if the key is absent.
  virtual bool Get(std::string_view key, std::string* value) = 0;
  virtual void Scan(ScanTally* tally) = 0;
  // Log fsyncs so far, when the store reports them (for commits per fsync).
  virtual uint64_t LogSyncs() { return 0; }
  // Cache misses so far and pages in use, when the store reports them.
  virtual uint64_t CacheMisses() { return 0; }
  virtual uint64_t PagesInUse() { return 0; }
};

// --- NeuroQuantumDB ---

void CheckOk(const Status& status, std::string_view what) {
  if (!status.ok()) Die(fmt::format("ours: {}: {}", what, status.ToString()));
}

class NqWriter : public Writer {
 public:
  NqWriter(storage::StorageEngine* engine, storage::TreeId tree) : engine_(engine), tree_(tree) {}
  void Begin() override { txn_ = engine_->Begin(); }
  void Put(std::string_view key, std::string_view value) override {
    CheckOk(engine_->Put(txn_.get(), tree_, key, value), "Put");
  }
  void Commit() override {
    CheckOk(engine_->Commit(txn_.get()), "Commit");
    txn_.reset();
  }

 private:
  storage::StorageEngine* const engine_;
  const storage::TreeId tree_;
  std::unique_ptr<storage::Transaction> txn_;
};

class NqStore : public Store {
 public:
  explicit NqStore(uint32_t buffer_pool_mib) { options_.buffer_pool_mib = buffer_pool_mib; }
  std::string_view name() const override { return "ours"; }

  void Open(const std::string& dir) override {
    options_.durability = Durability::kFull;
    auto engine = storage::StorageEngine::Open(dir + "/db", options_);
    CheckOk(engine.status(), "Open");
    engine_ = std::move(engine).value();
    auto tree = engine_->FindTree("kv");
    if (!tree.ok() && tree.status().IsNotFound()) tree = engine_->CreateTree("kv");
    CheckOk(tree.status(), "FindTree/CreateTree");
    tree_ = *tree;
  }
  void Close() override { engine_.reset(); }
  std::unique_ptr<Writer> NewWriter(uint32_t) override {
    return std::make_unique<NqWriter>(engine_.get(), tree_);
  }
  bool Get(std::string_view key, std::string* value) override {
    auto got = engine_->Get(tree_, key);
    CheckOk(got.status(), "Get");
    if (!got->has_value()) return false;
    *value = std::move(**got);
    return true;
  }
  void Scan(ScanTally* tally) override {
    auto it = engine_->NewIterator(tree_);
    CheckOk(it.status(), "NewIterator");
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      auto value = (*it)->value();
      CheckOk(value.status(), "Iterator::value");
      tally->Add((*it)->key(), *value);
    }
    CheckOk((*it)->status(), "Iterator");
  }
  uint64_t LogSyncs() override { return engine_->stats().wal.syncs; }
  uint64_t CacheMisses() override { return engine_->stats().buffer_pool.misses; }
  uint64_t PagesInUse() override {
    storage::EngineStats stats = engine_->stats();
    return stats.page_count - stats.free_pages;
  }

 private:
  Options options_;
  std::unique_ptr<storage::StorageEngine> engine_;
  storage::TreeId tree_{};
};

// --- LMDB ---

void CheckLmdb(int rc, std::string_view what) {
  if (rc != MDB_SUCCESS) Die(fmt::format("LMDB: {}: {}", what, mdb_strerror(rc)));
}

MDB_val LmdbVal(std::string_view bytes) {
  return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};
}

std::string_view LmdbView(const MDB_val& val) {
  return {static_cast<const char*>(val.mv_data), val.mv_size};
}

// LMDB allows one write transaction at a time: concurrent writers queue on
// its writer mutex inside mdb_txn_begin.
class LmdbWriter : public Writer {
 public:
  LmdbWriter(MDB_env* env, MDB_dbi dbi) : env_(env), dbi_(dbi) {}
  void Begin() override { CheckLmdb(mdb_txn_begin(env_, nullptr, 0, &txn_), "txn_begin"); }
  void Put(std::string_view key, std::string_view value) override {
    MDB_val key_val = LmdbVal(key), value_val = LmdbVal(value);
    CheckLmdb(mdb_put(txn_, dbi_, &key_val, &value_val, 0), "put");
  }
  void Commit() override {
    CheckLmdb(mdb_txn_commit(txn_), "txn_commit");
    txn_ = nullptr;
  }

 private:
  MDB_env* const env_;
  const MDB_dbi dbi_;
  MDB_txn* txn_ = nullptr;
};

class LmdbStore : public Store {
 public:
  explicit LmdbStore(uint64_t map_bytes) : map_bytes_(map_bytes) {}
  std::string_view name() const override { return "LMDB"; }

  void Open(const std::string& dir) override {
    CheckLmdb(mdb_env_create(&env_), "env_create");
    CheckLmdb(mdb_env_set_mapsize(env_, map_bytes_), "set_mapsize");
    CheckLmdb(mdb_env_open(env_, dir.c_str(), 0, 0644), "env_open");  // 0: full sync
    MDB_txn* txn = nullptr;
    CheckLmdb(mdb_txn_begin(env_, nullptr, 0, &txn), "txn_begin");
    CheckLmdb(mdb_dbi_open(txn, nullptr, 0, &dbi_), "dbi_open");
    CheckLmdb(mdb_txn_commit(txn), "txn_commit");
  }
  void Close() override {
    mdb_env_close(env_);
    env_ = nullptr;
  }
  std::unique_ptr<Writer> NewWriter(uint32_t) override {
    return std::make_unique<LmdbWriter>(env_, dbi_);
  }
  void BeginReads() override {
    CheckLmdb(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &read_txn_), "txn_begin(rdonly)");
  }
  void EndReads() override {
    mdb_txn_abort(read_txn_);
    read_txn_ = nullptr;
  }
  bool Get(std::string_view key, std::string* value) override {
    MDB_val key_val = LmdbVal(key), value_val;
    int rc = mdb_get(read_txn_, dbi_, &key_val, &value_val);
    if (rc == MDB_NOTFOUND) return false;
    CheckLmdb(rc, "get");
    value->assign(LmdbView(value_val));
    return true;
  }
  void Scan(ScanTally* tally) override;

 private:
  const uint64_t map_bytes_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_txn* read_txn_ = nullptr;
};

void LmdbStore::Scan(ScanTally* tally) {
  BeginReads();
  MDB_cursor* cursor = nullptr;
  CheckLmdb(mdb_cursor_open(read_txn_, dbi_, &cursor), "cursor_open");
  MDB_val key_val, value_val;
  int rc = mdb_cursor_get(cursor, &key_val, &value_val, MDB_FIRST);
  while (rc == MDB_SUCCESS) {
    tally->Add(LmdbView(key_val), LmdbView(value_val));
    rc = mdb_cursor_get(cursor, &key_val, &value_val, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND) CheckLmdb(rc, "cursor_get");
  mdb_cursor_close(cursor);
  EndReads();
}

// --- SQLite ---

// One SQLite connection with its prepared statements, configured as the
// issue prescribes. Thread safety: one thread at a time (opened NOMUTEX).
class SqliteConnection {
 public:
  SqliteConnection(const std::string& path, uint32_t cache_mib) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    Check(sqlite3_open_v2(path.c_str(), &db_, flags, nullptr), "open");
    if (QueryText("PRAGMA journal_mode=WAL") != "wal") Die("SQLite: journal_mode=WAL refused");
    Exec("PRAGMA synchronous=FULL");
    Exec(fmt::format("PRAGMA cache_size=-{}", uint64_t{cache_mib} * 1024).c_str());  // KiB
    Check(sqlite3_busy_timeout(db_, 5000), "busy_timeout");
    Exec("CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
    begin_write_ = Prepare("BEGIN IMMEDIATE");
    begin_read_ = Prepare("BEGIN");
    commit_ = Prepare("COMMIT");
    insert_ = Prepare("INSERT OR REPLACE INTO kv(k, v) VALUES(?, ?)");
    select_ = Prepare("SELECT v FROM kv WHERE k = ?");
    scan_ = Prepare("SELECT k, v FROM kv ORDER BY k");
  }
  ~SqliteConnection() {
    for (sqlite3_stmt* stmt : {begin_write_, begin_read_, commit_, insert_, select_, scan_}) {
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  void Check(int rc, std::string_view what) const {
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
      Die(fmt::format("SQLite: {}: {} ({})", what, sqlite3_errmsg(db_), sqlite3_errstr(rc)));
    }
  }
  void Exec(const char* sql) { Check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), sql); }
  // Runs a statement that returns no rows. SQLITE_BUSY after the busy
  // timeout is retried (and counted), as an application would.
  void Run(sqlite3_stmt* stmt) {
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_BUSY) {
      sqlite3_reset(stmt);
      ++busy_retries_;
    }
    Check(rc, sqlite3_sql(stmt));
    sqlite3_reset(stmt);
  }
  void BindKeyValue(sqlite3_stmt* stmt, std::string_view key, std::string_view value) {
    Check(sqlite3_bind_blob(stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC),
          "bind");
    if (!value.empty()) {
      Check(sqlite3_bind_blob(stmt, 2, value.data(), static_cast<int>(value.size()),
                              SQLITE_STATIC),
            "bind");
    }
  }

  sqlite3_stmt* begin_write_ = nullptr;
  sqlite3_stmt* begin_read_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* scan_ = nullptr;
  uint64_t busy_retries_ = 0;

 private:
  // Runs `sql` and returns the first column of its first row.
  std::string QueryText(const char* sql) {
    sqlite3_stmt* stmt = Prepare(sql);
    std::string text;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* column = sqlite3_column_text(stmt, 0);
      if (column != nullptr) text = reinterpret_cast<const char*>(column);
    }
    Check(sqlite3_finalize(stmt), sql);
    return text;
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    Check(sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), sql);
    return stmt;
  }

  sqlite3* db_ = nullptr;
};

std::string_view ColumnBlob(sqlite3_stmt* stmt, int column) {
  const void* data = sqlite3_column_blob(stmt, column);
  return {static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt, column))};
}

class SqliteWriter : public Writer {
 public:
  // Uses `shared` when given, else opens its own connection to `path`.
  SqliteWriter(SqliteConnection* shared, const std::string& path, uint32_t cache_mib)
      : conn_(shared) {
    if (conn_ == nullptr) {
      own_ = std::make_unique<SqliteConnection>(path, cache_mib);
      conn_ = own_.get();
    }
  }
  void Begin() override { conn_->Run(conn_->begin_write_); }
  void Put(std::string_view key, std::string_view value) override {
    conn_->BindKeyValue(conn_->insert_, key, value);
    conn_->Run(conn_->insert_);
  }
  void Commit() override { conn_->Run(conn_->commit_); }

 private:
  std::unique_ptr<SqliteConnection> own_;
  SqliteConnection* conn_;
};

class SqliteStore : public Store {
 public:
  explicit SqliteStore(uint32_t cache_mib) : cache_mib_(cache_mib) {}
  std::string_view name() const override { return "SQLite"; }
  void Open(const std::string& dir) override {
    path_ = dir + "/kv.db";
    conn_ = std::make_unique<SqliteConnection>(path_, cache_mib_);
  }
  void Close() override { conn_.reset(); }
  std::unique_ptr<Writer> NewWriter(uint32_t thread) override {
    return std::make_unique<SqliteWriter>(thread == 0 ? conn_.get() : nullptr, path_, cache_mib_);
  }
  void BeginReads() override { conn_->Run(conn_->begin_read_); }
  void EndReads() override { conn_->Run(conn_->commit_); }
  bool Get(std::string_view key, std::string* value) override {
    sqlite3_stmt* stmt = conn_->select_;
    conn_->BindKeyValue(stmt, key, {});
    int rc = sqlite3_step(stmt);
    conn_->Check(rc, "select");
    if (rc == SQLITE_ROW) value->assign(ColumnBlob(stmt, 0));
    sqlite3_reset(stmt);
    return rc == SQLITE_ROW;
  }
  void Scan(ScanTally* tally) override {
    sqlite3_stmt* stmt = conn_->scan_;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      tally->Add(ColumnBlob(stmt, 0), ColumnBlob(stmt, 1));
    }
    conn_->Check(rc, "scan");
    sqlite3_reset(stmt);
  }

 private:
  std::string path_;
  uint32_t cache_mib_;
  std::unique_ptr<SqliteConnection> conn_;
};

// ------------------------------------------------------- files and disks ---

// Bytes of regular files under `dir`, and how many of them are resident in
// the OS page cache (mincore), to show that eviction worked.
struct Residency {
  uint64_t file_bytes = 0;
  uint64_t resident_bytes = 0;
};

void AddResidency(const std::string& path, Residency* total) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Die(fmt::format("open {}: {}", path, strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    size_t size = static_cast<size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (map != MAP_FAILED) {
      const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
      std::vector<unsigned char> pages((size + page - 1) / page);
      if (::mincore(map, size, pages.data()) == 0) {
        for (unsigned char p : pages) total->resident_bytes += (p & 1) ? page : 0;
      }
      ::munmap(map, size);
    }
    total->file_bytes += size;
  }
  ::close(fd);
}

Residency MeasureResidency(const std::string& dir) {
  Residency total;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) AddResidency(entry.path().string(), &total);
  }
  total.resident_bytes = std::min(total.resident_bytes, total.file_bytes);
  return total;
}

// Makes every file under `dir` clean (fdatasync) and drops it from the OS
// page cache (POSIX_FADV_DONTNEED drops only clean, unmapped pages).
void EvictFromPageCache(const std::string& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Die(fmt::format("open {}: {}", entry.path().string(), strerror(errno)));
    int rc = ::fdatasync(fd) == 0 ? ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) : errno;
    if (rc != 0) Die(fmt::format("evicting {}: {}", entry.path().string(), strerror(rc)));
    ::close(fd);
  }
}

// ---------------------------------------------------------------- phases ---

enum Phase { kSeqInsert, kRandInsert, kGetWarm, kGetCold, kScan, kCommit1, kCommitN, kPhases };
constexpr size_t kEngines = 3;
// The commit phases run in rounds in which the engines and the raw fdatasync
// probe take turns (in rotating order), so that the shared disk's drifting
// speed hits all of them alike.
constexpr uint64_t kCommitRounds = 10;

// Operations done and time taken, summed over the runs of one phase.
struct Figure {
  uint64_t ops = 0;
  double seconds = 0;
  double rate() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0.0; }
  void Add(const Figure& other) {
    ops += other.ops;
    seconds += other.seconds;
  }
};

struct Results {
  std::array<std::array<Figure, kEngines>, kPhases> figures{};
  std::array<std::array<uint64_t, kEngines>, kPhases> log_syncs{};  // ours only
  Figure bulk_load;                   // ours through StorageEngine::BulkLoad
  Figure fdatasync;                   // the raw probe, summed over the rounds
  double fdatasync_min = 1e300, fdatasync_max = 0;  // per-round extremes, per second
};

double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// The disk's ceiling for one committer: `iterations` times a 4 KiB pwrite +
// fdatasync, overwriting a preallocated 1 MiB file (as a recycled WAL does).
Figure RawSync(const std::string& dir, uint64_t iterations) {
  const std::string path = dir + "/fdatasync-probe";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Die(fmt::format("open {}: {}", path, strerror(errno)));
  std::vector<char> block(4096, 'x');
  constexpr uint64_t kBlocks = 256;
  for (uint64_t i = 0; i < kBlocks; ++i) {
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i * 4096)) != 4096) {
      Die(fmt::format("pwrite {}: {}", path, strerror(errno)));
    }
  }
  if (::fsync(fd) != 0) Die(fmt::format("fsync {}: {}", path, strerror(errno)));
  auto start = Clock::now();
  for (uint64_t i = 0; i < iterations; ++i) {
    off_t offset = static_cast<off_t>((i % kBlocks) * 4096);
    if (::pwrite(fd, block.data(), block.size(), offset) != 4096 || ::fdatasync(fd) != 0) {
      Die(fmt::format("pwrite/fdatasync {}: {}", path, strerror(errno)));
    }
  }
  Figure figure{iterations, SecondsSince(start)};
  ::close(fd);
  ::unlink(path.c_str());
  return figure;
}

Figure Load(Store* store, const std::vector<uint64_t>& order, const ValuePool& values,
            uint64_t batch) {
  auto writer = store->NewWriter(0);
  auto start = Clock::now();
  for (size_t i = 0; i < order.size(); ++i) {
    if (i % batch == 0) writer->Begin();
    writer->Put(AsView(KeyAt(order[i])), values.For(order[i]));
    if ((i + 1) % batch == 0 || i + 1 == order.size()) writer->Commit();
  }
  return Figure{order.size(), SecondsSince(start)};
}

Figure Gets(Store* store, const std::vector<uint64_t>& order, const ValuePool& values,
            uint64_t batch) {
  std::string value;
  auto start = Clock::now();
  for (size_t i = 0; i < order.size(); ++i) {
    if (i % batch == 0) store->BeginReads();
    if (!store->Get(AsView(KeyAt(order[i])), &value) || value != values.For(order[i])) {
      Die(fmt::format("{}: key {} missing or wrong after load", store->name(), order[i]));
    }
    if ((i + 1) % batch == 0 || i + 1 == order.size()) store->EndReads();
  }
  return Figure{order.size(), SecondsSince(start)};
}

Figure Scan(Store* store, uint64_t expected) {
  ScanTally tally;
  auto start = Clock::now();
  store->Scan(&tally);
  Figure figure{tally.count(), SecondsSince(start)};
  if (tally.count() != expected) {
    Die(fmt::format("{}: scan saw {} keys, expected {}", store->name(), tally.count(), expected));
  }
  return figure;
}

// `commits` single-put transactions split over `threads` committers; the
// keys, numbers [first_id, first_id + commits) through Scramble, are new,
// distinct and spread over the key space.
// REQUIRES: commits is a multiple of threads.
Figure Commits(Store* store, uint32_t threads, uint64_t commits, uint64_t first_id,
               const ValuePool& values) {
  std::vector<std::unique_ptr<Writer>> writers;
  for (uint32_t t = 0; t < threads; ++t) writers.push_back(store->NewWriter(t));
  const uint64_t per_thread = commits / threads;
  std::latch ready(threads + 1);
  std::vector<std::thread> workers;
  for (uint32_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ready.arrive_and_wait();
      for (uint64_t i = 0; i < per_thread; ++i) {
        uint64_t id = Scramble(first_id + t * per_thread + i);
        writers[t]->Begin();
        writers[t]->Put(AsView(KeyAt(id)), values.For(id));
        writers[t]->Commit();
      }
    });
  }
  auto start = Clock::now();
  ready.arrive_and_wait();  // every writer exists: the clock runs from here
  for (auto& worker : workers) worker.join();
  return Figure{per_thread * threads, SecondsSince(start)};
}

void Progress(Store* store, std::string_view phase, const Figure& figure,
              std::string_view note = "") {
  fmt::print("  [{:<6}] {:<22} {:>12.0f} ops/s {:>8.2f} s {}\n", store->name(), phase,
             figure.rate(), figure.seconds, note);
  std::fflush(stdout);
}

// Cache misses per get since `before`, for stores that count them.
std::string MissNote(Store* store, uint64_t before, const Figure& gets) {
  const uint64_t misses = store->CacheMisses();
  if (misses == 0 || gets.ops == 0) return "";
  return fmt::format("({:.2f} buffer pool misses per get)",
                     static_cast<double>(misses - before) / static_cast<double>(gets.ops));
}

// One benchmark run: the stores, their directories and the figures. Phases
// run phase by phase across the stores, so that a slow spell of the shared
// machine does not fall on one engine only.
class BenchRun {
 public:
  BenchRun(const Flags& flags, std::string dir, std::array<Store*, kEngines> stores)
      : flags_(flags), dir_(std::move(dir)), stores_(stores) {}

  void SequentialInserts();
  // Random insert, warm gets, warm scan, then cold gets; stores stay open.
  void LoadAndRead();
  void CommitRounds();
  // Closes the stores and removes their files.
  void Finish();
  const Results& results() const { return results_; }

 private:
  std::string DataDir(size_t e, std::string_view suffix = "") const {
    return fmt::format("{}/{}{}", dir_, stores_[e]->name(), suffix);
  }
  void CommitTurn(size_t e, uint64_t round, uint64_t chunk);

  const Flags& flags_;
  const std::string dir_;
  const std::array<Store*, kEngines> stores_;
  const ValuePool values_;
  Results results_;
};

// The same sorted keys through StorageEngine::BulkLoad (an empty tree built
// bottom-up). Reported beside the Put figure; the goal is measured
// on the Put path, which all three engines share.
class VectorSource : public storage::BulkSource {
 public:
  VectorSource(uint64_t keys, const ValuePool& values) : keys_(keys), values_(values) {}
  bool Next(std::string_view* key, std::string_view* value) override {
    if (next_ == keys_) return false;
    key_ = KeyAt(next_);
    *key = AsView(key_);
    *value = values_.For(next_);
    ++next_;
    return true;
  }

 private:
  uint64_t keys_;
  const ValuePool& values_;
  uint64_t next_ = 0;
  decltype(KeyAt(0)) key_{};
};

Figure BulkLoadOurs(const std::string& dir, uint64_t keys, uint32_t buffer_pool_mib,
                    const ValuePool& values) {
  fs::create_directories(dir);
  Options options;
  options.buffer_pool_mib = buffer_pool_mib;
  auto engine = storage::StorageEngine::Open(dir + "/db", options);
  CheckOk(engine.status(), "Open");
  auto tree = (*engine)->CreateTree("kv");
  CheckOk(tree.status(), "CreateTree");
  VectorSource source(keys, values);
  auto start = Clock::now();
  CheckOk((*engine)->BulkLoad(*tree, &source), "BulkLoad");
  Figure figure{keys, SecondsSince(start)};
  engine->reset();
  fs::remove_all(dir);
  return figure;
}

void BenchRun::SequentialInserts() {
  for (size_t e = 0; e < kEngines; ++e) {
    const std::string seq_dir = DataDir(e, "-seq");
    fs::create_directories(seq_dir);
    stores_[e]->Open(seq_dir);
    Figure& figure = results_.figures[kSeqInsert][e];
    figure = Load(stores_[e], Sequence(flags_.keys), values_, flags_.batch);
    auto start = Clock::now();
    stores_[e]->Close();
    Progress(stores_[e], "sequential insert", figure,
             fmt::format("(then close: {:.2f} s)", SecondsSince(start)));
    fs::remove_all(seq_dir);
  }
  results_.bulk_load = BulkLoadOurs(dir_ + "/ours-bulk", flags_.keys, flags_.cache_mib, values_);
  fmt::print("  [{:<6}] {:<22} {:>12.0f} ops/s {:>8.2f} s (StorageEngine::BulkLoad, durable)\n",
             "ours", "sorted bulk load", results_.bulk_load.rate(), results_.bulk_load.seconds);
}

void BenchRun::LoadAndRead() {
  auto& fig = results_.figures;
  const std::vector<uint64_t> insert_order = Shuffled(flags_.keys, 1);
  const std::vector<uint64_t> get_order = Shuffled(flags_.keys, 2);
  for (size_t e = 0; e < kEngines; ++e) {
    fs::create_directories(DataDir(e));
    stores_[e]->Open(DataDir(e));
    fig[kRandInsert][e] = Load(stores_[e], insert_order, values_, flags_.batch);
    const uint64_t pages = stores_[e]->PagesInUse();
    Progress(stores_[e], "random insert", fig[kRandInsert][e],
             pages == 0 ? "" : fmt::format("({} pages in use)", pages));
  }
  for (size_t e = 0; e < kEngines; ++e) {
    const uint64_t misses = stores_[e]->CacheMisses();
    fig[kGetWarm][e] = Gets(stores_[e], get_order, values_, flags_.batch);
    Progress(stores_[e], "random get (warm)", fig[kGetWarm][e],
             MissNote(stores_[e], misses, fig[kGetWarm][e]));
  }
  for (size_t e = 0; e < kEngines; ++e) {
    fig[kScan][e] = Scan(stores_[e], flags_.keys);
    Progress(stores_[e], "full scan (warm)", fig[kScan][e]);
  }
  std::array<std::string, kEngines> notes;
  for (size_t e = 0; e < kEngines; ++e) {
    stores_[e]->Close();
    Residency before = MeasureResidency(DataDir(e));
    EvictFromPageCache(DataDir(e));
    Residency after = MeasureResidency(DataDir(e));
    notes[e] = fmt::format("(files {:.1f} MiB; in page cache: {:.1f}% before eviction, {:.1f}% "
                           "after)", static_cast<double>(after.file_bytes) / (1 << 20),
                           Percent(before.resident_bytes, before.file_bytes),
                           Percent(after.resident_bytes, after.file_bytes));
  }
  for (size_t e = 0; e < kEngines; ++e) {
    stores_[e]->Open(DataDir(e));
    const uint64_t misses = stores_[e]->CacheMisses();
    fig[kGetCold][e] = Gets(stores_[e], get_order, values_, flags_.batch);
    Progress(stores_[e], "random get (cold)", fig[kGetCold][e],
             notes[e] + " " + MissNote(stores_[e], misses, fig[kGetCold][e]));
  }
}

void BenchRun::CommitTurn(size_t e, uint64_t round, uint64_t chunk) {
  for (Phase phase : {kCommit1, kCommitN}) {
    const uint32_t threads = phase == kCommit1 ? 1 : flags_.threads;
    const uint64_t first_id =
        flags_.keys + (phase == kCommit1 ? 0 : flags_.commits) + round * chunk;
    const uint64_t syncs_before = stores_[e]->LogSyncs();
    results_.figures[phase][e].Add(
        Commits(stores_[e], threads, chunk / threads * threads, first_id, values_));
    results_.log_syncs[phase][e] += stores_[e]->LogSyncs() - syncs_before;
  }
}

void BenchRun::CommitRounds() {
  const uint64_t rounds = std::min(kCommitRounds, flags_.commits / flags_.threads);
  const uint64_t chunk = flags_.commits / rounds;
  for (uint64_t round = 0; round < rounds; ++round) {
    for (size_t turn = 0; turn <= kEngines; ++turn) {
      const size_t who = (turn + round) % (kEngines + 1);
      if (who < kEngines) {
        CommitTurn(who, round, chunk);
        continue;
      }
      Figure probe = RawSync(dir_, chunk);
      results_.fdatasync.Add(probe);
      results_.fdatasync_min = std::min(results_.fdatasync_min, probe.rate());
      results_.fdatasync_max = std::max(results_.fdatasync_max, probe.rate());
    }
  }
  fmt::print("  [{:<6}] {:<22} {:>12.0f} ops/s {:>8.2f} s (rounds ranged {:.0f} to {:.0f}/s)\n",
             "disk", "raw pwrite+fdatasync", results_.fdatasync.rate(), results_.fdatasync.seconds,
             results_.fdatasync_min, results_.fdatasync_max);
  for (size_t e = 0; e < kEngines; ++e) {
    for (Phase phase : {kCommit1, kCommitN}) {
      const Figure& figure = results_.figures[phase][e];
      const uint64_t syncs = results_.log_syncs[phase][e];
      std::string note;
      if (syncs > 0) {
        note = fmt::format("({:.2f} commits per WAL fsync)",
                           static_cast<double>(figure.ops) / static_cast<double>(syncs));
      }
      const uint32_t threads = phase == kCommit1 ? 1 : flags_.threads;
      Progress(stores_[e], fmt::format("durable commits x{}", threads), figure, note);
    }
  }
}

void BenchRun::Finish() {
  for (size_t e = 0; e < kEngines; ++e) {
    stores_[e]->Close();
    fs::remove_all(DataDir(e));
  }
}

// ---------------------------------------------------------------- report ---

constexpr std::array<std::string_view, kEngines> kEngineNames = {"ours", "LMDB", "SQLite"};

std::string PhaseTitle(size_t phase, const Flags& flags) {
  constexpr std::array<std::string_view, kPhases> kTitles = {
      "sequential bulk insert", "random insert (fresh db)", "random point get, warm",
      "random point get, cold", "full scan, warm", "durable commits, 1 committer", ""};
  if (phase == kCommitN) return fmt::format("durable commits, {} committers", flags.threads);
  return std::string(kTitles[phase]);
}

std::string_view PhaseUnit(size_t phase) {
  if (phase == kGetWarm || phase == kGetCold) return "gets/s";
  return phase == kCommit1 || phase == kCommitN ? "commits/s" : "keys/s";
}

double Ratio(const std::array<Figure, kEngines>& row, size_t peer) {
  return row[0].rate() / row[peer].rate();
}

void PrintPhaseTable(size_t phase, const Results& results, const Flags& flags) {
  const auto& row = results.figures[phase];
  fmt::print("\n{}\n  {:<8} {:>14} {:>10} {:>10}\n", PhaseTitle(phase, flags), "engine",
             PhaseUnit(phase), "MB/s", "seconds");
  for (size_t e = 0; e < kEngines; ++e) {
    double mb_per_sec = row[e].rate() * (kKeyBytes + kValueBytes) / 1e6;
    fmt::print("  {:<8} {:>14.0f} {:>10.1f} {:>10.2f}\n", kEngineNames[e], row[e].rate(),
               mb_per_sec, row[e].seconds);
  }
  fmt::print("  ratio ours/LMDB = {:.2f}x   ours/SQLite = {:.2f}x\n", Ratio(row, 1), Ratio(row, 2));
  if (phase == kCommitN) {
    fmt::print("\nraw 4 KiB pwrite+fdatasync (one committer's ceiling without group commit):\n"
               "  {:.0f}/s overall, per round from {:.0f} to {:.0f}/s\n",
               results.fdatasync.rate(), results.fdatasync_min, results.fdatasync_max);
  }
}

void PrintMarkdown(const Results& results, const Flags& flags) {
  fmt::print("\nSummary (markdown; ops/s)\n\n");
  fmt::print("| phase | ours | LMDB | SQLite | ours/LMDB | ours/SQLite |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|\n");
  for (size_t p = 0; p < kPhases; ++p) {
    const auto& row = results.figures[p];
    fmt::print("| {} | {:.0f} | {:.0f} | {:.0f} | {:.2f}x | {:.2f}x |\n", PhaseTitle(p, flags),
               row[0].rate(), row[1].rate(), row[2].rate(), Ratio(row, 1), Ratio(row, 2));
  }
  fmt::print("| raw 4 KiB pwrite+fdatasync (disk, same rounds) | {:.0f} | | | | |\n",
             results.fdatasync.rate());
}

// Prints the storage issue's goals; returns how many were missed.
int PrintGoals(const Results& results, const Flags& flags) {
  struct Goal {
    std::string text;
    Phase phase;
    size_t peer;
    double target;
  };
  const std::vector<Goal> goals = {
      {"random get (warm) >= 0.5x LMDB", kGetWarm, 1, 0.5},
      {"random get (warm) >= 2x SQLite", kGetWarm, 2, 2.0},
      {"random get (cold) >= 0.5x LMDB", kGetCold, 1, 0.5},
      {"random get (cold) >= 2x SQLite", kGetCold, 2, 2.0},
      {"sequential bulk insert >= 1x SQLite", kSeqInsert, 2, 1.0},
      {"durable commits, 1 committer >= 1x SQLite", kCommit1, 2, 1.0},
      {fmt::format("durable commits, {} committers >= 2x SQLite", flags.threads), kCommitN, 2, 2.0},
  };
  int missed = 0;
  fmt::print("\nGoals of the storage issue (this run, this machine):\n");
  for (const Goal& goal : goals) {
    double ratio = Ratio(results.figures[goal.phase], goal.peer);
    bool pass = ratio >= goal.target;
    missed += pass ? 0 : 1;
    fmt::print("  {}  {:<46} measured {:.2f}x\n", pass ? "PASS" : "MISS", goal.text, ratio);
  }
  fmt::print("  info  sorted bulk load through BulkLoad            {:.2f}x SQLite's sequential insert\n",
             results.bulk_load.rate() / results.figures[kSeqInsert][2].rate());
  if (results.fdatasync_max > 2 * results.fdatasync_min) {
    fmt::print("  NOTE: the disk's fdatasync rate varied {:.1f}x between rounds (shared machine);\n"
               "        the commit figures are averages over interleaved rounds.\n",
               results.fdatasync_max / results.fdatasync_min);
  }
  return missed;
}

// ------------------------------------------------------------------ main ---

void PrintHeader(const Flags& flags, const std::string& dir) {
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  fmt::print("storage_bench  {}\n", date);
  fmt::print("  machine: {} hardware threads\n", std::thread::hardware_concurrency());
  fmt::print("  data dir: {} (filesystem {})\n", dir, FsTypeName(FsMagic(dir)));
  if (IsMemoryFs(dir)) fmt::print("  WARNING: in-memory filesystem: fsync figures mean nothing\n");
  fmt::print("  workload: {} keys x ({} B key + {} B value), {} keys per load transaction\n",
             flags.keys, kKeyBytes, kValueBytes, flags.batch);
  fmt::print("  durable commits: {} single-put commits with 1 committer and {} with {}, per\n"
             "    engine, in up to {} rounds where the engines and a raw fdatasync probe take\n"
             "    turns, in rotating order\n",
             flags.commits, flags.commits, flags.threads, kCommitRounds);
  fmt::print("  caches: ours buffer pool {0} MiB; SQLite cache_size {0} MiB per connection;\n"
             "          LMDB has no cache of its own: it reads through mmap, i.e. the OS\n"
             "          page cache (which also sits under ours and SQLite: buffered I/O)\n",
             flags.cache_mib);
  fmt::print("  durability: ours kFull; SQLite {} journal_mode=WAL synchronous=FULL;\n"
             "              {} default sync flags\n",
             sqlite3_libversion(), MDB_VERSION_STRING);
  fmt::print("  cold = store closed and reopened (empty process caches), data files fdatasync'ed\n"
             "         and dropped from the OS page cache with posix_fadvise(DONTNEED); the gets\n"
             "         then start from disk and warm the caches as they go\n");
  fmt::print("  peers read in read transactions of {} gets; ours has no read transaction\n\n",
             flags.batch);
}

int Main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  if (flags.commits < flags.threads) Die("--commits must be at least --threads");
  const std::string dir = MakeScratchDir(flags.dir, "storage_bench");
  PrintHeader(flags, dir);

  NqStore ours(flags.cache_mib);
  LmdbStore lmdb(std::max<uint64_t>(kLmdbMinMapBytes, flags.keys * 1024));
  SqliteStore sqlite(flags.cache_mib);
  BenchRun run(flags, dir, {&ours, &lmdb, &sqlite});
  run.SequentialInserts();
  run.LoadAndRead();
  run.CommitRounds();
  run.Finish();

  for (size_t p = 0; p < kPhases; ++p) PrintPhaseTable(p, run.results(), flags);
  PrintMarkdown(run.results(), flags);
  int missed = PrintGoals(run.results(), flags);
  fs::remove_all(dir);
  fmt::print("\n{} of {} goals missed. Scratch directory removed.\n", missed, 7);
  return 0;
}

}  // namespace
}  // namespace neuroquantum::bench

int main(int argc, char** argv) { return neuroquantum::bench::Main(argc, argv); }
