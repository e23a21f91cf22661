// Transaction control: BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK
// [TO SAVEPOINT], SAVEPOINT, RELEASE, SET TRANSACTION, and two-phase
// commit (PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED).
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {

Result<StatementPtr> ParserImpl::ParseTransaction() {
  auto stmt = std::make_unique<TransactionStmt>();
  const Token& first = Advance();
  stmt->pos = first.pos;
  switch (first.keyword) {
    case Keyword::kBegin:
      NQ_RETURN_IF_ERROR(ParseBegin(stmt.get()));
      break;
    case Keyword::kStart:
      stmt->op = TransactionOp::kBegin;
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTransaction, "TRANSACTION"));
      NQ_RETURN_IF_ERROR(ParseTransactionModes(stmt.get()));
      break;
    case Keyword::kCommit:
      if (AcceptKeyword(Keyword::kPrepared)) {
        stmt->op = TransactionOp::kCommitPrepared;
        NQ_RETURN_IF_ERROR(ParseGlobalId(stmt.get()));
        break;
      }
      [[fallthrough]];
    case Keyword::kEnd:
      stmt->op = TransactionOp::kCommit;
      AcceptTransactionWord();
      break;
    case Keyword::kRollback:
      NQ_RETURN_IF_ERROR(ParseRollback(stmt.get()));
      break;
    case Keyword::kSavepoint:
    case Keyword::kRelease:
      stmt->op = first.Is(Keyword::kSavepoint) ? TransactionOp::kSavepoint : TransactionOp::kRelease;
      if (stmt->op == TransactionOp::kRelease) AcceptKeyword(Keyword::kSavepoint);
      NQ_RETURN_IF_ERROR(ParseSavepointName(stmt.get()));
      break;
    case Keyword::kSet:
      stmt->op = TransactionOp::kSetTransaction;
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTransaction, "TRANSACTION"));
      NQ_RETURN_IF_ERROR(ParseTransactionModes(stmt.get()));
      if (stmt->isolation == IsolationLevel::kDefault && stmt->access == AccessMode::kDefault) {
        return ErrorExpected("ISOLATION LEVEL or READ");
      }
      break;
    default:  // PREPARE, the only other word ParseStatement sends here
      stmt->op = TransactionOp::kPrepare;
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTransaction, "TRANSACTION"));
      NQ_RETURN_IF_ERROR(ParseGlobalId(stmt.get()));
      break;
  }
  return StatementPtr(std::move(stmt));
}

void ParserImpl::AcceptTransactionWord() {
  if (!AcceptKeyword(Keyword::kTransaction)) AcceptKeyword(Keyword::kWork);
}

Status ParserImpl::ParseBegin(TransactionStmt* stmt) {
  stmt->op = TransactionOp::kBegin;
  if (AcceptKeyword(Keyword::kDeferred)) {
    stmt->begin_mode = BeginMode::kDeferred;
  } else if (AcceptKeyword(Keyword::kImmediate)) {
    stmt->begin_mode = BeginMode::kImmediate;
  } else if (AcceptKeyword(Keyword::kExclusive)) {
    stmt->begin_mode = BeginMode::kExclusive;
  }
  AcceptTransactionWord();
  return ParseTransactionModes(stmt);
}

Status ParserImpl::ParseRollback(TransactionStmt* stmt) {
  if (AcceptKeyword(Keyword::kPrepared)) {
    stmt->op = TransactionOp::kRollbackPrepared;
    return ParseGlobalId(stmt);
  }
  stmt->op = TransactionOp::kRollback;
  AcceptTransactionWord();
  if (!AcceptKeyword(Keyword::kTo)) return Status::OK();
  stmt->op = TransactionOp::kRollbackTo;
  AcceptKeyword(Keyword::kSavepoint);
  return ParseSavepointName(stmt);
}

Status ParserImpl::ParseSavepointName(TransactionStmt* stmt) {
  NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("savepoint name"));
  return Status::OK();
}

// The global transaction id of two-phase commit, a string as in PostgreSQL.
Status ParserImpl::ParseGlobalId(TransactionStmt* stmt) {
  if (Peek().kind != TokenKind::kString) return ErrorExpected("a transaction identifier string");
  stmt->name = Advance().value;
  return Status::OK();
}

Status ParserImpl::ParseTransactionModes(TransactionStmt* stmt) {
  for (bool first = true;; first = false) {
    if (!first && !Accept(TokenKind::kComma) && !PeekKeyword(Keyword::kIsolation) &&
        !PeekKeyword(Keyword::kRead)) {
      return Status::OK();
    }
    if (AcceptKeyword(Keyword::kIsolation)) {
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kLevel, "LEVEL"));
      if (AcceptKeyword(Keyword::kSerializable)) {
        stmt->isolation = IsolationLevel::kSerializable;
      } else if (AcceptKeyword(Keyword::kRepeatable)) {
        NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kRead, "READ"));
        stmt->isolation = IsolationLevel::kRepeatableRead;
      } else if (AcceptKeyword(Keyword::kRead)) {
        if (AcceptKeyword(Keyword::kCommitted)) {
          stmt->isolation = IsolationLevel::kReadCommitted;
        } else if (AcceptKeyword(Keyword::kUncommitted)) {
          stmt->isolation = IsolationLevel::kReadUncommitted;
        } else {
          return ErrorExpected("COMMITTED or UNCOMMITTED");
        }
      } else {
        return ErrorExpected("an isolation level");
      }
    } else if (AcceptKeyword(Keyword::kRead)) {
      if (AcceptKeyword(Keyword::kOnly)) {
        stmt->access = AccessMode::kReadOnly;
      } else if (AcceptKeyword(Keyword::kWrite)) {
        stmt->access = AccessMode::kReadWrite;
      } else {
        return ErrorExpected("ONLY or WRITE");
      }
    } else if (first) {
      return Status::OK();
    } else {
      return ErrorExpected("ISOLATION LEVEL or READ");
    }
  }
}

}  // namespace neuroquantum::sql::internal
