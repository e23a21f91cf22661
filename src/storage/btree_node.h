// Slotted-page layout of B+ tree nodes, and operations on one node's bytes.
// Keys are byte strings compared with memcmp (see key_encoding.h).
//
// Node body (after the common 16-byte page header), little-endian:
//   offset size field
//   16     2    cell count n
//   18     2    content start: cells occupy [content_start, UsableEnd)
//   20     2    fragmented bytes inside the content area (reclaimed by Compact)
//   22     1    level: 0 = leaf, k = k levels above the leaves
//   23     1    key prefix length p: every key of the node starts with the
//                same p bytes (those of cell 0's key); 0 when empty
//   24     8    tree id (owner; checked by the integrity checker)
//   32     8    leaf: right sibling page id (0 = none); internal: 0
//   40     8    leaf: left sibling page id (0 = none); internal: 0
//   48     8    internal: leftmost child (keys < key[0]); leaf: 0
//   56     4n   slot array, in ascending key order: per cell u16 offset,
//                then u16 head = the two key bytes after the prefix, as a
//                big-endian number (missing bytes count as 0)
//
// Leaf cell:     varint key_len, varint value_len, u8 flags, key,
//                flags & kOverflow ? (u64 first overflow page) : value bytes
// Internal cell: varint key_len, key, u64 child (keys >= this key and
//                < the next key)
//
// Heads let a search compare most probes inside the slot array, without
// touching the cells: unequal heads order their keys; only equal heads need
// the full key.
//
// Invariants (checked by CheckTree):
//  1. keys strictly ascending within a node; every key starts with the
//     node's prefix, and each slot's head matches its key;
//  2. every key in child i of an internal node lies in [key_i, key_{i+1});
//  3. all leaves are at level 0 and linked left-to-right in key order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/page.h"

namespace neuroquantum::storage::btree {

inline constexpr size_t kCountOffset = 16;
inline constexpr size_t kContentStartOffset = 18;
inline constexpr size_t kFragmentedOffset = 20;
inline constexpr size_t kLevelOffset = 22;
inline constexpr size_t kPrefixLenOffset = 23;
inline constexpr size_t kTreeIdOffset = 24;
inline constexpr size_t kRightOffset = 32;
inline constexpr size_t kLeftOffset = 40;
inline constexpr size_t kLeftmostChildOffset = 48;
inline constexpr size_t kSlotsOffset = 56;
inline constexpr size_t kSlotSize = 4;
inline constexpr size_t kMaxPrefixLen = 255;

inline constexpr uint8_t kCellOverflow = 1;
inline constexpr size_t kOverflowRefSize = 8;

// Largest cell allowed, so that every node holds at least four cells.
inline uint32_t MaxCellSize(uint32_t page_size) {
  return (UsableEnd(page_size) - kSlotsOffset) / 4 - kSlotSize;
}
// Largest key, leaving room in a cell for headers and an overflow reference.
inline uint32_t MaxKeySize(uint32_t page_size) { return MaxCellSize(page_size) - 32; }

// A parsed cell; views point into the page and die with its latch.
struct Cell {
  std::string_view key;
  std::string_view inline_value;  // leaf, !overflow
  uint64_t value_size = 0;        // leaf: total value length
  bool overflow = false;          // leaf: value lives in an overflow chain
  PageId overflow_page = 0;       // leaf, overflow
  PageId child = 0;               // internal
  uint32_t size = 0;              // bytes the cell occupies
};

class Node {
 public:
  Node(uint8_t* page, uint32_t page_size) : p_(page), page_size_(page_size) {}

  void Init(PageType type, uint8_t level, TreeId tree);

  uint16_t count() const { return DecodeFixed16(p_ + kCountOffset); }
  uint8_t level() const { return p_[kLevelOffset]; }
  uint8_t prefix_len() const { return p_[kPrefixLenOffset]; }
  bool is_leaf() const { return GetPageType(p_) == PageType::kLeaf; }
  TreeId tree_id() const { return DecodeFixed64(p_ + kTreeIdOffset); }
  PageId right() const { return DecodeFixed64(p_ + kRightOffset); }
  PageId left() const { return DecodeFixed64(p_ + kLeftOffset); }
  PageId leftmost_child() const { return DecodeFixed64(p_ + kLeftmostChildOffset); }
  void set_right(PageId id) { EncodeFixed64(p_ + kRightOffset, id); }
  void set_left(PageId id) { EncodeFixed64(p_ + kLeftOffset, id); }
  void set_leftmost_child(PageId id) { EncodeFixed64(p_ + kLeftmostChildOffset, id); }

  // Parses cell i. REQUIRES: i < count() and the node passed Validate().
  Cell cell(uint16_t i) const;
  // Key of cell i, decoding only the cell header (the hot path of search).
  // REQUIRES: i < count() and the node passed Validate().
  std::string_view key(uint16_t i) const;
  // Raw bytes of cell i (for moving cells between nodes).
  std::string_view raw_cell(uint16_t i) const;

  // First index whose key is >= `key`; *found if equal.
  uint16_t LowerBound(std::string_view key, bool* found) const;
  // Internal node: the child that covers `key`, and its position
  // (-1 = leftmost child, else index of the cell).
  PageId ChildFor(std::string_view key, int* position) const;
  PageId ChildAt(int position) const {
    return position < 0 ? leftmost_child() : cell(static_cast<uint16_t>(position)).child;
  }

  // Free bytes available for one more cell plus its slot, after compaction.
  uint32_t FreeSpace() const;
  // Bytes used by cells and slots.
  uint32_t UsedSpace() const { return UsableEnd(page_size_) - kSlotsOffset - FreeSpace(); }
  uint32_t Capacity() const { return UsableEnd(page_size_) - kSlotsOffset; }

  // Inserts a raw cell at slot position i. Returns false (node unchanged) if
  // it does not fit even after compaction.
  bool InsertCell(uint16_t i, std::string_view raw);
  void RemoveCell(uint16_t i);
  // Overwrites the last 8 bytes of cell i: the child id of an internal cell,
  // the first overflow page of an overflow leaf cell, or the tail of an
  // inline value. Used to repoint references when a page moves (VACUUM).
  void SetCellTrailer(uint16_t i, uint64_t value);
  // Removes all cells from index `from` on.
  // Also lengthens the key prefix to what the remaining keys share.
  void Truncate(uint16_t from);
  // Rewrites the content area without gaps.
  void Compact();

  // Structural sanity of the slot array and cells, so that a corrupted page
  // can never make cell() read outside the page; with `check_order` also
  // that keys ascend (the integrity checker asks for it; loads skip it).
  // Returns an error text or "".
  std::string Validate(bool check_order = false) const;

  const uint8_t* data() const { return p_; }

 private:
  uint8_t* slot_ptr(uint16_t i) const { return p_ + kSlotsOffset + kSlotSize * i; }
  uint16_t slot(uint16_t i) const { return DecodeFixed16(slot_ptr(i)); }
  uint16_t head(uint16_t i) const { return DecodeFixed16(slot_ptr(i) + 2); }
  void set_slot(uint16_t i, uint16_t off, uint16_t head) {
    EncodeFixed16(slot_ptr(i), off);
    EncodeFixed16(slot_ptr(i) + 2, head);
  }
  // Sets the prefix length and recomputes every head.
  void SetPrefixLen(size_t len);
  uint16_t content_start() const { return DecodeFixed16(p_ + kContentStartOffset); }
  uint32_t ParseCellSize(uint16_t offset, std::string* error) const;

  uint8_t* p_;
  uint32_t page_size_;
};

// The head of `key` below a prefix of `prefix_len` bytes (see above).
inline uint16_t KeyHead(std::string_view key, size_t prefix_len) {
  uint16_t hi = prefix_len < key.size() ? static_cast<uint8_t>(key[prefix_len]) : 0;
  uint16_t lo = prefix_len + 1 < key.size() ? static_cast<uint8_t>(key[prefix_len + 1]) : 0;
  return static_cast<uint16_t>(hi << 8 | lo);
}
// Length of the common prefix of two byte strings.
size_t CommonPrefix(std::string_view a, std::string_view b);
// Whether untrusted bytes are exactly one leaf cell as MakeLeafCell or
// MakeLeafOverflowCell build it.
bool WellFormedLeafCell(std::string_view raw);
// The key of a raw cell as built by the Make*Cell functions.
std::string_view RawCellKey(std::string_view raw, bool leaf);
// Whether a raw leaf cell (as MakeLeafOverflowCell builds it) refers to an
// overflow chain.
bool RawLeafCellOverflows(std::string_view raw);

std::string MakeLeafCell(std::string_view key, std::string_view value);
std::string MakeLeafOverflowCell(std::string_view key, uint64_t value_size, PageId first_page);
std::string MakeInternalCell(std::string_view key, PageId child);

}  // namespace neuroquantum::storage::btree
