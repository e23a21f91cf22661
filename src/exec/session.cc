#include "exec/session.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/json_text.h"
#include "common/log.h"
#include "exec/statements.h"
#include "exec/internal/statement_util.h"
#include "sql/lexer.h"
#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::exec {
namespace {

constexpr std::string_view kCatalogTree = "nq.catalog";
constexpr std::string_view kSequenceTree = "nq.sequences";
// The savepoint that makes each statement of an explicit transaction atomic.
constexpr std::string_view kStatementSavepoint = "\x01statement";

std::string SequenceKey(uint64_t table, uint32_t column) {
  std::string key;
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((table >> (8 * i)) & 0xff));
  for (int i = 3; i >= 0; --i) key.push_back(static_cast<char>((column >> (8 * i)) & 0xff));
  return key;
}

Result<txn::TreeId> OpenTree(txn::TxnEngine* engine, std::string_view name) {
  auto found = engine->FindTable(name);
  if (found.ok()) return found;
  return engine->CreateTable(name);
}

txn::IsolationLevel IsolationFor(sql::IsolationLevel level) {
  switch (level) {
    case sql::IsolationLevel::kReadUncommitted: return txn::IsolationLevel::kReadUncommitted;
    case sql::IsolationLevel::kRepeatableRead: return txn::IsolationLevel::kRepeatableRead;
    case sql::IsolationLevel::kSerializable: return txn::IsolationLevel::kSerializable;
    default: return txn::IsolationLevel::kReadCommitted;
  }
}


// How often a statement runs when tables keep changing under it (the
// last failure, 40001, is then the statement's error).
constexpr int kStatementAttempts = 4;

// Errors after which the whole transaction must be retried: statement
// rollback does not rescue it.
bool DoomsTransaction(const Status& s) {
  return s.code() == StatusCode::kDeadlock || s.code() == StatusCode::kSerializationFailure;
}

// Parameters of a statement's text: anonymous `?` are numbered in order,
// `$n`/`?n` name n; the count is the highest number.
size_t CountParameters(std::string_view text) {
  sql::Lexer lexer(text);
  sql::Token token;
  sql::LexError error;
  size_t anonymous = 0, highest = 0;
  while (lexer.Next(&token, &error) && token.kind != sql::TokenKind::kEnd) {
    if (token.kind != sql::TokenKind::kParameter) continue;
    size_t n = token.value.empty() ? ++anonymous : std::strtoull(token.value.c_str(), nullptr, 10);
    highest = std::max(highest, n);
  }
  return highest;
}

}  // namespace

std::unique_ptr<ResultSource> CommandResult(std::string command) {
  auto r = std::make_unique<ResultSource>();
  r->command = std::move(command);
  return r;
}

Result<SequenceAllocator::State*> SequenceAllocator::Load(uint64_t table, uint32_t column) {
  auto key = std::make_pair(table, column);
  auto it = states_.find(key);
  if (it != states_.end()) return &it->second;
  auto txn = engine_->Begin();
  NQ_ASSIGN_OR_RETURN(auto raw, txn->Get(tree_, SequenceKey(table, column)));
  NQ_RETURN_IF_ERROR(txn->Commit());
  State s;
  if (raw && raw->size() == 8) {
    uint64_t v = 0;
    for (char c : *raw) v = (v << 8) | static_cast<uint8_t>(c);
    s.reserved = static_cast<int64_t>(v);
    s.next = s.reserved + 1;  // values up to `reserved` may have been used
  }
  return &states_.emplace(key, s).first->second;
}

Status SequenceAllocator::Reserve(uint64_t table, uint32_t column, State* s, int64_t through, int64_t ahead) {
  int64_t target = through;
  if (ahead <= 0) {  // sequences: growing blocks
    ahead = s->block;
    s->block = std::min<int64_t>(s->block * 2, 65536);
  }
  target = target < INT64_MAX - ahead ? target + ahead : INT64_MAX;
  auto txn = engine_->Begin();
  std::string value;
  for (int i = 7; i >= 0; --i) value.push_back(static_cast<char>((static_cast<uint64_t>(target) >> (8 * i)) & 0xff));
  NQ_RETURN_IF_ERROR(txn->Put(tree_, SequenceKey(table, column), value));
  NQ_RETURN_IF_ERROR(txn->Commit());
  s->reserved = target;
  return Status::OK();
}

Result<int64_t> SequenceAllocator::Next(uint64_t table, uint32_t column) {
  std::lock_guard lock(mu_);
  NQ_ASSIGN_OR_RETURN(State * s, Load(table, column));
  if (s->next == INT64_MAX) {
    return Status::OutOfRange("sequence reached its maximum value").WithSqlState("2200H");
  }
  if (s->next > s->reserved) NQ_RETURN_IF_ERROR(Reserve(table, column, s, s->next, 0));
  return s->next++;
}

Result<int64_t> SequenceAllocator::NextChosen(uint64_t table, uint32_t column,
                                              const std::function<int64_t(int64_t last)>& choose, int64_t ahead) {
  std::lock_guard lock(mu_);
  NQ_ASSIGN_OR_RETURN(State * s, Load(table, column));
  if (s->next == INT64_MAX) {
    return Status::OutOfRange("sequence reached its maximum value").WithSqlState("2200H");
  }
  int64_t v = choose(s->next - 1);
  if (v < s->next) return Status::Internal("id generator went backwards");
  if (v > s->reserved) NQ_RETURN_IF_ERROR(Reserve(table, column, s, v, ahead));
  s->next = v == INT64_MAX ? INT64_MAX : v + 1;
  return v;
}

Status SequenceAllocator::Advance(uint64_t table, uint32_t column, int64_t value) {
  std::lock_guard lock(mu_);
  NQ_ASSIGN_OR_RETURN(State * s, Load(table, column));
  if (value < s->next) return Status::OK();
  if (value == INT64_MAX) {
    s->next = INT64_MAX;
    return Status::OK();
  }
  s->next = value + 1;
  if (s->next > s->reserved) NQ_RETURN_IF_ERROR(Reserve(table, column, s, s->next, 0));
  return Status::OK();
}

Status SequenceAllocator::Forget(uint64_t table) {
  std::lock_guard lock(mu_);
  for (auto it = states_.lower_bound({table, 0}); it != states_.end() && it->first.first == table;) {
    it = states_.erase(it);
  }
  const std::string prefix = SequenceKey(table, 0).substr(0, 8);
  std::vector<std::string> keys;
  auto txn = engine_->Begin();
  {
    NQ_ASSIGN_OR_RETURN(auto cursor, txn->Scan(tree_, prefix));
    for (; cursor->Valid() && cursor->key().substr(0, prefix.size()) == prefix; cursor->Next()) {
      keys.emplace_back(cursor->key());
    }
    NQ_RETURN_IF_ERROR(cursor->status());
  }
  for (const auto& key : keys) NQ_RETURN_IF_ERROR(txn->Delete(tree_, key));
  return txn->Commit();
}

Engine::Engine(std::unique_ptr<txn::TxnEngine> txn, DatabaseOptions options)
    : txn_(std::move(txn)), options_(std::move(options)) {}

Result<std::unique_ptr<Engine>> Engine::Open(const std::string& path, const DatabaseOptions& options) {
  txn::TxnEngineOptions txn_options;
  txn_options.locks.lock_timeout = options.lock_timeout;
  txn_options.locks.deadlock_timeout = options.deadlock_timeout;
  NQ_ASSIGN_OR_RETURN(auto txn, txn::TxnEngine::Open(path, options.storage, txn_options));
  std::unique_ptr<Engine> engine(new Engine(std::move(txn), options));
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  engine->spill_.dir = parent.empty() ? "." : parent.string();
  engine->spill_.page_size = options.storage.page_size;
  engine->spill_.transform = options.storage.page_transform;
  NQ_ASSIGN_OR_RETURN(engine->catalog_tree_, OpenTree(engine->txn_.get(), kCatalogTree));
  NQ_ASSIGN_OR_RETURN(txn::TreeId seq, OpenTree(engine->txn_.get(), kSequenceTree));
  engine->sequences_ = std::make_unique<SequenceAllocator>(engine->txn_.get(), seq);
  if (options.auto_analyze && !options.storage.read_only) {
    Engine* e = engine.get();
    engine->auto_analyzer_ = std::make_unique<AutoAnalyzer>([e](uint64_t table) { return e->AnalyzeTable(table); },
                                                            [e] {
                                                              MutexLock lock(&e->analyzing_mu_);
                                                              if (e->analyzing_) e->analyzing_->Cancel();
                                                            });
  }
  return engine;
}

Status Engine::AnalyzeTable(uint64_t table_id) {
  NQ_ASSIGN_OR_RETURN(auto catalog, CommittedCatalog());
  std::string name;
  for (const std::string& n : catalog->TableAndViewNames()) {
    const TableInfo* table = catalog->FindTable(n);
    if (table != nullptr && table->id == table_id) name = n;
  }
  if (name.empty()) return Status::OK();  // dropped since
  Session session(this);
  {
    MutexLock lock(&analyzing_mu_);
    analyzing_ = &session;
  }
  Status s = session.ExecuteScript("ANALYZE " + sql::QuoteIdentifier(name)).status();
  MutexLock lock(&analyzing_mu_);
  analyzing_ = nullptr;
  return s;
}

Result<std::shared_ptr<const Catalog>> Engine::CommittedCatalog() {
  auto txn = txn_->Begin(txn::TxnOptions{txn::IsolationLevel::kReadCommitted, true});
  auto catalog = Catalog::Load(txn_.get(), txn.get(), catalog_tree_);
  NQ_RETURN_IF_ERROR(txn->Commit());
  return catalog;
}

Session::~Session() {
  if (txn_) (void)txn_->Rollback();
}

Result<std::shared_ptr<const Catalog>> Session::CatalogFor(txn::Transaction* txn) {
  uint64_t epoch = engine_->schema_epoch();
  const uint64_t stats_epoch = engine_->stats_epoch();
  // Read after the epoch: a commit that started before that read and has
  // not ended is seen here (else the epoch moves again before any check).
  const uint64_t vouched = engine_->schema_commit_in_flight() ? kUnverified : epoch;
  if (catalog_epoch_ == kNoEpoch) snapshot_epoch_ = vouched;  // the transaction's first read follows
  // Inside a transaction that already checked, and no schema change since.
  if (catalog_ && !txn_wrote_ddl_ && epoch == catalog_epoch_ && stats_epoch == catalog_stats_epoch_) {
    return catalog_;
  }
  NQ_ASSIGN_OR_RETURN(uint64_t version, ReadSchemaVersion(txn, engine_->catalog_tree()));
  if (!catalog_ || catalog_->version() != version || txn_wrote_ddl_ || stats_epoch != catalog_stats_epoch_) {
    NQ_ASSIGN_OR_RETURN(catalog_, Catalog::Load(engine_->txn(), txn, engine_->catalog_tree()));
  }
  catalog_epoch_ = vouched;
  catalog_stats_epoch_ = stats_epoch;
  return catalog_;
}

void Session::EndTransaction() {
  txn_.reset();
  txn_writes_.clear();
  explicit_ = false;
  catalog_epoch_ = kNoEpoch;
  // A rolled-back DDL's catalog must not be reused; a committed one is
  // reloaded cheaply by version.
  if (txn_wrote_ddl_) catalog_.reset();
  txn_wrote_ddl_ = false;
  txn_changed_schema_ = false;
}

Result<std::unique_ptr<ResultSource>> Session::RunTransactionStatement(const sql::TransactionStmt& stmt) {
  using Op = sql::TransactionOp;
  auto no_txn = [&](std::string_view what) {
    return Status::InvalidArgument(fmt::format("{}: there is no transaction in progress", what))
        .WithSqlState("25P01");
  };
  switch (stmt.op) {
    case Op::kBegin: {
      if (explicit_) {
        return Status::InvalidArgument("there is already a transaction in progress").WithSqlState("25001");
      }
      txn::TxnOptions options;
      options.isolation = IsolationFor(stmt.isolation);
      options.read_only = read_only_ || stmt.access == sql::AccessMode::kReadOnly;
      txn_ = engine_->txn()->Begin(options);
      explicit_ = true;
      return CommandResult("BEGIN");
    }
    case Op::kCommit: {
      if (!explicit_) return no_txn("COMMIT");
      const bool schema = txn_changed_schema_;
      if (schema) engine_->SchemaCommitStarts();
      Status s = txn_->Commit();
      if (schema) engine_->SchemaCommitEnds();
      if (txn_wrote_ddl_ && s.ok()) engine_->BumpStatsEpoch();
      std::map<uint64_t, TableWrites> writes = std::move(txn_writes_);
      EndTransaction();
      NQ_RETURN_IF_ERROR(s);
      if (!writes.empty() && engine_->auto_analyzer() != nullptr) engine_->auto_analyzer()->NoteCommitted(writes);
      return CommandResult("COMMIT");
    }
    case Op::kRollback: {
      if (!explicit_) return no_txn("ROLLBACK");
      Status s = txn_->Rollback();
      EndTransaction();
      NQ_RETURN_IF_ERROR(s);
      return CommandResult("ROLLBACK");
    }
    case Op::kSavepoint:
      if (!explicit_) return no_txn("SAVEPOINT");
      NQ_RETURN_IF_ERROR(txn_->Savepoint(stmt.name));
      return CommandResult("SAVEPOINT");
    case Op::kRollbackTo: {
      if (!explicit_) return no_txn("ROLLBACK TO SAVEPOINT");
      Status s = txn_->RollbackToSavepoint(stmt.name);
      if (s.code() == StatusCode::kNotFound) {
        return Status::InvalidArgument(fmt::format("savepoint \"{}\" does not exist", stmt.name))
            .WithSqlState("3B001");
      }
      NQ_RETURN_IF_ERROR(s);
      if (txn_wrote_ddl_) catalog_.reset();
      return CommandResult("ROLLBACK");
    }
    case Op::kRelease: {
      if (!explicit_) return no_txn("RELEASE SAVEPOINT");
      Status s = txn_->ReleaseSavepoint(stmt.name);
      if (s.code() == StatusCode::kNotFound) {
        return Status::InvalidArgument(fmt::format("savepoint \"{}\" does not exist", stmt.name))
            .WithSqlState("3B001");
      }
      NQ_RETURN_IF_ERROR(s);
      return CommandResult("RELEASE");
    }
    case Op::kSetTransaction:
      return Status::NotSupported("SET TRANSACTION is not supported; give the level in BEGIN")
          .WithSqlState("0A000");
    case Op::kPrepare: {
      if (!explicit_) return no_txn("PREPARE TRANSACTION");
      Status s = txn_->Prepare(stmt.name);
      EndTransaction();
      NQ_RETURN_IF_ERROR(s);
      return CommandResult("PREPARE TRANSACTION");
    }
    case Op::kCommitPrepared:
    case Op::kRollbackPrepared: {
      if (read_only_) {
        return Status::ReadOnlyTransaction("cannot finish a prepared transaction in a read-only session")
            .WithSqlState("25006");
      }
      if (explicit_) {
        return Status::InvalidArgument(fmt::format("{} cannot run inside a transaction block",
                                                   stmt.op == Op::kCommitPrepared ? "COMMIT PREPARED"
                                                                                  : "ROLLBACK PREPARED"))
            .WithSqlState("25001");
      }
      // A prepared transaction may hold DDL.
      engine_->SchemaCommitStarts();
      Status s = stmt.op == Op::kCommitPrepared ? engine_->txn()->CommitPrepared(stmt.name)
                                                : engine_->txn()->RollbackPrepared(stmt.name);
      engine_->SchemaCommitEnds();
      engine_->BumpStatsEpoch();  // ... or ANALYZE
      NQ_RETURN_IF_ERROR(s);
      return CommandResult(stmt.op == Op::kCommitPrepared ? "COMMIT PREPARED" : "ROLLBACK PREPARED");
    }
  }
  return Status::Internal("unknown transaction statement");
}

Result<std::unique_ptr<ResultSource>> Session::Run(const sql::Statement& stmt, const std::vector<Value>& params,
                                                   std::unique_ptr<CachedQuery>* cache, RowSink* sink) {
  switch (stmt.kind) {
    case sql::StatementKind::kTransaction: return RunTransactionStatement(stmt.As<sql::TransactionStmt>());
    case sql::StatementKind::kPrepare: return RunPrepare(stmt.As<sql::PrepareStmt>());
    case sql::StatementKind::kExecute: return RunExecute(stmt.As<sql::ExecuteStmt>(), params, sink);
    case sql::StatementKind::kDeallocate: return RunDeallocate(stmt.As<sql::DeallocateStmt>());
    default: break;
  }
  if (read_only_ && stmt.kind != sql::StatementKind::kSelect && stmt.kind != sql::StatementKind::kExplain) {
    return Status::ReadOnlyTransaction("cannot execute this statement in a read-only session")
        .WithSqlState("25006");
  }
  cancel_.store(false);
  bool autocommit = !explicit_;
  if (autocommit) {
    txn::TxnOptions options;
    options.read_only = read_only_;
    txn_ = engine_->txn()->Begin(options);
  }
  txn::Transaction* txn = txn_.get();
  if (!autocommit) {
    Status s = txn->Savepoint(kStatementSavepoint);
    if (!s.ok()) return s;  // e.g. the transaction is aborted (25P02)
  }
  std::map<uint64_t, TableWrites> writes;
  bool ddl = false, schema = false;
  Result<std::unique_ptr<ResultSource>> result = std::unique_ptr<ResultSource>();
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout_.count() > 0) deadline = std::chrono::steady_clock::now() + timeout_;
  // A READ COMMITTED statement that found a table changed under its
  // catalog (StatementRunner::LockTable) runs again, undone first, on a
  // fresh catalog and snapshot; it holds the table's lock by then.
  for (int attempt = 1;; ++attempt) {
    MemoryBudget memory(engine_->options().query_memory_limit);
    ExecContext ctx;
    ctx.txn = txn;
    ctx.spill = engine_->spill();
    ctx.params = &params;
    ctx.cancel = &cancel_;
    ctx.memory = &memory;
    ctx.recursion_limit = engine_->options().recursion_limit;
    ctx.txn_changed_schema = txn_changed_schema_;
    bool restart = false;
    ctx.restart = &restart;
    ctx.deadline = deadline;  // one for all attempts
    writes.clear();
    if (engine_->auto_analyzer() != nullptr) ctx.writes = &writes;

    ddl = schema = false;
    txn->BeginStatement();
    auto catalog = CatalogFor(txn);
    // A REPEATABLE READ catalog is as old as the transaction's snapshot.
    ctx.catalog_epoch =
        txn->isolation() >= txn::IsolationLevel::kRepeatableRead ? snapshot_epoch_ : catalog_epoch_;
    if (!catalog.ok()) {
      result = catalog.status();
    } else {
      StatementRunner runner(engine_, txn, *catalog, &ctx, sink);
      result = runner.Run(stmt, cache);
      ddl = runner.wrote_ddl();
      schema = runner.changed_schema();
    }
    txn->EndStatement();
    if (result.ok() || !restart) break;
    if (attempt == kStatementAttempts) {
      result = txn->Doom(result.status());
      break;
    }
    NQ_LOG_DEBUG("sql", "a table changed under the statement's catalog; running it again");
    catalog_.reset();
    catalog_epoch_ = kNoEpoch;
    if (autocommit) {
      (void)txn->Rollback();
      txn::TxnOptions options;
      options.read_only = read_only_;
      txn_ = engine_->txn()->Begin(options);
      txn = txn_.get();
    } else {
      NQ_RETURN_IF_ERROR(txn->RollbackToSavepoint(kStatementSavepoint));
    }
  }

  if (autocommit) {
    if (schema && result.ok()) engine_->SchemaCommitStarts();
    Status s = result.ok() ? txn->Commit() : txn->Rollback();
    if (schema && result.ok()) engine_->SchemaCommitEnds();
    if (ddl && result.ok() && s.ok()) engine_->BumpStatsEpoch();
    if (ddl) catalog_.reset();
    txn_.reset();
    catalog_epoch_ = kNoEpoch;
    if (result.ok() && !s.ok()) return s;
    if (result.ok() && !writes.empty()) engine_->auto_analyzer()->NoteCommitted(writes);
    return result;
  }
  if (result.ok()) {
    if (ddl) {
      txn_wrote_ddl_ = true;
      txn_changed_schema_ |= schema;
      catalog_.reset();
    }
    for (const auto& [table, w] : writes) {
      TableWrites& total = txn_writes_[table];
      total.rows += w.rows;
      total.analysed_rows = w.analysed_rows;
    }
    NQ_RETURN_IF_ERROR(txn->ReleaseSavepoint(kStatementSavepoint));
    return result;
  }
  if (!DoomsTransaction(result.status())) {
    // Statement-level atomicity: undo this statement only.
    (void)txn->RollbackToSavepoint(kStatementSavepoint);
    (void)txn->ReleaseSavepoint(kStatementSavepoint);
  }
  if (txn_wrote_ddl_ || ddl) catalog_.reset();
  return result;
}

Result<std::unique_ptr<ResultSource>> Session::ExecuteScript(std::string_view sql_text, RowSink* sink) {
  sql::ParseError error;
  NQ_ASSIGN_OR_RETURN(auto statements, sql::ParseScript(sql_text, &error));
  std::unique_ptr<ResultSource> last = CommandResult("");
  static const std::vector<Value> kNoParams;
  for (size_t i = 0; i < statements.size(); ++i) {
    // Only the last statement's rows are the script's result.
    RowSink* to = i + 1 == statements.size() ? sink : nullptr;
    NQ_ASSIGN_OR_RETURN(last, Run(*statements[i], kNoParams, nullptr, to));
  }
  return last;
}

Result<std::unique_ptr<PreparedPlan>> Session::Prepare(std::string_view sql_text) {
  NQ_ASSIGN_OR_RETURN(auto stmt, sql::ParseStatement(sql_text));
  auto plan = std::make_unique<PreparedPlan>();
  // The statement is bound at each execution, so schema changes are
  // picked up transparently.
  plan->parameter_count = CountParameters(sql_text);
  plan->statement = std::move(stmt);
  plan->params.assign(plan->parameter_count, Value::Null());
  return plan;
}

Result<std::unique_ptr<ResultSource>> Session::Execute(PreparedPlan* plan, RowSink* sink) {
  return Run(*plan->statement, plan->params, &plan->cached, sink);
}

Status Session::Reset() {
  named_.clear();
  if (!in_transaction()) return Status::OK();
  return ExecuteScript("ROLLBACK").status();
}

Result<std::unique_ptr<ResultSource>> Session::RunPrepare(const sql::PrepareStmt& stmt) {
  if (named_.count(stmt.name) != 0) {
    return Status::AlreadyExists(fmt::format("prepared statement \"{}\" already exists (line {}, column {})", stmt.name,
                                             stmt.pos.line, stmt.pos.column))
        .WithSqlState("42P05");
  }
  auto plan = std::make_unique<PreparedPlan>();
  for (const sql::TypeName& type : stmt.parameter_types) {
    NQ_ASSIGN_OR_RETURN(DataType t, DataTypeFromName(type.name, type.params));
    plan->parameter_types.push_back(t);
  }
  // The plan owns its statement: the text parsed again (it parsed once).
  NQ_ASSIGN_OR_RETURN(auto statement, sql::ParseStatement(stmt.text));
  plan->statement = std::move(statement);
  plan->parameter_count = std::max(CountParameters(stmt.text), plan->parameter_types.size());
  plan->params.assign(plan->parameter_count, Value::Null());
  named_.emplace(stmt.name, std::move(plan));
  return CommandResult("PREPARE");
}

Result<std::unique_ptr<ResultSource>> Session::RunExecute(const sql::ExecuteStmt& stmt, const std::vector<Value>& params,
                                                          RowSink* sink) {
  auto it = named_.find(stmt.name);
  if (it == named_.end()) {
    return Status::NotFound(fmt::format("prepared statement \"{}\" does not exist (line {}, column {})", stmt.name,
                                        stmt.pos.line, stmt.pos.column))
        .WithSqlState("26000");
  }
  PreparedPlan* plan = it->second.get();
  if (stmt.args.size() != plan->parameter_count) {
    return Status::InvalidArgument(fmt::format(
               "wrong number of parameters for prepared statement \"{}\": expected {}, got {} (line {}, column {})",
               stmt.name, plan->parameter_count, stmt.args.size(), stmt.pos.line, stmt.pos.column))
        .WithSqlState("42601");
  }
  std::vector<Value> args;
  if (!stmt.args.empty()) {
    // The arguments are evaluated as the one row of a SELECT of them, in
    // the session's transaction (so they may hold subqueries and the
    // EXECUTE's own parameters).
    std::string select = "SELECT ";
    for (size_t i = 0; i < stmt.args.size(); ++i) {
      if (i > 0) select += ", ";
      select += sql::ToSql(*stmt.args[i]);
    }
    NQ_ASSIGN_OR_RETURN(auto query, sql::ParseStatement(select));
    NQ_ASSIGN_OR_RETURN(auto values, Run(*query, params));
    if (values->rows.size() != 1) return Status::Internal("EXECUTE arguments did not make one row");
    args = std::move(values->rows[0]);
  }
  for (size_t i = 0; i < plan->parameter_types.size(); ++i) {
    auto cast = args[i].CastTo(plan->parameter_types[i], /*assignment=*/true);
    if (!cast.ok()) {
      return cast.status().WithContext(fmt::format("parameter ${} of prepared statement \"{}\"", i + 1, stmt.name));
    }
    args[i] = std::move(*cast);
  }
  // The plan outlives the run: its statement cannot be a DEALLOCATE.
  return Run(*plan->statement, args, &plan->cached, sink);
}

Result<std::unique_ptr<ResultSource>> Session::RunDeallocate(const sql::DeallocateStmt& stmt) {
  if (stmt.all) {
    named_.clear();
  } else if (named_.erase(stmt.name) == 0) {
    return Status::NotFound(fmt::format("prepared statement \"{}\" does not exist (line {}, column {})", stmt.name,
                                        stmt.pos.line, stmt.pos.column))
        .WithSqlState("26000");
  }
  return CommandResult(stmt.all ? "DEALLOCATE ALL" : "DEALLOCATE");
}

RowStreamer::RowStreamer(RowSink* sink, const std::vector<std::string>& names, const std::vector<DataType>& types,
                         ExecContext* ctx)
    : sink_(sink), ctx_(ctx) {
  auto source = std::make_unique<ResultSource>();
  source->names = names;
  source->types = types;
  source->types_final = true;
  source->rows.resize(1);
  source_ = source.get();
  current_ = ResultSetAccess::Make(std::move(source));
}

Status RowStreamer::Deliver(Row* row) {
  if (delivered_ == 0) {
    // Columns typed only at run time take the kind of the first row's value.
    for (size_t i = 0; i < source_->types.size() && i < row->size(); ++i) {
      if (source_->types[i].id == TypeId::kNull && !(*row)[i].is_null()) {
        source_->types[i] = DataType::Of((*row)[i].kind());
      }
    }
  }
  source_->rows[0] = std::move(*row);
  source_->next = 1;
  ++delivered_;
  Status s = sink_->OnRow(current_);
  if (!s.ok()) return s;
  return ctx_->CheckInterruptNow();
}

void RowStreamer::Finish(ResultSource* result) {
  result->types = source_->types;
  result->types_final = true;
  result->rows.clear();
  result->next = 0;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Run(const sql::Statement& stmt,
                                                           std::unique_ptr<CachedQuery>* cache) {
  NQ_ASSIGN_OR_RETURN(auto result, Dispatch(stmt, cache));
  NQ_RETURN_IF_ERROR(FinishForeignKeys());
  if (sink_ == nullptr || result->types_final) return result;  // not streamed, or streamed already
  // Rows produced whole (RETURNING, EXPLAIN) reach the sink the same way,
  // before the statement ends.
  RowStreamer stream(sink_, result->names, result->types, ctx_);
  for (Row& row : result->rows) NQ_RETURN_IF_ERROR(stream.Deliver(&row));
  stream.Finish(result.get());
  return result;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Dispatch(const sql::Statement& stmt,
                                                                std::unique_ptr<CachedQuery>* cache) {
  using K = sql::StatementKind;
  switch (stmt.kind) {
    case K::kSelect: return Select(*stmt.As<sql::SelectStmt>().query, cache);
    case K::kInsert: return Insert(stmt.As<sql::InsertStmt>(), cache);
    case K::kUpdate: return Update(stmt.As<sql::UpdateStmt>());
    case K::kDelete: return Delete(stmt.As<sql::DeleteStmt>());
    case K::kCreateTable: return CreateTable(stmt.As<sql::CreateTableStmt>());
    case K::kCreateIndex: return CreateIndex(stmt.As<sql::CreateIndexStmt>());
    case K::kCreateView: return CreateView(stmt.As<sql::CreateViewStmt>());
    case K::kDrop: return Drop(stmt.As<sql::DropStmt>());
    case K::kAlterTable: return AlterTable(stmt.As<sql::AlterTableStmt>());
    case K::kTruncate: return Truncate(stmt.As<sql::TruncateStmt>());
    case K::kExplain: return Explain(stmt.As<sql::ExplainStmt>());
    case K::kCreateTrigger: return CreateTrigger(stmt.As<sql::CreateTriggerStmt>());
    case K::kAnalyze: return Analyze(stmt.As<sql::AnalyzeStmt>());
    case K::kTransaction:
    case K::kPrepare:
    case K::kExecute:
    case K::kDeallocate: break;  // run by the session itself
  }
  return Status::Internal("statement kind not handled");
}

namespace {

// Lets correlated subqueries remember their answers (or not) for a scope,
// then restores the context's setting.
class MemoizeWhile {
 public:
  MemoizeWhile(ExecContext* ctx, bool on) : ctx_(ctx), before_(ctx->memoize_subqueries) {
    ctx->memoize_subqueries = on;
  }
  ~MemoizeWhile() { ctx_->memoize_subqueries = before_; }
  MemoizeWhile(const MemoizeWhile&) = delete;
  MemoizeWhile& operator=(const MemoizeWhile&) = delete;

 private:
  ExecContext* ctx_;
  bool before_;
};

}  // namespace

Result<BoundQuery*> StatementRunner::BoundFor(const sql::Query& query, std::unique_ptr<CachedQuery>* cache,
                                              BoundQuery* local) {
  if (!cache) {
    NQ_ASSIGN_OR_RETURN(*local, binder_.BindQuery(query));
    return local;
  }
  // A prepared statement keeps its plan while the catalog stays the same.
  if (!*cache || (*cache)->catalog != catalog_) {
    NQ_ASSIGN_OR_RETURN(BoundQuery bound, binder_.BindQuery(query));
    auto fresh = std::make_unique<CachedQuery>();
    fresh->catalog = catalog_;
    fresh->query = std::move(bound);
    fresh->subplans = binder_.subplans();
    *cache = std::move(fresh);
  }
  for (const auto& sub : (*cache)->subplans) sub->Reset();
  return &(*cache)->query;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Select(const sql::Query& query,
                                                              std::unique_ptr<CachedQuery>* cache) {
  BoundQuery local;
  NQ_ASSIGN_OR_RETURN(BoundQuery * q, BoundFor(query, cache, &local));
  auto result = std::make_unique<ResultSource>();
  result->command = "SELECT";
  result->names = q->names;
  result->types = q->types;
  // A query writes nothing its subqueries read. Only while it runs: a
  // trigger runs its statements on one context.
  MemoizeWhile memoize(ctx_, engine_->options().rewrite_queries);
  NQ_RETURN_IF_ERROR(q->root->Open(ctx_));
  Row row;
  if (sink_ != nullptr) {
    // Streamed: each row goes to the sink as the operators produce it,
    // neither kept nor charged to the budget.
    RowStreamer stream(sink_, result->names, result->types, ctx_);
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, q->root->Next(&row));
      if (!more) break;
      NQ_RETURN_IF_ERROR(stream.Deliver(&row));
      row = Row();
    }
    stream.Finish(result.get());
    result->rows_affected = stream.delivered();
    return result;
  }
  NQ_RETURN_IF_ERROR(internal::DrainInto(q->root.get(), ctx_, &result->rows));
  result->rows_affected = result->rows.size();
  return result;
}

Result<std::unique_ptr<ResultSource>> StatementRunner::Explain(const sql::ExplainStmt& stmt) {
  if (stmt.statement->kind != sql::StatementKind::kSelect) {
    return Status::NotSupported("EXPLAIN shows SELECT plans only").WithSqlState("0A000");
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point planning_start = Clock::now();
  NQ_ASSIGN_OR_RETURN(BoundQuery q, binder_.BindQuery(*stmt.statement->As<sql::SelectStmt>().query));
  const Clock::duration planning = Clock::now() - planning_start;
  Clock::duration execution{};
  if (stmt.analyze) {
    // Runs the query with every operator counting; its rows are dropped.
    const Clock::time_point execution_start = Clock::now();
    ctx_->profile = true;
    MemoizeWhile memoize(ctx_, engine_->options().rewrite_queries);
    Status status = q.root->Open(ctx_);
    Row row;
    while (status.ok()) {
      Result<bool> more = q.root->Next(&row);
      if (!more.ok()) status = more.status();
      if (!more.ok() || !*more) break;
    }
    ctx_->profile = false;
    NQ_RETURN_IF_ERROR(status);
    execution = Clock::now() - execution_start;
  }
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  auto result = std::make_unique<ResultSource>();
  result->command = "EXPLAIN";
  result->names = {"QUERY PLAN"};
  result->types = {DataType::Of(TypeId::kText)};
  if (stmt.format == sql::ExplainFormat::kJson) {
    std::string json = "[{\"Plan\": " + ExplainPlanJson(*q.root, stmt.analyze) + ", \"Planning Time\": ";
    AppendJsonDouble(&json, ms(planning));
    if (stmt.analyze) {
      json += ", \"Execution Time\": ";
      AppendJsonDouble(&json, ms(execution));
    }
    json += "}]";
    result->rows.push_back({Value::Text(std::move(json))});
    return result;
  }
  std::string plan = ExplainPlan(*q.root, stmt.analyze);
  if (stmt.analyze) {
    plan += fmt::format("Planning Time: {:.3f} ms\nExecution Time: {:.3f} ms\n", ms(planning), ms(execution));
  }
  size_t start = 0;
  while (start < plan.size()) {
    size_t end = plan.find('\n', start);
    result->rows.push_back({Value::Text(plan.substr(start, end - start))});
    start = end + 1;
  }
  return result;
}

}  // namespace neuroquantum::exec
