// tpch_bench: the TPC-H benchmark of `make bench SUITE=tpch`. It generates
// the eight TPC-H tables at a scale factor (bench/tpch/generator.h), loads
// the same rows into NeuroQuantumDB through the embedding API
// (include/neuroquantum/database.h) and into SQLite through its C API, with
// the same primary keys and foreign-key indexes, then runs the 22 queries
// (bench/tpch/queries.h) on both, compares the answers and prints one line
// per query: our time, SQLite's (each the fastest of --runs runs), the ratio
// ours / SQLite (> 1: SQLite is faster), the rows and whether the answers
// agree.
// docs/benchmarks/tpch.md explains the output.
//
// Answers agree when they have the same rows with the same values: text
// exactly but for trailing blanks (CHAR(n) pads), numbers to a relative
// 1e-6 (our DECIMAL arithmetic is exact, SQLite's REAL is not). Rows
// compare in order when the query's ORDER BY fixes it, otherwise as
// multisets. A query that fails or runs past the
// timeout on either engine is reported with its error; the run goes on.
// Exit status: 0 when every query that ran on both engines agrees and none
// failed with an error; 1 otherwise (timeouts alone do not fail the run).
//
// The specification's CHAR(n) columns are declared VARCHAR(n) unless --char
// is given: our CHAR(n) pads values with blanks and then compares them with
// the padding, so `n_name = 'FRANCE'` would match nothing.
//
// Thread safety: single-threaded.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fmt/format.h"

#include "neuroquantum/database.h"
#include "neuroquantum/options.h"
#include "neuroquantum/status.h"
#include "scratch_dir.h"
#include "tpch/generator.h"
#include "tpch/queries.h"

namespace neuroquantum::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tpch::Cents;
using tpch::Day;

// ---------------------------------------------------------------- flags ---

struct Flags {
  double scale_factor = 0.1;
  std::set<int> queries;  // empty: all 22
  double timeout_seconds = 120;
  int runs = 3;  // each query's time is the fastest of this many runs
  uint32_t cache_mib = 512;
  uint32_t query_memory_mib = 1024;
  uint64_t seed = 19920101;
  bool fixed_char = false;  // CHAR(n) as the specification declares, not VARCHAR(n)
  bool explain = false;     // print our plan of each query
  bool keep = false;        // leave the databases in the scratch directory
  bool analyze = false;     // ANALYZE both databases after the load
  bool estimates = false;   // report our estimated against actual rows per query
  std::string dir;  // empty: /tmp, or ./bench-data if /tmp is tmpfs
};

[[noreturn]] void Die(std::string_view message) {
  fmt::print(stderr, "tpch_bench: {}\n", message);
  std::exit(1);
}

double ParsePositive(std::string_view flag, const char* text) {
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value > 0)) Die(fmt::format("{} wants a positive number, got '{}'", flag, text));
  return value;
}

// "1,3,5" or "1-5,9".
std::set<int> ParseQueryList(const char* text) {
  std::set<int> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string item(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    int first = 0, last = 0;
    char tail = 0;
    if (std::sscanf(item.c_str(), "%d-%d%c", &first, &last, &tail) == 2) {
    } else if (std::sscanf(item.c_str(), "%d%c", &first, &tail) == 1) {
      last = first;
    } else {
      Die(fmt::format("--queries wants numbers like 1,3,5 or 1-5, got '{}'", text));
    }
    if (first < 1 || last > 22 || first > last) Die(fmt::format("--queries: '{}' is not within 1..22", item));
    for (int q = first; q <= last; ++q) out.insert(q);
  }
  return out;
}

void PrintUsage() {
  fmt::print(
      "usage: tpch_bench [--sf SF] [--queries LIST] [--runs N] [--timeout SECONDS] [--cache-mib MIB]\n"
      "                  [--query-memory-mib MIB] [--seed N] [--char] [--analyze]\n"
      "                  [--explain] [--estimates] [--keep] [--dir DIR]\n"
      "  --sf SF                TPC-H scale factor (default 0.1; at least 0.01; 1 is the long run)\n"
      "  --queries LIST         queries to run, e.g. 1,3,5 or 1-6,9 (default: all 22)\n"
      "  --runs N               run each query N times on each engine, alternating, and\n"
      "                         report the fastest (default 3; the machine is shared)\n"
      "  --timeout SECONDS      per query and engine (default 120)\n"
      "  --cache-mib MIB        our buffer pool and SQLite's cache_size (default 512)\n"
      "  --query-memory-mib MIB our per-query memory limit for hash tables and sorts\n"
      "                         (default 1024)\n"
      "  --seed N               the generator's seed (default 19920101)\n"
      "  --char                 declare the specification's CHAR(n) columns as CHAR(n)\n"
      "                         (default VARCHAR(n); see docs/benchmarks/tpch.md)\n"
      "  --analyze              run ANALYZE on both databases after the load (default: no\n"
      "                         statistics, each planner's defaults)\n"
      "  --explain              print our engine's plan (EXPLAIN) of each query before it runs\n"
      "  --estimates            after the timed runs, run each query again under EXPLAIN ANALYZE\n"
      "                         and report our estimated against actual rows\n"
      "  --keep                 keep the scratch directory with both databases at the end\n"
      "  --dir DIR              parent of the scratch directory (default /tmp unless it\n"
      "                         is tmpfs, then ./bench-data)\n");
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      PrintUsage();
      std::exit(0);
    }
    if (flag == "--char" || flag == "--explain" || flag == "--keep" || flag == "--analyze" || flag == "--estimates") {
      bool* setting = flag == "--char"        ? &flags.fixed_char
                      : flag == "--explain"   ? &flags.explain
                      : flag == "--keep"      ? &flags.keep
                      : flag == "--estimates" ? &flags.estimates
                                              : &flags.analyze;
      *setting = true;
      continue;
    }
    if (i + 1 >= argc) Die(fmt::format("unknown flag or missing value: {} (try --help)", flag));
    const char* value = argv[++i];
    if (flag == "--sf") {
      flags.scale_factor = ParsePositive(flag, value);
    } else if (flag == "--queries") {
      flags.queries = ParseQueryList(value);
    } else if (flag == "--runs") {
      flags.runs = std::max(1, static_cast<int>(ParsePositive(flag, value)));
    } else if (flag == "--timeout") {
      flags.timeout_seconds = ParsePositive(flag, value);
    } else if (flag == "--cache-mib") {
      flags.cache_mib = static_cast<uint32_t>(ParsePositive(flag, value));
    } else if (flag == "--query-memory-mib") {
      flags.query_memory_mib = static_cast<uint32_t>(ParsePositive(flag, value));
    } else if (flag == "--seed") {
      char* end = nullptr;
      flags.seed = std::strtoull(value, &end, 10);
      if (end == value || *end != '\0') Die(fmt::format("--seed wants an integer, got '{}'", value));
    } else if (flag == "--dir") {
      flags.dir = value;
    } else {
      Die(fmt::format("unknown flag: {} (try --help)", flag));
    }
  }
  // Below 0.01 the specification's supplier formula no longer spreads a
  // part's four suppliers, and Q11's fraction selects nearly everything.
  if (flags.scale_factor < 0.01) Die("--sf must be at least 0.01");
  return flags;
}

// -------------------------------------------------------------- answers ---

struct Cell {
  enum class Kind : uint8_t { kNull, kNumber, kText };
  Kind kind = Kind::kNull;
  double number = 0;
  std::string text;

  std::string ToString() const {
    switch (kind) {
      case Kind::kNull: return "NULL";
      case Kind::kNumber: return fmt::format("{:.10g}", number);
      default: return "'" + text + "'";
    }
  }
};
using Row = std::vector<Cell>;

// Text without trailing blanks: CHAR(n) values may come back padded.
std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool SameCell(const Cell& a, const Cell& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Cell::Kind::kNull: return true;
    case Cell::Kind::kNumber: {
      const double diff = std::fabs(a.number - b.number);
      return diff <= 1e-6 * std::max(std::fabs(a.number), std::fabs(b.number)) || diff < 1e-9;
    }
    default: return TrimBlanks(a.text) == TrimBlanks(b.text);
  }
}

bool SameRow(const Row& a, const Row& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameCell(a[i], b[i])) return false;
  }
  return true;
}

// A total order for the multiset comparison: NULL, then numbers, then text.
bool RowLess(const Row& a, const Row& b) {
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i].kind != b[i].kind) return a[i].kind < b[i].kind;
    if (a[i].kind == Cell::Kind::kNumber && a[i].number != b[i].number) return a[i].number < b[i].number;
    if (a[i].kind == Cell::Kind::kText && TrimBlanks(a[i].text) != TrimBlanks(b[i].text)) {
      return TrimBlanks(a[i].text) < TrimBlanks(b[i].text);
    }
  }
  return a.size() < b.size();
}

std::string RowToString(const Row& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) out += (i ? ", " : "") + row[i].ToString();
  return out + ")";
}

// Empty when the rows agree; else the first difference.
std::string FirstDifference(const std::vector<Row>& ours, const std::vector<Row>& sqlite) {
  if (ours.size() != sqlite.size()) return fmt::format("{} rows against {}", ours.size(), sqlite.size());
  for (size_t r = 0; r < ours.size(); ++r) {
    if (!SameRow(ours[r], sqlite[r])) {
      return fmt::format("row {}: ours {}, SQLite {}", r + 1, RowToString(ours[r]), RowToString(sqlite[r]));
    }
  }
  return {};
}

enum class Agreement { kAgree, kOrderDiffers, kDiffer };

Agreement Compare(std::vector<Row> ours, std::vector<Row> sqlite, bool ordered, std::string* detail) {
  if (ordered) {
    *detail = FirstDifference(ours, sqlite);
    if (detail->empty()) return Agreement::kAgree;
  }
  std::sort(ours.begin(), ours.end(), RowLess);
  std::sort(sqlite.begin(), sqlite.end(), RowLess);
  std::string unordered = FirstDifference(ours, sqlite);
  if (unordered.empty()) return ordered ? Agreement::kOrderDiffers : Agreement::kAgree;
  *detail = unordered;
  return Agreement::kDiffer;
}

// One engine's run of one query.
struct Outcome {
  enum class State { kOk, kTimeout, kError };
  State state = State::kOk;
  std::string error;
  double seconds = 0;
  std::vector<Row> rows;
};

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// -------------------------------------------------------------- engines ---

// A prepared INSERT of either engine; parameters are numbered from 1.
class Inserter {
 public:
  virtual ~Inserter() = default;
  virtual void Int(int index, int64_t value) = 0;
  virtual void Text(int index, std::string_view value) = 0;
  virtual void Money(int index, Cents value) = 0;
  virtual void Date(int index, Day value) = 0;
  virtual void Insert() = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const char* name() const = 0;
  // A statement whose rows are not needed: the error text, empty if none.
  virtual std::string TryExec(const std::string& sql) = 0;
  // Setup statements; an error ends the program.
  void Exec(const std::string& sql) {
    std::string error = TryExec(sql);
    if (!error.empty()) Die(fmt::format("{}: {}: {}", name(), sql, error));
  }
  virtual std::unique_ptr<Inserter> PrepareInsert(const std::string& sql) = 0;
  // Runs a query and reads every row, stopping at `timeout_seconds`.
  virtual Outcome Run(const std::string& sql, double timeout_seconds) = 0;
};

// ISO text of the dates the generator produces, computed once.
class DateTexts {
 public:
  DateTexts() : first_(tpch::DayFromCivil(1992, 1, 1)) {
    for (Day d = first_; d <= tpch::DayFromCivil(1999, 12, 31); ++d) texts_.push_back(tpch::DayToString(d));
  }
  std::string Get(Day day) const {
    const auto i = static_cast<size_t>(day - first_);
    return day >= first_ && i < texts_.size() ? texts_[i] : tpch::DayToString(day);
  }

 private:
  Day first_;
  std::vector<std::string> texts_;
};

const DateTexts& Dates() {
  static const DateTexts* dates = new DateTexts();
  return *dates;
}

class OursInserter : public Inserter {
 public:
  explicit OursInserter(std::unique_ptr<PreparedStatement> stmt) : stmt_(std::move(stmt)) {}
  void Int(int index, int64_t value) override { Check(stmt_->BindInt64(static_cast<size_t>(index), value)); }
  void Text(int index, std::string_view value) override {
    Check(stmt_->BindText(static_cast<size_t>(index), value));
  }
  // Decimal text, so that DECIMAL(15,2) gets the exact value.
  void Money(int index, Cents value) override { Text(index, tpch::CentsToString(value)); }
  void Date(int index, Day value) override { Text(index, Dates().Get(value)); }
  void Insert() override {
    auto rs = stmt_->Execute();
    if (!rs.ok()) Die("ours: insert: " + rs.status().ToString());
  }

 private:
  static void Check(const Status& s) {
    if (!s.ok()) Die("ours: bind: " + s.ToString());
  }
  std::unique_ptr<PreparedStatement> stmt_;
};

class Ours : public Engine {
 public:
  Ours(const std::string& dir, const Flags& flags) {
    DatabaseOptions options;
    options.storage.buffer_pool_mib = flags.cache_mib;
    options.storage.durability = Durability::kFull;
    options.query_memory_limit = size_t{flags.query_memory_mib} << 20;
    // Statistics come from --analyze alone, as for SQLite: a background
    // ANALYZE finishing at some point of the load or the queries would make
    // the plans (and the timings) depend on the moment.
    options.auto_analyze = false;
    auto db = Database::Open(dir + "/tpch.nqdb", options);
    if (!db.ok()) Die("ours: open: " + db.status().ToString());
    db_ = std::move(*db);
    conn_ = db_->Connect();
  }
  ~Ours() override {
    conn_.reset();
    db_.reset();
  }
  const char* name() const override { return "NeuroQuantumDB"; }

  std::string TryExec(const std::string& sql) override {
    auto rs = conn_->Execute(sql);
    return rs.ok() ? std::string() : rs.status().ToString();
  }
  std::unique_ptr<Inserter> PrepareInsert(const std::string& sql) override {
    auto stmt = conn_->Prepare(sql);
    if (!stmt.ok()) Die(fmt::format("ours: {}: {}", sql, stmt.status().ToString()));
    return std::make_unique<OursInserter>(std::move(*stmt));
  }

  // The plan as EXPLAIN (or with `analyze` EXPLAIN ANALYZE) prints it, or
  // the error.
  std::string Explain(const std::string& sql, bool analyze = false) {
    std::vector<Row> rows;
    Status status = Read((analyze ? "explain analyze " : "explain ") + sql, &rows);
    if (!status.ok()) return "EXPLAIN failed: " + status.ToString();
    std::string out;
    for (const Row& row : rows) {
      for (const Cell& cell : row) out += cell.kind == Cell::Kind::kText ? cell.text : cell.ToString();
      out += '\n';
    }
    return out;
  }

  Outcome Run(const std::string& sql, double timeout_seconds) override {
    Outcome out;
    conn_->SetStatementTimeout(std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000)));
    auto start = Clock::now();
    Status status = Read(sql, &out.rows);
    out.seconds = SecondsSince(start);
    conn_->SetStatementTimeout(std::chrono::milliseconds(0));
    if (!status.ok()) {
      out.state = SqlState(status) == "57014" ? Outcome::State::kTimeout : Outcome::State::kError;
      out.error = status.ToString();
      out.rows.clear();
    }
    return out;
  }

 private:
  Status Read(const std::string& sql, std::vector<Row>* rows) {
    auto rs = conn_->Execute(sql);
    if (!rs.ok()) return rs.status();
    const size_t columns = rs->column_count();
    while (true) {
      auto more = rs->Next();
      if (!more.ok()) return more.status();
      if (!*more) return Status::OK();
      Row row(columns);
      for (size_t c = 0; c < columns; ++c) {
        switch (rs->kind(c)) {
          case FieldKind::kNull: break;
          case FieldKind::kBoolean:
          case FieldKind::kInteger:
          case FieldKind::kDouble:
          case FieldKind::kNumeric:
            row[c].kind = Cell::Kind::kNumber;
            row[c].number = rs->GetDouble(c);
            break;
          default:
            row[c].kind = Cell::Kind::kText;
            row[c].text = rs->GetText(c);
            break;
        }
      }
      rows->push_back(std::move(row));
    }
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

class SqliteInserter : public Inserter {
 public:
  SqliteInserter(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteInserter() override { sqlite3_finalize(stmt_); }
  void Int(int index, int64_t value) override { Check(sqlite3_bind_int64(stmt_, index, value)); }
  void Text(int index, std::string_view value) override {
    Check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void Money(int index, Cents value) override {
    Check(sqlite3_bind_double(stmt_, index, static_cast<double>(value) / 100.0));
  }
  void Date(int index, Day value) override { Text(index, Dates().Get(value)); }
  void Insert() override {
    if (sqlite3_step(stmt_) != SQLITE_DONE) Die(fmt::format("SQLite: insert: {}", sqlite3_errmsg(db_)));
    sqlite3_reset(stmt_);
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Die(fmt::format("SQLite: bind: {}", sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Sqlite : public Engine {
 public:
  Sqlite(const std::string& dir, const Flags& flags) {
    std::string path = dir + "/tpch.sqlite";
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      Die(fmt::format("SQLite: cannot open {}", path));
    }
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");
    Exec(fmt::format("PRAGMA cache_size=-{}", uint64_t{flags.cache_mib} * 1024));  // KiB
  }
  ~Sqlite() override { sqlite3_close(db_); }
  const char* name() const override { return "SQLite"; }

  std::string TryExec(const std::string& sql) override {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) return {};
    return sqlite3_errmsg(db_);
  }
  std::unique_ptr<Inserter> PrepareInsert(const std::string& sql) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      Die(fmt::format("SQLite: {}: {}", sql, sqlite3_errmsg(db_)));
    }
    return std::make_unique<SqliteInserter>(db_, stmt);
  }

  Outcome Run(const std::string& sql, double timeout_seconds) override {
    Outcome out;
    auto start = Clock::now();
    deadline_ = start + std::chrono::microseconds(static_cast<int64_t>(timeout_seconds * 1e6));
    // The handler runs every few thousand virtual-machine steps; a non-zero
    // return interrupts the statement (SQLITE_INTERRUPT).
    sqlite3_progress_handler(
        db_, 4096, [](void* self) { return Clock::now() > static_cast<Sqlite*>(self)->deadline_ ? 1 : 0; }, this);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
      const int columns = sqlite3_column_count(stmt);
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        Row row(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c) {
          Cell& cell = row[static_cast<size_t>(c)];
          switch (sqlite3_column_type(stmt, c)) {
            case SQLITE_NULL: break;
            case SQLITE_INTEGER:
            case SQLITE_FLOAT:
              cell.kind = Cell::Kind::kNumber;
              cell.number = sqlite3_column_double(stmt, c);
              break;
            default:
              cell.kind = Cell::Kind::kText;
              cell.text.assign(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                               static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
              break;
          }
        }
        out.rows.push_back(std::move(row));
      }
    }
    out.seconds = SecondsSince(start);
    if (rc != SQLITE_DONE) {
      out.state = rc == SQLITE_INTERRUPT ? Outcome::State::kTimeout : Outcome::State::kError;
      out.error = sqlite3_errmsg(db_);
      out.rows.clear();
    }
    sqlite3_finalize(stmt);
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  Clock::time_point deadline_;
};

// ----------------------------------------------------------------- load ---

// Rows per transaction while loading.
constexpr int64_t kBatchRows = 50000;

// Counts inserted rows and commits every kBatchRows of them.
class Batch {
 public:
  explicit Batch(Engine* engine) : engine_(engine) { engine_->Exec("BEGIN"); }
  ~Batch() { engine_->Exec("COMMIT"); }
  void Row() {
    if (++rows_ % kBatchRows == 0) {
      engine_->Exec("COMMIT");
      engine_->Exec("BEGIN");
    }
  }
  int64_t rows() const { return rows_; }

 private:
  Engine* engine_;
  int64_t rows_ = 0;
};

struct LoadResult {
  double seconds = 0;
  int64_t rows = 0;
};

// Loads every table through prepared INSERTs; returns per-table figures in
// the order region, nation, supplier, customer, part, partsupp, orders,
// lineitem (orders and lineitem are generated together and timed together
// under "orders").
std::vector<LoadResult> Load(Engine* engine, const tpch::Generator& gen) {
  std::vector<LoadResult> out;
  auto timed = [&](auto body) {
    auto start = Clock::now();
    LoadResult r;
    r.rows = body();
    r.seconds = SecondsSince(start);
    out.push_back(r);
  };
  timed([&] {
    auto ins = engine->PrepareInsert("insert into region values (?, ?, ?)");
    Batch batch(engine);
    gen.Regions([&](const tpch::RegionRow& r) {
      ins->Int(1, r.regionkey), ins->Text(2, r.name), ins->Text(3, r.comment);
      ins->Insert();
      batch.Row();
    });
    return batch.rows();
  });
  timed([&] {
    auto ins = engine->PrepareInsert("insert into nation values (?, ?, ?, ?)");
    Batch batch(engine);
    gen.Nations([&](const tpch::NationRow& r) {
      ins->Int(1, r.nationkey), ins->Text(2, r.name), ins->Int(3, r.regionkey), ins->Text(4, r.comment);
      ins->Insert();
      batch.Row();
    });
    return batch.rows();
  });
  timed([&] {
    auto ins = engine->PrepareInsert("insert into supplier values (?, ?, ?, ?, ?, ?, ?)");
    Batch batch(engine);
    gen.Suppliers([&](const tpch::SupplierRow& r) {
      ins->Int(1, r.suppkey), ins->Text(2, r.name), ins->Text(3, r.address), ins->Int(4, r.nationkey);
      ins->Text(5, r.phone), ins->Money(6, r.acctbal), ins->Text(7, r.comment);
      ins->Insert();
      batch.Row();
    });
    return batch.rows();
  });
  timed([&] {
    auto ins = engine->PrepareInsert("insert into customer values (?, ?, ?, ?, ?, ?, ?, ?)");
    Batch batch(engine);
    gen.Customers([&](const tpch::CustomerRow& r) {
      ins->Int(1, r.custkey), ins->Text(2, r.name), ins->Text(3, r.address), ins->Int(4, r.nationkey);
      ins->Text(5, r.phone), ins->Money(6, r.acctbal), ins->Text(7, r.mktsegment), ins->Text(8, r.comment);
      ins->Insert();
      batch.Row();
    });
    return batch.rows();
  });
  timed([&] {
    auto ins = engine->PrepareInsert("insert into part values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Batch batch(engine);
    gen.Parts([&](const tpch::PartRow& r) {
      ins->Int(1, r.partkey), ins->Text(2, r.name), ins->Text(3, r.mfgr), ins->Text(4, r.brand);
      ins->Text(5, r.type), ins->Int(6, r.size), ins->Text(7, r.container), ins->Money(8, r.retailprice);
      ins->Text(9, r.comment);
      ins->Insert();
      batch.Row();
    });
    return batch.rows();
  });
  timed([&] {
    auto ins = engine->PrepareInsert("insert into partsupp values (?, ?, ?, ?, ?)");
    Batch batch(engine);
    gen.PartSupps([&](const tpch::PartSuppRow& r) {
      ins->Int(1, r.partkey), ins->Int(2, r.suppkey), ins->Int(3, r.availqty), ins->Money(4, r.supplycost);
      ins->Text(5, r.comment);
      ins->Insert();
      batch.Row();
    });
    return batch.rows();
  });
  int64_t lines = 0;
  timed([&] {
    auto order_ins = engine->PrepareInsert("insert into orders values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto line_ins = engine->PrepareInsert(
        "insert into lineitem values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Batch batch(engine);
    gen.Orders([&](const tpch::OrderRow& o, const std::vector<tpch::LineItemRow>& items) {
      Inserter* ins = order_ins.get();
      ins->Int(1, o.orderkey), ins->Int(2, o.custkey), ins->Text(3, o.orderstatus), ins->Money(4, o.totalprice);
      ins->Date(5, o.orderdate), ins->Text(6, o.orderpriority), ins->Text(7, o.clerk), ins->Int(8, o.shippriority);
      ins->Text(9, o.comment);
      ins->Insert();
      batch.Row();
      ins = line_ins.get();
      for (const tpch::LineItemRow& l : items) {
        ins->Int(1, l.orderkey), ins->Int(2, l.partkey), ins->Int(3, l.suppkey), ins->Int(4, l.linenumber);
        ins->Money(5, l.quantity), ins->Money(6, l.extendedprice), ins->Money(7, l.discount);
        ins->Money(8, l.tax), ins->Text(9, l.returnflag), ins->Text(10, l.linestatus);
        ins->Date(11, l.shipdate), ins->Date(12, l.commitdate), ins->Date(13, l.receiptdate);
        ins->Text(14, l.shipinstruct), ins->Text(15, l.shipmode), ins->Text(16, l.comment);
        ins->Insert();
        batch.Row();
        ++lines;
      }
    });
    return batch.rows() - lines;
  });
  out.push_back(LoadResult{0, lines});
  return out;
}

double DirMib(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return static_cast<double>(bytes) / (1 << 20);
}

// ---------------------------------------------------------------- report ---

struct QueryLine {
  int number = 0;
  Outcome ours, sqlite;
  Agreement agreement = Agreement::kDiffer;
  std::string detail;  // the first difference
  bool both_ok() const { return ours.state == Outcome::State::kOk && sqlite.state == Outcome::State::kOk; }
};

std::string StateText(const Outcome& o) {
  switch (o.state) {
    case Outcome::State::kOk: return fmt::format("{:.3f}", o.seconds);
    case Outcome::State::kTimeout: return "timeout";
    default: return "error";
  }
}

std::string AgreeText(const QueryLine& line) {
  if (!line.both_ok()) return "-";
  switch (line.agreement) {
    case Agreement::kAgree: return "yes";
    case Agreement::kOrderDiffers: return "ORDER";
    default: return "NO";
  }
}

std::string RatioText(const QueryLine& line) {
  if (!line.both_ok()) return "-";
  if (line.sqlite.seconds <= 0) return "inf";
  return fmt::format("{:.2f}x", line.ours.seconds / line.sqlite.seconds);
}

std::string RowsText(const QueryLine& line) {
  if (line.ours.state == Outcome::State::kOk) return std::to_string(line.ours.rows.size());
  if (line.sqlite.state == Outcome::State::kOk) return std::to_string(line.sqlite.rows.size());
  return "-";
}

void PrintLine(const QueryLine& line) {
  fmt::print("  Q{:<4} {:>10} {:>10} {:>12} {:>7}   {}\n", line.number, StateText(line.ours), StateText(line.sqlite),
             RatioText(line), RowsText(line), AgreeText(line));
  for (const Outcome* o : {&line.ours, &line.sqlite}) {
    if (o->state != Outcome::State::kOk) {
      fmt::print("         {} {} after {:.3f} s: {}\n", o == &line.ours ? "ours" : "SQLite",
                 o->state == Outcome::State::kTimeout ? "timed out" : "failed", o->seconds, o->error);
    }
  }
  if (line.both_ok() && line.agreement != Agreement::kAgree) {
    fmt::print("         {}: {}\n",
               line.agreement == Agreement::kOrderDiffers ? "same rows, different order" : "answers differ",
               line.detail);
  }
  std::fflush(stdout);
}

// ----------------------------------------------------------------- main ---

// How far one operator's estimate was from what it returned: the larger
// of estimate / actual and actual / estimate, each at least one row (the
// q-error).
struct EstimateLine {
  double estimated = 0, actual = 0;
  std::string op;
  double QError() const {
    const double e = std::max(estimated, 1.0), a = std::max(actual, 1.0);
    return std::max(e / a, a / e);
  }
};

// Every operator of an EXPLAIN ANALYZE text that carries an estimate and
// ran: "(cost=C rows=E) (actual rows=A loops=L ...)"; actual rows are per
// loop.
std::vector<EstimateLine> ParseEstimates(const std::string& plan) {
  std::vector<EstimateLine> out;
  for (size_t at = 0; at < plan.size();) {
    size_t end = plan.find('\n', at);
    if (end == std::string::npos) end = plan.size();
    const std::string line = plan.substr(at, end - at);
    at = end + 1;
    const size_t cost = line.find(" (cost=");
    const size_t est = line.find(" rows=", cost);
    const size_t act = line.find("(actual rows=");
    if (cost == std::string::npos || est == std::string::npos || act == std::string::npos) continue;
    EstimateLine e;
    e.estimated = std::strtod(line.c_str() + est + 6, nullptr);
    e.actual = std::strtod(line.c_str() + act + 13, nullptr);
    e.op = line.substr(0, cost);
    e.op.erase(0, e.op.find_first_not_of(' '));
    while (!e.op.empty() && e.op.back() == ' ') e.op.pop_back();
    out.push_back(std::move(e));
  }
  return out;
}

// Our estimated against actual rows, per query: the result and the
// operators of the plan.
void PrintEstimates(Ours* ours, const std::vector<tpch::Query>& queries, const Flags& flags) {
  fmt::print("\nEstimates (ours; EXPLAIN ANALYZE after the timed runs; rows per loop; q-error = the larger of\n"
             "estimate/actual and actual/estimate, each at least 1)\n\n");
  fmt::print("| query | operators | result: estimated | result: actual | median q-error | max q-error | worst "
             "operator |\n|---|---:|---:|---:|---:|---:|---|\n");
  for (const tpch::Query& q : queries) {
    if (!flags.queries.empty() && flags.queries.count(q.number) == 0) continue;
    const std::string plan = ours->Explain(q.ours, /*analyze=*/true);
    std::vector<EstimateLine> lines = ParseEstimates(plan);
    if (lines.empty()) {
      fmt::print("| Q{} | - | - | - | - | - | {} |\n", q.number, plan.substr(0, plan.find('\n')));
      continue;
    }
    std::vector<double> errors;
    for (const auto& l : lines) errors.push_back(l.QError());
    std::sort(errors.begin(), errors.end());
    const auto worst = std::max_element(lines.begin(), lines.end(),
                                        [](const EstimateLine& a, const EstimateLine& b) { return a.QError() < b.QError(); });
    fmt::print("| Q{} | {} | {:.0f} | {:.0f} | {:.2f} | {:.1f} | {} |\n", q.number, lines.size(), lines[0].estimated,
               lines[0].actual, errors[errors.size() / 2], errors.back(), worst->op);
  }
}

int Main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  tpch::Generator gen(flags.scale_factor, flags.seed);
  std::vector<tpch::Query> queries = tpch::Queries(flags.scale_factor);
  std::string scratch = MakeScratchDir(flags.dir, "tpch_bench");

  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  const tpch::Cardinalities& n = gen.cardinalities();
  fmt::print("tpch_bench  {}\n", date);
  fmt::print("  machine: {} hardware threads; data dir {} (filesystem {})\n", std::thread::hardware_concurrency(),
             scratch, FsTypeName(FsMagic(scratch)));
  fmt::print("  scale factor {} (seed {}): supplier {}, part {}, partsupp {}, customer {}, orders {},\n"
             "  lineitem about {}; nation 25, region 5\n",
             flags.scale_factor, flags.seed, n.supplier, n.part, n.partsupp, n.customer, n.orders,
             n.lineitem_expected);
  fmt::print("  cache {} MiB each (our buffer pool, SQLite cache_size); our query memory limit {} MiB;\n"
             "  SQLite {}; {}; timeout {} s per query and engine; text columns {}\n\n",
             flags.cache_mib, flags.query_memory_mib, sqlite3_libversion(),
             flags.analyze ? "ANALYZE after the load" : "no ANALYZE", flags.timeout_seconds,
             flags.fixed_char ? "CHAR(n) as specified" : "VARCHAR(n) (--char for CHAR(n))");

  fs::create_directories(scratch + "/ours");
  fs::create_directories(scratch + "/sqlite");
  auto ours = std::make_unique<Ours>(scratch + "/ours", flags);
  auto sqlite = std::make_unique<Sqlite>(scratch + "/sqlite", flags);
  Engine* engines[2] = {ours.get(), sqlite.get()};

  // Load: schema, rows, then the indexes.
  const char* const kTableNames[] = {"region", "nation", "supplier", "customer", "part", "partsupp", "orders",
                                     "lineitem"};
  std::vector<LoadResult> loads[2];
  double index_seconds[2] = {0, 0}, analyze_seconds[2] = {0, 0};
  std::string analyze_error[2];
  for (int e = 0; e < 2; ++e) {
    fmt::print("  loading {} ...\n", engines[e]->name());
    std::fflush(stdout);
    for (const std::string& sql : tpch::CreateTables(e == 1, flags.fixed_char)) engines[e]->Exec(sql);
    loads[e] = Load(engines[e], gen);
    auto start = Clock::now();
    for (const std::string& sql : tpch::CreateIndexes()) engines[e]->Exec(sql);
    index_seconds[e] = SecondsSince(start);
    if (flags.analyze) {
      start = Clock::now();
      analyze_error[e] = engines[e]->TryExec("ANALYZE");
      analyze_seconds[e] = SecondsSince(start);
    }
  }
  fmt::print("\n  {:<10} {:>10} {:>12} {:>12}\n", "load", "rows", "ours (s)", "SQLite (s)");
  double load_total[2] = {0, 0};
  for (size_t t = 0; t < std::size(kTableNames); ++t) {
    if (t + 1 == std::size(kTableNames)) {
      fmt::print("  {:<10} {:>10} {:>12} {:>12}\n", kTableNames[t], loads[0][t].rows, "(in orders)", "(in orders)");
      continue;
    }
    fmt::print("  {:<10} {:>10} {:>12.3f} {:>12.3f}\n", kTableNames[t], loads[0][t].rows, loads[0][t].seconds,
               loads[1][t].seconds);
    load_total[0] += loads[0][t].seconds;
    load_total[1] += loads[1][t].seconds;
  }
  fmt::print("  {:<10} {:>10} {:>12.3f} {:>12.3f}\n", "indexes", tpch::CreateIndexes().size(), index_seconds[0],
             index_seconds[1]);
  if (flags.analyze) {
    fmt::print("  {:<10} {:>10} {:>12.3f} {:>12.3f}\n", "ANALYZE", "", analyze_seconds[0], analyze_seconds[1]);
    for (int e = 0; e < 2; ++e) {
      if (!analyze_error[e].empty()) fmt::print("  ANALYZE failed on {}: {}\n", engines[e]->name(), analyze_error[e]);
    }
  }
  fmt::print("  {:<10} {:>10} {:>12.3f} {:>12.3f}\n", "total", "",
             load_total[0] + index_seconds[0] + analyze_seconds[0],
             load_total[1] + index_seconds[1] + analyze_seconds[1]);
  fmt::print("  database files: ours {:.1f} MiB, SQLite {:.1f} MiB\n\n", DirMib(scratch + "/ours"),
             DirMib(scratch + "/sqlite"));
  if (loads[0].back().rows != loads[1].back().rows) Die("the engines were loaded with different lineitem counts");

  // Queries, each engine in turn; the first engine alternates so that the
  // shared machine's drift does not fall on one engine only.
  fmt::print("  {:<5} {:>10} {:>10} {:>12} {:>7}   {}\n", "query", "ours (s)", "SQLite (s)", "ours/SQLite", "rows",
             "agree");
  std::vector<QueryLine> lines;
  for (const tpch::Query& q : queries) {
    if (!flags.queries.empty() && flags.queries.count(q.number) == 0) continue;
    QueryLine line;
    line.number = q.number;
    if (flags.explain) {
      std::string plan = ours->Explain(q.ours);
      fmt::print("  our plan of Q{}:\n", q.number);
      for (size_t at = 0; at < plan.size();) {
        size_t end = plan.find('\n', at);
        if (end == std::string::npos) end = plan.size();
        fmt::print("    {}\n", std::string_view(plan).substr(at, end - at));
        at = end + 1;
      }
    }
    // The fastest of the runs; the rows are the first run's, and a failed
    // run ends that engine's runs with its failure.
    auto keep_fastest = [](Outcome* best, Outcome next, bool first) {
      if (first || next.state != Outcome::State::kOk) {
        *best = std::move(next);
      } else {
        best->seconds = std::min(best->seconds, next.seconds);
      }
    };
    for (int run = 0; run < flags.runs; ++run) {
      for (int k = 0; k < 2; ++k) {
        const bool run_ours = (k == 0) == ((q.number + run) % 2 == 1);
        Outcome* best = run_ours ? &line.ours : &line.sqlite;
        if (run > 0 && best->state != Outcome::State::kOk) continue;
        keep_fastest(best, run_ours ? ours->Run(q.ours, flags.timeout_seconds)
                                    : sqlite->Run(q.sqlite, flags.timeout_seconds),
                     run == 0);
      }
    }
    if (line.both_ok()) line.agreement = Compare(line.ours.rows, line.sqlite.rows, q.ordered, &line.detail);
    PrintLine(line);
    lines.push_back(std::move(line));
  }

  // Totals over the queries both engines finished.
  double total_ours = 0, total_sqlite = 0;
  int finished = 0, agree = 0, order_differs = 0, differ = 0, errors = 0, timeouts = 0;
  for (const QueryLine& line : lines) {
    for (const Outcome* o : {&line.ours, &line.sqlite}) {
      errors += o->state == Outcome::State::kError ? 1 : 0;
      timeouts += o->state == Outcome::State::kTimeout ? 1 : 0;
    }
    if (!line.both_ok()) continue;
    ++finished;
    total_ours += line.ours.seconds;
    total_sqlite += line.sqlite.seconds;
    agree += line.agreement == Agreement::kAgree ? 1 : 0;
    order_differs += line.agreement == Agreement::kOrderDiffers ? 1 : 0;
    differ += line.agreement == Agreement::kDiffer ? 1 : 0;
  }
  fmt::print("  {:<5} {:>10.3f} {:>10.3f} {:>12} {:>7}   {} of {} agree\n", "total", total_ours, total_sqlite,
             total_sqlite > 0 ? fmt::format("{:.2f}x", total_ours / total_sqlite) : "-", "", agree, finished);
  fmt::print("  (totals over the {} queries both engines finished; {} timeout(s), {} error(s))\n", finished,
             timeouts, errors);

  fmt::print("\nSummary (markdown; seconds; ratio ours / SQLite: > 1 means SQLite is faster)\n\n");
  fmt::print("| query | ours (s) | SQLite (s) | ours / SQLite | rows | agree |\n"
             "|---|---:|---:|---:|---:|---|\n");
  for (const QueryLine& line : lines) {
    fmt::print("| Q{} | {} | {} | {} | {} | {} |\n", line.number, StateText(line.ours), StateText(line.sqlite),
               RatioText(line), RowsText(line), AgreeText(line));
  }
  fmt::print("| total ({} both finished) | {:.3f} | {:.3f} | {} | | {} of {} |\n", finished, total_ours, total_sqlite,
             total_sqlite > 0 ? fmt::format("{:.2f}x", total_ours / total_sqlite) : "-", agree, finished);

  if (flags.estimates) PrintEstimates(ours.get(), queries, flags);

  ours.reset();
  sqlite.reset();
  std::string scratch_note = "Scratch directory removed.";
  if (flags.keep) {
    scratch_note = fmt::format("Databases kept: {}/ours/tpch.nqdb, {}/sqlite/tpch.sqlite.", scratch, scratch);
  } else {
    fs::remove_all(scratch);
  }
  if (differ + order_differs > 0 || errors > 0) {
    fmt::print("\nFAILED: {} query(ies) disagree, {} in row order only; {} error(s). {}\n", differ, order_differs,
               errors, scratch_note);
    return 1;
  }
  fmt::print("\nEvery query both engines finished agrees. {}\n", scratch_note);
  return 0;
}

}  // namespace
}  // namespace neuroquantum::bench

int main(int argc, char** argv) { return neuroquantum::bench::Main(argc, argv); }
