// CSV reading: layouts, class discovery, and the errors for bad files.
#include <gtest/gtest.h>

#include "neuro/dataset.h"
#include "support/test_data.h"

namespace neuroquantum::neuro {
namespace {

Dataset MustParse(std::string_view text, const CsvOptions& options = {}) {
  auto data = ParseCsv(text, options);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return data.ok() ? std::move(data).value() : Dataset{};
}

TEST(CsvReaderTest, HeaderRowNamesColumnsAndLastColumnIsTheTarget) {
  Dataset d = MustParse("a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
  ASSERT_EQ(d.features.rows(), 3);
  ASSERT_EQ(d.features.cols(), 2);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.target_name, "label");
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(d.labels(), (std::vector<int>{0, 1, 0}));
  EXPECT_DOUBLE_EQ(d.features(2, 1), 6.0);
}

TEST(CsvReaderTest, TargetByNameOrIndex) {
  CsvOptions by_name;
  by_name.target = "a";
  by_name.task = Task::kRegress;
  Dataset d = MustParse("a,b,c\n1.5,2,3\n2.5,4,5\n", by_name);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"b", "c"}));
  EXPECT_DOUBLE_EQ(d.targets[1], 2.5);
  CsvOptions by_index;
  by_index.target = "#1";
  by_index.task = Task::kRegress;
  d = MustParse("a,b,c\n1.5,2,3\n2.5,4,5\n", by_index);
  EXPECT_EQ(d.target_name, "b");
}

TEST(CsvReaderTest, NumericClassLabelsAreOrderedByValue) {
  Dataset d = MustParse("x,y\n0.1,10\n0.2,2\n0.3,10\n");
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"2", "10"}));
  EXPECT_EQ(d.labels(), (std::vector<int>{1, 0, 1}));
}

TEST(CsvReaderTest, CountsFirstLineGivesClassNames) {
  Dataset d = MustParse("3,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n4.7,3.2,0\n");
  ASSERT_EQ(d.features.rows(), 3);
  ASSERT_EQ(d.features.cols(), 2);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"setosa", "versicolor"}));
  EXPECT_EQ(d.labels(), (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(d.target_name, "label");
}

TEST(CsvReaderTest, NoHeaderWhenFirstLineIsData) {
  Dataset d = MustParse("1,2,0\n3,4,1\n");
  EXPECT_EQ(d.features.rows(), 2);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"c0", "c1"}));
}

TEST(CsvReaderTest, QuotedFieldsAndCrLf) {
  Dataset d = MustParse("\"a,1\",b\r\n1,\"yes, really\"\r\n2,no\r\n");
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"a,1"}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"no", "yes, really"}));
}

TEST(CsvReaderTest, RaggedRowIsRejectedWithItsLine) {
  auto d = ParseCsv("a,b,c\n1,2,3\n4,5\n", {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("line 3"), std::string_view::npos) << d.status().ToString();
  EXPECT_NE(d.status().message().find("ragged"), std::string_view::npos);
}

TEST(CsvReaderTest, NonNumericFeatureIsRejectedWithLineAndColumn) {
  auto d = ParseCsv("a,b,c\n1,2,3\n4,oops,5\n", {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("line 3, column 2"), std::string_view::npos) << d.status().ToString();
  EXPECT_NE(d.status().message().find("oops"), std::string_view::npos);
}

TEST(CsvReaderTest, EmptyFeatureAndNonFiniteAreRejected) {
  EXPECT_FALSE(ParseCsv("a,b\n,1\n", {}).ok());
  EXPECT_FALSE(ParseCsv("a,b\nnan,1\n", {}).ok());
  EXPECT_FALSE(ParseCsv("a,b\ninf,1\n", {}).ok());
}

TEST(CsvReaderTest, UnknownTargetIsNotFoundAndListsColumns) {
  CsvOptions o;
  o.target = "price";
  auto d = ParseCsv("a,b\n1,2\n", o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  EXPECT_NE(d.status().message().find("columns are: a, b"), std::string_view::npos) << d.status().ToString();
  o.target = "#7";
  EXPECT_EQ(ParseCsv("a,b\n1,2\n", o).status().code(), StatusCode::kNotFound);
}

TEST(CsvReaderTest, OptionalTargetMayBeAbsent) {
  CsvOptions o;
  o.target = "y";
  o.target_optional = true;
  Dataset d = MustParse("a,b\n1,2\n", o);
  EXPECT_EQ(d.features.cols(), 2);
  EXPECT_FALSE(d.has_target());
}

TEST(CsvReaderTest, NonNumericRegressionTargetIsRejected) {
  CsvOptions o;
  o.task = Task::kRegress;
  auto d = ParseCsv("a,b\n1,2\n3,x\n", o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("line 3, column 2"), std::string_view::npos);
}

TEST(CsvReaderTest, EmptyAndHeaderOnlyAndUnterminatedQuote) {
  EXPECT_EQ(ParseCsv("", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsv("\n\n", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsv("a,b\n", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsv("a,b\n\"1,2\n", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsv("a\n1\n", {}).status().code(), StatusCode::kInvalidArgument);  // no feature
}

TEST(CsvReaderTest, KnownClassesMapLabelsToTheModelsIndices) {
  CsvOptions o;
  o.known_classes = {"b", "a"};
  Dataset d = MustParse("x,y\n1,a\n2,b\n3,1\n", o);
  EXPECT_EQ(d.labels(), (std::vector<int>{1, 0, 1}));
  EXPECT_FALSE(ParseCsv("x,y\n1,c\n", o).ok());
}

TEST(CsvReaderTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadCsvFile("/nonexistent/dir/x.csv", {}).status().code(), StatusCode::kNotFound);
}

TEST(CsvReaderTest, PublicDataSetsLoad) {
  NQ_REQUIRE_TEST_DATA(dir, "ml");
  auto iris = ReadCsvFile((dir / "iris.csv").string(), {});
  ASSERT_TRUE(iris.ok()) << iris.status().ToString();
  EXPECT_EQ(iris->features.rows(), 150);
  EXPECT_EQ(iris->features.cols(), 4);
  EXPECT_EQ(iris->class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  auto digits = ReadCsvFile((dir / "digits.csv.gz").string(), {});
  ASSERT_TRUE(digits.ok()) << digits.status().ToString();
  EXPECT_EQ(digits->features.rows(), 1797);
  EXPECT_EQ(digits->features.cols(), 64);
  EXPECT_EQ(digits->class_names.size(), 10u);
}

}  // namespace
}  // namespace neuroquantum::neuro
