// DenseGroverSimulator: a gate-level state-vector simulator of Grover's
// algorithm on n qubits (N = 2^n amplitudes, n <= 26), used to cross-check
// the two-amplitude model of grover.h. It applies the actual circuit: H on
// every qubit (a fast Walsh-Hadamard transform), the phase oracle, and the
// diffusion operator H (2|0><0| - I) H. Amplitudes stay real because every
// gate is real. Cost O(N n) per iteration, memory N doubles.
//
// Thread safety: a value; one owner thread.
#pragma once

#include <cstdint>
#include <vector>

#include "neuroquantum/result.h"

namespace neuroquantum::quantum {

class DenseGroverSimulator {
 public:
  // The register starts in |0...0>. Errors: InvalidArgument for qubits
  // outside 1..26 or a marked index >= 2^qubits.
  static Result<DenseGroverSimulator> Create(uint32_t qubits, std::vector<uint64_t> marked);

  uint64_t size() const { return amplitudes_.size(); }
  double amplitude(uint64_t index) const { return amplitudes_[index]; }

  // H on every qubit: the Walsh-Hadamard transform, scaled by 2^(-n/2).
  void ApplyHadamardAll();
  // The phase oracle: negates the amplitudes of marked indices.
  void ApplyOracle();
  // 2|0><0| - I: negates every amplitude except that of |0...0>.
  void ApplyZeroReflection();
  // Prepares the uniform superposition H|0...0>.
  void Prepare() { ApplyHadamardAll(); }
  // One Grover iteration: oracle, then H (2|0><0| - I) H.
  void Iterate();

  // Probability of measuring a marked index.
  double MarkedProbability() const;
  // Sum of squared amplitudes (1 up to rounding).
  double Norm() const;

 private:
  DenseGroverSimulator(uint32_t qubits, std::vector<uint64_t> marked);

  uint32_t qubits_;
  std::vector<uint64_t> marked_;
  std::vector<double> amplitudes_;
};

}  // namespace neuroquantum::quantum
