// Penalty terms for linear constraints, with slack variables for
// inequalities and automatic weights.
#include "quantum/constraints.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace neuroquantum::quantum {
namespace {

double LeftSide(const LinearConstraint& c, std::span<const uint8_t> x) {
  double sum = 0;
  for (const LinearTerm& t : c.terms) sum += t.coefficient * x[t.var];
  return sum;
}

bool IsInteger(double value) { return std::isfinite(value) && value == std::nearbyint(value); }

std::string Describe(const LinearConstraint& c, size_t index) {
  return c.name.empty() ? "constraint " + std::to_string(index) : "constraint '" + c.name + "'";
}

// Adds weight * (sum_k terms_k - rhs)^2 to the builder.
void AddSquaredResidual(QuboBuilder* builder, const std::vector<LinearTerm>& terms, double rhs,
                        double weight) {
  for (size_t p = 0; p < terms.size(); ++p) {
    const LinearTerm& u = terms[p];
    // x^2 = x: the square of a term is linear.
    builder->AddLinear(u.var, weight * (u.coefficient * u.coefficient - 2 * rhs * u.coefficient));
    for (size_t q = p + 1; q < terms.size(); ++q) {
      builder->AddQuadratic(u.var, terms[q].var, weight * 2 * u.coefficient * terms[q].coefficient);
    }
  }
  builder->AddConstant(weight * rhs * rhs);
}

}  // namespace

Result<ConstrainedQubo> ConstrainedQuboBuilder::Build() const {
  ConstrainedQubo out;
  out.num_original_variables = objective_.num_variables();
  NQ_ASSIGN_OR_RETURN(out.objective, objective_.Build());
  out.constraints = constraints_;
  const double range = out.objective.AbsoluteWeightSum();

  QuboBuilder builder = objective_;
  for (size_t index = 0; index < constraints_.size(); ++index) {
    const LinearConstraint& c = constraints_[index];
    const std::string what = Describe(c, index);
    if (!std::isfinite(c.penalty) || c.penalty < 0) {
      return Status::InvalidArgument(what + ": penalty must be finite and >= 0");
    }
    // Merge duplicate variables so the square is expanded correctly.
    std::vector<LinearTerm> terms = c.terms;
    for (const LinearTerm& t : terms) {
      if (t.var >= out.num_original_variables || !std::isfinite(t.coefficient)) {
        return Status::InvalidArgument(what + ": bad variable or coefficient");
      }
    }
    std::sort(terms.begin(), terms.end(),
              [](const LinearTerm& a, const LinearTerm& b) { return a.var < b.var; });
    size_t merged = 0;
    for (const LinearTerm& t : terms) {
      if (merged > 0 && terms[merged - 1].var == t.var) {
        terms[merged - 1].coefficient += t.coefficient;
      } else {
        terms[merged++] = t;
      }
    }
    terms.resize(merged);
    double rhs = c.rhs;
    if (!std::isfinite(rhs)) return Status::InvalidArgument(what + ": non-finite bound");
    const bool integral =
        IsInteger(rhs) && std::all_of(terms.begin(), terms.end(), [](const LinearTerm& t) {
          return IsInteger(t.coefficient);
        });
    if (c.sense != ConstraintSense::kEqual) {
      if (!integral) {
        return Status::InvalidArgument(what + ": inequalities need integer coefficients and bound");
      }
      if (c.sense == ConstraintSense::kGreaterEqual) {  // a x >= b  <=>  -a x <= -b
        for (LinearTerm& t : terms) t.coefficient = -t.coefficient;
        rhs = -rhs;
      }
      double lowest = 0;  // smallest possible left side
      for (const LinearTerm& t : terms) lowest += std::min(t.coefficient, 0.0);
      const double slack_range = rhs - lowest;
      if (slack_range < 0) return Status::InvalidArgument(what + " can never be satisfied");
      // Slack bits 1, 2, 4, ... and a last one topping the sum up to U.
      double covered = 0;
      for (double weight = 1; covered < slack_range; weight *= 2) {
        const double bit = std::min(weight, slack_range - covered);
        terms.push_back({builder.AddVariable(), bit});
        covered += bit;
      }
    }
    double weight = c.penalty;
    if (weight == 0) {
      double granularity = 1;
      if (!integral) {
        granularity = std::numeric_limits<double>::infinity();
        for (const LinearTerm& t : terms) {
          if (t.coefficient != 0) granularity = std::min(granularity, std::fabs(t.coefficient));
        }
        if (!std::isfinite(granularity)) granularity = 1;
      }
      weight = (1 + range) / (granularity * granularity);
    }
    out.penalty_weights.push_back(weight);
    AddSquaredResidual(&builder, terms, rhs, weight);
  }
  NQ_ASSIGN_OR_RETURN(out.model, builder.Build());
  return out;
}

std::vector<double> ConstrainedQubo::Violations(std::span<const uint8_t> x) const {
  std::vector<double> violations;
  violations.reserve(constraints.size());
  for (const LinearConstraint& c : constraints) {
    const double residual = LeftSide(c, x) - c.rhs;
    switch (c.sense) {
      case ConstraintSense::kEqual: violations.push_back(std::fabs(residual)); break;
      case ConstraintSense::kLessEqual: violations.push_back(std::max(0.0, residual)); break;
      case ConstraintSense::kGreaterEqual: violations.push_back(std::max(0.0, -residual)); break;
    }
  }
  return violations;
}

bool ConstrainedQubo::IsFeasible(std::span<const uint8_t> x, double tolerance) const {
  for (double v : Violations(x)) {
    if (v > tolerance) return false;
  }
  return true;
}

double ConstrainedQubo::ObjectiveValue(std::span<const uint8_t> x) const {
  return objective.Energy(x.first(num_original_variables));
}

}  // namespace neuroquantum::quantum
