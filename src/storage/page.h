// Page layout shared by every page type, and the distinct id types of the
// storage layer.
//
// Every page, whatever its type, starts with this 16-byte header
// (little-endian):
//
//   offset size  field
//   0      4     checksum  Checksum32(page[4, page_size), seed = page id)
//   4      1     type      PageType (persisted: do not change values)
//   5      1     flags     reserved, 0
//   6      2     reserved  0
//   8      8     lsn       end LSN of the last WAL record applied to the page
//   16     ...   body      type-specific
//   page_size-32 32       reserved for a page transform (encryption nonce +
//                          tag, compression header); zero when no transform.
//
// The checksum is computed when a page is written and verified when it is
// read; a mismatch is reported as Corruption naming the page number, and the
// bytes are never returned as data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/coding.h"

namespace neuroquantum::storage {

using PageId = uint64_t;    // page number in the database file; 0 = header page
using FrameId = uint32_t;   // slot in the buffer pool
using Lsn = uint64_t;       // byte position in the WAL stream
using TxnId = uint64_t;     // transaction id; 0 = none (system work)
using TreeId = uint64_t;    // B+ tree id; 0 = the catalog tree

inline constexpr PageId kHeaderPageId = 0;
inline constexpr PageId kInvalidPageId = 0;  // page 0 is never a tree/overflow page
inline constexpr Lsn kInvalidLsn = 0;

inline constexpr uint32_t kMinPageSize = 4096;
inline constexpr uint32_t kMaxPageSize = 65536;
inline constexpr uint32_t kPageHeaderSize = 16;
inline constexpr uint32_t kPageReservedTail = 32;

// Persisted page types: do not change values.
enum class PageType : uint8_t {
  kZero = 0,       // never initialised (all zero)
  kHeader = 1,     // page 0: database file header
  kLeaf = 2,       // B+ tree leaf
  kInternal = 3,   // B+ tree internal node
  kOverflow = 4,   // part of a large value's chain
  kFree = 5,       // on the free list
};

const char* PageTypeName(PageType type);

inline constexpr size_t kChecksumOffset = 0;
inline constexpr size_t kTypeOffset = 4;
inline constexpr size_t kLsnOffset = 8;

inline PageType GetPageType(const uint8_t* page) { return static_cast<PageType>(page[kTypeOffset]); }
inline void SetPageType(uint8_t* page, PageType t) { page[kTypeOffset] = static_cast<uint8_t>(t); }
inline Lsn GetPageLsn(const uint8_t* page) { return DecodeFixed64(page + kLsnOffset); }
inline void SetPageLsn(uint8_t* page, Lsn lsn) { EncodeFixed64(page + kLsnOffset, lsn); }

// The end of the usable body: bytes [UsableEnd, page_size) are the reserved
// transform area.
inline constexpr uint32_t UsableEnd(uint32_t page_size) { return page_size - kPageReservedTail; }

// Computes and stores the checksum of `page` (bytes [4, page_size)).
void SealPage(uint8_t* page, uint32_t page_size, PageId page_id);
// True if the stored checksum matches.
bool VerifyPage(const uint8_t* page, uint32_t page_size, PageId page_id);
// True if all bytes are zero (a page that was allocated but never written).
bool IsZeroPage(const uint8_t* page, uint32_t page_size);

inline bool IsValidPageSize(uint64_t size) {
  return size >= kMinPageSize && size <= kMaxPageSize && (size & (size - 1)) == 0;
}

}  // namespace neuroquantum::storage
