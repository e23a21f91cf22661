// B+ tree algorithms: lookup, insert with splits, delete with merges,
// compaction. Bulk load, overflow chains and iteration live in
// btree_bulk.cc, btree_overflow.cc and btree_iterator.cc.
#include "storage/btree.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <iterator>
#include <optional>

#include "fmt/format.h"
#include "storage/btree_internal.h"

namespace neuroquantum::storage {

using btree::Cell;
using btree::Node;
using namespace btree_internal;  // NOLINT: file-local use of the internal helpers


struct BTree::Path {
  std::vector<PageGuard*> nodes;  // held by the Mtr, top-most first
  std::vector<int> positions;     // positions[i]: child position of nodes[i] in nodes[i-1]
};

Result<PageId> BTree::CreateRoot(Mtr* mtr, TreeId id) {
  NQ_ASSIGN_OR_RETURN(PageGuard * root, AllocatePage(mtr, PageType::kLeaf));
  Node(root->mutable_data(), mtr->page_size()).Init(PageType::kLeaf, 0, id);
  return root->page_id();
}

bool BTree::SafeForInsert(const Node& node) const {
  return node.FreeSpace() >= btree::MaxCellSize(ctx_->page_size) + btree::kSlotSize;
}

bool BTree::SafeForDelete(const Node& node) const {
  uint32_t worst = btree::MaxCellSize(ctx_->page_size) + btree::kSlotSize;
  return node.count() > 2 && node.UsedSpace() >= worst + node.Capacity() / 4;
}

// Descends with shared latches to the leaf covering `key`.
Result<PageGuard> BTree::DescendShared(std::string_view key, PageGuard* parent_out) {
  NQ_ASSIGN_OR_RETURN(PageGuard guard, ctx_->pool->Fetch(root_, LatchMode::kShared, {id_}));
  while (true) {
    Node node(const_cast<uint8_t*>(guard.data()), ctx_->page_size);
    if (node.is_leaf()) return guard;
    int pos = 0;
    PageId child = node.ChildFor(key, &pos);
    NQ_ASSIGN_OR_RETURN(PageGuard next, ctx_->pool->Fetch(child, LatchMode::kShared, {id_}));
    if (parent_out != nullptr) *parent_out = std::move(guard);
    guard = std::move(next);
  }
}

Result<std::optional<std::string>> BTree::Get(std::string_view key) {
  NQ_ASSIGN_OR_RETURN(PageGuard leaf, DescendShared(key, nullptr));
  Node node(const_cast<uint8_t*>(leaf.data()), ctx_->page_size);
  bool found = false;
  uint16_t pos = node.LowerBound(key, &found);
  if (!found) return std::optional<std::string>();
  Cell cell = node.cell(pos);
  if (!cell.overflow) return std::optional<std::string>(std::string(cell.inline_value));
  // The leaf latch is held while reading the chain: a writer must modify the
  // leaf before it frees the chain, so the chain cannot vanish under us.
  NQ_ASSIGN_OR_RETURN(std::string value, ReadOverflow(cell.overflow_page, cell.value_size));
  return std::optional<std::string>(std::move(value));
}

Status BTree::FillLogical(Mtr* mtr, const Node& leaf, uint16_t pos, bool found,
                          std::string_view key, bool is_delete, std::string_view value,
                          const WriteContext& wctx, std::optional<PageId>* freed_chain) {
  MtrRecord& rec = mtr->record();
  std::optional<Cell> old;
  if (found) old = leaf.cell(pos);
  if (wctx.compensates != 0) {
    rec.flags |= kCompensation;
    rec.compensated_lsn = wctx.compensates;
  } else {
    rec.flags |= kHasLogical;
    rec.logical.tree = id_;
    rec.logical.key.assign(key);
    rec.logical.op = is_delete ? LogicalOp::kDelete : (found ? LogicalOp::kUpdate : LogicalOp::kInsert);
    if (!is_delete) rec.logical.new_value.assign(value);
    if (old && old->overflow) {
      NQ_ASSIGN_OR_RETURN(rec.logical.old_value, ReadOverflow(old->overflow_page, old->value_size));
    } else if (old) {
      rec.logical.old_value.assign(old->inline_value);
    }
  }
  if (old && old->overflow) {
    rec.flags |= kChainFree;
    rec.chain_head = old->overflow_page;
    rec.chain_next = old->overflow_page;  // nothing freed yet
    *freed_chain = old->overflow_page;
  }
  return Status::OK();
}

Status BTree::RunCheck(const WriteContext& wctx, const Node& leaf, uint16_t pos, bool found) {
  if (wctx.check == nullptr) return Status::OK();
  if (!found) return (*wctx.check)(std::nullopt);
  Cell cell = leaf.cell(pos);
  if (!cell.overflow) return (*wctx.check)(cell.inline_value);
  NQ_ASSIGN_OR_RETURN(std::string value, ReadOverflow(cell.overflow_page, cell.value_size));
  return (*wctx.check)(std::string_view(value));
}

Status BTree::Put(std::string_view key, std::string_view value, const WriteContext& wctx) {
  if (key.size() > max_key_size()) {
    return Status::OutOfRange(
        fmt::format("key of {} bytes exceeds the maximum key size of {} bytes", key.size(),
                    max_key_size()));
  }
  std::string cell = btree::MakeLeafCell(key, value);
  std::optional<PageId> chain;
  if (cell.size() > btree::MaxCellSize(ctx_->page_size)) {
    NQ_ASSIGN_OR_RETURN(PageId first, WriteOverflowChain(value, wctx.txn));
    chain = first;
    cell = btree::MakeLeafOverflowCell(key, value.size(), first);
  }
  std::optional<PageId> freed;
  auto done = TryOptimisticWrite(key, cell, false, wctx, value, &freed);
  Status s = done.ok() ? Status::OK() : done.status();
  if (s.ok() && !*done) s = PessimisticWrite(key, cell, false, wctx, value, &freed);
  if (!s.ok()) {
    // The new chain was never linked: give it back (best effort; recovery
    // frees it too if we crash first).
    if (chain) (void)FreeOverflowChain(*chain, wctx.txn);
    return s;
  }
  if (freed) return FreeOverflowChain(*freed, wctx.txn);
  return Status::OK();
}

Status BTree::Delete(std::string_view key, const WriteContext& wctx) {
  std::optional<PageId> freed;
  NQ_ASSIGN_OR_RETURN(bool done, TryOptimisticWrite(key, "", true, wctx, "", &freed));
  if (!done) NQ_RETURN_IF_ERROR(PessimisticWrite(key, "", true, wctx, "", &freed));
  if (freed) return FreeOverflowChain(*freed, wctx.txn);
  return Status::OK();
}

// The hinted leaf, exclusively latched, if it is still this tree's
// rightmost leaf and `key` is not below its first key: the rightmost leaf
// holds every key from its first on. Latching it with nothing else held
// cannot deadlock, and a split or merge that changed it happened under the
// same latch, so what is checked here holds until the write is done. Every
// leaf of a tree without a right sibling is its rightmost one, except the
// newest leaf of a bulk load in progress, not linked yet; BulkLoad requires
// that no other writer uses the tree meanwhile, and links every leaf
// before it returns. Returns an empty guard when the hint does not apply.
Result<PageGuard> BTree::AppendLeaf(std::string_view key) {
  const PageId hint = append_hint_.load(std::memory_order_relaxed);
  if (hint == kInvalidPageId || hint == root_) return PageGuard();
  auto fetched = ctx_->pool->Fetch(hint, LatchMode::kExclusive, {id_});
  if (!fetched.ok()) return PageGuard();  // e.g. beyond the end after a vacuum: descend instead
  PageGuard guard = std::move(*fetched);
  Node node(guard.mutable_data(), ctx_->page_size);
  if (!node.is_leaf() || node.tree_id() != id_ || node.right() != kInvalidPageId || node.count() == 0 ||
      key < node.key(0)) {
    return PageGuard();
  }
  return guard;
}

// The hinted leaf (AppendLeaf) or a shared-latch descent, exclusive latch
// on the leaf only. Returns false when the change might split or underflow
// the leaf (caller goes pessimistic).
Result<bool> BTree::TryOptimisticWrite(std::string_view key, const std::string& cell,
                                       bool is_delete, const WriteContext& wctx,
                                       std::string_view value,
                                       std::optional<PageId>* freed_chain) {
  PageGuard guard;
  if (!is_delete) {
    NQ_ASSIGN_OR_RETURN(guard, AppendLeaf(key));
  }
  if (!guard.valid()) {
    NQ_ASSIGN_OR_RETURN(guard, ctx_->pool->Fetch(root_, LatchMode::kShared, {id_}));
    Node root(const_cast<uint8_t*>(guard.data()), ctx_->page_size);
    if (root.is_leaf()) return false;  // root leaf: go pessimistic (needs X on root)
    while (true) {
      Node node(const_cast<uint8_t*>(guard.data()), ctx_->page_size);
      int pos = 0;
      PageId child = node.ChildFor(key, &pos);
      LatchMode mode = node.level() == 1 ? LatchMode::kExclusive : LatchMode::kShared;
      NQ_ASSIGN_OR_RETURN(PageGuard next, ctx_->pool->Fetch(child, mode, {id_}));
      guard = std::move(next);
      if (mode == LatchMode::kExclusive) break;
    }
  }
  Node node(guard.mutable_data(), ctx_->page_size);
  if (!node.is_leaf()) return Status::Corruption(fmt::format("page {}: expected a leaf", guard.page_id()));
  if (node.right() == kInvalidPageId) append_hint_.store(guard.page_id(), std::memory_order_relaxed);
  bool found = false;
  uint16_t pos = node.LowerBound(key, &found);
  if (is_delete) {
    if (!found) return Status::NotFound("key not found");
    uint32_t size = node.cell(pos).size + btree::kSlotSize;
    if (node.UsedSpace() < size + node.Capacity() / 4) return false;
  } else {
    uint32_t reclaimed = found ? node.cell(pos).size + btree::kSlotSize : 0;
    if (node.FreeSpace() + reclaimed < cell.size() + btree::kSlotSize) return false;
    NQ_RETURN_IF_ERROR(RunCheck(wctx, node, pos, found));
  }
  Mtr mtr(ctx_, wctx.txn);
  NQ_RETURN_IF_ERROR(FillLogical(&mtr, node, pos, found, key, is_delete, value, wctx, freed_chain));
  LeafOp op;
  op.slot = pos;
  if (found) op.bits |= kLeafRemove;
  if (!is_delete) {
    // An inline cell is rebuilt at redo from the logical change the record
    // carries anyway; an overflow reference or a compensation's cell is logged.
    if ((mtr.record().flags & kHasLogical) && !btree::RawLeafCellOverflows(cell)) {
      op.bits |= kLeafInsertLogical;
    } else {
      op.bits |= kLeafInsertCell;
      op.cell = cell;
    }
  }
  // The leaf changes only once the record is in the WAL (Commit).
  mtr.AdoptLeafOp(std::move(guard), std::move(op), cell);
  NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit(wctx.logged_at));
  (void)end;
  return true;
}

Status BTree::PessimisticWrite(std::string_view key, const std::string& cell, bool is_delete,
                               const WriteContext& wctx, std::string_view value,
                               std::optional<PageId>* freed_chain) {
  Mtr mtr(ctx_, wctx.txn);
  Path path;
  NQ_ASSIGN_OR_RETURN(PageGuard * g, mtr.Fetch(root_));
  path.nodes.push_back(g);
  path.positions.push_back(0);
  while (true) {
    Node node(g->mutable_data(), ctx_->page_size);
    if (node.is_leaf()) break;
    int pos = 0;
    PageId child = node.ChildFor(key, &pos);
    NQ_ASSIGN_OR_RETURN(g, mtr.Fetch(child));
    Node child_node(g->mutable_data(), ctx_->page_size);
    if (is_delete ? SafeForDelete(child_node) : SafeForInsert(child_node)) {
      for (PageGuard* held : path.nodes) mtr.ReleaseUnchanged(held->page_id());
      path.nodes.clear();
      path.positions.clear();
    }
    path.nodes.push_back(g);
    path.positions.push_back(pos);
  }
  Node leaf(g->mutable_data(), ctx_->page_size);
  bool found = false;
  uint16_t pos = leaf.LowerBound(key, &found);
  if (is_delete && !found) return Status::NotFound("key not found");
  if (!is_delete) NQ_RETURN_IF_ERROR(RunCheck(wctx, leaf, pos, found));
  NQ_RETURN_IF_ERROR(FillLogical(&mtr, leaf, pos, found, key, is_delete, value, wctx, freed_chain));
  if (found) leaf.RemoveCell(pos);
  if (is_delete) {
    NQ_RETURN_IF_ERROR(Rebalance(&mtr, &path, path.nodes.size() - 1));
  } else {
    NQ_RETURN_IF_ERROR(InsertIntoPath(&mtr, &path, path.nodes.size() - 1, pos, cell));
  }
  NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit(wctx.logged_at));
  (void)end;
  return Status::OK();
}

Status BTree::InsertIntoPath(Mtr* mtr, Path* path, size_t level, uint16_t pos, std::string cell) {
  PageGuard* g = path->nodes[level];
  Node node(g->mutable_data(), ctx_->page_size);
  if (node.InsertCell(pos, cell)) return Status::OK();
  const bool leaf = node.is_leaf();
  const bool append = leaf && pos == node.count() && node.right() == kInvalidPageId;
  if (append && g->page_id() != root_) {
    // A sequential load: the new cell starts the next leaf and this one
    // keeps its cells as they are (it stays full).
    assert(level > 0 && "splitting a node whose parent was released");
    NQ_ASSIGN_OR_RETURN(PageGuard * right, AllocatePage(mtr, PageType::kLeaf));
    Node right_node(right->mutable_data(), ctx_->page_size);
    right_node.Init(PageType::kLeaf, node.level(), id_);
    if (!right_node.InsertCell(0, cell)) return Status::Internal("a cell does not fit an empty leaf");
    right_node.set_right(kInvalidPageId);
    right_node.set_left(g->page_id());
    node.set_right(right->page_id());
    std::string separator(RawCellKey(cell, true));
    auto parent_pos = static_cast<uint16_t>(path->positions[level] + 1);
    return InsertIntoPath(mtr, path, level - 1, parent_pos, btree::MakeInternalCell(separator, right->page_id()));
  }
  std::vector<std::string> cells = CollectCells(node);
  cells.insert(cells.begin() + pos, std::move(cell));
  if (g->page_id() == root_) return SplitRoot(mtr, g, std::move(cells), leaf);
  // A non-root node that can split was not safe, so its parent is held.
  assert(level > 0 && "splitting a node whose parent was released");
  if (leaf) {
    NQ_ASSIGN_OR_RETURN(bool done, SplitWithRightSibling(mtr, path, level, cells));
    if (done) return Status::OK();
  }
  size_t split = ChooseSplit(cells, leaf);
  // Tree pages before the header page (AllocatePage): a writer splitting or
  // merging the far page holds it and then asks for the header.
  PageGuard* far = nullptr;
  if (leaf && node.right() != kInvalidPageId) {
    NQ_ASSIGN_OR_RETURN(far, mtr->Fetch(node.right()));
  }
  NQ_ASSIGN_OR_RETURN(PageGuard * right, AllocatePage(mtr, leaf ? PageType::kLeaf : PageType::kInternal));
  Node right_node(right->mutable_data(), ctx_->page_size);
  right_node.Init(leaf ? PageType::kLeaf : PageType::kInternal, node.level(), id_);
  std::string separator;
  if (leaf) {
    separator.assign(RawCellKey(cells[split], true));
    RebuildNode(&right_node, cells, split, cells.size());
    right_node.set_right(node.right());
    right_node.set_left(g->page_id());
    if (far != nullptr) Node(far->mutable_data(), ctx_->page_size).set_left(right->page_id());
    node.set_right(right->page_id());
  } else {
    separator.assign(RawCellKey(cells[split], false));
    right_node.set_leftmost_child(RawCellChild(cells[split]));
    RebuildNode(&right_node, cells, split + 1, cells.size());
  }
  RebuildNode(&node, cells, 0, split);
  auto parent_pos = static_cast<uint16_t>(path->positions[level] + 1);
  return InsertIntoPath(mtr, path, level - 1, parent_pos,
                        btree::MakeInternalCell(separator, right->page_id()));
}

// Splits a full leaf together with its right sibling under the same parent:
// when the two hold at most 15/8 of a page of cells they share them evenly
// (no new page); otherwise they become three pages, each about 65% full.
// A plain split leaves two half-full leaves, so random inserts alone fill
// leaves to about 70%; this keeps them above 80%. Returns false, changing
// nothing, for a rightmost child or when the parts or the parent's new
// separator would not fit; the caller then splits the leaf alone.
// Pages are latched left to right (leaf, sibling, the sibling's right
// neighbour), as a plain split latches its far page. `cells` are the leaf's
// cells with the new one in place.
Result<bool> BTree::SplitWithRightSibling(Mtr* mtr, Path* path, size_t level,
                                          const std::vector<std::string>& cells) {
  Node parent(path->nodes[level - 1]->mutable_data(), ctx_->page_size);
  const int right_pos = path->positions[level] + 1;
  if (right_pos >= parent.count()) return false;
  const Cell old_separator = parent.cell(static_cast<uint16_t>(right_pos));
  NQ_ASSIGN_OR_RETURN(PageGuard * right, mtr->Fetch(old_separator.child));
  Node right_node(right->mutable_data(), ctx_->page_size);
  if (!right_node.is_leaf()) {
    return Status::Corruption(fmt::format("page {}: expected a leaf", right->page_id()));
  }
  std::vector<std::string> all = cells;
  for (uint16_t i = 0; i < right_node.count(); ++i) all.emplace_back(right_node.raw_cell(i));
  size_t total = 0;
  for (const auto& c : all) total += c.size() + btree::kSlotSize;
  const size_t capacity = right_node.Capacity();
  const size_t parts = total <= capacity * 15 / 8 ? 2 : 3;
  // cuts[k] is the first cell of part k; each part takes its share of bytes.
  std::vector<size_t> cuts = {0};
  size_t bytes = 0;
  size_t part_bytes = 0;
  bool fits = true;
  for (size_t i = 0; i < all.size(); ++i) {
    const size_t size = all[i].size() + btree::kSlotSize;
    if (cuts.size() < parts && part_bytes > 0 && bytes + size > total * cuts.size() / parts) {
      fits = fits && part_bytes <= capacity;
      cuts.push_back(i);
      part_bytes = 0;
    }
    bytes += size;
    part_bytes += size;
  }
  fits = fits && part_bytes <= capacity && cuts.size() == parts;
  // The parent must take the moved separator in place; a third part's new
  // separator may split the parent only if its own parent is held (or it
  // is the root).
  std::string separator;
  size_t parent_need = 0;
  if (fits) {
    separator = btree::MakeInternalCell(RawCellKey(all[cuts[1]], true), right->page_id());
    parent_need = separator.size();
    const bool parent_can_split = level >= 2 || path->nodes[level - 1]->page_id() == root_;
    if (parts == 3 && !parent_can_split) {
      parent_need += btree::MakeInternalCell(RawCellKey(all[cuts[2]], true), 0).size() + btree::kSlotSize;
    }
  }
  if (!fits || parent.FreeSpace() + old_separator.size < parent_need) {
    mtr->ReleaseUnchanged(right->page_id());
    return false;
  }
  cuts.push_back(all.size());
  Node node(path->nodes[level]->mutable_data(), ctx_->page_size);
  RebuildNode(&node, all, cuts[0], cuts[1]);
  RebuildNode(&right_node, all, cuts[1], cuts[2]);
  parent.RemoveCell(static_cast<uint16_t>(right_pos));
  bool ok = parent.InsertCell(static_cast<uint16_t>(right_pos), separator);
  assert(ok && "the parent's room was checked");
  (void)ok;
  if (parts == 2) return true;
  PageGuard* far = nullptr;  // latched before the header page, as in a plain split
  if (right_node.right() != kInvalidPageId) {
    NQ_ASSIGN_OR_RETURN(far, mtr->Fetch(right_node.right()));
  }
  NQ_ASSIGN_OR_RETURN(PageGuard * third, AllocatePage(mtr, PageType::kLeaf));
  Node third_node(third->mutable_data(), ctx_->page_size);
  third_node.Init(PageType::kLeaf, 0, id_);
  third_node.set_left(right->page_id());
  third_node.set_right(right_node.right());
  if (far != nullptr) Node(far->mutable_data(), ctx_->page_size).set_left(third->page_id());
  right_node.set_right(third->page_id());
  RebuildNode(&third_node, all, cuts[2], cuts[3]);
  NQ_RETURN_IF_ERROR(InsertIntoPath(
      mtr, path, level - 1, static_cast<uint16_t>(right_pos + 1),
      btree::MakeInternalCell(RawCellKey(all[cuts[2]], true), third->page_id())));
  return true;
}

// The root keeps its page id: its contents move into two new children and
// it becomes an internal node one level higher.
Status BTree::SplitRoot(Mtr* mtr, PageGuard* root, std::vector<std::string> cells, bool leaf) {
  Node root_node(root->mutable_data(), ctx_->page_size);
  uint8_t level = root_node.level();
  PageType type = leaf ? PageType::kLeaf : PageType::kInternal;
  NQ_ASSIGN_OR_RETURN(PageGuard * left, AllocatePage(mtr, type));
  NQ_ASSIGN_OR_RETURN(PageGuard * right, AllocatePage(mtr, type));
  Node left_node(left->mutable_data(), ctx_->page_size);
  Node right_node(right->mutable_data(), ctx_->page_size);
  left_node.Init(type, level, id_);
  right_node.Init(type, level, id_);
  size_t split = ChooseSplit(cells, leaf);
  std::string separator(RawCellKey(cells[split], leaf));
  if (leaf) {
    left_node.set_right(right->page_id());
    right_node.set_left(left->page_id());
    RebuildNode(&left_node, cells, 0, split);
    RebuildNode(&right_node, cells, split, cells.size());
  } else {
    left_node.set_leftmost_child(root_node.leftmost_child());
    right_node.set_leftmost_child(RawCellChild(cells[split]));
    RebuildNode(&left_node, cells, 0, split);
    RebuildNode(&right_node, cells, split + 1, cells.size());
  }
  root_node.Init(PageType::kInternal, static_cast<uint8_t>(level + 1), id_);
  root_node.set_leftmost_child(left->page_id());
  bool ok = root_node.InsertCell(0, btree::MakeInternalCell(separator, right->page_id()));
  assert(ok && "a fresh root holds one cell");
  (void)ok;
  return Status::OK();
}

// Merges the child at `right_pos` of `parent` into its left neighbour `node`
// when both fit in one page. Returns whether it merged.
Result<bool> BTree::MergeRight(Mtr* mtr, PageGuard* node_guard, PageGuard* parent_guard,
                               uint16_t right_pos) {
  Node node(node_guard->mutable_data(), ctx_->page_size);
  Node parent(parent_guard->mutable_data(), ctx_->page_size);
  NQ_ASSIGN_OR_RETURN(PageGuard * right, mtr->Fetch(parent.cell(right_pos).child));
  Node right_node(right->mutable_data(), ctx_->page_size);
  std::string separator_cell;
  if (!node.is_leaf()) {
    separator_cell = btree::MakeInternalCell(parent.key(right_pos), right_node.leftmost_child());
  }
  uint32_t extra = separator_cell.empty() ? 0 : static_cast<uint32_t>(separator_cell.size()) + btree::kSlotSize;
  if (node.UsedSpace() + right_node.UsedSpace() + extra > node.Capacity()) return false;
  if (!separator_cell.empty()) node.InsertCell(node.count(), separator_cell);
  for (uint16_t i = 0; i < right_node.count(); ++i) {
    bool ok = node.InsertCell(node.count(), right_node.raw_cell(i));
    assert(ok && "merged nodes were checked to fit");
    (void)ok;
  }
  if (node.is_leaf()) {
    node.set_right(right_node.right());
    if (right_node.right() != kInvalidPageId) {
      NQ_ASSIGN_OR_RETURN(PageGuard * far, mtr->Fetch(right_node.right()));
      Node(far->mutable_data(), ctx_->page_size).set_left(node_guard->page_id());
    }
  }
  parent.RemoveCell(right_pos);
  NQ_RETURN_IF_ERROR(FreePage(mtr, right));
  return true;
}

// Merges an underfull node with its right sibling under the same parent when
// both fit in one page. A rightmost child is left underfull: merging it with
// its left sibling would latch right-to-left and could deadlock. (VACUUM
// compacts what online merging leaves behind.)
Status BTree::Rebalance(Mtr* mtr, Path* path, size_t level) {
  PageGuard* g = path->nodes[level];
  Node node(g->mutable_data(), ctx_->page_size);
  if (g->page_id() == root_) {
    if (!node.is_leaf() && node.count() == 0) return CollapseRoot(mtr, g);
    return Status::OK();
  }
  if (node.UsedSpace() >= node.Capacity() / 4 || level == 0) return Status::OK();
  Node parent(path->nodes[level - 1]->mutable_data(), ctx_->page_size);
  int right_pos = path->positions[level] + 1;
  if (right_pos >= parent.count()) return Status::OK();
  NQ_ASSIGN_OR_RETURN(bool merged, MergeRight(mtr, g, path->nodes[level - 1],
                                              static_cast<uint16_t>(right_pos)));
  if (!merged) return Status::OK();
  return Rebalance(mtr, path, level - 1);
}

// Exclusive-access compaction: bottom-up, merges every pair of adjacent
// children that fits in one page, then collapses an empty root.
Status BTree::Compact() {
  std::vector<std::pair<uint8_t, PageId>> internal;  // (level, page)
  std::vector<PageId> stack{root_};
  while (!stack.empty()) {
    PageId id = stack.back();
    stack.pop_back();
    NQ_ASSIGN_OR_RETURN(PageGuard guard, ctx_->pool->Fetch(id, LatchMode::kShared, {id_}));
    Node node(const_cast<uint8_t*>(guard.data()), ctx_->page_size);
    if (node.is_leaf()) continue;
    internal.emplace_back(node.level(), id);
    for (int i = -1; i < node.count(); ++i) stack.push_back(node.ChildAt(i));
  }
  std::sort(internal.begin(), internal.end());
  for (const auto& [level, id] : internal) {
    int pos = -1;
    while (true) {
      Mtr mtr(ctx_);
      NQ_ASSIGN_OR_RETURN(PageGuard * parent, mtr.Fetch(id));
      Node pn(parent->mutable_data(), ctx_->page_size);
      if (pos + 1 >= pn.count()) break;
      NQ_ASSIGN_OR_RETURN(PageGuard * child, mtr.Fetch(pn.ChildAt(pos)));
      NQ_ASSIGN_OR_RETURN(bool merged, MergeRight(&mtr, child, parent, static_cast<uint16_t>(pos + 1)));
      NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
      (void)end;
      if (!merged) pos++;
    }
  }
  Mtr mtr(ctx_);
  NQ_ASSIGN_OR_RETURN(PageGuard * root, mtr.Fetch(root_));
  NQ_RETURN_IF_ERROR(CollapseRoot(&mtr, root));
  return mtr.Commit().status();
}

// An internal root with no keys has one child: pull the child up into the
// root page (the root id is fixed) and free it.
Status BTree::CollapseRoot(Mtr* mtr, PageGuard* root) {
  while (true) {
    Node root_node(root->mutable_data(), ctx_->page_size);
    if (root_node.is_leaf() || root_node.count() > 0) return Status::OK();
    NQ_ASSIGN_OR_RETURN(PageGuard * child, mtr->Fetch(root_node.leftmost_child()));
    std::memcpy(root->mutable_data() + kTypeOffset, child->data() + kTypeOffset, 4);
    std::memcpy(root->mutable_data() + kPageHeaderSize, child->data() + kPageHeaderSize,
                ctx_->page_size - kPageHeaderSize);
    NQ_RETURN_IF_ERROR(FreePage(mtr, child));
  }
}

}  // namespace neuroquantum::storage
