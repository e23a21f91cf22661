// Spill files (spill_file.h).
//
// Page layout: [0, 4) checksum of [4, UsableEnd) seeded with the page's
// number in the file, [4, 8) the payload length n, [8, 8 + n) payload:
// the record stream (varint length, bytes), cut at page boundaries, so a
// record may continue on the next page. The reserved tail is the
// transform's, as in the database file.
#include "storage/spill_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/checksum.h"
#include "common/coding.h"
#include "fmt/format.h"
#include "storage/page.h"

namespace neuroquantum::storage {

namespace {

constexpr size_t kHeader = 8;  // checksum, payload length

Status Errno(std::string_view what) { return Status::IOError(fmt::format("spill file: {}: {}", what, std::strerror(errno))); }

// An unlinked file in `dir`: O_TMPFILE, or a named file removed at once
// where the file system lacks it.
Result<int> OpenUnlinked(const std::string& dir) {
#ifdef O_TMPFILE
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
#endif
  std::string path = dir + "/nqdb-spill-XXXXXX";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  int named = ::mkostemp(name.data(), O_CLOEXEC);
  if (named < 0) return Errno(fmt::format("cannot create a file in {}", dir));
  ::unlink(name.data());
  return named;
}

}  // namespace

Result<std::unique_ptr<SpillFile>> SpillFile::Create(const std::string& dir, size_t page_size,
                                                     PageTransform* transform) {
  if (page_size < 512 || page_size > (1u << 20)) return Status::InvalidArgument("spill file: bad page size");
  NQ_ASSIGN_OR_RETURN(int fd, OpenUnlinked(dir));
  return std::unique_ptr<SpillFile>(new SpillFile(fd, page_size, transform ? transform : IdentityTransform()));
}

SpillFile::SpillFile(int fd, size_t page_size, PageTransform* transform)
    : fd_(fd), page_size_(page_size), transform_(transform) {}

SpillFile::~SpillFile() { ::close(fd_); }

size_t SpillFile::payload_capacity() const { return UsableEnd(static_cast<uint32_t>(page_size_)) - kHeader; }

Status SpillFile::Append(std::string_view record) {
  if (finished_) return Status::Internal("spill file: append after finish");
  PutVarint64(&out_, record.size());
  out_.append(record);
  // Full pages go out; the rest moves to the front once per record.
  size_t at = 0;
  while (out_.size() - at >= payload_capacity()) {
    NQ_RETURN_IF_ERROR(WritePage(std::string_view(out_).substr(at, payload_capacity())));
    at += payload_capacity();
  }
  out_.erase(0, at);
  return Status::OK();
}

Status SpillFile::Finish() {
  if (finished_) return Status::OK();
  if (!out_.empty()) NQ_RETURN_IF_ERROR(WritePage(out_));
  out_.clear();
  finished_ = true;
  return Status::OK();
}

Status SpillFile::WritePage(std::string_view payload) {
  const size_t n = payload.size();
  std::vector<uint8_t> page(page_size_, 0);
  EncodeFixed32(page.data() + 4, static_cast<uint32_t>(n));
  std::memcpy(page.data() + kHeader, payload.data(), n);
  const uint32_t end = UsableEnd(static_cast<uint32_t>(page_size_));
  EncodeFixed32(page.data(), Checksum32(page.data() + 4, end - 4, pages_written_));
  std::vector<uint8_t> sealed(page_size_, 0);
  transform_->Encode(pages_written_, page, sealed);
  const auto offset = static_cast<off_t>(pages_written_ * page_size_);
  for (size_t done = 0; done < page_size_;) {
    ssize_t w = ::pwrite(fd_, sealed.data() + done, page_size_ - done, offset + static_cast<off_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Errno("write");
    done += static_cast<size_t>(w);
  }
  ++pages_written_;
  return Status::OK();
}

Status SpillFile::ReadPage() {
  std::vector<uint8_t> raw(page_size_);
  const auto offset = static_cast<off_t>(next_page_ * page_size_);
  for (size_t done = 0; done < page_size_;) {
    ssize_t r = ::pread(fd_, raw.data() + done, page_size_ - done, offset + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Errno("read");
    if (r == 0) return Status::Corruption(fmt::format("spill file: page {} is cut short", next_page_));
    done += static_cast<size_t>(r);
  }
  std::vector<uint8_t> page(page_size_);
  NQ_RETURN_IF_ERROR(transform_->Decode(next_page_, raw, page));
  const uint32_t end = UsableEnd(static_cast<uint32_t>(page_size_));
  const uint32_t n = DecodeFixed32(page.data() + 4);
  if (DecodeFixed32(page.data()) != Checksum32(page.data() + 4, end - 4, next_page_) || n > payload_capacity()) {
    return Status::Corruption(fmt::format("spill file: page {} checksum mismatch", next_page_));
  }
  in_.erase(0, in_pos_);
  in_pos_ = 0;
  in_.append(reinterpret_cast<const char*>(page.data() + kHeader), n);
  ++next_page_;
  return Status::OK();
}

Result<bool> SpillFile::Next(std::string* record) {
  if (!finished_) return Status::Internal("spill file: read before finish");
  while (true) {
    ByteReader reader(std::string_view(in_).substr(in_pos_));
    uint64_t length = 0;
    std::string_view bytes;
    if (reader.GetVarint64(&length) && reader.GetBytes(length, &bytes)) {
      record->assign(bytes);
      in_pos_ = in_.size() - reader.remaining();
      return true;
    }
    if (next_page_ >= pages_written_) {
      if (in_pos_ != in_.size()) return Status::Corruption("spill file: a record is cut short");
      return false;
    }
    NQ_RETURN_IF_ERROR(ReadPage());
  }
}

}  // namespace neuroquantum::storage
