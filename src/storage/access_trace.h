// Seams for access-pattern learning: an AccessTracer records every page
// access (for offline evaluation of eviction and prefetch policies), and a
// PrefetchAdvisor may ask the pool to load pages ahead of use.
//
// Thread safety: implementations are called concurrently from any thread that
// fetches pages and must synchronise themselves.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/page.h"

namespace neuroquantum::storage {

enum class AccessKind : uint8_t { kRead = 0, kWrite = 1, kPrefetch = 2 };

// What a page access served. Filled by the caller of the buffer pool.
struct AccessContext {
  TreeId object = 0;      // table or index tree
  uint64_t query_id = 0;  // 0 when not known
};

struct AccessEvent {
  PageId page_id;
  TreeId object;
  AccessKind kind;
  uint64_t query_id;
  bool hit;
};

class AccessTracer {
 public:
  virtual ~AccessTracer() = default;
  virtual void Record(const AccessEvent& event) = 0;
};

// Asked after each access which pages to prefetch; the pool loads them on a
// background thread.
class PrefetchAdvisor {
 public:
  virtual ~PrefetchAdvisor() = default;
  virtual void Advise(const AccessEvent& event, std::vector<PageId>* to_prefetch) = 0;
};

}  // namespace neuroquantum::storage
