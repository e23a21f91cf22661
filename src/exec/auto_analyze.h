// Automatic ANALYZE: a worker thread of the Engine that re-analyses a table
// once enough of its rows changed since its statistics were gathered
// (docs/architecture/optimizer.md, "Automatic ANALYZE").
//
// Sessions report, after each commit, the rows each table had written
// (inserted, updated or deleted, cascades and triggers included) and the
// table's row count at its last ANALYZE. A table is due once its written
// rows reach kMinChanges + kScale x that count (PostgreSQL's autovacuum
// rule, with its defaults 50 and 10%); the worker then runs ANALYZE on it
// in its own transaction, off the committing thread, one table at a time.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "common/mutex.h"
#include "neuroquantum/status.h"

namespace neuroquantum::exec {

// What a transaction wrote to one table.
struct TableWrites {
  uint64_t rows = 0;           // rows inserted, updated or deleted
  uint64_t analysed_rows = 0;  // the table's rows at its last ANALYZE (0: never)
};

class AutoAnalyzer {
 public:
  static constexpr uint64_t kMinChanges = 50;
  static constexpr double kScale = 0.1;

  // `analyze(table_id)` runs ANALYZE of that table on the worker thread;
  // `cancel()` makes a running one stop soon (called when shutting down).
  AutoAnalyzer(std::function<Status(uint64_t table_id)> analyze, std::function<void()> cancel);
  // Cancels a running ANALYZE and waits for the worker to end.
  ~AutoAnalyzer();
  AutoAnalyzer(const AutoAnalyzer&) = delete;
  AutoAnalyzer& operator=(const AutoAnalyzer&) = delete;

  // After a commit: what it wrote, by table id.
  void NoteCommitted(const std::map<uint64_t, TableWrites>& tables);

  // Waits until no table is due and none is being analysed (tests).
  void WaitIdle();
  // ANALYZE runs so far, and how many failed.
  uint64_t runs() const;
  uint64_t failures() const;

 private:
  void Loop();

  std::function<Status(uint64_t)> analyze_;
  std::function<void()> cancel_;
  mutable Mutex mu_;
  CondVar wake_;
  CondVar idle_;
  std::map<uint64_t, uint64_t> written_ GUARDED_BY(mu_);  // since the table's last ANALYZE
  std::set<uint64_t> due_ GUARDED_BY(mu_);
  bool busy_ GUARDED_BY(mu_) = false;
  bool stop_ GUARDED_BY(mu_) = false;
  uint64_t runs_ GUARDED_BY(mu_) = 0;
  uint64_t failures_ GUARDED_BY(mu_) = 0;
  std::thread worker_;
};

}  // namespace neuroquantum::exec
