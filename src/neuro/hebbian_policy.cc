// HebbianReplacer and HebbianPrefetcher.
#include "neuro/hebbian_policy.h"

namespace neuroquantum::neuro {

HebbianReplacer::HebbianReplacer(size_t num_frames, const HebbianOptions& options, size_t horizon)
    : model_(options),
      horizon_(horizon == 0 ? 4 * num_frames : horizon),
      frame_page_(num_frames, 0),
      frame_used_(num_frames, false),
      last_use_(num_frames, 0),
      predicted_(num_frames, 0),
      lru_pos_(num_frames) {}

void HebbianReplacer::SetPredicted(FrameId frame, uint64_t value) {
  if (predicted_[frame] == 0 && value != 0) ++predicted_frames_;
  if (predicted_[frame] != 0 && value == 0) --predicted_frames_;
  predicted_[frame] = value;
}

void HebbianReplacer::MarkPredicted(PageId page, uint64_t position) {
  auto it = page_frame_.find(page);
  if (it != page_frame_.end()) SetPredicted(it->second, position + 1);
}

void HebbianReplacer::ClearWalk() {
  off_walk_ = 0;
  for (PageId page : walk_) MarkPredicted(page, UINT64_MAX);  // position + 1 wraps to 0
  walk_.clear();
  walk_pos_.clear();
  walk_valid_ = false;
  walk_closed_ = false;
}

void HebbianReplacer::Append(PageId page) {
  uint64_t position = walk_base_ + walk_.size();
  walk_.push_back(page);
  walk_pos_[page] = position;
  MarkPredicted(page, position);
}

void HebbianReplacer::ExtendWalk() {
  if (walk_closed_ || walk_.size() >= horizon_ || !has_last_) return;
  PageId from = walk_.empty() ? last_page_ : walk_.back();
  std::optional<PageId> next = model_.PredictNext(from);
  if (!next) return;
  if (*next == last_page_) {
    walk_closed_ = true;
    Append(*next);
  } else if (walk_pos_.count(*next) == 0) {
    Append(*next);
  }
}

void HebbianReplacer::RebuildWalk() {
  ClearWalk();
  walk_valid_ = true;
  walk_base_ = tick_ + 1;
  size_t before;
  do {
    before = walk_.size();
    ExtendWalk();
  } while (walk_.size() != before && !walk_closed_ && walk_.size() < horizon_);
}

void HebbianReplacer::RecordAccess(FrameId frame, PageId page) {
  if (frame_used_[frame] && frame_page_[frame] != page) page_frame_.erase(frame_page_[frame]);
  if (frame_used_[frame]) {
    lru_.splice(lru_.begin(), lru_, lru_pos_[frame]);
  } else {
    lru_.push_front(frame);
  }
  lru_pos_[frame] = lru_.begin();
  frame_used_[frame] = true;
  frame_page_[frame] = page;
  page_frame_[page] = frame;
  auto on_walk = walk_pos_.find(page);
  SetPredicted(frame, on_walk != walk_pos_.end() ? on_walk->second + 1 : 0);
  if (has_last_ && page == last_page_) {
    last_use_[frame] = tick_;
    return;
  }
  ++tick_;
  last_use_[frame] = tick_;
  model_.Observe(page);
  has_last_ = true;
  last_page_ = page;
  if (!walk_valid_) return;
  auto it = walk_pos_.find(page);
  if (it != walk_pos_.end()) {
    // The prediction came true, perhaps skipping a few steps: shift the
    // walk past `page`. On a cycle the consumed pages come round again at
    // its end.
    const uint64_t position = it->second;
    int consumed = 0;
    while (!walk_.empty() && walk_base_ <= position) {
      PageId front = walk_.front();
      walk_.pop_front();
      walk_pos_.erase(front);
      MarkPredicted(front, UINT64_MAX);
      ++walk_base_;
      ++consumed;
      if (walk_closed_) Append(front);
    }
    off_walk_ = 0;
    for (int i = 0; i < consumed; ++i) ExtendWalk();
  } else if (walk_.empty() || ++off_walk_ > kOffWalkTolerance) {
    // Not following the walk (any more): rebuild from here when needed.
    ClearWalk();
  }
}

void HebbianReplacer::Remove(FrameId frame) {
  if (!frame_used_[frame]) return;
  page_frame_.erase(frame_page_[frame]);
  lru_.erase(lru_pos_[frame]);
  frame_used_[frame] = false;
  SetPredicted(frame, 0);
}

std::optional<FrameId> HebbianReplacer::Victim(const std::function<bool(FrameId)>& evictable) {
  if (!walk_valid_) RebuildWalk();
  if (predicted_frames_ == 0) {
    // No cached page is on the walk: every estimate is the page's age, so
    // the victim is the least recently used evictable frame.
    for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
      if (evictable(*it)) return *it;
    }
    return std::nullopt;
  }
  // The largest estimate among pages off the walk is the least recently
  // used of them; among pages on the walk, the cached one furthest along it.
  std::optional<FrameId> off_walk, on_walk;
  for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
    if (predicted_[*it] == 0 && evictable(*it)) {
      off_walk = *it;
      break;
    }
  }
  for (size_t i = walk_.size(); i-- > 0;) {
    auto cached = page_frame_.find(walk_[i]);
    if (cached != page_frame_.end() && predicted_[cached->second] != 0 && evictable(cached->second)) {
      on_walk = cached->second;
      break;
    }
  }
  if (!off_walk || !on_walk) return off_walk ? off_walk : on_walk;
  uint64_t off_estimate = tick_ - last_use_[*off_walk];
  uint64_t on_estimate = predicted_[*on_walk] - walk_base_;
  if (on_estimate > off_estimate ||
      (on_estimate == off_estimate && last_use_[*on_walk] < last_use_[*off_walk])) {
    return on_walk;
  }
  return off_walk;
}

HebbianPrefetcher::HebbianPrefetcher(const HebbianOptions& options, int depth)
    : model_(options), depth_(depth) {}

void HebbianPrefetcher::Advise(const storage::AccessEvent& event, std::vector<PageId>* to_prefetch) {
  if (event.kind == storage::AccessKind::kPrefetch) return;  // learn from demand only
  MutexLock lock(&mu_);
  model_.Observe(event.page_id);
  PageId cur = event.page_id;
  for (int i = 0; i < depth_; ++i) {
    std::optional<PageId> next = model_.PredictNext(cur);
    if (!next || *next == event.page_id) break;
    to_prefetch->push_back(*next);
    cur = *next;
  }
}

}  // namespace neuroquantum::neuro
