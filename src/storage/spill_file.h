// SpillFile: a temporary file for query operators whose state outgrows the
// query's memory budget (an external sort's runs). Records (byte strings)
// are appended, then read back in order.
//
// The bytes go into pages of the database's page size, each with a
// checksum over its body (seeded with its page number) and passed through
// the database's page transform, so spilled rows are protected (and, with
// an encrypting transform, hidden) like stored ones; a page that fails its
// checksum or the transform is reported as Corruption. The file lives in
// the database's directory (not /tmp, which may be memory) and is unlinked
// at once (O_TMPFILE where the file system has it), so nothing is left
// after the process ends, however it ends.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "neuroquantum/result.h"
#include "storage/page_transform.h"

namespace neuroquantum::storage {

class SpillFile {
 public:
  // `transform` null means none; not owned, must outlive the file.
  static Result<std::unique_ptr<SpillFile>> Create(const std::string& dir, size_t page_size,
                                                   PageTransform* transform);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  // Appends one record. REQUIRES: not finished.
  Status Append(std::string_view record);
  // Writes what is buffered; after it, only reading.
  Status Finish();
  // Reads the next record into *record; false after the last. Starts at
  // the first record after Finish.
  Result<bool> Next(std::string* record);

  uint64_t bytes_written() const { return pages_written_ * page_size_; }

 private:
  SpillFile(int fd, size_t page_size, PageTransform* transform);
  // Writes one page holding `payload` (at most payload_capacity() bytes).
  Status WritePage(std::string_view payload);
  Status ReadPage();
  size_t payload_capacity() const;

  int fd_;
  size_t page_size_;
  PageTransform* transform_;
  std::string out_;        // bytes not yet written (less than a page's payload)
  std::string in_;         // bytes read and not yet consumed
  size_t in_pos_ = 0;
  uint64_t pages_written_ = 0;
  uint64_t next_page_ = 0;  // reading
  bool finished_ = false;
};

}  // namespace neuroquantum::storage
