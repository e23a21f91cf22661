// VACUUM: shrink the database file after mass deletes.
//
// First every tree is compacted (adjacent nodes that fit in one page are
// merged, bottom-up), which frees pages that online merging left in use.
// Let N be the page count and F the number of free pages; the live pages
// fit in [0, B) with B = N - F. Every live page at or above B is moved into
// a free page below B (taken lowest first), one mini-transaction per move:
//   unlink the target from the free list (its predecessor's next pointer or
//   the header's head), copy the page, repoint every reference to it (parent
//   child pointer, leaf sibling links, overflow-chain predecessor, or the
//   catalog entry of a tree root), and free the old page.
// Counting shows that once all such moves are done no free page remains
// below B, so one final mini-transaction empties the free list and sets the
// page count to B; a checkpoint then makes the tail unreferenced by the WAL
// and the file is truncated. A crash at any point leaves a consistent
// database at a mini-transaction boundary.
#include <cstring>
#include <set>
#include <unordered_map>

#include "fmt/format.h"
#include "storage/engine.h"

namespace neuroquantum::storage {

class StorageEngine::Vacuumer {
 public:
  explicit Vacuumer(StorageEngine* engine) : e_(engine), ps_(engine->page_size_) {}

  Result<VacuumStats> Run() {
    // Online merges only pair a node with its right sibling at the moment it
    // underflows; compaction merges whatever fits now.
    std::vector<BTree*> trees;
    {
      std::lock_guard lock(e_->catalog_mu_);
      for (auto& [id, tree] : e_->trees_) trees.push_back(tree.get());
    }
    for (BTree* tree : trees) NQ_RETURN_IF_ERROR(tree->Compact());
    NQ_RETURN_IF_ERROR(LoadFreeList());
    stats_.pages_before = page_count_;
    boundary_ = page_count_ - free_count_;
    for (PageId id : order_) {
      if (id < boundary_) below_.insert(id);
    }
    if (!below_.empty()) {
      for (const auto& [name, root] : e_->TreeRoots()) NQ_RETURN_IF_ERROR(RelocateTree(name, root));
    }
    if (!below_.empty()) return Status::Internal("vacuum left free pages below the boundary");
    NQ_RETURN_IF_ERROR(Truncate());
    stats_.pages_after = boundary_;
    return stats_;
  }

 private:
  static constexpr size_t kNextOffset = kPageHeaderSize;  // free and overflow pages

  Status LoadFreeList() {
    NQ_ASSIGN_OR_RETURN(PageGuard header, e_->pool_->Fetch(kHeaderPageId, LatchMode::kShared));
    page_count_ = DecodeFixed64(header.data() + header::kPageCount);
    free_count_ = DecodeFixed64(header.data() + header::kFreeCount);
    head_ = DecodeFixed64(header.data() + header::kFreeHead);
    header.Release();
    PageId prev = kInvalidPageId;
    for (PageId id = head_; id != kInvalidPageId;) {
      if (order_.size() > free_count_) return Status::Corruption("free list is longer than the header says");
      NQ_ASSIGN_OR_RETURN(PageGuard page, e_->pool_->Fetch(id, LatchMode::kShared));
      PageId next = DecodeFixed64(page.data() + kNextOffset);
      order_.push_back(id);
      prev_[id] = prev;
      next_[id] = next;
      prev = id;
      id = next;
    }
    if (order_.size() != free_count_) return Status::Corruption("free list length differs from the header");
    return Status::OK();
  }

  // Takes the lowest free page below the boundary out of the free list
  // inside `mtr`, and returns it held by the mtr.
  Result<PageGuard*> TakeTarget(Mtr* mtr) {
    PageId target = *below_.begin();
    below_.erase(below_.begin());
    PageId pred = prev_[target], succ = next_[target];
    if (pred == kInvalidPageId) {
      NQ_ASSIGN_OR_RETURN(PageGuard * header, mtr->Fetch(kHeaderPageId));
      EncodeFixed64(header->mutable_data() + header::kFreeHead, succ);
      head_ = succ;
    } else {
      NQ_ASSIGN_OR_RETURN(PageGuard * p, mtr->Fetch(pred));
      EncodeFixed64(p->mutable_data() + kNextOffset, succ);
      next_[pred] = succ;
    }
    if (succ != kInvalidPageId) prev_[succ] = pred;
    prev_.erase(target);
    next_.erase(target);
    NQ_ASSIGN_OR_RETURN(PageGuard * guard, mtr->Fetch(target));
    NQ_ASSIGN_OR_RETURN(PageGuard * header, mtr->Fetch(kHeaderPageId));
    EncodeFixed64(header->mutable_data() + header::kFreeCount,
                  DecodeFixed64(header->data() + header::kFreeCount) - 1);
    return guard;
  }

  // Copies `from` into a new low page within `mtr`, frees `from`, and
  // returns the new page (the caller repoints references in the same mtr).
  Result<PageGuard*> MovePage(Mtr* mtr, PageId from) {
    NQ_ASSIGN_OR_RETURN(PageGuard * dst, TakeTarget(mtr));
    NQ_ASSIGN_OR_RETURN(PageGuard * src, mtr->Fetch(from));
    Lsn lsn = GetPageLsn(dst->data());
    std::memcpy(dst->mutable_data(), src->data(), ps_);
    SetPageLsn(dst->mutable_data(), lsn);
    PageId old_head = head_;
    NQ_RETURN_IF_ERROR(FreePage(mtr, src));
    next_[from] = old_head;
    prev_[from] = kInvalidPageId;
    if (old_head != kInvalidPageId) prev_[old_head] = from;
    head_ = from;
    stats_.pages_moved++;
    return dst;
  }

  struct Item {
    PageId page;
    PageId parent;   // 0 for the root
    int position;    // child position in the parent (-1 = leftmost)
  };

  Status RelocateTree(const std::string& name, PageId root) {
    std::vector<Item> stack{{root, kInvalidPageId, 0}};
    while (!stack.empty() && !below_.empty()) {
      Item item = stack.back();
      stack.pop_back();
      PageId page = item.page;
      if (page >= boundary_) {
        NQ_ASSIGN_OR_RETURN(page, MoveNode(name, item));
      }
      std::vector<std::pair<uint16_t, PageId>> chains;
      {
        NQ_ASSIGN_OR_RETURN(PageGuard guard, e_->pool_->Fetch(page, LatchMode::kShared));
        btree::Node node(const_cast<uint8_t*>(guard.data()), ps_);
        for (int i = -1; !node.is_leaf() && i < node.count(); ++i) stack.push_back({node.ChildAt(i), page, i});
        for (uint16_t i = 0; node.is_leaf() && i < node.count(); ++i) {
          btree::Cell c = node.cell(i);
          if (c.overflow) chains.emplace_back(i, c.overflow_page);
        }
      }
      for (const auto& [cell, first] : chains) NQ_RETURN_IF_ERROR(RelocateChain(page, cell, first));
    }
    return Status::OK();
  }

  Result<PageId> MoveNode(const std::string& name, const Item& item) {
    Mtr mtr(&e_->ctx_);
    NQ_ASSIGN_OR_RETURN(PageGuard * dst, MovePage(&mtr, item.page));
    PageId to = dst->page_id();
    btree::Node node(dst->mutable_data(), ps_);
    if (node.is_leaf()) {
      if (node.left() != kInvalidPageId) {
        NQ_ASSIGN_OR_RETURN(PageGuard * left, mtr.Fetch(node.left()));
        btree::Node(left->mutable_data(), ps_).set_right(to);
      }
      if (node.right() != kInvalidPageId) {
        NQ_ASSIGN_OR_RETURN(PageGuard * right, mtr.Fetch(node.right()));
        btree::Node(right->mutable_data(), ps_).set_left(to);
      }
    }
    if (item.parent != kInvalidPageId) {
      NQ_ASSIGN_OR_RETURN(PageGuard * parent, mtr.Fetch(item.parent));
      btree::Node pn(parent->mutable_data(), ps_);
      if (item.position < 0) pn.set_leftmost_child(to);
      else pn.SetCellTrailer(static_cast<uint16_t>(item.position), to);
    } else {
      NQ_RETURN_IF_ERROR(RepointRoot(&mtr, name, to));
    }
    NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
    (void)end;
    if (item.parent == kInvalidPageId) {
      std::lock_guard lock(e_->catalog_mu_);
      TreeId id = e_->tree_names_.at(name);
      e_->trees_[id] = std::make_unique<BTree>(&e_->ctx_, id, to);
    }
    return to;
  }

  // The catalog value is varint tree id + fixed64 root page: its last 8
  // bytes are the root, patched in place in the catalog leaf.
  Status RepointRoot(Mtr* mtr, const std::string& name, PageId to) {
    PageId page = kCatalogRootPage;
    while (true) {
      NQ_ASSIGN_OR_RETURN(PageGuard * guard, mtr->Fetch(page));
      btree::Node node(guard->mutable_data(), ps_);
      if (node.is_leaf()) {
        bool found = false;
        uint16_t pos = node.LowerBound(name, &found);
        if (!found) return Status::Corruption(fmt::format("catalog has no entry for '{}'", name));
        node.SetCellTrailer(pos, to);
        return Status::OK();
      }
      int position = 0;
      page = node.ChildFor(name, &position);
    }
  }

  Status RelocateChain(PageId leaf, uint16_t cell, PageId first) {
    PageId prev = kInvalidPageId;  // 0: the reference is the leaf cell
    for (PageId cur = first; cur != kInvalidPageId && !below_.empty();) {
      PageId next;
      {
        NQ_ASSIGN_OR_RETURN(PageGuard g, e_->pool_->Fetch(cur, LatchMode::kShared));
        next = DecodeFixed64(g.data() + kNextOffset);
      }
      if (cur >= boundary_) {
        Mtr mtr(&e_->ctx_);
        NQ_ASSIGN_OR_RETURN(PageGuard * dst, MovePage(&mtr, cur));
        if (prev == kInvalidPageId) {
          NQ_ASSIGN_OR_RETURN(PageGuard * l, mtr.Fetch(leaf));
          btree::Node(l->mutable_data(), ps_).SetCellTrailer(cell, dst->page_id());
        } else {
          NQ_ASSIGN_OR_RETURN(PageGuard * p, mtr.Fetch(prev));
          EncodeFixed64(p->mutable_data() + kNextOffset, dst->page_id());
        }
        cur = dst->page_id();
        NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
        (void)end;
      }
      prev = cur;
      cur = next;
    }
    return Status::OK();
  }

  Status Truncate() {
    if (boundary_ == page_count_) {
      // A run interrupted after its final header change left the tail in
      // the file; nothing references it, so cut it now.
      NQ_ASSIGN_OR_RETURN(uint64_t file_pages, e_->file_->SizeInPages());
      if (file_pages <= page_count_) return Status::OK();
      NQ_RETURN_IF_ERROR(e_->Checkpoint());
      for (PageId id = page_count_; id < file_pages; ++id) e_->pool_->Discard(id);
      NQ_RETURN_IF_ERROR(e_->file_->Truncate(page_count_));
      return e_->file_->Sync();
    }
    {
      Mtr mtr(&e_->ctx_);
      NQ_ASSIGN_OR_RETURN(PageGuard * header, mtr.Fetch(kHeaderPageId));
      uint8_t* h = header->mutable_data();
      EncodeFixed64(h + header::kFreeHead, kInvalidPageId);
      EncodeFixed64(h + header::kFreeCount, 0);
      EncodeFixed64(h + header::kPageCount, boundary_);
      NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
      (void)end;
    }
    // After the checkpoint no WAL record that recovery replays touches a
    // page at or past the boundary, so the tail can go.
    NQ_RETURN_IF_ERROR(e_->Checkpoint());
    for (PageId id = boundary_; id < page_count_; ++id) e_->pool_->Discard(id);
    NQ_RETURN_IF_ERROR(e_->file_->Truncate(boundary_));
    return e_->file_->Sync();
  }

  static constexpr PageId kCatalogRootPage = 1;

  StorageEngine* e_;
  uint32_t ps_;
  uint64_t page_count_ = 0;
  uint64_t free_count_ = 0;
  PageId head_ = kInvalidPageId;
  PageId boundary_ = 0;
  std::vector<PageId> order_;
  std::unordered_map<PageId, PageId> prev_, next_;  // free-list mirror
  std::set<PageId> below_;                          // free pages below the boundary
  VacuumStats stats_;
};

Result<StorageEngine::VacuumStats> StorageEngine::Vacuum() {
  NQ_RETURN_IF_ERROR(CheckWritable());
  {
    std::lock_guard lock(txn_mu_);
    if (!active_.empty()) {
      return Status::Busy("vacuum needs exclusive access, but transactions are open");
    }
  }
  // The background flusher must not write pages of the tail after truncation.
  pool_->StopBackground();
  auto result = Vacuumer(this).Run();
  {
    // Hinted leaves may have moved, or lie past the new end of the file.
    std::lock_guard lock(catalog_mu_);
    for (auto& [id, tree] : trees_) tree->ForgetAppendHint();
  }
  pool_->StartBackground(options_.flush_interval_ms);
  return result;
}

}  // namespace neuroquantum::storage
