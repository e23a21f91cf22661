// Recording page-access traces from the storage engine and storing them in
// a text file for offline replay (`nqdb trace replay`).
//
// Trace file format, version 1 (text, one access per line):
//   # nqdb access trace v1            first line, required
//   <page> [<object> [<kind> [<query> [<hit>]]]]
// page, object and query are decimal unsigned integers, kind is r (read),
// w (write) or p (prefetch load), hit is 0 or 1; missing optional fields
// default to 0 / r / 0 / 0. Other lines starting with # are comments; blank
// lines are skipped. Prefetch loads are not demand accesses: replay skips
// them.
//
// Thread safety: TraceRecorder is internally synchronised (the buffer pool
// calls Record from any thread); the free functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "neuroquantum/result.h"
#include "storage/access_trace.h"

namespace neuroquantum::neuro {

class TraceRecorder final : public storage::AccessTracer {
 public:
  void Record(const storage::AccessEvent& event) override EXCLUDES(mu_);
  std::vector<storage::AccessEvent> events() const EXCLUDES(mu_);
  void Clear() EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::vector<storage::AccessEvent> events_ GUARDED_BY(mu_);
};

std::string FormatTrace(const std::vector<storage::AccessEvent>& events);
// Errors: InvalidArgument naming the line for a missing header line or a
// malformed field.
Result<std::vector<storage::AccessEvent>> ParseTrace(std::string_view text);
Status WriteTraceFile(const std::string& path, const std::vector<storage::AccessEvent>& events);
Result<std::vector<storage::AccessEvent>> ReadTraceFile(const std::string& path);

// The demand accesses' page ids, in order (prefetch loads dropped).
std::vector<uint64_t> DemandPages(const std::vector<storage::AccessEvent>& events);

}  // namespace neuroquantum::neuro
