// The simulated buffer pool behind ReplayTrace.
#include "neuro/cache_simulator.h"

#include <chrono>
#include <fmt/format.h>
#include <unordered_map>

#include "neuro/arc_replacer.h"
#include "neuro/hebbian_policy.h"
#include "neuro/lru_replacer.h"

namespace neuroquantum::neuro {
namespace {

class SimulatedPool {
 public:
  SimulatedPool(size_t frames, storage::ReplacementPolicy* policy)
      : policy_(policy), frame_page_(frames), prefetched_(frames, false) {
    for (size_t f = frames; f-- > 0;) free_.push_back(static_cast<storage::FrameId>(f));
  }

  // Returns true on a hit. `prefetch` loads without counting an access.
  bool Access(uint64_t page, bool prefetch, ReplayResult* result) {
    auto it = table_.find(page);
    if (it != table_.end()) {
      if (prefetch) return true;
      if (prefetched_[it->second]) {
        prefetched_[it->second] = false;
        ++result->prefetch_hits;
      }
      policy_->RecordAccess(it->second, page);
      return true;
    }
    storage::FrameId frame;
    if (!free_.empty()) {
      frame = free_.back();
      free_.pop_back();
    } else {
      auto victim = policy_->Victim([](storage::FrameId) { return true; });
      // Every frame is evictable here, so a policy that names none is broken.
      if (!victim) return false;
      frame = *victim;
      table_.erase(frame_page_[frame]);
      policy_->Remove(frame);
    }
    frame_page_[frame] = page;
    prefetched_[frame] = prefetch;
    table_[page] = frame;
    if (prefetch) ++result->prefetch_loads;
    policy_->RecordAccess(frame, page);
    return false;
  }

 private:
  storage::ReplacementPolicy* policy_;
  std::vector<uint64_t> frame_page_;
  std::vector<bool> prefetched_;
  std::vector<storage::FrameId> free_;
  std::unordered_map<uint64_t, storage::FrameId> table_;
};

}  // namespace

ReplayResult ReplayTrace(const std::vector<uint64_t>& pages, size_t frames,
                         storage::ReplacementPolicy* policy, storage::PrefetchAdvisor* advisor) {
  ReplayResult result;
  SimulatedPool pool(frames, policy);
  std::vector<storage::PageId> wanted;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t page : pages) {
    ++result.accesses;
    bool hit = pool.Access(page, false, &result);
    hit ? ++result.hits : ++result.misses;
    if (advisor != nullptr) {
      wanted.clear();
      advisor->Advise({page, 0, storage::AccessKind::kRead, 0, hit}, &wanted);
      for (storage::PageId p : wanted) pool.Access(p, true, &result);
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Result<std::unique_ptr<storage::ReplacementPolicy>> MakeReplacementPolicy(std::string_view name,
                                                                         size_t frames) {
  if (name == "lru") return std::unique_ptr<storage::ReplacementPolicy>(new LruReplacer(frames));
  if (name == "clock") {
    return std::unique_ptr<storage::ReplacementPolicy>(new storage::ClockReplacer(frames));
  }
  if (name == "hebbian") return std::unique_ptr<storage::ReplacementPolicy>(new HebbianReplacer(frames));
  if (name == "arc") return std::unique_ptr<storage::ReplacementPolicy>(new ArcReplacer(frames));
  return Status::InvalidArgument(fmt::format("unknown policy '{}' (lru, clock, arc, hebbian)", name));
}

}  // namespace neuroquantum::neuro
