// PageTable against std::unordered_map under random inserts and erases,
// including long probe runs that wrap around the end of the array.
#include "storage/page_table.h"

#include <random>
#include <unordered_map>

#include <gtest/gtest.h>

namespace neuroquantum::storage {
namespace {

TEST(PageTableTest, MatchesModelUnderRandomChurn) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    constexpr size_t kMax = 200;
    PageTable table(kMax);
    std::unordered_map<PageId, FrameId> model;
    std::mt19937_64 rng(seed);
    // Small key universes force collisions and long runs; large ones spread.
    const PageId universe = seed % 2 == 0 ? 300 : 1'000'000;
    for (int step = 0; step < 50'000; ++step) {
      PageId id = rng() % universe;
      bool present = model.count(id) != 0;
      if (!present && model.size() < kMax && rng() % 2 == 0) {
        FrameId f = static_cast<FrameId>(rng() % 1000);
        table.Insert(id, f);
        model[id] = f;
      } else if (present && rng() % 3 == 0) {
        ASSERT_TRUE(table.Erase(id));
        model.erase(id);
      } else if (!present) {
        ASSERT_FALSE(table.Erase(id));
      }
      auto found = table.Find(id);
      ASSERT_EQ(found.has_value(), model.count(id) != 0) << "seed " << seed << " step " << step;
      if (found) {
        ASSERT_EQ(*found, model[id]);
      }
      ASSERT_EQ(table.size(), model.size());
    }
    for (const auto& [id, frame] : model) {
      auto found = table.Find(id);
      ASSERT_TRUE(found.has_value());
      EXPECT_EQ(*found, frame);
    }
  }
}

TEST(PageTableTest, FullTableStaysReachable) {
  PageTable table(64);
  for (PageId id = 0; id < 64; ++id) table.Insert(id * 1024, static_cast<FrameId>(id));
  for (PageId id = 0; id < 64; id += 2) ASSERT_TRUE(table.Erase(id * 1024));
  for (PageId id = 0; id < 64; ++id) {
    auto found = table.Find(id * 1024);
    ASSERT_EQ(found.has_value(), id % 2 == 1) << id;
    if (found) {
      EXPECT_EQ(*found, id);
    }
  }
}

}  // namespace
}  // namespace neuroquantum::storage
