// DDL grammar: CREATE TABLE / INDEX / VIEW, DROP, ALTER TABLE, TRUNCATE.
// Constraints are parsed and kept as written; whether a combination makes
// sense (two primary keys, AUTOINCREMENT on a text column) is the binder's
// call.
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {
namespace {

// Words that end a column's type name because they start a constraint
// even though they are not reserved.
bool StartsColumnConstraint(const Token& token) {
  return token.Is(Keyword::kGenerated) || token.Is(Keyword::kAutoIncrement) ||
         token.Is(Keyword::kAutoincrement);
}

}  // namespace

Result<StatementPtr> ParserImpl::ParseCreate() {
  Advance();  // CREATE
  bool temporary = AcceptKeyword(Keyword::kTemp) || AcceptKeyword(Keyword::kTemporary);
  if (PeekKeyword(Keyword::kTable)) return ParseCreateTable(temporary);
  if (PeekKeyword(Keyword::kView)) return ParseCreateView(temporary);
  if (!temporary && PeekKeyword(Keyword::kTrigger)) return ParseCreateTrigger();
  if (!temporary && (PeekKeyword(Keyword::kIndex) || PeekKeyword(Keyword::kUnique))) {
    return ParseCreateIndex();
  }
  return ErrorExpected(temporary ? "TABLE or VIEW" : "TABLE, VIEW, INDEX, UNIQUE INDEX or TRIGGER");
}

Result<StatementPtr> ParserImpl::ParseCreateTable(bool temporary) {
  auto stmt = std::make_unique<CreateTableStmt>();
  stmt->pos = Advance().pos;  // TABLE
  stmt->temporary = temporary;
  NQ_ASSIGN_OR_RETURN(stmt->if_not_exists, ParseIfNotExists());
  NQ_ASSIGN_OR_RETURN(stmt->name, ParseQualifiedName("table name"));
  if (AcceptKeyword(Keyword::kAs)) {
    if (!AtQueryStart()) return ErrorExpected("a query after AS");
    NQ_ASSIGN_OR_RETURN(stmt->as_query, ParseQuery());
    return StatementPtr(std::move(stmt));
  }
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' or AS"));
  do {
    const Token& token = Peek();
    if (token.Is(Keyword::kConstraint) || token.Is(Keyword::kPrimary) ||
        token.Is(Keyword::kUnique) || token.Is(Keyword::kCheck) || token.Is(Keyword::kForeign)) {
      NQ_ASSIGN_OR_RETURN(TableConstraint constraint, ParseTableConstraint());
      stmt->constraints.push_back(std::move(constraint));
    } else {
      if (!stmt->constraints.empty()) return ErrorExpected("a table constraint");
      NQ_ASSIGN_OR_RETURN(ColumnDef column, ParseColumnDef());
      stmt->columns.push_back(std::move(column));
    }
  } while (Accept(TokenKind::kComma));
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')'"));
  if (stmt->columns.empty()) return ErrorAt(stmt->pos, "a table needs at least one column");
  if (PeekKeyword(Keyword::kWith)) NQ_RETURN_IF_ERROR(ParseTableOptions(&stmt->options));
  return StatementPtr(std::move(stmt));
}

Status ParserImpl::ParseTableOptions(std::vector<TableOption>* options) {
  Advance();  // WITH
  bool parenthesised = Accept(TokenKind::kLParen);
  do {
    TableOption option;
    option.pos = Peek().pos;
    if (Peek().kind != TokenKind::kIdentifier && Peek().kind != TokenKind::kQuotedIdentifier) {
      return ErrorExpected("option name");
    }
    option.name = Advance().value;
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kEq, "'='"));
    NQ_ASSIGN_OR_RETURN(option.value, ParseDefaultValue());
    const Expr* literal = option.value.get();
    if (literal->kind == ExprKind::kUnary) literal = literal->As<UnaryExpr>().operand.get();
    if (literal->kind != ExprKind::kLiteral) {
      return ErrorAt(option.pos, "an option value must be a literal");
    }
    options->push_back(std::move(option));
  } while (Accept(TokenKind::kComma));
  if (parenthesised) NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')'"));
  return Status::OK();
}

Result<ColumnDef> ParserImpl::ParseColumnDef() {
  ColumnDef column;
  column.pos = Peek().pos;
  NQ_ASSIGN_OR_RETURN(column.name, ParseIdentifier("column name or table constraint"));
  if (Peek().kind == TokenKind::kIdentifier && !IsReserved(Peek().keyword) &&
      !StartsColumnConstraint(Peek())) {
    NQ_ASSIGN_OR_RETURN(column.type, ParseTypeName());
  }
  while (Peek().kind != TokenKind::kComma && Peek().kind != TokenKind::kRParen &&
         Peek().kind != TokenKind::kEnd && Peek().kind != TokenKind::kSemicolon) {
    NQ_RETURN_IF_ERROR(ParseColumnConstraint(&column));
  }
  return column;
}

Result<ExprPtr> ParserImpl::ParseDefaultValue() {
  // A literal, a signed literal, or any expression in parentheses (and,
  // as in PostgreSQL, a function call or a name such as CURRENT_TIMESTAMP).
  if (Peek().kind == TokenKind::kMinus || Peek().kind == TokenKind::kPlus) {
    auto node = std::make_unique<UnaryExpr>();
    node->pos = Peek().pos;
    node->op = Advance().kind == TokenKind::kMinus ? UnaryOp::kNegate : UnaryOp::kPlus;
    NQ_ASSIGN_OR_RETURN(node->operand, ParsePrimary());
    NQ_RETURN_IF_ERROR(SetHeight(node.get(), node->operand->height));
    return ExprPtr(std::move(node));
  }
  return ParsePrimary();
}

Status ParserImpl::ParseColumnConstraint(ColumnDef* column) {
  ColumnConstraint constraint;
  constraint.pos = Peek().pos;
  if (AcceptKeyword(Keyword::kConstraint)) {
    NQ_ASSIGN_OR_RETURN(constraint.name, ParseIdentifier("constraint name"));
  }
  switch (Peek().keyword) {
    case Keyword::kPrimary: case Keyword::kNot: case Keyword::kNull: case Keyword::kUnique:
    case Keyword::kDefault: case Keyword::kCheck: case Keyword::kGenerated:
    case Keyword::kAutoIncrement: case Keyword::kCollate: case Keyword::kReferences:
      break;
    default:
      return ErrorExpected(
          "a column constraint (PRIMARY KEY, NOT NULL, NULL, UNIQUE, DEFAULT, CHECK, "
          "GENERATED, AUTO_INCREMENT, COLLATE, REFERENCES), ',' or ')'");
  }
  const Token& token = Advance();
  switch (token.keyword) {
    case Keyword::kPrimary: {
      constraint.kind = ColumnConstraintKind::kPrimaryKey;
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kKey, "KEY"));
      if (AcceptKeyword(Keyword::kAsc)) {
        constraint.direction = SortDirection::kAsc;
      } else if (AcceptKeyword(Keyword::kDesc)) {
        constraint.direction = SortDirection::kDesc;
      }
      constraint.autoincrement = AcceptKeyword(Keyword::kAutoincrement);
      break;
    }
    case Keyword::kNot: {
      constraint.kind = ColumnConstraintKind::kNotNull;
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kNull, "NULL"));
      break;
    }
    case Keyword::kNull: {
      constraint.kind = ColumnConstraintKind::kNull;
      break;
    }
    case Keyword::kUnique: {
      constraint.kind = ColumnConstraintKind::kUnique;
      break;
    }
    case Keyword::kDefault: {
      constraint.kind = ColumnConstraintKind::kDefault;
      NQ_ASSIGN_OR_RETURN(constraint.expr, ParseDefaultValue());
      break;
    }
    case Keyword::kCheck: {
      constraint.kind = ColumnConstraintKind::kCheck;
      NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'('"));
      NQ_ASSIGN_OR_RETURN(constraint.expr, ParseExpr());
      NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
      break;
    }
    case Keyword::kGenerated: {
      constraint.kind = ColumnConstraintKind::kIdentity;
      if (AcceptKeyword(Keyword::kBy)) {
        NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kDefault, "DEFAULT"));
        constraint.identity_always = false;
      } else {
        NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAlways, "ALWAYS or BY DEFAULT"));
      }
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAs, "AS"));
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kIdentity, "IDENTITY"));
      break;
    }
    case Keyword::kAutoIncrement: {
      constraint.kind = ColumnConstraintKind::kAutoIncrement;
      break;
    }
    case Keyword::kCollate: {
      constraint.kind = ColumnConstraintKind::kCollate;
      NQ_ASSIGN_OR_RETURN(constraint.collation, ParseIdentifier("collation name"));
      break;
    }
    case Keyword::kReferences: {
      constraint.kind = ColumnConstraintKind::kReferences;
      NQ_RETURN_IF_ERROR(ParseForeignKeyRef(&constraint.references));
      break;
    }
    default:  // excluded above
      break;
  }
  column->constraints.push_back(std::move(constraint));
  return Status::OK();
}

Status ParserImpl::ParseForeignKeyRef(ForeignKeyRef* ref) {
  NQ_ASSIGN_OR_RETURN(ref->table, ParseQualifiedName("referenced table name"));
  if (Peek().kind == TokenKind::kLParen) {
    NQ_RETURN_IF_ERROR(ParseIdentifierList(&ref->columns, "column name"));
  }
  while (PeekKeyword(Keyword::kOn)) {
    Advance();
    ReferentialAction* action;
    if (AcceptKeyword(Keyword::kDelete)) {
      action = &ref->on_delete;
    } else if (AcceptKeyword(Keyword::kUpdate)) {
      action = &ref->on_update;
    } else {
      return ErrorExpected("DELETE or UPDATE");
    }
    if (AcceptKeyword(Keyword::kCascade)) {
      *action = ReferentialAction::kCascade;
    } else if (AcceptKeyword(Keyword::kRestrict)) {
      *action = ReferentialAction::kRestrict;
    } else if (AcceptKeyword(Keyword::kNo)) {
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAction, "ACTION"));
      *action = ReferentialAction::kNoAction;
    } else if (AcceptKeyword(Keyword::kSet)) {
      if (AcceptKeyword(Keyword::kNull)) {
        *action = ReferentialAction::kSetNull;
      } else if (AcceptKeyword(Keyword::kDefault)) {
        *action = ReferentialAction::kSetDefault;
      } else {
        return ErrorExpected("NULL or DEFAULT");
      }
    } else {
      return ErrorExpected("CASCADE, RESTRICT, NO ACTION, SET NULL or SET DEFAULT");
    }
  }
  return Status::OK();
}

Result<TableConstraint> ParserImpl::ParseTableConstraint() {
  TableConstraint constraint;
  constraint.pos = Peek().pos;
  if (AcceptKeyword(Keyword::kConstraint)) {
    NQ_ASSIGN_OR_RETURN(constraint.name, ParseIdentifier("constraint name"));
  }
  if (AcceptKeyword(Keyword::kPrimary)) {
    constraint.kind = TableConstraintKind::kPrimaryKey;
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kKey, "KEY"));
    NQ_RETURN_IF_ERROR(ParseIndexedColumns(&constraint.columns));
  } else if (AcceptKeyword(Keyword::kUnique)) {
    constraint.kind = TableConstraintKind::kUnique;
    NQ_RETURN_IF_ERROR(ParseIndexedColumns(&constraint.columns));
  } else if (AcceptKeyword(Keyword::kCheck)) {
    constraint.kind = TableConstraintKind::kCheck;
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'('"));
    NQ_ASSIGN_OR_RETURN(constraint.check, ParseExpr());
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  } else if (AcceptKeyword(Keyword::kForeign)) {
    constraint.kind = TableConstraintKind::kForeignKey;
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kKey, "KEY"));
    NQ_RETURN_IF_ERROR(ParseIdentifierList(&constraint.fk_columns, "column name"));
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kReferences, "REFERENCES"));
    NQ_RETURN_IF_ERROR(ParseForeignKeyRef(&constraint.references));
  } else {
    return ErrorExpected("PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY");
  }
  return constraint;
}

Status ParserImpl::ParseIndexedColumns(std::vector<IndexedColumn>* columns) {
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'('"));
  do {
    IndexedColumn column;
    column.pos = Peek().pos;
    NQ_ASSIGN_OR_RETURN(column.expr, ParseExpr());
    if (AcceptKeyword(Keyword::kAsc)) {
      column.direction = SortDirection::kAsc;
    } else if (AcceptKeyword(Keyword::kDesc)) {
      column.direction = SortDirection::kDesc;
    }
    columns->push_back(std::move(column));
  } while (Accept(TokenKind::kComma));
  return Expect(TokenKind::kRParen, "',' or ')'");
}

Result<StatementPtr> ParserImpl::ParseCreateIndex() {
  auto stmt = std::make_unique<CreateIndexStmt>();
  stmt->pos = Peek().pos;
  stmt->unique = AcceptKeyword(Keyword::kUnique);
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kIndex, "INDEX"));
  NQ_ASSIGN_OR_RETURN(stmt->if_not_exists, ParseIfNotExists());
  NQ_ASSIGN_OR_RETURN(stmt->name, ParseQualifiedName("index name"));
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOn, "ON"));
  NQ_ASSIGN_OR_RETURN(stmt->table, ParseQualifiedName("table name"));
  NQ_RETURN_IF_ERROR(ParseIndexedColumns(&stmt->columns));
  if (AcceptKeyword(Keyword::kWhere)) {
    NQ_ASSIGN_OR_RETURN(stmt->where, ParseExpr());
  }
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseCreateView(bool temporary) {
  auto stmt = std::make_unique<CreateViewStmt>();
  stmt->pos = Advance().pos;  // VIEW
  stmt->temporary = temporary;
  NQ_ASSIGN_OR_RETURN(stmt->if_not_exists, ParseIfNotExists());
  NQ_ASSIGN_OR_RETURN(stmt->name, ParseQualifiedName("view name"));
  if (Peek().kind == TokenKind::kLParen) {
    NQ_RETURN_IF_ERROR(ParseIdentifierList(&stmt->columns, "column name"));
  }
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAs, "AS"));
  if (!AtQueryStart() && Peek().kind != TokenKind::kLParen) return ErrorExpected("a query");
  NQ_ASSIGN_OR_RETURN(stmt->query, ParseQuery());
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseDrop() {
  auto stmt = std::make_unique<DropStmt>();
  stmt->pos = Advance().pos;  // DROP
  if (AcceptKeyword(Keyword::kTable)) {
    stmt->object = ObjectKind::kTable;
  } else if (AcceptKeyword(Keyword::kView)) {
    stmt->object = ObjectKind::kView;
  } else if (AcceptKeyword(Keyword::kIndex)) {
    stmt->object = ObjectKind::kIndex;
  } else if (AcceptKeyword(Keyword::kTrigger)) {
    stmt->object = ObjectKind::kTrigger;
  } else {
    return ErrorExpected("TABLE, VIEW, INDEX or TRIGGER");
  }
  NQ_ASSIGN_OR_RETURN(stmt->if_exists, ParseIfExists());
  do {
    NQ_ASSIGN_OR_RETURN(QualifiedName name, ParseQualifiedName("name"));
    stmt->names.push_back(std::move(name));
  } while (stmt->object != ObjectKind::kTrigger && Accept(TokenKind::kComma));
  if (stmt->object == ObjectKind::kTrigger && AcceptKeyword(Keyword::kOn)) {
    NQ_ASSIGN_OR_RETURN(stmt->trigger_table, ParseQualifiedName("table name"));
  }
  if (AcceptKeyword(Keyword::kCascade)) {
    stmt->cascade = true;
  } else {
    AcceptKeyword(Keyword::kRestrict);
  }
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseAlter() {
  auto stmt = std::make_unique<AlterTableStmt>();
  stmt->pos = Advance().pos;  // ALTER
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTable, "TABLE"));
  NQ_ASSIGN_OR_RETURN(stmt->table, ParseQualifiedName("table name"));
  if (AcceptKeyword(Keyword::kAdd)) {
    if (Peek().Is(Keyword::kConstraint) || Peek().Is(Keyword::kPrimary) || Peek().Is(Keyword::kUnique) ||
        Peek().Is(Keyword::kCheck) || Peek().Is(Keyword::kForeign)) {
      // ADD [CONSTRAINT name] table_constraint
      stmt->action = AlterAction::kAddConstraint;
      NQ_ASSIGN_OR_RETURN(stmt->constraint, ParseTableConstraint());
      return StatementPtr(std::move(stmt));
    }
    stmt->action = AlterAction::kAddColumn;
    AcceptKeyword(Keyword::kColumn);
    NQ_ASSIGN_OR_RETURN(stmt->if_not_exists, ParseIfNotExists());
    NQ_ASSIGN_OR_RETURN(stmt->column, ParseColumnDef());
  } else if (AcceptKeyword(Keyword::kDrop)) {
    if (AcceptKeyword(Keyword::kConstraint)) {
      // DROP CONSTRAINT [IF EXISTS] name [RESTRICT | CASCADE]
      stmt->action = AlterAction::kDropConstraint;
      NQ_ASSIGN_OR_RETURN(stmt->if_exists, ParseIfExists());
      NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("constraint name"));
      if (AcceptKeyword(Keyword::kCascade)) {
        stmt->cascade = true;
      } else {
        AcceptKeyword(Keyword::kRestrict);
      }
      return StatementPtr(std::move(stmt));
    }
    stmt->action = AlterAction::kDropColumn;
    AcceptKeyword(Keyword::kColumn);
    NQ_ASSIGN_OR_RETURN(stmt->if_exists, ParseIfExists());
    NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("column name"));
  } else if (AcceptKeyword(Keyword::kRename)) {
    if (PeekKeyword(Keyword::kTo)) {
      Advance();
      stmt->action = AlterAction::kRenameTable;
      NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("new table name"));
    } else {
      stmt->action = AlterAction::kRenameColumn;
      AcceptKeyword(Keyword::kColumn);
      NQ_ASSIGN_OR_RETURN(stmt->name, ParseIdentifier("column name"));
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kTo, "TO"));
      NQ_ASSIGN_OR_RETURN(stmt->new_name, ParseIdentifier("new column name"));
    }
  } else if (AcceptKeyword(Keyword::kAlter)) {
    // ALTER [COLUMN] c [SET DATA] TYPE t [USING e]
    stmt->action = AlterAction::kAlterColumnType;
    AcceptKeyword(Keyword::kColumn);
    stmt->column.pos = Peek().pos;
    NQ_ASSIGN_OR_RETURN(stmt->column.name, ParseIdentifier("column name"));
    if (AcceptKeyword(Keyword::kSet)) NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kData, "DATA"));
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kType, "TYPE"));
    NQ_ASSIGN_OR_RETURN(TypeName type, ParseTypeName());
    stmt->column.type = std::move(type);
    if (AcceptKeyword(Keyword::kUsing)) {
      NQ_ASSIGN_OR_RETURN(stmt->using_expr, ParseExpr());
    }
  } else {
    return ErrorExpected("ADD, DROP, RENAME or ALTER");
  }
  return StatementPtr(std::move(stmt));
}

Result<StatementPtr> ParserImpl::ParseTruncate() {
  auto stmt = std::make_unique<TruncateStmt>();
  stmt->pos = Advance().pos;  // TRUNCATE
  AcceptKeyword(Keyword::kTable);
  do {
    NQ_ASSIGN_OR_RETURN(QualifiedName name, ParseQualifiedName("table name"));
    stmt->tables.push_back(std::move(name));
  } while (Accept(TokenKind::kComma));
  if (AcceptKeyword(Keyword::kRestart)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kIdentity, "IDENTITY"));
    stmt->restart_identity = true;
  } else if (AcceptKeyword(Keyword::kContinue)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kIdentity, "IDENTITY"));
  }
  if (AcceptKeyword(Keyword::kCascade)) {
    stmt->cascade = true;
  } else {
    AcceptKeyword(Keyword::kRestrict);
  }
  return StatementPtr(std::move(stmt));
}

}  // namespace neuroquantum::sql::internal
