// Ising models, sparse and dense, and their exact conversion to and from
// QUBO. Over spins s in {-1,+1}^n a model's energy is
//
//   E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j
//
// The conversions use x_i = (1 + s_i) / 2 and preserve energies exactly:
// QuboToIsing(q).Energy(SpinsFromBits(x)) == q.Energy(x) for every x (up to
// floating-point rounding; exactly for integer coefficients that are
// multiples of 4).
//
// Thread safety: IsingModel is immutable once built; DenseIsing is a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "neuroquantum/result.h"
#include "quantum/couplings.h"
#include "quantum/qubo_model.h"

namespace neuroquantum::quantum {

class IsingModel {
 public:
  IsingModel() = default;

  // REQUIRES: fields.size() is the number of spins. Errors as QuboModel::Build.
  static Result<IsingModel> Build(std::vector<double> fields, std::span<const PairTerm> pairs,
                                  double offset);

  size_t num_spins() const { return fields_.size(); }
  double field(VarIndex i) const { return fields_[i]; }
  std::span<const double> fields() const { return fields_; }
  const Couplings& couplings() const { return couplings_; }
  double offset() const { return offset_; }

  // REQUIRES: s.size() == num_spins(), entries -1 or +1.
  double Energy(std::span<const int8_t> s) const;

 private:
  std::vector<double> fields_;
  Couplings couplings_;
  double offset_ = 0.0;
};

// A dense symmetric coupling matrix: At(i, j) == At(j, i) is J_ij for i != j;
// the diagonal holds the fields h_i.
class DenseIsing {
 public:
  explicit DenseIsing(size_t num_spins) : n_(num_spins), matrix_(num_spins * num_spins, 0.0) {}

  static DenseIsing FromSparse(const IsingModel& model);
  Result<IsingModel> ToSparse() const;

  size_t num_spins() const { return n_; }
  double At(VarIndex i, VarIndex j) const { return matrix_[i * n_ + j]; }
  void Add(VarIndex i, VarIndex j, double weight);
  double offset() const { return offset_; }
  void AddConstant(double value) { offset_ += value; }

  double Energy(std::span<const int8_t> s) const;

 private:
  size_t n_;
  std::vector<double> matrix_;
  double offset_ = 0.0;
};

IsingModel QuboToIsing(const QuboModel& qubo);
QuboModel IsingToQubo(const IsingModel& ising);

// x_i = 1 <-> s_i = +1.
std::vector<int8_t> SpinsFromBits(std::span<const uint8_t> x);
std::vector<uint8_t> BitsFromSpins(std::span<const int8_t> s);

}  // namespace neuroquantum::quantum
