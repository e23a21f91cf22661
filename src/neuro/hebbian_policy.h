// The Hebbian co-access model (hebbian_model.h) behind the storage engine's
// policy seams:
//  - HebbianReplacer, a storage::ReplacementPolicy: evicts the page whose
//    next use is predicted furthest away;
//  - HebbianPrefetcher, a storage::PrefetchAdvisor: after each access,
//    names the pages the model predicts next.
//
// How the replacer predicts next use. From the last accessed page it walks
// the chain of confident successors (PredictNext) up to `horizon` steps;
// a cached page found at step k is predicted to be needed in k accesses.
// A page not on the walk is estimated by its age (accesses since its last
// use), the estimate LRU implicitly makes. The victim is the evictable page
// with the largest estimate (ties: the older). On a looping scan longer
// than the pool this keeps a stable set of pages instead of thrashing (the
// walk closes into the loop, and the page just used is the furthest away);
// where there are no confident links (random or zipfian traffic) the walk is
// empty and the policy is LRU.
// The walk is kept between calls: an access to a page on it shifts it past
// that page (and extends or rotates it); a few unrelated accesses in between
// (noise) are tolerated, more than kOffWalkTolerance in a row drop it, and
// the next Victim() rebuilds it from the last page. Victim() costs the
// frames it skips: off-walk candidates come from an LRU list, on-walk ones
// from the end of the walk.
//
// Thread safety: HebbianReplacer follows the ReplacementPolicy contract
// (the pool serialises calls). HebbianPrefetcher is internally synchronised.
#pragma once

#include <deque>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "neuro/hebbian_model.h"
#include "storage/access_trace.h"
#include "storage/replacer.h"

namespace neuroquantum::neuro {

using storage::FrameId;
using storage::PageId;

class HebbianReplacer final : public storage::ReplacementPolicy {
 public:
  // `horizon` 0 means 4 * num_frames.
  explicit HebbianReplacer(size_t num_frames, const HebbianOptions& options = {}, size_t horizon = 0);
  void RecordAccess(FrameId frame, PageId page) override;
  void Remove(FrameId frame) override;
  std::optional<FrameId> Victim(const std::function<bool(FrameId)>& evictable) override;
  const char* name() const override { return "hebbian"; }
  const HebbianModel& model() const { return model_; }

 private:
  void ClearWalk();
  void RebuildWalk();
  // Appends one predicted step to the walk, if there is a confident one.
  void ExtendWalk();
  void Append(PageId page);
  void MarkPredicted(PageId page, uint64_t position);
  void SetPredicted(FrameId frame, uint64_t value);

  HebbianModel model_;
  const size_t horizon_;
  std::vector<PageId> frame_page_;
  std::vector<bool> frame_used_;
  std::vector<uint64_t> last_use_;    // tick of the frame's last access
  std::vector<uint64_t> predicted_;   // walk position + 1 of the frame's page; 0 = not on the walk
  size_t predicted_frames_ = 0;       // frames with predicted_ != 0
  std::list<FrameId> lru_;            // cached frames, most recent first
  std::vector<std::list<FrameId>::iterator> lru_pos_;
  std::unordered_map<PageId, FrameId> page_frame_;
  uint64_t tick_ = 0;
  bool has_last_ = false;
  PageId last_page_ = 0;

  // Invariant: walk_[i] has position walk_base_ + i and is in walk_pos_;
  // predicted_[f] != 0 exactly for cached pages on the walk.
  std::deque<PageId> walk_;
  std::unordered_map<PageId, uint64_t> walk_pos_;
  uint64_t walk_base_ = 0;
  bool walk_valid_ = false;
  bool walk_closed_ = false;  // the walk returned to its start: a cycle
  int off_walk_ = 0;          // accesses in a row that were not on the walk
  static constexpr int kOffWalkTolerance = 8;
};

class HebbianPrefetcher final : public storage::PrefetchAdvisor {
 public:
  // Names up to `depth` pages along the predicted chain after each access.
  explicit HebbianPrefetcher(const HebbianOptions& options = {}, int depth = 4);
  void Advise(const storage::AccessEvent& event, std::vector<PageId>* to_prefetch) override
      EXCLUDES(mu_);

 private:
  Mutex mu_;
  HebbianModel model_ GUARDED_BY(mu_);
  const int depth_;
};

}  // namespace neuroquantum::neuro
