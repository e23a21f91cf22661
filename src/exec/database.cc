// The embedding API (include/neuroquantum/database.h) over exec::Engine
// and exec::Session.
#include "neuroquantum/database.h"

#include <fmt/format.h>

#include <cmath>

#include "exec/catalog.h"
#include "exec/change_feed.h"
#include "exec/functions.h"
#include "exec/session.h"
#include "sql/lexer.h"
#include "sql/printer.h"
#include "storage/engine.h"

namespace neuroquantum {

using exec::TypeId;
using exec::Value;

namespace {

const Value& Current(const exec::ResultSource* source, size_t i) {
  static const Value kNull;
  if (!source || source->next == 0 || source->next > source->rows.size()) return kNull;
  const auto& row = source->rows[source->next - 1];
  return i < row.size() ? row[i] : kNull;
}

// A double as an integer, truncated toward zero and clamped.
int64_t ClampToInt64(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2233720368547758e18) return INT64_MAX;
  if (d <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

}  // namespace

ResultSet::ResultSet() = default;
ResultSet::~ResultSet() = default;
ResultSet::ResultSet(ResultSet&&) noexcept = default;
ResultSet& ResultSet::operator=(ResultSet&&) noexcept = default;
ResultSet::ResultSet(std::unique_ptr<exec::ResultSource> source) : source_(std::move(source)) {}

ResultSet exec::ResultSetAccess::Make(std::unique_ptr<ResultSource> source) { return ResultSet(std::move(source)); }

size_t ResultSet::column_count() const { return source_ ? source_->names.size() : 0; }

const std::string& ResultSet::column_name(size_t i) const {
  static const std::string kEmpty;
  return source_ && i < source_->names.size() ? source_->names[i] : kEmpty;
}

std::string ResultSet::column_type(size_t i) const {
  if (!source_ || i >= source_->types.size()) return "";
  exec::DataType t = source_->types[i];
  if (t.id == TypeId::kNull && !source_->types_final) {
    // Not known before running: the kind of the first non-NULL value.
    for (const auto& row : source_->rows) {
      if (i < row.size() && !row[i].is_null()) {
        t = exec::DataType::Of(row[i].kind());
        break;
      }
    }
  }
  return t.id == TypeId::kNull ? "NULL" : t.ToString();
}

Result<bool> ResultSet::Next() {
  if (!source_ || source_->next >= source_->rows.size()) {
    if (source_) source_->next = source_->rows.size() + 1;
    return false;
  }
  ++source_->next;
  return true;
}

FieldKind ResultSet::kind(size_t i) const {
  switch (Current(source_.get(), i).kind()) {
    case TypeId::kNull: return FieldKind::kNull;
    case TypeId::kBoolean: return FieldKind::kBoolean;
    case TypeId::kDouble: return FieldKind::kDouble;
    case TypeId::kNumeric: return FieldKind::kNumeric;
    case TypeId::kText: return FieldKind::kText;
    case TypeId::kBlob: return FieldKind::kBlob;
    case TypeId::kDate: return FieldKind::kDate;
    case TypeId::kTime: return FieldKind::kTime;
    case TypeId::kTimestamp: return FieldKind::kTimestamp;
    case TypeId::kInterval: return FieldKind::kText;  // read as its text form
    default: return FieldKind::kInteger;
  }
}

int64_t ResultSet::GetInt64(size_t i) const {
  const Value& v = Current(source_.get(), i);
  switch (v.kind()) {
    case TypeId::kNull: return 0;
    case TypeId::kBoolean: return v.boolean() ? 1 : 0;
    case TypeId::kDouble: return ClampToInt64(v.dbl());
    case TypeId::kNumeric: return ClampToInt64(v.numeric().ToDouble());
    case TypeId::kText:
    case TypeId::kBlob: {
      Value n = exec::NumericPrefix(v.str());
      return n.kind() == TypeId::kBigInt ? n.integer() : ClampToInt64(n.dbl());
    }
    default: return v.temporal();
  }
}

double ResultSet::GetDouble(size_t i) const {
  const Value& v = Current(source_.get(), i);
  switch (v.kind()) {
    case TypeId::kNull: return 0;
    case TypeId::kBoolean: return v.boolean() ? 1 : 0;
    case TypeId::kDouble: return v.dbl();
    case TypeId::kNumeric: return v.numeric().ToDouble();
    case TypeId::kText:
    case TypeId::kBlob: {
      Value n = exec::NumericPrefix(v.str());
      return n.kind() == TypeId::kBigInt ? static_cast<double>(n.integer()) : n.dbl();
    }
    case TypeId::kBigInt: return static_cast<double>(v.integer());
    default: return static_cast<double>(v.temporal());
  }
}

bool ResultSet::GetBool(size_t i) const {
  auto t = exec::Truth(Current(source_.get(), i));
  return t.value_or(false);
}

std::string ResultSet::GetText(size_t i) const {
  const Value& v = Current(source_.get(), i);
  if (v.kind() == TypeId::kText || v.kind() == TypeId::kBlob) return v.str();
  if (v.is_null()) return "";
  return v.ToString();
}

std::string_view ResultSet::GetBlob(size_t i) const {
  const Value& v = Current(source_.get(), i);
  if (v.kind() == TypeId::kText || v.kind() == TypeId::kBlob) return v.str();
  return {};
}

uint64_t ResultSet::rows_affected() const { return source_ ? source_->rows_affected : 0; }

const std::string& ResultSet::command() const {
  static const std::string kEmpty;
  return source_ ? source_->command : kEmpty;
}

PreparedStatement::PreparedStatement(exec::Session* session, std::unique_ptr<exec::PreparedPlan> plan)
    : session_(session), plan_(std::move(plan)) {}
PreparedStatement::~PreparedStatement() = default;

size_t PreparedStatement::parameter_count() const { return plan_->parameter_count; }

namespace {
Status BindAt(exec::PreparedPlan* plan, size_t index, Value v) {
  if (index == 0 || index > plan->params.size()) {
    return Status::InvalidArgument(
               fmt::format("parameter index {} is out of range (the statement has {})", index, plan->params.size()))
        .WithSqlState("42P02");
  }
  plan->params[index - 1] = std::move(v);
  return Status::OK();
}
}  // namespace

Status PreparedStatement::BindNull(size_t index) { return BindAt(plan_.get(), index, Value::Null()); }
Status PreparedStatement::BindInt64(size_t index, int64_t v) { return BindAt(plan_.get(), index, Value::Integer(v)); }
Status PreparedStatement::BindDouble(size_t index, double v) { return BindAt(plan_.get(), index, Value::Double(v)); }
Status PreparedStatement::BindBool(size_t index, bool v) { return BindAt(plan_.get(), index, Value::Boolean(v)); }
Status PreparedStatement::BindText(size_t index, std::string_view v) {
  for (size_t i = 0; i < v.size();) {
    size_t len = sql::Utf8SequenceLength(reinterpret_cast<const unsigned char*>(v.data() + i), v.size() - i);
    if (len == 0) {
      return Status::InvalidArgument(fmt::format("parameter ${} is not valid UTF-8 (byte {})", index, i))
          .WithSqlState("22021");
    }
    i += len;
  }
  return BindAt(plan_.get(), index, Value::Text(std::string(v)));
}
Status PreparedStatement::BindBlob(size_t index, std::string_view v) {
  return BindAt(plan_.get(), index, Value::Blob(std::string(v)));
}
void PreparedStatement::ClearBindings() { plan_->params.assign(plan_->params.size(), Value::Null()); }

Result<ResultSet> PreparedStatement::Execute() {
  NQ_ASSIGN_OR_RETURN(auto source, session_->Execute(plan_.get()));
  return ResultSet(std::move(source));
}

Result<ResultSet> PreparedStatement::ExecuteStreaming(RowSink* sink) {
  if (sink == nullptr) return Status::InvalidArgument("ExecuteStreaming needs a sink");
  NQ_ASSIGN_OR_RETURN(auto source, session_->Execute(plan_.get(), sink));
  return ResultSet(std::move(source));
}

Connection::Connection(std::unique_ptr<exec::Session> session) : session_(std::move(session)) {}
Connection::~Connection() = default;

Result<ResultSet> Connection::Execute(std::string_view sql) {
  NQ_ASSIGN_OR_RETURN(auto source, session_->ExecuteScript(sql));
  return ResultSet(std::move(source));
}

Result<ResultSet> Connection::ExecuteStreaming(std::string_view sql, RowSink* sink) {
  if (sink == nullptr) return Status::InvalidArgument("ExecuteStreaming needs a sink");
  NQ_ASSIGN_OR_RETURN(auto source, session_->ExecuteScript(sql, sink));
  return ResultSet(std::move(source));
}

Result<std::unique_ptr<PreparedStatement>> Connection::Prepare(std::string_view sql) {
  NQ_ASSIGN_OR_RETURN(auto plan, session_->Prepare(sql));
  return std::unique_ptr<PreparedStatement>(new PreparedStatement(session_.get(), std::move(plan)));
}

void Connection::Cancel() { session_->Cancel(); }
void Connection::SetStatementTimeout(std::chrono::milliseconds timeout) { session_->SetStatementTimeout(timeout); }
bool Connection::in_transaction() const { return session_->in_transaction(); }
Status Connection::Reset() { return session_->Reset(); }
void Connection::SetReadOnly(bool read_only) { session_->SetReadOnly(read_only); }

Database::Database(std::unique_ptr<exec::Engine> engine)
    : engine_(std::move(engine)), feed_(std::make_shared<exec::ChangeFeed>(engine_.get())) {}

Database::~Database() {
  // Subscriptions may outlive the database; they find the feed shut down.
  feed_->Shutdown();
}

ChangeSubscription::ChangeSubscription(std::shared_ptr<exec::ChangeFeed> feed, uint64_t id)
    : feed_(std::move(feed)), id_(id) {}
ChangeSubscription::~ChangeSubscription() { feed_->Unsubscribe(id_); }

Result<std::unique_ptr<ChangeSubscription>> Database::SubscribeChanges(
    std::function<void(const CommittedTransaction&)> listener) {
  if (!listener) return Status::InvalidArgument("SubscribeChanges needs a listener");
  NQ_ASSIGN_OR_RETURN(uint64_t id, feed_->Subscribe(std::move(listener)));
  return std::unique_ptr<ChangeSubscription>(new ChangeSubscription(feed_, id));
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, const DatabaseOptions& options) {
  NQ_ASSIGN_OR_RETURN(auto engine, exec::Engine::Open(path, options));
  return std::unique_ptr<Database>(new Database(std::move(engine)));
}

std::unique_ptr<Connection> Database::Connect() {
  return std::unique_ptr<Connection>(new Connection(std::make_unique<exec::Session>(engine_.get())));
}

std::vector<std::string> Database::TableNames() {
  auto catalog = engine_->CommittedCatalog();
  if (!catalog.ok()) return {};
  return (*catalog)->TableAndViewNames();
}

std::vector<std::string> Database::SchemaSql(std::string_view name) {
  auto catalog = engine_->CommittedCatalog();
  if (!catalog.ok()) return {};
  return (*catalog)->SchemaSql(name);
}

Result<TableDescription> Database::DescribeTable(std::string_view name) {
  NQ_ASSIGN_OR_RETURN(auto catalog, engine_->CommittedCatalog());
  std::string lower(name);
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  const exec::TableInfo* table = catalog->FindTable(name);
  if (table == nullptr) table = catalog->FindTable(lower);
  TableDescription out;
  if (table == nullptr) {
    const exec::ViewInfo* view = catalog->FindView(name);
    if (view == nullptr) view = catalog->FindView(lower);
    if (view == nullptr) return Status::NotFound(fmt::format("table \"{}\" does not exist", name));
    out.name = view->name;
    out.is_view = true;
    out.sql = view->sql;
    for (const std::string& column : view->columns) {
      ColumnDescription d;
      d.name = column;
      out.columns.push_back(std::move(d));
    }
    return out;
  }
  out.name = table->name;
  out.sql = table->sql;
  for (const exec::ColumnInfo& c : table->columns) {
    ColumnDescription d;
    d.name = c.name;
    d.type = c.type.ToString();
    d.nullable = !c.not_null;
    if (c.default_expr != nullptr) d.default_sql = sql::ToSql(*c.default_expr);
    d.auto_increment = c.generated != exec::Generated::kNone;
    out.columns.push_back(std::move(d));
  }
  for (int p : table->primary_key) {
    out.columns[static_cast<size_t>(p)].primary_key = true;
    out.primary_key.push_back(table->columns[static_cast<size_t>(p)].name);
  }
  for (const auto& index : table->indexes) {
    if (!index->implicit) out.indexes.push_back(index->sql);
  }
  return out;
}

DatabaseStats Database::Stats() {
  txn::TxnEngine* txn = engine_->txn();
  txn::TxnStats t = txn->stats();
  storage::EngineStats st = txn->storage()->stats();
  DatabaseStats s;
  s.buffer_pool_hits = st.buffer_pool.hits;
  s.buffer_pool_misses = st.buffer_pool.misses;
  s.buffer_pool_evictions = st.buffer_pool.evictions;
  s.buffer_pool_frames = st.buffer_pool.capacity_frames;
  s.wal_bytes = st.wal.bytes;
  s.wal_syncs = st.wal.syncs;
  s.commits = t.commits;
  s.rollbacks = t.rollbacks;
  s.deadlocks = t.deadlocks;
  s.serialization_failures = t.serialization_failures;
  s.lock_timeouts = t.lock_timeouts;
  s.lock_waits = t.lock_waits;
  s.checkpoints = st.checkpoints;
  s.page_count = st.page_count;
  s.free_pages = st.free_pages;
  s.page_size = txn->storage()->page_size();
  return s;
}

Status Database::CheckHealth() {
  NQ_RETURN_IF_ERROR(engine_->txn()->storage()->health());
  auto txn = engine_->txn()->Begin(txn::TxnOptions{txn::IsolationLevel::kReadCommitted, true});
  auto version = exec::ReadSchemaVersion(txn.get(), engine_->catalog_tree());
  (void)txn->Rollback();
  return version.status();
}

}  // namespace neuroquantum
