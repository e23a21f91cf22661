// B+ tree iteration in both directions.
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

// --- iteration -------------------------------------------------------------

std::unique_ptr<BTree::Iterator> BTree::NewIterator() { return std::make_unique<Iterator>(this); }

BTree::Iterator::Iterator(BTree* tree)
    : tree_(tree), page_size_(tree->ctx_->page_size), page_(new uint8_t[page_size_]) {}

void BTree::Iterator::Take(const PageGuard& leaf, uint16_t begin, uint16_t end, uint16_t index) {
  std::memcpy(page_.get(), leaf.data(), page_size_);
  leaf_id_ = leaf.page_id();
  leaf_lsn_ = GetPageLsn(leaf.data());
  begin_ = begin;
  end_ = end;
  index_ = index;
  Parse();
}

void BTree::Iterator::LoadForward(std::string_view key, bool inclusive) {
  Clear();
  reached_upper_ = false;
  std::string target(key);  // `key` may point into page_
  auto leaf = tree_->DescendShared(target, nullptr);
  if (!leaf.ok()) {
    status_ = leaf.status();
    return;
  }
  WalkRight(std::move(leaf).value(), target, inclusive);
}

void BTree::Iterator::WalkRight(PageGuard guard, std::string_view target, bool inclusive) {
  while (true) {
    Node node(const_cast<uint8_t*>(guard.data()), page_size_);
    bool found = false;
    uint16_t first = target.empty() ? 0 : node.LowerBound(target, &found);
    if (found && !inclusive) ++first;
    uint16_t end = node.count();
    if (upper_) {
      end = node.LowerBound(*upper_, &found);
      reached_upper_ = end < node.count();
    }
    if (first < end) return Take(guard, first, end, first);
    if (reached_upper_ || node.right() == kInvalidPageId) return;
    // Latch coupling to the right sibling (left-to-right order is safe).
    auto next = tree_->ctx_->pool->Fetch(node.right(), LatchMode::kShared, {tree_->id_});
    if (!next.ok()) {
      status_ = next.status();
      return;
    }
    guard = std::move(next).value();
  }
}

// Every change to a page is logged and stamps the page with its record's
// LSN (Mtr::Commit), also freeing and reusing it; a leaf with the LSN it had
// when copied therefore still has the copy's keys and right link, and
// every key to its right is greater than those already returned.
bool BTree::Iterator::HopRight() {
  auto fetched = tree_->ctx_->pool->Fetch(leaf_id_, LatchMode::kShared, {tree_->id_});
  if (!fetched.ok()) return false;  // descend, and report there
  PageGuard left = std::move(fetched).value();
  if (GetPageLsn(left.data()) != leaf_lsn_) return false;
  const Node copy(page_.get(), page_size_);
  // A copy taken for a backward seek may stop short of the leaf's end: the
  // cells after it come before the right sibling's.
  if (end_ != copy.count()) return false;
  const PageId right = copy.right();
  Clear();
  reached_upper_ = false;
  if (right == kInvalidPageId) return true;  // the last leaf: the end
  auto next = tree_->ctx_->pool->Fetch(right, LatchMode::kShared, {tree_->id_});
  left.Release();
  if (!next.ok()) {
    status_ = next.status();
    return true;
  }
  WalkRight(std::move(next).value(), "", true);
  return true;
}

void BTree::Iterator::LoadBackward(std::string_view key, bool inclusive, bool to_end) {
  std::string bound(key);  // `key` may point into page_
  Clear();
  reached_upper_ = false;
  while (true) {
    auto root = tree_->ctx_->pool->Fetch(tree_->root_, LatchMode::kShared, {tree_->id_});
    if (!root.ok()) {
      status_ = root.status();
      return;
    }
    PageGuard guard = std::move(root).value();
    std::optional<std::string> fence;  // lower bound of the current subtree
    while (true) {
      Node node(const_cast<uint8_t*>(guard.data()), page_size_);
      if (node.is_leaf()) break;
      int pos = node.count() - 1;
      if (!to_end) {
        bool found = false;
        pos = node.LowerBound(bound, &found) - 1;
        if (inclusive && found) pos++;
      }
      if (pos >= 0) fence = std::string(node.key(static_cast<uint16_t>(pos)));
      auto next = tree_->ctx_->pool->Fetch(node.ChildAt(pos), LatchMode::kShared, {tree_->id_});
      if (!next.ok()) {
        status_ = next.status();
        return;
      }
      guard = std::move(next).value();
    }
    Node node(const_cast<uint8_t*>(guard.data()), page_size_);
    uint16_t end = node.count();
    if (!to_end) {
      bool found = false;
      end = node.LowerBound(bound, &found);
      if (inclusive && found) ++end;
    }
    if (end > 0) return Take(guard, 0, end, static_cast<uint16_t>(end - 1));
    if (!fence) return;  // nothing further left
    // This leaf holds nothing below the bound; everything smaller lies
    // before its fence key.
    bound = *fence;
    inclusive = false;
    to_end = false;
  }
}

void BTree::Iterator::Seek(std::string_view key) { LoadForward(key, true); }
void BTree::Iterator::SeekForPrev(std::string_view key) { LoadBackward(key, true, false); }
void BTree::Iterator::SeekToLast() { LoadBackward("", false, true); }

void BTree::Iterator::Next() {
  assert(Valid());
  if (++index_ < end_) return Parse();
  if (reached_upper_) return;
  if (!HopRight()) LoadForward(cell_.key, false);
}

void BTree::Iterator::Prev() {
  assert(Valid());
  if (index_ > begin_) {
    --index_;
    return Parse();
  }
  LoadBackward(cell_.key, false, false);
}

Result<std::string> BTree::Iterator::value() const {
  if (!cell_.overflow) return std::string(cell_.inline_value);
  // Re-read through the tree so the chain is read under the leaf latch.
  NQ_ASSIGN_OR_RETURN(auto current, tree_->Get(key()));
  if (!current) return Status::NotFound("key was deleted during iteration");
  return std::move(*current);
}

}  // namespace neuroquantum::storage
