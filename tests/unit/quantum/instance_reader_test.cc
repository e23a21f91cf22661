// Readers for G-set, bqp and edge lists, and the Max-Cut mapping; the public
// instances when the data directory is present.
#include "quantum/instance_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "quantum_test_util.h"
#include "support/test_data.h"

namespace neuroquantum::quantum {
namespace {

using testing::BitsOf;

TEST(InstanceReaderTest, ParsesGset) {
  auto graph = ParseGset("4 3\n1 2 1\n2 3 -1\n4 1 2\n");
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  EXPECT_EQ(graph->num_vertices, 4u);
  ASSERT_EQ(graph->edges.size(), 3u);
  EXPECT_EQ(graph->edges[2].u, 3u);
  EXPECT_EQ(graph->edges[2].v, 0u);
  EXPECT_EQ(graph->edges[1].weight, -1.0);
}

TEST(InstanceReaderTest, RejectsMalformedGset) {
  EXPECT_FALSE(ParseGset("").ok());
  EXPECT_FALSE(ParseGset("3 2\n1 2 1\n").ok());          // missing edge
  EXPECT_FALSE(ParseGset("3 1\n1 4 1\n").ok());          // vertex out of range
  EXPECT_FALSE(ParseGset("3 1\n0 2 1\n").ok());          // 1-based
  EXPECT_FALSE(ParseGset("3 1\n1 2 x\n").ok());          // bad weight
  EXPECT_FALSE(ParseGset("3 1\n1 2 1\n2 3 1\n").ok());   // extra data
  auto message = ParseGset("3 2\n1 2 1\n1 9 1\n").status().ToString();
  EXPECT_NE(message.find("line 3"), std::string::npos) << message;
}

TEST(InstanceReaderTest, ParsesBqpAsNegatedObjective) {
  // Two instances; the second: Q = [[3, -2], [-2, 1]] read as x'Qx.
  auto models = ParseBqp("2\n1 1\n1 1 5\n2 2\n1 1 3\n1 2 -2\n");
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  ASSERT_EQ(models->size(), 2u);
  EXPECT_EQ((*models)[0].Energy(std::vector<uint8_t>{1}), -5);
  const QuboModel& q = (*models)[1];
  // x'Qx = 3 x1 - 4 x1 x2 (Q22 = 0 since no entry gives it).
  EXPECT_EQ(q.Energy(std::vector<uint8_t>{1, 0}), -3);
  EXPECT_EQ(q.Energy(std::vector<uint8_t>{1, 1}), -(3 - 4));
  EXPECT_EQ(q.Energy(std::vector<uint8_t>{0, 1}), 0);
  EXPECT_EQ(*CountBqpInstances("2\n..."), 2u);
  EXPECT_FALSE(ParseBqp("2\n1 1\n1 1 5\n").ok());  // second instance missing
  EXPECT_FALSE(ParseBqp("1\n2 1\n1 3 5\n").ok());  // index out of range
}

TEST(InstanceReaderTest, ParsesEdgeListWithCommentsAndDefaultWeights) {
  auto graph = ParseEdgeList("# a comment\n\n0 1\n1 2 2.5\n% another\n  4 0 -1\n");
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  EXPECT_EQ(graph->num_vertices, 5u);
  ASSERT_EQ(graph->edges.size(), 3u);
  EXPECT_EQ(graph->edges[0].weight, 1.0);
  EXPECT_EQ(graph->edges[1].weight, 2.5);
  EXPECT_FALSE(ParseEdgeList("0 1 1 7\n").ok());
  EXPECT_FALSE(ParseEdgeList("0 x\n").ok());
  EXPECT_FALSE(ParseEdgeList("# nothing\n").ok());
  EXPECT_NE(ParseEdgeList("0 1\n0 x\n").status().ToString().find("line 2"), std::string::npos);
}

TEST(InstanceReaderTest, MaxCutEnergyIsMinusTheCut) {
  MaxCutGraph graph = testing::RandomGraph(10, 0.5, true, 4);
  graph.edges.push_back({3, 3, 5.0});  // a self-loop is never cut
  auto model = MaxCutToQubo(graph);
  ASSERT_TRUE(model.ok());
  for (uint64_t mask = 0; mask < 1024; ++mask) {
    const auto x = BitsOf(mask, 10);
    EXPECT_EQ(model->Energy(x), -CutValue(graph, x));
  }
}

TEST(InstanceReaderTest, FormatNamesAndGuesses) {
  EXPECT_EQ(*ParseInstanceFormat("gset"), InstanceFormat::kGset);
  EXPECT_FALSE(ParseInstanceFormat("dimacs").ok());
  EXPECT_EQ(GuessInstanceFormat("data/bqp50.txt"), InstanceFormat::kBqp);
  EXPECT_EQ(GuessInstanceFormat("/x/G22.txt"), InstanceFormat::kGset);
  EXPECT_EQ(GuessInstanceFormat("graph.edges"), InstanceFormat::kEdgeList);
}

TEST(InstanceReaderTest, MissingFileIsAnError) {
  auto instance = LoadInstance(Env::Default(), "/nonexistent/G1.txt", InstanceFormat::kGset);
  EXPECT_FALSE(instance.ok());
}

// The public data: sizes as documented, and each certificate cut's value
// recomputed through our reader equals the value best_known.csv states.
TEST(InstanceReaderTest, PublicInstancesAndCertificates) {
  NQ_REQUIRE_TEST_DATA(dir, "qubo");
  std::ifstream csv(dir / "best_known.csv");
  std::string line;
  std::getline(csv, line);
  int checked = 0;
  while (std::getline(csv, line)) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) fields.push_back(field);
    if (fields.size() < 8 || fields[1] != "maxcut") continue;
    const std::string name = fields[0];
    auto instance = LoadInstance(Env::Default(), (dir / "gset" / (name + ".txt")).string(),
                                 InstanceFormat::kGset);
    ASSERT_TRUE(instance.ok()) << instance.status().ToString();
    EXPECT_EQ(instance->model.num_variables(), std::stoul(fields[2])) << name;
    EXPECT_EQ(instance->graph->edges.size(), std::stoul(fields[3])) << name;
    std::ifstream cert(dir / "gset" / (name + ".cert_cut.txt"));
    std::string text((std::istreambuf_iterator<char>(cert)), std::istreambuf_iterator<char>());
    std::vector<uint8_t> side;
    std::stringstream values(text);
    while (std::getline(values, field, ',')) side.push_back(std::stoi(field) > 0 ? 1 : 0);
    ASSERT_EQ(side.size(), instance->model.num_variables()) << name;
    EXPECT_EQ(instance->Value(instance->model.Energy(side)), std::stod(fields[7])) << name;
    ++checked;
  }
  EXPECT_GE(checked, 5);
  auto bqp = LoadInstance(Env::Default(), (dir / "bqp" / "bqp50.txt").string(),
                          InstanceFormat::kBqp, 10);
  ASSERT_TRUE(bqp.ok()) << bqp.status().ToString();
  EXPECT_EQ(bqp->name, "bqp50-10");
  EXPECT_EQ(bqp->model.num_variables(), 50u);
  EXPECT_FALSE(LoadInstance(Env::Default(), (dir / "bqp" / "bqp50.txt").string(),
                            InstanceFormat::kBqp, 11)
                   .ok());
}

}  // namespace
}  // namespace neuroquantum::quantum
