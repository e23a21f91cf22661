// The embedding API: open a database, run QSQL, read typed results.
//
//   auto db = neuroquantum::Database::Open("app.nqdb");
//   auto conn = (*db)->Connect();
//   auto rs = conn->Execute("SELECT id, name FROM users WHERE id = 1");
//   while (*rs->Next()) std::cout << rs->GetInt64(0) << rs->GetText(1);
//
// Threading contract:
//   - A Database is shared by any number of threads; Connect() and the
//     destructor are safe to call concurrently with work on connections
//     (destroy every Connection before its Database).
//   - A Connection is one session (its transaction, prepared statements and
//     settings) and is used by one thread at a time. Use one Connection per
//     thread. Connection::Cancel() is the exception: any thread may call it.
//   - A PreparedStatement and a ResultSet belong to their Connection and
//     follow its rule; a ResultSet stays readable until the next statement
//     runs on the connection.
//   - Change listeners (Database::SubscribeChanges) run on one delivery
//     thread owned by the Database; a ChangeSubscription may be destroyed
//     on any thread, its listener's included, and may outlive the Database.
//
// Errors are Status values carrying a SQLSTATE (neuroquantum::SqlState):
// 42601 syntax error, 42P01 undefined table, 23505 unique violation, ...
// (docs/reference/qsql.md lists them). Nothing here throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/options.h"
#include "neuroquantum/result.h"

namespace neuroquantum {

namespace exec {
class Session;
class ResultSource;
class Engine;
class ChangeFeed;
struct PreparedPlan;
struct ResultSetAccess;
}  // namespace exec

// The kind of one result value.
enum class FieldKind : uint8_t {
  kNull, kBoolean, kInteger, kDouble, kNumeric, kText, kBlob, kDate, kTime, kTimestamp,
};

struct DatabaseOptions {
  // Storage settings (page size, cache, durability); see options.h.
  Options storage;
  // Row-lock wait limit before 55P03 and deadlock check delay (40P01).
  std::chrono::milliseconds lock_timeout{5000};
  std::chrono::milliseconds deadlock_timeout{1000};
  // Per-statement memory budget for hash tables, sorts and materialised
  // results (the `query.memory_mib` setting). Past it, sorts, hash joins,
  // GROUP BY, DISTINCT and INSERT ... SELECT's source spill to temporary
  // files in the database's directory; what cannot spill fails the
  // statement with 53200.
  size_t query_memory_limit = 64u << 20;
  // Iterations of one recursive query (WITH RECURSIVE) before it fails
  // with 54001: a recursion that never ends is an error, not a hang.
  uint64_t recursion_limit = 1000000;
  // The optimizer orders inner joins by cost. When false, joins run in
  // the order the FROM clause lists them (left-deep); results must be the
  // same either way, which the differential tests check.
  bool reorder_joins = true;
  // The optimizer's rewrites: constant folding, OR factoring, restrictions
  // implied by an OR over several tables, moving uncorrelated subqueries to
  // the tables they filter (and using `col IN (subquery)` as key bounds),
  // and remembering correlated subqueries' answers. When false, queries run
  // closer to as written (join order is reorder_joins' business); results
  // must be the same either way, which the differential tests check.
  bool rewrite_queries = true;
  // Re-run ANALYZE on a table in the background once 50 + 10% of its rows
  // (as of its last ANALYZE) were written since (PostgreSQL's autovacuum
  // rule). Off for a read-only database.
  bool auto_analyze = true;
  // VARCHAR(n)/CHAR(n): refuse longer strings with 22001 (PostgreSQL). When
  // false, strings are stored whole, as SQLite does (the sqllogictest
  // runner opens its databases this way; the corpus expects it).
  bool check_string_length = true;
};

class ResultSet {
 public:
  ResultSet();
  ~ResultSet();
  ResultSet(ResultSet&&) noexcept;
  ResultSet& operator=(ResultSet&&) noexcept;

  // Result columns; zero for statements that return no rows.
  size_t column_count() const;
  const std::string& column_name(size_t i) const;
  // The column's SQL type, e.g. "INTEGER", "TEXT", "NUMERIC(10,2)".
  std::string column_type(size_t i) const;

  // Advances to the next row: true when there is one. Errors raised while
  // producing rows (e.g. division by zero) surface here.
  Result<bool> Next();

  // The current row's values; REQUIRES: Next() returned true and i <
  // column_count(). Getters convert: GetInt64 of a double truncates, of
  // text parses it (0 when it is not a number); GetText gives the
  // canonical text form (docs/reference/qsql.md).
  FieldKind kind(size_t i) const;
  bool IsNull(size_t i) const { return kind(i) == FieldKind::kNull; }
  int64_t GetInt64(size_t i) const;
  double GetDouble(size_t i) const;
  bool GetBool(size_t i) const;
  std::string GetText(size_t i) const;
  // Raw bytes of a blob (or text); empty for other kinds.
  std::string_view GetBlob(size_t i) const;

  // Rows inserted, updated or deleted by a DML statement.
  uint64_t rows_affected() const;
  // What ran: "SELECT", "INSERT", "CREATE TABLE", "BEGIN", ...
  const std::string& command() const;

 private:
  friend class Connection;
  friend class PreparedStatement;
  friend struct exec::ResultSetAccess;
  explicit ResultSet(std::unique_ptr<exec::ResultSource> source);
  std::unique_ptr<exec::ResultSource> source_;
};

// Receives a statement's result rows one at a time, as the engine produces
// them (Connection::ExecuteStreaming). Called on the thread running the
// statement, which waits for each call: a slow sink slows the statement,
// and the statement timeout counts the time spent in the sink.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // Called for each result row, in order, with `row` positioned on it:
  // column names, types and the getters work as for any ResultSet (do not
  // call row.Next()); `row` is valid only during the call. A non-OK status
  // stops the statement: it stops computing and ExecuteStreaming returns
  // that status. Do not run statements on the same connection from here.
  virtual Status OnRow(const ResultSet& row) = 0;
};

class PreparedStatement {
 public:
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  // Parameters are numbered from 1 ($1 / ?1 / the first ?).
  size_t parameter_count() const;
  Status BindNull(size_t index);
  Status BindInt64(size_t index, int64_t v);
  Status BindDouble(size_t index, double v);
  Status BindBool(size_t index, bool v);
  Status BindText(size_t index, std::string_view v);
  Status BindBlob(size_t index, std::string_view v);
  void ClearBindings();

  // Runs the statement with the current bindings (unbound parameters are
  // NULL). A schema change since Prepare re-prepares transparently.
  Result<ResultSet> Execute();
  // Execute, with the result rows going to `sink` as they are produced
  // (see Connection::ExecuteStreaming).
  Result<ResultSet> ExecuteStreaming(RowSink* sink);

 private:
  friend class Connection;
  PreparedStatement(exec::Session* session, std::unique_ptr<exec::PreparedPlan> plan);
  exec::Session* session_;
  std::unique_ptr<exec::PreparedPlan> plan_;
};

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs every statement in `sql` in order and returns the last one's
  // result (an empty result for an empty script). Stops at the first
  // error, which is returned; earlier statements stay done.
  Result<ResultSet> Execute(std::string_view sql);
  // Execute, except that the last statement's result rows go to `sink`, one
  // OnRow call per row, instead of into the returned ResultSet. A SELECT's
  // rows come straight from the query as it runs: they are not held in
  // memory nor charged to query_memory_limit, so the first rows arrive
  // before the query finishes and results of any size stream (sorts,
  // aggregates and join build sides still hold what they hold). Rows of
  // other statements (... RETURNING, EXPLAIN) are produced as by Execute
  // and then passed to the sink. The returned ResultSet has the columns,
  // command() and rows_affected() (for a SELECT, the rows delivered) and
  // no rows. Where a column's type is not known before running,
  // column_type() is the kind of its value in the first row delivered
  // ("NULL" if that value is NULL or there are no rows), the same during
  // every OnRow call and afterwards.
  // The statement ends after the last row: in autocommit mode it commits
  // then. An error from the sink, Cancel() or a runtime error mid-stream
  // fails the statement like any error (its writes are undone; rows
  // already delivered stay delivered).
  Result<ResultSet> ExecuteStreaming(std::string_view sql, RowSink* sink);
  // Parses one statement for repeated execution (syntax errors surface
  // here). Names are resolved when it executes, so an unknown table or
  // column is reported by Execute(); a SELECT or INSERT keeps its plan
  // from one execution to the next while the schema stays the same.
  Result<std::unique_ptr<PreparedStatement>> Prepare(std::string_view sql);

  // Cancels the statement running on this connection (57014); callable
  // from any thread. A statement that starts later is not affected.
  void Cancel();
  // Statements running longer fail with 57014; zero means no limit.
  void SetStatementTimeout(std::chrono::milliseconds timeout);

  // True between BEGIN and COMMIT/ROLLBACK.
  bool in_transaction() const;
  // Rolls back an open transaction and forgets the statements named with
  // PREPARE: the connection is then as a new one (the server does this
  // before a pooled connection serves another request). The settings
  // (timeout, read-only) are kept.
  Status Reset();

  // Restricts the connection to reading (the server's read permission):
  // every transaction is READ ONLY, and statements other than SELECT and
  // EXPLAIN fail with 25006 before they run. Takes effect at the next
  // statement; BEGIN READ WRITE cannot lift it.
  void SetReadOnly(bool read_only);

 private:
  friend class Database;
  explicit Connection(std::unique_ptr<exec::Session> session);
  std::unique_ptr<exec::Session> session_;
};

// Counters since the database was opened, for monitoring.
struct DatabaseStats {
  uint64_t buffer_pool_hits = 0;
  uint64_t buffer_pool_misses = 0;
  uint64_t buffer_pool_evictions = 0;
  uint64_t buffer_pool_frames = 0;
  uint64_t wal_bytes = 0;
  uint64_t wal_syncs = 0;
  uint64_t commits = 0;
  uint64_t rollbacks = 0;
  uint64_t deadlocks = 0;
  uint64_t serialization_failures = 0;
  uint64_t lock_timeouts = 0;
  uint64_t lock_waits = 0;  // lock requests that had to wait (row and table locks)
  uint64_t checkpoints = 0;
  uint64_t page_count = 0;
  uint64_t free_pages = 0;
  uint32_t page_size = 0;
};

enum class ChangeKind : uint8_t { kInsert, kUpdate, kDelete };

// One row changed by a committed transaction. Each ResultSet has the
// table's column names and declared types and is positioned on its row
// (do not call Next()).
struct RowChange {
  std::string table;  // the table's name
  ChangeKind kind = ChangeKind::kInsert;
  ResultSet before;  // the values before (update, delete); column_count() 0 for inserts
  ResultSet after;   // the values after (insert, update); column_count() 0 for deletes
};

struct CommittedTransaction {
  uint64_t txn_id = 0;
  uint64_t commit_lsn = 0;  // increases from one transaction to the next
  // Rows of tables only (no index or catalog entries), in the order
  // written; a row written twice appears once, with its net change.
  std::vector<RowChange> changes;
};

// A subscription to Database::SubscribeChanges; destroying it ends it:
// after the destructor returns the listener is not called again (it waits
// for a call in progress on another thread; destroyed from inside the
// listener, the current call is the last). May outlive the Database.
class ChangeSubscription {
 public:
  ~ChangeSubscription();
  ChangeSubscription(const ChangeSubscription&) = delete;
  ChangeSubscription& operator=(const ChangeSubscription&) = delete;

 private:
  friend class Database;
  ChangeSubscription(std::shared_ptr<exec::ChangeFeed> feed, uint64_t id);
  std::shared_ptr<exec::ChangeFeed> feed_;
  uint64_t id_;
};

// A table's or view's shape, from the committed catalog.
struct ColumnDescription {
  std::string name;
  std::string type;  // SQL type, e.g. "BIGINT", "VARCHAR(20)", "NUMERIC(10,2)"
  bool nullable = true;
  std::optional<std::string> default_sql;  // the DEFAULT expression as SQL text
  bool auto_increment = false;             // SERIAL, AUTO_INCREMENT, IDENTITY
  bool primary_key = false;
};
struct TableDescription {
  std::string name;
  bool is_view = false;
  std::vector<ColumnDescription> columns;
  std::vector<std::string> primary_key;  // column names, in key order
  std::vector<std::string> indexes;      // CREATE INDEX statements
  std::string sql;                       // canonical CREATE TABLE or CREATE VIEW
};

class Database {
 public:
  // Opens (creating if options.storage allows) the database file at `path`.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::unique_ptr<Connection> Connect();

  // Names of the tables and views, sorted.
  std::vector<std::string> TableNames();
  // The CREATE statements of the table or view `name` and its indexes (of
  // every table and view when `name` is empty), in canonical form.
  std::vector<std::string> SchemaSql(std::string_view name = {});
  // The columns, key and indexes of table or view `name` (as SQL resolves
  // names: unquoted, case-insensitively). NotFound if there is none. A
  // view's columns carry names only (type "").
  Result<TableDescription> DescribeTable(std::string_view name);

  DatabaseStats Stats();
  // Whether the database can serve requests: no sticky storage error (a
  // failed WAL or page write leaves the database read-only) and the catalog
  // reads back through a transaction. The error says what failed.
  Status CheckHealth();

  // Calls `listener` for every transaction that commits row changes to
  // tables from now on, in commit order, never for rolled-back work, on one
  // delivery thread owned by the database (started with the first
  // subscription, stopped with the last). Rows are decoded with the latest
  // committed schema (docs/architecture/exec.md: DDL caveats). The listener
  // must be quick (hand the work off: it delays every other subscriber),
  // must not throw, and may read the ResultSets only during the call; it
  // may subscribe and destroy subscriptions, its own included, but must not
  // destroy the Database.
  // Thread-safe; any thread may subscribe or unsubscribe.
  Result<std::unique_ptr<ChangeSubscription>> SubscribeChanges(
      std::function<void(const CommittedTransaction&)> listener);

 private:
  explicit Database(std::unique_ptr<exec::Engine> engine);
  std::unique_ptr<exec::Engine> engine_;
  // Shut down by ~Database while engine_ is still there; subscriptions may
  // keep the (then idle) object alive longer.
  std::shared_ptr<exec::ChangeFeed> feed_;
};

}  // namespace neuroquantum
