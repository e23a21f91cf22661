// A scratch directory for a test: created fresh under $TMPDIR (or /tmp)
// and removed with its contents when the object goes away. Declare it
// before the members that keep files open in it, so they close first.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

namespace neuroquantum::testing {

class TempDir {
 public:
  // `prefix` names the directory ("nqdb-test-" gives /tmp/nqdb-test-a1B2c3),
  // so leftovers of a crashed test say which test made them. A directory
  // that cannot be created ends the test program: nothing can run.
  explicit TempDir(std::string_view prefix = "nqdb-test-") {
    std::error_code ec;
    std::filesystem::path parent = std::filesystem::temp_directory_path(ec);
    if (ec) parent = "/tmp";
    std::string templ = (parent / (std::string(prefix) + "XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) {
      std::fprintf(stderr, "cannot create a test directory %s: %s\n", templ.c_str(), std::strerror(errno));
      std::abort();
    }
    path_ = std::move(templ);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // `name` inside the directory.
  std::string Path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace neuroquantum::testing
