// Differential testing against SQLite: random schemas, rows and queries
// (tests/diff/sql_generator.h) run on NeuroQuantumDB and on SQLite; the
// results must agree (in order when the query orders every column, as
// multisets otherwise; doubles to 1e-9 relative). A query that fails on
// one engine only is a mismatch too. Each query also runs on a second
// NeuroQuantumDB database that plans joins in FROM order and without the
// optimizer's rewrites (DatabaseOptions::reorder_joins and
// rewrite_queries off): the optimizer's choices must not change results.
//
// `make test` runs a few hundred queries; `make test-long` (NQ_TEST_LONG=1)
// tens of thousands. NQ_DIFF_SEED=N starts from another seed, and a
// mismatch prints the seed, the database and the query, so it can be
// replayed and kept in tests/sql/differential.test.
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "diff/sql_generator.h"
#include "neuroquantum/database.h"
#include "support/temp_dir.h"

namespace neuroquantum::testing {
namespace {

struct Cell {
  enum Kind : uint8_t { kNull, kInt, kDouble, kText } kind = kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;

  double Number() const { return kind == kInt ? static_cast<double>(i) : d; }
  std::string ToString() const {
    switch (kind) {
      case kNull: return "NULL";
      case kInt: return std::to_string(i);
      case kDouble: {
        std::ostringstream out;
        out.precision(17);
        out << d;
        return out.str();
      }
      case kText: return "'" + s + "'";
    }
    return "?";
  }
};
using Row = std::vector<Cell>;

struct Outcome {
  bool ok = true;
  std::string error;
  std::vector<Row> rows;
};

bool SameCell(const Cell& a, const Cell& b) {
  if (a.kind == Cell::kNull || b.kind == Cell::kNull) return a.kind == b.kind;
  if (a.kind == Cell::kText || b.kind == Cell::kText) return a.kind == b.kind && a.s == b.s;
  if (a.kind == Cell::kInt && b.kind == Cell::kInt) return a.i == b.i;
  const double x = a.Number();
  const double y = b.Number();
  if (x == y || (std::isnan(x) && std::isnan(y))) return true;
  return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
}

// Total order for comparing results as multisets: NULL, numbers, text.
bool CellLess(const Cell& a, const Cell& b) {
  auto rank = [](const Cell& c) { return c.kind == Cell::kNull ? 0 : c.kind == Cell::kText ? 2 : 1; };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  if (rank(a) == 1) return a.Number() < b.Number();
  return a.s < b.s;
}

bool RowLess(const Row& a, const Row& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), CellLess);
}

Outcome RunSqlite(sqlite3* db, const std::string& sql) {
  Outcome out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out.ok = false;
    out.error = sqlite3_errmsg(db);
    return out;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      Cell cell;
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER: cell.kind = Cell::kInt; cell.i = sqlite3_column_int64(stmt, c); break;
        case SQLITE_FLOAT: cell.kind = Cell::kDouble; cell.d = sqlite3_column_double(stmt, c); break;
        case SQLITE_NULL: break;
        default:
          cell.kind = Cell::kText;
          cell.s = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
      }
      row.push_back(std::move(cell));
    }
    out.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    out.ok = false;
    out.error = sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  return out;
}

Outcome RunOurs(Connection* conn, const std::string& sql) {
  Outcome out;
  auto rs = conn->Execute(sql);
  if (!rs.ok()) {
    out.ok = false;
    out.error = rs.status().ToString();
    return out;
  }
  while (true) {
    auto more = rs->Next();
    if (!more.ok()) {
      out.ok = false;
      out.error = more.status().ToString();
      return out;
    }
    if (!*more) break;
    Row row;
    for (size_t c = 0; c < rs->column_count(); ++c) {
      Cell cell;
      switch (rs->kind(c)) {
        case FieldKind::kNull: break;
        case FieldKind::kBoolean: cell.kind = Cell::kInt; cell.i = rs->GetBool(c) ? 1 : 0; break;
        case FieldKind::kInteger: cell.kind = Cell::kInt; cell.i = rs->GetInt64(c); break;
        case FieldKind::kDouble:
        case FieldKind::kNumeric: cell.kind = Cell::kDouble; cell.d = std::strtod(rs->GetText(c).c_str(), nullptr); break;
        default: cell.kind = Cell::kText; cell.s = rs->GetText(c);
      }
      row.push_back(std::move(cell));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

// Whether the statement ends in an ORDER BY of its own (outside every
// parenthesis): the generator's ORDER BY always lists every column.
bool OrdersResult(const std::string& sql) {
  int depth = 0;
  bool ordered = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '\'') {
      i = sql.find('\'', i + 1);
      if (i == std::string::npos) break;
    } else if (sql[i] == '(') {
      ++depth;
    } else if (sql[i] == ')') {
      --depth;
    } else if (depth == 0 && sql.compare(i, 9, " ORDER BY") == 0) {
      ordered = true;
    }
  }
  return ordered;
}

std::string Describe(const Outcome& o) {
  if (!o.ok) return "error: " + o.error;
  std::string s = std::to_string(o.rows.size()) + " rows";
  for (size_t r = 0; r < o.rows.size() && r < 12; ++r) {
    s += "\n    ";
    for (size_t c = 0; c < o.rows[r].size(); ++c) s += (c ? " | " : "") + o.rows[r][c].ToString();
  }
  return s;
}

// Empty when the outcomes agree, else what differs.
std::string Compare(Outcome ours, Outcome theirs, bool ordered) {
  if (ours.ok != theirs.ok) return "one engine failed";
  if (!ours.ok) return "";
  if (ours.rows.size() != theirs.rows.size()) return "row counts differ";
  if (!ordered) {
    std::sort(ours.rows.begin(), ours.rows.end(), RowLess);
    std::sort(theirs.rows.begin(), theirs.rows.end(), RowLess);
  }
  for (size_t r = 0; r < ours.rows.size(); ++r) {
    if (ours.rows[r].size() != theirs.rows[r].size()) return "column counts differ";
    for (size_t c = 0; c < ours.rows[r].size(); ++c) {
      if (!SameCell(ours.rows[r][c], theirs.rows[r][c])) {
        return "row " + std::to_string(r) + " column " + std::to_string(c) + " differs";
      }
    }
  }
  return "";
}

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST(DifferentialTest, AgreesWithSqlite) {
  const bool long_run = EnvNumber("NQ_TEST_LONG", 0) != 0;
  const uint64_t databases = EnvNumber("NQ_DIFF_DATABASES", long_run ? 500 : 12);
  const uint64_t queries_per_database = EnvNumber("NQ_DIFF_QUERIES", long_run ? 60 : 40);
  const uint64_t first_seed = EnvNumber("NQ_DIFF_SEED", 1);

  uint64_t run = 0, both_failed = 0, mismatches = 0;
  for (uint64_t seed = first_seed; seed < first_seed + databases; ++seed) {
    SqlGenerator gen(seed);
    const GenDatabase schema = gen.Database();

    // Ours twice: as configured, and planning joins in FROM order without
    // rewrites.
    TempDir dir("nqdb-diff-");
    auto db = Database::Open(dir.path() + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto conn = (*db)->Connect();
    conn->SetStatementTimeout(std::chrono::seconds(20));
    DatabaseOptions in_order;
    in_order.reorder_joins = false;
    in_order.rewrite_queries = false;
    auto plain_db = Database::Open(dir.path() + "/plain", in_order);
    ASSERT_TRUE(plain_db.ok()) << plain_db.status().ToString();
    auto plain = (*plain_db)->Connect();
    plain->SetStatementTimeout(std::chrono::seconds(20));
    sqlite3* lite = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &lite), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(lite, "PRAGMA case_sensitive_like = ON", nullptr, nullptr, nullptr), SQLITE_OK);

    std::string setup;
    for (const std::string& sql : schema.setup) {
      setup += sql + ";\n";
      auto ours = conn->Execute(sql);
      ASSERT_TRUE(ours.ok()) << sql << ": " << ours.status().ToString();
      auto ours_plain = plain->Execute(sql);
      ASSERT_TRUE(ours_plain.ok()) << sql << ": " << ours_plain.status().ToString();
      char* error = nullptr;
      ASSERT_EQ(sqlite3_exec(lite, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << sql << ": " << error;
    }

    for (uint64_t q = 0; q < queries_per_database; ++q) {
      const std::string sql = gen.Query(schema);
      const Outcome theirs = RunSqlite(lite, sql);
      const Outcome ours = RunOurs(conn.get(), sql);
      const Outcome ours_plain = RunOurs(plain.get(), sql);
      ++run;
      if (!theirs.ok && !ours.ok) ++both_failed;
      std::string diff = Compare(ours, theirs, OrdersResult(sql));
      if (diff.empty() && ours.ok != ours_plain.ok) diff = "unoptimized: one failed";
      if (diff.empty() && !Compare(ours, ours_plain, OrdersResult(sql)).empty()) {
        diff = "unoptimized: " + Compare(ours, ours_plain, OrdersResult(sql)) + "\n-- unoptimized: " +
               Describe(ours_plain);
      }
      if (!diff.empty()) {
        ++mismatches;
        ADD_FAILURE() << "mismatch (" << diff << "), NQ_DIFF_SEED=" << seed << " query " << q << "\n-- database:\n"
                      << setup << "-- query:\n" << sql << ";\n-- NeuroQuantumDB: " << Describe(ours)
                      << "\n-- SQLite: " << Describe(theirs);
        if (mismatches >= 10) {
          sqlite3_close(lite);
          FAIL() << "stopping after 10 mismatches";
        }
      }
    }
    sqlite3_close(lite);
  }
  std::printf("%llu queries, %llu failed on both engines, %llu mismatches\n", static_cast<unsigned long long>(run),
              static_cast<unsigned long long>(both_failed), static_cast<unsigned long long>(mismatches));
  // The generator must stay inside the shared dialect: queries both
  // engines refuse test nothing.
  EXPECT_LT(both_failed * 20, run) << "more than 5% of the generated queries fail on both engines";
}

}  // namespace
}  // namespace neuroquantum::testing
