// ANALYZE [table]: reads each table once, gathers its statistics
// (statistics.h) and stores them in the catalog. Sessions then reload the
// catalog (Engine::stats_epoch), so plans made before are made again with
// the new figures.
#include <fmt/format.h>

#include "exec/internal/statement_util.h"
#include "exec/statements.h"

namespace neuroquantum::exec {

using internal::SqlError;

Result<std::unique_ptr<ResultSource>> StatementRunner::Analyze(const sql::AnalyzeStmt& stmt) {
  std::vector<const TableInfo*> tables;
  if (stmt.table) {
    const TableInfo* table = catalog_->FindTable(stmt.table->name);
    if (table == nullptr) {
      if (catalog_->FindView(stmt.table->name) != nullptr) {
        return SqlError("42809", fmt::format("\"{}\" is a view, not a table: ANALYZE takes tables", stmt.table->name));
      }
      return SqlError("42P01", fmt::format("relation \"{}\" does not exist", stmt.table->name));
    }
    tables.push_back(table);
  } else {
    for (const std::string& name : catalog_->TableAndViewNames()) {
      if (const TableInfo* table = catalog_->FindTable(name)) tables.push_back(table);
    }
  }
  CatalogWriter writer(engine_->txn(), txn_, engine_->catalog_tree());
  for (const TableInfo* table : tables) {
    OperatorPtr scan = MakeTableScan(std::shared_ptr<const TableInfo>(catalog_, table), nullptr, false);
    NQ_RETURN_IF_ERROR(scan->Open(ctx_));
    // The table id seeds the sample, so ANALYZE of unchanged data gives
    // the same statistics (and plans) every time.
    StatsCollector collector(*table, table->id);
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, scan->Next(&row));
      if (!more) break;
      collector.Add(row);
    }
    NQ_RETURN_IF_ERROR(writer.PutStatistics(table->id, EncodeTableStats(collector.Finish())));
  }
  // Not a schema change: the version row stays, so that ANALYZE (also the
  // automatic one) never conflicts with DDL of other transactions. The
  // session reloads its catalog like after DDL, and once this commits the
  // engine's statistics epoch moves, which makes every other session
  // reload its catalog (and re-plan) before its next statement.
  wrote_ddl_ = true;
  return CommandResult("ANALYZE");
}

}  // namespace neuroquantum::exec
