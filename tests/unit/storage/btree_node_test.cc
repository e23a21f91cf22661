// One B+ tree node against a sorted vector: LowerBound through the key
// prefix and slot heads, with keys that share long prefixes, differ only
// past the head, are prefixes of each other, or fall outside the prefix.
#include "storage/btree_node.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace neuroquantum::storage::btree {
namespace {

constexpr uint32_t kPageSize = 4096;

std::string RandomKey(std::mt19937_64& rng) {
  // A few shared stems so prefixes are long, with short random tails;
  // byte values from a tiny alphabet (including 0) to force equal heads.
  static const std::string kStems[] = {std::string(10, '\0') + "stem", "stem", "st", ""};
  std::string key = kStems[rng() % 4];
  size_t tail = rng() % 5;
  for (size_t i = 0; i < tail; ++i) key.push_back(static_cast<char>("\0\1\x7f\x80\xff"[rng() % 5]));
  return key;
}

void ExpectSearchMatches(const Node& node, const std::vector<std::string>& model,
                         const std::string& probe) {
  auto it = std::lower_bound(model.begin(), model.end(), probe);
  bool found = false;
  uint16_t pos = node.LowerBound(probe, &found);
  ASSERT_EQ(pos, it - model.begin()) << "probe size " << probe.size();
  ASSERT_EQ(found, it != model.end() && *it == probe);
}

TEST(BTreeNodeTest, SearchThroughPrefixAndHeadsMatchesSortedModel) {
  for (bool leaf : {true, false}) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      std::vector<uint8_t> page(kPageSize);
      Node node(page.data(), kPageSize);
      node.Init(leaf ? PageType::kLeaf : PageType::kInternal, leaf ? 0 : 1, 7);
      std::vector<std::string> model;
      std::mt19937_64 rng(seed);
      for (int step = 0; step < 400; ++step) {
        std::string key = RandomKey(rng);
        bool found = false;
        uint16_t pos = node.LowerBound(key, &found);
        if (rng() % 4 != 0 && !found) {
          std::string cell = leaf ? MakeLeafCell(key, "v") : MakeInternalCell(key, 42);
          if (node.InsertCell(pos, cell)) model.insert(model.begin() + pos, key);
        } else if (found) {
          node.RemoveCell(pos);
          model.erase(model.begin() + pos);
        }
        if (rng() % 50 == 0 && !model.empty()) {  // the left half of a split
          uint16_t keep = static_cast<uint16_t>(rng() % model.size());
          node.Truncate(keep);
          model.resize(keep);
        }
        ASSERT_EQ(node.Validate(/*check_order=*/true), "") << "seed " << seed << " step " << step;
        ASSERT_EQ(node.count(), model.size());
        for (int probe = 0; probe < 8; ++probe) {
          ExpectSearchMatches(node, model, RandomKey(rng));
        }
        for (const auto& k : model) ExpectSearchMatches(node, model, k);
      }
    }
  }
}

TEST(BTreeNodeTest, PrefixShrinksForOutsideKeyAndGrowsAfterTruncate) {
  std::vector<uint8_t> page(kPageSize);
  Node node(page.data(), kPageSize);
  node.Init(PageType::kLeaf, 0, 1);
  ASSERT_TRUE(node.InsertCell(0, MakeLeafCell("abcdef1", "v")));
  ASSERT_TRUE(node.InsertCell(1, MakeLeafCell("abcdef2", "v")));
  EXPECT_EQ(node.prefix_len(), 6);
  ASSERT_TRUE(node.InsertCell(2, MakeLeafCell("abz", "v")));
  EXPECT_EQ(node.prefix_len(), 2);
  EXPECT_EQ(node.Validate(true), "");
  node.Truncate(2);
  EXPECT_EQ(node.prefix_len(), 6);
  EXPECT_EQ(node.Validate(true), "");
  node.Truncate(0);
  EXPECT_EQ(node.prefix_len(), 0);
}

TEST(BTreeNodeTest, ValidateReportsStaleHead) {
  std::vector<uint8_t> page(kPageSize);
  Node node(page.data(), kPageSize);
  node.Init(PageType::kLeaf, 0, 1);
  ASSERT_TRUE(node.InsertCell(0, MakeLeafCell("key-a", "v")));
  ASSERT_TRUE(node.InsertCell(1, MakeLeafCell("key-b", "v")));
  page[kSlotsOffset + kSlotSize + 2] ^= 0x01;  // head of slot 1
  EXPECT_NE(node.Validate(true).find("stale key head"), std::string::npos);
}

}  // namespace
}  // namespace neuroquantum::storage::btree
