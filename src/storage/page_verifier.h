// Structural checks applied to every page read from disk (after its checksum
// passed), so that code parsing a page can trust its bounds.
#pragma once

#include <cstdint>
#include <string>

#include "storage/page.h"

namespace neuroquantum::storage {

// Returns "" if page `id` is structurally sound, else what is wrong.
std::string VerifyPageStructure(PageId id, const uint8_t* page, uint32_t page_size);

}  // namespace neuroquantum::storage
