// Printer round trip: for a corpus covering every statement and expression
// form, ToSql(Parse(sql)) re-parses, prints the same text again, and
// matches the expected canonical form.
#include <string>

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/printer.h"

namespace neuroquantum::sql {
namespace {

struct Case {
  const char* input;
  const char* canonical;  // nullptr: same as input
};

std::string Print(std::string_view sql) {
  auto statement = ParseStatement(sql);
  EXPECT_TRUE(statement.ok()) << sql << "\n" << statement.status().ToString();
  if (!statement.ok()) return "";
  return ToSql(**statement);
}

class RoundTripTest : public ::testing::TestWithParam<Case> {};

TEST_P(RoundTripTest, PrintsCanonicallyAndReparsesToTheSameText) {
  const Case& c = GetParam();
  std::string printed = Print(c.input);
  EXPECT_EQ(printed, c.canonical != nullptr ? c.canonical : c.input);
  EXPECT_EQ(Print(printed), printed) << "not a fixed point";
}

const Case kCases[] = {
    // Expressions and precedence.
    {"SELECT a OR b AND NOT c = d", nullptr},
    {"SELECT (a OR b) AND c", nullptr},
    {"select ((a + b)) * c - -d / 2 % 3", "SELECT (a + b) * c - -d / 2 % 3"},
    {"SELECT - -1, -(-1), - - -x", "SELECT - -1, - -1, - - -x"},
    {"SELECT a - (b - c), (a - b) - c", "SELECT a - (b - c), a - b - c"},
    {"SELECT a || b || c, a || (b || c), (a || b) + 1", "SELECT a || b || c, a || (b || c), (a || b) + 1"},
    {"SELECT a = b = c, a = (b = c), a < b = c < d", nullptr},
    {"SELECT 1 << 2 | 3 & ~4 >> 1", nullptr},
    {"SELECT a div b * c, a DIV (b * c)", "SELECT a DIV b * c, a DIV (b * c)"},
    {"SELECT NOT NOT a, NOT (a AND b)", nullptr},
    {"SELECT a::int, CAST(b AS VARCHAR(10)), c::double precision, d :: NUMERIC(10, -2)",
     "SELECT a::INT, b::VARCHAR(10), c::DOUBLE PRECISION, d::NUMERIC(10, -2)"},
    {"SELECT CAST(a + 1 AS TEXT) COLLATE nocase, CAST(-1 AS INT), -CAST(1 AS INT), x::int::text",
     "SELECT (a + 1)::TEXT COLLATE nocase, (-1)::INT, -1::INT, x::INT::TEXT"},
    {"SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'one' END", nullptr},
    {"SELECT count(*), count(DISTINCT a), sum(ALL b), coalesce(a, b, NULL), now()",
     "SELECT count(*), count(DISTINCT a), sum(b), coalesce(a, b, NULL), now()"},
    {"SELECT left('abc', 2), right(x, 1), replace(a, 'b', 'c'), \"Odd Fn\"(1)", nullptr},
    {"SELECT POSITION('b' IN s || 'x'), SUBSTRING(s FROM 2 FOR 3), SUBSTRING(s FOR 2), SUBSTRING(s FROM a + 1), "
     "TRIM(s), TRIM(FROM s), TRIM('x' FROM s), TRIM(LEADING FROM s), TRIM(TRAILING 'y' FROM s), "
     "TRIM(BOTH 'z' FROM s), EXTRACT(YEAR FROM d)",
     "SELECT position('b', s || 'x'), substring(s, 2, 3), substring(s, 1, 2), substring(s, a + 1), trim(s), "
     "trim(s), trim(s, 'x'), ltrim(s), rtrim(s, 'y'), trim(s, 'z'), extract('year', d)"},
    {"SELECT position((a IN (1, 2)), s), position((x IN t) = TRUE, s), position(a = b, s), position(NOT a, b), "
     "trim(both), trim(\"leading\", x), extract(year, d), substring(s, 1)",
     "SELECT position((a IN (1, 2)), s), position((x IN t = TRUE), s), position(a = b, s), position(NOT a, b), "
     "trim(\"both\"), trim(\"leading\", x), extract(year, d), substring(s, 1)"},
    {"SELECT a IN (1, 2), a NOT IN (SELECT b FROM t), a IN t, a NOT IN (), a IN s.t", nullptr},
    // Window functions: frames print in the BETWEEN form, EXCLUDE NO OTHERS is left out.
    {"select rank() over (partition by a, b order by c desc nulls last), sum(x) over w, "
     "count(*) over (w rows 2 preceding) from t window w as (partition by a), w2 as (w order by b)",
     "SELECT rank() OVER (PARTITION BY a, b ORDER BY c DESC NULLS LAST), sum(x) OVER w, "
     "count(*) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t WINDOW w AS (PARTITION BY a), "
     "w2 AS (w ORDER BY b)"},
    {"SELECT sum(x) OVER (ORDER BY y RANGE BETWEEN UNBOUNDED PRECEDING AND 1 + 1 FOLLOWING EXCLUDE TIES), "
     "lag(x, 2, 0) OVER (ORDER BY y GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP), "
     "first_value(x) OVER (ROWS UNBOUNDED PRECEDING EXCLUDE CURRENT ROW), f() OVER (), "
     "g(x) OVER (RANGE BETWEEN $1 FOLLOWING AND 2 FOLLOWING EXCLUDE NO OTHERS)",
     "SELECT sum(x) OVER (ORDER BY y RANGE BETWEEN UNBOUNDED PRECEDING AND 1 + 1 FOLLOWING EXCLUDE TIES), "
     "lag(x, 2, 0) OVER (ORDER BY y GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP), "
     "first_value(x) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW), f() OVER (), "
     "g(x) OVER (RANGE BETWEEN $1 FOLLOWING AND 2 FOLLOWING)"},
    {"SELECT f() OVER \"rows\", -sum(a) OVER (PARTITION BY b) * 2, \"range\" FROM t GROUP BY \"range\" HAVING 1 "
     "WINDOW \"rows\" AS () ORDER BY sum(sum(a)) OVER (ORDER BY a) DESC",
     nullptr},
    {"SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 1 FROM t WHERE t.a = u.a), (SELECT max(a) FROM t)",
     nullptr},
    {"SELECT a LIKE 'x%', a NOT LIKE 'y' ESCAPE '\\', a GLOB '*', a ILIKE 'Q'", nullptr},
    {"SELECT a BETWEEN 1 AND 2, a NOT BETWEEN b + 1 AND c * 2 AND d", nullptr},
    {"SELECT a IS NULL, a IS NOT NULL, a ISNULL, a NOTNULL, a NOT NULL",
     "SELECT a IS NULL, a IS NOT NULL, a IS NULL, a IS NOT NULL, a IS NOT NULL"},
    {"SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, a IS b, a IS NOT b",
     "SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, a IS NOT DISTINCT FROM b, a IS DISTINCT FROM b"},
    {"SELECT a COLLATE NOCASE, (a || b) COLLATE \"C\", -a COLLATE x",
     "SELECT a COLLATE nocase, (a || b) COLLATE \"C\", -a COLLATE x"},
    {"SELECT 1, 1.5, .5, 1e10, 9223372036854775807, 9223372036854775808, 'it''s', X'00ff', NULL, TRUE, FALSE",
     "SELECT 1, 1.5, .5, 1e10, 9223372036854775807, 9223372036854775808, 'it''s', X'00FF', NULL, TRUE, FALSE"},
    {"SELECT $1, ?, ?3, $10", nullptr},
    {"SELECT DATE '2024-01-31', time '12:00', TIMESTAMP '2024-01-31 12:00:00' + 1, date",
     "SELECT '2024-01-31'::DATE, '12:00'::TIME, '2024-01-31 12:00:00'::TIMESTAMP + 1, date"},
    // Interval literals and the bare clock keywords are casts and calls.
    {"SELECT INTERVAL '1 day', interval '3' month, INTERVAL 2 YEAR, INTERVAL n DAY, d - INTERVAL -1 hours",
     "SELECT '1 day'::INTERVAL, '3 month'::INTERVAL, '2 year'::INTERVAL, n * '1 day'::INTERVAL, "
     "d - -1 * '1 hours'::INTERVAL"},
    {"SELECT INTERVAL (a + 1) MONTH, INTERVAL t.n WEEKS, CAST(x AS INTERVAL)",
     "SELECT (a + 1) * '1 month'::INTERVAL, t.n * '1 weeks'::INTERVAL, x::INTERVAL"},
    {"SELECT CURRENT_DATE, current_timestamp, LOCALTIME, now(), current_time()",
     "SELECT current_date(), current_timestamp(), localtime(), now(), current_time()"},
    {"SELECT interval, interval + 1 FROM t", nullptr},
    {"SELECT (a = b) IS NULL, (a BETWEEN 1 AND 2) = TRUE, a BETWEEN 1 AND 2 IS NULL",
     "SELECT a = b IS NULL, a BETWEEN 1 AND 2 = TRUE, a BETWEEN 1 AND 2 IS NULL"},
    {"SELECT \"Mixed\", \"select\", \"key\", \"a\"\"b\", \"x\" FROM \"T\"",
     "SELECT \"Mixed\", \"select\", \"key\", \"a\"\"b\", x FROM \"T\""},
    // SELECT clauses.
    {"SELECT DISTINCT t.*, *, a AS x, b y, c \"Z\" FROM t", "SELECT DISTINCT t.*, *, a AS x, b AS y, c AS \"Z\" FROM t"},
    {"SELECT ALL a FROM s.t AS x, u v WHERE x.a = v.b GROUP BY 1, a HAVING count(*) > 1",
     "SELECT a FROM s.t AS x, u AS v WHERE x.a = v.b GROUP BY 1, a HAVING count(*) > 1"},
    {"SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (y, z) RIGHT JOIN d ON TRUE FULL OUTER JOIN e ON 1 CROSS JOIN f NATURAL JOIN g NATURAL LEFT JOIN h INNER JOIN i ON 1",
     "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y, z) RIGHT JOIN d ON TRUE FULL JOIN e ON 1 CROSS JOIN f NATURAL JOIN g NATURAL LEFT JOIN h JOIN i ON 1"},
    {"SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.y = b.y", nullptr},
    {"SELECT * FROM (SELECT 1) AS s, (VALUES (1, 2)) v", "SELECT * FROM (SELECT 1) AS s, (VALUES (1, 2)) AS v"},
    {"SELECT * FROM t INDEXED BY i, u NOT INDEXED", nullptr},
    {"SELECT a FROM t ORDER BY a DESC NULLS FIRST, b ASC, c NULLS LAST LIMIT 10 OFFSET 5", nullptr},
    {"SELECT a FROM t LIMIT 5, 10", "SELECT a FROM t LIMIT 10 OFFSET 5"},
    {"SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 EXCEPT SELECT 4 INTERSECT SELECT 5", nullptr},
    {"(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3", nullptr},
    {"SELECT 1 EXCEPT (SELECT 2 EXCEPT SELECT 3)", nullptr},
    {"(SELECT 1 ORDER BY 1 LIMIT 1) UNION ALL SELECT 2 ORDER BY 1", nullptr},
    {"VALUES (1, 'a'), (2, 'b') ORDER BY 1", nullptr},
    {"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10), d AS (SELECT 2) SELECT * FROM c, d",
     nullptr},
    {"SELECT 1 FROM t WHERE a IN (SELECT b FROM u WHERE u.c = t.c) AND EXISTS (SELECT * FROM v)", nullptr},
    // DML.
    {"INSERT INTO t VALUES (1, 2), (3, 4)", nullptr},
    {"INSERT INTO t(a, \"B\") SELECT x, y FROM u RETURNING *", "INSERT INTO t (a, \"B\") SELECT x, y FROM u RETURNING *"},
    {"INSERT OR REPLACE INTO t DEFAULT VALUES", nullptr},
    {"REPLACE INTO t VALUES (1)", "INSERT OR REPLACE INTO t VALUES (1)"},
    {"INSERT OR IGNORE INTO t (a) VALUES ($1) RETURNING a AS x, b", nullptr},
    {"INSERT INTO t (SELECT * FROM u ORDER BY 1 LIMIT 1)", nullptr},
    {"WITH s AS (SELECT 1) INSERT INTO t SELECT * FROM s", nullptr},
    {"UPDATE t SET a = 1, b = DEFAULT, a = a + 1 WHERE c RETURNING a", nullptr},
    {"UPDATE OR IGNORE t AS x SET a = u.b FROM u WHERE x.id = u.id", nullptr},
    {"DELETE FROM t WHERE a > 1 RETURNING *", nullptr},
    {"DELETE FROM t", nullptr},
    // DDL.
    {"CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(10) NOT NULL UNIQUE, price NUMERIC(10, 2) DEFAULT 0, "
     "d DOUBLE PRECISION DEFAULT -1.5, s TEXT DEFAULT 'x' COLLATE NOCASE CHECK (length(s) > 0), "
     "n INT NULL DEFAULT (1 + 2), r INT REFERENCES u (id) ON DELETE CASCADE ON UPDATE SET NULL)",
     "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(10) NOT NULL UNIQUE, price NUMERIC(10, 2) DEFAULT 0, "
     "d DOUBLE PRECISION DEFAULT -1.5, s TEXT DEFAULT 'x' COLLATE nocase CHECK (length(s) > 0), "
     "n INT NULL DEFAULT (1 + 2), r INT REFERENCES u (id) ON DELETE CASCADE ON UPDATE SET NULL)"},
    {"CREATE TEMP TABLE IF NOT EXISTS t (a INTEGER PRIMARY KEY DESC AUTOINCREMENT, b BIGINT AUTO_INCREMENT, "
     "c INT GENERATED ALWAYS AS IDENTITY, d INT GENERATED BY DEFAULT AS IDENTITY, e, "
     "CONSTRAINT pk PRIMARY KEY (a, b DESC), UNIQUE (c), CHECK (c > d), "
     "FOREIGN KEY (d, e) REFERENCES u (x, y) ON DELETE NO ACTION ON UPDATE RESTRICT)",
     nullptr},
    {"CREATE TABLE t (a INT, b TEXT DEFAULT now() NOT NULL, c INT DEFAULT (1::INT), d INT DEFAULT -(2))",
     "CREATE TABLE t (a INT, b TEXT DEFAULT now() NOT NULL, c INT DEFAULT (1::INT), d INT DEFAULT -2)"},
    {"CREATE TABLE t (a INT CONSTRAINT nn NOT NULL, b INT DEFAULT +1)", nullptr},
    {"CREATE TABLE t (id INT) WITH ID_STRATEGY = 'UUID'", "CREATE TABLE t (id INT) WITH (id_strategy = 'UUID')"},
    {"CREATE TABLE t (id INT) WITH (id_strategy = 'snowflake', shards = -4)", nullptr},
    {"CREATE TABLE t AS SELECT * FROM u WHERE FALSE", nullptr},
    {"CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a DESC, lower(b), c COLLATE nocase ASC) WHERE a > 0", nullptr},
    {"CREATE INDEX i ON t(a)", "CREATE INDEX i ON t (a)"},
    {"CREATE TEMP VIEW IF NOT EXISTS v (x, y) AS SELECT a, b FROM t", nullptr},
    {"CREATE VIEW v AS SELECT 1 UNION SELECT 2", nullptr},
    {"DROP TABLE IF EXISTS a, s.b CASCADE", nullptr},
    {"DROP VIEW v", nullptr},
    {"DROP INDEX IF EXISTS i", nullptr},
    {"ALTER TABLE t ADD c INT NOT NULL DEFAULT 0", "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0"},
    {"ALTER TABLE t ADD COLUMN IF NOT EXISTS c TEXT", nullptr},
    {"ALTER TABLE t DROP COLUMN IF EXISTS c", nullptr},
    {"ALTER TABLE t DROP c", "ALTER TABLE t DROP COLUMN c"},
    {"ALTER TABLE t RENAME a TO b", "ALTER TABLE t RENAME COLUMN a TO b"},
    {"ALTER TABLE t RENAME TO u", nullptr},
    {"TRUNCATE t", "TRUNCATE TABLE t"},
    {"truncate table a, s.b continue identity restrict", "TRUNCATE TABLE a, s.b"},
    {"TRUNCATE TABLE a RESTART IDENTITY CASCADE", nullptr},
    {"TRUNCATE b, c CASCADE", "TRUNCATE TABLE b, c CASCADE"},
    // Transactions.
    {"BEGIN", nullptr},
    {"BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY", "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY"},
    {"BEGIN WORK READ WRITE", "BEGIN READ WRITE"},
    {"BEGIN IMMEDIATE", nullptr},
    {"START TRANSACTION ISOLATION LEVEL REPEATABLE READ", "BEGIN ISOLATION LEVEL REPEATABLE READ"},
    {"START TRANSACTION READ ONLY ISOLATION LEVEL READ UNCOMMITTED", "BEGIN ISOLATION LEVEL READ UNCOMMITTED, READ ONLY"},
    {"COMMIT WORK", "COMMIT"},
    {"END TRANSACTION", "COMMIT"},
    {"ROLLBACK TRANSACTION", "ROLLBACK"},
    {"SAVEPOINT s1", nullptr},
    {"ROLLBACK TO s1", "ROLLBACK TO SAVEPOINT s1"},
    {"ROLLBACK TRANSACTION TO SAVEPOINT s1", "ROLLBACK TO SAVEPOINT s1"},
    {"RELEASE s1", "RELEASE SAVEPOINT s1"},
    {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", nullptr},
    {"PREPARE TRANSACTION 'g''1'", nullptr},
    {"COMMIT PREPARED 'g1'", nullptr},
    {"ROLLBACK PREPARED 'g1'", nullptr},
    // EXPLAIN and ANALYZE.
    {"EXPLAIN SELECT 1", nullptr},
    {"EXPLAIN ANALYZE UPDATE t SET a = 1", nullptr},
    {"EXPLAIN (FORMAT JSON) SELECT 1", nullptr},
    {"EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1", nullptr},
    {"explain (format text, analyze true) select 1", "EXPLAIN ANALYZE SELECT 1"},
    {"EXPLAIN (ANALYZE FALSE) SELECT 1", "EXPLAIN SELECT 1"},
    {"ANALYZE", nullptr},
    {"ANALYZE t", nullptr},
    // ALTER COLUMN TYPE.
    {"ALTER TABLE t ALTER c SET DATA TYPE numeric(10, 2)", "ALTER TABLE t ALTER COLUMN c TYPE NUMERIC(10, 2)"},
    {"ALTER TABLE t ALTER COLUMN c TYPE TEXT USING c || 'x'", nullptr},
    // ADD / DROP CONSTRAINT.
    {"ALTER TABLE t ADD CHECK (a > 0)", nullptr},
    {"alter table t add constraint pos check (a > 0)", "ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0)"},
    {"ALTER TABLE t ADD UNIQUE (a, b)", nullptr},
    {"ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (a)", nullptr},
    {"ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p (id) ON DELETE CASCADE", nullptr},
    {"ALTER TABLE t DROP CONSTRAINT t_a_key", nullptr},
    {"ALTER TABLE t DROP CONSTRAINT IF EXISTS c CASCADE", nullptr},
    {"ALTER TABLE t DROP CONSTRAINT c RESTRICT", "ALTER TABLE t DROP CONSTRAINT c"},
    // Upsert.
    {"INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", nullptr},
    {"insert into t (a, b) values (1, 2) on conflict (a) do update set b = excluded.b + t.b where t.b < 9 "
     "returning *",
     "INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = excluded.b + t.b WHERE t.b < 9 "
     "RETURNING *"},
    {"INSERT INTO t SELECT a FROM s WHERE TRUE ON CONFLICT (a, b) DO UPDATE SET a = DEFAULT, b = 2", nullptr},
    {"INSERT INTO t SELECT a FROM s ON CONFLICT (a) DO NOTHING", nullptr},
    {"INSERT INTO t SELECT a FROM s JOIN u ON s.a = u.a ON CONFLICT (a) DO NOTHING", nullptr},
    // Named prepared statements.
    {"PREPARE q AS SELECT $1 + 1", nullptr},
    {"prepare q (int, varchar(5)) as insert into t values ($1, $2)",
     "PREPARE q(INT, VARCHAR(5)) AS INSERT INTO t VALUES ($1, $2)"},
    {"PREPARE transaction AS SELECT 1", "PREPARE \"transaction\" AS SELECT 1"},
    {"EXECUTE q", nullptr},
    {"EXECUTE q(1, 'a' || 'b', $1)", nullptr},
    {"DEALLOCATE q", nullptr},
    {"DEALLOCATE PREPARE ALL", "DEALLOCATE ALL"},
    // Triggers.
    {"create trigger t_ins after insert on t for each row begin insert into log values (new.a); end",
     "CREATE TRIGGER t_ins AFTER INSERT ON t FOR EACH ROW BEGIN INSERT INTO log VALUES (new.a); END"},
    {"CREATE TRIGGER IF NOT EXISTS u BEFORE UPDATE OF a, b ON t WHEN new.a <> old.a BEGIN SELECT raise(abort, "
     "'no'); UPDATE s SET n = n + 1; END",
     nullptr},
    {"CREATE TRIGGER v INSTEAD OF DELETE ON w BEGIN DELETE FROM t WHERE id = old.id; SELECT raise(ignore); END",
     nullptr},
    {"DROP TRIGGER IF EXISTS t_ins", nullptr},
    {"drop trigger t_ins on t", "DROP TRIGGER t_ins ON t"},
};

INSTANTIATE_TEST_SUITE_P(Corpus, RoundTripTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace neuroquantum::sql
