// The QSQL abstract syntax tree: what the parser produces and the binder
// consumes.
//
// Ownership: a tree owns its children through std::unique_ptr and
// std::vector; nothing points back up or sideways, so moving a StatementPtr
// moves the whole statement and destroying it frees everything. Strings are
// copies, so a tree does not borrow the source text.
//
// Every node carries the SourcePos of its first token, so later stages can
// report semantic errors ("no such column") at the right line and column.
//
// Names: unquoted identifiers arrive folded to lower case, quoted ones keep
// their case; the tree does not record which quoting was used, only the
// resulting name. Keywords are not kept as text.
//
// Node types are distinguished by a kind tag; use As<T>() (checked by
// assert) instead of dynamic_cast.
//
// The parser's limits (parser.h) bound the height of every tree, so the
// recursive destructors and the printer cannot exhaust the stack.
//
// Thread safety: a tree is a plain value; share it read-only or not at all.
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/token.h"

namespace neuroquantum::sql {

struct Query;
struct Statement;
using QueryPtr = std::unique_ptr<Query>;
using StatementPtr = std::unique_ptr<Statement>;

// A possibly schema-qualified object name: `t` or `main.t`.
struct QualifiedName {
  std::string schema;  // empty when not given
  std::string name;
  SourcePos pos;
};

// A type as written: name words upper-cased and joined by one space
// ("INTEGER", "DOUBLE PRECISION", "VARCHAR"), parameters as written
// (signed integers), e.g. NUMERIC(10,2) -> {"NUMERIC", {"10", "2"}}.
struct TypeName {
  std::string name;
  std::vector<std::string> params;
  SourcePos pos;
};

// ---------------------------------------------------------------------------
// Expressions

enum class ExprKind : uint8_t {
  kLiteral, kColumnRef, kParameter, kUnary, kBinary, kCast, kCase, kFunction,
  kInList, kInSubquery, kInTable, kExists, kSubquery, kLike, kBetween,
  kIsNull, kIsDistinct, kCollate,
};

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  template <typename T>
  T& As() {
    assert(kind == T::kKind && "As<T>() on an expression of another kind");
    return static_cast<T&>(*this);
  }
  template <typename T>
  const T& As() const {
    assert(kind == T::kKind && "As<T>() on an expression of another kind");
    return static_cast<const T&>(*this);
  }

  const ExprKind kind;
  SourcePos pos;
  // Height of this subtree (leaves are 1), including any subqueries below;
  // maintained by the parser, which refuses trees taller than its limit
  // (chains such as `1+1+1+...` grow the tree without nesting parentheses).
  uint32_t height = 1;
};
using ExprPtr = std::unique_ptr<Expr>;

enum class LiteralKind : uint8_t {
  kInteger,  // fits int64; int_value holds it
  kNumeric,  // exact decimal (or an integer too large for int64), as text
  kFloat,    // has an exponent; text as written, the binder converts
  kString,   // text holds the unescaped UTF-8 string
  kBlob,     // text holds the raw bytes
  kNull,
  kTrue,
  kFalse,
};

struct LiteralExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  LiteralExpr() : Expr(kKind) {}
  LiteralKind literal = LiteralKind::kNull;
  std::string text;       // digits for numbers as written (no sign)
  int64_t int_value = 0;  // for kInteger
};

struct ColumnRefExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumnRef;
  ColumnRefExpr() : Expr(kKind) {}
  std::string schema;  // s.t.c; empty when absent
  std::string table;   // t.c; empty when unqualified
  std::string column;
};

// `$3` (number 3) or `?` (anonymous: numbered in order of appearance by the
// binder, SQLite style). `?7` is numbered.
struct ParameterExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kParameter;
  ParameterExpr() : Expr(kKind) {}
  uint32_t number = 0;  // 0 for an anonymous `?`
  bool dollar = false;  // written $n rather than ?n
};

enum class UnaryOp : uint8_t { kNegate, kPlus, kNot, kBitNot };

struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryExpr() : Expr(kKind) {}
  UnaryOp op = UnaryOp::kNot;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kOr, kAnd,
  kEq, kNotEq, kLt, kLe, kGt, kGe,
  kBitAnd, kBitOr, kShiftLeft, kShiftRight,
  kConcat,
  kAdd, kSubtract,
  kMultiply, kDivide, kModulo,
  kIntegerDivide,  // MySQL `a DIV b`: division truncated to an integer
};

struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryExpr() : Expr(kKind) {}
  BinaryOp op = BinaryOp::kEq;
  ExprPtr left, right;
};

// CAST(x AS t) and x::t (the same node).
struct CastExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  CastExpr() : Expr(kKind) {}
  ExprPtr operand;
  TypeName type;
};

struct WhenClause {
  ExprPtr condition;  // a value to compare with for a simple CASE
  ExprPtr result;
  SourcePos pos;  // of WHEN
};

struct CaseExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  CaseExpr() : Expr(kKind) {}
  ExprPtr operand;  // CASE x WHEN ...; null for a searched CASE
  std::vector<WhenClause> whens;  // at least one
  ExprPtr else_result;            // may be null
};

struct WindowSpec;  // below, with the queries

struct FunctionExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunction;
  FunctionExpr() : Expr(kKind) {}
  std::string name;  // lower case unless quoted
  bool distinct = false;
  bool star = false;  // COUNT(*); args is then empty
  std::vector<ExprPtr> args;
  std::unique_ptr<WindowSpec> over;  // `OVER ...`: a window function call; null otherwise
};

struct InListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInList;
  InListExpr() : Expr(kKind) {}
  ExprPtr operand;
  bool negated = false;
  std::vector<ExprPtr> list;  // may be empty: `x IN ()` is false
};

struct InSubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInSubquery;
  InSubqueryExpr() : Expr(kKind) {}
  ExprPtr operand;
  bool negated = false;
  QueryPtr query;
};

// `x IN t`: SQLite's shorthand for `x IN (SELECT * FROM t)`.
struct InTableExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInTable;
  InTableExpr() : Expr(kKind) {}
  ExprPtr operand;
  bool negated = false;
  QualifiedName table;
};

// EXISTS (q); NOT EXISTS is a NOT around it.
struct ExistsExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kExists;
  ExistsExpr() : Expr(kKind) {}
  QueryPtr query;
};

// A scalar subquery `(SELECT ...)`.
struct SubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubquery;
  SubqueryExpr() : Expr(kKind) {}
  QueryPtr query;
};

enum class LikeOp : uint8_t { kLike, kIlike, kGlob };

struct LikeExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLike;
  LikeExpr() : Expr(kKind) {}
  LikeOp op = LikeOp::kLike;
  bool negated = false;
  ExprPtr operand, pattern;
  ExprPtr escape;  // may be null
};

struct BetweenExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  BetweenExpr() : Expr(kKind) {}
  bool negated = false;
  ExprPtr operand, low, high;
};

// x IS [NOT] NULL (also the SQLite forms ISNULL, NOTNULL, NOT NULL).
struct IsNullExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIsNull;
  IsNullExpr() : Expr(kKind) {}
  bool negated = false;  // IS NOT NULL
  ExprPtr operand;
};

// x IS [NOT] DISTINCT FROM y. SQLite's `x IS y` parses as
// IS NOT DISTINCT FROM and `x IS NOT y` as IS DISTINCT FROM.
struct IsDistinctExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIsDistinct;
  IsDistinctExpr() : Expr(kKind) {}
  bool negated = false;  // IS NOT DISTINCT FROM
  ExprPtr left, right;
};

struct CollateExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCollate;
  CollateExpr() : Expr(kKind) {}
  ExprPtr operand;
  std::string collation;  // lower case unless quoted, e.g. "nocase"
};

// ---------------------------------------------------------------------------
// Queries

enum class SortDirection : uint8_t { kDefault, kAsc, kDesc };
enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

struct OrderItem {
  ExprPtr expr;
  SortDirection direction = SortDirection::kDefault;
  NullsOrder nulls = NullsOrder::kDefault;
  SourcePos pos;
};

// Window functions: `f(...) OVER (PARTITION BY ... ORDER BY ... frame)`.
enum class FrameUnit : uint8_t { kRows, kRange, kGroups };
enum class FrameBoundKind : uint8_t {
  kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing,
};
enum class FrameExclusion : uint8_t { kNoOthers, kCurrentRow, kGroup, kTies };

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  ExprPtr offset;  // for kPreceding and kFollowing
  SourcePos pos;
};

// A frame written without BETWEEN (`ROWS 2 PRECEDING`) is kept as
// `ROWS BETWEEN 2 PRECEDING AND CURRENT ROW`. The parser takes any bounds;
// the binder refuses impossible ones (start UNBOUNDED FOLLOWING, ...).
struct WindowFrame {
  FrameUnit unit = FrameUnit::kRange;
  FrameBound start, end;
  FrameExclusion exclusion = FrameExclusion::kNoOthers;
  SourcePos pos;  // of ROWS, RANGE or GROUPS
};

// The window of an OVER clause or of a WINDOW clause entry. `base` names a
// window of the WINDOW clause that this one extends (`OVER (w ORDER BY x)`);
// `reference_only` is `OVER w`, which uses w as it is.
struct WindowSpec {
  std::string base;  // empty when none
  bool reference_only = false;
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  std::optional<WindowFrame> frame;
  SourcePos pos;
};

// `WINDOW name AS (spec)`.
struct NamedWindow {
  std::string name;
  WindowSpec spec;
  SourcePos pos;
};

enum class SelectItemKind : uint8_t { kExpr, kStar, kTableStar };

struct SelectItem {
  SelectItemKind kind = SelectItemKind::kExpr;
  ExprPtr expr;        // for kExpr
  std::string alias;   // for kExpr; empty when none
  std::string table;   // for kTableStar: t.*
  SourcePos pos;
};

enum class TableRefKind : uint8_t { kTable, kSubquery, kJoin };

struct TableRef {
  explicit TableRef(TableRefKind k) : kind(k) {}
  virtual ~TableRef() = default;
  TableRef(const TableRef&) = delete;
  TableRef& operator=(const TableRef&) = delete;

  template <typename T>
  T& As() {
    assert(kind == T::kKind && "As<T>() on a table reference of another kind");
    return static_cast<T&>(*this);
  }
  template <typename T>
  const T& As() const {
    assert(kind == T::kKind && "As<T>() on a table reference of another kind");
    return static_cast<const T&>(*this);
  }

  const TableRefKind kind;
  SourcePos pos;
  uint32_t height = 1;  // as Expr::height, counting nested queries
};
using TableRefPtr = std::unique_ptr<TableRef>;

// A table or view by name; INDEXED BY / NOT INDEXED are SQLite planner hints,
// accepted and kept so that the planner may honour them.
struct BaseTableRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kTable;
  BaseTableRef() : TableRef(kKind) {}
  QualifiedName name;
  std::string alias;
  std::string indexed_by;  // INDEXED BY name
  bool not_indexed = false;
};

struct SubqueryTableRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kSubquery;
  SubqueryTableRef() : TableRef(kKind) {}
  QueryPtr query;
  std::string alias;  // may be empty
};

enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross };

struct JoinTableRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kJoin;
  JoinTableRef() : TableRef(kKind) {}
  JoinType type = JoinType::kInner;
  bool natural = false;
  TableRefPtr left, right;
  ExprPtr on;                       // ON condition; null when absent
  std::vector<std::string> using_columns;  // USING (...); empty when absent
};

enum class QueryBodyKind : uint8_t { kSelect, kValues, kSetOp, kNested };

struct QueryBody {
  explicit QueryBody(QueryBodyKind k) : kind(k) {}
  virtual ~QueryBody() = default;
  QueryBody(const QueryBody&) = delete;
  QueryBody& operator=(const QueryBody&) = delete;

  template <typename T>
  T& As() {
    assert(kind == T::kKind && "As<T>() on a query body of another kind");
    return static_cast<T&>(*this);
  }
  template <typename T>
  const T& As() const {
    assert(kind == T::kKind && "As<T>() on a query body of another kind");
    return static_cast<const T&>(*this);
  }

  const QueryBodyKind kind;
  SourcePos pos;
  uint32_t height = 1;  // as Expr::height, counting nested queries
};
using QueryBodyPtr = std::unique_ptr<QueryBody>;

struct SelectCore : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kSelect;
  SelectCore() : QueryBody(kKind) {}
  bool distinct = false;  // SELECT ALL is the default and is not recorded
  std::vector<SelectItem> items;
  std::vector<TableRefPtr> from;  // comma-separated items; empty without FROM
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<NamedWindow> windows;  // the WINDOW clause, in order
};

// VALUES (..), (..) used as a query; all rows have the same width.
struct ValuesBody : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kValues;
  ValuesBody() : QueryBody(kKind) {}
  std::vector<std::vector<ExprPtr>> rows;
};

enum class SetOpKind : uint8_t { kUnion, kIntersect, kExcept };

// Compound select. INTERSECT binds tighter than UNION and EXCEPT, which
// associate to the left (the SQL standard and PostgreSQL).
struct SetOpBody : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kSetOp;
  SetOpBody() : QueryBody(kKind) {}
  SetOpKind op = SetOpKind::kUnion;
  bool all = false;
  QueryBodyPtr left, right;
};

// A parenthesised operand of a compound select that has its own WITH,
// ORDER BY or LIMIT.
struct NestedBody : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kNested;
  NestedBody() : QueryBody(kKind) {}
  QueryPtr query;
};

struct CommonTableExpr {
  std::string name;
  std::vector<std::string> columns;  // optional column names
  QueryPtr query;
  SourcePos pos;
};

struct WithClause {
  bool recursive = false;
  std::vector<CommonTableExpr> ctes;  // at least one
  SourcePos pos;  // of WITH
};

struct Query {
  std::optional<WithClause> with;
  QueryBodyPtr body;
  std::vector<OrderItem> order_by;
  ExprPtr limit;   // may be null
  ExprPtr offset;  // may be null; `LIMIT a, b` means OFFSET a LIMIT b
  SourcePos pos;
  uint32_t height = 1;  // as Expr::height, counting nested queries
};

// ---------------------------------------------------------------------------
// Statements

enum class StatementKind : uint8_t {
  kSelect, kInsert, kUpdate, kDelete,
  kCreateTable, kCreateIndex, kCreateView, kDrop, kAlterTable, kTruncate,
  kTransaction, kExplain, kAnalyze,
  kPrepare, kExecute, kDeallocate,
  kCreateTrigger,
};

struct Statement {
  explicit Statement(StatementKind k) : kind(k) {}
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <typename T>
  T& As() {
    assert(kind == T::kKind && "As<T>() on a statement of another kind");
    return static_cast<T&>(*this);
  }
  template <typename T>
  const T& As() const {
    assert(kind == T::kKind && "As<T>() on a statement of another kind");
    return static_cast<const T&>(*this);
  }

  const StatementKind kind;
  SourcePos pos;
};

struct SelectStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kSelect;
  SelectStmt() : Statement(kKind) {}
  QueryPtr query;
};

// What INSERT/UPDATE do when a constraint fails (INSERT OR <action>).
// REPLACE INTO t is INSERT OR REPLACE INTO t.
enum class ConflictAction : uint8_t { kNone, kReplace, kIgnore, kAbort, kFail, kRollback };

enum class InsertSource : uint8_t { kQuery, kDefaultValues };

// SET c = e; a column assigned twice is kept twice (the last one wins at
// execution, as in SQLite and MySQL).
struct Assignment {
  std::string column;
  ExprPtr value;  // null means DEFAULT
  SourcePos pos;
};

// INSERT ... ON CONFLICT [(columns)] DO NOTHING | DO UPDATE SET ... [WHERE
// ...] (PostgreSQL's upsert; SQLite spells it the same way).
struct UpsertClause {
  std::vector<std::string> columns;  // the conflict target; empty: any unique constraint
  bool do_update = false;
  std::vector<Assignment> assignments;  // DO UPDATE SET ...
  ExprPtr where;                        // DO UPDATE ... WHERE; may be null
  SourcePos pos;                        // of ON
};

struct InsertStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kInsert;
  InsertStmt() : Statement(kKind) {}
  std::optional<WithClause> with;
  ConflictAction on_conflict = ConflictAction::kNone;
  QualifiedName table;
  std::string alias;
  std::vector<std::string> columns;  // empty: all columns in order
  InsertSource source = InsertSource::kQuery;
  QueryPtr query;  // VALUES rows or a SELECT; null for DEFAULT VALUES
  std::unique_ptr<UpsertClause> upsert;
  std::vector<SelectItem> returning;
};

struct UpdateStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kUpdate;
  UpdateStmt() : Statement(kKind) {}
  std::optional<WithClause> with;
  ConflictAction on_conflict = ConflictAction::kNone;
  QualifiedName table;
  std::string alias;
  std::vector<Assignment> assignments;  // at least one
  std::vector<TableRefPtr> from;
  ExprPtr where;
  std::vector<SelectItem> returning;
};

struct DeleteStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kDelete;
  DeleteStmt() : Statement(kKind) {}
  std::optional<WithClause> with;
  QualifiedName table;
  std::string alias;
  ExprPtr where;
  std::vector<SelectItem> returning;
};

enum class ReferentialAction : uint8_t { kNone, kNoAction, kRestrict, kCascade, kSetNull, kSetDefault };

struct ForeignKeyRef {
  QualifiedName table;  // its pos is that of the referenced table's name
  std::vector<std::string> columns;  // empty: the referenced primary key
  ReferentialAction on_delete = ReferentialAction::kNone;
  ReferentialAction on_update = ReferentialAction::kNone;
};

enum class ColumnConstraintKind : uint8_t {
  kPrimaryKey, kNotNull, kNull, kUnique, kDefault, kCheck, kIdentity,
  kAutoIncrement,  // MySQL's AUTO_INCREMENT as its own constraint
  kCollate, kReferences,
};

struct ColumnConstraint {
  ColumnConstraintKind kind = ColumnConstraintKind::kNotNull;
  std::string name;  // CONSTRAINT name; empty when absent
  SortDirection direction = SortDirection::kDefault;  // PRIMARY KEY ASC|DESC
  bool autoincrement = false;                         // PRIMARY KEY AUTOINCREMENT
  bool identity_always = true;  // GENERATED ALWAYS vs BY DEFAULT AS IDENTITY
  ExprPtr expr;                 // DEFAULT value or CHECK condition
  std::string collation;        // COLLATE
  ForeignKeyRef references;     // REFERENCES
  SourcePos pos;
};

struct ColumnDef {
  std::string name;
  std::optional<TypeName> type;  // SQLite allows a column without a type
  std::vector<ColumnConstraint> constraints;
  SourcePos pos;
};

enum class TableConstraintKind : uint8_t { kPrimaryKey, kUnique, kCheck, kForeignKey };

// A column of an index or key, optionally an expression, with direction.
// A collation is part of the expression (a CollateExpr on top).
struct IndexedColumn {
  ExprPtr expr;  // a ColumnRefExpr for a plain column
  SortDirection direction = SortDirection::kDefault;
  SourcePos pos;
};

struct TableConstraint {
  TableConstraintKind kind = TableConstraintKind::kPrimaryKey;
  std::string name;
  std::vector<IndexedColumn> columns;  // PRIMARY KEY / UNIQUE
  ExprPtr check;                       // CHECK
  std::vector<std::string> fk_columns; // FOREIGN KEY (cols)
  ForeignKeyRef references;            // FOREIGN KEY ... REFERENCES
  SourcePos pos;
};

// A trailing `WITH (name = literal, ...)` or `WITH name = literal` option,
// e.g. ID_STRATEGY = 'UUID'; kept generically for the binder to interpret.
struct TableOption {
  std::string name;  // lower case
  ExprPtr value;     // a literal (possibly negated)
  SourcePos pos;
};

struct CreateTableStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateTable;
  CreateTableStmt() : Statement(kKind) {}
  bool temporary = false;
  bool if_not_exists = false;
  QualifiedName name;
  std::vector<ColumnDef> columns;
  std::vector<TableConstraint> constraints;
  QueryPtr as_query;  // CREATE TABLE ... AS SELECT; then columns are empty
  std::vector<TableOption> options;
};

struct CreateIndexStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateIndex;
  CreateIndexStmt() : Statement(kKind) {}
  bool unique = false;
  bool if_not_exists = false;
  QualifiedName name;
  QualifiedName table;
  std::vector<IndexedColumn> columns;
  ExprPtr where;  // partial index; may be null
};

struct CreateViewStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateView;
  CreateViewStmt() : Statement(kKind) {}
  bool temporary = false;
  bool if_not_exists = false;
  QualifiedName name;
  std::vector<std::string> columns;
  QueryPtr query;
};

enum class ObjectKind : uint8_t { kTable, kView, kIndex, kTrigger };

struct DropStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kDrop;
  DropStmt() : Statement(kKind) {}
  ObjectKind object = ObjectKind::kTable;
  bool if_exists = false;
  std::vector<QualifiedName> names;  // at least one
  bool cascade = false;
  // DROP TRIGGER name ON table (PostgreSQL's form; SQLite's has no ON).
  std::optional<QualifiedName> trigger_table;
};

enum class TriggerTiming : uint8_t { kBefore, kAfter, kInsteadOf };
enum class TriggerEvent : uint8_t { kInsert, kUpdate, kDelete };

// CREATE TRIGGER [IF NOT EXISTS] name BEFORE|AFTER|INSTEAD OF
// INSERT|UPDATE [OF columns]|DELETE ON table [FOR EACH ROW] [WHEN cond]
// BEGIN statement; ... END. The body's statements are INSERT, UPDATE,
// DELETE or SELECT; NEW.c and OLD.c name the changed row's columns.
struct CreateTriggerStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateTrigger;
  CreateTriggerStmt() : Statement(kKind) {}
  bool if_not_exists = false;
  QualifiedName name;
  TriggerTiming timing = TriggerTiming::kAfter;
  TriggerEvent event = TriggerEvent::kInsert;
  std::vector<std::string> columns;  // UPDATE OF columns; empty: any
  QualifiedName table;
  bool for_each_row = false;  // written out (rows are the only granularity)
  ExprPtr when;               // may be null
  std::vector<StatementPtr> body;  // at least one
};

enum class AlterAction : uint8_t {
  kAddColumn, kDropColumn, kRenameColumn, kRenameTable, kAlterColumnType, kAddConstraint, kDropConstraint,
};

struct AlterTableStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kAlterTable;
  AlterTableStmt() : Statement(kKind) {}
  QualifiedName table;
  AlterAction action = AlterAction::kAddColumn;
  ColumnDef column;      // kAddColumn; kAlterColumnType: its name and new type
  ExprPtr using_expr;    // kAlterColumnType: USING expression; may be null
  std::string name;      // kDropColumn: the column; kRenameColumn: old name; kRenameTable: new name;
                         // kDropConstraint: the constraint
  std::string new_name;  // kRenameColumn
  TableConstraint constraint;   // kAddConstraint
  bool if_exists = false;       // DROP COLUMN / DROP CONSTRAINT IF EXISTS
  bool if_not_exists = false;   // ADD COLUMN IF NOT EXISTS
  bool cascade = false;         // DROP CONSTRAINT ... CASCADE
};

// TRUNCATE [TABLE] name [, ...] [RESTART IDENTITY | CONTINUE IDENTITY]
// [CASCADE | RESTRICT]
struct TruncateStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kTruncate;
  TruncateStmt() : Statement(kKind) {}
  std::vector<QualifiedName> tables;  // at least one
  bool restart_identity = false;      // RESTART IDENTITY; default CONTINUE IDENTITY
  bool cascade = false;               // CASCADE; default RESTRICT
};

enum class TransactionOp : uint8_t {
  kBegin,            // BEGIN / START TRANSACTION
  kCommit,           // COMMIT / END
  kRollback,
  kSavepoint,        // SAVEPOINT name
  kRollbackTo,       // ROLLBACK TO SAVEPOINT name
  kRelease,          // RELEASE SAVEPOINT name
  kSetTransaction,   // SET TRANSACTION ...
  kPrepare,          // PREPARE TRANSACTION 'gid'
  kCommitPrepared,   // COMMIT PREPARED 'gid'
  kRollbackPrepared, // ROLLBACK PREPARED 'gid'
};

enum class IsolationLevel : uint8_t {
  kDefault, kReadUncommitted, kReadCommitted, kRepeatableRead, kSerializable,
};
enum class AccessMode : uint8_t { kDefault, kReadOnly, kReadWrite };
// SQLite's BEGIN DEFERRED / IMMEDIATE / EXCLUSIVE.
enum class BeginMode : uint8_t { kDefault, kDeferred, kImmediate, kExclusive };

struct TransactionStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kTransaction;
  TransactionStmt() : Statement(kKind) {}
  TransactionOp op = TransactionOp::kBegin;
  IsolationLevel isolation = IsolationLevel::kDefault;
  AccessMode access = AccessMode::kDefault;
  BeginMode begin_mode = BeginMode::kDefault;
  std::string name;  // savepoint name or prepared-transaction gid
};

enum class ExplainFormat : uint8_t { kText, kJson };

struct ExplainStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kExplain;
  ExplainStmt() : Statement(kKind) {}
  bool analyze = false;
  ExplainFormat format = ExplainFormat::kText;
  StatementPtr statement;
};

struct AnalyzeStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kAnalyze;
  AnalyzeStmt() : Statement(kKind) {}
  std::optional<QualifiedName> table;  // ANALYZE alone: every table
};

// PREPARE name [(type, ...)] AS statement: a named prepared statement of the
// session (not PREPARE TRANSACTION, which is a TransactionStmt).
struct PrepareStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kPrepare;
  PrepareStmt() : Statement(kKind) {}
  std::string name;
  std::vector<TypeName> parameter_types;  // declared types of $1, $2, ...
  StatementPtr statement;
  // The statement's text as written, from its first token to its end.
  std::string text;
};

// EXECUTE name [(arg, ...)].
struct ExecuteStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kExecute;
  ExecuteStmt() : Statement(kKind) {}
  std::string name;
  std::vector<ExprPtr> args;
};

// DEALLOCATE [PREPARE] name | ALL.
struct DeallocateStmt : Statement {
  static constexpr StatementKind kKind = StatementKind::kDeallocate;
  DeallocateStmt() : Statement(kKind) {}
  std::string name;  // empty for ALL
  bool all = false;
};

}  // namespace neuroquantum::sql
