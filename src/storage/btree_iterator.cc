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

void BTree::Iterator::AddEntry(const Cell& c) {
  Entry e;
  e.key_offset = static_cast<uint32_t>(arena_.size());
  e.key_size = static_cast<uint32_t>(c.key.size());
  arena_.append(c.key);
  e.value_offset = static_cast<uint32_t>(arena_.size());
  e.value_size = static_cast<uint32_t>(c.inline_value.size());
  arena_.append(c.inline_value);
  e.overflow = c.overflow;
  e.overflow_page = c.overflow_page;
  e.size = c.value_size;
  entries_.push_back(e);
}

void BTree::Iterator::LoadForward(std::string_view key, bool inclusive) {
  entries_.clear();
  arena_.clear();
  index_ = 0;
  reached_upper_ = false;
  std::string target(key);
  auto leaf = tree_->DescendShared(target, nullptr);
  if (!leaf.ok()) {
    status_ = leaf.status();
    return;
  }
  PageGuard guard = std::move(leaf).value();
  while (true) {
    Node node(const_cast<uint8_t*>(guard.data()), tree_->ctx_->page_size);
    // Binary search for the first cell at or after the target.
    bool found = false;
    uint16_t first = target.empty() ? 0 : node.LowerBound(target, &found);
    if (found && !inclusive) ++first;
    for (uint16_t i = first; i < node.count(); ++i) {
      Cell c = node.cell(i);
      if (upper_ && c.key >= *upper_) {
        reached_upper_ = true;
        return;
      }
      AddEntry(c);
    }
    if (!entries_.empty() || node.right() == kInvalidPageId) return;
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
  std::string bound(key);
  entries_.clear();
  arena_.clear();
  index_ = 0;
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
      Node node(const_cast<uint8_t*>(guard.data()), tree_->ctx_->page_size);
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
    Node node(const_cast<uint8_t*>(guard.data()), tree_->ctx_->page_size);
    for (uint16_t i = 0; i < node.count(); ++i) {
      Cell c = node.cell(i);
      if (!to_end && (c.key > bound || (!inclusive && c.key == bound))) break;
      AddEntry(c);
    }
    if (!entries_.empty()) {
      index_ = entries_.size() - 1;
      return;
    }
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
  if (++index_ < entries_.size() || reached_upper_) return;
  const Entry& back = entries_.back();
  std::string last = arena_.substr(back.key_offset, back.key_size);
  LoadForward(last, false);
}

void BTree::Iterator::Prev() {
  assert(Valid());
  if (index_ > 0) {
    --index_;
    return;
  }
  const Entry& front = entries_.front();
  std::string first = arena_.substr(front.key_offset, front.key_size);
  LoadBackward(first, false, false);
}

Result<std::string> BTree::Iterator::value() const {
  const Entry& e = entries_[index_];
  if (!e.overflow) return arena_.substr(e.value_offset, e.value_size);
  // Re-read through the tree so the chain is read under the leaf latch.
  NQ_ASSIGN_OR_RETURN(auto current, tree_->Get(key()));
  if (!current) return Status::NotFound("key was deleted during iteration");
  return std::move(*current);
}

}  // namespace neuroquantum::storage
