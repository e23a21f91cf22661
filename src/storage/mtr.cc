// Mini-transactions and page allocation.
#include <cassert>
#include "storage/mtr.h"

#include <cstring>

#include "fmt/format.h"
#include "storage/btree_node.h"
#include "storage/page_file.h"

namespace neuroquantum::storage {

namespace {
// Entries (with their page-sized before-image buffers) kept for the thread's
// next mtrs, so that a write does not allocate and free a page buffer.
constexpr size_t kSpareEntries = 16;
// The encode buffer keeps at most this much capacity between commits.
constexpr size_t kKeptEncodeCapacity = 1 << 20;
}  // namespace

thread_local std::vector<std::unique_ptr<Mtr::Entry>> Mtr::spare_;

Mtr::~Mtr() {
  if (!done_) RollbackPages();
}

void Mtr::Recycle(std::unique_ptr<Entry> entry) {
  entry->guard = PageGuard();  // releases the latch and the pin
  entry->created = false;
  entry->leaf.reset();
  entry->leaf_cell = {};
  if (spare_.size() < kSpareEntries) spare_.push_back(std::move(entry));
}

void Mtr::ReleaseAll() {
  for (auto& entry : entries_) Recycle(std::move(entry));
  entries_.clear();
}

void Mtr::RollbackPages() {
  for (auto& entry : entries_) {
    if (entry->leaf) continue;  // a leaf operation not made yet: the page is as it was
    if (entry->guard.mode() == LatchMode::kExclusive) {
      std::memcpy(entry->guard.mutable_data(), entry->before.data(), entry->before.size());
    }
  }
  // Created pages restored to zero are harmless: never referenced, and the
  // header's page count was restored too.
  ReleaseAll();
  done_ = true;
}

Mtr::Entry* Mtr::Find(PageId id) {
  for (auto& entry : entries_) {
    if (entry->guard.page_id() == id) return entry.get();
  }
  return nullptr;
}

bool Mtr::Holds(PageId id) const {
  for (const auto& entry : entries_) {
    if (entry->guard.page_id() == id) return true;
  }
  return false;
}

std::unique_ptr<Mtr::Entry> Mtr::NewEntry() {
  if (spare_.empty()) return std::make_unique<Entry>();
  std::unique_ptr<Entry> entry = std::move(spare_.back());
  spare_.pop_back();
  return entry;
}

PageGuard* Mtr::Adopt(PageGuard guard) {
  assert(guard.mode() == LatchMode::kExclusive && "Mtr pages must be exclusively latched");
  if (Entry* existing = Find(guard.page_id())) return &existing->guard;
  std::unique_ptr<Entry> entry = NewEntry();
  entry->before.assign(reinterpret_cast<const char*>(guard.data()), ctx_->page_size);
  entry->guard = std::move(guard);
  entries_.push_back(std::move(entry));
  return &entries_.back()->guard;
}

Result<PageGuard*> Mtr::Fetch(PageId id) {
  if (Entry* existing = Find(id)) return &existing->guard;
  NQ_ASSIGN_OR_RETURN(PageGuard guard, ctx_->pool->Fetch(id, LatchMode::kExclusive));
  return Adopt(std::move(guard));
}

void Mtr::AdoptLeafOp(PageGuard guard, LeafOp op, std::string_view cell) {
  assert(guard.mode() == LatchMode::kExclusive && "Mtr pages must be exclusively latched");
  assert(Find(guard.page_id()) == nullptr && "a leaf operation on a page the mtr holds");
  std::unique_ptr<Entry> entry = NewEntry();
  entry->guard = std::move(guard);
  entry->leaf = std::move(op);
  entry->leaf_cell = cell;
  entries_.push_back(std::move(entry));
}

void Mtr::ApplyLeafOp(Entry* entry) {
  const LeafOp& op = *entry->leaf;
  uint8_t* page = entry->guard.mutable_data();
#ifndef NDEBUG
  std::string replay(reinterpret_cast<const char*>(page), ctx_->page_size);
#endif
  btree::Node node(page, ctx_->page_size);
  if (op.bits & kLeafRemove) node.RemoveCell(op.slot);
  if (op.bits & (kLeafInsertCell | kLeafInsertLogical)) {
    bool ok = node.InsertCell(op.slot, entry->leaf_cell);
    assert(ok && "the caller checked the space");
    (void)ok;
  }
#ifndef NDEBUG
  // Redo runs the logged operation on the page as it was: it must give
  // this page.
  PageUpdate update;
  update.leaf = op;
  if (op.bits & kLeafInsertLogical) update.leaf->cell = LogicalLeafCell(record_.logical);
  Status s = ApplyPageUpdate(update, reinterpret_cast<uint8_t*>(replay.data()), ctx_->page_size);
  assert(s.ok() && std::memcmp(replay.data() + kTypeOffset, page + kTypeOffset, ctx_->page_size - kTypeOffset) == 0 &&
         "a leaf operation does not reproduce the page");
#endif
}

Result<PageGuard*> Mtr::Create(PageId id) {
  assert(Find(id) == nullptr && "creating a page the Mtr already holds");
  NQ_ASSIGN_OR_RETURN(PageGuard guard, ctx_->pool->Create(id));
  PageGuard* held = Adopt(std::move(guard));
  entries_.back()->created = true;
  return held;
}

void Mtr::ReleaseUnchanged(PageId id) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if ((*it)->guard.page_id() == id) {
      assert(std::memcmp((*it)->guard.data(), (*it)->before.data(), ctx_->page_size) == 0 &&
             "releasing a modified page");
      Recycle(std::move(*it));
      entries_.erase(it);
      return;
    }
  }
}

Result<Lsn> Mtr::Commit(Lsn* start) {
  if (start != nullptr) *start = 0;
  std::shared_lock checkpoint(ctx_->checkpoint_mu);
  Lsn redo = ctx_->redo_lsn.load(std::memory_order_acquire);
  for (auto& entry : entries_) {
    entry->changed = false;
    PageUpdate update;
    update.page_id = entry->guard.page_id();
    if (entry->leaf) {
      if (GetPageLsn(entry->guard.data()) > redo) {
        update.leaf = *entry->leaf;  // made once the record is appended
        record_.pages.push_back(std::move(update));
        entry->changed = true;
        continue;
      }
      // A full image shows the page changed: change it now, keeping what
      // it was in case the append fails.
      entry->before.assign(reinterpret_cast<const char*>(entry->guard.data()), ctx_->page_size);
      ApplyLeafOp(entry.get());
      entry->leaf.reset();
    }
    const uint8_t* after = entry->guard.data();
    const auto* before = reinterpret_cast<const uint8_t*>(entry->before.data());
    bool full = entry->created || GetPageLsn(before) <= redo;
    if (!entry->created) {
      DiffPage(before, after, ctx_->page_size, &update.ranges);
      if (update.ranges.empty()) continue;  // unchanged
    }
    if (full) {
      // A full image, stored as the ranges that differ from a zero page.
      static const std::vector<uint8_t> kZeroPage(kMaxPageSize, 0);
      update.full_image = true;
      update.ranges.clear();
      DiffPage(kZeroPage.data(), after, ctx_->page_size, &update.ranges);
    }
    record_.pages.push_back(std::move(update));
    entry->changed = true;
  }
  if (record_.pages.empty() && record_.flags == 0) {
    ReleaseAll();
    done_ = true;
    return ctx_->wal->end_lsn();
  }
  thread_local std::string bytes;  // keeps its capacity across commits
  bytes.clear();
  EncodeMtrRecord(record_, &bytes);
  auto lsn = ctx_->wal->Append(bytes, start);
  // A record with a large value must not keep its buffer's size forever.
  if (bytes.capacity() > kKeptEncodeCapacity) std::string().swap(bytes);
  if (!lsn.ok()) {
    RollbackPages();
    return lsn.status();
  }
  for (auto& entry : entries_) {
    if (!entry->changed) continue;
    if (entry->leaf) ApplyLeafOp(entry.get());
    SetPageLsn(entry->guard.mutable_data(), *lsn);
    entry->guard.MarkDirty();
  }
  ReleaseAll();  // releases latches and pins
  done_ = true;
  return *lsn;
}

// --- page allocation -------------------------------------------------------
// A free page's body holds the id of the next free page at offset 16.

namespace {
constexpr size_t kFreeNextOffset = kPageHeaderSize;
}

Result<PageGuard*> AllocatePage(Mtr* mtr, PageType type) {
  NQ_ASSIGN_OR_RETURN(PageGuard * header, mtr->Fetch(kHeaderPageId));
  uint8_t* h = header->mutable_data();
  PageId head = DecodeFixed64(h + header::kFreeHead);
  PageGuard* page = nullptr;
  if (head != kInvalidPageId) {
    NQ_ASSIGN_OR_RETURN(page, mtr->Fetch(head));
    if (GetPageType(page->data()) != PageType::kFree) {
      return Status::Corruption(
          fmt::format("free list head page {} is a {} page", head, PageTypeName(GetPageType(page->data()))));
    }
    EncodeFixed64(h + header::kFreeHead, DecodeFixed64(page->data() + kFreeNextOffset));
    EncodeFixed64(h + header::kFreeCount, DecodeFixed64(h + header::kFreeCount) - 1);
    Lsn lsn = GetPageLsn(page->data());
    std::memset(page->mutable_data(), 0, mtr->page_size());
    SetPageLsn(page->mutable_data(), lsn);  // keeps the full-image decision honest
  } else {
    PageId id = DecodeFixed64(h + header::kPageCount);
    EncodeFixed64(h + header::kPageCount, id + 1);
    NQ_ASSIGN_OR_RETURN(page, mtr->Create(id));
  }
  SetPageType(page->mutable_data(), type);
  return page;
}

Status FreePage(Mtr* mtr, PageGuard* page) {
  NQ_ASSIGN_OR_RETURN(PageGuard * header, mtr->Fetch(kHeaderPageId));
  uint8_t* h = header->mutable_data();
  uint8_t* p = page->mutable_data();
  Lsn lsn = GetPageLsn(p);
  std::memset(p + kPageHeaderSize, 0, mtr->page_size() - kPageHeaderSize);
  SetPageLsn(p, lsn);
  SetPageType(p, PageType::kFree);
  EncodeFixed64(p + kFreeNextOffset, DecodeFixed64(h + header::kFreeHead));
  EncodeFixed64(h + header::kFreeHead, page->page_id());
  EncodeFixed64(h + header::kFreeCount, DecodeFixed64(h + header::kFreeCount) + 1);
  return Status::OK();
}

}  // namespace neuroquantum::storage
