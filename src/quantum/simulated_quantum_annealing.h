// Simulated quantum annealing (SQA): path-integral Monte Carlo of the
// transverse-field Ising model H(G) = H_problem - G sum_i sigma^x_i while the
// transverse field G is lowered (Kadowaki & Nishimori 1998; Martonak,
// Santoro & Tosatti 2002; Santoro et al. 2002). A classical algorithm: it
// samples a classical system that mimics a quantum annealer's equilibrium,
// with no quantum speed-up.
//
// The Suzuki-Trotter decomposition with P slices maps the quantum system at
// temperature T to P classical copies x_1 .. x_P of the problem (periodic in
// k), each coupled to its neighbours in k with strength
//   J(G) = (1/2) ln coth(G / (P T)),
// so a configuration has weight exp(-sum_k E(x_k)/(P T) + J(G) sum_k sum_i
// s_k,i s_k+1,i) with spins s = 2x - 1. Flipping s_k,i changes the exponent's
// negation by
//   dS = delta_k,i / (P T) + 2 J(G) s_k,i (s_k-1,i + s_k+1,i)
// and is accepted by Metropolis. A run makes `sweeps` sweeps over all slices
// and variables while G falls linearly from gamma_initial to gamma_final;
// large G leaves the slices independent, small G locks them together. The
// best slice seen is kept and polished by greedy descent.
//
// Cost: O(P (n + nnz)) per sweep; memory P flip states of n deltas. Runs are independent and run on the threads in
// parallel; run lengths grow with the run index as in simulated annealing.
// With `runs` fixed the result is the same for any thread count.
//
// Thread safety: see solver.h.
#pragma once

#include <cstdint>

#include "quantum/solver.h"

namespace neuroquantum::quantum {

struct QuantumAnnealingParams {
  uint32_t slices = 0;  // Trotter slices P (>= 2); 0 = automatic: 16
  uint64_t runs = 0;    // 0 = until the time limit / target / cancellation
  uint64_t sweeps = 0;  // per run; 0 = base_sweeps * 2^floor(log2(run + 1))
  uint64_t base_sweeps = 200;
  // P T, the temperature each slice feels, in energy units; 0 = automatic:
  // a third of the mean |flip delta| at random assignments (D).
  double slice_temperature = 0;
  // Transverse field schedule in energy units; 0 = automatic: D down to
  // D / 1000.
  double gamma_initial = 0;
  double gamma_final = 0;
};

class SimulatedQuantumAnnealing final : public Solver {
 public:
  explicit SimulatedQuantumAnnealing(QuantumAnnealingParams params = {}) : params_(params) {}
  std::string_view name() const override { return "sqa"; }
  // SolveResult::iterations counts flip attempts (sweeps x slices x n).
  // Errors: Solver::Solve, plus InvalidArgument for slices == 1 or bad
  // fields or temperature.
  Result<SolveResult> Solve(const QuboModel& model, const SolveOptions& options) const override;

 private:
  QuantumAnnealingParams params_;
};

}  // namespace neuroquantum::quantum
