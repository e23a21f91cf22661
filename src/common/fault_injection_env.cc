// FaultInjectionEnv implementation: in-memory files with a synced/unsynced
// split, a current and a durable namespace, and op-indexed fault injection.
#include "common/fault_injection_env.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstring>
#include <random>
#include <utility>

namespace neuroquantum {
namespace {

// Writes and truncates past this size fail with kNoSpace instead of trying to
// allocate a huge buffer for a bogus offset.
constexpr uint64_t kMaxFileBytes = uint64_t{1} << 32;

// One unsynced change of a file's content.
struct Mutation {
  bool is_truncate = false;    // else a write
  uint64_t offset = 0;         // write offset, or the new size of a truncate
  std::vector<uint8_t> bytes;  // the written bytes; empty for a truncate
};

void ApplyMutation(const Mutation& mutation, std::vector<uint8_t>* content) {
  if (mutation.is_truncate) {
    content->resize(mutation.offset);
    return;
  }
  if (mutation.bytes.empty()) return;  // an empty write does not extend the file
  uint64_t end = mutation.offset + mutation.bytes.size();
  if (content->size() < end) content->resize(end);  // a hole reads as zeros
  std::copy(mutation.bytes.begin(), mutation.bytes.end(), content->begin() + mutation.offset);
}

Status SimulatedCrash() { return Status::IOError("simulated crash"); }
Status StaleHandle() { return Status::IOError("file handle invalidated by simulated crash"); }

Status CheckFileSize(uint64_t offset, uint64_t len) {
  if (offset > kMaxFileBytes || len > kMaxFileBytes - offset) {
    return Status::NoSpace("in-memory file would exceed 4 GiB");
  }
  return Status::OK();
}

// "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/".
std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Drops trailing slashes; "" means ".".
std::string NormalizeDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir.empty() ? "." : dir;
}

}  // namespace

struct FaultInjectionEnv::FileState {
  // Invariant: current == synced with every entry of unsynced applied in order.
  std::vector<uint8_t> current;
  std::vector<uint8_t> synced;
  std::vector<Mutation> unsynced;

  void Record(Mutation mutation) {
    ApplyMutation(mutation, &current);
    unsynced.push_back(std::move(mutation));
  }
  void MakeDurable() {
    synced = current;
    unsynced.clear();
  }
  void DropUnsynced() {
    unsynced.clear();
    current = synced;
  }
  // Power loss: what is on the platter becomes both synced and current.
  void Crash(CrashMode mode, std::mt19937_64* rng) {
    std::vector<uint8_t> survived = synced;
    for (const Mutation& mutation : unsynced) {
      // Draw for every entry, whatever the mode, so outcomes depend only on
      // the op history and the seed.
      bool keep = ((*rng)() & 1) != 0;
      if (mode == CrashMode::kKeepRandomUnsynced && keep) ApplyMutation(mutation, &survived);
    }
    synced = survived;
    current = std::move(survived);
    unsynced.clear();
  }
};

// A handle on a FileState, valid until the next SimulateCrash.
// Thread safety: every method locks env_->mu_.
class FaultInjectionEnv::FaultFile final : public File {
 public:
  FaultFile(FaultInjectionEnv* env, std::string path, std::shared_ptr<FileState> state,
            uint64_t epoch, bool read_only)
      : env_(env),
        path_(std::move(path)),
        state_(std::move(state)),
        epoch_(epoch),
        read_only_(read_only) {}

  Status ReadAt(uint64_t offset, std::span<uint8_t> out, size_t* bytes_read) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    *bytes_read = 0;
    if (stale()) return StaleHandle();
    const std::vector<uint8_t>& content = state_->current;
    if (offset >= content.size()) return Status::OK();
    size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), content.size() - offset));
    if (n > 0) std::memcpy(out.data(), content.data() + offset, n);
    *bytes_read = n;
    return Status::OK();
  }

  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    NQ_RETURN_IF_ERROR(CheckWritable());
    NQ_RETURN_IF_ERROR(CheckFileSize(offset, data.size()));
    return env_->WriteLocked(state_.get(), path_, offset, data);
  }

  Status Sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (stale()) return StaleHandle();
    return env_->SyncLocked(state_.get());
  }

  Status Truncate(uint64_t size_bytes) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    NQ_RETURN_IF_ERROR(CheckWritable());
    NQ_RETURN_IF_ERROR(CheckFileSize(size_bytes, 0));
    state_->Record(Mutation{true, size_bytes, {}});
    return Status::OK();
  }

  Result<uint64_t> Size() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (stale()) return StaleHandle();
    return static_cast<uint64_t>(state_->current.size());
  }

  Status Allocate(uint64_t /*offset*/, uint64_t /*len*/) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return CheckWritable();  // a reservation only: nothing to record
  }

 private:
  // REQUIRES: env_->mu_ held.
  bool stale() const { return epoch_ != env_->epoch_; }
  // REQUIRES: env_->mu_ held. OK if this handle may change the file now.
  Status CheckWritable() const {
    if (stale()) return StaleHandle();
    if (read_only_) return Status::IOError("file opened read-only");
    if (env_->down_) return SimulatedCrash();
    return Status::OK();
  }

  FaultInjectionEnv* const env_;
  const std::string path_;  // the name it was opened under, for writes_to()
  const std::shared_ptr<FileState> state_;
  const uint64_t epoch_;
  const bool read_only_;
};

// Holds an entry of env_->locks_ until destroyed.
// Thread safety: the destructor locks env_->mu_.
class FaultInjectionEnv::FaultLock final : public FileLock {
 public:
  FaultLock(FaultInjectionEnv* env, std::string path, uint64_t id)
      : env_(env), path_(std::move(path)), id_(id) {}
  ~FaultLock() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    auto it = env_->locks_.find(path_);
    // After a crash the entry is gone or belongs to a newer lock: keep it.
    if (it != env_->locks_.end() && it->second == id_) env_->locks_.erase(it);
  }

 private:
  FaultInjectionEnv* const env_;
  const std::string path_;
  const uint64_t id_;
};

Result<std::unique_ptr<File>> FaultInjectionEnv::OpenFile(const std::string& path,
                                                          OpenMode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  std::shared_ptr<FileState> state;
  if (it != files_.end()) {
    if (mode == OpenMode::kCreateNew) return Status::AlreadyExists("open " + path + ": exists");
    state = it->second;
  } else if (mode == OpenMode::kCreate || mode == OpenMode::kCreateNew) {
    NQ_ASSIGN_OR_RETURN(state, CreateFileLocked(path));
  } else {
    return Status::NotFound("open " + path + ": no such file");
  }
  bool read_only = mode == OpenMode::kReadOnly;
  return std::unique_ptr<File>(
      std::make_unique<FaultFile>(this, path, std::move(state), epoch_, read_only));
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return SimulatedCrash();
  // Open handles share the FileState, so they keep working (POSIX unlink).
  if (files_.erase(path) == 0) return Status::NotFound("unlink " + path + ": no such file");
  return Status::OK();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return SimulatedCrash();
  auto it = files_.find(from);
  if (it == files_.end()) return Status::NotFound("rename " + from + ": no such file");
  if (!DirExistsLocked(ParentDir(to))) {
    return Status::NotFound("rename to " + to + ": no such directory");
  }
  if (dirs_.count(to) != 0) return Status::IOError("rename to " + to + ": is a directory");
  if (from == to) return Status::OK();
  std::shared_ptr<FileState> state = it->second;
  files_.erase(it);
  files_[to] = std::move(state);
  return Status::OK();
}

Status FaultInjectionEnv::CreateDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return SimulatedCrash();
  std::string dir = NormalizeDir(path);
  if (files_.count(dir) != 0) return Status::AlreadyExists("mkdir " + dir + ": file exists");
  dirs_.insert(dir);
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return SimulatedCrash();
  std::string dir = NormalizeDir(path);
  if (!DirExistsLocked(dir)) return Status::NotFound("fsync dir " + dir + ": no such directory");
  // Removals and the old names of renames in this directory become durable...
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    bool gone = ParentDir(it->first) == dir && files_.count(it->first) == 0;
    it = gone ? durable_files_.erase(it) : std::next(it);
  }
  // ...and so do creations and the new names of renames.
  for (const auto& [file_path, state] : files_) {
    if (ParentDir(file_path) == dir) durable_files_[file_path] = state;
  }
  return Status::OK();
}

bool FaultInjectionEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) != 0 || DirExistsLocked(NormalizeDir(path));
}

Result<std::vector<std::string>> FaultInjectionEnv::ListDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string dir = NormalizeDir(path);
  if (!DirExistsLocked(dir)) return Status::NotFound("opendir " + dir + ": no such directory");
  std::set<std::string> names;
  for (const auto& entry : files_) {
    if (ParentDir(entry.first) == dir) names.insert(BaseName(entry.first));
  }
  for (const std::string& sub_dir : dirs_) {
    if (sub_dir != dir && ParentDir(sub_dir) == dir) names.insert(BaseName(sub_dir));
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (locks_.count(path) != 0) {
    return Status::Busy("database is locked by another writer: " + path);
  }
  if (files_.count(path) == 0) {
    Result<std::shared_ptr<FileState>> created = CreateFileLocked(path);
    if (!created.ok()) return std::move(created).status();
  }
  uint64_t id = next_lock_id_++;
  locks_[path] = id;
  return std::unique_ptr<FileLock>(std::make_unique<FaultLock>(this, path, id));
}

uint64_t FaultInjectionEnv::NowMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

void FaultInjectionEnv::SimulateCrash(CrashMode mode, uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  files_ = durable_files_;
  std::mt19937_64 rng(seed);
  std::set<const FileState*> done;  // a state may be durable under two names
  for (const auto& entry : files_) {  // path order: deterministic draws
    if (done.insert(entry.second.get()).second) entry.second->Crash(mode, &rng);
  }
  locks_.clear();
  faults_.clear();
  path_faults_.clear();
  down_ = false;
  ++epoch_;  // every handle opened so far is now stale
}

FaultInjectionEnv::Fault FaultInjectionEnv::CrashFault(CrashAction action,
                                                       size_t torn_keep_bytes) {
  Fault fault;
  fault.kind =
      action == CrashAction::kDropOp ? FaultKind::kCrashDropOp : FaultKind::kCrashTearWrite;
  fault.torn_keep_bytes = torn_keep_bytes;
  return fault;
}

void FaultInjectionEnv::CrashAtOp(uint64_t op_index, CrashAction action,
                                  size_t torn_keep_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[op_index] = CrashFault(action, torn_keep_bytes);
}

void FaultInjectionEnv::CrashAtWriteTo(const std::string& path, uint64_t write_index,
                                       CrashAction action, size_t torn_keep_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  path_faults_[{path, write_index}] = CrashFault(action, torn_keep_bytes);
}

void FaultInjectionEnv::FailOpWith(uint64_t op_index, StatusCode code) {
  assert(code != StatusCode::kOk && "FailOpWith needs an error code");
  std::lock_guard<std::mutex> lock(mu_);
  Fault fault;
  fault.kind = FaultKind::kFail;
  fault.code = code;
  faults_[op_index] = fault;
}

void FaultInjectionEnv::ShortWriteAt(uint64_t op_index) {
  std::lock_guard<std::mutex> lock(mu_);
  Fault fault;
  fault.kind = FaultKind::kShortWrite;
  faults_[op_index] = fault;
}

uint64_t FaultInjectionEnv::mutating_ops() const {
  std::lock_guard<std::mutex> lock(mu_);
  return mutating_ops_;
}

uint64_t FaultInjectionEnv::writes_to(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = path_writes_.find(path);
  return it == path_writes_.end() ? 0 : it->second;
}

bool FaultInjectionEnv::crashed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return down_;
}

FaultInjectionEnv::Fault FaultInjectionEnv::TakeFault(uint64_t op_index) {
  auto it = faults_.find(op_index);
  if (it == faults_.end()) return Fault{};
  Fault fault = it->second;
  faults_.erase(it);
  return fault;
}

Status FaultInjectionEnv::WriteLocked(FileState* file, const std::string& path,
                                      uint64_t offset, std::span<const uint8_t> data) {
  Fault fault = TakeFault(mutating_ops_++);
  auto by_path = path_faults_.find({path, path_writes_[path]++});
  if (by_path != path_faults_.end()) {
    if (fault.kind == FaultKind::kNone) fault = by_path->second;
    path_faults_.erase(by_path);
  }
  size_t keep = data.size();
  Status status;
  switch (fault.kind) {
    case FaultKind::kNone:
      break;
    case FaultKind::kCrashDropOp:
      keep = 0;
      down_ = true;
      status = SimulatedCrash();
      break;
    case FaultKind::kCrashTearWrite:
      keep = std::min(fault.torn_keep_bytes, data.size());
      down_ = true;
      status = SimulatedCrash();
      break;
    case FaultKind::kFail:
      keep = 0;
      status = Status(fault.code, "injected write failure");
      break;
    case FaultKind::kShortWrite:
      keep = data.size() / 2;
      status = Status::NoSpace("short write");
      break;
  }
  if (keep > 0) {
    file->Record(Mutation{false, offset, std::vector<uint8_t>(data.begin(), data.begin() + keep)});
  }
  return status;
}

Status FaultInjectionEnv::SyncLocked(FileState* file) {
  if (down_) return SimulatedCrash();
  Fault fault = TakeFault(mutating_ops_++);
  switch (fault.kind) {
    case FaultKind::kNone:
    case FaultKind::kShortWrite:  // nothing to shorten in a Sync
      file->MakeDurable();
      return Status::OK();
    case FaultKind::kCrashDropOp:
    case FaultKind::kCrashTearWrite:
      down_ = true;
      return SimulatedCrash();
    case FaultKind::kFail:
      // Linux marks the failed pages clean: the data is gone from the cache
      // and a retried fsync "succeeds" without writing it (fsyncgate).
      file->DropUnsynced();
      return Status(fault.code, "injected fsync failure");
  }
  assert(false && "unhandled FaultKind");
  return Status::Internal("unhandled FaultKind");
}

Result<std::shared_ptr<FaultInjectionEnv::FileState>> FaultInjectionEnv::CreateFileLocked(
    const std::string& path) {
  if (down_) return SimulatedCrash();
  if (dirs_.count(NormalizeDir(path)) != 0) {
    return Status::IOError("create " + path + ": is a directory");
  }
  if (!DirExistsLocked(ParentDir(path))) {
    return Status::NotFound("create " + path + ": no such directory");
  }
  auto state = std::make_shared<FileState>();
  files_[path] = state;
  return state;
}

bool FaultInjectionEnv::DirExistsLocked(const std::string& dir) const {
  return dir == "." || dir == "/" || dirs_.count(dir) != 0;
}

}  // namespace neuroquantum
