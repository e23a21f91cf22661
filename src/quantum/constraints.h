// Linear constraints on QUBO variables, turned into quadratic penalties.
//
// An equality  sum_i a_i x_i = b  adds  P (sum_i a_i x_i - b)^2  to the
// energy. An inequality  sum_i a_i x_i <= b  (>= is negated) first gets a
// slack s in [0, U], U = b - sum_i min(a_i, 0), written with binary slack
// variables of weights 1, 2, 4, ..., and a last weight that makes their sum
// exactly U; then it is the equality  sum_i a_i x_i + s = b. Inequalities
// need integer coefficients and bounds (scale rational ones first).
//
// Automatic weight (penalty = 0): P = 1 + R, where R = sum |coefficients|
// of the objective bounds how far apart any two objective values are. With
// integer coefficients every violated constraint costs at least P, so every
// feasible assignment has a lower energy than every infeasible one; the
// minimum of the penalised model is the constrained minimum. With real
// coefficients in an equality the smallest non-zero violation is taken to be
// the smallest |a_i|, and P is scaled up to match: a heuristic, not a
// guarantee.
//
// Thread safety: values without internal locking; ConstrainedQubo is
// immutable once built.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "neuroquantum/result.h"
#include "quantum/qubo_model.h"

namespace neuroquantum::quantum {

struct LinearTerm {
  VarIndex var;
  double coefficient;
};

enum class ConstraintSense { kEqual, kLessEqual, kGreaterEqual };

struct LinearConstraint {
  std::vector<LinearTerm> terms{};
  ConstraintSense sense = ConstraintSense::kEqual;
  double rhs = 0;
  double penalty = 0;  // weight P; 0 = automatic
  std::string name{};  // for messages; may be empty
};

// A penalised model and what is needed to read its solutions.
struct ConstrainedQubo {
  QuboModel model;      // objective + penalties; variables: original, then slack
  QuboModel objective;  // the objective alone, over the original variables
  size_t num_original_variables = 0;
  std::vector<LinearConstraint> constraints;
  std::vector<double> penalty_weights;  // the weight used for each constraint

  // True when the original variables of x (x may include slack variables)
  // satisfy every constraint within `tolerance`.
  bool IsFeasible(std::span<const uint8_t> x, double tolerance = 1e-9) const;
  // Amount by which each constraint is violated (0 when satisfied).
  std::vector<double> Violations(std::span<const uint8_t> x) const;
  // The objective of the original variables of x.
  double ObjectiveValue(std::span<const uint8_t> x) const;
};

class ConstrainedQuboBuilder {
 public:
  explicit ConstrainedQuboBuilder(size_t num_variables) : objective_(num_variables) {}

  // Objective terms go here (minimised).
  QuboBuilder& objective() { return objective_; }
  void AddConstraint(LinearConstraint constraint) {
    constraints_.push_back(std::move(constraint));
  }

  // Errors: InvalidArgument for a variable out of range, a non-finite or
  // negative penalty, an inequality with non-integer coefficients, or a
  // constraint no assignment can satisfy.
  Result<ConstrainedQubo> Build() const;

 private:
  QuboBuilder objective_;
  std::vector<LinearConstraint> constraints_;
};

}  // namespace neuroquantum::quantum
