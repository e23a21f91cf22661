// Fuzz target: executing arbitrary SQL never crashes the process or breaks
// the database. Each input runs (raw, and as generated SQL) inside a
// transaction that is rolled back, against small tables, with a statement
// timeout and a memory limit; any error is fine, a crash or a sanitizer
// report is not. Afterwards the tables still hold their rows.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/log.h"
#include "fuzz/sql_generator.h"
#include "neuroquantum/database.h"
#include "support/temp_dir.h"

namespace {

using neuroquantum::Connection;
using neuroquantum::Database;

struct Fixture {
  neuroquantum::testing::TempDir dir{"nq_fuzz_sql_"};
  std::unique_ptr<Database> db;
  std::unique_ptr<Connection> conn;

  Fixture() {
    (void)neuroquantum::ConfigureLogging("off");
    neuroquantum::DatabaseOptions options;
    options.storage.buffer_pool_mib = 4;
    options.storage.durability = neuroquantum::Durability::kOff;
    options.query_memory_limit = 8u << 20;
    options.lock_timeout = std::chrono::milliseconds(100);
    auto opened = Database::Open(dir.Path("db"), options);
    if (!opened.ok()) std::abort();
    db = std::move(opened).value();
    conn = db->Connect();
    conn->SetStatementTimeout(std::chrono::milliseconds(200));
    for (const char* sql : {
             "CREATE TABLE t (a INTEGER, b TEXT, c DOUBLE, \"Q\" INTEGER, key INTEGER PRIMARY KEY)",
             "CREATE TABLE u (a INTEGER, b INTEGER UNIQUE)",
             "CREATE INDEX t_a ON t (a)",
             "INSERT INTO t VALUES (1, 'x', 1.5, 7, 1), (NULL, 's', -2, NULL, 2), (3, NULL, 0, 1, 3)",
             "INSERT INTO u VALUES (1, 10), (3, 30), (NULL, NULL)"}) {
      if (!conn->Execute(sql).ok()) std::abort();
    }
  }
  ~Fixture() {
    conn.reset();
    db.reset();
  }

  void Run(const std::string& sql) {
    if (!conn->Execute("BEGIN").ok()) std::abort();
    (void)conn->Execute(sql);
    if (conn->in_transaction()) (void)conn->Execute("ROLLBACK");
    // A script may have ended the transaction itself; make sure none is
    // left open, and that the data is intact.
    auto rs = conn->Execute("SELECT count(*) FROM t");
    if (rs.ok() && *rs->Next() && rs->GetInt64(0) != 3) {
      std::fprintf(stderr, "rows of t changed after: %s\n", sql.c_str());
      __builtin_trap();
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Lives for the process; at exit the database closes and its directory goes.
  static Fixture instance;
  Fixture* fixture = &instance;
  std::string raw(reinterpret_cast<const char*>(data), size);
  // COMMIT in raw input would make changes stick; keep raw input to one
  // statement-level transaction.
  if (raw.find("COMMIT") == std::string::npos && raw.find("commit") == std::string::npos &&
      raw.find("END") == std::string::npos && raw.find("end") == std::string::npos) {
    fixture->Run(raw);
  }
  neuroquantum::fuzz::Generator generator(data, size);
  fixture->Run(generator.Statement());
  return 0;
}
