// DenseGroverSimulator: Hadamard transform, oracle, diffusion.
#include "quantum/dense_state_simulator.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace neuroquantum::quantum {

Result<DenseGroverSimulator> DenseGroverSimulator::Create(uint32_t qubits,
                                                          std::vector<uint64_t> marked) {
  if (qubits < 1 || qubits > 26) {
    return Status::InvalidArgument("dense simulation supports 1..26 qubits, not " +
                                   std::to_string(qubits));
  }
  for (uint64_t index : marked) {
    if (index >= (uint64_t{1} << qubits)) {
      return Status::InvalidArgument("marked index " + std::to_string(index) + " outside 2^" +
                                     std::to_string(qubits));
    }
  }
  std::sort(marked.begin(), marked.end());
  marked.erase(std::unique(marked.begin(), marked.end()), marked.end());
  return DenseGroverSimulator(qubits, std::move(marked));
}

DenseGroverSimulator::DenseGroverSimulator(uint32_t qubits, std::vector<uint64_t> marked)
    : qubits_(qubits), marked_(std::move(marked)), amplitudes_(uint64_t{1} << qubits, 0.0) {
  amplitudes_[0] = 1.0;
}

void DenseGroverSimulator::ApplyHadamardAll() {
  const uint64_t size = amplitudes_.size();
  for (uint64_t half = 1; half < size; half *= 2) {  // one qubit per pass
    for (uint64_t block = 0; block < size; block += 2 * half) {
      for (uint64_t i = block; i < block + half; ++i) {
        const double u = amplitudes_[i];
        const double v = amplitudes_[i + half];
        amplitudes_[i] = u + v;
        amplitudes_[i + half] = u - v;
      }
    }
  }
  const double scale = std::pow(2.0, -0.5 * qubits_);
  for (double& amplitude : amplitudes_) amplitude *= scale;
}

void DenseGroverSimulator::ApplyOracle() {
  for (uint64_t index : marked_) amplitudes_[index] = -amplitudes_[index];
}

void DenseGroverSimulator::ApplyZeroReflection() {
  for (uint64_t i = 1; i < amplitudes_.size(); ++i) amplitudes_[i] = -amplitudes_[i];
}

void DenseGroverSimulator::Iterate() {
  ApplyOracle();
  ApplyHadamardAll();
  ApplyZeroReflection();
  ApplyHadamardAll();
}

double DenseGroverSimulator::MarkedProbability() const {
  double p = 0;
  for (uint64_t index : marked_) p += amplitudes_[index] * amplitudes_[index];
  return p;
}

double DenseGroverSimulator::Norm() const {
  double sum = 0;
  for (double amplitude : amplitudes_) sum += amplitude * amplitude;
  return sum;
}

}  // namespace neuroquantum::quantum
