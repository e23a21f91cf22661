// PageFile: page-granular I/O on the database file.
#include "storage/page_file.h"

#include <cstring>
#include <vector>

#include "fmt/format.h"

namespace neuroquantum::storage {
namespace {

class IdentityPageTransform final : public PageTransform {
 public:
  size_t Encode(PageId, std::span<const uint8_t> in, std::span<uint8_t> out) override {
    std::memcpy(out.data(), in.data(), in.size());
    return in.size();
  }
  Status Decode(PageId, std::span<const uint8_t> in, std::span<uint8_t> out) override {
    std::memcpy(out.data(), in.data(), in.size());
    return Status::OK();
  }
};

}  // namespace

PageTransform* IdentityTransform() {
  static IdentityPageTransform transform;
  return &transform;
}

void PageFile::InitHeaderPage(std::span<uint8_t> page, uint32_t page_size, uint64_t database_id) {
  std::memset(page.data(), 0, page.size());
  SetPageType(page.data(), PageType::kHeader);
  std::memcpy(page.data() + header::kMagic, kFileMagic, sizeof(kFileMagic));
  EncodeFixed32(page.data() + header::kVersion, kFormatVersion);
  EncodeFixed32(page.data() + header::kPageSize, page_size);
  EncodeFixed64(page.data() + header::kPageCount, 1);
  EncodeFixed64(page.data() + header::kNextTreeId, 1);
  EncodeFixed64(page.data() + header::kDatabaseId, database_id);
}

Status PageFile::ValidateHeader(std::span<const uint8_t> page, FileHeaderInfo* info) {
  const uint8_t* p = page.data();
  if (std::memcmp(p + header::kMagic, kFileMagic, sizeof(kFileMagic)) != 0) {
    return Status::Corruption("not a NeuroQuantumDB database file (bad magic)");
  }
  uint32_t version = DecodeFixed32(p + header::kVersion);
  if (version != kFormatVersion) {
    return Status::NotSupported(fmt::format("database format version {} (this build reads {})",
                                            version, kFormatVersion));
  }
  uint32_t page_size = DecodeFixed32(p + header::kPageSize);
  if (!IsValidPageSize(page_size)) {
    return Status::Corruption(fmt::format("header page: invalid page size {}", page_size));
  }
  uint32_t incompat = DecodeFixed32(p + header::kIncompat);
  if ((incompat & ~kKnownIncompatFeatures) != 0) {
    return Status::NotSupported(fmt::format("database uses unknown features 0x{:x}", incompat));
  }
  info->page_size = page_size;
  info->database_id = DecodeFixed64(p + header::kDatabaseId);
  info->read_only_required =
      (DecodeFixed32(p + header::kRoCompat) & ~kKnownRoCompatFeatures) != 0;
  return Status::OK();
}

Result<std::unique_ptr<PageFile>> PageFile::Open(Env* env, const std::string& path,
                                                 bool read_only, FileHeaderInfo* info) {
  NQ_ASSIGN_OR_RETURN(auto file,
                      env->OpenFile(path, read_only ? OpenMode::kReadOnly : OpenMode::kReadWrite));
  std::vector<uint8_t> first(kMinPageSize);
  size_t got = 0;
  NQ_RETURN_IF_ERROR(file->ReadAt(0, first, &got));
  if (got < kMinPageSize) {
    return Status::Corruption(
        fmt::format("{}: file too short for a database header ({} bytes)", path, got));
  }
  // Validate the fields first so that the page size used to read the whole
  // header page is trustworthy; then verify the checksum.
  NQ_RETURN_IF_ERROR(ValidateHeader(first, info).WithContext(path));
  std::vector<uint8_t> page(info->page_size);
  NQ_RETURN_IF_ERROR(file->ReadAt(0, page, &got));
  if (got < info->page_size || !VerifyPage(page.data(), info->page_size, kHeaderPageId)) {
    return Status::Corruption(path + ": header page (page 0) checksum mismatch");
  }
  return std::unique_ptr<PageFile>(new PageFile(path, std::move(file), info->page_size));
}

Result<std::unique_ptr<PageFile>> PageFile::Create(Env* env, const std::string& path,
                                                   uint32_t page_size, uint64_t database_id) {
  if (!IsValidPageSize(page_size)) {
    return Status::InvalidArgument(
        fmt::format("page size {} is not a power of two in [4096, 65536]", page_size));
  }
  NQ_ASSIGN_OR_RETURN(auto file, env->OpenFile(path, OpenMode::kCreateNew));
  auto page_file = std::unique_ptr<PageFile>(new PageFile(path, std::move(file), page_size));
  std::vector<uint8_t> page(page_size);
  InitHeaderPage(page, page_size, database_id);
  NQ_RETURN_IF_ERROR(page_file->WritePage(kHeaderPageId, page));
  NQ_RETURN_IF_ERROR(page_file->Sync());
  return page_file;
}

Status PageFile::ReadPage(PageId id, std::span<uint8_t> out, bool allow_missing, bool* missing) {
  // The identity transform reads straight into `out`: no buffer, no copy.
  PageTransform* transform = TransformFor(id);
  const bool identity = transform == IdentityTransform();
  std::vector<uint8_t> buffer(identity ? 0 : page_size_);
  std::span<uint8_t> raw = identity ? out.first(page_size_) : std::span<uint8_t>(buffer);
  size_t got = 0;
  NQ_RETURN_IF_ERROR(file_->ReadAt(id * page_size_, raw, &got));
  if (missing != nullptr) *missing = false;
  if (got < page_size_ || IsZeroPage(raw.data(), page_size_)) {
    if (allow_missing) {
      std::memset(out.data(), 0, page_size_);
      if (missing != nullptr) *missing = true;
      return Status::OK();
    }
    return Status::Corruption(fmt::format("page {} is missing or was never written", id));
  }
  Status decoded = identity ? Status::OK() : transform->Decode(id, raw, out);
  if (!decoded.ok() || !VerifyPage(out.data(), page_size_, id)) {
    if (allow_missing) {
      // During recovery a torn page is expected; the WAL holds its image.
      std::memset(out.data(), 0, page_size_);
      if (missing != nullptr) *missing = true;
      return Status::OK();
    }
    if (!decoded.ok()) return decoded;
    return Status::Corruption(fmt::format("page {} checksum mismatch", id));
  }
  return Status::OK();
}

Status PageFile::WritePage(PageId id, std::span<const uint8_t> page) {
  std::vector<uint8_t> sealed(page.begin(), page.end());
  SealPage(sealed.data(), page_size_, id);
  PageTransform* transform = TransformFor(id);
  if (transform == IdentityTransform()) return file_->WriteAt(id * page_size_, sealed);
  std::vector<uint8_t> out(page_size_, 0);
  transform->Encode(id, sealed, out);
  return file_->WriteAt(id * page_size_, out);
}

Result<uint64_t> PageFile::SizeInPages() {
  NQ_ASSIGN_OR_RETURN(uint64_t bytes, file_->Size());
  return bytes / page_size_;
}

}  // namespace neuroquantum::storage
