// The recursive-descent parser behind parser.h, shared by the files that
// implement its grammar rules: parser_expr.cc (expressions and type
// names), parser_functions.cc (POSITION, SUBSTRING, TRIM, EXTRACT),
// parser_window.cc (OVER and WINDOW clauses),
// parser_select.cc (queries), parser_stmt.cc (DML, EXPLAIN, ANALYZE),
// parser_txn.cc (transaction control) and parser_ddl.cc (CREATE, DROP,
// ALTER, TRUNCATE).
//
// Each Parse* function consumes the tokens of one grammar rule and returns
// the node, or an error Status after recording the structured error in
// error_. The first error wins; callers propagate it unchanged.
//
// Thread safety: one ParserImpl per thread; it borrows the source text.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"
#include "neuroquantum/status.h"
#include "sql/ast.h"
#include "sql/lexer.h"
#include "sql/parser.h"

namespace neuroquantum::sql::internal {

// Precedence levels, loosest first; shared with the printer so that it
// adds exactly the parentheses the parser needs.
enum Precedence : int {
  kPrecOr = 1,
  kPrecAnd,
  kPrecNot,
  kPrecEquality,    // = <> IS IN LIKE GLOB BETWEEN ISNULL NOTNULL
  kPrecRelational,  // < <= > >=
  kPrecBitwise,     // & | << >>
  kPrecConcat,      // ||
  kPrecAdditive,    // + -
  kPrecMultiplicative,  // * / % DIV
  kPrecUnary,       // - + ~
  kPrecPostfix,     // COLLATE, ::
  kPrecPrimary,
};

// Formats the error message for a problem at `pos` (see parser.h).
std::string FormatSyntaxError(std::string_view source, const SourcePos& pos,
                              std::string_view problem);
// Up to 20 characters of `source` from `offset` (at the end of input: the
// last 20), on one line, cut at a UTF-8 boundary.
std::string SourceSnippet(std::string_view source, uint32_t offset);

class ParserImpl {
 public:
  // REQUIRES: tokens ends with a kEnd token; both outlive the parser.
  ParserImpl(std::string_view source, const std::vector<Token>& tokens)
      : source_(source), tokens_(tokens) {}

  // statement (';' statement)* with empty statements skipped.
  Result<std::vector<StatementPtr>> ParseScript();
  // One statement and optional semicolons, then the end of input.
  Result<StatementPtr> ParseSingle();

  const ParseError& error() const { return error_; }

  // --- statements (parser_stmt.cc, parser_ddl.cc)
  Result<StatementPtr> ParseStatement();
  Result<StatementPtr> ParseInsert(std::optional<WithClause> with);
  Result<StatementPtr> ParseUpdate(std::optional<WithClause> with);
  Result<StatementPtr> ParseDelete(std::optional<WithClause> with);
  Result<ConflictAction> ParseConflictAction();
  Status ParseReturning(std::vector<SelectItem>* items);
  Status ParseAssignments(std::vector<Assignment>* assignments);
  Result<std::unique_ptr<UpsertClause>> ParseUpsert();
  // --- transaction control (parser_txn.cc)
  Result<StatementPtr> ParseTransaction();
  void AcceptTransactionWord();  // optional TRANSACTION or WORK
  Status ParseBegin(TransactionStmt* stmt);
  Status ParseRollback(TransactionStmt* stmt);
  Status ParseSavepointName(TransactionStmt* stmt);
  Status ParseGlobalId(TransactionStmt* stmt);
  Status ParseTransactionModes(TransactionStmt* stmt);
  Result<StatementPtr> ParseExplain();
  Result<StatementPtr> ParseAnalyze();
  Result<StatementPtr> ParsePrepare();
  Result<StatementPtr> ParseExecute();
  Result<StatementPtr> ParseDeallocate();
  Result<StatementPtr> ParseCreate();
  Result<StatementPtr> ParseCreateTable(bool temporary);
  Result<StatementPtr> ParseCreateIndex();
  Result<StatementPtr> ParseCreateView(bool temporary);
  Result<StatementPtr> ParseCreateTrigger();  // parser_trigger.cc
  Result<StatementPtr> ParseDrop();
  Result<StatementPtr> ParseAlter();
  Result<StatementPtr> ParseTruncate();
  Result<ColumnDef> ParseColumnDef();
  Status ParseColumnConstraint(ColumnDef* column);
  Result<TableConstraint> ParseTableConstraint();
  Status ParseForeignKeyRef(ForeignKeyRef* ref);
  Status ParseTableOptions(std::vector<TableOption>* options);
  Status ParseIndexedColumns(std::vector<IndexedColumn>* columns);
  Result<ExprPtr> ParseDefaultValue();

  // --- queries (parser_select.cc)
  Result<QueryPtr> ParseQuery();
  Result<QueryPtr> ParseQueryAfterWith(std::optional<WithClause> with, SourcePos pos);
  Result<WithClause> ParseWith();
  Result<QueryBodyPtr> ParseUnionLevel();
  Result<QueryBodyPtr> ParseIntersectLevel();
  Result<QueryBodyPtr> ParseSetOperand();
  Result<QueryBodyPtr> ParseSelectCore();
  Result<QueryBodyPtr> ParseValues();
  Result<SelectItem> ParseSelectItem();
  Status ParseSelectList(std::vector<SelectItem>* items);
  Status ParseFromList(std::vector<TableRefPtr>* from);
  Result<TableRefPtr> ParseJoinedTable();
  Result<TableRefPtr> ParseTablePrimary();
  Status ParseOrderBy(std::vector<OrderItem>* items);
  Status ParseLimit(Query* query);
  bool AtQueryStart() const;  // SELECT, VALUES or WITH

  // --- expressions and types (parser_expr.cc)
  Result<ExprPtr> ParseExpr();
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParseEquality();
  // The same levels continuing after an already parsed left operand.
  Result<ExprPtr> ParseOrRest(ExprPtr left);
  Result<ExprPtr> ParseAndRest(ExprPtr left);
  Result<ExprPtr> ParseEqualityRest(ExprPtr left);
  Result<ExprPtr> ParseRelational();
  Result<ExprPtr> ParseBitwise();
  Result<ExprPtr> ParseConcat();
  Result<ExprPtr> ParseAdditive();
  Result<ExprPtr> ParseMultiplicative();
  Result<ExprPtr> ParseUnary();
  Result<ExprPtr> ParsePostfix();
  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParseParameter();
  Result<ExprPtr> ParseTypedLiteral();
  // INTERVAL literals and the bare clock keywords (parser_datetime.cc).
  bool AtIntervalLiteral() const;
  bool AtBareClockFunction() const;
  Result<ExprPtr> ParseIntervalLiteral();
  Result<ExprPtr> ParseBareClockFunction();
  Result<ExprPtr> ParseParenthesized();
  Result<ExprPtr> ParseExists();
  Result<ExprPtr> ParseColumnRef();
  Result<ExprPtr> ParseIn(ExprPtr operand, bool negated);
  Result<ExprPtr> ParseLike(ExprPtr operand, LikeOp op, bool negated);
  Result<ExprPtr> ParseBetween(ExprPtr operand, bool negated);
  Result<ExprPtr> ParseIs(ExprPtr operand);
  Result<ExprPtr> ParseCase();
  Result<ExprPtr> ParseCast();
  Result<ExprPtr> ParseFunctionCall();
  // Standard SQL's keyword-separated arguments (parser_functions.cc).
  Status ParseSpecialArguments(FunctionExpr* call, bool* complete);
  Status ParsePositionArguments(FunctionExpr* call, bool* complete);
  Status ParseSubstringArguments(FunctionExpr* call, bool* complete);
  Status ParseTrimArguments(FunctionExpr* call, bool* complete);
  Status ParseExtractArguments(FunctionExpr* call, bool* complete);
  // OVER and WINDOW clauses (parser_window.cc); `tallest` grows to the
  // tallest expression they hold.
  Status ParseOverClause(FunctionExpr* call, uint32_t* tallest);
  Status ParseWindowSpec(WindowSpec* spec, uint32_t* tallest);
  Status ParseFrameBound(FrameBound* bound);
  Status ParseWindowClause(std::vector<NamedWindow>* windows, uint32_t* tallest);
  Result<ExprPtr> ParseLiteral();
  Result<TypeName> ParseTypeName();
  Status ParseExprList(std::vector<ExprPtr>* list);

  // --- tokens and names (parser.cc)
  const Token& Peek(size_t ahead = 0) const;
  const Token& Advance();
  bool PeekKeyword(Keyword keyword, size_t ahead = 0) const {
    return Peek(ahead).keyword == keyword;
  }
  bool AcceptKeyword(Keyword keyword);
  bool Accept(TokenKind kind);
  Status ExpectKeyword(Keyword keyword, std::string_view what);
  Status Expect(TokenKind kind, std::string_view what);
  // Whether the next token can be a bare or quoted name.
  bool AtIdentifier(size_t ahead = 0) const;
  Result<std::string> ParseIdentifier(std::string_view what);
  Result<QualifiedName> ParseQualifiedName(std::string_view what);
  Status ParseIdentifierList(std::vector<std::string>* names, std::string_view what);
  // `AS name` or a bare non-reserved name; empty when there is no alias.
  Result<std::string> ParseOptionalAlias();
  // IF NOT EXISTS / IF EXISTS.
  Result<bool> ParseIfNotExists();
  Result<bool> ParseIfExists();

  // "expected <what>, found <current token>" at the current token.
  Status ErrorExpected(std::string_view what);
  // A problem at `pos` with its own wording.
  Status ErrorAt(const SourcePos& pos, std::string_view problem);
  Status TooDeep(const SourcePos& pos);
  // Sets node.height to 1 + the tallest child; fails past kMaxTreeHeight.
  template <typename Node>
  Status SetHeight(Node* node, uint32_t tallest_child) {
    node->height = tallest_child + 1;
    if (node->height > kMaxTreeHeight) return TooDeep(node->pos);
    return Status::OK();
  }
  static uint32_t HeightOf(const ExprPtr& expr) { return expr ? expr->height : 0; }
  static uint32_t MaxHeight(std::initializer_list<const Expr*> exprs);

  // Counts one level of nesting for as long as it lives.
  class DepthGuard {
   public:
    explicit DepthGuard(ParserImpl* parser) : parser_(parser) { ++parser_->depth_; }
    ~DepthGuard() { --parser_->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    bool exceeded() const { return parser_->depth_ > kMaxParseDepth; }

   private:
    ParserImpl* parser_;
  };

 private:
  std::string_view source_;
  const std::vector<Token>& tokens_;
  size_t next_ = 0;
  int depth_ = 0;
  ParseError error_;
  bool failed_ = false;
};

// Enters one nesting level in a ParserImpl member returning Result or Status.
#define NQ_SQL_NEST()                                        \
  ParserImpl::DepthGuard nq_depth_guard_(this);              \
  if (nq_depth_guard_.exceeded()) return TooDeep(Peek().pos)

}  // namespace neuroquantum::sql::internal
