// ARC replacement.
#include "neuro/arc_replacer.h"

#include <algorithm>

namespace neuroquantum::neuro {

ArcReplacer::ArcReplacer(size_t num_frames)
    : capacity_(num_frames), frame_page_(num_frames, 0), frame_used_(num_frames, false) {}

void ArcReplacer::MoveTo(storage::PageId page, Entry* entry, ListId list) {
  lists_[entry->list].erase(entry->pos);
  lists_[list].push_front(page);
  entry->list = list;
  entry->pos = lists_[list].begin();
}

void ArcReplacer::DropLru(ListId list) {
  if (lists_[list].empty()) return;
  entries_.erase(lists_[list].back());
  lists_[list].pop_back();
}

void ArcReplacer::RecordAccess(storage::FrameId frame, storage::PageId page) {
  frame_used_[frame] = true;
  frame_page_[frame] = page;
  auto it = entries_.find(page);
  if (it != entries_.end() && (it->second.list == kT1 || it->second.list == kT2)) {
    it->second.frame = frame;
    MoveTo(page, &it->second, kT2);  // a hit: seen at least twice
    return;
  }
  if (it != entries_.end()) {
    // A ghost hit: the list it was evicted from was too small.
    const size_t b1 = lists_[kB1].size(), b2 = lists_[kB2].size();
    if (it->second.list == kB1) {
      p_ = std::min(capacity_, p_ + std::max<size_t>(b1 == 0 ? 1 : b2 / b1, 1));
    } else {
      p_ = p_ - std::min(p_, std::max<size_t>(b2 == 0 ? 1 : b1 / b2, 1));
    }
    it->second.frame = frame;
    MoveTo(page, &it->second, kT2);
    return;
  }
  lists_[kT1].push_front(page);
  entries_[page] = Entry{kT1, lists_[kT1].begin(), frame};
}

void ArcReplacer::Remove(storage::FrameId frame) {
  if (!frame_used_[frame]) return;
  frame_used_[frame] = false;
  auto it = entries_.find(frame_page_[frame]);
  if (it == entries_.end() || (it->second.list != kT1 && it->second.list != kT2)) return;
  MoveTo(frame_page_[frame], &it->second, it->second.list == kT1 ? kB1 : kB2);
  // Directory bounds: |T1| + |B1| <= c and the four lists <= 2c.
  while (lists_[kT1].size() + lists_[kB1].size() > capacity_ && !lists_[kB1].empty()) DropLru(kB1);
  while (lists_[kT1].size() + lists_[kT2].size() + lists_[kB1].size() + lists_[kB2].size() > 2 * capacity_ &&
         !lists_[kB2].empty()) {
    DropLru(kB2);
  }
}

std::optional<storage::FrameId> ArcReplacer::PickFrom(ListId list,
                                                      const std::function<bool(storage::FrameId)>& evictable) {
  for (auto it = lists_[list].rbegin(); it != lists_[list].rend(); ++it) {
    storage::FrameId frame = entries_[*it].frame;
    if (evictable(frame)) return frame;
  }
  return std::nullopt;
}

std::optional<storage::FrameId> ArcReplacer::Victim(const std::function<bool(storage::FrameId)>& evictable) {
  bool from_t1 = !lists_[kT1].empty() && lists_[kT1].size() > p_;
  std::optional<storage::FrameId> victim = PickFrom(from_t1 ? kT1 : kT2, evictable);
  if (!victim) victim = PickFrom(from_t1 ? kT2 : kT1, evictable);
  return victim;
}

}  // namespace neuroquantum::neuro
