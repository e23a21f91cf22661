// BufferPool: frame table, loading, eviction, flushing.
#include <cassert>
#include "storage/buffer_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "fmt/format.h"

namespace neuroquantum::storage {

PageGuard& PageGuard::operator=(PageGuard&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    frame_ = other.frame_;
    page_id_ = other.page_id_;
    data_ = other.data_;
    mode_ = other.mode_;
    other.pool_ = nullptr;
  }
  return *this;
}

uint8_t* PageGuard::mutable_data() {
  // A shared latch holder writing the page would race with other readers.
  assert(mode_ == LatchMode::kExclusive);
  return data_;
}

void PageGuard::MarkDirty() {
  assert(mode_ == LatchMode::kExclusive);
  pool_->frames_[frame_].dirty.store(true, std::memory_order_release);
}

void PageGuard::Release() {
  if (pool_ == nullptr) return;
  auto& frame = pool_->frames_[frame_];
  if (mode_ == LatchMode::kExclusive) {
    frame.latch.unlock();
  } else {
    frame.latch.unlock_shared();
  }
  pool_->Unpin(frame_);
  pool_ = nullptr;
}

namespace {
constexpr size_t kHugePage = size_t{2} << 20;

// Frames of a pool of `capacity_bytes`: at least 16.
size_t FrameCount(size_t capacity_bytes, uint32_t page_size) {
  return std::max<size_t>(16, capacity_bytes / page_size);
}
}  // namespace

// Frames live in anonymous memory aligned to 2 MiB and advised for
// transparent huge pages: a pool filling up from cold takes one page fault
// per 2 MiB instead of one per frame (where the kernel's THP mode is
// "madvise" or "always"; elsewhere the advice is ignored). Frames are handed
// out in address order, so the pool's resident memory still grows with use.
BufferPool::FrameMemory::FrameMemory(size_t bytes) {
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  const size_t mapped = rounded + kHugePage;  // slack to align the start
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto* base = static_cast<uint8_t*>(p);
  const auto addr = reinterpret_cast<uintptr_t>(base);
  uint8_t* aligned = base + ((kHugePage - addr % kHugePage) % kHugePage);
  if (aligned > base) ::munmap(base, static_cast<size_t>(aligned - base));
  uint8_t* end = aligned + rounded;
  if (end < base + mapped) ::munmap(end, static_cast<size_t>(base + mapped - end));
#ifdef MADV_HUGEPAGE
  (void)::madvise(aligned, rounded, MADV_HUGEPAGE);
#endif
  data = aligned;
  length = rounded;
}

BufferPool::FrameMemory::~FrameMemory() {
  if (data != nullptr) ::munmap(data, length);
}

BufferPool::BufferPool(PageFile* file, size_t capacity_bytes,
                       std::unique_ptr<ReplacementPolicy> policy)
    : file_(file),
      page_size_(file->page_size()),
      memory_(FrameCount(capacity_bytes, page_size_) * page_size_),
      page_table_(FrameCount(capacity_bytes, page_size_)) {
  const size_t n = FrameCount(capacity_bytes, page_size_);
  frames_ = std::vector<Frame>(n);
  for (size_t i = 0; i < n; ++i) {
    frames_[i].data = memory_.data + i * page_size_;
    free_frames_.push_back(static_cast<FrameId>(n - 1 - i));
  }
  policy_ = policy ? std::move(policy) : std::make_unique<ClockReplacer>(n);
}

BufferPool::~BufferPool() { StopBackground(); }

void BufferPool::Unpin(FrameId frame_id) {
  frames_[frame_id].pin_count.fetch_sub(1, std::memory_order_acq_rel);
}

Result<PageGuard> BufferPool::Fetch(PageId id, LatchMode mode, const AccessContext& ctx) {
  return FetchImpl(id, mode, LoadKind::kRead, ctx, nullptr);
}

Result<PageGuard> BufferPool::Create(PageId id, const AccessContext& ctx) {
  return FetchImpl(id, LatchMode::kExclusive, LoadKind::kZero, ctx, nullptr);
}

Result<PageGuard> BufferPool::FetchForRedo(PageId id, bool* missing) {
  *missing = false;
  return FetchImpl(id, LatchMode::kExclusive, LoadKind::kRedo, {}, missing);
}

// Finds a frame for a new mapping: a free one, or a victim. A dirty victim is
// written out first (dropping the table lock meanwhile), then the search
// restarts since the world may have changed.
Result<FrameId> BufferPool::ObtainFrameLocked() {
  while (true) {
    if (!free_frames_.empty()) {
      FrameId f = free_frames_.back();
      free_frames_.pop_back();
      return f;
    }
    auto victim = policy_->Victim([this](FrameId f) {
      return frames_[f].mapped && frames_[f].pin_count.load(std::memory_order_acquire) == 0;
    });
    if (!victim) {
      return Status::Busy(fmt::format("buffer pool exhausted: all {} frames are pinned",
                                      frames_.size()));
    }
    Frame& frame = frames_[*victim];
    if (frame.dirty.load(std::memory_order_acquire)) {
      frame.pin_count.fetch_add(1);
      mu_.Unlock();
      Status s = FlushFrame(*victim);
      Unpin(*victim);
      mu_.Lock();
      NQ_RETURN_IF_ERROR(s);
      continue;
    }
    page_table_.Erase(frame.page_id);
    policy_->Remove(*victim);
    frame.mapped = false;
    frame.valid = false;
    evictions_.fetch_add(1, std::memory_order_relaxed);
    return *victim;
  }
}

Result<PageGuard> BufferPool::FetchImpl(PageId id, LatchMode mode, LoadKind kind,
                                        const AccessContext& ctx, bool* missing, bool prefetch) {
  const AccessKind access = prefetch ? AccessKind::kPrefetch
                                     : (mode == LatchMode::kExclusive ? AccessKind::kWrite : AccessKind::kRead);
  mu_.Lock();
  std::optional<FrameId> mapped = page_table_.Find(id);
  if (!mapped) {
    auto f = ObtainFrameLocked();
    if (!f.ok()) {
      mu_.Unlock();
      return f.status();
    }
    // ObtainFrameLocked may have dropped mu_ to write a victim, and another
    // thread may have mapped this page meanwhile: one page, one frame.
    mapped = page_table_.Find(id);
    if (mapped) {
      free_frames_.push_back(*f);
    } else {
      Frame& frame = frames_[*f];
      frame.page_id = id;
      frame.mapped = true;
      frame.valid = false;
      frame.dirty.store(false);
      frame.pin_count.store(1);
      frame.latch.lock();  // uncontended: the frame was unmapped and unpinned
      page_table_.Insert(id, *f);
      policy_->RecordAccess(*f, id);
      mu_.Unlock();
      return LoadMiss(id, *f, mode, kind, access, ctx, missing);
    }
  }
  FrameId f = *mapped;
  // The caller reads the page header and slot array next; start those cache
  // misses now, beside the frame's own, instead of one after the other.
  const uint8_t* page = memory_.data + static_cast<size_t>(f) * page_size_;
  __builtin_prefetch(page);
  __builtin_prefetch(page + 64);
  Frame& frame = frames_[f];
  frame.pin_count.fetch_add(1, std::memory_order_acq_rel);
  policy_->RecordAccess(f, id);
  mu_.Unlock();
  hits_.fetch_add(1, std::memory_order_relaxed);
  if (mode == LatchMode::kExclusive) frame.latch.lock(); else frame.latch.lock_shared();
  if (!frame.valid) {
    // The loader failed; it unmaps the frame. Report and let the caller retry.
    PageGuard failed(this, f, id, frame.data, mode);
    return Status::IOError(fmt::format("page {} failed to load", id));
  }
  if (kind == LoadKind::kZero) std::memset(frame.data, 0, page_size_);
  NotifyAccess(id, ctx, access, true);
  return PageGuard(this, f, id, frame.data, mode);
}

// Second half of a miss: the frame is mapped, pinned and exclusively latched
// by us; read the page and publish it.
Result<PageGuard> BufferPool::LoadMiss(PageId id, FrameId f, LatchMode mode, LoadKind kind,
                                       AccessKind access, const AccessContext& ctx, bool* missing) {
  Frame& frame = frames_[f];
  misses_.fetch_add(1, std::memory_order_relaxed);
  Status s;
  if (kind == LoadKind::kZero) {
    std::memset(frame.data, 0, page_size_);
  } else {
    s = file_->ReadPage(id, {frame.data, page_size_}, kind == LoadKind::kRedo, missing);
    if (s.ok() && verifier_ && !(missing != nullptr && *missing)) {
      std::string problem = verifier_(id, frame.data);
      if (!problem.empty()) s = Status::Corruption(fmt::format("page {}: {}", id, problem));
    }
  }
  if (!s.ok()) {
    {
      MutexLock lock(&mu_);
      page_table_.Erase(id);  // no new waiters from here on
      policy_->Remove(f);
      frame.mapped = false;
    }
    frame.latch.unlock();
    // Threads that pinned the frame while we loaded see !valid and unpin;
    // only then may the frame be reused for another page.
    while (frame.pin_count.load(std::memory_order_acquire) > 1) std::this_thread::yield();
    frame.pin_count.fetch_sub(1);
    MutexLock lock(&mu_);
    free_frames_.push_back(f);
    return s;
  }
  frame.valid = true;
  if (mode == LatchMode::kShared) {
    frame.latch.unlock();  // no downgrade in std::shared_mutex; the page stays valid
    frame.latch.lock_shared();
  }
  NotifyAccess(id, ctx, access, false);
  return PageGuard(this, f, id, frame.data, mode);
}

void BufferPool::NotifyAccess(PageId id, const AccessContext& ctx, AccessKind kind, bool hit) {
  if (tracer_ == nullptr && advisor_ == nullptr) return;
  AccessEvent event{id, ctx.object, kind, ctx.query_id, hit};
  if (tracer_ != nullptr) tracer_->Record(event);
  if (advisor_ != nullptr) {
    std::vector<PageId> wanted;
    advisor_->Advise(event, &wanted);
    if (!wanted.empty()) {
      MutexLock lock(&bg_mu_);
      for (PageId p : wanted) prefetch_queue_.push_back(p);
      bg_cv_.SignalAll();
    }
  }
}

// Writes one frame if dirty. REQUIRES: the caller holds a pin on it.
//
// The shared latch is held until the write is done: two flushes of one
// frame (flusher, checkpoint, eviction) must not overlap, or the older copy
// could land on disk last while the frame is already marked clean.
Status BufferPool::FlushFrame(FrameId frame_id, Lsn bound) {
  Frame& frame = frames_[frame_id];
  std::shared_lock latch(frame.latch);
  if (!frame.valid || !frame.dirty.load(std::memory_order_acquire)) return Status::OK();
  if (GetPageLsn(frame.data) >= bound) return Status::OK();
  // Cleared under the shared latch: modifiers need the exclusive latch, so
  // any later change sets the flag again after this point.
  // Counted before the page looks clean, so that FlushAll, which passes
  // clean pages, can wait for this write.
  writes_in_flight_.fetch_add(1, std::memory_order_acq_rel);
  frame.dirty.store(false, std::memory_order_release);
  Status s = sticky_error();
  if (s.ok() && wal_flush_) s = wal_flush_(GetPageLsn(frame.data));
  if (s.ok()) s = file_->WritePage(frame.page_id, {frame.data, page_size_});
  if (!s.ok()) frame.dirty.store(true, std::memory_order_release);
  writes_in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  if (!s.ok()) {
    MutexLock lock(&error_mu_);
    if (error_.ok()) error_ = Status::ReadOnly(s.WithContext("page write failed").message());
    failed_.store(true, std::memory_order_release);
    return error_;
  }
  page_writes_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

Status BufferPool::FlushAll() {
  Status s = FlushOlderThan(std::numeric_limits<Lsn>::max());
  // A page another thread (the flusher, an eviction) marked clean and is
  // still writing was passed over: the caller syncs the file next and
  // counts on every page being in it, so wait for those writes.
  while (writes_in_flight_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  // One of those writes may have failed: its page is dirty again and the
  // pool's sticky error says so.
  if (s.ok()) s = sticky_error();
  return s;
}

Status BufferPool::FlushOlderThan(Lsn bound) {
  for (FrameId f = 0; f < frames_.size(); ++f) {
    // Clean frames are passed over without the pool's mutex: a pass over a
    // large, clean pool would otherwise take it once per frame and hold up
    // every Fetch. (Under the mutex `dirty` is read no more reliably: it is
    // set under the frame's latch, not under mu_.)
    if (!frames_[f].dirty.load()) continue;
    {
      MutexLock lock(&mu_);
      if (!frames_[f].mapped || !frames_[f].dirty.load()) continue;
      frames_[f].pin_count.fetch_add(1);
    }
    Status s = FlushFrame(f, bound);
    Unpin(f);
    NQ_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

void BufferPool::Discard(PageId id) {
  MutexLock lock(&mu_);
  std::optional<FrameId> mapped = page_table_.Find(id);
  if (!mapped) return;
  Frame& frame = frames_[*mapped];
  assert(frame.pin_count.load() == 0 && "discarding a pinned page");
  frame.mapped = false;
  frame.valid = false;
  frame.dirty.store(false);
  policy_->Remove(*mapped);
  free_frames_.push_back(*mapped);
  page_table_.Erase(id);
}

Status BufferPool::sticky_error() const {
  if (!failed_.load(std::memory_order_acquire)) return Status::OK();
  MutexLock lock(&error_mu_);
  return error_;
}

BufferPoolStats BufferPool::stats() const {
  BufferPoolStats s;
  s.capacity_frames = frames_.size();
  s.hits = hits_.load();
  s.misses = misses_.load();
  s.evictions = evictions_.load();
  s.page_writes = page_writes_.load();
  s.prefetches = prefetches_.load();
  return s;
}

void BufferPool::StartBackground(uint32_t flush_interval_ms) {
  {
    MutexLock lock(&bg_mu_);
    stop_ = false;
  }
  if (flush_interval_ms > 0) {
    flusher_ = std::thread([this, flush_interval_ms] { FlusherLoop(flush_interval_ms); });
  }
  prefetcher_ = std::thread([this] { PrefetchLoop(); });
}

void BufferPool::StopBackground() {
  {
    MutexLock lock(&bg_mu_);
    stop_ = true;
    bg_cv_.SignalAll();
  }
  if (flusher_.joinable()) flusher_.join();
  if (prefetcher_.joinable()) prefetcher_.join();
}

void BufferPool::FlusherLoop(uint32_t interval_ms) {
  Lsn previous_end = 0;  // the WAL end one period ago
  while (true) {
    {
      MutexLock lock(&bg_mu_);
      if (!stop_) bg_cv_.WaitFor(&bg_mu_, std::chrono::milliseconds(interval_ms));
      if (stop_) return;
    }
    Lsn end = wal_end_ ? wal_end_() : std::numeric_limits<Lsn>::max();
    // Errors become the sticky error inside FlushFrame; nothing else to do.
    (void)FlushOlderThan(wal_end_ ? previous_end : end);
    previous_end = end;
  }
}

void BufferPool::PrefetchLoop() {
  while (true) {
    PageId id;
    {
      MutexLock lock(&bg_mu_);
      while (!stop_ && prefetch_queue_.empty()) bg_cv_.Wait(&bg_mu_);
      if (stop_) return;
      id = prefetch_queue_.front();
      prefetch_queue_.pop_front();
    }
    bool present;
    {
      MutexLock lock(&mu_);
      present = page_table_.Find(id).has_value();
    }
    if (!present) {
      auto guard = FetchImpl(id, LatchMode::kShared, LoadKind::kRead, {}, nullptr, true);
      if (guard.ok()) prefetches_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace neuroquantum::storage
