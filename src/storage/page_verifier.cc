// Per-type structural page checks.
#include "storage/page_verifier.h"

#include "fmt/format.h"
#include "storage/btree_node.h"

namespace neuroquantum::storage {

std::string VerifyPageStructure(PageId id, const uint8_t* page, uint32_t page_size) {
  PageType type = GetPageType(page);
  if ((id == kHeaderPageId) != (type == PageType::kHeader)) {
    return fmt::format("unexpected page type {}", PageTypeName(type));
  }
  switch (type) {
    case PageType::kHeader:
    case PageType::kFree:
      return "";
    case PageType::kLeaf:
    case PageType::kInternal:
      return btree::Node(const_cast<uint8_t*>(page), page_size).Validate();
    case PageType::kOverflow: {
      uint32_t used = DecodeFixed32(page + kPageHeaderSize + 8);
      if (used > UsableEnd(page_size) - kPageHeaderSize - 12) {
        return fmt::format("overflow page claims {} bytes", used);
      }
      return "";
    }
    case PageType::kZero:
      break;
  }
  return fmt::format("unknown page type {}", static_cast<int>(type));
}

}  // namespace neuroquantum::storage
