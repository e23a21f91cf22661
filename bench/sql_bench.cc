// sql_bench: the SQL benchmark of `make bench`. The same SQL runs through
// NeuroQuantumDB's embedding API (include/neuroquantum/database.h) and
// SQLite's C API in one process and run, and one script runs through both
// shells (`nqdb shell`, `sqlite3`). Each line prints our time, SQLite's and
// the ratio SQLite time / our time (> 1: we are faster).
// docs/benchmarks/sql.md explains the lines and how to read them.
//
// Tables (N = --rows, at least 10):
//   t(id INTEGER PRIMARY KEY, grp INTEGER, val INTEGER, uid INTEGER, name TEXT)
//     N rows: id 1..N, grp = id % 1000, val pseudo-random in [0, 4N),
//     uid pseudo-random in [1, N/10], name 7 characters
//   u(id INTEGER PRIMARY KEY, grp INTEGER, w INTEGER)
//     N/10 rows: grp = id % 100, w = id % 97 + 1
// Lines:
//   1. bulk insert of t: one transaction, a prepared INSERT per row
//      (then, reported for information: u the same way, CREATE INDEX t_val)
//   2. N point lookups   SELECT grp, val, name FROM t WHERE id = ?
//   3. full scan         SELECT SUM(val), COUNT(*) FROM t
//   4. GROUP BY          SELECT grp, COUNT(*), SUM(val) FROM t GROUP BY grp
//   5. join + GROUP BY   SELECT u.grp, COUNT(*), SUM(u.w) FROM t JOIN u
//                        ON t.uid = u.id GROUP BY u.grp
//   6. N/10 range counts SELECT COUNT(*) FROM t WHERE val BETWEEN ? AND ?
//      on the index t_val, 8 values wide (about 2 rows each)
//   7. a script of the same kinds of statements, unprepared, fed to
//      `nqdb shell` and `sqlite3` on standard input; whole processes timed.
// Lines 2-6 run twice per engine: first cold (engine closed, its files
// fdatasync'ed and dropped from the OS page cache, reopened; "reopened"
// when the eviction did not take), then warm (the same run again). Each
// line alternates which engine goes first, so that the shared machine's
// drift does not fall on one engine only. Lookups run in autocommit mode.
//
// Settings: both engines get the same cache (--cache-mib: our buffer pool,
// SQLite's cache_size) and full durability (ours Durability::kFull, SQLite
// journal_mode=WAL + synchronous=FULL). Every result is folded into an
// order-independent digest; the two engines' digests must agree, else the
// program reports the line and exits with status 1. Any error aborts: a
// figure is never made up.
//
// Thread safety: single-threaded.
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fmt/format.h"

#include "neuroquantum/database.h"
#include "neuroquantum/options.h"
#include "scratch_dir.h"

namespace neuroquantum::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- flags ---

struct Flags {
  uint64_t rows = 1000000;
  uint64_t shell_rows = 10000;  // rows of t in the shell script
  uint32_t cache_mib = 64;
  std::string dir;   // empty: /tmp, or ./bench-data if /tmp is tmpfs
  std::string nqdb;  // empty: src/nqdb of the build this program belongs to
  bool skip_shell = false;
};

[[noreturn]] void Die(std::string_view message) {
  fmt::print(stderr, "sql_bench: {}\n", message);
  std::exit(1);
}

uint64_t ParseCount(std::string_view flag, const char* text) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value == 0) Die(fmt::format("{} wants a positive integer, got '{}'", flag, text));
  return value;
}

void PrintUsage() {
  fmt::print(
      "usage: sql_bench [--rows N] [--shell-rows M] [--cache-mib MIB] [--dir DIR]\n"
      "                 [--skip-shell] [--nqdb PATH]\n"
      "  --rows N          rows of t (default 1000000; u gets N/10); --rows 100000 is quick\n"
      "  --shell-rows M    rows of t in the shell script (default 10000, at most N)\n"
      "  --cache-mib MIB   our buffer pool and SQLite's cache_size, MiB (default 64)\n"
      "  --dir DIR         parent of the scratch directory (default /tmp unless it is\n"
      "                    tmpfs, then ./bench-data)\n"
      "  --skip-shell      leave out line 7 (the shells)\n"
      "  --nqdb PATH       the nqdb binary (default: src/nqdb of this build)\n");
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      PrintUsage();
      std::exit(0);
    }
    if (flag == "--skip-shell") {
      flags.skip_shell = true;
      continue;
    }
    if (i + 1 >= argc) Die(fmt::format("unknown flag or missing value: {} (try --help)", flag));
    const char* value = argv[++i];
    if (flag == "--rows") {
      flags.rows = ParseCount(flag, value);
    } else if (flag == "--shell-rows") {
      flags.shell_rows = ParseCount(flag, value);
    } else if (flag == "--cache-mib") {
      flags.cache_mib = static_cast<uint32_t>(ParseCount(flag, value));
    } else if (flag == "--dir") {
      flags.dir = value;
    } else if (flag == "--nqdb") {
      flags.nqdb = value;
    } else {
      Die(fmt::format("unknown flag: {} (try --help)", flag));
    }
  }
  if (flags.rows < 10) Die("--rows must be at least 10");
  flags.shell_rows = std::max<uint64_t>(10, std::min(flags.shell_rows, flags.rows));
  return flags;
}

// ------------------------------------------------------------- workload ---

// A bijection on uint64 (the splitmix64 finalizer).
uint64_t Scramble(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The rows of t and u and the keys the lookups use, all computed from the
// row number so that both engines get the same data without storing it.
class Workload {
 public:
  static constexpr int64_t kRangeWidth = 8;  // values per range lookup

  explicit Workload(uint64_t rows) : rows_(rows), u_rows_(rows / 10) {}
  uint64_t rows() const { return rows_; }
  uint64_t u_rows() const { return u_rows_; }

  static int64_t Grp(int64_t id) { return id % 1000; }
  int64_t Val(int64_t id) const { return static_cast<int64_t>(Scramble(static_cast<uint64_t>(id)) % (4 * rows_)); }
  int64_t Uid(int64_t id) const {
    return static_cast<int64_t>(Scramble(static_cast<uint64_t>(id) ^ 0x5bd1e995u) % u_rows_) + 1;
  }
  // Writes the 7-character name of row `id` into `buffer`.
  static std::string_view Name(int64_t id, char (&buffer)[16]) {
    auto end = fmt::format_to_n(buffer, sizeof(buffer), "n{:06x}",
                                Scramble(static_cast<uint64_t>(id) + 7) & 0xffffff).out;
    return {buffer, static_cast<size_t>(end - buffer)};
  }
  static int64_t UGrp(int64_t uid) { return uid % 100; }
  static int64_t UW(int64_t uid) { return uid % 97 + 1; }

  // The id of point lookup `k`, and the lower end of range lookup `k`.
  int64_t LookupId(uint64_t k) const { return static_cast<int64_t>(Scramble(k + 0x1234) % rows_) + 1; }
  int64_t RangeLow(uint64_t k) const { return static_cast<int64_t>(Scramble(k + 0x9876) % (4 * rows_)); }

 private:
  uint64_t rows_;
  uint64_t u_rows_;
};

const char* const kCreateT =
    "CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, val INTEGER, uid INTEGER, name TEXT)";
const char* const kCreateU = "CREATE TABLE u(id INTEGER PRIMARY KEY, grp INTEGER, w INTEGER)";
const char* const kCreateIndex = "CREATE INDEX t_val ON t(val)";
const char* const kPointSql = "SELECT grp, val, name FROM t WHERE id = ?";
const char* const kScanSql = "SELECT SUM(val), COUNT(*) FROM t";
const char* const kGroupSql = "SELECT grp, COUNT(*), SUM(val) FROM t GROUP BY grp";
const char* const kJoinSql = "SELECT u.grp, COUNT(*), SUM(u.w) FROM t JOIN u ON t.uid = u.id GROUP BY u.grp";
const char* const kRangeSql = "SELECT COUNT(*) FROM t WHERE val BETWEEN ? AND ?";

// The rows of a result folded into an order-independent summary, so that
// two engines' answers compare without sorting.
struct Answer {
  uint64_t rows = 0;
  int64_t total = 0;    // sum of every integer cell
  uint64_t digest = 0;  // sum over rows of a hash of the row
  uint64_t row_hash = 0;

  void Int(int64_t v) {
    total += v;
    row_hash = Scramble(row_hash ^ static_cast<uint64_t>(v));
  }
  void Text(std::string_view s) { row_hash = Scramble(row_hash ^ std::hash<std::string_view>{}(s)); }
  void Null() { row_hash = Scramble(row_hash ^ 0x6e756c6cu); }
  void EndRow() {
    ++rows;
    digest += row_hash;
    row_hash = 0;
  }
  bool SameAs(const Answer& other) const {
    return rows == other.rows && total == other.total && digest == other.digest;
  }
  std::string ToString() const { return fmt::format("{} rows, integer sum {}, digest {:016x}", rows, total, digest); }
};

// -------------------------------------------------------------- engines ---

// A prepared statement of either engine. REQUIRES: destroyed before its
// engine is closed.
class Statement {
 public:
  virtual ~Statement() = default;
  // Parameters are numbered from 1.
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  // Runs with the current bindings and folds the rows into `answer`.
  virtual void Run(Answer* answer) = 0;
};

class SqlEngine {
 public:
  virtual ~SqlEngine() = default;
  virtual const char* name() const = 0;
  // The directory holding every file of the database.
  virtual const std::string& dir() const = 0;
  virtual void Open() = 0;
  virtual void Close() = 0;
  // Runs statements whose rows, if any, are not needed.
  virtual void Exec(const std::string& sql) = 0;
  virtual std::unique_ptr<Statement> Prepare(const std::string& sql) = 0;
};

class OursStatement : public Statement {
 public:
  explicit OursStatement(std::unique_ptr<PreparedStatement> stmt) : stmt_(std::move(stmt)) {}
  void BindInt(int index, int64_t value) override { Check(stmt_->BindInt64(static_cast<size_t>(index), value)); }
  void BindText(int index, std::string_view value) override {
    Check(stmt_->BindText(static_cast<size_t>(index), value));
  }
  void Run(Answer* answer) override {
    auto rs = stmt_->Execute();
    if (!rs.ok()) Die("ours: " + rs.status().ToString());
    Fold(&*rs, answer);
  }

  static void Fold(ResultSet* rs, Answer* answer) {
    const size_t columns = rs->column_count();
    while (true) {
      auto more = rs->Next();
      if (!more.ok()) Die("ours: " + more.status().ToString());
      if (!*more) return;
      for (size_t c = 0; c < columns; ++c) {
        switch (rs->kind(c)) {
          case FieldKind::kNull: answer->Null(); break;
          case FieldKind::kText: answer->Text(rs->GetBlob(c)); break;
          default: answer->Int(rs->GetInt64(c)); break;
        }
      }
      answer->EndRow();
    }
  }

 private:
  static void Check(const Status& s) {
    if (!s.ok()) Die("ours: bind: " + s.ToString());
  }
  std::unique_ptr<PreparedStatement> stmt_;
};

class Ours : public SqlEngine {
 public:
  Ours(std::string dir, uint32_t cache_mib) : dir_(std::move(dir)), cache_mib_(cache_mib) {}
  const char* name() const override { return "NeuroQuantumDB"; }
  const std::string& dir() const override { return dir_; }

  void Open() override {
    DatabaseOptions options;
    options.storage.buffer_pool_mib = cache_mib_;
    options.storage.durability = Durability::kFull;
    auto db = Database::Open(dir_ + "/bench.nqdb", options);
    if (!db.ok()) Die("ours: open: " + db.status().ToString());
    db_ = std::move(*db);
    conn_ = db_->Connect();
  }
  void Close() override {
    conn_.reset();
    db_.reset();
  }
  void Exec(const std::string& sql) override {
    auto rs = conn_->Execute(sql);
    if (!rs.ok()) Die(fmt::format("ours: {}: {}", sql, rs.status().ToString()));
  }
  std::unique_ptr<Statement> Prepare(const std::string& sql) override {
    auto stmt = conn_->Prepare(sql);
    if (!stmt.ok()) Die(fmt::format("ours: {}: {}", sql, stmt.status().ToString()));
    return std::make_unique<OursStatement>(std::move(*stmt));
  }

 private:
  std::string dir_;
  uint32_t cache_mib_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

class SqliteStatement : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  void BindInt(int index, int64_t value) override { Check(sqlite3_bind_int64(stmt_, index, value)); }
  void BindText(int index, std::string_view value) override {
    Check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void Run(Answer* answer) override {
    int rc;
    const int columns = sqlite3_column_count(stmt_);
    while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt_, c)) {
          case SQLITE_NULL: answer->Null(); break;
          case SQLITE_TEXT:
            answer->Text({reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c)),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, c))});
            break;
          default: answer->Int(sqlite3_column_int64(stmt_, c)); break;
        }
      }
      answer->EndRow();
    }
    if (rc != SQLITE_DONE) Die(fmt::format("SQLite: {}: {}", sqlite3_sql(stmt_), sqlite3_errmsg(db_)));
    sqlite3_reset(stmt_);
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Die(fmt::format("SQLite: bind: {}", sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Sqlite : public SqlEngine {
 public:
  Sqlite(std::string dir, uint32_t cache_mib) : dir_(std::move(dir)), cache_mib_(cache_mib) {}
  ~Sqlite() override { Close(); }
  const char* name() const override { return "SQLite"; }
  const std::string& dir() const override { return dir_; }

  void Open() override {
    std::string path = dir_ + "/bench.sqlite";
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      Die(fmt::format("SQLite: cannot open {}", path));
    }
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");
    Exec(fmt::format("PRAGMA cache_size=-{}", uint64_t{cache_mib_} * 1024));  // KiB
  }
  void Close() override {
    if (db_ != nullptr && sqlite3_close(db_) != SQLITE_OK) Die("SQLite: close failed (statement left open)");
    db_ = nullptr;
  }
  void Exec(const std::string& sql) override {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      Die(fmt::format("SQLite: {}: {}", sql, sqlite3_errmsg(db_)));
    }
  }
  std::unique_ptr<Statement> Prepare(const std::string& sql) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      Die(fmt::format("SQLite: {}: {}", sql, sqlite3_errmsg(db_)));
    }
    return std::make_unique<SqliteStatement>(db_, stmt);
  }

 private:
  std::string dir_;
  uint32_t cache_mib_;
  sqlite3* db_ = nullptr;
};

// ---------------------------------------------------------- page cache ---

// Makes every file under `dir` clean (fdatasync) and drops it from the OS
// page cache (POSIX_FADV_DONTNEED drops only clean, unmapped pages).
// Returns the fraction of the files' bytes still resident afterwards
// (mincore), to tell whether the eviction took.
double EvictFromPageCache(const std::string& dir) {
  uint64_t file_bytes = 0, resident_bytes = 0;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Die(fmt::format("open {}: {}", entry.path().string(), strerror(errno)));
    int rc = ::fdatasync(fd) == 0 ? ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) : errno;
    if (rc != 0) Die(fmt::format("evicting {}: {}", entry.path().string(), strerror(rc)));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      size_t size = static_cast<size_t>(st.st_size);
      void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (map != MAP_FAILED) {
        std::vector<unsigned char> pages((size + page - 1) / page);
        if (::mincore(map, size, pages.data()) == 0) {
          for (unsigned char p : pages) resident_bytes += (p & 1) ? page : 0;
        }
        ::munmap(map, size);
      }
      file_bytes += size;
    }
    ::close(fd);
  }
  return file_bytes == 0 ? 0.0 : static_cast<double>(std::min(resident_bytes, file_bytes)) / file_bytes;
}

// ---------------------------------------------------------------- lines ---

double DirMib(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return static_cast<double>(bytes) / (1 << 20);
}

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// User + system CPU seconds of this process (every thread), or with
// RUSAGE_CHILDREN of its children that have been waited for.
double CpuSeconds(int who = RUSAGE_SELF) {
  rusage usage{};
  ::getrusage(who, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// One engine's run of one line: wall-clock and CPU seconds, and its rows.
struct Timed {
  double seconds = 0;
  double cpu_seconds = 0;
  Answer answer;
};

// Times one run of `body` (which fills the answer). Kept out of line so
// that a profiler can collect one line alone (callgrind --toggle-collect
// on its instance, e.g. '*Time<*LoadT*').
template <typename Body>
[[gnu::noinline]] Timed Time(Body body) {
  Timed r;
  double cpu_start = CpuSeconds();
  auto start = Clock::now();
  body(&r.answer);
  r.seconds = SecondsSince(start);
  r.cpu_seconds = CpuSeconds() - cpu_start;
  return r;
}

Timed LoadT(SqlEngine* engine, const Workload& w) {
  return Time([&](Answer* answer) {
    engine->Exec("BEGIN");
    {
      auto insert = engine->Prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
      char name[16];
      for (int64_t id = 1; id <= static_cast<int64_t>(w.rows()); ++id) {
        insert->BindInt(1, id);
        insert->BindInt(2, Workload::Grp(id));
        insert->BindInt(3, w.Val(id));
        insert->BindInt(4, w.Uid(id));
        insert->BindText(5, Workload::Name(id, name));
        insert->Run(answer);
      }
    }
    engine->Exec("COMMIT");
  });
}

Timed LoadU(SqlEngine* engine, const Workload& w) {
  return Time([&](Answer* answer) {
    engine->Exec("BEGIN");
    {
      auto insert = engine->Prepare("INSERT INTO u VALUES (?, ?, ?)");
      for (int64_t id = 1; id <= static_cast<int64_t>(w.u_rows()); ++id) {
        insert->BindInt(1, id);
        insert->BindInt(2, Workload::UGrp(id));
        insert->BindInt(3, Workload::UW(id));
        insert->Run(answer);
      }
    }
    engine->Exec("COMMIT");
  });
}

enum class Query { kPoint, kScan, kGroup, kJoin, kRange };

Timed RunQuery(SqlEngine* engine, Query query, const Workload& w) {
  return Time([&](Answer* answer) {
    switch (query) {
      case Query::kPoint: {
        auto select = engine->Prepare(kPointSql);
        for (uint64_t k = 0; k < w.rows(); ++k) {
          select->BindInt(1, w.LookupId(k));
          select->Run(answer);
        }
        break;
      }
      case Query::kScan: engine->Prepare(kScanSql)->Run(answer); break;
      case Query::kGroup: engine->Prepare(kGroupSql)->Run(answer); break;
      case Query::kJoin: engine->Prepare(kJoinSql)->Run(answer); break;
      case Query::kRange: {
        auto select = engine->Prepare(kRangeSql);
        for (uint64_t k = 0; k < w.rows() / 10; ++k) {
          int64_t low = w.RangeLow(k);
          select->BindInt(1, low);
          select->BindInt(2, low + Workload::kRangeWidth - 1);
          select->Run(answer);
        }
        break;
      }
    }
  });
}

// A printed line: both engines' runs, and how many operations each covers
// (for the per-operation figure).
struct Line {
  std::string title;
  Timed ours, sqlite;
  uint64_t ops = 1;
  double ratio() const { return ours.seconds > 0 ? sqlite.seconds / ours.seconds : 0.0; }
};

class Report {
 public:
  void PrintHeader() const {
    fmt::print("  {:<44} {:>12} {:>12} {:>9}   {:>15}   {}\n", "line", "ours", "SQLite", "ratio", "CPU ours/SQLite",
               "per op ours/SQLite");
  }
  void Add(Line line) {
    std::string per_op;
    if (line.ops > 1) {
      const double ops = static_cast<double>(line.ops);
      per_op = fmt::format("{:.1f} / {:.1f} us", line.ours.seconds * 1e6 / ops, line.sqlite.seconds * 1e6 / ops);
    }
    fmt::print("  {:<44} {:>10.3f} s {:>10.3f} s {:>8.2f}x   {:>6.2f} / {:<6.2f}   {}\n", line.title,
               line.ours.seconds, line.sqlite.seconds, line.ratio(), line.ours.cpu_seconds,
               line.sqlite.cpu_seconds, per_op);
    std::fflush(stdout);
    lines_.push_back(std::move(line));
  }
  // Records a disagreement between the engines on `what`.
  void Check(const std::string& what, const Answer& ours, const Answer& sqlite) {
    if (ours.SameAs(sqlite)) return;
    Mismatch(fmt::format("{}: ours {}; SQLite {}", what, ours.ToString(), sqlite.ToString()));
  }
  void Mismatch(const std::string& text) {
    mismatches_.push_back(text);
    fmt::print("  MISMATCH {}\n", text);
  }
  void PrintSummary() const {
    fmt::print("\nSummary (markdown; wall-clock seconds, CPU seconds, ratio SQLite / ours of the\n"
               "wall-clock times: > 1 means ours is faster)\n\n");
    fmt::print("| line | ours | SQLite | SQLite / ours | CPU ours | CPU SQLite |\n"
               "|---|---:|---:|---:|---:|---:|\n");
    for (const auto& l : lines_) {
      fmt::print("| {} | {:.3f} | {:.3f} | {:.2f}x | {:.3f} | {:.3f} |\n", l.title, l.ours.seconds, l.sqlite.seconds,
                 l.ratio(), l.ours.cpu_seconds, l.sqlite.cpu_seconds);
    }
  }
  const std::vector<std::string>& mismatches() const { return mismatches_; }

 private:
  std::vector<Line> lines_;
  std::vector<std::string> mismatches_;
};

// ---------------------------------------------------------------- shells ---

// The line-7 script: the schema, the load in one transaction, the index,
// then the queries, with ORDER BY so that both shells print the same text.
std::string ShellScript(const Workload& w) {
  std::string sql;
  sql.reserve(w.rows() * 64);
  sql += fmt::format("{};\n{};\nBEGIN;\n", kCreateT, kCreateU);
  char name[16];
  for (int64_t id = 1; id <= static_cast<int64_t>(w.rows()); ++id) {
    sql += fmt::format("INSERT INTO t VALUES ({}, {}, {}, {}, '{}');\n", id, Workload::Grp(id), w.Val(id), w.Uid(id),
                       Workload::Name(id, name));
  }
  for (int64_t id = 1; id <= static_cast<int64_t>(w.u_rows()); ++id) {
    sql += fmt::format("INSERT INTO u VALUES ({}, {}, {});\n", id, Workload::UGrp(id), Workload::UW(id));
  }
  sql += fmt::format("COMMIT;\n{};\n", kCreateIndex);
  for (uint64_t k = 0; k < w.rows() / 10; ++k) {
    sql += fmt::format("SELECT grp, val, name FROM t WHERE id = {};\n", w.LookupId(k));
  }
  sql += fmt::format("{};\n{} ORDER BY grp;\n{} ORDER BY u.grp;\n", kScanSql, kGroupSql, kJoinSql);
  for (uint64_t k = 0; k < w.rows() / 10; ++k) {
    int64_t low = w.RangeLow(k);
    sql += fmt::format("SELECT COUNT(*) FROM t WHERE val BETWEEN {} AND {};\n", low, low + Workload::kRangeWidth - 1);
  }
  return sql;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) Die("cannot write " + path);
}

struct ProcessResult {
  Timed timed;  // CPU: user + system of the child
  std::string out;
};

// Runs `argv` (searched in PATH) with standard input from `stdin_path` and
// waits for it; the wall-clock time covers the whole process. A failing
// process ends the benchmark with its standard error.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_path,
                         const std::string& scratch) {
  std::string out_path = scratch + "/shell.out", err_path = scratch + "/shell.err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(stdout);
  ProcessResult r;
  double cpu_start = CpuSeconds(RUSAGE_CHILDREN);
  auto start = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Die(fmt::format("cannot run {}: {}", argv[0], strerror(rc)));
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) Die("waitpid failed");
  r.timed.seconds = SecondsSince(start);
  r.timed.cpu_seconds = CpuSeconds(RUSAGE_CHILDREN) - cpu_start;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die(fmt::format("{} failed (status {}): {}", argv[0], status, ReadFile(err_path).substr(0, 2000)));
  }
  r.out = ReadFile(out_path);
  return r;
}

std::string FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(sa, la)), more_b = static_cast<bool>(std::getline(sb, lb));
    if (!more_a && !more_b) return "none";
    if (!more_a || !more_b || la != lb) {
      return fmt::format("output line {}: ours '{}', SQLite '{}'", line, more_a ? la : "<end>", more_b ? lb : "<end>");
    }
  }
}

// Line 7: two rounds, the shells taking turns to go first; the best of each.
void RunShells(const Flags& flags, const std::string& nqdb, const std::string& scratch, Report* report) {
  Workload w(flags.shell_rows);
  std::string body = ShellScript(w);
  std::string ours_script = scratch + "/ours.sql", sqlite_script = scratch + "/sqlite.sql";
  WriteFile(ours_script, body);
  WriteFile(sqlite_script, fmt::format("PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
                                       "PRAGMA cache_size=-{};\n{}",
                                       uint64_t{flags.cache_mib} * 1024, body));
  Timed best_ours, best_sqlite;
  best_ours.seconds = best_sqlite.seconds = 1e300;
  for (int round = 0; round < 2; ++round) {
    ProcessResult ours, sqlite;
    for (int k = 0; k < 2; ++k) {
      bool run_ours = (k == 0) == (round == 0);
      std::string db_dir = scratch + (run_ours ? "/shell-ours" : "/shell-sqlite");
      fs::remove_all(db_dir);
      fs::create_directories(db_dir);
      if (run_ours) {
        ours = RunProcess({nqdb, "shell", db_dir + "/shell.nqdb", "--bail", "--set",
                           fmt::format("storage.buffer_pool_mib={}", flags.cache_mib), "--set",
                           "storage.durability=full"},
                          ours_script, scratch);
      } else {
        sqlite = RunProcess({"sqlite3", "-bail", db_dir + "/shell.sqlite"}, sqlite_script, scratch);
      }
    }
    // journal_mode=WAL prints the new mode; the rest must match byte for byte.
    if (sqlite.out.rfind("wal\n", 0) != 0) Die("sqlite3 refused journal_mode=WAL");
    sqlite.out.erase(0, 4);
    if (ours.out != sqlite.out) {
      report->Mismatch(fmt::format("shell round {}: outputs differ ({} / {} bytes), first at {}", round + 1,
                                   ours.out.size(), sqlite.out.size(), FirstDifference(ours.out, sqlite.out)));
    }
    if (ours.timed.seconds < best_ours.seconds) best_ours = ours.timed;
    if (sqlite.timed.seconds < best_sqlite.seconds) best_sqlite = sqlite.timed;
  }
  report->Add({fmt::format("7. shell script ({} + {} INSERTs)", w.rows(), w.u_rows()), best_ours, best_sqlite, 1});
  fmt::print("     script: schema, {} + {} INSERT statements in one transaction, CREATE INDEX,\n"
             "     {} point lookups, the scan, GROUP BY and join queries, {} range counts;\n"
             "     best of 2 rounds per shell, fresh database each\n",
             w.rows(), w.u_rows(), w.rows() / 10, w.rows() / 10);
}

std::string DefaultNqdb() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) Die("cannot read /proc/self/exe; give --nqdb");
  return (self.parent_path().parent_path() / "src" / "nqdb").string();
}

// ----------------------------------------------------------------- main ---

int Main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  std::string nqdb = flags.nqdb.empty() ? DefaultNqdb() : flags.nqdb;
  if (!flags.skip_shell && ::access(nqdb.c_str(), X_OK) != 0) {
    Die(fmt::format("{} not found; build the nqdb target, give --nqdb, or --skip-shell", nqdb));
  }
  std::string scratch = MakeScratchDir(flags.dir, "sql_bench");
  Workload w(flags.rows);

  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  fmt::print("sql_bench  {}\n", date);
  fmt::print("  machine: {} hardware threads; data dir {} (filesystem {})\n", std::thread::hardware_concurrency(),
             scratch, FsTypeName(FsMagic(scratch)));
  if (IsMemoryFs(scratch)) fmt::print("  WARNING: in-memory filesystem: cold runs and fsyncs mean nothing\n");
  fmt::print("  t: {} rows, u: {} rows; cache {} MiB each (our buffer pool, SQLite cache_size)\n", w.rows(),
             w.u_rows(), flags.cache_mib);
  fmt::print("  durability: ours full; SQLite {} journal_mode=WAL synchronous=FULL\n", sqlite3_libversion());
  fmt::print("  wall-clock seconds; ratio = SQLite / ours (> 1: ours is faster); CPU = user + system\n"
             "  seconds of the process (of the child for line 7)\n\n");

  fs::create_directories(scratch + "/ours");
  fs::create_directories(scratch + "/sqlite");
  Ours ours(scratch + "/ours", flags.cache_mib);
  Sqlite sqlite(scratch + "/sqlite", flags.cache_mib);
  SqlEngine* engines[2] = {&ours, &sqlite};
  Report report;

  report.PrintHeader();
  Timed load[2], load_u[2], index[2];
  for (int e = 0; e < 2; ++e) {
    engines[e]->Open();
    engines[e]->Exec(kCreateT);
    engines[e]->Exec(kCreateU);
    load[e] = LoadT(engines[e], w);
    load_u[e] = LoadU(engines[e], w);
    index[e] = Time([&](Answer*) { engines[e]->Exec(kCreateIndex); });
  }
  report.Add({fmt::format("1. bulk insert, 1 txn ({} rows)", w.rows()), load[0], load[1], w.rows()});
  report.Add({fmt::format("   (info) insert u, 1 txn ({} rows)", w.u_rows()), load_u[0], load_u[1], w.u_rows()});
  report.Add({"   (info) CREATE INDEX t_val ON t(val)", index[0], index[1], 1});

  struct QueryLine {
    Query query;
    const char* title;
    uint64_t ops;
  };
  const QueryLine queries[] = {
      {Query::kPoint, "2. point lookups by id", w.rows()},
      {Query::kScan, "3. full scan SUM, COUNT", 1},
      {Query::kGroup, "4. GROUP BY grp (1000 groups)", 1},
      {Query::kJoin, "5. join t-u + GROUP BY (100 groups)", 1},
      {Query::kRange, "6. range counts on index t_val", w.rows() / 10},
  };
  double worst_residency = 0;
  for (size_t q = 0; q < std::size(queries); ++q) {
    Timed runs[2][2];  // [engine][cold, warm]
    double residency = 0;
    for (int k = 0; k < 2; ++k) {
      int e = (q % 2 == 0) == (k == 0) ? 0 : 1;
      engines[e]->Close();
      residency = std::max(residency, EvictFromPageCache(engines[e]->dir()));
      engines[e]->Open();
      runs[e][0] = RunQuery(engines[e], queries[q].query, w);
      runs[e][1] = RunQuery(engines[e], queries[q].query, w);
    }
    // Eviction counts as taken when at most 5% of the files stayed resident.
    worst_residency = std::max(worst_residency, residency);
    const char* cold = residency <= 0.05 ? "cold" : "reopened";
    report.Add({fmt::format("{}, {}", queries[q].title, cold), runs[0][0], runs[1][0], queries[q].ops});
    report.Add({fmt::format("{}, warm", queries[q].title), runs[0][1], runs[1][1], queries[q].ops});
    for (int pass = 0; pass < 2; ++pass) {
      report.Check(fmt::format("{} ({})", queries[q].title, pass == 0 ? cold : "warm"), runs[0][pass].answer,
                   runs[1][pass].answer);
    }
    fmt::print("     answer: {}\n", runs[0][0].answer.ToString());
  }
  fmt::print("  cold: engine closed, files fdatasync'ed and dropped with posix_fadvise(DONTNEED),\n"
             "        reopened; at most {:.1f}% of the files stayed in the OS page cache\n",
             worst_residency * 100);
  for (SqlEngine* engine : engines) engine->Close();
  const double ours_file = static_cast<double>(fs::file_size(ours.dir() + "/bench.nqdb")) / (1 << 20);
  fmt::print("  database files after the run: ours {:.1f} MiB (database file {:.1f} MiB, the rest WAL), "
             "SQLite {:.1f} MiB\n",
             DirMib(ours.dir()), ours_file, DirMib(sqlite.dir()));

  if (!flags.skip_shell) RunShells(flags, nqdb, scratch, &report);

  report.PrintSummary();
  fs::remove_all(scratch);
  if (!report.mismatches().empty()) {
    fmt::print("\nFAILED: the engines disagree on {} result(s):\n", report.mismatches().size());
    for (const auto& m : report.mismatches()) fmt::print("  {}\n", m);
    return 1;
  }
  fmt::print("\nResults agree between the engines on every line. Scratch directory removed.\n");
  return 0;
}

}  // namespace
}  // namespace neuroquantum::bench

int main(int argc, char** argv) { return neuroquantum::bench::Main(argc, argv); }
