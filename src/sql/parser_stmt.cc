// Statement dispatch and the DML, EXPLAIN, ANALYZE and PREPARE / EXECUTE /
// DEALLOCATE statements. DDL lives in parser_ddl.cc, transaction control in
// parser_txn.cc.
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {

Result<StatementPtr> ParserImpl::ParseStatement() {
  NQ_SQL_NEST();
  const Token& token = Peek();
  SourcePos pos = token.pos;
  if (token.kind == TokenKind::kLParen || token.Is(Keyword::kSelect) ||
      token.Is(Keyword::kValues)) {
    auto stmt = std::make_unique<SelectStmt>();
    stmt->pos = pos;
    NQ_ASSIGN_OR_RETURN(stmt->query, ParseQuery());
    return StatementPtr(std::move(stmt));
  }
  switch (token.keyword) {
    case Keyword::kWith: {
      NQ_ASSIGN_OR_RETURN(WithClause with, ParseWith());
      if (PeekKeyword(Keyword::kInsert) || PeekKeyword(Keyword::kReplace)) {
        return ParseInsert(std::move(with));
      }
      if (PeekKeyword(Keyword::kUpdate)) return ParseUpdate(std::move(with));
      if (PeekKeyword(Keyword::kDelete)) return ParseDelete(std::move(with));
      auto stmt = std::make_unique<SelectStmt>();
      stmt->pos = pos;
      NQ_ASSIGN_OR_RETURN(stmt->query, ParseQueryAfterWith(std::move(with), pos));
      return StatementPtr(std::move(stmt));
    }
    case Keyword::kInsert:
    case Keyword::kReplace:
      return ParseInsert(std::nullopt);
    case Keyword::kUpdate:
      return ParseUpdate(std::nullopt);
    case Keyword::kDelete:
      return ParseDelete(std::nullopt);
    case Keyword::kCreate:
      return ParseCreate();
    case Keyword::kDrop:
      return ParseDrop();
    case Keyword::kAlter:
      return ParseAlter();
    case Keyword::kTruncate:
      return ParseTruncate();
    case Keyword::kBegin:
    case Keyword::kStart:
    case Keyword::kCommit:
    case Keyword::kEnd:
    case Keyword::kRollback:
    case Keyword::kSavepoint:
    case Keyword::kRelease:
    case Keyword::kSet:
      return ParseTransaction();
    case Keyword::kPrepare:
      // PREPARE TRANSACTION 'gid' is two-phase commit; a statement may
      // still be named "transaction".
      if (PeekKeyword(Keyword::kTransaction, 1) && Peek(2).kind == TokenKind::kString) return ParseTransaction();
      return ParsePrepare();
    case Keyword::kExecute:
      return ParseExecute();
    case Keyword::kDeallocate:
      return ParseDeallocate();
    case Keyword::kExplain:
      return ParseExplain();
    case Keyword::kAnalyze:
      return ParseAnalyze();
    default:
      return ErrorExpected("a statement");
  }
}

Result<ConflictAction> ParserImpl::ParseConflictAction() {
  if (AcceptKeyword(Keyword::kReplace)) return ConflictAction::kReplace;
  if (AcceptKeyword(Keyword::kIgnore)) return ConflictAction::kIgnore;
  if (AcceptKeyword(Keyword::kAbort)) return ConflictAction::kAbort;
  if (AcceptKeyword(Keyword::kFail)) return ConflictAction::kFail;
  if (AcceptKeyword(Keyword::kRollback)) return ConflictAction::kRollback;
  return ErrorExpected("REPLACE, IGNORE, ABORT, FAIL or ROLLBACK");
}

Status ParserImpl::ParseReturning(std::vector<SelectItem>* items) {
  if (!AcceptKeyword(Keyword::kReturning)) return Status::OK();
  return ParseSelectList(items);
}

Result<StatementPtr> ParserImpl::ParseInsert(std::optional<WithClause> with) {
  auto stmt = std::make_unique<InsertStmt>();
  stmt->pos = Peek().pos;
  stmt->with = std::move(with);
  if (Advance().Is(Keyword::kReplace)) {
    stmt->on_conflict = ConflictAction::kReplace;
  } else if (AcceptKeyword(Keyword::kOr)) {
    NQ_ASSIGN_OR_RETURN(stmt->on_conflict, ParseConflictAction());
  }
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kInto, "INTO"));
  NQ_ASSIGN_OR_RETURN(stmt->table, ParseQualifiedName("table name"));
  if (AcceptKeyword(Keyword::kAs)) {
    NQ_ASSIGN_OR_RETURN(stmt->alias, ParseIdentifier("alias name"));
  }
  // A parenthesis opens the column list unless a query follows it.
  if (Peek().kind == TokenKind::kLParen && !PeekKeyword(Keyword::kSelect, 1) &&
      !PeekKeyword(Keyword::kWith, 1) && !PeekKeyword(Keyword::kValues, 1)) {
    NQ_RETURN_IF_ERROR(ParseIdentifierList(&stmt->columns, "column name"));
  }
  if (AcceptKeyword(Keyword::kDefault)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kValues, "VALUES"));
    stmt->source = InsertSource::kDefaultValues;
  } else if (AtQueryStart() || Peek().kind == TokenKind::kLParen) {
    NQ_ASSIGN_OR_RETURN(stmt->query, ParseQuery());
  } else {
    return ErrorExpected("VALUES, SELECT or DEFAULT VALUES");
  }
  if (PeekKeyword(Keyword::kOn)) {
    NQ_ASSIGN_OR_RETURN(stmt->upsert, ParseUpsert());
  }
  NQ_RETURN_IF_ERROR(ParseReturning(&stmt->returning));
  return StatementPtr(std::move(stmt));
}

// SET c = e [, ...]
Status ParserImpl::ParseAssignments(std::vector<Assignment>* assignments) {
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kSet, "SET"));
  do {
    Assignment assignment;
    assignment.pos = Peek().pos;
    NQ_ASSIGN_OR_RETURN(assignment.column, ParseIdentifier("column name"));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kEq, "'='"));
    if (!AcceptKeyword(Keyword::kDefault)) {
      NQ_ASSIGN_OR_RETURN(assignment.value, ParseExpr());
    }
    assignments->push_back(std::move(assignment));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

// ON CONFLICT [(columns)] DO NOTHING | DO UPDATE SET ... [WHERE ...]
Result<std::unique_ptr<UpsertClause>> ParserImpl::ParseUpsert() {
  auto upsert = std::make_unique<UpsertClause>();
  upsert->pos = Advance().pos;  // ON
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kConflict, "CONFLICT"));
  if (Peek().kind == TokenKind::kLParen) {
    NQ_RETURN_IF_ERROR(ParseIdentifierList(&upsert->columns, "column name"));
  }
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kDo, "DO"));
  if (AcceptKeyword(Keyword::kNothing)) return upsert;
  if (!PeekKeyword(Keyword::kUpdate)) return ErrorExpected("NOTHING or UPDATE");
  if (upsert->columns.empty()) {
    return ErrorExpected("a conflict target: ON CONFLICT DO UPDATE needs (columns)");
  }
  Advance();  // UPDATE
  upsert->do_update = true;
  NQ_RETURN_IF_ERROR(ParseAssignments(&upsert->assignments));
  if (AcceptKeyword(Keyword::kWhere)) {
    NQ_ASSIGN_OR_RETURN(upsert->where, ParseExpr());
  }
  return upsert;
}

Result<StatementPtr> ParserImpl::ParseUpdate(std::optional<WithClause> with) {
  auto stmt = std::make_unique<UpdateStmt>();
  stmt->pos = Advance().pos;  // UPDATE
  stmt->with = std::move(with);
  if (AcceptKeyword(Keyword::kOr)) {
    NQ_ASSIGN_OR_RETURN(stmt->on_conflict, ParseConflictAction());
  }
  NQ_ASSIGN_OR_RETURN(stmt->table, ParseQualifiedName("table name"));
  NQ_ASSIGN_OR_RETURN(stmt->alias, ParseOptionalAlias());
  NQ_RETURN_IF_ERROR(ParseAssignments(&stmt->assignments));
  if (AcceptKeyword(Keyword::kFrom)) NQ_RETURN_IF_ERROR(ParseFromList(&stmt->from));
  if (AcceptKeyword(Keyword::kWhere)) {
    NQ_ASSIGN_OR_RETURN(stmt->where, ParseExpr());
  }
  NQ_RETURN_IF_ERROR(ParseReturning(&stmt->returning));
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseDelete(std::optional<WithClause> with) {
  auto stmt = std::make_unique<DeleteStmt>();
  stmt->pos = Advance().pos;  // DELETE
  stmt->with = std::move(with);
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kFrom, "FROM"));
  NQ_ASSIGN_OR_RETURN(stmt->table, ParseQualifiedName("table name"));
  NQ_ASSIGN_OR_RETURN(stmt->alias, ParseOptionalAlias());
  if (AcceptKeyword(Keyword::kWhere)) {
    NQ_ASSIGN_OR_RETURN(stmt->where, ParseExpr());
  }
  NQ_RETURN_IF_ERROR(ParseReturning(&stmt->returning));
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseExplain() {
  auto stmt = std::make_unique<ExplainStmt>();
  stmt->pos = Advance().pos;  // EXPLAIN
  if (Accept(TokenKind::kLParen)) {
    // PostgreSQL's option list: (ANALYZE [TRUE | FALSE], FORMAT TEXT | JSON).
    do {
      const Token& name = Peek();
      NQ_ASSIGN_OR_RETURN(std::string option, ParseIdentifier("an EXPLAIN option (ANALYZE or FORMAT)"));
      if (option == "analyze") {
        stmt->analyze = !AcceptKeyword(Keyword::kFalse);
        if (stmt->analyze) AcceptKeyword(Keyword::kTrue);
      } else if (option == "format") {
        const Token& value = Peek();
        NQ_ASSIGN_OR_RETURN(std::string format, ParseIdentifier("TEXT or JSON"));
        if (format == "json") {
          stmt->format = ExplainFormat::kJson;
        } else if (format == "text") {
          stmt->format = ExplainFormat::kText;
        } else {
          return ErrorAt(value.pos, "unknown EXPLAIN format \"" + format + "\" (expected TEXT or JSON)");
        }
      } else {
        return ErrorAt(name.pos, "unknown EXPLAIN option \"" + option + "\" (expected ANALYZE or FORMAT)");
      }
    } while (Accept(TokenKind::kComma));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "\",\" or \")\""));
  } else {
    stmt->analyze = AcceptKeyword(Keyword::kAnalyze);
  }
  NQ_ASSIGN_OR_RETURN(stmt->statement, ParseStatement());
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseAnalyze() {
  auto stmt = std::make_unique<AnalyzeStmt>();
  stmt->pos = Advance().pos;  // ANALYZE
  if (AtIdentifier()) {
    NQ_ASSIGN_OR_RETURN(stmt->table, ParseQualifiedName("table name"));
  }
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParsePrepare() {
  auto stmt = std::make_unique<PrepareStmt>();
  stmt->pos = Advance().pos;  // PREPARE
  NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("prepared statement name"));
  if (Accept(TokenKind::kLParen)) {
    do {
      NQ_ASSIGN_OR_RETURN(TypeName type, ParseTypeName());
      stmt->parameter_types.push_back(std::move(type));
    } while (Accept(TokenKind::kComma));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  }
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAs, "AS"));
  // As in PostgreSQL, only queries and DML can be prepared (which also
  // keeps EXECUTE from running itself).
  const Token& first = Peek();
  if (first.kind != TokenKind::kLParen && !first.Is(Keyword::kSelect) && !first.Is(Keyword::kValues) &&
      !first.Is(Keyword::kWith) && !first.Is(Keyword::kInsert) && !first.Is(Keyword::kReplace) &&
      !first.Is(Keyword::kUpdate) && !first.Is(Keyword::kDelete)) {
    return ErrorExpected("SELECT, VALUES, WITH, INSERT, UPDATE or DELETE");
  }
  SourcePos start = first.pos;
  NQ_ASSIGN_OR_RETURN(stmt->statement, ParseStatement());
  std::string_view text = source_.substr(start.offset, Peek().pos.offset - start.offset);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  stmt->text = std::string(text);
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseExecute() {
  auto stmt = std::make_unique<ExecuteStmt>();
  stmt->pos = Advance().pos;  // EXECUTE
  NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("prepared statement name"));
  if (Accept(TokenKind::kLParen)) {
    NQ_RETURN_IF_ERROR(ParseExprList(&stmt->args));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  }
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseDeallocate() {
  auto stmt = std::make_unique<DeallocateStmt>();
  stmt->pos = Advance().pos;  // DEALLOCATE
  AcceptKeyword(Keyword::kPrepare);
  if (AcceptKeyword(Keyword::kAll)) {
    stmt->all = true;
  } else {
    NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("prepared statement name or ALL"));
  }
  return StatementPtr(std::move(stmt));
}

}  // namespace neuroquantum::sql::internal
