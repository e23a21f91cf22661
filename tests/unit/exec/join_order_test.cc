// Join ordering (exec/join_order.h): dynamic programming and the greedy
// fallback on known join graphs.
#include "exec/join_order.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>

namespace neuroquantum::exec {
namespace {

JoinGraph::Relation Rel(double rows) {
  JoinGraph::Relation r;
  r.rows = rows;
  r.scan_cost = rows;
  return r;
}

JoinGraph::Predicate Edge(int a, int b, double selectivity) {
  return {uint64_t{1} << a | uint64_t{1} << b, selectivity, true};
}

// The tree as text: leaves by number, joins as (left right).
std::string Shape(const JoinTree& t) {
  if (t.relation >= 0) return std::to_string(t.relation);
  return "(" + Shape(*t.left) + " " + Shape(*t.right) + ")";
}

int Leaves(const JoinTree& t) { return t.relation >= 0 ? 1 : Leaves(*t.left) + Leaves(*t.right); }

// Whether every join of the tree is between parts some predicate connects.
bool NoCrossProducts(const JoinTree& t, const JoinGraph& g) {
  if (t.relation >= 0) return true;
  bool connected = false;
  for (const auto& p : g.predicates) {
    connected |= (p.relations & t.left->relations) != 0 && (p.relations & t.right->relations) != 0;
  }
  return connected && NoCrossProducts(*t.left, g) && NoCrossProducts(*t.right, g);
}

TEST(JoinOrderTest, SmallFilteredTableJoinsFirst) {
  // big(0) - mid(1) - small(2): joining mid with the small one first keeps
  // the intermediate result small.
  JoinGraph g;
  g.relations = {Rel(100000), Rel(10000), Rel(10)};
  g.predicates = {Edge(0, 1, 1.0 / 10000), Edge(1, 2, 1.0 / 10000)};
  auto tree = OrderJoins(g);
  EXPECT_EQ(Shape(*tree), "(0 (1 2))");
  // The estimate: 100000 * 10000 * 10 / 10^8.
  EXPECT_NEAR(tree->rows, 100, 1e-6);
  // The smaller input is always the right (materialised) one.
  EXPECT_LE(tree->right->rows, tree->left->rows);
}

// Lookup joins: a relation with an index on the join column is read by
// lookups when the other side is small, and scanned for a hash join when
// it is not.
TEST(JoinOrderTest, IndexedRelationIsLookedUpFromFewRows) {
  JoinGraph g;
  // 20 parts, 600000 line items with an index on the part key: 30 rows a
  // lookup.
  g.relations = {Rel(20), Rel(600000)};
  g.relations[1].lookup_from = 1;
  g.relations[1].lookup_cost = {3 + 30 * 2, 0};
  g.predicates = {Edge(0, 1, 1.0 / 20000)};
  auto tree = OrderJoins(g);
  EXPECT_TRUE(tree->lookup);
  EXPECT_EQ(Shape(*tree), "(0 1)");
  // 20 lookups instead of reading 600000 rows.
  EXPECT_LT(tree->cost, 20 + 20 * 63 + 600 + 1);

  // 200000 outer rows: scanning the line items once costs less.
  g.relations[0] = Rel(200000);
  tree = OrderJoins(g);
  EXPECT_FALSE(tree->lookup) << Shape(*tree);

  // Only the relation the index belongs to can be looked up.
  g.relations[0] = Rel(20);
  g.relations[1].lookup_from = 0;
  g.relations[0].lookup_from = 2;
  g.relations[0].lookup_cost = {0, 4};
  tree = OrderJoins(g);
  EXPECT_FALSE(tree->lookup) << Shape(*tree);

  // Each partner has its own cost: a cheap lookup from relation 2 says
  // nothing of one from relation 0.
  g.relations = {Rel(15000), Rel(150000), Rel(600000)};
  g.relations[1].lookup_from = 0b101;
  g.relations[1].lookup_cost = {8 + 10 * 5, 0, 9.5};
  g.predicates = {Edge(0, 1, 1.0 / 15000), Edge(1, 2, 1.0 / 150000)};
  tree = OrderJoins(g);
  std::function<bool(const JoinTree&)> customer_lookup = [&](const JoinTree& t) {
    if (t.relation >= 0) return false;
    if (t.lookup && t.right->relation == 1 && t.left->relations == 1) return true;
    return customer_lookup(*t.left) || customer_lookup(*t.right);
  };
  EXPECT_FALSE(customer_lookup(*tree)) << Shape(*tree);
}

// a = b, b = c and the implied a = c over three relations filter as two
// equalities, not three: the estimate takes the two that keep the most.
TEST(JoinOrderTest, EqualitiesOfOneClassCountOncePerRelationAdded) {
  JoinGraph g;
  for (double rows : {1000.0, 100.0, 10.0}) g.relations.push_back(Rel(rows));
  for (auto [a, b, selectivity] : {std::tuple{0, 1, 0.01}, std::tuple{1, 2, 0.1}, std::tuple{0, 2, 0.1}}) {
    JoinGraph::Predicate p = Edge(a, b, selectivity);
    p.equal_class = 0;
    g.predicates.push_back(p);
  }
  EXPECT_DOUBLE_EQ(OrderJoins(g)->rows, 1000.0 * 100 * 10 * 0.1 * 0.1);
  // Without a class all three would count.
  for (auto& p : g.predicates) p.equal_class = -1;
  EXPECT_DOUBLE_EQ(OrderJoins(g)->rows, 1000.0 * 100 * 10 * 0.01 * 0.1 * 0.1);
  // Four relations: the equalities counted must join all four (a spanning
  // tree), not just the three weakest, which here close a triangle of
  // 0, 1, 2 and leave 3 out.
  JoinGraph four;
  for (double rows : {1000.0, 1000.0, 1000.0, 1000.0}) four.relations.push_back(Rel(rows));
  for (auto [a, b, selectivity] : {std::tuple{0, 1, 0.005}, std::tuple{0, 2, 0.005}, std::tuple{1, 2, 0.005},
                                   std::tuple{0, 3, 0.001}, std::tuple{1, 3, 0.001}, std::tuple{2, 3, 0.001}}) {
    JoinGraph::Predicate p = Edge(a, b, selectivity);
    p.equal_class = 0;
    four.predicates.push_back(p);
  }
  EXPECT_DOUBLE_EQ(OrderJoins(four)->rows, 1e12 * 0.005 * 0.005 * 0.001);
  // Two relations of the class: its one equality between them.
  JoinGraph pair;
  pair.relations = {Rel(1000), Rel(100)};
  pair.predicates.push_back(Edge(0, 1, 0.01));
  pair.predicates.back().equal_class = 0;
  EXPECT_DOUBLE_EQ(OrderJoins(pair)->rows, 1000.0);
}

// TPC-H Q9's shape: line items (0) of filtered parts (1) join partsupp
// (2) on both columns of its key (partkey, suppkey), and suppliers (3).
// Multiplying the two columns' selectivities as if independent makes the
// join nearly empty; with the key joined, each line item finds its one
// partsupp row.
TEST(JoinOrderTest, JoiningEveryColumnOfAKeyKeepsTheRestsRows) {
  JoinGraph g;
  g.relations = {Rel(600000), Rel(1000), Rel(80000), Rel(1000)};
  g.predicates.push_back(Edge(0, 1, 1.0 / 20000));  // l_partkey = p_partkey
  g.predicates.push_back(Edge(0, 2, 1.0 / 20000));  // l_partkey = ps_partkey
  g.predicates.push_back(Edge(0, 2, 1.0 / 1000));   // l_suppkey = ps_suppkey
  g.predicates.push_back(Edge(0, 3, 1.0 / 1000));   // l_suppkey = s_suppkey
  const auto independent = OrderJoins(g);
  EXPECT_LT(independent->rows, 1000);  // 120
  g.relations[2].unique_keys = {{uint64_t{1} << 0, uint64_t{1} << 0 | uint64_t{1} << 3}};
  g.relations[2].base_rows = 80000;
  g.relations[1].unique_keys = {{uint64_t{1} << 0}};  // one column: its selectivity stands
  g.relations[1].base_rows = 20000;
  const auto keyed = OrderJoins(g);
  // 600000 line items, 1000 of 20000 parts: 30000 rows, each with its
  // partsupp row and supplier.
  EXPECT_NEAR(keyed->rows, 30000, 1);
  // A link table between two tables unrelated otherwise: pairs of a
  // cross product do not each have its row, so the key does not apply.
  JoinGraph link;
  link.relations = {Rel(1000), Rel(80000), Rel(1000)};
  link.relations[1].unique_keys = {{uint64_t{1} << 0, uint64_t{1} << 2}};
  link.relations[1].base_rows = 80000;
  link.predicates = {Edge(0, 1, 1.0 / 20000), Edge(1, 2, 1.0 / 1000)};
  EXPECT_NEAR(OrderJoins(link)->rows, 4000, 1);  // 1000 * 80000 * 1000 / 2e7
  // A condition over all three relations connects the two tables only
  // through the link table: still a cross product.
  JoinGraph::Predicate any{0b111, 0.5, false};
  link.predicates.push_back(any);
  EXPECT_NEAR(OrderJoins(link)->rows, 2000, 1);
  // Conditions other than the key's equalities between the keyed relation
  // and the rest still filter: line items (0) joined to partsupp (1) on
  // its key, and a comparison between them keeping a tenth.
  JoinGraph cost;
  cost.relations = {Rel(600000), Rel(80000)};
  cost.relations[1].unique_keys = {{uint64_t{1} << 0, uint64_t{1} << 0}};
  cost.relations[1].base_rows = 80000;
  cost.predicates = {Edge(0, 1, 1.0 / 20000), Edge(0, 1, 1.0 / 1000), {0b11, 0.1, false}};
  EXPECT_NEAR(OrderJoins(cost)->rows, 60000, 1);
}

// A hash join builds the input cheaper to hold, counting its columns: a
// wide input is probed with, even when it has fewer rows.
TEST(JoinOrderTest, WideInputIsProbedNotBuilt) {
  JoinGraph g;
  g.relations = {Rel(1000), Rel(1500)};
  g.relations[0].width = 50;  // 1000 * (1 + 5) to hold
  g.relations[1].width = 2;   // 1500 * 1.2
  g.predicates.push_back(Edge(0, 1, 0.001));
  EXPECT_EQ(Shape(*OrderJoins(g)), "(0 1)");
  g.relations[0].width = 2;
  EXPECT_EQ(Shape(*OrderJoins(g)), "(1 0)");
}

TEST(JoinOrderTest, AvoidsCrossProductsInAChain) {
  // a(0) - b(1) - c(2) - d(3) where a and d are small: the DP must not
  // join a with d directly (no predicate between them).
  JoinGraph g;
  g.relations = {Rel(5), Rel(1000), Rel(1000), Rel(5)};
  g.predicates = {Edge(0, 1, 0.001), Edge(1, 2, 0.001), Edge(2, 3, 0.001)};
  auto tree = OrderJoins(g);
  EXPECT_EQ(Leaves(*tree), 4);
  EXPECT_TRUE(NoCrossProducts(*tree, g)) << Shape(*tree);
}

TEST(JoinOrderTest, DisconnectedGraphsEndInCrossProducts) {
  JoinGraph g;
  g.relations = {Rel(10), Rel(20), Rel(30)};
  g.predicates = {Edge(0, 1, 0.1)};
  auto tree = OrderJoins(g);
  EXPECT_EQ(Leaves(*tree), 3);
  EXPECT_NEAR(tree->rows, 10 * 20 * 0.1 * 30, 1e-6);
}

TEST(JoinOrderTest, GreedyBeyondTheDpLimit) {
  // A star with a big fact table in the middle and 20 dimensions.
  JoinGraph g;
  g.relations.push_back(Rel(1e6));
  for (int i = 1; i <= 20; ++i) {
    g.relations.push_back(Rel(10.0 * i));
    g.predicates.push_back(Edge(0, i, 1.0 / (10.0 * i)));
  }
  auto tree = OrderJoins(g);
  EXPECT_EQ(Leaves(*tree), 21);
  EXPECT_TRUE(NoCrossProducts(*tree, g)) << Shape(*tree);
  EXPECT_NEAR(tree->rows, 1e6, 1);
}

TEST(JoinOrderTest, DpMatchesExhaustiveSearchOnCliques) {
  // On a 5-clique with varied sizes, the DP's cost is the minimum over
  // every tree (enumerated here by brute force over splits).
  JoinGraph g;
  const double rows[] = {300, 7, 5000, 42, 900};
  for (double r : rows) g.relations.push_back(Rel(r));
  double sel = 0.5;
  for (int a = 0; a < 5; ++a) {
    for (int b = a + 1; b < 5; ++b) {
      g.predicates.push_back(Edge(a, b, sel));
      sel /= 1.7;
    }
  }
  auto tree = OrderJoins(g);
  // Brute force with the same cost rules.
  auto set_rows = [&](uint64_t set) {
    double r = 1;
    for (int i = 0; i < 5; ++i) {
      if (set >> i & 1) r *= rows[i];
    }
    for (const auto& p : g.predicates) {
      if ((p.relations & ~set) == 0) r *= p.selectivity;
    }
    return std::max(r, 1.0);
  };
  std::function<double(uint64_t)> best = [&](uint64_t set) -> double {
    if ((set & (set - 1)) == 0) return rows[__builtin_ctzll(set)];
    double b = 1e300;
    for (uint64_t left = (set - 1) & set; left != 0; left = (left - 1) & set) {
      const uint64_t right = set ^ left;
      b = std::min(b, best(left) + best(right) + set_rows(left) + set_rows(right) + set_rows(set));
    }
    return b;
  };
  EXPECT_NEAR(tree->cost, best(31), 1e-6 * best(31));
}

}  // namespace
}  // namespace neuroquantum::exec
