// Offline evaluation of replacement and prefetch policies: replays a page
// trace through a simulated buffer pool of `frames` frames that drives the
// policies through the same interfaces the engine's BufferPool uses
// (RecordAccess on every access and load, Victim then Remove on eviction,
// PrefetchAdvisor::Advise after each demand access).
//
// A prefetched page that is then demanded counts as a hit (and as a
// prefetch hit); prefetch loads themselves are not accesses.
//
// Thread safety: one replay at a time per policy object.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"
#include "storage/access_trace.h"
#include "storage/replacer.h"

namespace neuroquantum::neuro {

struct ReplayResult {
  uint64_t accesses = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t prefetch_loads = 0;
  uint64_t prefetch_hits = 0;
  double seconds = 0.0;
  double hit_rate() const { return accesses == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(accesses); }
  double accesses_per_second() const { return seconds > 0 ? static_cast<double>(accesses) / seconds : 0.0; }
};

// REQUIRES: frames >= 1; `policy` was made for `frames` frames.
ReplayResult ReplayTrace(const std::vector<uint64_t>& pages, size_t frames,
                         storage::ReplacementPolicy* policy,
                         storage::PrefetchAdvisor* advisor = nullptr);

// "lru", "clock", "arc" or "hebbian" (default options); InvalidArgument otherwise.
Result<std::unique_ptr<storage::ReplacementPolicy>> MakeReplacementPolicy(std::string_view name,
                                                                         size_t frames);

}  // namespace neuroquantum::neuro
