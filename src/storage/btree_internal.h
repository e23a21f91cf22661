// Internal helpers shared by the B+ tree implementation files (btree.cc,
// btree_bulk.cc, btree_overflow.cc, btree_iterator.cc): overflow page layout
// and raw-cell accessors. Not part of the storage module's interface.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "storage/btree_node.h"

namespace neuroquantum::storage::btree_internal {

using btree::Node;

// Overflow page body: u64 next page (0 = last), u32 bytes used, data.
inline constexpr size_t kOverflowNextOffset = kPageHeaderSize;
inline constexpr size_t kOverflowUsedOffset = kPageHeaderSize + 8;
inline constexpr size_t kOverflowDataOffset = kPageHeaderSize + 12;
// Pages freed per mini-transaction when releasing a chain.
inline constexpr size_t kFreeBatch = 64;

inline uint32_t OverflowCapacity(uint32_t page_size) { return UsableEnd(page_size) - kOverflowDataOffset; }

// The key of a raw cell (leaf or internal layout).
inline std::string_view RawCellKey(std::string_view raw, bool leaf) {
  ByteReader in(raw);
  uint64_t key_len = 0, value_len = 0;
  uint8_t flags = 0;
  std::string_view key;
  in.GetVarint64(&key_len);
  if (leaf) {
    in.GetVarint64(&value_len);
    in.GetFixed8(&flags);
  }
  in.GetBytes(key_len, &key);
  return key;
}

inline PageId RawCellChild(std::string_view raw) {
  return DecodeFixed64(reinterpret_cast<const uint8_t*>(raw.data() + raw.size() - 8));
}

inline std::vector<std::string> CollectCells(const Node& node) {
  std::vector<std::string> cells;
  cells.reserve(node.count() + 1);
  for (uint16_t i = 0; i < node.count(); ++i) cells.emplace_back(node.raw_cell(i));
  return cells;
}

// Re-initialises a node with `cells` [from, to), keeping its links.
inline void RebuildNode(Node* node, const std::vector<std::string>& cells, size_t from, size_t to) {
  PageId left = node->left(), right = node->right(), leftmost = node->leftmost_child();
  PageType type = node->is_leaf() ? PageType::kLeaf : PageType::kInternal;
  node->Init(type, node->level(), node->tree_id());
  node->set_left(left);
  node->set_right(right);
  node->set_leftmost_child(leftmost);
  for (size_t i = from; i < to; ++i) {
    bool ok = node->InsertCell(node->count(), cells[i]);
    assert(ok && "split half does not fit in a node");
    (void)ok;
  }
}

// Index at which to cut `cells` by bytes: the left part keeps [0, split).
// (An append to the last leaf does not come here: BTree::InsertIntoPath
// starts the next leaf with the new cell alone.)
inline size_t ChooseSplit(const std::vector<std::string>& cells, bool leaf) {
  size_t n = cells.size();
  size_t total = 0;
  for (const auto& c : cells) total += c.size() + 2;
  size_t acc = 0;
  size_t split = 0;
  while (split < n && acc + cells[split].size() + 2 <= total / 2) acc += cells[split++].size() + 2;
  size_t lo = 1, hi = leaf ? n - 1 : n - 2;
  return std::clamp(split, lo, hi);
}


}  // namespace neuroquantum::storage::btree_internal
