// Overflow chains: values too large for a leaf cell.
#include "storage/btree.h"

#include <cassert>
#include <cstring>
#include <optional>

#include "fmt/format.h"
#include "storage/btree_internal.h"

namespace neuroquantum::storage {

using btree::Cell;
using btree::Node;
using namespace btree_internal;  // NOLINT: file-local use of the internal helpers

// --- overflow chains -------------------------------------------------------

namespace {

// One page of an overflow chain, in its own mtr flagged kOverflowAlloc.
Result<PageId> WriteOverflowPage(StorageContext* ctx, TxnId txn, std::string_view part,
                                 PageId next) {
  Mtr mtr(ctx, txn);
  mtr.record().flags |= kOverflowAlloc;
  NQ_ASSIGN_OR_RETURN(PageGuard * page, AllocatePage(&mtr, PageType::kOverflow));
  uint8_t* p = page->mutable_data();
  EncodeFixed64(p + kOverflowNextOffset, next);
  EncodeFixed32(p + kOverflowUsedOffset, static_cast<uint32_t>(part.size()));
  std::memcpy(p + kOverflowDataOffset, part.data(), part.size());
  PageId id = page->page_id();
  NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
  (void)end;
  return id;
}

}  // namespace

// Written back to front so each page knows its successor. Each page is its
// own mini-transaction flagged kOverflowAlloc: if we crash before the leaf
// cell that links the chain is logged, recovery frees these pages.
Result<PageId> BTree::WriteOverflowChain(std::string_view value, TxnId txn) {
  uint32_t cap = OverflowCapacity(ctx_->page_size);
  size_t pages = (value.size() + cap - 1) / cap;
  PageId next = kInvalidPageId;
  for (size_t k = pages; k-- > 0;) {
    auto written = WriteOverflowPage(ctx_, txn, value.substr(k * cap, cap), next);
    if (!written.ok()) {
      // Give back the tail already written (best effort, like Put's cleanup
      // of a chain its leaf write failed to link).
      if (next != kInvalidPageId) (void)FreeOverflowChain(next, txn);
      return written.status();
    }
    next = *written;
  }
  return next;
}

Result<std::string> BTree::ReadOverflow(PageId first, uint64_t size) {
  std::string out;
  out.reserve(size);
  uint32_t cap = OverflowCapacity(ctx_->page_size);
  PageId id = first;
  while (id != kInvalidPageId) {
    NQ_ASSIGN_OR_RETURN(PageGuard page, ctx_->pool->Fetch(id, LatchMode::kShared, {id_}));
    const uint8_t* p = page.data();
    uint32_t used = DecodeFixed32(p + kOverflowUsedOffset);
    if (GetPageType(p) != PageType::kOverflow || used > cap || out.size() + used > size) {
      return Status::Corruption(fmt::format("overflow chain from page {} is broken at page {}", first, id));
    }
    out.append(reinterpret_cast<const char*>(p + kOverflowDataOffset), used);
    id = DecodeFixed64(p + kOverflowNextOffset);
  }
  if (out.size() != size) {
    return Status::Corruption(fmt::format("overflow chain from page {} holds {} of {} bytes", first,
                                          out.size(), size));
  }
  return out;
}

Status BTree::FreeOverflowChain(PageId first, TxnId txn, uint64_t* pages_freed, PageId head) {
  if (head == kInvalidPageId) head = first;
  PageId next = first;
  while (next != kInvalidPageId) {
    Mtr mtr(ctx_, txn);
    mtr.record().flags |= kChainFree;
    mtr.record().chain_head = head;
    uint64_t batch = 0;
    for (; batch < kFreeBatch && next != kInvalidPageId; ++batch) {
      NQ_ASSIGN_OR_RETURN(PageGuard * page, mtr.Fetch(next));
      if (GetPageType(page->data()) != PageType::kOverflow) {
        return Status::Corruption(fmt::format("page {} in overflow chain is a {} page", next,
                                              PageTypeName(GetPageType(page->data()))));
      }
      PageId following = DecodeFixed64(page->data() + kOverflowNextOffset);
      NQ_RETURN_IF_ERROR(FreePage(&mtr, page));
      next = following;
    }
    mtr.record().chain_next = next;
    NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
    (void)end;
    if (pages_freed != nullptr) *pages_freed += batch;
  }
  return Status::OK();
}

}  // namespace neuroquantum::storage
