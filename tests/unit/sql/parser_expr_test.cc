// Expression parsing: the precedence table level by level, associativity,
// every special form (IN, LIKE, BETWEEN, IS, CASE, CAST, COLLATE,
// functions, subqueries), literal kinds including int64 overflow,
// parameters and node positions.
#include <string>

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "unit/sql/ast_shape.h"

namespace neuroquantum::sql {
namespace {

using testing::Shape;

// Parses `SELECT <expr>` and returns the single item's expression.
const Expr& ParseExprOf(std::string_view expr, StatementPtr* holder) {
  auto statement = ParseStatement("SELECT " + std::string(expr));
  EXPECT_TRUE(statement.ok()) << expr << ": " << statement.status().ToString();
  *holder = std::move(statement).value();
  const auto& core = (*holder)->As<SelectStmt>().query->body->As<SelectCore>();
  return *core.items.at(0).expr;
}

std::string ShapeOf(std::string_view expr) {
  StatementPtr holder;
  return Shape(ParseExprOf(expr, &holder));
}

TEST(ParserExprTest, BooleanPrecedence) {
  EXPECT_EQ(ShapeOf("a OR b AND NOT c = d"), "(OR a (AND b (NOT (= c d))))");
  EXPECT_EQ(ShapeOf("a AND b OR c AND d"), "(OR (AND a b) (AND c d))");
  EXPECT_EQ(ShapeOf("NOT a OR b"), "(OR (NOT a) b)");
  EXPECT_EQ(ShapeOf("NOT NOT a"), "(NOT (NOT a))");
  EXPECT_EQ(ShapeOf("NOT a IS NULL"), "(NOT (isnull a))");
}

TEST(ParserExprTest, ComparisonBelowConcatBelowArithmetic) {
  EXPECT_EQ(ShapeOf("a = b || c"), "(= a (|| b c))");
  EXPECT_EQ(ShapeOf("a || b + c"), "(|| a (+ b c))");
  EXPECT_EQ(ShapeOf("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(ShapeOf("a * -b"), "(* a (neg b))");
  EXPECT_EQ(ShapeOf("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(ShapeOf("a < b + 1"), "(< a (+ b 1))");
  EXPECT_EQ(ShapeOf("a & b = c"), "(= (& a b) c)");
  EXPECT_EQ(ShapeOf("1 << 2 + 3"), "(<< 1 (+ 2 3))");
  EXPECT_EQ(ShapeOf("a DIV b * c % d / e"), "(/ (% (* (DIV a b) c) d) e)");
}

TEST(ParserExprTest, RelationalBindsTighterThanEquality) {
  // As in SQLite: a = b < c means a = (b < c).
  EXPECT_EQ(ShapeOf("a = b < c"), "(= a (< b c))");
  EXPECT_EQ(ShapeOf("a < b = c"), "(= (< a b) c)");
}

TEST(ParserExprTest, LeftAssociativity) {
  EXPECT_EQ(ShapeOf("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(ShapeOf("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(ShapeOf("a || b || c"), "(|| (|| a b) c)");
  EXPECT_EQ(ShapeOf("a = b = c"), "(= (= a b) c)");
  EXPECT_EQ(ShapeOf("a - (b - c)"), "(- a (- b c))");
}

TEST(ParserExprTest, CastAndCollateArePostfixAndTightest) {
  EXPECT_EQ(ShapeOf("-a::int"), "(neg (cast a INT))");
  EXPECT_EQ(ShapeOf("a + b::text"), "(+ a (cast b TEXT))");
  EXPECT_EQ(ShapeOf("a::int::text"), "(cast (cast a INT) TEXT)");
  EXPECT_EQ(ShapeOf("CAST(a + 1 AS double precision)"), "(cast (+ a 1) DOUBLE PRECISION)");
  EXPECT_EQ(ShapeOf("DATE '2024-01-31' + 1"), "(+ (cast '2024-01-31' DATE) 1)");
  EXPECT_EQ(ShapeOf("a || b COLLATE NOCASE"), "(|| a (collate b nocase))");
  EXPECT_EQ(ShapeOf("a = b COLLATE \"C\""), "(= a (collate b C))");
}

TEST(ParserExprTest, InForms) {
  EXPECT_EQ(ShapeOf("a IN (1, 2)"), "(in a [1 2])");
  EXPECT_EQ(ShapeOf("a NOT IN (1)"), "(notin a [1])");
  EXPECT_EQ(ShapeOf("a IN ()"), "(in a [])");
  EXPECT_EQ(ShapeOf("a NOT IN ()"), "(notin a [])");
  EXPECT_EQ(ShapeOf("a IN (SELECT b FROM t)"), "(in a subquery)");
  EXPECT_EQ(ShapeOf("a IN ((SELECT 1), 2)"), "(in a [(subquery) 2])");
  EXPECT_EQ(ShapeOf("a IN t"), "(in a table t)");
  EXPECT_EQ(ShapeOf("a + 1 IN (2) AND b"), "(AND (in (+ a 1) [2]) b)");
}

TEST(ParserExprTest, LikeBetweenIs) {
  EXPECT_EQ(ShapeOf("a LIKE 'x%' ESCAPE '!'"), "(like a 'x%' '!')");
  EXPECT_EQ(ShapeOf("a NOT LIKE b || 'c'"), "(notlike a (|| b 'c'))");
  EXPECT_EQ(ShapeOf("a BETWEEN 1 AND 2 AND b"), "(AND (between a 1 2) b)");
  EXPECT_EQ(ShapeOf("a NOT BETWEEN b - 1 AND b + 1"), "(notbetween a (- b 1) (+ b 1))");
  EXPECT_EQ(ShapeOf("a IS NULL"), "(isnull a)");
  EXPECT_EQ(ShapeOf("a IS NOT NULL"), "(notnull a)");
  EXPECT_EQ(ShapeOf("a ISNULL"), "(isnull a)");
  EXPECT_EQ(ShapeOf("a NOTNULL"), "(notnull a)");
  EXPECT_EQ(ShapeOf("a NOT NULL"), "(notnull a)");
  EXPECT_EQ(ShapeOf("a IS DISTINCT FROM b"), "(distinct a b)");
  EXPECT_EQ(ShapeOf("a IS NOT DISTINCT FROM b + 1"), "(notdistinct a (+ b 1))");
  EXPECT_EQ(ShapeOf("a IS b"), "(notdistinct a b)");
  EXPECT_EQ(ShapeOf("a IS NOT b"), "(distinct a b)");
}

TEST(ParserExprTest, CaseForms) {
  StatementPtr holder;
  const auto& searched = ParseExprOf("CASE WHEN a THEN 1 WHEN b THEN 2 END", &holder).As<CaseExpr>();
  EXPECT_EQ(searched.operand, nullptr);
  ASSERT_EQ(searched.whens.size(), 2u);
  EXPECT_EQ(Shape(*searched.whens[1].condition), "b");
  EXPECT_EQ(searched.else_result, nullptr);
  StatementPtr holder2;
  const auto& simple = ParseExprOf("CASE x + 1 WHEN 1 THEN 'a' ELSE 'b' END", &holder2).As<CaseExpr>();
  ASSERT_NE(simple.operand, nullptr);
  EXPECT_EQ(Shape(*simple.operand), "(+ x 1)");
  EXPECT_EQ(Shape(*simple.else_result), "'b'");
}

TEST(ParserExprTest, FunctionCalls) {
  EXPECT_EQ(ShapeOf("count(*)"), "(count *)");
  EXPECT_EQ(ShapeOf("COUNT(DISTINCT a)"), "(count distinct a)");
  EXPECT_EQ(ShapeOf("sum(ALL a)"), "(sum a)");
  EXPECT_EQ(ShapeOf("now()"), "(now)");
  EXPECT_EQ(ShapeOf("coalesce(a, NULL, 1)"), "(coalesce a NULL 1)");
  EXPECT_EQ(ShapeOf("left(a, 2) || replace(a, 'x', 'y')"), "(|| (left a 2) (replace a 'x' 'y'))");
  EXPECT_EQ(ShapeOf("\"MyFn\"(1)"), "(MyFn 1)");
}

TEST(ParserExprTest, SubqueriesAndExists) {
  EXPECT_EQ(ShapeOf("(SELECT 1) + 1"), "(+ (subquery) 1)");
  EXPECT_EQ(ShapeOf("NOT EXISTS (SELECT 1)"), "(NOT (exists))");
  EXPECT_EQ(ShapeOf("((((1))))"), "1");
}

TEST(ParserExprTest, LiteralKinds) {
  StatementPtr holder;
  auto lit = [&](std::string_view text) -> const LiteralExpr& {
    return ParseExprOf(text, &holder).As<LiteralExpr>();
  };
  EXPECT_EQ(lit("42").literal, LiteralKind::kInteger);
  EXPECT_EQ(lit("42").int_value, 42);
  EXPECT_EQ(lit("9223372036854775807").int_value, INT64_MAX);
  EXPECT_EQ(lit("9223372036854775808").literal, LiteralKind::kNumeric);  // overflow: exact text
  EXPECT_EQ(lit("9223372036854775808").text, "9223372036854775808");
  EXPECT_EQ(lit("1.50").literal, LiteralKind::kNumeric);
  EXPECT_EQ(lit("1.50").text, "1.50");
  EXPECT_EQ(lit("1e3").literal, LiteralKind::kFloat);
  EXPECT_EQ(lit("'x'").literal, LiteralKind::kString);
  EXPECT_EQ(lit("X'41'").literal, LiteralKind::kBlob);
  EXPECT_EQ(lit("X'41'").text, "A");
  EXPECT_EQ(lit("null").literal, LiteralKind::kNull);
  EXPECT_EQ(lit("TRUE").literal, LiteralKind::kTrue);
  EXPECT_EQ(lit("false").literal, LiteralKind::kFalse);
  // Negative numbers are a minus applied to a literal.
  EXPECT_EQ(ShapeOf("-9223372036854775808"), "(neg 9223372036854775808)");
}

TEST(ParserExprTest, Parameters) {
  StatementPtr holder;
  const auto& dollar = ParseExprOf("$12", &holder).As<ParameterExpr>();
  EXPECT_EQ(dollar.number, 12u);
  EXPECT_TRUE(dollar.dollar);
  StatementPtr holder2;
  EXPECT_EQ(ParseExprOf("?", &holder2).As<ParameterExpr>().number, 0u);
  StatementPtr holder3;
  EXPECT_EQ(ParseExprOf("?3", &holder3).As<ParameterExpr>().number, 3u);
}

TEST(ParserExprTest, ColumnReferences) {
  StatementPtr holder;
  const auto& ref = ParseExprOf("S.T.\"Col\"", &holder).As<ColumnRefExpr>();
  EXPECT_EQ(ref.schema, "s");
  EXPECT_EQ(ref.table, "t");
  EXPECT_EQ(ref.column, "Col");
  // Non-reserved keywords are ordinary names.
  EXPECT_EQ(ShapeOf("key + level + action"), "(+ (+ key level) action)");
}

TEST(ParserExprTest, NodesCarryPositions) {
  StatementPtr holder;
  const auto& top = ParseExprOf("a +\n  b * c", &holder).As<BinaryExpr>();
  EXPECT_EQ(top.pos.line, 1u);
  EXPECT_EQ(top.pos.column, 10u);  // the operator
  EXPECT_EQ(top.left->pos.column, 8u);
  const auto& product = top.right->As<BinaryExpr>();
  EXPECT_EQ(product.left->pos.line, 2u);
  EXPECT_EQ(product.left->pos.column, 3u);
  EXPECT_EQ(product.left->pos.offset, 13u);
}

TEST(ParserExprTest, HeightIsTracked) {
  StatementPtr holder;
  EXPECT_EQ(ParseExprOf("1", &holder).height, 1u);
  EXPECT_EQ(ParseExprOf("1 + 2 + 3", &holder).height, 3u);
  EXPECT_EQ(ParseExprOf("(SELECT 1 + 2)", &holder).height, 5u);  // expr, query, core, +
}

TEST(ParserExprTest, WindowCalls) {
  StatementPtr holder;
  const auto& f = ParseExprOf("sum(x) OVER (w ORDER BY y DESC ROWS 2 + 1 PRECEDING EXCLUDE TIES)", &holder)
                      .As<FunctionExpr>();
  ASSERT_NE(f.over, nullptr);
  EXPECT_EQ(f.over->base, "w");
  EXPECT_FALSE(f.over->reference_only);
  EXPECT_TRUE(f.over->partition_by.empty());
  ASSERT_EQ(f.over->order_by.size(), 1u);
  EXPECT_EQ(f.over->order_by[0].direction, SortDirection::kDesc);
  ASSERT_TRUE(f.over->frame.has_value());
  EXPECT_EQ(f.over->frame->unit, FrameUnit::kRows);
  EXPECT_EQ(f.over->frame->start.kind, FrameBoundKind::kPreceding);
  EXPECT_EQ(Shape(*f.over->frame->start.offset), "(+ 2 1)");
  // Without BETWEEN the frame ends at the current row.
  EXPECT_EQ(f.over->frame->end.kind, FrameBoundKind::kCurrentRow);
  EXPECT_EQ(f.over->frame->exclusion, FrameExclusion::kTies);
  EXPECT_EQ(f.over->frame->pos.column, 39u);
  // The window's expressions count in the call's height.
  EXPECT_EQ(f.height, 3u);

  const auto& g = ParseExprOf("rank() OVER w", &holder).As<FunctionExpr>();
  ASSERT_NE(g.over, nullptr);
  EXPECT_EQ(g.over->base, "w");
  EXPECT_TRUE(g.over->reference_only);
  EXPECT_EQ(ParseExprOf("count(*)", &holder).As<FunctionExpr>().over, nullptr);

  auto statement = ParseStatement("SELECT 1 FROM t WINDOW a AS (PARTITION BY b, c), d AS (a RANGE CURRENT ROW)");
  ASSERT_TRUE(statement.ok()) << statement.status().ToString();
  const auto& core = (*statement)->As<SelectStmt>().query->body->As<SelectCore>();
  ASSERT_EQ(core.windows.size(), 2u);
  EXPECT_EQ(core.windows[0].name, "a");
  EXPECT_EQ(core.windows[0].spec.partition_by.size(), 2u);
  EXPECT_EQ(core.windows[1].spec.base, "a");
  EXPECT_EQ(core.windows[1].spec.frame->unit, FrameUnit::kRange);
}

}  // namespace
}  // namespace neuroquantum::sql
