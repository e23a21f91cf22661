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
  void Print(const ColumnRefExpr& expr);
  void Print(const ParameterExpr& expr);
  void Print(const UnaryExpr& expr);
  void Print(const BinaryExpr& expr);
  void Print(const CastExpr& expr);
  void Print(const CaseExpr& expr);
  void Print(const FunctionExpr& expr);
  void Print(const InListExpr& expr);
  void Print(const InSubqueryExpr& expr);
  void Print(const InTableExpr& expr);
  void Print(const LikeExpr& expr);
  void Print(const BetweenExpr& expr);
  void Print(const IsNullExpr& expr);
  void Print(const IsDistinctExpr& expr);
  void Print(const CollateExpr& expr);
  // ` OVER ...` and ` WINDOW ...` (printer_window.cc).
  void Over(const WindowSpec& spec);
  void WindowSpecText(const WindowSpec& spec);
  void WindowClause(const std::vector<NamedWindow>& windows);
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
  void Assignments(const std::vector<Assignment>& assignments);
  void Upsert(const UpsertClause& upsert);
  void Conflict(ConflictAction action);
  void Column(const ColumnDef& column);
  void ColumnConstraintText(const ColumnConstraint& constraint);
  void TableConstraintText(const TableConstraint& constraint);
  void References(const ForeignKeyRef& ref);
  void DefaultValue(const Expr& expr);
  void TransactionModes(const TransactionStmt& stmt, bool leading_space);
  void Print(const CreateTableStmt& stmt);
  void Print(const TransactionStmt& stmt);
  void Print(const InsertStmt& stmt);
  void Print(const UpdateStmt& stmt);
  void Print(const DeleteStmt& stmt);
  void Print(const CreateIndexStmt& stmt);
  void Print(const CreateViewStmt& stmt);
  void Print(const DropStmt& stmt);
  void Print(const AlterTableStmt& stmt);
  void Print(const ExplainStmt& stmt);
  void Print(const AnalyzeStmt& stmt);
  void Print(const PrepareStmt& stmt);
  void Print(const ExecuteStmt& stmt);
  void Print(const DeallocateStmt& stmt);
  void Print(const CreateTriggerStmt& stmt);  // printer_trigger.cc

 private:
  std::string out_;
};

}  // namespace neuroquantum::sql::internal
