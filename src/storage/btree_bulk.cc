// B+ tree bulk load: builds a tree bottom-up from sorted entries.
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

// --- bulk load ---------------------------------------------------------------

namespace {

// The first overflow page of a raw leaf cell whose value lives in a chain.
std::optional<PageId> RawLeafCellOverflow(std::string_view raw) {
  ByteReader in(raw);
  uint64_t key_len = 0, value_len = 0;
  uint8_t flags = 0;
  if (!in.GetVarint64(&key_len) || !in.GetVarint64(&value_len) || !in.GetFixed8(&flags) ||
      !(flags & btree::kCellOverflow)) {
    return std::nullopt;
  }
  return RawCellChild(raw);
}

}  // namespace

// Builds a tree bottom-up from sorted entries.
//
// Each level keeps two node buffers in memory: `open`, being filled, and
// `held`, the node completed just before it. A completed node is written
// only once the node after it completes, so that at the end the last two
// nodes of a level can be balanced instead of leaving a tiny last node.
// Entries are raw cells: leaf cells at level 0; above, internal cells
// (first key of the child's subtree, child). When an internal node is
// written, its first entry's child becomes the leftmost child and that
// entry's key is not stored: it moves up as the node's separator, which is
// therefore the first key of the node's subtree.
//
// Invariants:
//  1. Every page written so far is reachable from an entry in some buffer
//     (directly or through written pages): a written node's entry is added
//     to its parent's buffer before anything else can fail. Abandon walks
//     from the buffers.
//  2. A buffer's bytes (sum of cell size + slot) stay <= target_bytes_, except
//     an `open` buffer holding one entry (<= MaxCellSize + slot, which fits), or
//     transiently inside AddEntry. Hence every buffer fits in one node.
//  3. Leaves are written in key order; last_leaf_ is the latest one.
class BTree::BulkBuilder {
 public:
  BulkBuilder(BTree* tree, TxnId txn)
      : tree_(tree),
        txn_(txn),
        target_bytes_((UsableEnd(tree->ctx_->page_size) - btree::kSlotsOffset) * kBulkFillPercent /
                      100) {}

  // Reads the whole source and installs the result in the root page.
  Status Load(BulkSource* source);
  // Frees every page written so far (after a failure of Load).
  Status Abandon();

 private:
  struct NodeBuffer {
    std::vector<std::string> cells;
    uint32_t bytes = 0;
    bool empty() const { return cells.empty(); }
    void Append(std::string cell) {
      bytes += Size(cell);
      cells.push_back(std::move(cell));
    }
  };
  struct Level {
    NodeBuffer held;
    NodeBuffer open;
  };
  static uint32_t Size(const std::string& cell) { return static_cast<uint32_t>(cell.size()) + btree::kSlotSize; }

  Status AddEntry(size_t level, std::string cell);
  Status Finish();
  void Balance(Level* level);
  Status WriteNode(size_t level, bool held);
  Status InstallRoot(size_t level);
  void FillNode(Node* node, size_t level, const NodeBuffer& buffer) const;

  BTree* tree_;
  TxnId txn_;
  uint32_t target_bytes_;
  std::vector<Level> levels_;  // levels_[0] = leaves
  PageId last_leaf_ = kInvalidPageId;
};

Status BTree::BulkLoad(BulkSource* source, TxnId txn, bool* pages_left) {
  if (pages_left != nullptr) *pages_left = false;
  {
    NQ_ASSIGN_OR_RETURN(PageGuard root, ctx_->pool->Fetch(root_, LatchMode::kShared, {id_}));
    Node node(const_cast<uint8_t*>(root.data()), ctx_->page_size);
    if (!node.is_leaf() || node.count() != 0) {
      return Status::InvalidArgument(
          fmt::format("bulk load needs an empty tree; tree {} is not empty{}", id_,
                      node.is_leaf() ? "" : " (its root has children; VACUUM collapses a tree "
                                            "whose keys were all deleted)"));
    }
  }
  BulkBuilder builder(this, txn);
  Status s = builder.Load(source);
  if (s.ok()) return s;
  // Whatever Abandon cannot free stays "allocated, unlinked" in the WAL,
  // and recovery frees it.
  Status cleanup = builder.Abandon();
  if (!cleanup.ok()) {
    if (pages_left != nullptr) *pages_left = true;
    return s.WithContext(fmt::format("(freeing its pages failed too: {})", cleanup.ToString()));
  }
  return s;
}

Status BTree::BulkBuilder::Load(BulkSource* source) {
  uint32_t max_key = tree_->max_key_size();
  uint32_t max_cell = btree::MaxCellSize(tree_->ctx_->page_size);
  std::string previous;
  std::string_view key, value;
  for (uint64_t index = 0; source->Next(&key, &value); ++index) {
    if (key.size() > max_key) {
      return Status::OutOfRange(fmt::format(
          "bulk load key {} is {} bytes; the maximum key size is {} bytes", index, key.size(), max_key));
    }
    if (index > 0 && key <= std::string_view(previous)) {
      return Status::InvalidArgument(fmt::format(
          "bulk load key {} is not greater than key {}: input must be strictly ascending", index,
          index - 1));
    }
    std::string cell = btree::MakeLeafCell(key, value);
    if (cell.size() > max_cell) {
      NQ_ASSIGN_OR_RETURN(PageId first, tree_->WriteOverflowChain(value, txn_));
      cell = btree::MakeLeafOverflowCell(key, value.size(), first);
    }
    NQ_RETURN_IF_ERROR(AddEntry(0, std::move(cell)));
    previous.assign(key);
  }
  return Finish();
}

Status BTree::BulkBuilder::AddEntry(size_t level, std::string cell) {
  if (levels_.size() <= level) levels_.resize(level + 1);
  levels_[level].open.Append(std::move(cell));  // recorded first (invariant 1)
  if (levels_[level].open.bytes <= target_bytes_ || levels_[level].open.cells.size() < 2) {
    return Status::OK();
  }
  // Without its newest entry the open node is complete; the node held
  // before it now has its right neighbour and can be written.
  if (!levels_[level].held.empty()) NQ_RETURN_IF_ERROR(WriteNode(level, true));
  Level& current = levels_[level];  // WriteNode may have grown levels_
  std::string newest = std::move(current.open.cells.back());
  current.open.cells.pop_back();
  current.open.bytes -= Size(newest);
  current.held = std::move(current.open);
  current.open = NodeBuffer();
  current.open.Append(std::move(newest));
  return Status::OK();
}

// Writes what the buffers hold, level by level, until a level is down to a
// single node: that one goes into the root page.
Status BTree::BulkBuilder::Finish() {
  for (size_t level = 0; level < levels_.size(); ++level) {
    // A level has a held node once it completed a node; only then can it
    // have a parent. So the top level without one fits in a single node.
    if (level + 1 == levels_.size() && levels_[level].held.empty()) return InstallRoot(level);
    Balance(&levels_[level]);
    NQ_RETURN_IF_ERROR(WriteNode(level, true));
    if (!levels_[level].open.empty()) NQ_RETURN_IF_ERROR(WriteNode(level, false));
  }
  return Status::OK();  // no input: the tree stays empty
}

// Moves entries from the end of `held` to the front of `open` while open
// stays no larger than held, so a level does not end in a nearly empty node.
// Both stay within invariant 2: open <= held <= target. For internal levels
// the moved entries carry their subtrees' first keys, so the open node's new
// first entry still holds its separator.
void BTree::BulkBuilder::Balance(Level* level) {
  NodeBuffer& held = level->held;
  NodeBuffer& open = level->open;
  size_t keep = held.cells.size();
  uint32_t held_bytes = held.bytes, open_bytes = open.bytes;
  while (keep > 1) {
    uint32_t size = Size(held.cells[keep - 1]);
    if (open_bytes + size > held_bytes - size) break;
    held_bytes -= size;
    open_bytes += size;
    keep--;
  }
  open.cells.insert(open.cells.begin(), std::make_move_iterator(held.cells.begin() + keep),
                    std::make_move_iterator(held.cells.end()));
  held.cells.resize(keep);
  held.bytes = held_bytes;
  open.bytes = open_bytes;
}

// Writes the held or open node of `level` to a new page in its own mtr,
// flagged kOverflowAlloc (unlinked until the root mtr), links a leaf after
// the previous one, and adds the node's entry to the parent level.
Status BTree::BulkBuilder::WriteNode(size_t level, bool held) {
  StorageContext* ctx = tree_->ctx_;
  const NodeBuffer& buffer = held ? levels_[level].held : levels_[level].open;
  bool leaf = level == 0;
  PageId id;
  std::string first_key(RawCellKey(buffer.cells.front(), leaf));
  {
    Mtr mtr(ctx, txn_);
    mtr.record().flags |= kOverflowAlloc;
    NQ_ASSIGN_OR_RETURN(PageGuard * page,
                        AllocatePage(&mtr, leaf ? PageType::kLeaf : PageType::kInternal));
    id = page->page_id();
    Node node(page->mutable_data(), ctx->page_size);
    FillNode(&node, level, buffer);
    if (leaf && last_leaf_ != kInvalidPageId) {
      // The previous leaf learns its right sibling only now (two leaves
      // pinned, briefly); the new page is written whole anyway.
      node.set_left(last_leaf_);
      NQ_ASSIGN_OR_RETURN(PageGuard * left, mtr.Fetch(last_leaf_));
      Node(left->mutable_data(), ctx->page_size).set_right(id);
    }
    NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
    (void)end;
  }
  if (leaf) last_leaf_ = id;
  (held ? levels_[level].held : levels_[level].open) = NodeBuffer();
  return AddEntry(level + 1, btree::MakeInternalCell(first_key, id));
}

// Copies the last remaining node into the root page (whose id never
// changes; its level becomes the tree's height). This mtr links every page
// written before it, hence kLinkPending: from here on the tree is complete.
Status BTree::BulkBuilder::InstallRoot(size_t level) {
  Mtr mtr(tree_->ctx_, txn_);
  mtr.record().flags |= kLinkPending;
  NQ_ASSIGN_OR_RETURN(PageGuard * root, mtr.Fetch(tree_->root_));
  Node node(root->mutable_data(), tree_->ctx_->page_size);
  if (!node.is_leaf() || node.count() != 0) {
    return Status::InvalidArgument(
        fmt::format("tree {} was written by someone else during its bulk load", tree_->id_));
  }
  FillNode(&node, level, levels_[level].open);
  NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
  (void)end;
  levels_.clear();  // all linked: nothing left to abandon
  return Status::OK();
}

void BTree::BulkBuilder::FillNode(Node* node, size_t level, const NodeBuffer& buffer) const {
  assert(level <= UINT8_MAX && "bulk-loaded tree taller than a level byte");
  bool leaf = level == 0;
  node->Init(leaf ? PageType::kLeaf : PageType::kInternal, static_cast<uint8_t>(level), tree_->id_);
  size_t from = 0;
  if (!leaf) {
    node->set_leftmost_child(RawCellChild(buffer.cells.front()));
    from = 1;
  }
  for (size_t i = from; i < buffer.cells.size(); ++i) {
    bool ok = node->InsertCell(node->count(), buffer.cells[i]);
    assert(ok && "bulk node buffer does not fit in a page (invariant 2 broken)");
    (void)ok;
  }
}

// Frees every page written so far: the pages reachable from the buffered
// entries (invariant 1), with their overflow chains. Each page is freed in
// its own mtr flagged kChainFree with chain_head = 0: that takes it out of
// the transaction's allocated-unlinked set at recovery, because once free
// the page may be reused by anyone and recovery must not free it again.
Status BTree::BulkBuilder::Abandon() {
  std::vector<PageId> stack;
  for (size_t level = 0; level < levels_.size(); ++level) {
    for (const NodeBuffer* buffer : {&levels_[level].held, &levels_[level].open}) {
      for (const std::string& cell : buffer->cells) {
        if (level > 0) {
          stack.push_back(RawCellChild(cell));
        } else if (auto first = RawLeafCellOverflow(cell)) {
          stack.push_back(*first);
        }
      }
    }
  }
  levels_.clear();
  StorageContext* ctx = tree_->ctx_;
  while (!stack.empty()) {
    PageId id = stack.back();
    stack.pop_back();
    Mtr mtr(ctx, txn_);
    mtr.record().flags |= kChainFree;  // chain_head = next_to_free = 0
    NQ_ASSIGN_OR_RETURN(PageGuard * page, mtr.Fetch(id));
    PageType type = GetPageType(page->data());
    if (type == PageType::kOverflow) {
      PageId next = DecodeFixed64(page->data() + kOverflowNextOffset);
      if (next != kInvalidPageId) stack.push_back(next);
    } else if (type == PageType::kLeaf || type == PageType::kInternal) {
      Node node(page->mutable_data(), ctx->page_size);
      if (!node.is_leaf()) stack.push_back(node.leftmost_child());
      for (uint16_t i = 0; i < node.count(); ++i) {
        Cell cell = node.cell(i);
        if (!node.is_leaf()) {
          stack.push_back(cell.child);
        } else if (cell.overflow) {
          stack.push_back(cell.overflow_page);
        }
      }
    } else {
      return Status::Corruption(fmt::format("page {} written by a bulk load is now a {} page", id,
                                            PageTypeName(type)));
    }
    NQ_RETURN_IF_ERROR(FreePage(&mtr, page));
    NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
    (void)end;
  }
  return Status::OK();
}

}  // namespace neuroquantum::storage
