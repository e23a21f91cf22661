// Scratch directories for the benchmark programs: on a disk-backed
// filesystem (fsync on tmpfs or ramfs measures nothing), created fresh with
// mkdtemp, named by the filesystem type for the report. Failures end the
// program with a message: a benchmark never runs somewhere it cannot trust.
#pragma once

#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "fmt/format.h"

namespace neuroquantum::bench {

[[noreturn]] inline void ScratchDie(const std::string& message) {
  fmt::print(stderr, "benchmark: {}\n", message);
  std::exit(1);
}

inline uint64_t FsMagic(const std::string& path) {
  struct statfs info {};
  if (::statfs(path.c_str(), &info) != 0) ScratchDie(fmt::format("statfs {}: {}", path, strerror(errno)));
  return static_cast<uint64_t>(info.f_type);
}

inline std::string FsTypeName(uint64_t magic) {
  switch (magic) {
    case 0xEF53: return "ext2/ext3/ext4";
    case 0x01021994: return "tmpfs";
    case 0x858458F6: return "ramfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0xF2F52010: return "f2fs";
    case 0x6969: return "nfs";
    default: return fmt::format("unknown (0x{:x})", magic);
  }
}

inline bool IsMemoryFs(const std::string& path) {
  uint64_t magic = FsMagic(path);
  return magic == 0x01021994 || magic == 0x858458F6;
}

// A fresh directory `<parent>/<name>.??????` (mkdtemp). An empty `parent`
// means /tmp, or ./bench-data when /tmp is in memory.
inline std::string MakeScratchDir(std::string parent, const std::string& name) {
  if (parent.empty()) parent = IsMemoryFs("/tmp") ? "./bench-data" : "/tmp";
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) ScratchDie(fmt::format("cannot create {}: {}", parent, ec.message()));
  std::string templ = std::filesystem::absolute(parent).string() + "/" + name + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) ScratchDie(fmt::format("mkdtemp {}: {}", templ, strerror(errno)));
  return templ;
}

}  // namespace neuroquantum::bench
