// Helpers for the quantum-module tests: random models, Max-Cut graphs and
// brute-force minima to check solvers against.
#pragma once

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "quantum/instance_reader.h"
#include "quantum/qubo_model.h"

namespace neuroquantum::quantum::testing {

// A random QUBO: each pair present with probability `density`; integer
// coefficients in [-range, range], or real ones when `real` is set.
inline QuboModel RandomQubo(size_t n, double density, int range, uint64_t seed,
                            bool real = false) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> coefficient(-range, range);
  std::uniform_real_distribution<double> unit(0, 1);
  auto draw = [&] { return real ? coefficient(rng) + unit(rng) - 0.5 : double(coefficient(rng)); };
  QuboBuilder builder(n);
  for (VarIndex i = 0; i < n; ++i) {
    builder.AddLinear(i, draw());
    for (VarIndex j = i + 1; j < n; ++j) {
      if (unit(rng) < density) builder.AddQuadratic(i, j, draw());
    }
  }
  builder.AddConstant(real ? 0.25 : 3);
  return builder.Build().value();
}

inline MaxCutGraph RandomGraph(size_t n, double density, bool signed_weights, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  MaxCutGraph graph;
  graph.num_vertices = n;
  for (VarIndex u = 0; u < n; ++u) {
    for (VarIndex v = u + 1; v < n; ++v) {
      if (unit(rng) < density) {
        graph.edges.push_back({u, v, signed_weights && unit(rng) < 0.5 ? -1.0 : 1.0});
      }
    }
  }
  return graph;
}

// A rows x cols torus with +-1 weights (G-set's toroidal family).
inline MaxCutGraph TorusGraph(size_t rows, size_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  MaxCutGraph graph;
  graph.num_vertices = rows * cols;
  auto at = [&](size_t r, size_t c) { return static_cast<VarIndex>((r % rows) * cols + c % cols); };
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      graph.edges.push_back({at(r, c), at(r, c + 1), (rng() & 1) ? 1.0 : -1.0});
      graph.edges.push_back({at(r, c), at(r + 1, c), (rng() & 1) ? 1.0 : -1.0});
    }
  }
  return graph;
}

inline std::vector<uint8_t> BitsOf(uint64_t mask, size_t n) {
  std::vector<uint8_t> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = (mask >> i) & 1;
  return x;
}

// The minimum energy over all 2^n assignments (n <= 24): Gray-code order,
// each step priced with QuboModel::FlipDelta (independent of the solvers'
// incremental state).
inline double BruteForceMinimum(const QuboModel& model) {
  const size_t n = model.num_variables();
  std::vector<uint8_t> x(n, 0);
  double energy = model.Energy(x);
  double best = energy;
  for (uint64_t step = 1; step < (uint64_t{1} << n); ++step) {
    const VarIndex i = static_cast<VarIndex>(__builtin_ctzll(step));
    energy += model.FlipDelta(x, i);
    x[i] ^= 1;
    best = std::min(best, energy);
  }
  return best;
}

// best_known.csv beside the QUBO data: instance name -> best-known value.
inline std::map<std::string, double> ReadBestKnown(const std::string& path) {
  std::map<std::string, double> values;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    // Fields may be quoted and contain commas: split by hand.
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.push_back(field);
        field.clear();
      } else {
        field.push_back(c);
      }
    }
    fields.push_back(field);
    if (fields.size() > 5 && !fields[5].empty()) values[fields[0]] = std::stod(fields[5]);
  }
  return values;
}

}  // namespace neuroquantum::quantum::testing
