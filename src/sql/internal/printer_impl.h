// The canonical printer's state, shared by printer.cc (expressions and
// queries) and printer_stmt.cc (statements). See printer.h.
//
// Thread safety: one Printer per thread.
#pragma once

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/printer.h"

namespace neuroquantum::sql::internal {

class Printer {
 public:
  std::string Take() { return std::move(out_); }

  void Expression(const Expr& expr, int min_precedence = 0);
  void QueryText(const Query& query);
  void StatementText(const Statement& statement);

  // Pieces, public so that the statement printer can use them.
  void Put(std::string_view text) { out_ += text; }
  void Name(std::string_view name) { out_ += QuoteIdentifier(name); }
  void Qualified(const QualifiedName& name);
  void NameList(const std::vector<std::string>& names);
  void ExprList(const std::vector<ExprPtr>& exprs);
  void Literal(const LiteralExpr& literal);
  void Type(const TypeName& type);
  void ExpressionBody(const Expr& expr);
  void Body(const QueryBody& body);
  void SetOperand(const QueryBody& body, bool parenthesise);
  void With(const WithClause& with);
  void SelectItems(const std::vector<SelectItem>& items);
  void From(const std::vector<TableRefPtr>& from);
  void Table(const TableRef& ref);
  void Alias(const std::string& alias);
  void Direction(SortDirection direction);
  void IndexedColumns(const std::vector<IndexedColumn>& columns);
  void Returning(const std::vector<SelectItem>& items);
  void Conflict(ConflictAction action);
  void Column(const ColumnDef& column);
  void ColumnConstraintText(const ColumnConstraint& constraint);
  void TableConstraintText(const TableConstraint& constraint);
  void References(const ForeignKeyRef& ref);
  void DefaultValue(const Expr& expr);
  void TransactionModes(const TransactionStmt& stmt, bool leading_space);
  void CreateTable(const CreateTableStmt& stmt);
  void Transaction(const TransactionStmt& stmt);

 private:
  std::string out_;
};

}  // namespace neuroquantum::sql::internal
