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

void BTree::Iterator::Take(const uint8_t* page, uint16_t begin, uint16_t end, uint16_t index) {
  std::memcpy(page_.get(), page, page_size_);
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
  PageGuard guard = std::move(leaf).value();
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
    if (first < end) return Take(guard.data(), first, end, first);
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
    if (end > 0) return Take(guard.data(), 0, end, static_cast<uint16_t>(end - 1));
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
  LoadForward(cell_.key, false);
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
