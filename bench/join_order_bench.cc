// join_order_bench: planning time and chosen join order for chain, star
// and clique join graphs of 4..16 tables (`make bench SUITE=optimizer`;
// docs/benchmarks/optimizer.md).
//
// Tables r0..r15 with 100 * (i + 1) rows each (r0 is the star's centre
// with 20,000 rows), every one analysed; queries join the first n tables:
//   chain:  r0.id = r1.a AND r1.id = r2.a AND ...
//   star:   r0.a{i} = ri.id for every i
//   clique: ri.id = rj.a for every pair i < j
// For each graph and n the program runs EXPLAIN (FORMAT JSON) --reps times
// and prints the median "Planning Time" (binding and planning, after
// parsing), the estimated rows of the join, and the order the plan reads
// the tables in. Up to 12 tables the join order comes from dynamic
// programming, beyond that from the greedy fallback.
//
// Thread safety: single-threaded.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "neuroquantum/database.h"
#include "scratch_dir.h"

namespace {

using neuroquantum::Connection;
using neuroquantum::Database;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "join_order_bench: %s\n", message.c_str());
  std::exit(1);
}

std::string Run(Connection* conn, const std::string& sql) {
  auto rs = conn->Execute(sql);
  if (!rs.ok()) Die(sql.substr(0, 80) + ": " + rs.status().ToString());
  std::string out;
  while (true) {
    auto more = rs->Next();
    if (!more.ok()) Die(more.status().ToString());
    if (!*more) break;
    for (size_t i = 0; i < rs->column_count(); ++i) out += (rs->IsNull(i) ? "" : rs->GetText(i)) + "\n";
  }
  return out;
}

constexpr int kTables = 16;

int RowsOf(int table) { return table == 0 ? 20000 : 100 * (table + 1); }

void Load(Connection* conn) {
  Run(conn, "BEGIN");
  for (int t = 0; t < kTables; ++t) {
    std::string create = "CREATE TABLE r" + std::to_string(t) + " (id INTEGER PRIMARY KEY, a INTEGER";
    for (int i = 1; i < kTables; ++i) create += ", a" + std::to_string(i) + " INTEGER";
    Run(conn, create + ")");
    std::string insert = "INSERT INTO r" + std::to_string(t) + " SELECT x, x % 97 + 1";
    for (int i = 1; i < kTables; ++i) insert += ", x % " + std::to_string(RowsOf(i)) + " + 1";
    Run(conn, insert + " FROM (WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < " +
                  std::to_string(RowsOf(t)) + ") SELECT x FROM s)");
  }
  Run(conn, "COMMIT");
  Run(conn, "ANALYZE");
}

std::string Query(const std::string& graph, int n) {
  std::string from, where;
  for (int i = 0; i < n; ++i) from += (i ? ", r" : "r") + std::to_string(i);
  auto add = [&](const std::string& c) { where += (where.empty() ? "" : " AND ") + c; };
  if (graph == "chain") {
    for (int i = 1; i < n; ++i) add("r" + std::to_string(i - 1) + ".id = r" + std::to_string(i) + ".a");
  } else if (graph == "star") {
    for (int i = 1; i < n; ++i) add("r0.a" + std::to_string(i) + " = r" + std::to_string(i) + ".id");
  } else {
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) add("r" + std::to_string(i) + ".id = r" + std::to_string(j) + ".a");
    }
  }
  return "SELECT count(*) FROM " + from + " WHERE " + where;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::printf("usage: join_order_bench [--reps N]\n");
      return arg == "--help" ? 0 : 2;
    }
  }
  const std::string dir = neuroquantum::bench::MakeScratchDir("", "nqdb-joinorder");
  {
    auto db = Database::Open(dir + "/db");
    if (!db.ok()) Die(db.status().ToString());
    auto conn = (*db)->Connect();
    Load(conn.get());
    std::printf("%-7s %3s %14s %12s %12s  %s\n", "graph", "n", "planning ms", "est. rows", "est. cost",
                "join order (tables in plan order)");
    const std::regex planning("\"Planning Time\": ([0-9.e+-]+)");
    const std::regex scan("TableScan (r[0-9]+)");
    const std::regex join_rows("Join \\(cost=([0-9]+) rows=([0-9]+)\\)");
    for (const std::string graph : {"chain", "star", "clique"}) {
      for (int n = 4; n <= kTables; n += 2) {
        const std::string sql = Query(graph, n);
        std::vector<double> times;
        for (int r = 0; r < reps; ++r) {
          const std::string json = Run(conn.get(), "EXPLAIN (FORMAT JSON) " + sql);
          std::smatch m;
          if (!std::regex_search(json, m, planning)) Die("no planning time in " + json.substr(0, 200));
          times.push_back(std::stod(m[1]));
        }
        std::sort(times.begin(), times.end());
        const std::string text = Run(conn.get(), "EXPLAIN " + sql);
        std::string order;
        for (std::sregex_iterator it(text.begin(), text.end(), scan), end; it != end; ++it) {
          order += (order.empty() ? "" : " ") + (*it)[1].str();
        }
        std::string rows = "?", cost = "?";
        std::smatch m;
        if (std::regex_search(text, m, join_rows)) {
          cost = m[1];
          rows = m[2];
        }
        std::printf("%-7s %3d %14.3f %12s %12s  %s\n", graph.c_str(), n, times[times.size() / 2], rows.c_str(),
                    cost.c_str(), order.c_str());
      }
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return 0;
}
