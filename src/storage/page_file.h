// PageFile: the database file as an array of fixed-size pages. Verifies the
// checksum of every page it reads and seals every page it writes; applies the
// PageTransform on the way. Knows nothing about page contents beyond the
// common header.
//
// Thread safety: ReadPage/WritePage may be called concurrently for different
// pages. Sync is safe to call concurrently with them.
//
// Header page (page 0) body, little-endian:
//   offset size field
//   16     8    magic "NQDBFILE"
//   24     4    format version (kFormatVersion)
//   28     4    page size in bytes
//   32     4    incompatible feature flags: an unknown bit refuses to open
//   36     4    read-only-compatible feature flags: unknown bit => read-only
//   40     4    compatible feature flags: unknown bits are ignored
//   44     4    reserved, 0
//   48     8    page count: pages [0, count) are in use or on the free list
//   56     8    free list head page id (0 = empty)
//   64     8    free list length in pages
//   72     8    next tree id
//   80     8    database id (random; WAL segments are bound to it)
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/env.h"
#include "neuroquantum/result.h"
#include "storage/page.h"
#include "storage/page_transform.h"

namespace neuroquantum::storage {

inline constexpr char kFileMagic[8] = {'N', 'Q', 'D', 'B', 'F', 'I', 'L', 'E'};
inline constexpr uint32_t kFormatVersion = 2;
// Feature bits known to this build (none yet).
inline constexpr uint32_t kKnownIncompatFeatures = 0;
inline constexpr uint32_t kKnownRoCompatFeatures = 0;

namespace header {
inline constexpr size_t kMagic = 16;
inline constexpr size_t kVersion = 24;
inline constexpr size_t kPageSize = 28;
inline constexpr size_t kIncompat = 32;
inline constexpr size_t kRoCompat = 36;
inline constexpr size_t kCompat = 40;
inline constexpr size_t kPageCount = 48;
inline constexpr size_t kFreeHead = 56;
inline constexpr size_t kFreeCount = 64;
inline constexpr size_t kNextTreeId = 72;
inline constexpr size_t kDatabaseId = 80;
}  // namespace header

// Facts read from a valid header page.
struct FileHeaderInfo {
  uint32_t page_size = 0;
  uint64_t database_id = 0;
  bool read_only_required = false;  // unknown ro-compat feature present
};

class PageFile {
 public:
  // Opens an existing database file and validates its header: magic, version,
  // feature flags, page size, checksum. Errors: NotFound, Corruption (names
  // what is wrong), NotSupported (newer format / unknown feature).
  static Result<std::unique_ptr<PageFile>> Open(Env* env, const std::string& path, bool read_only,
                                                FileHeaderInfo* info);
  // Creates a new file with a freshly initialised header page (page count 1),
  // synced along with its directory. Fails with AlreadyExists.
  static Result<std::unique_ptr<PageFile>> Create(Env* env, const std::string& path,
                                                  uint32_t page_size, uint64_t database_id);

  uint32_t page_size() const { return page_size_; }
  const std::string& path() const { return path_; }

  // Reads page `id` into `out` (page_size bytes) and verifies its checksum.
  // A page past the end of the file, or all zero, is reported as Corruption
  // unless `allow_missing`; then `out` is zero-filled and *missing set true.
  Status ReadPage(PageId id, std::span<uint8_t> out, bool allow_missing = false,
                  bool* missing = nullptr);
  // Seals a copy of `page` (checksum) and writes it at page `id`.
  Status WritePage(PageId id, std::span<const uint8_t> page);
  Status Sync() { return file_->Sync(); }
  Status Truncate(uint64_t page_count) { return file_->Truncate(page_count * page_size_); }
  Result<uint64_t> SizeInPages();

  // Fills `page` with a new header page.
  static void InitHeaderPage(std::span<uint8_t> page, uint32_t page_size, uint64_t database_id);

  // Applies `transform` to every page but the header (page 0), which must
  // stay readable to open the file. Null restores the identity.
  void SetTransform(PageTransform* transform) {
    transform_ = transform != nullptr ? transform : IdentityTransform();
  }

 private:
  PageFile(std::string path, std::unique_ptr<File> file, uint32_t page_size)
      : path_(std::move(path)), file_(std::move(file)), page_size_(page_size) {}
  static Status ValidateHeader(std::span<const uint8_t> page, FileHeaderInfo* info);
  PageTransform* TransformFor(PageId id) const {
    return id == kHeaderPageId ? IdentityTransform() : transform_;
  }

  std::string path_;
  std::unique_ptr<File> file_;
  uint32_t page_size_;
  PageTransform* transform_ = IdentityTransform();
};

}  // namespace neuroquantum::storage
