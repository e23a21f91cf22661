// Neuromorphic library benchmark (`make bench SUITE=neuro`):
//  1. 5-fold stratified cross-validation accuracy and training time of our
//     MLP and spiking classifier on iris, wine, breast_cancer and digits,
//     beside scikit-learn's MLPClassifier run (system python3) on the same
//     folds in the same run;
//  2. hit rate and replay throughput of LRU, CLOCK, ARC and the Hebbian policy
//     (and LRU with the Hebbian prefetcher) on an access trace recorded
//     from the storage engine and on synthetic traces.
// Options: --quick (fewer epochs and shorter traces), --skip-ml,
// --skip-traces, --trace-out FILE (writes the engine trace).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "neuro/access_trace_file.h"
#include "neuro/cache_simulator.h"
#include "neuro/cross_validation.h"
#include "neuro/dataset.h"
#include "neuro/hebbian_policy.h"
#include "neuro/lru_replacer.h"
#include "neuro/mlp.h"
#include "neuro/random.h"
#include "neuro/spiking.h"
#include "neuro/trace_generators.h"
#include "storage/engine.h"
#include "support/test_data.h"

namespace neuroquantum::neuro {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct CvScore {
  double accuracy = 0;
  double seconds = 0;  // training time summed over folds
};

template <typename TrainFn>
CvScore CrossValidate(const Dataset& data, const std::vector<int>& folds, TrainFn train) {
  CvScore score;
  for (int k = 0; k < 5; ++k) {
    auto train_rows = FoldRows(folds, k, false), test_rows = FoldRows(folds, k, true);
    auto start = Clock::now();
    Eigen::VectorXd predicted = train(SelectRows(data.features, train_rows), SelectRows(data.targets, train_rows),
                                      SelectRows(data.features, test_rows));
    score.seconds += Since(start);
    score.accuracy += Accuracy(predicted, SelectRows(data.targets, test_rows)) / 5.0;
  }
  return score;
}

// Runs the scikit-learn script on the same rows and folds.
bool SklearnScore(const Dataset& data, const std::vector<int>& folds, CvScore* out) {
  std::string path = (std::filesystem::temp_directory_path() / fmt::format("nq-neuro-folds-{}.csv", ::getpid())).string();
  {
    std::ofstream file(path);
    for (Eigen::Index i = 0; i < data.features.rows(); ++i) {
      for (Eigen::Index j = 0; j < data.features.cols(); ++j) file << fmt::format("{},", data.features(i, j));
      file << data.targets[i] << "," << folds[static_cast<size_t>(i)] << "\n";
    }
  }
  std::string cmd = fmt::format("/usr/bin/python3 {}/bench/neuro_sklearn.py {}", NQ_SOURCE_DIR, path);
  FILE* pipe = ::popen(cmd.c_str(), "r");
  bool ok = false;
  if (pipe != nullptr) {
    char line[256];
    while (std::fgets(line, sizeof(line), pipe) != nullptr) {
      if (std::sscanf(line, "accuracy %lf seconds %lf", &out->accuracy, &out->seconds) == 2) ok = true;
    }
    ok = ::pclose(pipe) == 0 && ok;
  }
  std::filesystem::remove(path);
  return ok;
}

void RunMl(bool quick) {
  std::filesystem::path dir = testing::TestDataDir("ml");
  if (dir.empty()) {
    std::printf("ML data not found under %s: skipping part 1\n", (testing::TestDataRoot() / "ml").c_str());
    return;
  }
  std::printf("## 1. Classification: 5-fold stratified CV accuracy (same folds for all)\n\n");
  std::printf("| data set | rows x features | our MLP | time s | spiking (LIF, rate) | time s | scikit-learn MLP | time s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const char* name : {"iris.csv", "wine_data.csv", "breast_cancer.csv", "digits.csv.gz"}) {
    auto data = ReadCsvFile((dir / name).string(), {});
    if (!data.ok()) {
      std::printf("| %s | error: %s |\n", name, data.status().ToString().c_str());
      continue;
    }
    auto folds = StratifiedFolds(data->labels(), 5, 42);
    const int classes = static_cast<int>(data->class_names.size());
    MlpOptions mlp_options;
    if (quick) mlp_options.epochs = 50;
    CvScore mlp = CrossValidate(*data, folds, [&](const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                                  const Eigen::MatrixXd& test) {
      auto model = Mlp::Train(x, y, classes, mlp_options);
      return model.ok() ? model->Predict(test) : Eigen::VectorXd::Constant(test.rows(), -1.0);
    });
    SpikingOptions spiking_options;
    CvScore spiking = CrossValidate(*data, folds, [&](const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                                      const Eigen::MatrixXd& test) {
      auto model = SpikingClassifier::Train(x, y, classes, spiking_options);
      return model.ok() ? model->Predict(test) : Eigen::VectorXd::Constant(test.rows(), -1.0);
    });
    CvScore sk;
    bool have_sk = SklearnScore(*data, folds, &sk);
    std::printf("| %s | %ld x %ld | %.4f | %.2f | %.4f | %.2f | %s | %s |\n", name,
                static_cast<long>(data->features.rows()), static_cast<long>(data->features.cols()), mlp.accuracy,
                mlp.seconds, spiking.accuracy, spiking.seconds,
                have_sk ? fmt::format("{:.4f}", sk.accuracy).c_str() : "unavailable",
                have_sk ? fmt::format("{:.2f}", sk.seconds).c_str() : "-");
    std::fflush(stdout);
  }
  std::printf("\n");
}

// Bulk-load source of `count` keys "k%08d" with 200-byte values.
class KeySource : public storage::BulkSource {
 public:
  explicit KeySource(int count) : count_(count), value_(200, 'v') {}
  bool Next(std::string_view* key, std::string_view* value) override {
    if (next_ >= count_) return false;
    key_ = fmt::format("k{:08d}", next_++);
    *key = key_;
    *value = value_;
    return true;
  }

 private:
  int count_, next_ = 0;
  std::string key_, value_;
};

// Records the buffer pool's accesses while the engine serves a storage-level
// workload (there is no SQL layer yet): zipfian point gets on a customers
// tree, uniform point gets on an orders tree, and, for `scan_permille` of
// the operations, a report that scans the same `scan_keys`-key range of
// orders.
Result<std::vector<storage::AccessEvent>> RecordEngineTrace(size_t operations, uint64_t scan_permille,
                                                            int scan_keys) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("nq-neuro-bench-{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::vector<storage::AccessEvent> events;
  {
    Options options;
    options.durability = Durability::kOff;
    options.buffer_pool_mib = 64;
    NQ_ASSIGN_OR_RETURN(auto engine, storage::StorageEngine::Open((dir / "db").string(), options));
    NQ_ASSIGN_OR_RETURN(storage::TreeId customers, engine->CreateTree("customers"));
    NQ_ASSIGN_OR_RETURN(storage::TreeId orders, engine->CreateTree("orders"));
    KeySource customer_keys(30000), order_keys(60000);
    NQ_RETURN_IF_ERROR(engine->BulkLoad(customers, &customer_keys));
    NQ_RETURN_IF_ERROR(engine->BulkLoad(orders, &order_keys));
    TraceRecorder recorder;
    engine->context()->pool->SetTracer(&recorder);
    Random rng(7);
    std::vector<uint64_t> zipf = ZipfianTrace(30000, 0.99, operations, 11);
    size_t done = 0;
    while (done < operations) {
      uint64_t dice = rng.Below(1000);
      if (dice < scan_permille) {
        NQ_ASSIGN_OR_RETURN(auto it, engine->NewIterator(orders));
        it->Seek("k00010000");
        for (int i = 0; i < scan_keys && it->Valid(); ++i) it->Next();
      } else if (dice < 700) {
        NQ_ASSIGN_OR_RETURN(auto v, engine->Get(customers, fmt::format("k{:08d}", zipf[done] - 1)));
        (void)v;
      } else {
        NQ_ASSIGN_OR_RETURN(auto v, engine->Get(orders, fmt::format("k{:08d}", rng.Below(60000))));
        (void)v;
      }
      ++done;
    }
    engine->context()->pool->SetTracer(nullptr);
    events = recorder.events();
  }
  std::filesystem::remove_all(dir);
  return events;
}

size_t DistinctPages(const std::vector<uint64_t>& trace) {
  std::vector<uint64_t> sorted = trace;
  std::sort(sorted.begin(), sorted.end());
  return static_cast<size_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
}

void ReportTrace(const char* name, const std::vector<uint64_t>& trace, size_t frames) {
  std::printf("| %s | %zu | %zu | %zu |", name, trace.size(), DistinctPages(trace), frames);
  for (const char* policy : {"lru", "clock", "arc", "hebbian"}) {
    auto p = MakeReplacementPolicy(policy, frames);
    ReplayResult r = ReplayTrace(trace, frames, p->get());
    std::printf(" %.2f%% (%.1fM/s) |", 100 * r.hit_rate(), r.accesses_per_second() / 1e6);
  }
  LruReplacer lru(frames);
  HebbianPrefetcher prefetcher;
  ReplayResult r = ReplayTrace(trace, frames, &lru, &prefetcher);
  std::printf(" %.2f%% (%.1fM/s) |\n", 100 * r.hit_rate(), r.accesses_per_second() / 1e6);
  std::fflush(stdout);
}

void RunTraces(bool quick, const std::string& trace_out) {
  const size_t length = quick ? 50000 : 400000;
  std::printf("## 2. Buffer replacement: hit rate (replay throughput, million accesses/s)\n\n");
  std::printf("| trace | accesses | distinct pages | frames | LRU | CLOCK | ARC | Hebbian | LRU + Hebbian prefetch |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  struct EngineWorkload {
    const char* name;
    uint64_t scan_permille;
    int scan_keys;
  };
  for (const EngineWorkload& w : {EngineWorkload{"engine: point gets, 0.2% short scans", 2, 4000},
                                  EngineWorkload{"engine: point gets, 1% long scans", 10, 30000}}) {
    auto events = RecordEngineTrace(quick ? 10000 : 40000, w.scan_permille, w.scan_keys);
    if (!events.ok()) {
      std::printf("engine trace failed: %s\n", events.status().ToString().c_str());
      continue;
    }
    if (!trace_out.empty() && w.scan_permille == 2) {
      Status s = WriteTraceFile(trace_out, *events);
      if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
    }
    std::vector<uint64_t> pages = DemandPages(*events);
    ReportTrace(w.name, pages, DistinctPages(pages) / 4);
  }
  ReportTrace("looping scan (1.5x pool)", LoopingScanTrace(1536, length), 1024);
  ReportTrace("correlated (periodic queries, 10% noise)", CorrelatedTrace(100000, 96, 16, 0.1, length, 3), 1024);
  ReportTrace("zipfian 0.99", ZipfianTrace(20000, 0.99, length, 5), 1024);
  ReportTrace("TPC-C-like mix", TpccLikeTrace(length, 9), 1024);
  std::printf("\n");
}

}  // namespace
}  // namespace neuroquantum::neuro

int main(int argc, char** argv) {
  bool quick = false, ml = true, traces = true;
  std::string trace_out;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--skip-ml") {
      ml = false;
    } else if (arg == "--skip-traces") {
      traces = false;
    } else if (arg == "--trace-out" && i + 1 < argc) {
      trace_out = argv[++i];
    } else {
      std::fprintf(stderr, "usage: neuro_bench [--quick] [--skip-ml] [--skip-traces] [--trace-out FILE]\n");
      return 2;
    }
  }
  if (ml) neuroquantum::neuro::RunMl(quick);
  if (traces) neuroquantum::neuro::RunTraces(quick, trace_out);
  return 0;
}
