// `nqdb qubo solve FILE ...` reads a G-set, bqp or edge-list file, runs a
// solver and prints `best <value>` as its last line of standard output
// (progress goes to standard error); `nqdb grover --n N --marked M` prints
// the exact simulation's figures.
#include "shell/quantum_command.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/env.h"
#include "quantum/dense_state_simulator.h"
#include "quantum/exact_solver.h"
#include "quantum/grover.h"
#include "quantum/instance_reader.h"
#include "quantum/parallel_tempering.h"
#include "quantum/portfolio.h"
#include "quantum/simulated_annealing.h"
#include "quantum/simulated_quantum_annealing.h"
#include "quantum/tabu_search.h"

namespace neuroquantum::shell {
namespace {

using namespace neuroquantum::quantum;  // NOLINT(build/namespaces): command glue

int Fail(const Status& s) {
  fmt::print(stderr, "nqdb: {}\n", s.ToString());
  return 1;
}

// Integers without a decimal point; anything else with full precision.
std::string FormatValue(double value) {
  if (std::fabs(value) < 9e15 && value == std::nearbyint(value)) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{:.10g}", value);
}

struct SolveFlags {
  std::string file;
  std::string format;  // empty: guess from the file name
  size_t instance = 1;
  std::string solver = "auto";
  double time_limit_s = 10;
  uint64_t seed = 1;
  int threads = 0;  // 0: all hardware threads
  std::string solution_path;
  std::optional<double> target;
  bool quiet = false;
};

Status WriteSolution(const std::string& path, const Instance& instance,
                     const SolveResult& result) {
  NQ_ASSIGN_OR_RETURN(auto file, Env::Default()->OpenFile(path, OpenMode::kCreate));
  std::string text = fmt::format("# {} ({}): value {}; one 0/1 line per variable, in order\n",
                                 instance.name, InstanceFormatName(instance.format),
                                 FormatValue(instance.Value(result.energy)));
  text.reserve(text.size() + 2 * result.assignment.size());
  for (uint8_t bit : result.assignment) {
    text.push_back(bit != 0 ? '1' : '0');
    text.push_back('\n');
  }
  NQ_RETURN_IF_ERROR(file->Truncate(0));
  NQ_RETURN_IF_ERROR(file->WriteAt(
      0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
  return file->Sync();
}

int CmdQuboSolve(const SolveFlags& flags) {
  InstanceFormat format = GuessInstanceFormat(flags.file);
  if (!flags.format.empty()) {
    auto parsed = ParseInstanceFormat(flags.format);
    if (!parsed.ok()) return Fail(parsed.status());
    format = *parsed;
  }
  auto kind = ParseSolverKind(flags.solver);
  if (!kind.ok()) return Fail(kind.status());
  auto instance = LoadInstance(Env::Default(), flags.file, format, flags.instance);
  if (!instance.ok()) return Fail(instance.status());
  const QuboModel& model = instance->model;

  SolveOptions options;
  options.seed = flags.seed;
  options.time_limit_s = flags.time_limit_s;
  options.threads = flags.threads > 0 ? flags.threads
                                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (flags.target) options.target_energy = -*flags.target;  // value = -energy
  if (!flags.quiet) {
    options.progress = [&instance](const SolveProgress& p) {
      if (!std::isfinite(p.best_energy)) return;
      fmt::print(stderr, "[{:7.2f}s] best {} (at {:.2f}s){}\n", p.elapsed_s,
                 FormatValue(instance->Value(p.best_energy)), p.time_to_best_s,
                 p.improved ? " *" : "");
    };
  }
  std::printf("instance %s (%s): %zu variables, %zu couplings\n", instance->name.c_str(),
              std::string(InstanceFormatName(format)).c_str(), model.num_variables(),
              model.couplings().num_pairs());
  std::fflush(stdout);
  auto result = MakeSolver(*kind)->Solve(model, options);
  if (!result.ok()) return Fail(result.status());
  const double value = instance->Value(result->energy);
  if (instance->graph) {
    // Cross-check the QUBO energy against the cut itself.
    const double cut = CutValue(*instance->graph, result->assignment);
    if (std::fabs(cut - value) > 1e-6 * std::max(1.0, std::fabs(cut))) {
      return Fail(Status::Internal(fmt::format("cut {} disagrees with energy value {}",
                                               FormatValue(cut), FormatValue(value))));
    }
  }
  std::printf("solver %s, threads %d, stop %s%s, elapsed %.2f s, time to best %.2f s\n",
              result->solver.c_str(), options.threads,
              std::string(StopReasonName(result->stop_reason)).c_str(),
              result->proven_optimal ? " (proven optimal)" : "", result->elapsed_s,
              result->time_to_best_s);
  if (!flags.solution_path.empty()) {
    Status s = WriteSolution(flags.solution_path, *instance, *result);
    if (!s.ok()) return Fail(s.WithContext(flags.solution_path));
    std::printf("solution written to %s\n", flags.solution_path.c_str());
  }
  std::printf("best %s\n", FormatValue(value).c_str());
  return 0;
}

struct GroverFlags {
  uint64_t n = 0;
  uint64_t marked = 0;
  std::optional<uint64_t> iterations;
  uint32_t samples = 10;
  uint64_t seed = 1;
  bool dense = false;
};

int CmdGrover(const GroverFlags& flags) {
  GroverOptions options;
  if (flags.iterations) options.iterations = *flags.iterations;
  options.samples = flags.samples;
  options.seed = flags.seed;
  auto report = SimulateGrover(flags.n, flags.marked, options);
  if (!report.ok()) return Fail(report.status());
  const GroverReport& r = *report;
  std::printf("items N = %llu, marked M = %llu (classical simulation: exact statistics, no speed-up)\n",
              static_cast<unsigned long long>(r.num_items),
              static_cast<unsigned long long>(r.num_marked));
  std::printf("theta = asin(sqrt(M/N)) = %.12g rad\n", r.theta);
  std::printf("optimal iterations = floor(pi / (4 theta)) = %llu\n",
              static_cast<unsigned long long>(r.optimal_iterations));
  std::printf("iterations run = %llu\n", static_cast<unsigned long long>(r.iterations));
  std::printf("success probability after %llu iterations = %.12f\n",
              static_cast<unsigned long long>(r.iterations), r.final_success_probability);
  std::printf("classical scan: %llu oracle queries for certainty; random guess succeeds with %.3g\n",
              static_cast<unsigned long long>(r.num_items),
              static_cast<double>(r.num_marked) / static_cast<double>(r.num_items));
  // The per-iteration table: every iteration when short, else about 40 rows.
  const size_t rows = r.success_by_iteration.size();
  const size_t step = rows <= 64 ? 1 : (rows + 39) / 40;
  std::printf("iteration  success_probability\n");
  for (size_t k = 0; k < rows; k += step) {
    std::printf("%9zu  %.12f\n", k, r.success_by_iteration[k]);
  }
  if ((rows - 1) % step != 0) std::printf("%9zu  %.12f\n", rows - 1, r.success_by_iteration[rows - 1]);
  std::printf("max |two-amplitude - closed form| = %.3g\n", r.max_closed_form_deviation);
  if (flags.dense) {
    const uint64_t n = flags.n;
    if (n < 2 || (n & (n - 1)) != 0 || n > (uint64_t{1} << 20)) {
      return Fail(Status::InvalidArgument("--dense needs N a power of two, 2 .. 2^20"));
    }
    std::vector<uint64_t> marked;
    for (uint64_t i = 0; i < flags.marked; ++i) marked.push_back(i);
    auto dense = DenseGroverSimulator::Create(static_cast<uint32_t>(std::countr_zero(n)), marked);
    if (!dense.ok()) return Fail(dense.status());
    dense->Prepare();
    double deviation = std::fabs(dense->MarkedProbability() - r.success_by_iteration[0]);
    for (size_t k = 1; k < rows; ++k) {
      dense->Iterate();
      deviation = std::max(deviation, std::fabs(dense->MarkedProbability() - r.success_by_iteration[k]));
    }
    std::printf("dense state-vector check (%zu iterations): max deviation %.3g\n", rows - 1, deviation);
  }
  if (!r.samples.empty()) {
    std::printf("samples: %zu of %zu measurements marked (marked items are 0..M-1 here)\n",
                static_cast<size_t>(r.marked_samples), r.samples.size());
  }
  return 0;
}

}  // namespace

void AddQuantumCommands(CLI::App* app, int* rc) {
  auto* qubo = app->add_subcommand("qubo", "QUBO / Max-Cut solvers (quantum-inspired, classical)");
  qubo->require_subcommand(1);
  auto flags = std::make_shared<SolveFlags>();
  auto* solve = qubo->add_subcommand(
      "solve", "Solve a G-set, OR-Library bqp or edge-list instance; last line: best <value>");
  solve->add_option("file", flags->file, "instance file")->required();
  solve->add_option("--format", flags->format, "gset, bqp or edges (default: from the file name)")
      ->check(CLI::IsMember({"gset", "bqp", "edges"}));
  solve->add_option("--instance", flags->instance, "instance number in a bqp file (1-based)")
      ->check(CLI::PositiveNumber);
  solve->add_option("--solver", flags->solver, "sa, pt, sqa, tabu, exact or auto (portfolio)");
  solve->add_option("--time-limit", flags->time_limit_s, "wall-clock limit in seconds (default 10)");
  solve->add_option("--seed", flags->seed, "random seed (default 1)");
  solve->add_option("--threads", flags->threads, "worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  solve->add_option("--solution", flags->solution_path, "write the assignment here");
  solve->add_option("--target", flags->target, "stop when this value is reached");
  solve->add_flag("--quiet", flags->quiet, "no progress on standard error");
  solve->callback([flags, rc] { *rc = CmdQuboSolve(*flags); });

  auto grover_flags = std::make_shared<GroverFlags>();
  auto* grover = app->add_subcommand(
      "grover", "Exact classical simulation of Grover search: iterations, success probability");
  grover->add_option("--n", grover_flags->n, "number of items N")->required();
  grover->add_option("--marked", grover_flags->marked, "number of marked items M")->required();
  grover->add_option("--iterations", grover_flags->iterations,
                     "iterations to run (default: the optimal count)");
  grover->add_option("--samples", grover_flags->samples, "measurements to draw (default 10)");
  grover->add_option("--seed", grover_flags->seed, "random seed for the samples");
  grover->add_flag("--dense", grover_flags->dense,
                   "cross-check with the dense state-vector simulator (N = 2^n <= 2^20)");
  grover->callback([grover_flags, rc] { *rc = CmdGrover(*grover_flags); });
}

}  // namespace neuroquantum::shell
