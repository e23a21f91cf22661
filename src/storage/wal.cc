// WalWriter and WalReader: fragment framing, segment files, group commit.
#include "storage/wal.h"

#include <algorithm>
#include <cstring>

#include "common/checksum.h"
#include "common/coding.h"
#include "fmt/format.h"

namespace neuroquantum::storage {

std::string WalSegmentName(uint64_t segment_no) { return fmt::format("{:016x}.wal", segment_no); }

namespace {

// Writes the 11-byte fragment header and returns it prepended to payload.
void EncodeFragment(std::string* out, FragmentType type, uint32_t epoch, std::string_view payload,
                    uint64_t database_id, Lsn frag_lsn) {
  size_t start = out->size();
  out->append(kFragmentHeaderSize, '\0');
  out->append(payload);
  auto* h = reinterpret_cast<uint8_t*>(out->data() + start);
  EncodeFixed16(h + 4, static_cast<uint16_t>(payload.size()));
  h[6] = static_cast<uint8_t>(type);
  EncodeFixed32(h + 7, epoch);
  EncodeFixed32(h, Checksum32(h + 4, kFragmentHeaderSize - 4 + payload.size(),
                              FragmentSeed(database_id, frag_lsn)));
}

}  // namespace

WalWriter::WalWriter(Env* env, WalConfig config, Lsn end_lsn)
    : env_(env), config_(std::move(config)), buffer_start_(end_lsn), end_(end_lsn),
      written_(end_lsn), durable_(end_lsn) {}

WalWriter::~WalWriter() = default;

Result<std::unique_ptr<WalWriter>> WalWriter::Open(Env* env, const WalConfig& config,
                                                   Lsn end_lsn) {
  if (config.segment_size == 0 || config.segment_size % kWalBlockSize != 0) {
    return Status::InvalidArgument("WAL segment size must be a multiple of 32 KiB");
  }
  auto writer = std::unique_ptr<WalWriter>(new WalWriter(env, config, end_lsn));
  MutexLock lock(&writer->segments_mu_);
  // Collect segments ahead of the end (left by an earlier run) as spares.
  NQ_ASSIGN_OR_RETURN(auto names, env->ListDir(config.dir));
  uint64_t current = end_lsn / config.segment_size;
  for (const auto& name : names) {
    uint64_t no = 0;
    if (name.size() != 20 || name.substr(16) != ".wal") continue;
    if (std::sscanf(name.c_str(), "%16lx", &no) != 1) continue;
    if (no > current) writer->spare_segments_.push_back(no);
  }
  NQ_RETURN_IF_ERROR(writer->EnsureSegment(current));
  return writer;
}

void WalWriter::AppendFragmentLocked(FragmentType type, std::string_view payload) {
  EncodeFragment(&buffer_, type, config_.epoch, payload, config_.database_id, end_);
  end_ += kFragmentHeaderSize + payload.size();
}

Result<Lsn> WalWriter::Append(std::string_view record, Lsn* start) {
  MutexLock lock(&mu_);
  if (!error_.ok()) return error_;
  bool first = true;
  do {
    uint64_t block_left = kWalBlockSize - end_ % kWalBlockSize;
    if (block_left < kFragmentHeaderSize) {
      buffer_.append(block_left, '\0');  // pad the block tail
      end_ += block_left;
      continue;
    }
    size_t take = std::min<size_t>(record.size(), block_left - kFragmentHeaderSize);
    bool last = take == record.size();
    FragmentType type = first ? (last ? FragmentType::kFull : FragmentType::kFirst)
                              : (last ? FragmentType::kLast : FragmentType::kMiddle);
    if (first && start != nullptr) *start = end_;
    AppendFragmentLocked(type, record.substr(0, take));
    record.remove_prefix(take);
    first = false;
    if (last) break;
  } while (true);
  stats_.records++;
  return end_;
}

Status WalWriter::FlushTo(Lsn lsn, bool sync) {
  if (config_.durability == Durability::kOff) sync = false;
  std::string bytes;
  Lsn start, target;
  {
    MutexLock lock(&mu_);
    bool waited = false;
    while (true) {
      if (!error_.ok()) return error_;
      if ((sync ? durable_ : written_) >= lsn) {
        if (waited) stats_.group_commit_waits++;
        return Status::OK();
      }
      if (!flushing_) break;
      waited = true;
      flushed_cv_.Wait(&mu_);
    }
    // Become the leader: take everything buffered so far (which includes the
    // commit records of every follower that appended before now).
    flushing_ = true;
    bytes.swap(buffer_);
    start = buffer_start_;
    target = end_;
    buffer_start_ = end_;
  }
  Status s = WriteOut(bytes, start, sync);
  MutexLock lock(&mu_);
  flushing_ = false;
  if (s.ok()) {
    written_ = target;
    stats_.bytes += bytes.size();
    if (sync) {
      durable_ = target;
      stats_.syncs++;
    }
  } else if (error_.ok()) {
    error_ = Status::ReadOnly(s.WithContext("WAL write failed; database is now read-only").message());
    failed_.store(true, std::memory_order_release);
  }
  flushed_cv_.SignalAll();
  return error_;
}

Status WalWriter::FlushAll() { return FlushTo(end_lsn(), true); }

Status WalWriter::WriteOut(const std::string& bytes, Lsn start_lsn, bool sync) {
  MutexLock lock(&segments_mu_);
  size_t done = 0;
  uint64_t first_segment = start_lsn / config_.segment_size;
  while (done < bytes.size()) {
    Lsn pos = start_lsn + done;
    uint64_t segment_no = pos / config_.segment_size;
    uint64_t offset = pos % config_.segment_size;
    size_t take = std::min<uint64_t>(bytes.size() - done, config_.segment_size - offset);
    NQ_ASSIGN_OR_RETURN(File * file, SegmentFile(segment_no));
    NQ_RETURN_IF_ERROR(file->WriteAt(
        offset, {reinterpret_cast<const uint8_t*>(bytes.data()) + done, take}));
    done += take;
    // A completed segment is synced when we move past it, in every mode but
    // off, so that kNormal bounds the loss to the current segment.
    if (offset + take == config_.segment_size && config_.durability != Durability::kOff) {
      NQ_RETURN_IF_ERROR(file->Sync());
    }
  }
  if (sync) {
    uint64_t last_segment = (start_lsn + bytes.size()) / config_.segment_size;
    for (uint64_t no = first_segment; no <= last_segment; ++no) {
      if ((start_lsn + bytes.size()) % config_.segment_size == 0 && no == last_segment) break;
      NQ_ASSIGN_OR_RETURN(File * file, SegmentFile(no));
      NQ_RETURN_IF_ERROR(file->Sync());
    }
  }
  return Status::OK();
}

Result<File*> WalWriter::SegmentFile(uint64_t segment_no) {
  for (auto& [no, file] : open_segments_) {
    if (no == segment_no) return file.get();
  }
  NQ_RETURN_IF_ERROR(EnsureSegment(segment_no));
  NQ_ASSIGN_OR_RETURN(auto file, env_->OpenFile(JoinPath(config_.dir, WalSegmentName(segment_no)),
                                                OpenMode::kReadWrite));
  open_segments_.emplace_back(segment_no, std::move(file));
  while (open_segments_.size() > 2) open_segments_.pop_front();
  return open_segments_.back().second.get();
}

// Makes sure segment `segment_no` exists at full size: reuses a recycled
// spare (renamed; its stale contents fail the LSN-seeded checksums) or
// creates a zero-filled file, so that later fdatasync calls need no metadata
// update. The directory is synced so the new name survives power loss.
Status WalWriter::EnsureSegment(uint64_t segment_no) {
  std::string path = JoinPath(config_.dir, WalSegmentName(segment_no));
  // A spare that already carries this number is now in use: it must never
  // be renamed away as a spare again.
  std::erase(spare_segments_, segment_no);
  if (env_->FileExists(path)) return Status::OK();
  auto spare = std::find_if(spare_segments_.begin(), spare_segments_.end(),
                            [&](uint64_t no) { return no > segment_no; });
  if (spare != spare_segments_.end()) {
    std::string from = JoinPath(config_.dir, WalSegmentName(*spare));
    spare_segments_.erase(spare);
    if (env_->FileExists(from)) {
      NQ_RETURN_IF_ERROR(env_->RenameFile(from, path));
      return env_->SyncDir(config_.dir);
    }
  }
  std::string tmp = path + ".tmp";
  NQ_ASSIGN_OR_RETURN(auto file, env_->OpenFile(tmp, OpenMode::kCreate));
  std::vector<uint8_t> zeros(std::min<uint64_t>(config_.segment_size, 1 << 20), 0);
  for (uint64_t off = 0; off < config_.segment_size; off += zeros.size()) {
    size_t n = std::min<uint64_t>(zeros.size(), config_.segment_size - off);
    NQ_RETURN_IF_ERROR(file->WriteAt(off, {zeros.data(), n}));
  }
  if (config_.durability != Durability::kOff) NQ_RETURN_IF_ERROR(file->Sync());
  NQ_RETURN_IF_ERROR(env_->RenameFile(tmp, path));
  if (config_.durability != Durability::kOff) NQ_RETURN_IF_ERROR(env_->SyncDir(config_.dir));
  return Status::OK();
}

Status WalWriter::RecycleSegments(Lsn keep_from, size_t max_recycled) {
  NQ_RETURN_IF_ERROR(sticky_error());
  // The end is read with segments_mu_ held (lock order: segments_mu_, then
  // mu_): no leader can open a segment past it until we are done.
  MutexLock lock(&segments_mu_);
  Lsn end = end_lsn();
  NQ_ASSIGN_OR_RETURN(auto names, env_->ListDir(config_.dir));
  uint64_t keep_segment = std::min(keep_from, end) / config_.segment_size;
  uint64_t future = end / config_.segment_size + 1;
  for (uint64_t no : spare_segments_) future = std::max(future, no + 1);
  for (const auto& name : names) {
    uint64_t no = 0;
    if (name.size() != 20 || name.substr(16) != ".wal") continue;
    if (std::sscanf(name.c_str(), "%16lx", &no) != 1 || no >= keep_segment) continue;
    std::string path = JoinPath(config_.dir, name);
    while (env_->FileExists(JoinPath(config_.dir, WalSegmentName(future)))) future++;
    if (spare_segments_.size() < max_recycled) {
      NQ_RETURN_IF_ERROR(env_->RenameFile(path, JoinPath(config_.dir, WalSegmentName(future))));
      spare_segments_.push_back(future++);
    } else {
      NQ_RETURN_IF_ERROR(env_->RemoveFile(path));
    }
  }
  return env_->SyncDir(config_.dir);
}

Lsn WalWriter::end_lsn() const {
  MutexLock lock(&mu_);
  return end_;
}
Lsn WalWriter::durable_lsn() const {
  MutexLock lock(&mu_);
  return durable_;
}
WalStats WalWriter::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}
Status WalWriter::sticky_error() const {
  if (!failed_.load(std::memory_order_acquire)) return Status::OK();
  MutexLock lock(&mu_);
  return error_;
}

// ---------------------------------------------------------------------------

WalReader::WalReader(Env* env, std::string dir, uint64_t segment_size, uint64_t database_id,
                     Lsn start_lsn)
    : env_(env), dir_(std::move(dir)), segment_size_(segment_size), database_id_(database_id),
      pos_(start_lsn), valid_end_(start_lsn), block_(kWalBlockSize) {}

bool WalReader::LoadBlock(Lsn block_lsn) {
  if (block_lsn == block_lsn_) return true;
  uint64_t segment_no = block_lsn / segment_size_;
  if (segment_no != open_segment_no_) {
    segment_.reset();
    open_segment_no_ = segment_no;
    auto file = env_->OpenFile(JoinPath(dir_, WalSegmentName(segment_no)), OpenMode::kReadOnly);
    if (!file.ok()) {
      if (!file.status().IsNotFound()) status_ = file.status();
      return false;
    }
    segment_ = std::move(file).value();
  }
  if (segment_ == nullptr) return false;
  Status s = segment_->ReadAt(block_lsn % segment_size_, block_, &block_valid_);
  if (!s.ok()) {
    status_ = s;
    return false;
  }
  block_lsn_ = block_lsn;
  return true;
}

bool WalReader::ReadFragment(FragmentType* type, std::string_view* payload, Lsn* frag_lsn) {
  while (true) {
    Lsn block_lsn = pos_ - pos_ % kWalBlockSize;
    size_t in_block = pos_ - block_lsn;
    if (kWalBlockSize - in_block < kFragmentHeaderSize) {
      pos_ = block_lsn + kWalBlockSize;  // skip block padding
      continue;
    }
    if (!LoadBlock(block_lsn)) return false;
    if (block_valid_ < in_block + kFragmentHeaderSize) return false;
    const uint8_t* h = block_.data() + in_block;
    size_t length = DecodeFixed16(h + 4);
    if (in_block + kFragmentHeaderSize + length > block_valid_) return false;
    uint32_t stored = DecodeFixed32(h);
    if (stored != Checksum32(h + 4, kFragmentHeaderSize - 4 + length,
                             FragmentSeed(database_id_, pos_))) {
      return false;
    }
    uint32_t epoch = DecodeFixed32(h + 7);
    if (epoch < last_epoch_) return false;  // stale data from an earlier run
    last_epoch_ = epoch;
    *type = static_cast<FragmentType>(h[6]);
    *payload = {reinterpret_cast<const char*>(h + kFragmentHeaderSize), length};
    *frag_lsn = pos_;
    pos_ += kFragmentHeaderSize + length;
    return true;
  }
}

bool WalReader::Next(std::string* record, Lsn* record_start, Lsn* record_end) {
  record->clear();
  pos_ = valid_end_;
  bool in_record = false;
  uint32_t epoch_before = last_epoch_;
  FragmentType type;
  std::string_view payload;
  Lsn frag_lsn = 0;
  while (ReadFragment(&type, &payload, &frag_lsn)) {
    bool starts = type == FragmentType::kFull || type == FragmentType::kFirst;
    if (starts == in_record) break;  // out-of-sequence fragment: end of log
    if (!in_record) *record_start = frag_lsn;
    record->append(payload);
    in_record = true;
    if (type == FragmentType::kFull || type == FragmentType::kLast) {
      *record_end = pos_;
      valid_end_ = pos_;
      return true;
    }
    if (type != FragmentType::kFirst && type != FragmentType::kMiddle) break;
  }
  last_epoch_ = epoch_before;  // an incomplete record does not count
  return false;
}

bool WalReader::ValidDataBeyondEnd(int blocks) {
  Lsn block = valid_end_ - valid_end_ % kWalBlockSize;
  std::vector<Lsn> candidates;
  // The fragment after the damaged one, if the damaged header's length
  // field still points inside the block.
  if (LoadBlock(block) && valid_end_ - block + kFragmentHeaderSize <= block_valid_) {
    size_t length = DecodeFixed16(block_.data() + (valid_end_ - block) + 4);
    Lsn next = valid_end_ + kFragmentHeaderSize + length;
    if (next + kFragmentHeaderSize <= block + kWalBlockSize) candidates.push_back(next);
  }
  for (int i = 1; i <= blocks; ++i) candidates.push_back(block + static_cast<Lsn>(i) * kWalBlockSize);
  uint32_t epoch = last_epoch_;
  bool found = false;
  for (Lsn candidate : candidates) {
    // Walk the valid fragments from the candidate to the end of its block.
    // Continuation fragments may belong to the torn record itself (one
    // spanning several blocks); only a record start is evidence of damage.
    pos_ = candidate;
    Lsn block_end = candidate - candidate % kWalBlockSize + kWalBlockSize;
    FragmentType type;
    std::string_view payload;
    Lsn frag_lsn = 0;
    while (!found && pos_ + kFragmentHeaderSize <= block_end && ReadFragment(&type, &payload, &frag_lsn)) {
      found = type == FragmentType::kFull || type == FragmentType::kFirst;
    }
    last_epoch_ = epoch;
    if (found) break;
  }
  return found;
}

Result<std::string> WalReader::ReadRecordAt(Env* env, const std::string& dir,
                                            uint64_t segment_size, uint64_t database_id,
                                            Lsn lsn) {
  WalReader reader(env, dir, segment_size, database_id, lsn);
  std::string record;
  Lsn start = 0;
  Lsn end = 0;
  if (!reader.Next(&record, &start, &end)) {
    if (!reader.status().ok()) return reader.status();
    return Status::Corruption(fmt::format("WAL record at LSN {} is unreadable", lsn));
  }
  return record;
}

}  // namespace neuroquantum::storage
