#include "exec/auto_analyze.h"

#include "common/log.h"

namespace neuroquantum::exec {

AutoAnalyzer::AutoAnalyzer(std::function<Status(uint64_t)> analyze, std::function<void()> cancel)
    : analyze_(std::move(analyze)), cancel_(std::move(cancel)), worker_([this] { Loop(); }) {}

AutoAnalyzer::~AutoAnalyzer() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cancel_();
  wake_.SignalAll();
  worker_.join();
}

void AutoAnalyzer::NoteCommitted(const std::map<uint64_t, TableWrites>& tables) {
  bool any = false;
  {
    MutexLock lock(&mu_);
    for (const auto& [table, w] : tables) {
      uint64_t& written = written_[table];
      written += w.rows;
      const double threshold = static_cast<double>(kMinChanges) + kScale * static_cast<double>(w.analysed_rows);
      if (static_cast<double>(written) >= threshold && due_.insert(table).second) any = true;
    }
  }
  if (any) wake_.Signal();
}

void AutoAnalyzer::Loop() {
  mu_.Lock();
  while (true) {
    while (!stop_ && due_.empty()) wake_.Wait(&mu_);
    if (stop_) break;
    const uint64_t table = *due_.begin();
    due_.erase(due_.begin());
    // Rows written from here on count towards the next ANALYZE.
    written_.erase(table);
    busy_ = true;
    mu_.Unlock();
    Status s = analyze_(table);
    mu_.Lock();
    busy_ = false;
    ++runs_;
    if (!s.ok()) {
      ++failures_;
      if (!stop_) NQ_LOG_WARN("sql", "automatic ANALYZE of table {} failed: {}", table, s.ToString());
    }
    if (due_.empty()) idle_.SignalAll();
  }
  busy_ = false;
  idle_.SignalAll();
  mu_.Unlock();
}

void AutoAnalyzer::WaitIdle() {
  MutexLock lock(&mu_);
  while (!stop_ && (busy_ || !due_.empty())) idle_.Wait(&mu_);
}

uint64_t AutoAnalyzer::runs() const {
  MutexLock lock(&mu_);
  return runs_;
}

uint64_t AutoAnalyzer::failures() const {
  MutexLock lock(&mu_);
  return failures_;
}

}  // namespace neuroquantum::exec
