// FaultInjectionEnv: a fully in-memory, deterministic Env for power-loss and
// I/O-error tests of the storage engine (as LevelDB's helpers/memenv plus the
// env of db/fault_injection_test.cc).
//
// Model. Every file is a FileState shared (shared_ptr) by the namespace maps
// and by open handles, so a removed or renamed file keeps working through its
// open handles, as on POSIX. Per file:
//   1. `current` is what reads see.
//   2. `synced` is what survives power loss.
//   3. `unsynced` lists the writes and truncates since the last successful
//      File::Sync(), in issue order.
//   Invariant: current == synced with every entry of unsynced applied in order.
// Directory entries have two maps, path -> FileState:
//   4. the current namespace, changed at once by create, remove and rename;
//   5. the durable namespace, which takes the current entries of a directory
//      only when SyncDir(that directory) succeeds.
// Directories themselves are always durable. A file can be created only in a
// directory made by CreateDir, or in "." or "/" (which always exist).
//
// Power loss (SimulateCrash): the durable namespace becomes the current one;
// each surviving file keeps its synced bytes plus, depending on CrashMode, a
// random subset of its unsynced writes. Handles opened before the crash become
// stale; locks are released; armed faults are cleared.
//
// Faults are armed by the index of a *mutating op*: every File::WriteAt and
// every File::Sync, on any file, counts as one op (0-based, never reset).
// A crash can also be armed by the index of a write among those to one path
// (CrashAtWriteTo), which does not depend on the writes to other files.
// Up/down state machine:
//
//      UP --(armed crash op fires: CrashAtOp)--> DOWN
//      DOWN --(SimulateCrash)--> UP
//      UP --(SimulateCrash)--> UP
//
// While DOWN, WriteAt, Truncate, Allocate, Sync, SyncDir, RenameFile,
// RemoveFile, CreateDir and creating a file fail with
// IOError("simulated crash"); reads, Size, ListDir and FileExists still work.
//
// Thread safety: all methods of the env, its Files and its FileLocks are safe
// for concurrent use; one mutex serialises them. REQUIRES: the env outlives
// every File and FileLock it returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/env.h"

namespace neuroquantum {

// What survives of unsynced writes at a simulated power loss.
enum class CrashMode : uint8_t {
  kDropUnsynced,        // nothing unsynced survives
  kKeepRandomUnsynced,  // each unsynced write or truncate survives with p=1/2
};

// What an armed crash does to the op it fires on.
enum class CrashAction : uint8_t {
  kDropOp,     // the op is not performed at all
  kTearWrite,  // a write keeps a prefix (a torn page); a Sync is dropped
};

class FaultInjectionEnv final : public Env {
 public:
  FaultInjectionEnv() = default;
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;
  ~FaultInjectionEnv() override = default;

  // Env. Modes behave as in PosixEnv: kReadOnly/kReadWrite fail with
  // kNotFound if the file is missing; kCreateNew fails with kAlreadyExists if
  // present; creating fails with kNotFound if the parent directory is
  // missing and with IOError("simulated crash") while down. A kReadOnly
  // handle fails WriteAt/Truncate/Allocate with kIOError (Sync is allowed).
  // Files: ReadAt past EOF reads 0 bytes; Allocate only checks the handle
  // (extends nothing); Truncate records an unsynced mutation; writes or
  // truncates beyond 4 GiB fail with kNoSpace. Every call on a handle opened
  // before the last SimulateCrash fails with
  // IOError("file handle invalidated by simulated crash").
  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  // kNotFound if missing. Open handles keep working. Durable after SyncDir.
  Status RemoveFile(const std::string& path) override;
  // Replaces `to`. kNotFound if `from` or the parent of `to` is missing.
  // Durable after SyncDir of both parents.
  Status RenameFile(const std::string& from, const std::string& to) override;
  // Records the directory (parents are not checked); OK if it exists;
  // kAlreadyExists if a file has that path.
  Status CreateDir(const std::string& path) override;
  // Makes the current entries of `path` durable. kNotFound if missing.
  Status SyncDir(const std::string& path) override;
  // True for current files and for directories.
  bool FileExists(const std::string& path) override;
  // Sorted names of the current files and directories directly inside
  // `path`. kNotFound if the directory is missing.
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  // Exclusive in-memory lock keyed by path; creates the file if missing (as
  // PosixEnv does). kBusy while another FileLock for `path` is alive.
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  // Steady clock, microseconds.
  uint64_t NowMicros() override;

  // Simulates power loss (see the file comment): the durable namespace becomes
  // current, file contents become synced bytes plus the unsynced writes that
  // `mode` keeps (kKeepRandomUnsynced draws one bit per unsynced entry, in
  // path order then issue order, from std::mt19937_64(seed), so the outcome
  // is a function of the op history and the seed). Invalidates all open
  // handles, releases all locks, clears armed faults and brings the env UP.
  void SimulateCrash(CrashMode mode, uint64_t seed);

  // Arms a crash at mutating op `op_index`. That op fails with
  // IOError("simulated crash") and the env goes DOWN. With kTearWrite a write
  // first applies its first min(torn_keep_bytes, size) bytes as an unsynced
  // write. Arming an index already passed has no effect; arming an index
  // twice keeps the last fault.
  void CrashAtOp(uint64_t op_index, CrashAction action, size_t torn_keep_bytes = 512);

  // Arms a crash at the write with index `write_index` among the WriteAt calls
  // made through handles opened under exactly `path` (0-based, counted as
  // writes_to(path) counts them). It fires as CrashAtOp does, unless a fault
  // armed by op index takes that op first. Lets a test stop at, say, the
  // n-th control-file write whatever the count of other writes before it.
  void CrashAtWriteTo(const std::string& path, uint64_t write_index, CrashAction action,
                      size_t torn_keep_bytes = 512);

  // Arms a one-time failure of mutating op `op_index` with `code`. A failed
  // write applies no bytes (kNoSpace simulates ENOSPC). A failed Sync drops
  // the file's unsynced writes from the page cache, as Linux does after a
  // writeback error (kIOError simulates EIO from fsync): current becomes the
  // synced bytes, so a caller that retries the Sync loses data silently.
  // Later ops run normally. REQUIRES: code != StatusCode::kOk.
  void FailOpWith(uint64_t op_index, StatusCode code);

  // Arms a short write at mutating op `op_index`: the write applies its first
  // size/2 bytes, then returns NoSpace("short write"). If that op is a Sync it
  // runs normally.
  void ShortWriteAt(uint64_t op_index);

  // Number of mutating ops (WriteAt and Sync calls) issued so far, including
  // those a fault made fail; the index the next one will get. Calls rejected
  // before reaching the "disk" (stale or read-only handle, env DOWN, size
  // limit) are not counted. Never reset, not even by SimulateCrash.
  uint64_t mutating_ops() const;
  // Number of WriteAt calls counted as mutating ops that went through handles
  // opened under exactly `path`; the index the next one will get. Never
  // reset; a rename does not move the count to the new name.
  uint64_t writes_to(const std::string& path) const;
  // True while DOWN: an armed crash fired and SimulateCrash was not called.
  bool crashed() const;

 private:
  struct FileState;
  class FaultFile;
  class FaultLock;

  enum class FaultKind : uint8_t { kNone, kCrashDropOp, kCrashTearWrite, kFail, kShortWrite };
  struct Fault {
    FaultKind kind = FaultKind::kNone;
    StatusCode code = StatusCode::kOk;  // kFail only
    size_t torn_keep_bytes = 0;         // kCrashTearWrite only
  };

  // All REQUIRES: mu_ held.
  Fault TakeFault(uint64_t op_index);
  static Fault CrashFault(CrashAction action, size_t torn_keep_bytes);
  Status WriteLocked(FileState* file, const std::string& path, uint64_t offset,
                     std::span<const uint8_t> data);
  Status SyncLocked(FileState* file);
  Result<std::shared_ptr<FileState>> CreateFileLocked(const std::string& path);
  bool DirExistsLocked(const std::string& dir) const;

  mutable std::mutex mu_;
  // Everything below is guarded by mu_.
  uint64_t epoch_ = 0;  // bumped by SimulateCrash; handles of older epochs are stale
  uint64_t mutating_ops_ = 0;
  bool down_ = false;
  std::map<uint64_t, Fault> faults_;  // armed faults by op index
  std::map<std::string, uint64_t> path_writes_;  // writes_to() by path
  // Armed crashes by (path, index among that path's writes).
  std::map<std::pair<std::string, uint64_t>, Fault> path_faults_;
  std::map<std::string, std::shared_ptr<FileState>> files_;          // current namespace
  std::map<std::string, std::shared_ptr<FileState>> durable_files_;  // durable namespace
  std::set<std::string> dirs_;
  std::map<std::string, uint64_t> locks_;  // path -> id of the FaultLock holding it
  uint64_t next_lock_id_ = 1;
};

}  // namespace neuroquantum
