// Neuromorphic library benchmark (`make bench SUITE=neuro`):
//  1. 5-fold stratified cross-validation accuracy and training time of our
//     MLP and spiking classifier on iris, wine, breast_cancer and digits,
//     beside scikit-learn's MLPClassifier run (system python3) on the same
//     folds in the same run; repeated with 3 fold splits (fold seeds 42,
//     43, 44), every model's initialisation seed set to the repetition
//     (1, 2, 3), and the mean reported: on 150-180 rows one test sample is
//     half a point, more than the difference between seeds of one model;
//  2. hit rate and replay throughput of LRU, CLOCK, ARC and the Hebbian policy
//     (and LRU with the Hebbian prefetcher) on access traces recorded from
//     the storage engine and from the SQL engine running the SQL
//     benchmark's queries, and on synthetic traces.
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
#include "exec/session.h"
#include "storage/buffer_pool.h"
#include "storage/engine.h"
#include "txn/txn_engine.h"
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
bool SklearnScore(const Dataset& data, const std::vector<int>& folds, int seed, CvScore* out) {
  std::string path = (std::filesystem::temp_directory_path() / fmt::format("nq-neuro-folds-{}.csv", ::getpid())).string();
  {
    std::ofstream file(path);
    for (Eigen::Index i = 0; i < data.features.rows(); ++i) {
      for (Eigen::Index j = 0; j < data.features.cols(); ++j) file << fmt::format("{},", data.features(i, j));
      file << data.targets[i] << "," << folds[static_cast<size_t>(i)] << "\n";
    }
  }
  std::string cmd = fmt::format("/usr/bin/python3 {}/bench/neuro_sklearn.py {} {}", NQ_SOURCE_DIR, path, seed);
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
  std::printf("## 1. Classification: 5-fold stratified CV accuracy, mean of 3 fold splits and seeds (same folds for all)\n\n");
  std::printf("| data set | rows x features | our MLP | time s | spiking (LIF, rate) | time s | scikit-learn MLP | time s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const char* name : {"iris.csv", "wine_data.csv", "breast_cancer.csv", "digits.csv.gz"}) {
    auto data = ReadCsvFile((dir / name).string(), {});
    if (!data.ok()) {
      std::printf("| %s | error: %s |\n", name, data.status().ToString().c_str());
      continue;
    }
    const int classes = static_cast<int>(data->class_names.size());
    const int repeats = quick ? 1 : 3;
    CvScore mlp, spiking, sk;
    bool have_sk = true;
    auto add = [repeats](CvScore* total, const CvScore& one) {
      total->accuracy += one.accuracy / repeats;
      total->seconds += one.seconds / repeats;
    };
    for (int r = 0; r < repeats; ++r) {
      auto folds = StratifiedFolds(data->labels(), 5, 42 + static_cast<uint64_t>(r));
      MlpOptions mlp_options;
      mlp_options.seed = 1 + static_cast<uint64_t>(r);
      if (quick) mlp_options.epochs = 50;
      add(&mlp, CrossValidate(*data, folds, [&](const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                                const Eigen::MatrixXd& test) {
            auto model = Mlp::Train(x, y, classes, mlp_options);
            return model.ok() ? model->Predict(test) : Eigen::VectorXd::Constant(test.rows(), -1.0);
          }));
      SpikingOptions spiking_options;
      spiking_options.seed = 1 + static_cast<uint64_t>(r);
      add(&spiking, CrossValidate(*data, folds, [&](const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                                    const Eigen::MatrixXd& test) {
            auto model = SpikingClassifier::Train(x, y, classes, spiking_options);
            return model.ok() ? model->Predict(test) : Eigen::VectorXd::Constant(test.rows(), -1.0);
          }));
      CvScore one;
      have_sk = have_sk && SklearnScore(*data, folds, 1 + r, &one);
      add(&sk, one);
    }
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

// Records the buffer pool's accesses while the SQL engine runs a scaled-down
// form of the SQL benchmark (bench/sql_bench.cc): 50,000 rows in `t` with a
// secondary index on `grp`, 5,000 in `u`; then primary-key point lookups,
// index range lookups, and every 100th query one of the reports (full-scan
// SUM/COUNT, GROUP BY into 1,000 groups, a join with GROUP BY). Only the
// query phase is recorded.
Result<std::vector<storage::AccessEvent>> RecordSqlTrace(size_t queries) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("nq-neuro-sql-{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::vector<storage::AccessEvent> events;
  Status status = [&]() -> Status {
    DatabaseOptions options;
    options.storage.durability = Durability::kOff;
    options.storage.buffer_pool_mib = 64;
    NQ_ASSIGN_OR_RETURN(auto engine, exec::Engine::Open((dir / "db").string(), options));
    exec::Session session(engine.get());
    auto run = [&session](const std::string& sql) -> Status { return session.ExecuteScript(sql).status(); };
    NQ_RETURN_IF_ERROR(run("CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER, val DOUBLE, name TEXT); "
                           "CREATE TABLE u (id INTEGER PRIMARY KEY, label TEXT); CREATE INDEX t_grp ON t (grp)"));
    NQ_RETURN_IF_ERROR(run("BEGIN"));
    for (int start = 0; start < 50000; start += 1000) {
      std::string sql = "INSERT INTO t VALUES ";
      for (int i = start; i < start + 1000; ++i) {
        sql += fmt::format("{}({}, {}, {}, 'name-{}')", i == start ? "" : ",", i, (i * 7919) % 1000, i * 0.25, i);
      }
      NQ_RETURN_IF_ERROR(run(sql));
    }
    for (int start = 0; start < 5000; start += 1000) {
      std::string sql = "INSERT INTO u VALUES ";
      for (int i = start; i < start + 1000; ++i) sql += fmt::format("{}({}, 'label-{}')", i == start ? "" : ",", i, i);
      NQ_RETURN_IF_ERROR(run(sql));
    }
    NQ_RETURN_IF_ERROR(run("COMMIT"));
    TraceRecorder recorder;
    storage::BufferPool* pool = engine->txn()->storage()->context()->pool;
    pool->SetTracer(&recorder);
    Random rng(13);
    const char* reports[] = {"SELECT SUM(val), COUNT(*) FROM t",
                             "SELECT grp, COUNT(*), SUM(val) FROM t GROUP BY grp",
                             "SELECT u.label, COUNT(*) FROM t JOIN u ON t.grp = u.id GROUP BY u.label"};
    Status s;
    for (size_t q = 0; q < queries && s.ok(); ++q) {
      uint64_t dice = rng.Below(100);
      if (q % 100 == 99) {
        s = run(reports[(q / 100) % 3]);
      } else if (dice < 70) {
        s = run(fmt::format("SELECT name FROM t WHERE id = {}", rng.Below(50000)));
      } else if (dice < 90) {
        s = run(fmt::format("SELECT COUNT(*) FROM t WHERE grp BETWEEN {0} AND {0} + 1", rng.Below(999)));
      } else {
        s = run(fmt::format("SELECT label FROM u WHERE id = {}", rng.Below(5000)));
      }
    }
    pool->SetTracer(nullptr);
    events = recorder.events();
    return s;
  }();
  std::filesystem::remove_all(dir);
  if (!status.ok()) return status;
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
  auto sql_events = RecordSqlTrace(quick ? 1000 : 4000);
  if (sql_events.ok()) {
    std::vector<uint64_t> pages = DemandPages(*sql_events);
    ReportTrace("engine: SQL benchmark queries", pages, DistinctPages(pages) / 4);
  } else {
    std::printf("SQL trace failed: %s\n", sql_events.status().ToString().c_str());
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
