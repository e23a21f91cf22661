// Page checksums and type names.
#include "storage/page.h"

#include <algorithm>

#include "common/checksum.h"

namespace neuroquantum::storage {

const char* PageTypeName(PageType type) {
  switch (type) {
    case PageType::kZero: return "zero";
    case PageType::kHeader: return "header";
    case PageType::kLeaf: return "leaf";
    case PageType::kInternal: return "internal";
    case PageType::kOverflow: return "overflow";
    case PageType::kFree: return "free";
  }
  return "unknown";
}

void SealPage(uint8_t* page, uint32_t page_size, PageId page_id) {
  EncodeFixed32(page + kChecksumOffset, Checksum32(page + 4, page_size - 4, page_id));
}

bool VerifyPage(const uint8_t* page, uint32_t page_size, PageId page_id) {
  return DecodeFixed32(page + kChecksumOffset) == Checksum32(page + 4, page_size - 4, page_id);
}

bool IsZeroPage(const uint8_t* page, uint32_t page_size) {
  return std::all_of(page, page + page_size, [](uint8_t b) { return b == 0; });
}

}  // namespace neuroquantum::storage
