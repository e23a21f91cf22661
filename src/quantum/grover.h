// Grover search (amplitude amplification), simulated exactly on a classical
// computer.
//
// Over N items of which M are marked, Grover's algorithm starts in the
// uniform superposition and repeats oracle (negate marked amplitudes) and
// diffusion (reflect every amplitude about the mean). Every step treats all
// marked items alike and all unmarked items alike, so after any number of
// steps every marked item has the same amplitude a and every unmarked item
// the same amplitude b: the whole state is two real numbers. One iteration
// is then O(1):
//   oracle:    a <- -a
//   diffusion: mean = (M a + (N - M) b) / N;  a <- 2 mean - a;  b <- 2 mean - b
// and the probability of measuring a marked item is M a^2. In closed form,
// with sin(theta) = sqrt(M / N), it is sin^2((2k + 1) theta) after k
// iterations, largest at k = floor(pi / (4 theta)) (the textbook count).
//
// Plainly: a classical simulation gives no speed-up over scanning the N
// items; GroverSearch evaluates the predicate on all N of them (O(N)) to
// know which are marked. What the simulation gives is the exact statistics
// of the quantum algorithm (iterations, success probability, measurement
// samples) for any N. DenseGroverSimulator (dense_state_simulator.h) checks
// the two-number model gate by gate for small N = 2^n.
//
// Thread safety: GroverState is a value; the functions keep no state.
#pragma once

#include <cstdint>
#include <functional>
#include <stop_token>
#include <vector>

#include "neuroquantum/result.h"

namespace neuroquantum::quantum {

// The exact state: amplitude of each marked and each unmarked item.
class GroverState {
 public:
  // REQUIRES: num_items >= 1, num_marked <= num_items.
  GroverState(uint64_t num_items, uint64_t num_marked);

  // One Grover iteration: oracle, then diffusion.
  void Iterate();

  uint64_t num_items() const { return n_; }
  uint64_t num_marked() const { return m_; }
  uint64_t iterations() const { return iterations_; }
  double marked_amplitude() const { return a_; }
  double unmarked_amplitude() const { return b_; }
  // M a^2: probability that a measurement returns a marked item.
  double SuccessProbability() const;
  // M a^2 + (N - M) b^2; 1 up to rounding (the evolution is unitary).
  double Norm() const;

 private:
  uint64_t n_;
  uint64_t m_;
  uint64_t iterations_ = 0;
  double a_;
  double b_;
};

// theta with sin(theta) = sqrt(M / N).
double GroverAngle(uint64_t num_items, uint64_t num_marked);
// sin^2((2k + 1) theta): success probability after k iterations, closed form.
double GroverSuccessProbability(uint64_t num_items, uint64_t num_marked, uint64_t iterations);
// floor(pi / (4 theta)), the iteration count that maximises the success
// probability; 0 when M = 0 (nothing to find) or M = N.
uint64_t OptimalGroverIterations(uint64_t num_items, uint64_t num_marked);

struct GroverOptions {
  // Iterations to run; UINT64_MAX = the optimal count.
  uint64_t iterations = UINT64_MAX;
  // Success probability is recorded for k = 0 .. min(iterations, this).
  uint64_t max_recorded_iterations = 1 << 20;
  uint32_t samples = 0;  // measurements to draw after the last iteration
  uint64_t seed = 1;
  std::stop_token stop_token{};  // checked while the oracle runs
};

struct GroverReport {
  uint64_t num_items = 0;
  uint64_t num_marked = 0;
  double theta = 0;
  uint64_t optimal_iterations = 0;
  uint64_t iterations = 0;  // iterations run
  // success_by_iteration[k]: probability of a marked outcome after k
  // iterations, from the two-amplitude simulation.
  std::vector<double> success_by_iteration;
  double final_success_probability = 0;
  // Largest |simulated - closed form| over the recorded iterations.
  double max_closed_form_deviation = 0;
  // Measurement outcomes: item indices, marked with probability
  // final_success_probability, uniform within each class.
  std::vector<uint64_t> samples;
  uint64_t marked_samples = 0;
};

// Simulates Grover on N items with M marked at unknown positions. Samples
// are drawn as "marked"/"unmarked" only: marked outcomes are reported as
// indices 0 .. M-1 of the marked set, unmarked ones as M .. N-1.
// Errors: InvalidArgument for N == 0 or M > N.
Result<GroverReport> SimulateGrover(uint64_t num_items, uint64_t num_marked,
                                    const GroverOptions& options = {});

struct GroverSearchResult {
  std::vector<uint64_t> marked;  // the items the predicate selects, ascending
  GroverReport report;           // samples are item indices in [0, N)
};

// Evaluates `is_marked` on items 0 .. N-1 (the oracle: O(N) calls), then
// simulates Grover over them and samples measurement outcomes as item
// indices. Errors: InvalidArgument for N == 0; Aborted when the stop token
// fires during the scan.
Result<GroverSearchResult> GroverSearch(uint64_t num_items,
                                        const std::function<bool(uint64_t)>& is_marked,
                                        const GroverOptions& options = {});

}  // namespace neuroquantum::quantum
