// ARC baseline: scan resistance, ghost-hit adaptation, and no worse than
// LRU on skewed traffic.
#include <gtest/gtest.h>

#include "neuro/arc_replacer.h"
#include "neuro/cache_simulator.h"
#include "neuro/trace_generators.h"

namespace neuroquantum::neuro {
namespace {

double HitRate(const std::vector<uint64_t>& trace, size_t frames, const char* policy) {
  auto p = MakeReplacementPolicy(policy, frames);
  EXPECT_TRUE(p.ok());
  return ReplayTrace(trace, frames, p->get()).hit_rate();
}

TEST(ArcReplacerTest, AHotSetSurvivesOneOffScans) {
  // 60 hot pages used twice per round, then a scan of 80 pages never seen
  // again: the scan flushes most of the hot set from LRU, while ARC keeps
  // it in T2 (pages seen twice) and lets the scan pass through T1.
  std::vector<uint64_t> trace;
  uint64_t next_cold = 1000;
  for (int round = 0; round < 200; ++round) {
    for (int pass = 0; pass < 2; ++pass) {
      for (uint64_t hot = 1; hot <= 60; ++hot) trace.push_back(hot);
    }
    for (int i = 0; i < 80; ++i) trace.push_back(next_cold++);
  }
  double lru = HitRate(trace, 100, "lru");
  double arc = HitRate(trace, 100, "arc");
  EXPECT_LT(lru, 0.31);
  EXPECT_GT(arc, lru + 0.2);
}

TEST(ArcReplacerTest, NotWorseThanLruOnZipfian) {
  auto trace = ZipfianTrace(3000, 0.99, 30000, 4);
  EXPECT_GE(HitRate(trace, 300, "arc"), HitRate(trace, 300, "lru") - 0.01);
}

TEST(ArcReplacerTest, GhostHitsMoveTheTarget) {
  ArcReplacer arc(2);
  auto all = [](storage::FrameId) { return true; };
  arc.RecordAccess(0, 1);
  arc.RecordAccess(1, 2);
  auto victim = arc.Victim(all);  // T1 holds both; p = 0: evict from T1's LRU end
  ASSERT_TRUE(victim.has_value());
  EXPECT_EQ(*victim, 0u);
  arc.Remove(*victim);  // page 1 becomes a B1 ghost
  arc.RecordAccess(0, 1);  // ghost hit in B1: T1 was too small
  EXPECT_GE(arc.target_t1(), 1u);
  EXPECT_FALSE(arc.Victim([](storage::FrameId) { return false; }).has_value());
}

}  // namespace
}  // namespace neuroquantum::neuro
