// WalWriter appends records to the write-ahead log with group commit;
// WalReader reads them back for recovery and rollback.
//
// Thread safety: WalWriter is safe for concurrent use. Append is cheap (a copy
// into an in-memory buffer under a mutex). FlushTo implements group commit:
// one caller (the leader) writes and syncs everything buffered while others
// wait for it, so N concurrent committers share one fdatasync.
// WalReader is not thread-safe.
//
// Sticky error: after a failed write or sync the writer refuses all further
// work with the original error (the kernel may have dropped dirty pages, so
// retrying could report data durable that is not).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "neuroquantum/options.h"
#include "neuroquantum/result.h"
#include "storage/page.h"
#include "storage/wal_format.h"

namespace neuroquantum::storage {

struct WalConfig {
  std::string dir;             // WAL directory
  uint64_t segment_size = 0;   // bytes, multiple of kWalBlockSize
  uint64_t database_id = 0;
  uint32_t epoch = 0;          // writer epoch for new fragments
  Durability durability = Durability::kFull;
};

std::string WalSegmentName(uint64_t segment_no);

// Statistics, for the stats API.
struct WalStats {
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t syncs = 0;
  uint64_t group_commit_waits = 0;  // FlushTo calls satisfied by another's sync
};

class WalWriter {
 public:
  // Opens for appending at `end_lsn` (the end of the valid log as found by
  // recovery). Creates the segment holding end_lsn if missing.
  static Result<std::unique_ptr<WalWriter>> Open(Env* env, const WalConfig& config, Lsn end_lsn);
  ~WalWriter();

  // Appends one record; returns its end LSN (the position just after it)
  // and stores its start LSN in *start if given. Records become durable only
  // through FlushTo.
  Result<Lsn> Append(std::string_view record, Lsn* start = nullptr) EXCLUDES(mu_);
  // Returns once the log up to `lsn` is written to the OS and, if `sync`,
  // made durable. Group commit: concurrent callers share one sync.
  // With durability kOff, `sync` is ignored.
  Status FlushTo(Lsn lsn, bool sync) EXCLUDES(mu_);
  // Flushes and syncs everything appended so far.
  Status FlushAll();

  Lsn end_lsn() const;
  Lsn durable_lsn() const;
  WalStats stats() const;
  Status sticky_error() const;

  // Removes or recycles segment files that lie wholly before `keep_from`.
  // Up to `max_recycled` are renamed to future segment names for reuse.
  Status RecycleSegments(Lsn keep_from, size_t max_recycled) EXCLUDES(mu_, segments_mu_);

 private:
  WalWriter(Env* env, WalConfig config, Lsn end_lsn);
  void AppendFragmentLocked(FragmentType type, std::string_view payload) REQUIRES(mu_);
  Status WriteOut(const std::string& bytes, Lsn start_lsn, bool sync) EXCLUDES(segments_mu_);
  Status EnsureSegment(uint64_t segment_no) REQUIRES(segments_mu_);
  Result<File*> SegmentFile(uint64_t segment_no) REQUIRES(segments_mu_);

  Env* const env_;
  const WalConfig config_;

  mutable Mutex mu_;
  CondVar flushed_cv_;
  std::string buffer_ GUARDED_BY(mu_);  // bytes [buffer_start_, end_) not yet written
  Lsn buffer_start_ GUARDED_BY(mu_);
  Lsn end_ GUARDED_BY(mu_);             // next append position
  Lsn written_ GUARDED_BY(mu_);         // written to the OS up to here
  Lsn durable_ GUARDED_BY(mu_);         // synced up to here
  bool flushing_ GUARDED_BY(mu_) = false;  // a leader is writing/syncing
  Status error_ GUARDED_BY(mu_);        // sticky
  std::atomic<bool> failed_{false};     // error_ is set (read without mu_)
  WalStats stats_ GUARDED_BY(mu_);

  // Segment files. Taken by the flushing leader and by recycling. Lock
  // order: segments_mu_ before mu_ (recycling reads the end under it);
  // nobody takes segments_mu_ while holding mu_.
  Mutex segments_mu_;
  std::deque<std::pair<uint64_t, std::unique_ptr<File>>> open_segments_ GUARDED_BY(segments_mu_);
  std::vector<uint64_t> spare_segments_ GUARDED_BY(segments_mu_);  // recycled, ready for reuse
};

class WalReader {
 public:
  // Reads records starting at `start_lsn`. Stops at the first fragment that
  // is missing, fails its checksum, or belongs to an older epoch.
  WalReader(Env* env, std::string dir, uint64_t segment_size, uint64_t database_id,
            Lsn start_lsn);

  // Reads the next record. Returns false at the end of the valid log (then
  // end_lsn() is where a writer should append) or on an I/O error (status()).
  bool Next(std::string* record, Lsn* record_start, Lsn* record_end);
  Lsn end_lsn() const { return valid_end_; }
  uint32_t last_epoch() const { return last_epoch_; }
  Status status() const { return status_; }

  // After Next() returned false: true if a valid fragment of the current
  // epoch starts within the next `blocks` blocks past the end, i.e. the log
  // stopped at damage rather than at a torn tail.
  bool ValidDataBeyondEnd(int blocks);

  // Reads the single record that starts at `lsn` (for rollback).
  static Result<std::string> ReadRecordAt(Env* env, const std::string& dir,
                                          uint64_t segment_size, uint64_t database_id, Lsn lsn);

 private:
  bool ReadFragment(FragmentType* type, std::string_view* payload, Lsn* frag_lsn);
  bool LoadBlock(Lsn block_lsn);

  Env* env_;
  std::string dir_;
  uint64_t segment_size_;
  uint64_t database_id_;
  Lsn pos_;           // next byte to read
  Lsn valid_end_;     // end of the last complete valid record
  uint32_t last_epoch_ = 0;
  Status status_;
  std::vector<uint8_t> block_;
  Lsn block_lsn_ = ~0ULL;
  size_t block_valid_ = 0;
  uint64_t open_segment_no_ = ~0ULL;
  std::unique_ptr<File> segment_;
};

}  // namespace neuroquantum::storage
