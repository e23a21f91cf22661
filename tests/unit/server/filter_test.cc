// Tests for the structured filters of the table resources: the SQL and the
// bound values each form produces, and refusal (with the place named) of
// unknown columns and operators, bad operands, deep nesting and too many
// values.
#include "server/filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace neuroquantum::server {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kColumns = {"id", "name", "Age", "deleted_at", "and_more"};

std::string Sql(const std::string& filter, Json* params = nullptr) {
  Json local = Json::array();
  Json* p = params != nullptr ? params : &local;
  auto r = FilterToSql(Json::parse(filter), kColumns, p);
  EXPECT_TRUE(r.ok()) << filter << ": " << r.status().ToString();
  return r.ok() ? *r : "";
}

std::string Error(const std::string& filter) {
  Json params = Json::array();
  auto r = FilterToSql(Json::parse(filter), kColumns, &params);
  EXPECT_FALSE(r.ok()) << filter << " gave " << (r.ok() ? *r : "");
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

TEST(FilterTest, EveryOperator) {
  Json params = Json::array();
  EXPECT_EQ(Sql(R"({"name": "ann"})", &params), R"(name = $1)");
  EXPECT_EQ(params, Json::parse(R"(["ann"])"));
  EXPECT_EQ(Sql(R"({"id": {"eq": 1}})"), R"(id = $1)");
  EXPECT_EQ(Sql(R"({"id": {"ne": 1}})"), R"(id <> $1)");
  EXPECT_EQ(Sql(R"({"id": {"lt": 1}})"), R"(id < $1)");
  EXPECT_EQ(Sql(R"({"id": {"le": 1}})"), R"(id <= $1)");
  EXPECT_EQ(Sql(R"({"id": {"gt": 1}})"), R"(id > $1)");
  EXPECT_EQ(Sql(R"({"id": {"ge": 1.5}})"), R"(id >= $1)");
  params = Json::array();
  EXPECT_EQ(Sql(R"({"id": {"in": [1, 2, 3]}})", &params), R"(id IN ($1, $2, $3))");
  EXPECT_EQ(params, Json::parse("[1, 2, 3]"));
  EXPECT_EQ(Sql(R"({"id": {"in": []}})"), "FALSE");
  EXPECT_EQ(Sql(R"({"name": {"like": "A%"}})"), R"(name LIKE $1)");
  EXPECT_EQ(Sql(R"({"deleted_at": {"is_null": true}})"), R"(deleted_at IS NULL)");
  EXPECT_EQ(Sql(R"({"deleted_at": {"is_null": false}})"), R"(deleted_at IS NOT NULL)");
  EXPECT_EQ(Sql("{}"), "TRUE");
}

TEST(FilterTest, CombinationsAndNumbering) {
  Json params = Json::parse(R"(["already"])");  // e.g. the SET values of an UPDATE
  EXPECT_EQ(Sql(R"({"or": [{"id": {"in": [1, 2]}}, {"and": [{"name": "x"}, {"not": {"age": {"ge": 18, "lt": 65}}}]}]})",
                &params),
            R"((id IN ($2, $3) OR (name = $4 AND NOT (("Age" >= $5 AND "Age" < $6)))))");
  EXPECT_EQ(params, Json::parse(R"(["already", 1, 2, "x", 18, 65])"));
  // Several keys of one object are ANDed, in the object's key order.
  EXPECT_EQ(Sql(R"({"id": 1, "name": "x"})"), R"((id = $1 AND name = $2))");
}

TEST(FilterTest, ColumnsMatchExactlyThenIgnoringCase) {
  EXPECT_EQ(Sql(R"({"age": 3})"), R"("Age" = $1)");
  EXPECT_EQ(Sql(R"({"NAME": "x"})"), R"(name = $1)");
  EXPECT_EQ(ResolveColumn({"a", "A"}, "a"), "a");
  EXPECT_EQ(ResolveColumn({"a", "A"}, "A"), "A");
  EXPECT_EQ(ResolveColumn({"ab", "AB"}, "Ab"), "");  // ambiguous
  EXPECT_EQ(ResolveColumn({"x"}, "y"), "");
}

TEST(FilterTest, ValuesAreNeverSpliced) {
  Json params = Json::array();
  std::string sql = Sql(R"({"name": "x' OR 1=1 --"})", &params);
  EXPECT_EQ(sql.find("OR 1=1"), std::string::npos);
  EXPECT_EQ(params[0], "x' OR 1=1 --");
  // A column name is an identifier of the table or refused: no way in.
  EXPECT_NE(Error(R"({"name\" = name OR \"id": 1})").find("no column"), std::string::npos);
}

TEST(FilterTest, ErrorsNameThePlace) {
  EXPECT_EQ(Error(R"({"nope": 1})"), "filter.nope: the table has no column \"nope\"");
  EXPECT_EQ(Error(R"({"or": [{"id": 1}, {"id": {"gtx": 1}}]})"),
            "filter.or[1].id.gtx: unknown operator \"gtx\"; use one of eq, ne, lt, le, gt, ge, in, like, is_null");
  EXPECT_NE(Error(R"({"id": null})").find("is_null"), std::string::npos);
  EXPECT_NE(Error(R"({"id": {"eq": null}})").find("filter.id.eq"), std::string::npos);
  EXPECT_NE(Error(R"({"id": {"eq": [1]}})").find("must be a string, a number or a boolean"), std::string::npos);
  EXPECT_NE(Error(R"({"id": {"in": 1}})").find("array"), std::string::npos);
  EXPECT_NE(Error(R"({"id": {"in": [1, {"x": 1}]}})").find("filter.id.in[1]"), std::string::npos);
  EXPECT_NE(Error(R"({"name": {"like": 5}})").find("string pattern"), std::string::npos);
  EXPECT_NE(Error(R"({"deleted_at": {"is_null": "yes"}})").find("true or false"), std::string::npos);
  EXPECT_NE(Error(R"({"id": {}})").find("names no operator"), std::string::npos);
  EXPECT_NE(Error(R"({"and": []})").find("non-empty array"), std::string::npos);
  EXPECT_NE(Error(R"({"or": {"id": 1}})").find("non-empty array"), std::string::npos);
  EXPECT_NE(Error(R"([1])").find("JSON object"), std::string::npos);
  EXPECT_NE(Error(R"({"id": 18446744073709551615})").find("BIGINT"), std::string::npos);
}

TEST(FilterTest, LimitsOnDepthAndValues) {
  std::string deep = R"({"id": 1})";
  for (int i = 0; i < kMaxFilterDepth + 1; ++i) deep = R"({"not": )" + deep + "}";
  EXPECT_NE(Error(deep).find("deeper than"), std::string::npos);
  Json many = Json::array();
  for (size_t i = 0; i <= kMaxFilterValues; ++i) many.push_back(i);
  Json params = Json::array();
  auto r = FilterToSql(Json{{"id", {{"in", many}}}}, kColumns, &params);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than"), std::string::npos);
}

}  // namespace
}  // namespace neuroquantum::server
