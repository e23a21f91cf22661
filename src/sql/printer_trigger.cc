// CREATE TRIGGER in canonical form: the catalog keeps a trigger as this
// text, so it must parse back to the same tree.
#include "sql/internal/printer_impl.h"

namespace neuroquantum::sql::internal {

void Printer::Print(const CreateTriggerStmt& stmt) {
  Put("CREATE TRIGGER ");
  if (stmt.if_not_exists) Put("IF NOT EXISTS ");
  Qualified(stmt.name);
  switch (stmt.timing) {
    case TriggerTiming::kBefore: Put(" BEFORE "); break;
    case TriggerTiming::kAfter: Put(" AFTER "); break;
    case TriggerTiming::kInsteadOf: Put(" INSTEAD OF "); break;
  }
  switch (stmt.event) {
    case TriggerEvent::kInsert: Put("INSERT"); break;
    case TriggerEvent::kDelete: Put("DELETE"); break;
    case TriggerEvent::kUpdate:
      Put("UPDATE");
      for (size_t i = 0; i < stmt.columns.size(); ++i) {
        Put(i == 0 ? " OF " : ", ");
        Name(stmt.columns[i]);
      }
      break;
  }
  Put(" ON ");
  Qualified(stmt.table);
  if (stmt.for_each_row) Put(" FOR EACH ROW");
  if (stmt.when) {
    Put(" WHEN ");
    Expression(*stmt.when);
  }
  Put(" BEGIN ");
  for (const auto& statement : stmt.body) {
    StatementText(*statement);
    Put("; ");
  }
  Put("END");
}

}  // namespace neuroquantum::sql::internal
