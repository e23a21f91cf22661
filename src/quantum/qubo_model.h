// QUBO models (quadratic unconstrained binary optimisation), sparse and
// dense. Over x in {0,1}^n a model's energy is
//
//   E(x) = offset + sum_i linear_i x_i + sum_{i<j} w_ij x_i x_j
//
// and every solver in this module minimises it. Maximisation problems are
// negated when they are read (instance_reader.h). A coefficient on x_i x_i
// is linear, since x_i^2 = x_i.
//
// QuboModel is the sparse form the solvers take (Couplings in CSR); DenseQubo
// is an n x n matrix for small or dense problems, exact checks and export.
//
// Thread safety: QuboModel is immutable once built; share it freely for
// reading. QuboBuilder and DenseQubo are values with no internal locking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "neuroquantum/result.h"
#include "quantum/couplings.h"

namespace neuroquantum::quantum {

class QuboModel {
 public:
  QuboModel() = default;  // no variables, energy 0

  // REQUIRES: linear.size() is the number of variables. Errors as
  // Couplings::Build, plus InvalidArgument for a non-finite linear term.
  static Result<QuboModel> Build(std::vector<double> linear, std::span<const PairTerm> pairs,
                                 double offset);

  size_t num_variables() const { return linear_.size(); }
  double linear(VarIndex i) const { return linear_[i]; }
  std::span<const double> linear() const { return linear_; }
  const Couplings& couplings() const { return couplings_; }
  double offset() const { return offset_; }

  // REQUIRES: x.size() == num_variables(), entries 0 or 1.
  double Energy(std::span<const uint8_t> x) const;
  // E(x with x_i flipped) - E(x). REQUIRES as Energy, i < num_variables().
  double FlipDelta(std::span<const uint8_t> x, VarIndex i) const;

  // sum_i |linear_i| + sum_{i<j} |w_ij|: no two assignments differ in energy
  // by more than this. Used for automatic penalty weights and temperatures.
  double AbsoluteWeightSum() const;
  // True when every coefficient (not the offset) is an integer.
  bool HasIntegerCoefficients() const;

 private:
  std::vector<double> linear_;
  Couplings couplings_;
  double offset_ = 0.0;
};

// Accumulates terms in any order (duplicates add up) and builds a QuboModel.
class QuboBuilder {
 public:
  explicit QuboBuilder(size_t num_variables) : linear_(num_variables, 0.0) {}

  size_t num_variables() const { return linear_.size(); }
  // Adds one variable and returns its index.
  VarIndex AddVariable();

  // REQUIRES (checked in Build): indices < num_variables().
  void AddLinear(VarIndex i, double weight);
  // weight * x_i * x_j; i == j adds a linear term.
  void AddQuadratic(VarIndex i, VarIndex j, double weight);
  void AddConstant(double value) { offset_ += value; }

  // Errors: InvalidArgument for an index out of range or a non-finite weight.
  Result<QuboModel> Build() const;

 private:
  std::vector<double> linear_;
  std::vector<PairTerm> pairs_;
  double offset_ = 0.0;
  bool bad_index_ = false;
};

// A dense symmetric QUBO matrix: At(i, j) == At(j, i) is the coefficient of
// x_i x_j for i != j (the whole pair weight, not half of it), At(i, i) the
// linear coefficient of x_i. Memory n^2 doubles.
class DenseQubo {
 public:
  explicit DenseQubo(size_t num_variables)
      : n_(num_variables), matrix_(num_variables * num_variables, 0.0) {}

  static DenseQubo FromSparse(const QuboModel& model);
  // Errors: InvalidArgument for a non-finite entry.
  Result<QuboModel> ToSparse() const;

  size_t num_variables() const { return n_; }
  double At(VarIndex i, VarIndex j) const { return matrix_[i * n_ + j]; }
  // Adds `weight` to the coefficient of x_i x_j (i == j: linear).
  void Add(VarIndex i, VarIndex j, double weight);
  double offset() const { return offset_; }
  void AddConstant(double value) { offset_ += value; }

  // REQUIRES: x.size() == num_variables(), entries 0 or 1.
  double Energy(std::span<const uint8_t> x) const;

 private:
  size_t n_;
  std::vector<double> matrix_;  // row-major, symmetric
  double offset_ = 0.0;
};

}  // namespace neuroquantum::quantum
