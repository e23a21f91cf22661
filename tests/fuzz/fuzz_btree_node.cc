// Fuzz target: a B+ tree node page of arbitrary bytes must either fail
// structural validation or be safe to search, read and modify.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "storage/btree_node.h"
#include "storage/page_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace neuroquantum::storage;
  constexpr uint32_t kPageSize = 4096;
  std::vector<uint8_t> page(kPageSize, 0);
  // The input overlays a plausible node header so that validation gets past
  // the type check often enough to matter.
  btree::Node(page.data(), kPageSize).Init(size % 2 ? PageType::kLeaf : PageType::kInternal,
                                           size % 2 ? 0 : 1, 1);
  std::memcpy(page.data() + 16, data, std::min<size_t>(size, kPageSize - 16));
  if (!VerifyPageStructure(5, page.data(), kPageSize).empty()) return 0;
  btree::Node node(page.data(), kPageSize);
  bool found = false;
  // Binary search finds every key only in an ordered node; an unordered one
  // (which load-time validation accepts) must still be memory-safe.
  bool ordered = node.Validate(true).empty();
  for (uint16_t i = 0; i < node.count(); ++i) {
    btree::Cell c = node.cell(i);
    node.LowerBound(c.key, &found);
    if (ordered && !found) __builtin_trap();  // every stored key must be findable
  }
  if (!node.is_leaf() && node.count() > 0) {
    int pos = 0;
    node.ChildFor(node.key(0), &pos);
  }
  node.InsertCell(0, node.is_leaf() ? btree::MakeLeafCell("", "x") : btree::MakeInternalCell("", 9));
  if (node.count() > 0) node.RemoveCell(0);
  node.Compact();
  return 0;
}
