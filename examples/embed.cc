// Embedding NeuroQuantumDB: open a database file, create a table, insert
// rows with a prepared statement inside a transaction, and read typed
// results.
//
//   embed_example PATH     (PATH is created if missing, then reused)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "neuroquantum/database.h"

using neuroquantum::Database;

// Prints an error with its SQLSTATE and exits.
template <typename T>
T Check(neuroquantum::Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s failed: %s: %s\n", what, std::string(SqlState(result.status())).c_str(),
                 result.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATABASE_PATH\n", argv[0]);
    return 2;
  }
  auto db = Check(Database::Open(argv[1]), "open");
  auto conn = db->Connect();  // one connection per thread

  Check(conn->Execute("DROP TABLE IF EXISTS items;"
                      "CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT NOT NULL, stock INTEGER)"),
        "create");

  Check(conn->Execute("BEGIN"), "begin");
  auto insert = Check(conn->Prepare("INSERT INTO items (name, stock) VALUES ($1, $2)"), "prepare");
  const char* names[] = {"bolt", "nut", "washer"};
  const int stock[] = {10, 20, 15};
  for (int i = 0; i < 3; ++i) {
    (void)insert->BindText(1, names[i]);
    (void)insert->BindInt64(2, stock[i]);
    Check(insert->Execute(), "insert");
  }
  Check(conn->Execute("COMMIT"), "commit");

  // A failing statement reports its SQLSTATE and changes nothing.
  auto bad = conn->Execute("INSERT INTO items (name) VALUES (NULL)");
  std::printf("expected error: %s\n", bad.ok() ? "none" : std::string(SqlState(bad.status())).c_str());

  auto rows = Check(conn->Execute("SELECT id, name, stock FROM items ORDER BY id"), "select");
  while (Check(rows.Next(), "next")) {
    std::printf("%lld %s %lld\n", static_cast<long long>(rows.GetInt64(0)), rows.GetText(1).c_str(),
                static_cast<long long>(rows.GetInt64(2)));
  }
  auto total = Check(conn->Execute("SELECT SUM(stock) FROM items"), "sum");
  if (Check(total.Next(), "next")) std::printf("total stock: %lld\n", static_cast<long long>(total.GetInt64(0)));
  return 0;
}
