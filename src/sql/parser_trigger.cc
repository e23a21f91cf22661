// CREATE TRIGGER: timing, event, table, optional WHEN, and a body of
// statements between BEGIN and END, each ended by a semicolon (SQLite's
// form; PostgreSQL's EXECUTE FUNCTION needs a procedural language, which
// QSQL does not have).
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {

Result<StatementPtr> ParserImpl::ParseCreateTrigger() {
  auto stmt = std::make_unique<CreateTriggerStmt>();
  stmt->pos = Advance().pos;  // TRIGGER
  NQ_ASSIGN_OR_RETURN(stmt->if_not_exists, ParseIfNotExists());
  NQ_ASSIGN_OR_RETURN(stmt->name, ParseQualifiedName("trigger name"));
  if (AcceptKeyword(Keyword::kBefore)) {
    stmt->timing = TriggerTiming::kBefore;
  } else if (AcceptKeyword(Keyword::kAfter)) {
    stmt->timing = TriggerTiming::kAfter;
  } else if (AcceptKeyword(Keyword::kInstead)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOf, "OF"));
    stmt->timing = TriggerTiming::kInsteadOf;
  } else {
    return ErrorExpected("BEFORE, AFTER or INSTEAD OF");
  }
  if (AcceptKeyword(Keyword::kInsert)) {
    stmt->event = TriggerEvent::kInsert;
  } else if (AcceptKeyword(Keyword::kDelete)) {
    stmt->event = TriggerEvent::kDelete;
  } else if (AcceptKeyword(Keyword::kUpdate)) {
    stmt->event = TriggerEvent::kUpdate;
    if (AcceptKeyword(Keyword::kOf)) {
      do {
        NQ_ASSIGN_OR_RETURN(std::string column, ParseIdentifier("column name"));
        stmt->columns.push_back(std::move(column));
      } while (Accept(TokenKind::kComma));
    }
  } else {
    return ErrorExpected("INSERT, UPDATE or DELETE");
  }
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOn, "ON"));
  NQ_ASSIGN_OR_RETURN(stmt->table, ParseQualifiedName("table name"));
  if (AcceptKeyword(Keyword::kFor)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kEach, "EACH"));
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kRow, "ROW"));
    stmt->for_each_row = true;
  }
  if (AcceptKeyword(Keyword::kWhen)) {
    NQ_ASSIGN_OR_RETURN(stmt->when, ParseExpr());
  }
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kBegin, "BEGIN"));
  do {
    const Token& token = Peek();
    if (!(token.Is(Keyword::kInsert) || token.Is(Keyword::kReplace) || token.Is(Keyword::kUpdate) ||
          token.Is(Keyword::kDelete) || token.Is(Keyword::kSelect) || token.Is(Keyword::kValues) ||
          token.Is(Keyword::kWith))) {
      return ErrorExpected(stmt->body.empty() ? "INSERT, UPDATE, DELETE or SELECT"
                                              : "INSERT, UPDATE, DELETE, SELECT or END");
    }
    NQ_ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement());
    stmt->body.push_back(std::move(statement));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kSemicolon, "';'"));
  } while (!AcceptKeyword(Keyword::kEnd));
  return StatementPtr(std::move(stmt));
}

}  // namespace neuroquantum::sql::internal
