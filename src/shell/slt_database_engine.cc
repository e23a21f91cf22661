// SltEngine over the embedding API (slt_database_engine.h).
#include "shell/slt_database_engine.h"

namespace neuroquantum::shell {
namespace {

// Exact decimals are passed as text so that 'I' truncates them exactly.
SltValue ReadValue(const ResultSet& rs, size_t column) {
  SltValue value;
  switch (rs.kind(column)) {
    case FieldKind::kNull:
      return value;
    case FieldKind::kInteger:
      value.kind = SltValueKind::kInteger;
      value.integer = rs.GetInt64(column);
      break;
    case FieldKind::kBoolean:
      value.kind = SltValueKind::kInteger;
      value.integer = rs.GetBool(column) ? 1 : 0;
      break;
    case FieldKind::kDouble:
      value.kind = SltValueKind::kDouble;
      value.real = rs.GetDouble(column);
      break;
    default:
      value.kind = SltValueKind::kText;
      break;
  }
  value.text = rs.GetText(column);
  return value;
}

}  // namespace

Result<SltQueryResult> CollectSltRows(ResultSet* rs) {
  SltQueryResult result;
  result.column_count = rs->column_count();
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, rs->Next());
    if (!more) break;
    SltRow row;
    row.reserve(result.column_count);
    for (size_t col = 0; col < result.column_count; ++col) row.push_back(ReadValue(*rs, col));
    result.rows.push_back(std::move(row));
  }
  return result;
}

SltDatabaseEngine::SltDatabaseEngine(std::string path, DatabaseOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

SltDatabaseEngine::~SltDatabaseEngine() = default;

Result<std::unique_ptr<SltDatabaseEngine>> SltDatabaseEngine::Open(std::string path,
                                                                   DatabaseOptions options) {
  std::unique_ptr<SltDatabaseEngine> engine(new SltDatabaseEngine(std::move(path), std::move(options)));
  NQ_ASSIGN_OR_RETURN(engine->db_, Database::Open(engine->path_, engine->options_));
  return engine;
}

Connection* SltDatabaseEngine::Session(const std::string& name) {
  if (db_ == nullptr) return nullptr;
  MutexLock lock(&mu_);
  auto it = connections_.find(name);
  if (it == connections_.end()) it = connections_.emplace(name, db_->Connect()).first;
  return it->second.get();
}

Result<SltQueryResult> SltDatabaseEngine::Execute(const std::string& connection,
                                                  std::string_view sql) {
  Connection* session = Session(connection);
  if (session == nullptr) return Status::Internal("the database did not reopen after a restart");
  // Without the lock: statements on other sessions run meanwhile.
  NQ_ASSIGN_OR_RETURN(ResultSet rs, session->Execute(sql));
  return CollectSltRows(&rs);
}

void SltDatabaseEngine::Cancel(const std::string& connection) {
  MutexLock lock(&mu_);
  if (auto it = connections_.find(connection); it != connections_.end()) it->second->Cancel();
}

Status SltDatabaseEngine::Restart() {
  {
    MutexLock lock(&mu_);
    connections_.clear();
  }
  db_.reset();
  NQ_ASSIGN_OR_RETURN(db_, Database::Open(path_, options_));
  return Status::OK();
}

}  // namespace neuroquantum::shell
