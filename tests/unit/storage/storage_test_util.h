// Helpers shared by storage tests: an in-memory database fixture and a
// reference-model comparison.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "fmt/format.h"

#include "common/fault_injection_env.h"
#include "common/log.h"
#include "storage/check.h"
#include "storage/engine.h"
#include "support/temp_dir.h"

namespace neuroquantum::storage::testing {

// Returns the value of a Result that must be OK (aborts the test otherwise).
template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.status().ToString();
    std::abort();
  }
  return std::move(result).value();
}

using neuroquantum::testing::TempDir;

inline Options SmallOptions(Env* env) {
  // Recovery logs at info level on every reopen; tests only want problems.
  (void)ConfigureLogging("error");
  Options o;
  o.env = env;
  o.buffer_pool_mib = 1;  // 256 frames of 4 KiB: forces eviction
  o.wal_segment_mib = 1;
  o.max_wal_mib = 8;
  o.flush_interval_ms = 0;
  return o;
}

// Asserts the integrity checker finds nothing wrong.
inline void ExpectIntegrity(StorageEngine* engine) {
  CheckReport report;
  ASSERT_TRUE(CheckDatabase(engine, &report).ok());
  for (const auto& p : report.problems) ADD_FAILURE() << p;
}

// Asserts that the tree holds exactly `model`, in order, both directions.
inline void ExpectTreeEquals(StorageEngine* engine, TreeId tree,
                             const std::map<std::string, std::string>& model) {
  auto it = engine->NewIterator(tree);
  ASSERT_TRUE(it.ok()) << it.status().ToString();
  auto expected = model.begin();
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next(), ++expected) {
    ASSERT_NE(expected, model.end()) << "extra key " << (*it)->key();
    ASSERT_EQ((*it)->key(), expected->first);
    auto value = (*it)->value();
    ASSERT_TRUE(value.ok()) << value.status().ToString();
    ASSERT_EQ(*value, expected->second) << "key " << expected->first;
  }
  ASSERT_TRUE((*it)->status().ok()) << (*it)->status().ToString();
  ASSERT_EQ(expected, model.end()) << "missing key " << expected->first;
  auto back = model.rbegin();
  for ((*it)->SeekToLast(); (*it)->Valid(); (*it)->Prev(), ++back) {
    ASSERT_NE(back, model.rend());
    ASSERT_EQ((*it)->key(), back->first);
  }
  ASSERT_EQ(back, model.rend());
}

}  // namespace neuroquantum::storage::testing
