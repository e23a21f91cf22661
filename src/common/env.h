// Env: the only way NeuroQuantumDB reaches the operating system for files,
// directories, locks and time (as LevelDB's Env). Tests swap in
// FaultInjectionEnv to simulate power loss, torn writes and I/O errors.
//
// Thread safety: Env implementations are safe for concurrent use. A File may
// be used from several threads for positional reads and writes to disjoint
// ranges; Sync/Truncate may run concurrently with them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "neuroquantum/result.h"
#include "neuroquantum/status.h"

namespace neuroquantum {

class File {
 public:
  virtual ~File() = default;

  // Reads up to out.size() bytes at `offset`. Reading past end of file is not
  // an error: *bytes_read tells how many bytes were read (0 at or past EOF).
  virtual Status ReadAt(uint64_t offset, std::span<uint8_t> out, size_t* bytes_read) = 0;
  // Writes all of `data` at `offset`, extending the file if needed. A short
  // write is reported as an error (kNoSpace for ENOSPC, else kIOError).
  virtual Status WriteAt(uint64_t offset, std::span<const uint8_t> data) = 0;
  // Makes all completed writes durable (fdatasync). After a failed Sync the
  // state of unsynced data is unknown: callers must stop writing (sticky error).
  virtual Status Sync() = 0;
  virtual Status Truncate(uint64_t size_bytes) = 0;
  virtual Result<uint64_t> Size() = 0;
  // Reserves space for [offset, offset+len) so later writes do not fail with
  // ENOSPC and do not need metadata updates. May be a no-op.
  virtual Status Allocate(uint64_t offset, uint64_t len) = 0;
};

// An exclusive lock on a file, held until the object is destroyed. Open file
// description (OFD) locks: they conflict between processes and between
// independent opens within one process.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

enum class OpenMode : uint8_t {
  kReadOnly,      // must exist
  kReadWrite,     // must exist
  kCreate,        // read-write; created if missing
  kCreateNew,     // read-write; fails with kAlreadyExists if present
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never null; not owned by the caller.
  static Env* Default();

  virtual Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from`. Durable only after SyncDir.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Creates the directory if missing (not recursive).
  virtual Status CreateDir(const std::string& path) = 0;
  // fsyncs a directory so that file creations, renames and removals in it
  // survive power loss.
  virtual Status SyncDir(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, excluding "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // Takes an exclusive lock on `path` (created if missing). Fails with kBusy
  // when another holder exists.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  virtual uint64_t NowMicros() = 0;
};

// Joins a directory and a file name with a single '/'.
std::string JoinPath(const std::string& dir, const std::string& name);

// The whole content of the file at `path` (IOError on a short read).
inline Result<std::string> ReadFileToString(Env* env, const std::string& path) {
  NQ_ASSIGN_OR_RETURN(auto file, env->OpenFile(path, OpenMode::kReadOnly));
  NQ_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string data(size, '\0');
  size_t read = 0;
  NQ_RETURN_IF_ERROR(file->ReadAt(0, std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()), &read));
  if (read != size) return Status::IOError(path + ": short read");
  return data;
}

}  // namespace neuroquantum
