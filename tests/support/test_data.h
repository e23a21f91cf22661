// Locating the public test material (DNA genomes, QUBO instances, ML data
// sets, SQL logic tests). It lives outside the repository, in ../shared/data
// beside the source tree; NQDB_TEST_DATA overrides the location. Tests that
// need it skip with a message naming the path they looked in when it is
// missing, so a run without the data says so instead of passing silently.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace neuroquantum::testing {

// The data root: $NQDB_TEST_DATA, else <source>/../shared/data.
inline std::filesystem::path TestDataRoot() {
  if (const char* env = std::getenv("NQDB_TEST_DATA"); env != nullptr && *env != '\0') {
    return std::filesystem::path(env);
  }
  return std::filesystem::path(NQ_SOURCE_DIR).parent_path() / "shared" / "data";
}

// A subdirectory of the data root, e.g. TestDataDir("dna"); empty path when
// it does not exist.
inline std::filesystem::path TestDataDir(const std::string& subdir) {
  std::filesystem::path dir = TestDataRoot() / subdir;
  std::error_code ec;
  return std::filesystem::is_directory(dir, ec) ? dir : std::filesystem::path();
}

}  // namespace neuroquantum::testing

// Skips the current GoogleTest test when the data subdirectory is missing and
// binds its path to `var` otherwise.
#define NQ_REQUIRE_TEST_DATA(var, subdir)                                                     \
  const std::filesystem::path var = ::neuroquantum::testing::TestDataDir(subdir);             \
  if (var.empty()) {                                                                          \
    GTEST_SKIP() << "test data missing: " << (::neuroquantum::testing::TestDataRoot() / subdir) \
                 << " not found (set NQDB_TEST_DATA to the data directory)";                  \
  }
