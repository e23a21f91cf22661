// Engine and Session: the execution side of the embedding API
// (include/neuroquantum/database.h).
//
// An Engine owns the transaction engine and the state every session
// shares (sequences). A Session is one connection: its transaction, its
// cached catalog, its settings. Each statement runs in the session's
// transaction — a transaction of its own in autocommit mode, or inside a
// savepoint of the open one so that a failing statement rolls back alone
// (statement-level atomicity).
//
// Thread safety: Engine is thread-safe. A Session is used by one thread at
// a time, except Cancel().
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "exec/auto_analyze.h"
#include "exec/binder.h"
#include "exec/catalog.h"
#include "exec/plan.h"
#include "neuroquantum/database.h"
#include "txn/txn_engine.h"

namespace neuroquantum::exec {

// Hands out values of SERIAL/identity columns and hidden row ids. Values
// are never handed out twice, even across a crash: a block is reserved in
// the database (in a transaction of its own) before its values are used.
class SequenceAllocator {
 public:
  SequenceAllocator(txn::TxnEngine* engine, txn::TreeId tree) : engine_(engine), tree_(tree) {}
  // The next value of sequence (table, column).
  Result<int64_t> Next(uint64_t table, uint32_t column);
  // Makes sure later values exceed `value` (an explicitly inserted id).
  Status Advance(uint64_t table, uint32_t column, int64_t value);
  // The value `choose` picks given the last one handed out (0 if none),
  // which it must exceed (Snowflake ids: the clock decides). Values up to
  // `ahead` past it are reserved on disk in one go, so a restart resumes
  // above every value handed out.
  Result<int64_t> NextChosen(uint64_t table, uint32_t column, const std::function<int64_t(int64_t last)>& choose,
                             int64_t ahead);
  // Forgets every sequence kept under `table`, so each starts again at 1.
  // REQUIRES: the caller has just drawn `table` from CatalogWriter::NextId
  // (CREATE TABLE, TRUNCATE ... RESTART IDENTITY): only a rolled-back transaction can
  // have used that id before, and the row it drew it in stays locked.
  Status Forget(uint64_t table);

 private:
  struct State {
    int64_t next = 1;
    int64_t reserved = 0;  // values up to here are reserved on disk
    int64_t block = 16;
  };
  Result<State*> Load(uint64_t table, uint32_t column);
  // Reserves values through `through` + `ahead` (a growing block when
  // `ahead` is 0).
  Status Reserve(uint64_t table, uint32_t column, State* s, int64_t through, int64_t ahead);

  txn::TxnEngine* engine_;
  txn::TreeId tree_;
  std::mutex mu_;
  std::map<std::pair<uint64_t, uint32_t>, State> states_;
};

class Session;

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const std::string& path, const DatabaseOptions& options);

  txn::TxnEngine* txn() { return txn_.get(); }
  txn::TreeId catalog_tree() const { return catalog_tree_; }
  SequenceAllocator* sequences() { return sequences_.get(); }
  const DatabaseOptions& options() const { return options_; }
  // The committed catalog.
  Result<std::shared_ptr<const Catalog>> CommittedCatalog();
  // Moves whenever a schema change may become visible (just before and
  // just after such a commit, SchemaCommitStarts / SchemaCommitEnds). A
  // session inside a transaction re-reads the schema version only when
  // this moved.
  uint64_t schema_epoch() const { return schema_epoch_.load(); }
  // Whether a commit that may change the schema is under way: an epoch
  // read meanwhile cannot vouch for a catalog read after it (the commit
  // may not be visible yet, although its locks are already released).
  bool schema_commit_in_flight() const { return schema_commits_in_flight_.load() != 0; }
  void SchemaCommitStarts() {
    schema_commits_in_flight_.fetch_add(1);
    schema_epoch_.fetch_add(1);
  }
  void SchemaCommitEnds() {
    schema_epoch_.fetch_add(1);
    schema_commits_in_flight_.fetch_sub(1);
  }
  // Moves after a transaction that ran ANALYZE (or DDL) committed: a
  // session whose catalog was loaded before reloads it, for the new
  // statistics, even though the schema version did not change.
  uint64_t stats_epoch() const { return stats_epoch_.load(std::memory_order_acquire); }
  void BumpStatsEpoch() { stats_epoch_.fetch_add(1, std::memory_order_acq_rel); }
  // Automatic ANALYZE (auto_analyze.h); null when DatabaseOptions turn it
  // off.
  AutoAnalyzer* auto_analyzer() { return auto_analyzer_.get(); }
  // Where sorts past their memory budget spill: the database's directory.
  const SpillSettings* spill() const { return &spill_; }

 private:
  Engine(std::unique_ptr<txn::TxnEngine> txn, DatabaseOptions options);
  std::unique_ptr<txn::TxnEngine> txn_;
  DatabaseOptions options_;
  SpillSettings spill_;
  txn::TreeId catalog_tree_ = 0;
  std::unique_ptr<SequenceAllocator> sequences_;
  std::atomic<uint64_t> schema_epoch_{0};
  std::atomic<uint64_t> schema_commits_in_flight_{0};
  std::atomic<uint64_t> stats_epoch_{0};
  // ANALYZE of one table by id, run by the analyzer's worker.
  Status AnalyzeTable(uint64_t table_id);
  Mutex analyzing_mu_;
  Session* analyzing_ GUARDED_BY(analyzing_mu_) = nullptr;
  // Last: destroyed first, so its worker ends while the rest still stands.
  std::unique_ptr<AutoAnalyzer> auto_analyzer_;
};

// A finished statement's result, read by ResultSet.
class ResultSource {
 public:
  std::vector<std::string> names;
  std::vector<DataType> types;
  std::vector<Row> rows;
  std::string command;
  uint64_t rows_affected = 0;
  size_t next = 0;  // index of the row after the current one
  // A column whose type is kNull reports the kind of its first non-NULL
  // value in `rows`; when set, `types` are final and stay as they are (a
  // streamed result, whose types come from its first row alone).
  bool types_final = false;
};

// Makes the public ResultSet over a ResultSource (its constructor is
// private to the API). Defined in database.cc.
struct ResultSetAccess {
  static ResultSet Make(std::unique_ptr<ResultSource> source);
};

// Hands a statement's result rows to a RowSink one at a time
// (Connection::ExecuteStreaming), through one ResultSet whose source holds
// the current row: a row costs no allocation beyond its own values.
// Unknown (kNull) column types are resolved from the first row delivered
// and then fixed, so every OnRow call and the final result agree.
class RowStreamer {
 public:
  RowStreamer(RowSink* sink, const std::vector<std::string>& names, const std::vector<DataType>& types,
              ExecContext* ctx);
  // Passes `row` (moved from) to the sink: the sink's error if it returns
  // one, else 57014 when the statement was cancelled or timed out meanwhile
  // (a slow sink is where a streamed statement spends its time).
  Status Deliver(Row* row);
  // Gives `result` the resolved types and no rows.
  void Finish(ResultSource* result);
  uint64_t delivered() const { return delivered_; }

 private:
  RowSink* sink_;
  ExecContext* ctx_;
  ResultSet current_;
  ResultSource* source_;  // current_'s
  uint64_t delivered_ = 0;
};

// A bound query kept between executions of a prepared SELECT, valid while
// the session's catalog is the one it was bound against.
struct CachedQuery {
  std::shared_ptr<const Catalog> catalog;
  BoundQuery query;
  std::vector<std::shared_ptr<SubPlan>> subplans;
};

struct PreparedPlan {
  std::shared_ptr<const sql::Statement> statement;
  size_t parameter_count = 0;
  // Declared types of the first parameters (PREPARE name(type, ...)); the
  // arguments of EXECUTE are cast to them.
  std::vector<DataType> parameter_types;
  std::vector<Value> params;
  std::unique_ptr<CachedQuery> cached;
};

class Session {
 public:
  explicit Session(Engine* engine) : engine_(engine) {}
  ~Session();

  // Runs every statement of `sql`; the last one's result. With `sink`, the
  // last statement's rows go to it (Connection::ExecuteStreaming) and the
  // result has none.
  Result<std::unique_ptr<ResultSource>> ExecuteScript(std::string_view sql, RowSink* sink = nullptr);
  Result<std::unique_ptr<PreparedPlan>> Prepare(std::string_view sql);
  Result<std::unique_ptr<ResultSource>> Execute(PreparedPlan* plan, RowSink* sink = nullptr);
  // Rolls back an open transaction and forgets the named prepared
  // statements (PREPARE name): the session as a new connection has it.
  Status Reset();

  void Cancel() { cancel_.store(true); }
  void SetStatementTimeout(std::chrono::milliseconds t) { timeout_ = t; }
  bool in_transaction() const { return txn_ != nullptr && explicit_; }
  // Restricts the session to reading: every transaction it starts is READ
  // ONLY and statements other than queries fail with 25006 before running.
  void SetReadOnly(bool read_only) { read_only_ = read_only; }

 private:
  friend class StatementRunner;
  Result<std::unique_ptr<ResultSource>> Run(const sql::Statement& stmt, const std::vector<Value>& params,
                                            std::unique_ptr<CachedQuery>* cache = nullptr, RowSink* sink = nullptr);
  Result<std::unique_ptr<ResultSource>> RunTransactionStatement(const sql::TransactionStmt& stmt);
  // PREPARE name AS ..., EXECUTE name(args), DEALLOCATE.
  Result<std::unique_ptr<ResultSource>> RunPrepare(const sql::PrepareStmt& stmt);
  Result<std::unique_ptr<ResultSource>> RunExecute(const sql::ExecuteStmt& stmt, const std::vector<Value>& params,
                                                   RowSink* sink);
  Result<std::unique_ptr<ResultSource>> RunDeallocate(const sql::DeallocateStmt& stmt);
  Result<std::shared_ptr<const Catalog>> CatalogFor(txn::Transaction* txn);
  void EndTransaction();

  Engine* engine_;
  std::unique_ptr<txn::Transaction> txn_;
  bool explicit_ = false;
  bool txn_wrote_ddl_ = false;
  uint64_t catalog_stats_epoch_ = 0;  // Engine::stats_epoch when catalog_ was loaded
  // Rows the open transaction wrote, by table; reported to the automatic
  // ANALYZE when it commits.
  std::map<uint64_t, TableWrites> txn_writes_;
  std::shared_ptr<const Catalog> catalog_;
  // The engine's schema epoch when catalog_ was last checked in the open
  // transaction; kNoEpoch outside one (every transaction checks once).
  static constexpr uint64_t kNoEpoch = UINT64_MAX;
  uint64_t catalog_epoch_ = kNoEpoch;
  // The schema epoch just before the open transaction's first read (its
  // snapshot, in REPEATABLE READ and SERIALIZABLE).
  uint64_t snapshot_epoch_ = kNoEpoch;
  // In place of an epoch read while a schema commit was under way: equals
  // no epoch, so the catalog is checked before it is relied on.
  static constexpr uint64_t kUnverified = UINT64_MAX - 1;
  // Whether the open transaction bumped the schema version (DDL, not
  // ANALYZE): then it holds the version row and no other DDL can commit.
  bool txn_changed_schema_ = false;
  std::atomic<bool> cancel_{false};
  std::chrono::milliseconds timeout_{0};
  bool read_only_ = false;
  // Named prepared statements (PREPARE), by name.
  std::map<std::string, std::unique_ptr<PreparedPlan>, std::less<>> named_;
};

}  // namespace neuroquantum::exec
