// Integrity checker: verifies every page and every tree of an open database.
//  - each page's checksum and structure (through the buffer pool);
//  - every tree: key order, keys within their parent's separator bounds,
//    uniform leaf depth, tree ids, leaf sibling links in both directions,
//    overflow chains of the stated length;
//  - the free list: types and length match the header;
//  - accounting: every page in [1, page_count) is used exactly once (no leaks,
//    no page shared by two owners).
// Thread safety: run while no writers are active (e.g. `nqdb check`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "neuroquantum/status.h"
#include "storage/engine.h"

namespace neuroquantum::storage {

struct CheckReport {
  std::vector<std::string> problems;  // each names the page and what is wrong
  uint64_t page_count = 0;
  uint64_t tree_pages = 0;
  uint64_t overflow_pages = 0;
  uint64_t free_pages = 0;
  uint64_t entries = 0;
  bool ok() const { return problems.empty(); }
};

// Fills `report`. Returns non-OK only if the check itself could not run;
// problems found in the data are reported in `report`, not as a Status.
Status CheckDatabase(StorageEngine* engine, CheckReport* report);

}  // namespace neuroquantum::storage
