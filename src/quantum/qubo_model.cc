// QuboModel, QuboBuilder and DenseQubo.
#include "quantum/qubo_model.h"

#include <cassert>
#include <cmath>
#include <string>

namespace neuroquantum::quantum {

Result<QuboModel> QuboModel::Build(std::vector<double> linear, std::span<const PairTerm> pairs,
                                   double offset) {
  for (size_t i = 0; i < linear.size(); ++i) {
    if (!std::isfinite(linear[i])) {
      return Status::InvalidArgument("non-finite linear term on variable " + std::to_string(i));
    }
  }
  if (!std::isfinite(offset)) return Status::InvalidArgument("non-finite offset");
  NQ_ASSIGN_OR_RETURN(Couplings couplings, Couplings::Build(linear.size(), pairs));
  QuboModel model;
  model.linear_ = std::move(linear);
  model.couplings_ = std::move(couplings);
  model.offset_ = offset;
  return model;
}

double QuboModel::Energy(std::span<const uint8_t> x) const {
  assert(x.size() == num_variables());
  double energy = offset_;
  for (VarIndex i = 0; i < num_variables(); ++i) {
    if (x[i] == 0) continue;
    energy += linear_[i];
    auto nbrs = couplings_.neighbors(i);
    auto ws = couplings_.weights(i);
    for (size_t k = 0; k < nbrs.size(); ++k) {
      if (nbrs[k] > i && x[nbrs[k]] != 0) energy += ws[k];
    }
  }
  return energy;
}

double QuboModel::FlipDelta(std::span<const uint8_t> x, VarIndex i) const {
  assert(x.size() == num_variables() && i < num_variables());
  double field = linear_[i];
  auto nbrs = couplings_.neighbors(i);
  auto ws = couplings_.weights(i);
  for (size_t k = 0; k < nbrs.size(); ++k) {
    if (x[nbrs[k]] != 0) field += ws[k];
  }
  return x[i] != 0 ? -field : field;
}

double QuboModel::AbsoluteWeightSum() const {
  double sum = 0.0;
  for (double a : linear_) sum += std::fabs(a);
  const double* ws = couplings_.weight_data();
  for (size_t k = 0; k < 2 * couplings_.num_pairs(); ++k) sum += std::fabs(ws[k]) / 2;
  return sum;
}

bool QuboModel::HasIntegerCoefficients() const {
  for (double a : linear_) {
    if (a != std::nearbyint(a)) return false;
  }
  const double* ws = couplings_.weight_data();
  for (size_t k = 0; k < 2 * couplings_.num_pairs(); ++k) {
    if (ws[k] != std::nearbyint(ws[k])) return false;
  }
  return true;
}

VarIndex QuboBuilder::AddVariable() {
  linear_.push_back(0.0);
  return static_cast<VarIndex>(linear_.size() - 1);
}

void QuboBuilder::AddLinear(VarIndex i, double weight) {
  if (i >= linear_.size()) {
    bad_index_ = true;
    return;
  }
  linear_[i] += weight;
}

void QuboBuilder::AddQuadratic(VarIndex i, VarIndex j, double weight) {
  if (i == j) {
    AddLinear(i, weight);
  } else {
    pairs_.push_back({i, j, weight});  // indices checked by Couplings::Build
  }
}

Result<QuboModel> QuboBuilder::Build() const {
  if (bad_index_) return Status::InvalidArgument("linear term on a variable out of range");
  return QuboModel::Build(linear_, pairs_, offset_);
}

DenseQubo DenseQubo::FromSparse(const QuboModel& model) {
  DenseQubo dense(model.num_variables());
  for (VarIndex i = 0; i < model.num_variables(); ++i) dense.Add(i, i, model.linear(i));
  for (const PairTerm& p : model.couplings().Pairs()) dense.Add(p.i, p.j, p.weight);
  dense.AddConstant(model.offset());
  return dense;
}

Result<QuboModel> DenseQubo::ToSparse() const {
  std::vector<double> linear(n_);
  std::vector<PairTerm> pairs;
  for (VarIndex i = 0; i < n_; ++i) {
    linear[i] = At(i, i);
    for (VarIndex j = i + 1; j < n_; ++j) {
      if (At(i, j) != 0.0) pairs.push_back({i, j, At(i, j)});
    }
  }
  return QuboModel::Build(std::move(linear), pairs, offset_);
}

void DenseQubo::Add(VarIndex i, VarIndex j, double weight) {
  assert(i < n_ && j < n_);
  matrix_[i * n_ + j] += weight;
  if (i != j) matrix_[j * n_ + i] += weight;
}

double DenseQubo::Energy(std::span<const uint8_t> x) const {
  assert(x.size() == n_);
  double energy = offset_;
  for (size_t i = 0; i < n_; ++i) {
    if (x[i] == 0) continue;
    const double* row = &matrix_[i * n_];
    energy += row[i];
    for (size_t j = i + 1; j < n_; ++j) {
      if (x[j] != 0) energy += row[j];
    }
  }
  return energy;
}

}  // namespace neuroquantum::quantum
