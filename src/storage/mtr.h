// Mtr (mini-transaction): an atomic group of page modifications. It holds the
// exclusive latches of the pages it modifies and their before-images. Commit
// writes ONE WAL record with the changes (byte-range diffs or leaf
// operations, or full page images for pages first touched since the last
// checkpoint and for new pages, which protects against torn pages), stamps each page with the
// record's end LSN and marks it dirty, then releases the latches.
// Destroying an uncommitted Mtr restores every before-image, so an error in
// the middle of a structural change (e.g. a split) never leaves a page
// half-modified.
//
// Thread safety: an Mtr belongs to one thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "neuroquantum/result.h"
#include "storage/buffer_pool.h"
#include "storage/wal.h"
#include "storage/wal_record.h"

namespace neuroquantum::storage {

// The parts of an open database that page-level code needs.
struct StorageContext {
  BufferPool* pool = nullptr;
  WalWriter* wal = nullptr;  // null only while recovery replays redo
  uint32_t page_size = 0;
  // Recovery replays page changes from here; the first change of a page
  // whose LSN is at or before it must log a full image.
  std::atomic<Lsn> redo_lsn{0};
  // Shared by committing Mtrs, exclusive while a checkpoint moves redo_lsn,
  // so that the full-image decision and the append are atomic w.r.t. it.
  std::shared_mutex checkpoint_mu;
};

class Mtr {
 public:
  explicit Mtr(StorageContext* ctx, TxnId txn = 0) : ctx_(ctx) { record_.txn = txn; }
  ~Mtr();
  Mtr(const Mtr&) = delete;
  Mtr& operator=(const Mtr&) = delete;

  // Fetches page `id` exclusively latched, or returns the guard this Mtr
  // already holds for it. The pointer stays valid until Commit/destruction.
  Result<PageGuard*> Fetch(PageId id);
  // Takes a page whose contents start zeroed (newly allocated beyond the end
  // of the file). Logged as a full image.
  Result<PageGuard*> Create(PageId id);
  // Takes over an exclusively latched guard obtained elsewhere (e.g. during
  // a latch-coupled descent). Returns the guard this Mtr holds for the page.
  PageGuard* Adopt(PageGuard guard);
  // Releases a page this Mtr holds but did not modify (e.g. an ancestor that
  // turned out safe). REQUIRES: the page is unchanged since it was taken.
  void ReleaseUnchanged(PageId id);
  bool Holds(PageId id) const;

  // Takes over an exclusively latched leaf that this mtr does not hold yet
  // and that the caller has not changed, with the one change to make to it:
  // `op` (its removal, then the insert of `cell`, which must stay valid
  // until Commit). Commit logs the operation and only then applies it, so
  // no before-image is copied and a failed append leaves the leaf as it
  // was; a leaf that needs a full image is changed before it is logged, as
  // other pages are.
  void AdoptLeafOp(PageGuard guard, LeafOp op, std::string_view cell);

  MtrRecord& record() { return record_; }
  uint32_t page_size() const { return ctx_->page_size; }
  StorageContext* context() const { return ctx_; }

  // Logs the changes and releases all pages. Returns the record's end LSN
  // (or the current WAL end when nothing changed and nothing is logical) and
  // stores the record's start LSN in *start if given (0 if nothing logged).
  Result<Lsn> Commit(Lsn* start = nullptr);

 private:
  struct Entry {
    PageGuard guard;
    std::string before;  // unused while `leaf` is set and not yet applied
    bool created = false;
    bool changed = false;  // logged by Commit
    std::optional<LeafOp> leaf;  // AdoptLeafOp: the change still to make
    std::string_view leaf_cell;  // the cell `leaf` inserts
  };
  // Makes the entry's leaf operation on its page.
  void ApplyLeafOp(Entry* entry);
  Entry* Find(PageId id);
  static std::unique_ptr<Entry> NewEntry();
  void RollbackPages();
  // Releases the entry's page and keeps the entry for reuse.
  static void Recycle(std::unique_ptr<Entry> entry);
  void ReleaseAll();

  static thread_local std::vector<std::unique_ptr<Entry>> spare_;

  StorageContext* ctx_;
  std::vector<std::unique_ptr<Entry>> entries_;
  MtrRecord record_;
  bool done_ = false;
};

// Allocates a page inside `mtr`: pops the free list or extends the file.
// The page comes back zeroed with `type` set.
Result<PageGuard*> AllocatePage(Mtr* mtr, PageType type);
// Puts a page (held by `mtr`) on the free list.
Status FreePage(Mtr* mtr, PageGuard* page);

}  // namespace neuroquantum::storage
