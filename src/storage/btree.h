// BTree: a B+ tree of byte-string keys (memcmp order) over buffer-pool pages.
// Values up to a node-size limit are stored inline in leaf cells; larger ones
// in chains of overflow pages. The root page id never changes (a root split
// moves the root's contents into two new children), so catalogs can store it.
//
// Concurrency: latch coupling. Readers descend with shared latches,
// releasing the parent once the child is latched. Writers first try an
// optimistic descent (shared latches, exclusive on the leaf); if the leaf
// might split or underflow they restart with exclusive latches from the
// root, releasing ancestors once a node is safe. Latches are always taken
// top-down, and left-to-right among siblings, so writers never deadlock.
// Iterators hold no latch between calls: they copy one leaf page, read its
// cells from the copy, and re-descend from the root to move on.
//
// Thread safety: all methods are safe for concurrent use. Concurrent writers
// to the SAME key are serialised by the transaction layer (row locks), not
// here; the tree itself stays consistent either way.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"
#include "storage/btree_node.h"
#include "storage/mtr.h"

namespace neuroquantum::storage {

// A caller's check of a key's current value, run by a write under the
// leaf's exclusive latch just before the leaf changes (so nothing can change
// the value between the check and the write). `current` is the whole value,
// or nullopt if the key is absent. An error cancels the write, leaving the
// tree unchanged, and is returned by it. A non-owning reference to a
// callable that must outlive the write.
class WriteCheck {
 public:
  template <typename F>
  explicit WriteCheck(F& f)
      : obj_(&f), fn_([](void* o, std::optional<std::string_view> v) { return (*static_cast<F*>(o))(v); }) {}
  Status operator()(std::optional<std::string_view> current) const { return fn_(obj_, current); }

 private:
  void* obj_;
  Status (*fn_)(void*, std::optional<std::string_view>);
};

// How a write is logged.
struct WriteContext {
  TxnId txn = 0;
  // When non-zero this write undoes the record starting at this LSN (a
  // compensation record: redone at recovery, never undone).
  Lsn compensates = 0;
  // Set by the tree: start LSN of the record that carried the logical change.
  Lsn* logged_at = nullptr;
  // Run on the key's current value before a put changes the leaf (not used
  // by deletes).
  const WriteCheck* check = nullptr;
};

// Input of a bulk load: yields entries in strictly ascending memcmp key
// order. The views returned by Next stay valid until the next call to Next
// (or the source's destruction); the tree copies what it keeps.
// Thread safety: used by one thread (the loader) at a time.
class BulkSource {
 public:
  virtual ~BulkSource() = default;
  // Stores the next entry and returns true, or returns false at the end.
  virtual bool Next(std::string_view* key, std::string_view* value) = 0;
};

class BTree {
 public:
  BTree(StorageContext* ctx, TreeId id, PageId root) : ctx_(ctx), id_(id), root_(root) {}

  // BulkLoad fills each node to this share of its capacity (by bytes), so
  // inserts after a load land in free space instead of splitting at once.
  static constexpr uint32_t kBulkFillPercent = 90;

  // Allocates and initialises an empty root leaf inside `mtr`.
  static Result<PageId> CreateRoot(Mtr* mtr, TreeId id);

  TreeId id() const { return id_; }
  // Drops the append hint (after pages moved, e.g. by vacuum).
  void ForgetAppendHint() { append_hint_.store(kInvalidPageId, std::memory_order_relaxed); }
  PageId root() const { return root_; }

  // Point lookup. nullopt if absent.
  Result<std::optional<std::string>> Get(std::string_view key);
  // Inserts or replaces. OutOfRange if the key exceeds MaxKeySize.
  Status Put(std::string_view key, std::string_view value, const WriteContext& wctx);
  // Removes the key; NotFound if absent.
  Status Delete(std::string_view key, const WriteContext& wctx);

  // Builds the contents of this EMPTY tree from sorted input, bottom-up:
  // leaves filled to kBulkFillPercent of their capacity and linked left to
  // right, then each internal level, and finally the top node copied into
  // the root page (whose id does not change). Large values go to overflow
  // chains as in Put. Every new page is its own mtr flagged kOverflowAlloc
  // for `txn`; the root mtr is flagged kLinkPending, so a crash before it
  // leaves the tree empty and recovery frees the pages. Nothing is visible
  // before the root mtr. Memory: two node buffers per level; at most two
  // tree pages (plus the header) are pinned at a time, only inside an mtr.
  // The caller commits `txn`; there is nothing to undo (no logical records).
  // Errors: InvalidArgument if the tree is not empty (also when a concurrent
  // writer filled it during the load) or a key is not greater than its
  // predecessor (the message names the key's 0-based index); OutOfRange for
  // a key longer than max_key_size(). On error the pages written so far are
  // freed; if that fails too, *pages_left is set: the rest stay "allocated,
  // unlinked" in the WAL for recovery to free, so `txn` must not end (no
  // commit or abort record). REQUIRES: no other writer uses this tree
  // meanwhile.
  Status BulkLoad(BulkSource* source, TxnId txn, bool* pages_left = nullptr);

  // Merges adjacent nodes that fit together, bottom-up, and collapses an
  // empty root (used by VACUUM). REQUIRES: no concurrent users of the tree.
  Status Compact();

  class Iterator;
  std::unique_ptr<Iterator> NewIterator();

  // Reads a value stored in an overflow chain.
  Result<std::string> ReadOverflow(PageId first, uint64_t size);
  // Frees an overflow chain, logging progress so that recovery can finish
  // an interrupted free (see Recovery).
  // Adds the number of pages freed to *pages_freed if given.
  // `head` is the chain head the progress records name: `first` by default;
  // recovery finishing a free interrupted at page `first` passes the head of
  // the original free, so that its records end that free for the next
  // recovery too.
  Status FreeOverflowChain(PageId first, TxnId txn, uint64_t* pages_freed = nullptr,
                           PageId head = kInvalidPageId);

  uint32_t max_key_size() const { return btree::MaxKeySize(ctx_->page_size); }

 private:
  struct Path;
  class BulkBuilder;
  Result<PageGuard> DescendShared(std::string_view key, PageGuard* parent_out);
  Result<bool> TryOptimisticWrite(std::string_view key, const std::string& cell, bool is_delete,
                                  const WriteContext& wctx, std::string_view value,
                                  std::optional<PageId>* freed_chain);
  Status PessimisticWrite(std::string_view key, const std::string& cell, bool is_delete,
                          const WriteContext& wctx, std::string_view value,
                          std::optional<PageId>* freed_chain);
  Status RunCheck(const WriteContext& wctx, const btree::Node& leaf, uint16_t pos, bool found);
  Status FillLogical(Mtr* mtr, const btree::Node& leaf, uint16_t pos, bool found,
                     std::string_view key, bool is_delete, std::string_view value,
                     const WriteContext& wctx, std::optional<PageId>* freed_chain);
  Status InsertIntoPath(Mtr* mtr, Path* path, size_t level, uint16_t pos, std::string cell);
  Status SplitRoot(Mtr* mtr, PageGuard* root, std::vector<std::string> cells, bool leaf);
  Result<bool> SplitWithRightSibling(Mtr* mtr, Path* path, size_t level,
                                     const std::vector<std::string>& cells);
  Status Rebalance(Mtr* mtr, Path* path, size_t level);
  Result<bool> MergeRight(Mtr* mtr, PageGuard* node, PageGuard* parent, uint16_t right_pos);
  Status CollapseRoot(Mtr* mtr, PageGuard* root);
  Result<PageId> WriteOverflowChain(std::string_view value, TxnId txn);
  bool SafeForInsert(const btree::Node& node) const;
  bool SafeForDelete(const btree::Node& node) const;

  // The leaf an optimistic write found to be the tree's rightmost, or
  // kInvalidPageId: an insert at or after its first key goes straight
  // there (ascending keys, as in a sequential load) instead of descending.
  // Only a hint; AppendLeaf checks the page before using it.
  Result<PageGuard> AppendLeaf(std::string_view key);

  StorageContext* ctx_;
  TreeId id_;
  PageId root_;
  std::atomic<PageId> append_hint_{kInvalidPageId};
};

// Forward and backward iteration in key order. Sees each leaf as of the
// moment it was read (no snapshot across leaves: MVCC lives above).
// Thread safety: one thread at a time.
class BTree::Iterator {
 public:
  explicit Iterator(BTree* tree);
  bool Valid() const { return status_.ok() && index_ < end_; }
  void SeekToFirst() { Seek(""); }
  void SeekToLast();
  // Positions at the first key >= `key`.
  void Seek(std::string_view key);
  // Forward iteration ends before the first key >= `bound` (set before
  // seeking).
  void SetUpperBound(std::string bound) { upper_ = std::move(bound); }
  // Positions at the last key <= `key`.
  void SeekForPrev(std::string_view key);
  void Next();
  void Prev();
  // Valid until the iterator moves.
  std::string_view key() const { return cell_.key; }
  // The value; reads an overflow chain if needed.
  Result<std::string> value() const;
  // The value without copying it when it is stored inline (no overflow
  // chain); nullopt otherwise. Valid until the iterator moves.
  std::optional<std::string_view> inline_value() const {
    if (cell_.overflow) return std::nullopt;
    return cell_.inline_value;
  }
  Status status() const { return status_; }

 private:
  // Keeps cells [begin, end) of the latched leaf `leaf` (copied whole) and
  // parses cell `index`.
  void Take(const PageGuard& leaf, uint16_t begin, uint16_t end, uint16_t index);
  void Parse() { cell_ = btree::Node(page_.get(), page_size_).cell(index_); }
  // Loads the leaf holding the first key > `after` (or >= if inclusive).
  void LoadForward(std::string_view key, bool inclusive);
  // From the latched leaf `leaf` rightwards: takes the first leaf with
  // keys > `target` (>= if inclusive; every key when `target` is empty)
  // below the upper bound.
  void WalkRight(PageGuard leaf, std::string_view target, bool inclusive);
  // Moves on to the right sibling of the copied leaf without descending
  // from the root, when that leaf is unchanged since it was copied; false
  // (nothing done) when it changed.
  bool HopRight();
  // Loads the leaf holding the last key < `before` (or <= if inclusive).
  void LoadBackward(std::string_view key, bool inclusive, bool to_end);
  void Clear() { begin_ = end_ = index_ = 0; }

  BTree* tree_;
  uint32_t page_size_;
  std::unique_ptr<uint8_t[]> page_;  // copy of the current leaf
  PageId leaf_id_ = kInvalidPageId;  // where page_ was copied from, and its LSN then
  Lsn leaf_lsn_ = 0;
  uint16_t begin_ = 0;               // cells of page_ in the iteration
  uint16_t end_ = 0;
  uint16_t index_ = 0;
  btree::Cell cell_;  // cell index_, parsed; views into page_
  Status status_;
  std::optional<std::string> upper_;
  bool reached_upper_ = false;  // end_ stops at upper_: nothing follows
};

}  // namespace neuroquantum::storage
