// Streamed results through the embedding API: Connection::ExecuteStreaming
// and PreparedStatement::ExecuteStreaming hand rows to a RowSink as the
// statement produces them.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "unit/exec/sql_test_util.h"

namespace neuroquantum::testing {
namespace {

using namespace std::chrono_literals;

// Records each row as "a|b" text (NULL as NULL); `on_row`, when set,
// decides what OnRow returns.
class RecordingSink : public RowSink {
 public:
  Status OnRow(const ResultSet& row) override {
    std::string line;
    for (size_t i = 0; i < row.column_count(); ++i) {
      if (i) line += "|";
      line += row.IsNull(i) ? "NULL" : row.GetText(i);
    }
    rows.push_back(std::move(line));
    return on_row ? on_row(row) : Status::OK();
  }

  std::vector<std::string> rows;
  std::function<Status(const ResultSet&)> on_row;
};

std::string Join(const std::vector<std::string>& rows) {
  std::string out;
  for (const auto& r : rows) out += (out.empty() ? "" : "\n") + r;
  return out;
}

class StreamingTest : public SqlTest {
 protected:
  // t(x) holds 1..1000, x the primary key, so a scan reads them in order.
  void MakeThousand() {
    Ok("CREATE TABLE t(x INTEGER PRIMARY KEY)");
    Ok("INSERT INTO t SELECT a.column1 * 100 + b.column1 * 10 + c.column1 + 1 FROM "
       "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS a, "
       "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS b, "
       "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS c");
  }
  // The connection is usable and outside any transaction.
  void ExpectUsable() {
    EXPECT_FALSE(conn_->in_transaction());
    EXPECT_EQ(Run("SELECT 1 + 1"), "2");
  }
};

TEST_F(StreamingTest, RowsBeforeARuntimeErrorReachTheSink) {
  MakeThousand();
  RecordingSink sink;
  auto rs = conn_->ExecuteStreaming("SELECT x, 10 / (x - 600) FROM t", &sink);
  ASSERT_FALSE(rs.ok());
  EXPECT_EQ(SqlState(rs.status()), "22012");
  ASSERT_EQ(sink.rows.size(), 599u);
  EXPECT_EQ(sink.rows.front(), "1|0");
  EXPECT_EQ(sink.rows.back(), "599|-10");
  ExpectUsable();
}

TEST_F(StreamingTest, ASinkErrorStopsTheStatementAndComesBack) {
  MakeThousand();
  RecordingSink sink;
  sink.on_row = [&](const ResultSet&) {
    return sink.rows.size() == 10 ? Status::Busy("the consumer is full") : Status::OK();
  };
  auto rs = conn_->ExecuteStreaming("SELECT x FROM t", &sink);
  ASSERT_FALSE(rs.ok());
  EXPECT_EQ(rs.status().code(), StatusCode::kBusy);
  EXPECT_EQ(rs.status().message(), "the consumer is full");
  EXPECT_EQ(sink.rows.size(), 10u);
  EXPECT_EQ(sink.rows.back(), "10");
  ExpectUsable();
}

TEST_F(StreamingTest, AResultLargerThanTheMemoryBudgetStreams) {
  options_.query_memory_limit = 256 << 10;
  Reopen();
  Ok("CREATE TABLE t(a INTEGER, b TEXT)");
  Ok("INSERT INTO t SELECT x.column1 * 10 + y.column1, 'some text to fill memory' FROM "
     "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS x, "
     "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS y");
  const std::string cross = "SELECT x.a, y.a, x.b FROM t x, t y";
  EXPECT_EQ(Run(cross), "error 53200");

  struct CountingSink : RowSink {
    Status OnRow(const ResultSet& row) override {
      ++rows;
      sum += row.GetInt64(0) + row.GetInt64(1);
      return Status::OK();
    }
    uint64_t rows = 0;
    int64_t sum = 0;
  } sink;
  auto rs = conn_->ExecuteStreaming(cross, &sink);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(sink.rows, 10000u);
  EXPECT_EQ(sink.sum, 2 * 100 * 4950);
  EXPECT_EQ(rs->rows_affected(), 10000u);
  EXPECT_EQ(rs->command(), "SELECT");

  // A sort past the budget spills its input to disk, and so does a hash
  // join's build side (spill_test.cc).
  CountingSink sorted;
  auto spilled = conn_->ExecuteStreaming(cross + " ORDER BY x.b, y.a", &sorted);
  ASSERT_TRUE(spilled.ok()) << spilled.status().ToString();
  EXPECT_EQ(sorted.rows, 10000u);
  CountingSink joined;
  const std::string pairs = "(SELECT x.b || x.a || '-' || y.a AS k FROM t x, t y)";
  auto big = conn_->ExecuteStreaming("SELECT p.k FROM " + pairs + " p JOIN " + pairs + " q ON p.k = q.k", &joined);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(joined.rows, 10000u);
  ExpectUsable();
}

TEST_F(StreamingTest, TheReturnedResultDescribesTheRowsAndHoldsNone) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, name VARCHAR(10), price NUMERIC(6,2))");
  Ok("INSERT INTO t VALUES (1, 'a', 1.50), (2, 'b', NULL), (3, NULL, 2)");
  RecordingSink sink;
  std::vector<std::string> seen_types;
  sink.on_row = [&](const ResultSet& row) {
    EXPECT_EQ(row.column_count(), 3u);
    EXPECT_EQ(row.column_name(0), "id");
    seen_types.push_back(row.column_type(0) + " " + row.column_type(1) + " " + row.column_type(2));
    return Status::OK();
  };
  auto rs = conn_->ExecuteStreaming("SELECT id, name, price FROM t WHERE id >= 2", &sink);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(Join(sink.rows), "2|b|NULL\n3|NULL|2.00");
  EXPECT_EQ(seen_types, std::vector<std::string>(2, "BIGINT VARCHAR(10) NUMERIC(6,2)"));
  ASSERT_EQ(rs->column_count(), 3u);
  EXPECT_EQ(rs->column_name(0), "id");
  EXPECT_EQ(rs->column_name(1), "name");
  EXPECT_EQ(rs->column_name(2), "price");
  EXPECT_EQ(rs->column_type(1), "VARCHAR(10)");
  EXPECT_EQ(rs->command(), "SELECT");
  EXPECT_EQ(rs->rows_affected(), 2u);
  auto more = rs->Next();
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);

  // No rows: no calls, the columns still described.
  RecordingSink none;
  auto empty = conn_->ExecuteStreaming("SELECT id, name FROM t WHERE id > 5", &none);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(none.rows.empty());
  EXPECT_EQ(empty->column_count(), 2u);
  EXPECT_EQ(empty->rows_affected(), 0u);
}

TEST_F(StreamingTest, RunTimeTypesComeFromTheFirstRowDelivered) {
  Ok("CREATE TABLE t(x INTEGER PRIMARY KEY)");
  Ok("INSERT INTO t VALUES (1), (2), (3)");
  // The parameter's type is known only when it runs; NULL in row 1, text
  // after. Execute looks through all rows; a stream decides on row 1.
  const std::string query = "SELECT x, CASE WHEN x > 1 THEN $1 END, $1 FROM t";
  auto prepared = conn_->Prepare(query);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  ASSERT_TRUE((*prepared)->BindText(1, "hi").ok());
  auto whole = (*prepared)->Execute();
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->column_type(1), "TEXT");
  EXPECT_EQ(whole->column_type(2), "TEXT");

  RecordingSink sink;
  std::vector<std::string> seen;
  sink.on_row = [&](const ResultSet& row) {
    seen.push_back(row.column_type(1) + " " + row.column_type(2));
    return Status::OK();
  };
  auto rs = (*prepared)->ExecuteStreaming(&sink);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(Join(sink.rows), "1|NULL|hi\n2|hi|hi\n3|hi|hi");
  EXPECT_EQ(seen, std::vector<std::string>(3, "NULL TEXT"));
  EXPECT_EQ(rs->column_type(1), "NULL");
  EXPECT_EQ(rs->column_type(2), "TEXT");
}

TEST_F(StreamingTest, InsertReturningGoesThroughTheSinkAndCommitsAfter) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
  auto other = db_->Connect();
  RecordingSink sink;
  std::vector<std::string> visible_meanwhile;
  sink.on_row = [&](const ResultSet&) {
    visible_meanwhile.push_back(Run(other.get(), "SELECT count(*) FROM t"));
    return Status::OK();
  };
  auto rs = conn_->ExecuteStreaming("INSERT INTO t VALUES (1, 'a'), (2, 'b') RETURNING id, upper(name)", &sink);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(Join(sink.rows), "1|A\n2|B");
  // Not committed while the rows were delivered; committed afterwards.
  EXPECT_EQ(visible_meanwhile, std::vector<std::string>(2, "0"));
  EXPECT_EQ(Run(other.get(), "SELECT id, name FROM t ORDER BY id"), "1|a\n2|b");
  EXPECT_EQ(rs->command(), "INSERT");
  EXPECT_EQ(rs->rows_affected(), 2u);
  EXPECT_EQ(rs->column_count(), 2u);
  auto more = rs->Next();
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  ExpectUsable();
}

TEST_F(StreamingTest, ASinkErrorUndoesTheWrites) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
  RecordingSink sink;
  sink.on_row = [&](const ResultSet&) {
    return sink.rows.size() == 2 ? Status::Aborted("client went away") : Status::OK();
  };
  auto rs = conn_->ExecuteStreaming("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c') RETURNING id", &sink);
  ASSERT_FALSE(rs.ok());
  EXPECT_EQ(rs.status().message(), "client went away");
  EXPECT_EQ(sink.rows.size(), 2u);
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "0");
  ExpectUsable();

  // Inside a transaction only the failing statement is undone.
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (10, 'kept')");
  sink.rows.clear();
  sink.on_row = [](const ResultSet&) { return Status::Aborted("client went away"); };
  auto again = conn_->ExecuteStreaming("UPDATE t SET name = 'changed' RETURNING id", &sink);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(conn_->in_transaction());
  Ok("COMMIT");
  EXPECT_EQ(Run("SELECT id, name FROM t"), "10|kept");
}

TEST_F(StreamingTest, CancelStopsASlowSink) {
  MakeThousand();
  std::mutex mu;
  std::condition_variable cv;
  bool reached = false, cancelled = false;
  RecordingSink sink;
  sink.on_row = [&](const ResultSet&) {
    if (sink.rows.size() == 5) {
      std::unique_lock lock(mu);
      reached = true;
      cv.notify_all();
      // Slow: waits here until the other thread has cancelled.
      EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return cancelled; }));
    }
    return Status::OK();
  };
  std::thread canceller([&] {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, 10s, [&] { return reached; })) return;
    conn_->Cancel();
    cancelled = true;
    cv.notify_all();
  });
  auto rs = conn_->ExecuteStreaming("SELECT x FROM t", &sink);
  canceller.join();
  ASSERT_FALSE(rs.ok());
  EXPECT_EQ(SqlState(rs.status()), "57014");
  EXPECT_EQ(sink.rows.size(), 5u);
  ExpectUsable();
  EXPECT_EQ(Run("SELECT count(*) FROM t"), "1000");
}

TEST_F(StreamingTest, PreparedStatementsStreamWithTheirBindings) {
  MakeThousand();
  auto prepared = conn_->Prepare("SELECT x, x * $1 FROM t WHERE x <= $2");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  PreparedStatement* stmt = prepared->get();
  ASSERT_TRUE(stmt->BindInt64(1, 3).ok());
  ASSERT_TRUE(stmt->BindInt64(2, 4).ok());
  RecordingSink sink;
  auto rs = stmt->ExecuteStreaming(&sink);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(Join(sink.rows), "1|3\n2|6\n3|9\n4|12");
  EXPECT_EQ(rs->rows_affected(), 4u);
  // Again, with the plan kept and other values.
  ASSERT_TRUE(stmt->BindInt64(1, -1).ok());
  ASSERT_TRUE(stmt->BindInt64(2, 2).ok());
  RecordingSink second;
  auto again = stmt->ExecuteStreaming(&second);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Join(second.rows), "1|-1\n2|-2");
  // And the plain Execute still materialises.
  auto whole = stmt->Execute();
  ASSERT_TRUE(whole.ok());
  auto first = whole->Next();
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ(whole->GetInt64(1), -1);
}

TEST_F(StreamingTest, OnlyTheLastStatementOfAScriptStreams) {
  RecordingSink sink;
  auto rs = conn_->ExecuteStreaming(
      "CREATE TABLE u(a INTEGER); INSERT INTO u VALUES (1), (2) RETURNING a; SELECT a * 10 FROM u", &sink);
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(Join(sink.rows), "10\n20");
  EXPECT_EQ(rs->command(), "SELECT");

  RecordingSink explain;
  auto plan = conn_->ExecuteStreaming("EXPLAIN SELECT a FROM u WHERE a > 1", &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(explain.rows.empty());
  EXPECT_EQ(plan->command(), "EXPLAIN");
  EXPECT_EQ(plan->column_name(0), "QUERY PLAN");

  RecordingSink none;
  auto ddl = conn_->ExecuteStreaming("CREATE TABLE v(b INTEGER)", &none);
  ASSERT_TRUE(ddl.ok());
  EXPECT_TRUE(none.rows.empty());
  EXPECT_EQ(ddl->command(), "CREATE TABLE");
  EXPECT_EQ(Run("SELECT count(*) FROM v"), "0");

  auto no_sink = conn_->ExecuteStreaming("SELECT 1", nullptr);
  EXPECT_FALSE(no_sink.ok());
}

}  // namespace
}  // namespace neuroquantum::testing
