// Small POSIX file helpers of the server's auth files (key store, JWT
// secret): errno to Status, an owned descriptor, whole-file reads and
// atomic, durable replacement.
#pragma once

#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>

#include "neuroquantum/result.h"

namespace neuroquantum::server {

// NoSpace for ENOSPC/EDQUOT, NotFound for ENOENT, IOError otherwise.
Status ErrnoStatus(const std::string& context, int err);

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now, reporting the error a plain destructor would swallow.
  int Close() { return ::close(std::exchange(fd_, -1)); }

 private:
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

// The directory part of `path` ("." when there is none).
std::string DirOf(const std::string& path);
Status SyncDir(const std::string& dir);
Status WriteAll(int fd, std::string_view data, const std::string& path);
Result<std::string> ReadAll(int fd, const std::string& path);

// Replaces `path` with `content` (mode 0600) so that readers see either the
// old or the new file, never a partial one, and the change survives power
// loss.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace neuroquantum::server
