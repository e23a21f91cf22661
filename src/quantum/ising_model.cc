// IsingModel, DenseIsing and the QUBO <-> Ising conversions.
#include "quantum/ising_model.h"

#include <cassert>
#include <cmath>
#include <string>

namespace neuroquantum::quantum {

Result<IsingModel> IsingModel::Build(std::vector<double> fields, std::span<const PairTerm> pairs,
                                     double offset) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!std::isfinite(fields[i])) {
      return Status::InvalidArgument("non-finite field on spin " + std::to_string(i));
    }
  }
  if (!std::isfinite(offset)) return Status::InvalidArgument("non-finite offset");
  NQ_ASSIGN_OR_RETURN(Couplings couplings, Couplings::Build(fields.size(), pairs));
  IsingModel model;
  model.fields_ = std::move(fields);
  model.couplings_ = std::move(couplings);
  model.offset_ = offset;
  return model;
}

double IsingModel::Energy(std::span<const int8_t> s) const {
  assert(s.size() == num_spins());
  double energy = offset_;
  for (VarIndex i = 0; i < num_spins(); ++i) {
    energy += fields_[i] * s[i];
    auto nbrs = couplings_.neighbors(i);
    auto ws = couplings_.weights(i);
    for (size_t k = 0; k < nbrs.size(); ++k) {
      if (nbrs[k] > i) energy += ws[k] * s[i] * s[nbrs[k]];
    }
  }
  return energy;
}

DenseIsing DenseIsing::FromSparse(const IsingModel& model) {
  DenseIsing dense(model.num_spins());
  for (VarIndex i = 0; i < model.num_spins(); ++i) dense.Add(i, i, model.field(i));
  for (const PairTerm& p : model.couplings().Pairs()) dense.Add(p.i, p.j, p.weight);
  dense.AddConstant(model.offset());
  return dense;
}

Result<IsingModel> DenseIsing::ToSparse() const {
  std::vector<double> fields(n_);
  std::vector<PairTerm> pairs;
  for (VarIndex i = 0; i < n_; ++i) {
    fields[i] = At(i, i);
    for (VarIndex j = i + 1; j < n_; ++j) {
      if (At(i, j) != 0.0) pairs.push_back({i, j, At(i, j)});
    }
  }
  return IsingModel::Build(std::move(fields), pairs, offset_);
}

void DenseIsing::Add(VarIndex i, VarIndex j, double weight) {
  assert(i < n_ && j < n_);
  matrix_[i * n_ + j] += weight;
  if (i != j) matrix_[j * n_ + i] += weight;
}

double DenseIsing::Energy(std::span<const int8_t> s) const {
  assert(s.size() == n_);
  double energy = offset_;
  for (size_t i = 0; i < n_; ++i) {
    energy += matrix_[i * n_ + i] * s[i];
    for (size_t j = i + 1; j < n_; ++j) energy += matrix_[i * n_ + j] * s[i] * s[j];
  }
  return energy;
}

// x = (1 + s) / 2:  a x = a/2 + (a/2) s;  w x_i x_j = (w/4)(1 + s_i + s_j + s_i s_j).
IsingModel QuboToIsing(const QuboModel& qubo) {
  const size_t n = qubo.num_variables();
  std::vector<double> fields(n);
  double offset = qubo.offset();
  for (VarIndex i = 0; i < n; ++i) {
    fields[i] = qubo.linear(i) / 2;
    offset += qubo.linear(i) / 2;
  }
  std::vector<PairTerm> pairs = qubo.couplings().Pairs();
  for (PairTerm& p : pairs) {
    fields[p.i] += p.weight / 4;
    fields[p.j] += p.weight / 4;
    offset += p.weight / 4;
    p.weight /= 4;
  }
  auto model = IsingModel::Build(std::move(fields), pairs, offset);
  assert(model.ok() && "a valid QUBO always converts");  // inputs were validated
  return std::move(model).value();
}

// s = 2x - 1:  h s = 2h x - h;  J s_i s_j = J (4 x_i x_j - 2 x_i - 2 x_j + 1).
QuboModel IsingToQubo(const IsingModel& ising) {
  const size_t n = ising.num_spins();
  std::vector<double> linear(n);
  double offset = ising.offset();
  for (VarIndex i = 0; i < n; ++i) {
    linear[i] = 2 * ising.field(i);
    offset -= ising.field(i);
  }
  std::vector<PairTerm> pairs = ising.couplings().Pairs();
  for (PairTerm& p : pairs) {
    linear[p.i] -= 2 * p.weight;
    linear[p.j] -= 2 * p.weight;
    offset += p.weight;
    p.weight *= 4;
  }
  auto model = QuboModel::Build(std::move(linear), pairs, offset);
  assert(model.ok() && "a valid Ising model always converts");
  return std::move(model).value();
}

std::vector<int8_t> SpinsFromBits(std::span<const uint8_t> x) {
  std::vector<int8_t> s(x.size());
  for (size_t i = 0; i < x.size(); ++i) s[i] = x[i] != 0 ? 1 : -1;
  return s;
}

std::vector<uint8_t> BitsFromSpins(std::span<const int8_t> s) {
  std::vector<uint8_t> x(s.size());
  for (size_t i = 0; i < s.size(); ++i) x[i] = s[i] > 0 ? 1 : 0;
  return x;
}

}  // namespace neuroquantum::quantum
