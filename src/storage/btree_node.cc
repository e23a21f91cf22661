// Slotted node operations.
#include <cassert>
#include "storage/btree_node.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "fmt/format.h"

namespace neuroquantum::storage::btree {

std::string MakeLeafCell(std::string_view key, std::string_view value) {
  std::string cell;
  PutVarint64(&cell, key.size());
  PutVarint64(&cell, value.size());
  cell.push_back(0);
  cell.append(key);
  cell.append(value);
  return cell;
}

std::string MakeLeafOverflowCell(std::string_view key, uint64_t value_size, PageId first_page) {
  std::string cell;
  PutVarint64(&cell, key.size());
  PutVarint64(&cell, value_size);
  cell.push_back(static_cast<char>(kCellOverflow));
  cell.append(key);
  PutFixed64(&cell, first_page);
  return cell;
}

std::string MakeInternalCell(std::string_view key, PageId child) {
  std::string cell;
  PutVarint64(&cell, key.size());
  cell.append(key);
  PutFixed64(&cell, child);
  return cell;
}

size_t CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

bool WellFormedLeafCell(std::string_view raw) {
  ByteReader in(raw);
  uint64_t key_len = 0;
  uint64_t value_len = 0;
  uint8_t flags = 0;
  std::string_view bytes;
  return in.GetVarint64(&key_len) && in.GetVarint64(&value_len) && in.GetFixed8(&flags) &&
         (flags & ~kCellOverflow) == 0 && in.GetBytes(key_len, &bytes) &&
         in.GetBytes((flags & kCellOverflow) ? kOverflowRefSize : value_len, &bytes) && in.remaining() == 0;
}

std::string_view RawCellKey(std::string_view raw, bool leaf) {
  ByteReader in(raw);
  uint64_t key_len = 0;
  uint64_t value_len = 0;
  uint8_t flags = 0;
  std::string_view key;
  bool ok = in.GetVarint64(&key_len) &&
            (!leaf || (in.GetVarint64(&value_len) && in.GetFixed8(&flags))) &&
            in.GetBytes(key_len, &key);
  assert(ok && "malformed raw cell");
  (void)ok;
  return key;
}

bool RawLeafCellOverflows(std::string_view raw) {
  ByteReader in(raw);
  uint64_t key_len = 0;
  uint64_t value_len = 0;
  uint8_t flags = 0;
  bool ok = in.GetVarint64(&key_len) && in.GetVarint64(&value_len) && in.GetFixed8(&flags);
  assert(ok && "malformed raw cell");
  (void)ok;
  return (flags & kCellOverflow) != 0;
}

void Node::Init(PageType type, uint8_t level, TreeId tree) {
  Lsn lsn = GetPageLsn(p_);
  std::memset(p_, 0, page_size_);
  SetPageLsn(p_, lsn);
  SetPageType(p_, type);
  EncodeFixed16(p_ + kContentStartOffset, static_cast<uint16_t>(UsableEnd(page_size_)));
  p_[kLevelOffset] = level;
  EncodeFixed64(p_ + kTreeIdOffset, tree);
}

// Returns the size of the cell at `offset`, or 0 with *error set when it does
// not parse within the page.
uint32_t Node::ParseCellSize(uint16_t offset, std::string* error) const {
  uint32_t end = UsableEnd(page_size_);
  if (offset < kSlotsOffset || offset >= end) {
    *error = fmt::format("cell offset {} outside content area", offset);
    return 0;
  }
  ByteReader in({reinterpret_cast<const char*>(p_ + offset), end - offset});
  uint64_t key_len = 0;
  uint64_t value_len = 0;
  uint8_t flags = 0;
  std::string_view bytes;
  bool ok = in.GetVarint64(&key_len);
  if (ok && is_leaf()) {
    ok = in.GetVarint64(&value_len) && in.GetFixed8(&flags) && in.GetBytes(key_len, &bytes) &&
         in.GetBytes((flags & kCellOverflow) ? kOverflowRefSize : value_len, &bytes);
  } else if (ok) {
    ok = in.GetBytes(key_len, &bytes) && in.GetBytes(8, &bytes);
  }
  if (!ok) {
    *error = fmt::format("cell at offset {} runs past the page", offset);
    return 0;
  }
  return static_cast<uint32_t>(end - offset - in.remaining());
}

namespace {

// Decodes a varint known to lie within a validated cell.
inline const uint8_t* SkipVarint(const uint8_t* p, uint64_t* value) {
  if (*p < 0x80) {
    *value = *p;
    return p + 1;
  }
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t byte = *p++;
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  *value = v;
  return p;
}

}  // namespace

// Cells are parsed without bounds checks: Validate() ran when the page was
// read from disk and node operations keep cells well-formed (the assert
// catches a bug that breaks one).
Cell Node::cell(uint16_t i) const {
  const uint8_t* const start = p_ + slot(i);
  const uint8_t* p = start;
  Cell c;
  uint64_t key_len = 0;
  p = SkipVarint(p, &key_len);
  if (is_leaf()) {
    p = SkipVarint(p, &c.value_size);
    const uint8_t flags = *p++;
    c.key = {reinterpret_cast<const char*>(p), key_len};
    p += key_len;
    c.overflow = (flags & kCellOverflow) != 0;
    if (c.overflow) {
      c.overflow_page = DecodeFixed64(p);
      p += kOverflowRefSize;
    } else {
      c.inline_value = {reinterpret_cast<const char*>(p), c.value_size};
      p += c.value_size;
    }
  } else {
    c.key = {reinterpret_cast<const char*>(p), key_len};
    p += key_len;
    c.child = DecodeFixed64(p);
    p += 8;
  }
  assert(p <= p_ + UsableEnd(page_size_) && "malformed cell in a validated node");
  c.size = static_cast<uint32_t>(p - start);
  return c;
}

std::string_view Node::key(uint16_t i) const {
  const uint8_t* p = p_ + slot(i);
  uint64_t key_len = 0;
  p = SkipVarint(p, &key_len);
  if (is_leaf()) {
    uint64_t value_len = 0;
    p = SkipVarint(p, &value_len) + 1;  // flags byte
  }
  return {reinterpret_cast<const char*>(p), key_len};
}

std::string_view Node::raw_cell(uint16_t i) const {
  Cell c = cell(i);
  return {reinterpret_cast<const char*>(p_ + slot(i)), c.size};
}

uint16_t Node::LowerBound(std::string_view key, bool* found) const {
  *found = false;
  const uint16_t n = count();
  if (n == 0) return 0;
  // Against the node's prefix first: a probe outside it sorts before or
  // after every key, and one inside it can be ordered by heads.
  const size_t plen = prefix_len();
  const std::string_view first = this->key(0);
  int c = std::memcmp(key.data(), first.data(), std::min(plen, key.size()));
  if (c < 0 || (c == 0 && key.size() < plen)) return 0;
  if (c > 0) return n;
  const uint16_t probe_head = KeyHead(key, plen);
  const std::string_view rest = key.substr(plen);
  uint16_t lo = 0;
  uint16_t hi = n;
  while (lo < hi) {
    uint16_t mid = static_cast<uint16_t>((lo + hi) / 2);
    uint16_t h = head(mid);
    bool less = h != probe_head ? h < probe_head : this->key(mid).substr(plen) < rest;
    if (less) lo = static_cast<uint16_t>(mid + 1); else hi = mid;
  }
  *found = lo < n && head(lo) == probe_head && this->key(lo).substr(plen) == rest;
  return lo;
}

PageId Node::ChildFor(std::string_view key, int* position) const {
  bool found = false;
  uint16_t i = LowerBound(key, &found);
  // Cell i has the first key >= `key`. An equal key's child covers it;
  // otherwise the child of the previous cell (or the leftmost) does.
  *position = found ? i : static_cast<int>(i) - 1;
  return ChildAt(*position);
}

uint32_t Node::FreeSpace() const {
  uint32_t slots_end = kSlotsOffset + kSlotSize * count();
  uint32_t gap = content_start() - slots_end;
  return gap + DecodeFixed16(p_ + kFragmentedOffset);
}

bool Node::InsertCell(uint16_t i, std::string_view raw) {
  uint32_t need = static_cast<uint32_t>(raw.size()) + kSlotSize;
  if (FreeSpace() < need) return false;
  uint32_t slots_end = kSlotsOffset + kSlotSize * count();
  if (content_start() - slots_end < need) Compact();
  // Keep the prefix invariant: a key outside the prefix shortens it.
  std::string_view new_key = RawCellKey(raw, is_leaf());
  uint16_t n = count();
  if (n == 0) {
    p_[kPrefixLenOffset] = static_cast<uint8_t>(std::min(new_key.size(), kMaxPrefixLen));
  } else {
    std::string_view prefix = key(0).substr(0, prefix_len());
    size_t common = CommonPrefix(prefix, new_key);
    if (common < prefix.size()) SetPrefixLen(common);
  }
  uint16_t offset = static_cast<uint16_t>(content_start() - raw.size());
  std::memcpy(p_ + offset, raw.data(), raw.size());
  EncodeFixed16(p_ + kContentStartOffset, offset);
  std::memmove(slot_ptr(static_cast<uint16_t>(i + 1)), slot_ptr(i), kSlotSize * (n - i));
  set_slot(i, offset, KeyHead(new_key, prefix_len()));
  EncodeFixed16(p_ + kCountOffset, static_cast<uint16_t>(n + 1));
  return true;
}

void Node::RemoveCell(uint16_t i) {
  uint16_t n = count();
  uint16_t offset = slot(i);
  uint32_t size = cell(i).size;
  if (offset == content_start()) {
    EncodeFixed16(p_ + kContentStartOffset, static_cast<uint16_t>(offset + size));
  } else {
    EncodeFixed16(p_ + kFragmentedOffset,
                  static_cast<uint16_t>(DecodeFixed16(p_ + kFragmentedOffset) + size));
  }
  std::memset(p_ + offset, 0, size);  // no stale bytes left behind
  std::memmove(slot_ptr(i), slot_ptr(static_cast<uint16_t>(i + 1)), kSlotSize * (n - i - 1));
  EncodeFixed16(p_ + kCountOffset, static_cast<uint16_t>(n - 1));
  set_slot(static_cast<uint16_t>(n - 1), 0, 0);
  if (n == 1) p_[kPrefixLenOffset] = 0;
}

void Node::SetCellTrailer(uint16_t i, uint64_t value) {
  Cell c = cell(i);
  assert(c.size >= 8 && "cell too small for a trailer");
  EncodeFixed64(p_ + slot(i) + c.size - 8, value);
}

void Node::Truncate(uint16_t from) {
  while (count() > from) RemoveCell(static_cast<uint16_t>(count() - 1));
  // Sorted keys: what the first and last share, all share.
  if (count() > 1) {
    size_t common = CommonPrefix(key(0), key(static_cast<uint16_t>(count() - 1)));
    SetPrefixLen(std::min(common, kMaxPrefixLen));
  }
}

void Node::SetPrefixLen(size_t len) {
  assert(len <= kMaxPrefixLen);
  if (len == prefix_len()) return;
  p_[kPrefixLenOffset] = static_cast<uint8_t>(len);
  for (uint16_t i = 0; i < count(); ++i) set_slot(i, slot(i), KeyHead(key(i), len));
}

void Node::Compact() {
  uint16_t n = count();
  std::vector<std::string> cells;
  cells.reserve(n);
  for (uint16_t i = 0; i < n; ++i) cells.emplace_back(raw_cell(i));
  uint32_t end = UsableEnd(page_size_);
  std::memset(p_ + kSlotsOffset + kSlotSize * n, 0, end - kSlotsOffset - kSlotSize * n);
  uint32_t offset = end;
  for (uint16_t i = 0; i < n; ++i) {
    offset -= static_cast<uint32_t>(cells[i].size());
    std::memcpy(p_ + offset, cells[i].data(), cells[i].size());
    set_slot(i, static_cast<uint16_t>(offset), head(i));
  }
  EncodeFixed16(p_ + kContentStartOffset, static_cast<uint16_t>(offset));
  EncodeFixed16(p_ + kFragmentedOffset, 0);
}

std::string Node::Validate(bool check_order) const {
  PageType type = GetPageType(p_);
  if (type != PageType::kLeaf && type != PageType::kInternal) {
    return fmt::format("not a tree node (type {})", PageTypeName(type));
  }
  if ((type == PageType::kLeaf) != (level() == 0)) return "level does not match node type";
  uint32_t end = UsableEnd(page_size_);
  uint32_t slots_end = kSlotsOffset + kSlotSize * count();
  if (slots_end > content_start() || content_start() > end) {
    return fmt::format("slot array ({} cells) overlaps content start {}", count(), content_start());
  }
  uint32_t used = 0;
  std::string error;
  for (uint16_t i = 0; i < count(); ++i) {
    if (slot(i) < content_start()) return fmt::format("cell {} offset below content start", i);
    uint32_t size = ParseCellSize(slot(i), &error);
    if (size == 0) return fmt::format("cell {}: {}", i, error);
    // Searches skip the prefix of every key they compare.
    if (key(i).size() < prefix_len()) {
      return fmt::format("cell {}: key shorter than the node's {}-byte prefix", i, prefix_len());
    }
    used += size;
  }
  if (used + DecodeFixed16(p_ + kFragmentedOffset) != end - content_start()) {
    return "cell bytes and fragmented bytes do not add up to the content area";
  }
  if (count() == 0 && prefix_len() != 0) return "empty node with a key prefix";
  for (uint16_t i = 1; check_order && i < count(); ++i) {
    if (!(key(static_cast<uint16_t>(i - 1)) < key(i))) {
      return fmt::format("keys not ascending at cell {}", i);
    }
  }
  for (uint16_t i = 0; check_order && i < count(); ++i) {
    std::string_view k = key(i);
    if (k.size() < prefix_len() || CommonPrefix(k, key(0)) < prefix_len()) {
      return fmt::format("key of cell {} does not start with the node's {}-byte prefix", i,
                         prefix_len());
    }
    if (head(i) != KeyHead(k, prefix_len())) return fmt::format("slot {} has a stale key head", i);
  }
  return "";
}

}  // namespace neuroquantum::storage::btree
