// BufferPool: a fixed set of page-sized frames caching pages of a PageFile.
// Pages are pinned and latched through move-only PageGuard handles; unpinned
// frames are evicted by a pluggable ReplacementPolicy (CLOCK by default).
//
// Thread safety: all public methods are safe for concurrent use.
//
// Invariants:
//  1. A frame mapped in page_table_ holds that page (or is being loaded, in
//     which case its latch is held exclusively by the loader and `valid` is
//     false until the read succeeds).
//  2. A frame with pin_count > 0 is never evicted or remapped.
//  3. A dirty page is written only after the WAL is durable up to its page
//     LSN (write-ahead rule), through the `wal_flush` callback.
//  4. Page contents change only under the frame's exclusive latch; `dirty` is
//     set by the modifier while it holds that latch.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "neuroquantum/result.h"
#include "storage/access_trace.h"
#include "storage/page.h"
#include "storage/page_file.h"
#include "storage/page_table.h"
#include "storage/replacer.h"

namespace neuroquantum::storage {

enum class LatchMode : uint8_t { kShared, kExclusive };

struct BufferPoolStats {
  uint64_t capacity_frames = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  uint64_t page_writes = 0;
  uint64_t prefetches = 0;
  double hit_rate() const {
    return hits + misses == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(hits + misses);
  }
};

class BufferPool;

// A pinned, latched page. Move-only; releases latch and pin on destruction.
class PageGuard {
 public:
  PageGuard() = default;
  PageGuard(PageGuard&& other) noexcept { *this = std::move(other); }
  PageGuard& operator=(PageGuard&& other) noexcept;
  PageGuard(const PageGuard&) = delete;
  PageGuard& operator=(const PageGuard&) = delete;
  ~PageGuard() { Release(); }

  bool valid() const { return pool_ != nullptr; }
  PageId page_id() const { return page_id_; }
  LatchMode mode() const { return mode_; }
  const uint8_t* data() const { return data_; }
  // REQUIRES: mode() == kExclusive.
  uint8_t* mutable_data();
  // Marks the page modified; the caller has set its LSN.
  // REQUIRES: mode() == kExclusive.
  void MarkDirty();
  void Release();

 private:
  friend class BufferPool;
  PageGuard(BufferPool* pool, FrameId frame, PageId page_id, uint8_t* data, LatchMode mode)
      : pool_(pool), frame_(frame), page_id_(page_id), data_(data), mode_(mode) {}

  BufferPool* pool_ = nullptr;
  FrameId frame_ = 0;
  PageId page_id_ = kInvalidPageId;
  uint8_t* data_ = nullptr;
  LatchMode mode_ = LatchMode::kShared;
};

class BufferPool {
 public:
  using WalFlushFn = std::function<Status(Lsn)>;

  // `file` must outlive the pool. `capacity_bytes` is rounded down to whole
  // frames (at least 16).
  BufferPool(PageFile* file, size_t capacity_bytes,
             std::unique_ptr<ReplacementPolicy> policy = nullptr);
  ~BufferPool();

  // Pins page `id` and latches it. Reads it from disk on a miss (verifying
  // its checksum: Corruption names the page). Busy if every frame is pinned.
  Result<PageGuard> Fetch(PageId id, LatchMode mode, const AccessContext& ctx = {});
  // Pins and exclusively latches page `id` without reading it: its contents
  // start zeroed. For freshly allocated pages and recovery's full-page images.
  Result<PageGuard> Create(PageId id, const AccessContext& ctx = {});
  // During recovery: like Fetch(kExclusive) but a missing or torn page comes
  // back zeroed with *missing set, instead of an error.
  Result<PageGuard> FetchForRedo(PageId id, bool* missing);

  // Writes every dirty page (honouring the WAL rule), and waits for the
  // page writes other threads have under way. Does not sync the file.
  Status FlushAll() EXCLUDES(mu_);
  // Writes the dirty pages whose page LSN is below `bound`: those not
  // changed since the WAL ended at `bound`.
  Status FlushOlderThan(Lsn bound) EXCLUDES(mu_);
  // Drops a page from the pool without writing it (the page was freed and
  // truncated away). REQUIRES: not pinned.
  void Discard(PageId id) EXCLUDES(mu_);

  void SetWalFlush(WalFlushFn fn) { wal_flush_ = std::move(fn); }
  // The WAL's current end, which the background flusher samples.
  void SetWalEnd(std::function<Lsn()> fn) { wal_end_ = std::move(fn); }
  // Called on every page read from disk (after its checksum passed); a
  // non-empty result is reported as Corruption naming the page.
  using VerifyFn = std::function<std::string(PageId, const uint8_t*)>;
  void SetVerifier(VerifyFn fn) { verifier_ = std::move(fn); }
  void SetTracer(AccessTracer* tracer) { tracer_ = tracer; }
  void SetPrefetchAdvisor(PrefetchAdvisor* advisor) { advisor_ = advisor; }
  // Starts the background flusher (period > 0) and prefetch threads. Each
  // period the flusher writes the dirty pages nobody changed during the
  // previous period (cold pages, the next eviction victims); pages that
  // keep changing are left to checkpoints, which write each once.
  void StartBackground(uint32_t flush_interval_ms) EXCLUDES(bg_mu_);
  void StopBackground() EXCLUDES(bg_mu_);

  BufferPoolStats stats() const;
  size_t capacity_frames() const { return frames_.size(); }
  uint32_t page_size() const { return page_size_; }
  // Sticky error from a failed page write (the pool then refuses writes).
  Status sticky_error() const EXCLUDES(error_mu_);

 private:
  friend class PageGuard;
  struct Frame {
    PageId page_id = kInvalidPageId;
    bool mapped = false;
    bool valid = false;
    std::atomic<uint32_t> pin_count{0};
    std::atomic<bool> dirty{false};
    std::shared_mutex latch;
    uint8_t* data = nullptr;
  };

  enum class LoadKind { kRead, kZero, kRedo };
  Result<PageGuard> FetchImpl(PageId id, LatchMode mode, LoadKind kind, const AccessContext& ctx,
                              bool* missing, bool prefetch = false) EXCLUDES(mu_);
  Result<PageGuard> LoadMiss(PageId id, FrameId f, LatchMode mode, LoadKind kind,
                             AccessKind access, const AccessContext& ctx, bool* missing)
      EXCLUDES(mu_);
  // May drop and retake mu_ while writing a dirty victim.
  Result<FrameId> ObtainFrameLocked() REQUIRES(mu_);
  // Writes the frame if dirty and its page LSN is below `bound`.
  Status FlushFrame(FrameId frame_id, Lsn bound = std::numeric_limits<Lsn>::max()) EXCLUDES(mu_);
  void Unpin(FrameId frame_id);
  void NotifyAccess(PageId id, const AccessContext& ctx, AccessKind kind, bool hit);
  void FlusherLoop(uint32_t interval_ms) EXCLUDES(bg_mu_);
  void PrefetchLoop() EXCLUDES(bg_mu_);

  PageFile* const file_;
  const uint32_t page_size_;
  // The frames' memory: anonymous pages mapped for the pool (see FrameMemory
  // in buffer_pool.cc), given back when the pool is destroyed.
  struct FrameMemory {
    explicit FrameMemory(size_t bytes);
    ~FrameMemory();
    FrameMemory(const FrameMemory&) = delete;
    FrameMemory& operator=(const FrameMemory&) = delete;
    uint8_t* data = nullptr;
    size_t length = 0;
  };
  FrameMemory memory_;
  std::vector<Frame> frames_;

  mutable Mutex mu_;
  std::unique_ptr<ReplacementPolicy> policy_ GUARDED_BY(mu_);
  PageTable page_table_ GUARDED_BY(mu_);
  std::vector<FrameId> free_frames_ GUARDED_BY(mu_);

  WalFlushFn wal_flush_;
  std::function<Lsn()> wal_end_;
  VerifyFn verifier_;
  AccessTracer* tracer_ = nullptr;
  PrefetchAdvisor* advisor_ = nullptr;

  std::atomic<uint64_t> hits_{0}, misses_{0}, evictions_{0}, page_writes_{0}, prefetches_{0};
  std::atomic<uint32_t> writes_in_flight_{0};  // FlushFrame writes under way
  mutable Mutex error_mu_;
  Status error_ GUARDED_BY(error_mu_);
  std::atomic<bool> failed_{false};  // error_ is set (read without error_mu_)

  Mutex bg_mu_;
  CondVar bg_cv_;
  bool stop_ GUARDED_BY(bg_mu_) = false;
  std::deque<PageId> prefetch_queue_ GUARDED_BY(bg_mu_);
  std::thread flusher_;
  std::thread prefetcher_;
};

}  // namespace neuroquantum::storage
