// QUBO / Max-Cut benchmark: every instance of the public data set
// (../shared/data/qubo: G-set graphs, OR-Library bqp files) with every
// solver, in one run. For each (instance, solver): the best value, the gap
// to the best-known value ((best_known - found) / best_known) and the time
// to best, plus the CPU share the solver got (CPU seconds / (wall seconds x
// threads)), so a loaded machine shows in the table. A run stops early when
// it reaches the best-known value (use --no-target to run the full limit).
//
// Goals (issue 11): bqp50 and bqp100 optimal on every instance; G-set gap
// <= 0.5% within 10 s per graph.
//
// Usage: quantum_bench [--time-limit S] [--bqp-time-limit S]
//                      [--solvers auto,tabu,sa,pt,sqa,tabu+sa+pt] [--threads T]
//                      [--seed N] [--filter TEXT] [--data DIR] [--no-target]
//                      [--csv FILE]
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "quantum/instance_reader.h"
#include "quantum/portfolio.h"
#include "quantum/solver.h"
#include "support/test_data.h"
#include "unit/quantum/quantum_test_util.h"

namespace {

using namespace neuroquantum;           // NOLINT(build/namespaces): benchmark glue
using namespace neuroquantum::quantum;  // NOLINT(build/namespaces)
namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& message) {
  fmt::print(stderr, "quantum_bench: {}\n", message);
  std::exit(1);
}

// A solver by name: a kind ("tabu", "auto", ...) or an explicit portfolio
// "tabu+sa+pt" (one thread per member, whatever --threads says).
std::unique_ptr<Solver> MakeBenchSolver(const std::string& name) {
  if (name.find('+') == std::string::npos) {
    auto kind = ParseSolverKind(name);
    return kind.ok() ? MakeSolver(*kind) : nullptr;
  }
  PortfolioParams params;
  params.exact_up_to = 0;
  std::stringstream list(name);
  std::string member;
  while (std::getline(list, member, '+')) {
    auto kind = ParseSolverKind(member);
    if (!kind.ok() || *kind == SolverKind::kPortfolio) return nullptr;
    params.members.push_back({*kind, 1});
  }
  return std::make_unique<Portfolio>(params);
}

struct Flags {
  double time_limit_s = 10;
  double bqp_time_limit_s = -1;  // default: min(time limit, 5)
  std::vector<std::string> solvers = {"auto", "tabu", "sa", "pt", "sqa"};
  int threads = 0;
  uint64_t seed = 1;
  std::string filter;
  std::string data_dir;
  bool use_target = true;
  std::string csv_path;
};

void Usage() {
  std::printf(
      "quantum_bench: every QUBO / Max-Cut instance of the test data with every solver\n"
      "  --time-limit S       seconds per instance and solver (default 10)\n"
      "  --bqp-time-limit S   seconds for bqp instances (default min(time limit, 5))\n"
      "  --solvers LIST       comma-separated: auto,tabu,sa,pt,sqa (default all), or\n"
      "                       explicit portfolios such as tabu+sa+pt (a thread per member)\n"
      "  --threads T          threads per solver (default: all cores)\n"
      "  --seed N             seed (default 1)\n"
      "  --filter TEXT        only instances whose name contains TEXT\n"
      "  --data DIR           the qubo data directory (default ../shared/data/qubo)\n"
      "  --no-target          run the full limit even after reaching the best-known value\n"
      "  --csv FILE           also write the results as CSV\n");
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--time-limit") {
      flags.time_limit_s = std::stod(value());
    } else if (arg == "--bqp-time-limit") {
      flags.bqp_time_limit_s = std::stod(value());
    } else if (arg == "--solvers") {
      flags.solvers.clear();
      std::stringstream list(value());
      std::string name;
      while (std::getline(list, name, ',')) {
        if (!MakeBenchSolver(name)) Die("unknown solver " + name);
        flags.solvers.push_back(name);
      }
    } else if (arg == "--threads") {
      flags.threads = std::stoi(value());
    } else if (arg == "--seed") {
      flags.seed = std::stoull(value());
    } else if (arg == "--filter") {
      flags.filter = value();
    } else if (arg == "--data") {
      flags.data_dir = value();
    } else if (arg == "--no-target") {
      flags.use_target = false;
    } else if (arg == "--csv") {
      flags.csv_path = value();
    } else if (arg == "--help" || arg == "-h") {
      Usage();
      std::exit(0);
    } else {
      Usage();
      Die("unknown flag " + arg);
    }
  }
  if (flags.bqp_time_limit_s < 0) flags.bqp_time_limit_s = std::min(flags.time_limit_s, 5.0);
  if (flags.threads <= 0) flags.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return flags;
}

struct BenchInstance {
  std::string name;
  std::string family;  // "gset", "bqp50", "bqp100", ...
  std::string path;
  InstanceFormat format;
  size_t index;  // bqp instance number
  std::optional<double> best_known;
};

// Every G-set graph and every instance of every bqp file in the directory.
std::vector<BenchInstance> FindInstances(const fs::path& dir, const std::string& filter) {
  const auto best_known = quantum::testing::ReadBestKnown((dir / "best_known.csv").string());
  std::vector<BenchInstance> out;
  std::vector<fs::path> graphs, bqps;
  if (fs::is_directory(dir / "gset")) {
    for (const auto& entry : fs::directory_iterator(dir / "gset")) {
      const std::string file = entry.path().filename().string();
      if (file.find(".cert") == std::string::npos && entry.path().extension() == ".txt") {
        graphs.push_back(entry.path());
      }
    }
  }
  if (fs::is_directory(dir / "bqp")) {
    for (const auto& entry : fs::directory_iterator(dir / "bqp")) {
      if (entry.path().extension() == ".txt") bqps.push_back(entry.path());
    }
  }
  auto numeric_order = [](const fs::path& a, const fs::path& b) {
    auto key = [](const fs::path& p) {
      std::string stem = p.stem().string();
      size_t digits = stem.find_first_of("0123456789");
      return std::make_pair(stem.substr(0, digits),
                            digits == std::string::npos ? 0 : std::stol(stem.substr(digits)));
    };
    return key(a) < key(b);
  };
  std::sort(graphs.begin(), graphs.end(), numeric_order);
  std::sort(bqps.begin(), bqps.end(), numeric_order);
  auto known = [&](const std::string& name) -> std::optional<double> {
    auto it = best_known.find(name);
    if (it == best_known.end()) return std::nullopt;
    return it->second;
  };
  for (const fs::path& path : graphs) {
    const std::string name = path.stem().string();
    if (name.find(filter) == std::string::npos) continue;
    out.push_back({name, "gset", path.string(), InstanceFormat::kGset, 1, known(name)});
  }
  for (const fs::path& path : bqps) {
    auto text = ReadTextFile(Env::Default(), path.string());
    if (!text.ok()) Die(text.status().ToString());
    auto count = CountBqpInstances(*text);
    if (!count.ok()) Die(path.string() + ": " + count.status().ToString());
    const std::string family = path.stem().string();
    for (size_t k = 1; k <= *count; ++k) {
      const std::string name = family + "-" + std::to_string(k);
      if (name.find(filter) == std::string::npos) continue;
      out.push_back({name, family, path.string(), InstanceFormat::kBqp, k, known(name)});
    }
  }
  return out;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) * 1e-6 +
         double(usage.ru_stime.tv_sec) + double(usage.ru_stime.tv_usec) * 1e-6;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a.empty() ? "n/a" : a + " " + b + " " + c;
}

std::string FormatValue(double value) {
  if (std::fabs(value) < 9e15 && value == std::nearbyint(value)) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{:.6g}", value);
}

struct Cell {
  double value = 0;
  std::optional<double> gap;  // fraction
  double time_to_best_s = 0;
  double elapsed_s = 0;
  double cpu_share = 0;
  std::string stop;
  std::string member;  // portfolio: the member that won
};

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  fs::path dir = flags.data_dir.empty() ? neuroquantum::testing::TestDataDir("qubo")
                                        : fs::path(flags.data_dir);
  if (dir.empty() || !fs::is_directory(dir)) {
    Die("QUBO data not found (looked in " +
        (neuroquantum::testing::TestDataRoot() / "qubo").string() +
        "; set NQDB_TEST_DATA or --data)");
  }
  const auto instances = FindInstances(dir, flags.filter);
  if (instances.empty()) Die("no instances in " + dir.string());

  fmt::print("QUBO / Max-Cut benchmark: {} instances from {}\n", instances.size(), dir.string());
  fmt::print("solvers {}; {} threads per solver; time limit {} s per G-set graph, {} s per bqp "
             "instance; seed {}; {}\n",
             fmt::join(flags.solvers, ","), flags.threads, flags.time_limit_s,
             flags.bqp_time_limit_s, flags.seed,
             flags.use_target ? "a run stops when it reaches the best-known value"
                              : "full time limit");
  fmt::print("machine: {} hardware threads, load average at start {}\n",
             std::thread::hardware_concurrency(), LoadAverage());
  fmt::print("gap = (best_known - found) / best_known; ttb = time to best (s); cpu = CPU share of "
             "the solver's threads\n\n");

  std::vector<std::vector<Cell>> table(instances.size(), std::vector<Cell>(flags.solvers.size()));
  std::vector<size_t> sizes(instances.size());
  std::string header = fmt::format("{:<11}{:>7}{:>9}", "instance", "n", "best_kn");
  for (const auto& solver : flags.solvers) header += fmt::format(" | {:<27}", solver + " value gap% ttb cpu");
  fmt::print("{}\n", header);
  int failures = 0;
  for (size_t r = 0; r < instances.size(); ++r) {
    const BenchInstance& bi = instances[r];
    auto instance = LoadInstance(Env::Default(), bi.path, bi.format, bi.index);
    if (!instance.ok()) Die(instance.status().ToString());
    sizes[r] = instance->model.num_variables();
    std::string line = fmt::format("{:<11}{:>7}{:>9}", bi.name, instance->model.num_variables(),
                                   bi.best_known ? FormatValue(*bi.best_known) : "-");
    for (size_t s = 0; s < flags.solvers.size(); ++s) {
      SolveOptions options;
      options.seed = flags.seed;
      options.threads = flags.threads;
      options.time_limit_s = bi.format == InstanceFormat::kBqp ? flags.bqp_time_limit_s
                                                               : flags.time_limit_s;
      if (flags.use_target && bi.best_known) options.target_energy = -*bi.best_known;
      const double cpu_before = CpuSeconds();
      auto result = MakeBenchSolver(flags.solvers[s])->Solve(instance->model, options);
      const double cpu = CpuSeconds() - cpu_before;
      if (!result.ok()) Die(bi.name + " " + flags.solvers[s] + ": " + result.status().ToString());
      Cell& cell = table[r][s];
      cell.value = instance->Value(result->energy);
      // The returned assignment must reproduce the value (and the cut).
      if (result->energy != instance->model.Energy(result->assignment) ||
          (instance->graph && CutValue(*instance->graph, result->assignment) != cell.value)) {
        fmt::print(stderr, "{} {}: energy does not match the assignment\n", bi.name, flags.solvers[s]);
        ++failures;
      }
      if (bi.best_known) cell.gap = (*bi.best_known - cell.value) / std::fabs(*bi.best_known);
      cell.time_to_best_s = result->time_to_best_s;
      cell.elapsed_s = result->elapsed_s;
      cell.cpu_share = cpu / std::max(1e-9, result->elapsed_s * flags.threads);
      cell.stop = std::string(StopReasonName(result->stop_reason));
      if (result->solver.rfind("portfolio[", 0) == 0) {
        cell.member = result->solver.substr(10, result->solver.size() - 11);
      }
      line += fmt::format(" | {:>8} {:>6} {:>6.2f} {:>4.0f}%", FormatValue(cell.value),
                          cell.gap ? fmt::format("{:.3f}", *cell.gap * 100) : "-",
                          cell.time_to_best_s, cell.cpu_share * 100);
    }
    fmt::print("{}\n", line);
    std::fflush(stdout);
  }

  // Goals, per solver.
  fmt::print("\nload average at end {}\n\n", LoadAverage());
  fmt::print("goals: bqp50/bqp100 optimal on every instance; G-set gap <= 0.5% within {} s\n",
             flags.time_limit_s);
  for (size_t s = 0; s < flags.solvers.size(); ++s) {
    int bqp_total = 0, bqp_optimal = 0, gset_total = 0, gset_ok = 0;
    double worst_gset_gap = 0, sum_gset_gap = 0;
    for (size_t r = 0; r < instances.size(); ++r) {
      const Cell& cell = table[r][s];
      if (!cell.gap) continue;
      if (instances[r].family == "bqp50" || instances[r].family == "bqp100") {
        ++bqp_total;
        bqp_optimal += *cell.gap <= 0;
      } else if (instances[r].family == "gset") {
        ++gset_total;
        gset_ok += *cell.gap <= 0.005;
        worst_gset_gap = std::max(worst_gset_gap, *cell.gap);
        sum_gset_gap += *cell.gap;
      }
    }
    fmt::print("  {:<5} bqp50/100 optimal {}/{}{}   G-set within 0.5%: {}/{} (mean gap {:.3f}%, "
               "worst {:.3f}%){}\n",
               flags.solvers[s], bqp_optimal, bqp_total, bqp_optimal == bqp_total ? "" : " NOT MET",
               gset_ok, gset_total, gset_total ? 100 * sum_gset_gap / gset_total : 0,
               100 * worst_gset_gap, gset_ok == gset_total ? "" : " NOT MET");
  }
  if (std::find(flags.solvers.begin(), flags.solvers.end(), "auto") != flags.solvers.end()) {
    const size_t s = std::find(flags.solvers.begin(), flags.solvers.end(), "auto") - flags.solvers.begin();
    std::map<std::string, int> wins;
    for (size_t r = 0; r < instances.size(); ++r) ++wins[table[r][s].member];
    std::string summary;
    for (const auto& [member, count] : wins) summary += fmt::format(" {} {}", member, count);
    fmt::print("  auto: best answer came from:{}\n", summary);
  }

  if (!flags.csv_path.empty()) {
    std::ofstream csv(flags.csv_path);
    csv << "instance,n,best_known,solver,value,gap,time_to_best_s,elapsed_s,cpu_share,stop,member\n";
    for (size_t r = 0; r < instances.size(); ++r) {
      for (size_t s = 0; s < flags.solvers.size(); ++s) {
        const Cell& c = table[r][s];
        csv << instances[r].name << ',' << sizes[r] << ',' 
            << (instances[r].best_known ? FormatValue(*instances[r].best_known) : "") << ','
            << flags.solvers[s] << ',' << FormatValue(c.value) << ','
            << (c.gap ? fmt::format("{:.6f}", *c.gap) : "") << ','
            << fmt::format("{:.3f},{:.3f},{:.2f}", c.time_to_best_s, c.elapsed_s, c.cpu_share)
            << ',' << c.stop << ',' << c.member << '\n';
      }
    }
  }
  return failures == 0 ? 0 : 1;
}
