// Penalty terms: infeasible assignments always lose, the penalised minimum
// is the constrained minimum, and slack variables cover the full range.
#include "quantum/constraints.h"

#include <gtest/gtest.h>

#include "quantum/exact_solver.h"
#include "quantum_test_util.h"

namespace neuroquantum::quantum {
namespace {

using testing::BitsOf;

// Every assignment of all variables (original + slack): each feasible one
// (for the best slack) beats every infeasible one, and the penalised
// minimum is the constrained optimum.
void ExpectPenaltiesWork(const ConstrainedQubo& cq) {
  const size_t n = cq.model.num_variables();
  ASSERT_LE(n, 20u);
  double best_feasible_objective = INFINITY;
  double best_feasible_energy = INFINITY;
  double worst_feasible_energy = -INFINITY;
  double best_infeasible_energy = INFINITY;
  for (uint64_t mask = 0; mask < (uint64_t{1} << n); ++mask) {
    const auto x = BitsOf(mask, n);
    const double energy = cq.model.Energy(x);
    if (cq.IsFeasible(x)) {
      best_feasible_objective = std::min(best_feasible_objective, cq.ObjectiveValue(x));
      best_feasible_energy = std::min(best_feasible_energy, energy);
    } else {
      best_infeasible_energy = std::min(best_infeasible_energy, energy);
    }
  }
  // With the optimal slack, a feasible assignment pays no penalty.
  EXPECT_DOUBLE_EQ(best_feasible_energy, best_feasible_objective);
  // Any feasible assignment with zero penalty beats every infeasible one.
  for (uint64_t mask = 0; mask < (uint64_t{1} << cq.num_original_variables); ++mask) {
    const auto x_original = BitsOf(mask, cq.num_original_variables);
    std::vector<uint8_t> x(x_original);
    x.resize(n, 0);
    if (!cq.IsFeasible(x)) continue;
    worst_feasible_energy = std::max(worst_feasible_energy, cq.ObjectiveValue(x));
  }
  EXPECT_LT(worst_feasible_energy, best_infeasible_energy);
  auto exact = ExactSolver().Solve(cq.model, {});
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(cq.IsFeasible(exact->assignment));
  EXPECT_DOUBLE_EQ(cq.ObjectiveValue(exact->assignment), best_feasible_objective);
}

TEST(ConstraintsTest, EqualityChooseExactlyK) {
  // Maximise a sum of weights (minimise its negative) with exactly 3 of 8 chosen.
  ConstrainedQuboBuilder builder(8);
  LinearConstraint pick_three{.sense = ConstraintSense::kEqual, .rhs = 3, .name = "pick 3"};
  for (VarIndex i = 0; i < 8; ++i) {
    builder.objective().AddLinear(i, -double(i + 1));
    builder.objective().AddQuadratic(i, (i + 1) % 8, 2.0);
    pick_three.terms.push_back({i, 1});
  }
  builder.AddConstraint(pick_three);
  auto cq = builder.Build();
  ASSERT_TRUE(cq.ok()) << cq.status().ToString();
  EXPECT_EQ(cq->num_original_variables, 8u);
  EXPECT_EQ(cq->model.num_variables(), 8u);  // no slack for an equality
  EXPECT_GT(cq->penalty_weights[0], cq->objective.AbsoluteWeightSum());
  ExpectPenaltiesWork(*cq);
}

TEST(ConstraintsTest, InequalitiesGetSlackBits) {
  // Knapsack-like: weights 3,5,2,7,4,6 <= 11 and at least 2 items.
  ConstrainedQuboBuilder builder(6);
  const double weights[] = {3, 5, 2, 7, 4, 6};
  LinearConstraint capacity{.sense = ConstraintSense::kLessEqual, .rhs = 11};
  LinearConstraint at_least_two{.sense = ConstraintSense::kGreaterEqual, .rhs = 2};
  for (VarIndex i = 0; i < 6; ++i) {
    builder.objective().AddLinear(i, -weights[i] * 1.5 - (i % 2));
    capacity.terms.push_back({i, weights[i]});
    at_least_two.terms.push_back({i, 1});
  }
  builder.AddConstraint(capacity);
  builder.AddConstraint(at_least_two);
  auto cq = builder.Build();
  ASSERT_TRUE(cq.ok()) << cq.status().ToString();
  // Slack for U = 11: 1+2+4+4 (four bits); for 6-item >= 2: U = 4: 1+2+1.
  EXPECT_EQ(cq->model.num_variables(), 6u + 4u + 3u);
  ExpectPenaltiesWork(*cq);
}

TEST(ConstraintsTest, SlackCoversEveryValueOfTheRange) {
  for (int bound = 0; bound <= 20; ++bound) {
    // x0 + 2 x1 + 3 x2 <= bound, objective -(x0 + x1 + x2).
    ConstrainedQuboBuilder builder(3);
    LinearConstraint c{.sense = ConstraintSense::kLessEqual, .rhs = double(bound)};
    for (VarIndex i = 0; i < 3; ++i) {
      c.terms.push_back({i, double(i + 1)});
      builder.objective().AddLinear(i, -1);
    }
    builder.AddConstraint(c);
    auto cq = builder.Build();
    ASSERT_TRUE(cq.ok());
    const size_t n = cq->model.num_variables();
    // Every feasible x has some slack setting with zero penalty.
    for (uint64_t mask = 0; mask < 8; ++mask) {
      auto x = BitsOf(mask, 3);
      x.resize(n, 0);
      if (!cq->IsFeasible(x)) continue;
      double best = INFINITY;
      for (uint64_t slack = 0; slack < (uint64_t{1} << (n - 3)); ++slack) {
        for (size_t b = 3; b < n; ++b) x[b] = (slack >> (b - 3)) & 1;
        best = std::min(best, cq->model.Energy(x) - cq->ObjectiveValue(x));
      }
      EXPECT_DOUBLE_EQ(best, 0.0) << "bound " << bound << " mask " << mask;
    }
  }
}

TEST(ConstraintsTest, RealEqualityAndExplicitWeight) {
  ConstrainedQuboBuilder builder(5);
  LinearConstraint c{.sense = ConstraintSense::kEqual, .rhs = 1.0};
  for (VarIndex i = 0; i < 5; ++i) {
    builder.objective().AddLinear(i, -0.3 * (i + 1));
    c.terms.push_back({i, 0.5});
  }
  builder.AddConstraint(c);  // exactly two of five
  LinearConstraint fixed{.terms = {{0, 1}}, .sense = ConstraintSense::kEqual, .rhs = 0,
                         .penalty = 100};
  builder.AddConstraint(fixed);
  auto cq = builder.Build();
  ASSERT_TRUE(cq.ok());
  EXPECT_EQ(cq->penalty_weights[1], 100);
  ExpectPenaltiesWork(*cq);
}

TEST(ConstraintsTest, RejectsBadConstraints) {
  ConstrainedQuboBuilder real_inequality(2);
  real_inequality.AddConstraint(
      {.terms = {{0, 0.5}, {1, 1}}, .sense = ConstraintSense::kLessEqual, .rhs = 1});
  EXPECT_FALSE(real_inequality.Build().ok());
  ConstrainedQuboBuilder impossible(2);
  impossible.AddConstraint(
      {.terms = {{0, 1}, {1, 1}}, .sense = ConstraintSense::kLessEqual, .rhs = -1});
  EXPECT_FALSE(impossible.Build().ok());
  ConstrainedQuboBuilder out_of_range(2);
  out_of_range.AddConstraint({.terms = {{2, 1}}, .sense = ConstraintSense::kEqual, .rhs = 1});
  EXPECT_FALSE(out_of_range.Build().ok());
  ConstrainedQuboBuilder negative(2);
  negative.AddConstraint(
      {.terms = {{0, 1}}, .sense = ConstraintSense::kEqual, .rhs = 1, .penalty = -1});
  EXPECT_FALSE(negative.Build().ok());
}

}  // namespace
}  // namespace neuroquantum::quantum
