// PageTransform: a seam on the page I/O path for later encryption (AES-GCM,
// nonce and tag in the reserved tail) and compression (output smaller than a
// page). The identity transform is the default.
//
// Thread safety: implementations must be safe for concurrent calls.
#pragma once

#include <cstdint>
#include <span>

#include "neuroquantum/status.h"
#include "storage/page.h"

namespace neuroquantum::storage {

class PageTransform {
 public:
  virtual ~PageTransform() = default;
  // Transforms a sealed plaintext page into `out` (same size as `in`) for
  // writing. Returns the number of meaningful bytes (<= in.size()); the rest
  // of `out` is written as zeros.
  virtual size_t Encode(PageId page_id, std::span<const uint8_t> in, std::span<uint8_t> out) = 0;
  // Inverse of Encode; returns Corruption if the stored bytes fail
  // authentication or cannot be decoded.
  virtual Status Decode(PageId page_id, std::span<const uint8_t> in, std::span<uint8_t> out) = 0;
};

// Returns the process-wide identity transform. Not owned by the caller.
PageTransform* IdentityTransform();

}  // namespace neuroquantum::storage
