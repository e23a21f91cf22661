// Statement parsing, field by field: SELECT clauses, joins, compound
// selects, CTEs, INSERT/UPDATE/DELETE, CREATE TABLE with every column and
// table constraint, indexes, views, DROP, ALTER, TRUNCATE, transaction
// control, EXPLAIN, ANALYZE, and scripts.
#include <string>

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "unit/sql/ast_shape.h"

namespace neuroquantum::sql {
namespace {

using testing::Shape;

StatementPtr Parse(std::string_view sql) {
  auto statement = ParseStatement(sql);
  EXPECT_TRUE(statement.ok()) << sql << ": " << statement.status().ToString();
  return statement.ok() ? std::move(statement).value() : nullptr;
}

template <typename T>
const T& ParseAs(std::string_view sql, StatementPtr* holder) {
  *holder = Parse(sql);
  EXPECT_NE(*holder, nullptr);
  EXPECT_EQ((*holder)->kind, T::kKind);
  return (*holder)->As<T>();
}

const SelectCore& CoreOf(const Statement& statement) {
  return statement.As<SelectStmt>().query->body->As<SelectCore>();
}

TEST(ParserStmtTest, SelectClauses) {
  StatementPtr s = Parse(
      "select distinct t.*, *, a + 1 as x, b y from t, u where a > 1 group by a, b "
      "having count(*) > 2 order by x desc nulls last, 2 limit 10 offset 20");
  const auto& query = *s->As<SelectStmt>().query;
  const auto& core = query.body->As<SelectCore>();
  EXPECT_TRUE(core.distinct);
  ASSERT_EQ(core.items.size(), 4u);
  EXPECT_EQ(core.items[0].kind, SelectItemKind::kTableStar);
  EXPECT_EQ(core.items[0].table, "t");
  EXPECT_EQ(core.items[1].kind, SelectItemKind::kStar);
  EXPECT_EQ(core.items[2].alias, "x");
  EXPECT_EQ(Shape(*core.items[2].expr), "(+ a 1)");
  EXPECT_EQ(core.items[3].alias, "y");
  ASSERT_EQ(core.from.size(), 2u);
  EXPECT_EQ(core.from[1]->As<BaseTableRef>().name.name, "u");
  EXPECT_EQ(Shape(*core.where), "(> a 1)");
  EXPECT_EQ(core.group_by.size(), 2u);
  EXPECT_EQ(Shape(*core.having), "(> (count *) 2)");
  ASSERT_EQ(query.order_by.size(), 2u);
  EXPECT_EQ(query.order_by[0].direction, SortDirection::kDesc);
  EXPECT_EQ(query.order_by[0].nulls, NullsOrder::kLast);
  EXPECT_EQ(query.order_by[1].direction, SortDirection::kDefault);
  EXPECT_EQ(Shape(*query.limit), "10");
  EXPECT_EQ(Shape(*query.offset), "20");
}

TEST(ParserStmtTest, LimitCommaFormMeansOffsetFirst) {
  StatementPtr s = Parse("SELECT a FROM t LIMIT 5, 10");
  const auto& query = *s->As<SelectStmt>().query;
  EXPECT_EQ(Shape(*query.offset), "5");
  EXPECT_EQ(Shape(*query.limit), "10");
}

TEST(ParserStmtTest, SelectWithoutFrom) {
  StatementPtr s = Parse("SELECT 1");
  EXPECT_TRUE(CoreOf(*s).from.empty());
  EXPECT_EQ(CoreOf(*s).where, nullptr);
}

TEST(ParserStmtTest, Joins) {
  StatementPtr s = Parse(
      "SELECT * FROM a AS x LEFT OUTER JOIN b ON x.k = b.k NATURAL JOIN c "
      "CROSS JOIN d FULL JOIN e USING (k, l) RIGHT JOIN f ON TRUE INNER JOIN g ON 1");
  const auto& core = CoreOf(*s);
  ASSERT_EQ(core.from.size(), 1u);
  // Left-deep: ((((((a LEFT b) NATURAL c) CROSS d) FULL e) RIGHT f) INNER g)
  const auto& g = core.from[0]->As<JoinTableRef>();
  EXPECT_EQ(g.type, JoinType::kInner);
  const auto& f = g.left->As<JoinTableRef>();
  EXPECT_EQ(f.type, JoinType::kRight);
  const auto& e = f.left->As<JoinTableRef>();
  EXPECT_EQ(e.type, JoinType::kFull);
  EXPECT_EQ(e.using_columns, (std::vector<std::string>{"k", "l"}));
  EXPECT_EQ(e.on, nullptr);
  const auto& d = e.left->As<JoinTableRef>();
  EXPECT_EQ(d.type, JoinType::kCross);
  const auto& c = d.left->As<JoinTableRef>();
  EXPECT_TRUE(c.natural);
  const auto& b = c.left->As<JoinTableRef>();
  EXPECT_EQ(b.type, JoinType::kLeft);
  EXPECT_EQ(Shape(*b.on), "(= x.k b.k)");
  EXPECT_EQ(b.left->As<BaseTableRef>().alias, "x");
}

TEST(ParserStmtTest, SubqueryInFromAndIndexHints) {
  StatementPtr s = Parse("SELECT * FROM (SELECT 1 AS one) sub, t INDEXED BY t_i, u NOT INDEXED");
  const auto& core = CoreOf(*s);
  ASSERT_EQ(core.from.size(), 3u);
  EXPECT_EQ(core.from[0]->As<SubqueryTableRef>().alias, "sub");
  EXPECT_EQ(core.from[1]->As<BaseTableRef>().indexed_by, "t_i");
  EXPECT_TRUE(core.from[2]->As<BaseTableRef>().not_indexed);
}

TEST(ParserStmtTest, CompoundSelectPrecedence) {
  // INTERSECT binds tighter: 1 UNION (2 INTERSECT 3) EXCEPT ALL 4.
  StatementPtr s = Parse("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4");
  const auto& top = s->As<SelectStmt>().query->body->As<SetOpBody>();
  EXPECT_EQ(top.op, SetOpKind::kExcept);
  EXPECT_TRUE(top.all);
  const auto& left = top.left->As<SetOpBody>();
  EXPECT_EQ(left.op, SetOpKind::kUnion);
  EXPECT_FALSE(left.all);
  EXPECT_EQ(left.right->As<SetOpBody>().op, SetOpKind::kIntersect);
}

TEST(ParserStmtTest, ValuesAsQuery) {
  StatementPtr s = Parse("VALUES (1, 'a'), (2, 'b')");
  const auto& values = s->As<SelectStmt>().query->body->As<ValuesBody>();
  ASSERT_EQ(values.rows.size(), 2u);
  EXPECT_EQ(Shape(*values.rows[1][1]), "'b'");
}

TEST(ParserStmtTest, WithRecursive) {
  StatementPtr s = Parse(
      "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5), "
      "d AS (SELECT 2) SELECT n FROM c");
  const auto& query = *s->As<SelectStmt>().query;
  ASSERT_TRUE(query.with.has_value());
  EXPECT_TRUE(query.with->recursive);
  ASSERT_EQ(query.with->ctes.size(), 2u);
  EXPECT_EQ(query.with->ctes[0].name, "c");
  EXPECT_EQ(query.with->ctes[0].columns, std::vector<std::string>{"n"});
  EXPECT_EQ(query.with->ctes[0].query->body->kind, QueryBodyKind::kSetOp);
  EXPECT_EQ(query.with->ctes[1].name, "d");
}

TEST(ParserStmtTest, InsertForms) {
  StatementPtr h;
  const auto& values = ParseAs<InsertStmt>("INSERT INTO s.t (a, b) VALUES (1, 2), (3, DEFAULT_X)", &h);
  EXPECT_EQ(values.table.schema, "s");
  EXPECT_EQ(values.table.name, "t");
  EXPECT_EQ(values.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(values.source, InsertSource::kQuery);
  EXPECT_EQ(values.query->body->As<ValuesBody>().rows.size(), 2u);
  EXPECT_EQ(values.on_conflict, ConflictAction::kNone);

  StatementPtr h2;
  const auto& select = ParseAs<InsertStmt>("INSERT OR IGNORE INTO t SELECT * FROM u RETURNING a, b AS c", &h2);
  EXPECT_EQ(select.on_conflict, ConflictAction::kIgnore);
  EXPECT_EQ(select.query->body->kind, QueryBodyKind::kSelect);
  ASSERT_EQ(select.returning.size(), 2u);
  EXPECT_EQ(select.returning[1].alias, "c");

  StatementPtr h3;
  const auto& replace = ParseAs<InsertStmt>("REPLACE INTO t DEFAULT VALUES", &h3);
  EXPECT_EQ(replace.on_conflict, ConflictAction::kReplace);
  EXPECT_EQ(replace.source, InsertSource::kDefaultValues);
  EXPECT_EQ(replace.query, nullptr);

  StatementPtr h4;
  EXPECT_EQ(ParseAs<InsertStmt>("INSERT OR REPLACE INTO t VALUES (1)", &h4).on_conflict,
            ConflictAction::kReplace);
}

TEST(ParserStmtTest, UpdateKeepsRepeatedAssignments) {
  StatementPtr h;
  const auto& update =
      ParseAs<UpdateStmt>("UPDATE t AS x SET a = 1, b = DEFAULT, a = a + 1 FROM u WHERE x.k = u.k RETURNING *", &h);
  EXPECT_EQ(update.table.name, "t");
  EXPECT_EQ(update.alias, "x");
  ASSERT_EQ(update.assignments.size(), 3u);
  EXPECT_EQ(update.assignments[0].column, "a");
  EXPECT_EQ(update.assignments[1].value, nullptr);  // DEFAULT
  EXPECT_EQ(update.assignments[2].column, "a");
  EXPECT_EQ(Shape(*update.assignments[2].value), "(+ a 1)");
  EXPECT_EQ(update.from.size(), 1u);
  EXPECT_EQ(Shape(*update.where), "(= x.k u.k)");
  EXPECT_EQ(update.returning.size(), 1u);
}

TEST(ParserStmtTest, Delete) {
  StatementPtr h;
  const auto& del = ParseAs<DeleteStmt>("DELETE FROM t WHERE a IN (1, 2) RETURNING a", &h);
  EXPECT_EQ(del.table.name, "t");
  EXPECT_EQ(Shape(*del.where), "(in a [1 2])");
  EXPECT_EQ(del.returning.size(), 1u);
  StatementPtr h2;
  EXPECT_EQ(ParseAs<DeleteStmt>("DELETE FROM t", &h2).where, nullptr);
}

TEST(ParserStmtTest, WithBeforeDml) {
  StatementPtr h;
  const auto& insert = ParseAs<InsertStmt>("WITH s AS (SELECT 1) INSERT INTO t SELECT * FROM s", &h);
  ASSERT_TRUE(insert.with.has_value());
  EXPECT_EQ(insert.with->ctes[0].name, "s");
  StatementPtr h2;
  EXPECT_TRUE(ParseAs<DeleteStmt>("WITH s AS (SELECT 1) DELETE FROM t", &h2).with.has_value());
}

TEST(ParserStmtTest, CreateTableColumnsAndConstraints) {
  StatementPtr h;
  const auto& create = ParseAs<CreateTableStmt>(
      "CREATE TEMP TABLE IF NOT EXISTS t ("
      " id INTEGER PRIMARY KEY DESC AUTOINCREMENT,"
      " name VARCHAR(10) NOT NULL UNIQUE COLLATE NOCASE,"
      " price NUMERIC(10, 2) DEFAULT -1.5 CHECK (price >= 0),"
      " ratio DOUBLE PRECISION NULL DEFAULT (1 + 2),"
      " counter BIGINT AUTO_INCREMENT,"
      " ident INT GENERATED ALWAYS AS IDENTITY,"
      " ref INT CONSTRAINT fk REFERENCES u (id) ON DELETE CASCADE ON UPDATE SET DEFAULT,"
      " untyped,"
      " CONSTRAINT pk PRIMARY KEY (id, name DESC),"
      " UNIQUE (price),"
      " CHECK (ratio < 1),"
      " FOREIGN KEY (ref, untyped) REFERENCES v (a, b) ON DELETE NO ACTION"
      ") WITH ID_STRATEGY = 'UUID'",
      &h);
  EXPECT_TRUE(create.temporary);
  EXPECT_TRUE(create.if_not_exists);
  ASSERT_EQ(create.columns.size(), 8u);

  const auto& id = create.columns[0];
  EXPECT_EQ(id.type->name, "INTEGER");
  ASSERT_EQ(id.constraints.size(), 1u);
  EXPECT_EQ(id.constraints[0].kind, ColumnConstraintKind::kPrimaryKey);
  EXPECT_EQ(id.constraints[0].direction, SortDirection::kDesc);
  EXPECT_TRUE(id.constraints[0].autoincrement);

  const auto& name = create.columns[1];
  EXPECT_EQ(name.type->name, "VARCHAR");
  EXPECT_EQ(name.type->params, std::vector<std::string>{"10"});
  ASSERT_EQ(name.constraints.size(), 3u);
  EXPECT_EQ(name.constraints[0].kind, ColumnConstraintKind::kNotNull);
  EXPECT_EQ(name.constraints[1].kind, ColumnConstraintKind::kUnique);
  EXPECT_EQ(name.constraints[2].kind, ColumnConstraintKind::kCollate);
  EXPECT_EQ(name.constraints[2].collation, "nocase");

  const auto& price = create.columns[2];
  EXPECT_EQ(price.type->params, (std::vector<std::string>{"10", "2"}));
  EXPECT_EQ(price.constraints[0].kind, ColumnConstraintKind::kDefault);
  EXPECT_EQ(Shape(*price.constraints[0].expr), "(neg 1.5)");
  EXPECT_EQ(price.constraints[1].kind, ColumnConstraintKind::kCheck);
  EXPECT_EQ(Shape(*price.constraints[1].expr), "(>= price 0)");

  const auto& ratio = create.columns[3];
  EXPECT_EQ(ratio.type->name, "DOUBLE PRECISION");
  EXPECT_EQ(ratio.constraints[0].kind, ColumnConstraintKind::kNull);
  EXPECT_EQ(Shape(*ratio.constraints[1].expr), "(+ 1 2)");

  EXPECT_EQ(create.columns[4].constraints[0].kind, ColumnConstraintKind::kAutoIncrement);
  EXPECT_EQ(create.columns[5].constraints[0].kind, ColumnConstraintKind::kIdentity);
  EXPECT_TRUE(create.columns[5].constraints[0].identity_always);

  const auto& ref = create.columns[6].constraints[0];
  EXPECT_EQ(ref.kind, ColumnConstraintKind::kReferences);
  EXPECT_EQ(ref.name, "fk");
  EXPECT_EQ(ref.references.table.name, "u");
  EXPECT_EQ(ref.references.columns, std::vector<std::string>{"id"});
  EXPECT_EQ(ref.references.on_delete, ReferentialAction::kCascade);
  EXPECT_EQ(ref.references.on_update, ReferentialAction::kSetDefault);

  EXPECT_FALSE(create.columns[7].type.has_value());

  ASSERT_EQ(create.constraints.size(), 4u);
  EXPECT_EQ(create.constraints[0].kind, TableConstraintKind::kPrimaryKey);
  EXPECT_EQ(create.constraints[0].name, "pk");
  ASSERT_EQ(create.constraints[0].columns.size(), 2u);
  EXPECT_EQ(create.constraints[0].columns[1].direction, SortDirection::kDesc);
  EXPECT_EQ(create.constraints[1].kind, TableConstraintKind::kUnique);
  EXPECT_EQ(create.constraints[2].kind, TableConstraintKind::kCheck);
  EXPECT_EQ(Shape(*create.constraints[2].check), "(< ratio 1)");
  EXPECT_EQ(create.constraints[3].kind, TableConstraintKind::kForeignKey);
  EXPECT_EQ(create.constraints[3].fk_columns, (std::vector<std::string>{"ref", "untyped"}));
  EXPECT_EQ(create.constraints[3].references.on_delete, ReferentialAction::kNoAction);

  ASSERT_EQ(create.options.size(), 1u);
  EXPECT_EQ(create.options[0].name, "id_strategy");
  EXPECT_EQ(Shape(*create.options[0].value), "'UUID'");
}

TEST(ParserStmtTest, CreateTableAsSelect) {
  StatementPtr h;
  const auto& create = ParseAs<CreateTableStmt>("CREATE TABLE t2 AS SELECT a FROM t", &h);
  ASSERT_NE(create.as_query, nullptr);
  EXPECT_TRUE(create.columns.empty());
}

TEST(ParserStmtTest, SerialTypesAreTypeNames) {
  StatementPtr h;
  const auto& create = ParseAs<CreateTableStmt>("CREATE TABLE t (a SERIAL, b BIGSERIAL, c SMALLSERIAL)", &h);
  EXPECT_EQ(create.columns[0].type->name, "SERIAL");
  EXPECT_EQ(create.columns[1].type->name, "BIGSERIAL");
  EXPECT_EQ(create.columns[2].type->name, "SMALLSERIAL");
}

TEST(ParserStmtTest, CreateIndex) {
  StatementPtr h;
  const auto& index = ParseAs<CreateIndexStmt>(
      "CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a DESC, lower(b)) WHERE a > 0", &h);
  EXPECT_TRUE(index.unique);
  EXPECT_TRUE(index.if_not_exists);
  EXPECT_EQ(index.name.name, "i");
  EXPECT_EQ(index.table.name, "t");
  ASSERT_EQ(index.columns.size(), 2u);
  EXPECT_EQ(index.columns[0].direction, SortDirection::kDesc);
  EXPECT_EQ(Shape(*index.columns[1].expr), "(lower b)");
  EXPECT_EQ(Shape(*index.where), "(> a 0)");
}

TEST(ParserStmtTest, CreateView) {
  StatementPtr h;
  const auto& view = ParseAs<CreateViewStmt>("CREATE TEMPORARY VIEW IF NOT EXISTS v (x) AS SELECT a FROM t", &h);
  EXPECT_TRUE(view.temporary);
  EXPECT_TRUE(view.if_not_exists);
  EXPECT_EQ(view.name.name, "v");
  EXPECT_EQ(view.columns, std::vector<std::string>{"x"});
  ASSERT_NE(view.query, nullptr);
}

TEST(ParserStmtTest, Drop) {
  StatementPtr h;
  const auto& drop = ParseAs<DropStmt>("DROP TABLE IF EXISTS a, b CASCADE", &h);
  EXPECT_EQ(drop.object, ObjectKind::kTable);
  EXPECT_TRUE(drop.if_exists);
  ASSERT_EQ(drop.names.size(), 2u);
  EXPECT_EQ(drop.names[1].name, "b");
  EXPECT_TRUE(drop.cascade);
  StatementPtr h2, h3;
  EXPECT_EQ(ParseAs<DropStmt>("DROP VIEW v", &h2).object, ObjectKind::kView);
  EXPECT_EQ(ParseAs<DropStmt>("DROP INDEX i", &h3).object, ObjectKind::kIndex);
}

TEST(ParserStmtTest, AlterTable) {
  StatementPtr h1, h2, h3, h4;
  const auto& add = ParseAs<AlterTableStmt>("ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0", &h1);
  EXPECT_EQ(add.action, AlterAction::kAddColumn);
  EXPECT_EQ(add.column.name, "c");
  EXPECT_EQ(add.column.constraints.size(), 2u);
  const auto& drop = ParseAs<AlterTableStmt>("ALTER TABLE t DROP c", &h2);
  EXPECT_EQ(drop.action, AlterAction::kDropColumn);
  EXPECT_EQ(drop.name, "c");
  const auto& rename_column = ParseAs<AlterTableStmt>("ALTER TABLE t RENAME COLUMN a TO b", &h3);
  EXPECT_EQ(rename_column.action, AlterAction::kRenameColumn);
  EXPECT_EQ(rename_column.name, "a");
  EXPECT_EQ(rename_column.new_name, "b");
  const auto& rename_table = ParseAs<AlterTableStmt>("ALTER TABLE t RENAME TO u", &h4);
  EXPECT_EQ(rename_table.action, AlterAction::kRenameTable);
  EXPECT_EQ(rename_table.name, "u");
}

TEST(ParserStmtTest, AlterTableConstraint) {
  StatementPtr h1, h2, h3, h4;
  const auto& check = ParseAs<AlterTableStmt>("ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0)", &h1);
  EXPECT_EQ(check.action, AlterAction::kAddConstraint);
  EXPECT_EQ(check.constraint.kind, TableConstraintKind::kCheck);
  EXPECT_EQ(check.constraint.name, "pos");
  ASSERT_NE(check.constraint.check, nullptr);
  const auto& fk = ParseAs<AlterTableStmt>("ALTER TABLE t ADD FOREIGN KEY (a, b) REFERENCES p", &h2);
  EXPECT_EQ(fk.constraint.kind, TableConstraintKind::kForeignKey);
  EXPECT_TRUE(fk.constraint.name.empty());
  EXPECT_EQ(fk.constraint.fk_columns.size(), 2u);
  const auto& drop = ParseAs<AlterTableStmt>("ALTER TABLE t DROP CONSTRAINT IF EXISTS u CASCADE", &h3);
  EXPECT_EQ(drop.action, AlterAction::kDropConstraint);
  EXPECT_EQ(drop.name, "u");
  EXPECT_TRUE(drop.if_exists);
  EXPECT_TRUE(drop.cascade);
  // Without a constraint keyword, ADD still adds a column.
  EXPECT_EQ(ParseAs<AlterTableStmt>("ALTER TABLE t ADD u INT UNIQUE", &h4).action, AlterAction::kAddColumn);
  // Options this dialect does not take are syntax errors.
  EXPECT_FALSE(ParseStatement("ALTER TABLE t ADD CHECK (a > 0) NOT VALID").ok());
  EXPECT_FALSE(ParseStatement("ALTER TABLE t ADD UNIQUE (a) DEFERRABLE").ok());
  EXPECT_FALSE(ParseStatement("ALTER TABLE t DROP CONSTRAINT").ok());
}

TEST(ParserStmtTest, Truncate) {
  StatementPtr h1, h2, h3, h4;
  const auto& one = ParseAs<TruncateStmt>("TRUNCATE TABLE t", &h1);
  ASSERT_EQ(one.tables.size(), 1u);
  EXPECT_EQ(one.tables[0].name, "t");
  EXPECT_FALSE(one.restart_identity);
  EXPECT_FALSE(one.cascade);
  const auto& two = ParseAs<TruncateStmt>("truncate u, s.v restart identity cascade", &h2);
  ASSERT_EQ(two.tables.size(), 2u);
  EXPECT_EQ(two.tables[0].name, "u");
  EXPECT_EQ(two.tables[1].schema, "s");
  EXPECT_EQ(two.tables[1].name, "v");
  EXPECT_TRUE(two.restart_identity);
  EXPECT_TRUE(two.cascade);
  const auto& defaults = ParseAs<TruncateStmt>("TRUNCATE w CONTINUE IDENTITY RESTRICT", &h3);
  EXPECT_FALSE(defaults.restart_identity);
  EXPECT_FALSE(defaults.cascade);
  // The non-reserved words stay usable as table names.
  EXPECT_EQ(ParseAs<TruncateStmt>("TRUNCATE restart, continue", &h4).tables[1].name, "continue");
  EXPECT_FALSE(ParseStatement("TRUNCATE t RESTART").ok());
  EXPECT_FALSE(ParseStatement("TRUNCATE t CASCADE RESTART IDENTITY").ok());
  EXPECT_FALSE(ParseStatement("TRUNCATE t,").ok());
}

TEST(ParserStmtTest, TransactionControl) {
  struct Expect {
    const char* sql;
    TransactionOp op;
    IsolationLevel isolation;
    AccessMode access;
    const char* name;
  };
  const Expect cases[] = {
      {"BEGIN", TransactionOp::kBegin, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"BEGIN WORK", TransactionOp::kBegin, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"BEGIN TRANSACTION ISOLATION LEVEL READ UNCOMMITTED", TransactionOp::kBegin,
       IsolationLevel::kReadUncommitted, AccessMode::kDefault, ""},
      {"BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY", TransactionOp::kBegin,
       IsolationLevel::kReadCommitted, AccessMode::kReadOnly, ""},
      {"START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE", TransactionOp::kBegin,
       IsolationLevel::kRepeatableRead, AccessMode::kReadWrite, ""},
      {"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", TransactionOp::kBegin,
       IsolationLevel::kSerializable, AccessMode::kDefault, ""},
      {"COMMIT", TransactionOp::kCommit, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"COMMIT TRANSACTION", TransactionOp::kCommit, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"END", TransactionOp::kCommit, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"END WORK", TransactionOp::kCommit, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"ROLLBACK", TransactionOp::kRollback, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"ROLLBACK WORK", TransactionOp::kRollback, IsolationLevel::kDefault, AccessMode::kDefault, ""},
      {"SAVEPOINT sp", TransactionOp::kSavepoint, IsolationLevel::kDefault, AccessMode::kDefault, "sp"},
      {"ROLLBACK TO sp", TransactionOp::kRollbackTo, IsolationLevel::kDefault, AccessMode::kDefault, "sp"},
      {"ROLLBACK TRANSACTION TO SAVEPOINT sp", TransactionOp::kRollbackTo, IsolationLevel::kDefault,
       AccessMode::kDefault, "sp"},
      {"RELEASE sp", TransactionOp::kRelease, IsolationLevel::kDefault, AccessMode::kDefault, "sp"},
      {"RELEASE SAVEPOINT sp", TransactionOp::kRelease, IsolationLevel::kDefault, AccessMode::kDefault, "sp"},
      {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", TransactionOp::kSetTransaction,
       IsolationLevel::kSerializable, AccessMode::kDefault, ""},
      {"SET TRANSACTION READ ONLY", TransactionOp::kSetTransaction, IsolationLevel::kDefault,
       AccessMode::kReadOnly, ""},
      {"PREPARE TRANSACTION 'gid-1'", TransactionOp::kPrepare, IsolationLevel::kDefault,
       AccessMode::kDefault, "gid-1"},
      {"COMMIT PREPARED 'gid-1'", TransactionOp::kCommitPrepared, IsolationLevel::kDefault,
       AccessMode::kDefault, "gid-1"},
      {"ROLLBACK PREPARED 'gid-1'", TransactionOp::kRollbackPrepared, IsolationLevel::kDefault,
       AccessMode::kDefault, "gid-1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sql);
    StatementPtr h;
    const auto& stmt = ParseAs<TransactionStmt>(c.sql, &h);
    EXPECT_EQ(stmt.op, c.op);
    EXPECT_EQ(stmt.isolation, c.isolation);
    EXPECT_EQ(stmt.access, c.access);
    EXPECT_EQ(stmt.name, c.name);
  }
}

TEST(ParserStmtTest, ExplainAndAnalyze) {
  StatementPtr h1, h2, h3, h4;
  const auto& explain = ParseAs<ExplainStmt>("EXPLAIN SELECT 1", &h1);
  EXPECT_FALSE(explain.analyze);
  EXPECT_EQ(explain.statement->kind, StatementKind::kSelect);
  const auto& explain_analyze = ParseAs<ExplainStmt>("EXPLAIN ANALYZE DELETE FROM t", &h2);
  EXPECT_TRUE(explain_analyze.analyze);
  EXPECT_EQ(explain_analyze.statement->kind, StatementKind::kDelete);
  EXPECT_FALSE(ParseAs<AnalyzeStmt>("ANALYZE", &h3).table.has_value());
  EXPECT_EQ(ParseAs<AnalyzeStmt>("ANALYZE t", &h4).table->name, "t");

  StatementPtr h5, h6;
  const auto& json = ParseAs<ExplainStmt>("EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1", &h5);
  EXPECT_TRUE(json.analyze);
  EXPECT_EQ(json.format, ExplainFormat::kJson);
  const auto& text = ParseAs<ExplainStmt>("EXPLAIN (FORMAT TEXT) SELECT 1", &h6);
  EXPECT_FALSE(text.analyze);
  EXPECT_EQ(text.format, ExplainFormat::kText);
  for (const char* bad : {"EXPLAIN () SELECT 1", "EXPLAIN (FORMAT) SELECT 1", "EXPLAIN (FORMAT YAML) SELECT 1",
                          "EXPLAIN (VERBOSE) SELECT 1", "EXPLAIN (ANALYZE SELECT 1"}) {
    EXPECT_FALSE(ParseStatement(bad).ok()) << bad;
  }
}

TEST(ParserStmtTest, ScriptsSplitOnSemicolonsAndSkipEmptyStatements) {
  auto script = ParseScript(";; CREATE TABLE t (a INT); INSERT INTO t VALUES (';');\n -- done\n;SELECT 1");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  ASSERT_EQ(script->size(), 3u);
  EXPECT_EQ((*script)[0]->kind, StatementKind::kCreateTable);
  EXPECT_EQ((*script)[1]->kind, StatementKind::kInsert);
  EXPECT_EQ((*script)[2]->kind, StatementKind::kSelect);
  EXPECT_EQ((*script)[2]->pos.line, 3u);
  auto empty = ParseScript("  -- nothing\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParserStmtTest, ClausesCarryPositions) {
  StatementPtr s = Parse("WITH w AS (SELECT 1)\nSELECT a,\n  b FROM t\nORDER BY\n  a DESC");
  const auto& query = *s->As<SelectStmt>().query;
  EXPECT_EQ(query.with->pos.column, 1u);
  EXPECT_EQ(query.with->ctes[0].pos.column, 6u);
  const auto& core = query.body->As<SelectCore>();
  EXPECT_EQ(core.pos.line, 2u);
  EXPECT_EQ(core.items[1].pos.line, 3u);
  EXPECT_EQ(core.items[1].pos.column, 3u);
  EXPECT_EQ(core.from[0]->pos.column, 10u);
  EXPECT_EQ(query.order_by[0].pos.line, 5u);
  EXPECT_EQ(query.order_by[0].pos.column, 3u);

  StatementPtr h;
  const auto& create = ParseAs<CreateTableStmt>("CREATE TABLE t (\n  a INT NOT NULL,\n  PRIMARY KEY (a))", &h);
  EXPECT_EQ(create.columns[0].pos.line, 2u);
  EXPECT_EQ(create.columns[0].type->pos.column, 5u);
  EXPECT_EQ(create.columns[0].constraints[0].pos.column, 9u);
  EXPECT_EQ(create.constraints[0].pos.line, 3u);
  EXPECT_EQ(create.constraints[0].columns[0].pos.column, 16u);

  StatementPtr h2;
  const auto& update = ParseAs<UpdateStmt>("UPDATE t SET a = 1, b = 2", &h2);
  EXPECT_EQ(update.table.pos.column, 8u);
  EXPECT_EQ(update.assignments[1].pos.column, 21u);
}

TEST(ParserStmtTest, StatementPositions) {
  auto script = ParseScript("SELECT 1;\n  UPDATE t SET a = 1");
  ASSERT_TRUE(script.ok());
  EXPECT_EQ((*script)[1]->pos.line, 2u);
  EXPECT_EQ((*script)[1]->pos.column, 3u);
  EXPECT_EQ((*script)[1]->pos.offset, 12u);
}

}  // namespace
}  // namespace neuroquantum::sql
