// Hebbian co-access model and the policies built on it: learning, decay,
// pruning, bounded memory, and replay against LRU and CLOCK.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "neuro/access_trace_file.h"
#include "neuro/cache_simulator.h"
#include "neuro/hebbian_model.h"
#include "neuro/hebbian_policy.h"
#include "neuro/lru_replacer.h"
#include "neuro/trace_generators.h"
#include "common/fault_injection_env.h"
#include "storage/buffer_pool.h"
#include "storage/page_file.h"

namespace neuroquantum::neuro {
namespace {

TEST(HebbianModelTest, CoAccessStrengthensLinksByDistance) {
  HebbianOptions o;
  o.window = 2;
  HebbianModel model(o);
  for (int i = 0; i < 3; ++i) {
    model.Observe(1);
    model.Observe(2);
    model.Observe(3);
    model.Observe(100 + i);  // 2 is then out of 1's window: no 2 -> 1 link
  }
  // Each round adds 1 to 1->2 and 0.5 to 1->3 (decay over 12 accesses is negligible).
  EXPECT_NEAR(model.Weight(1, 2), 3.0, 1e-3);
  EXPECT_NEAR(model.Weight(1, 3), 1.5, 1e-3);
  EXPECT_EQ(model.Weight(2, 1), 0.0);
  ASSERT_TRUE(model.PredictNext(1).has_value());
  EXPECT_EQ(*model.PredictNext(1), 2u);
  EXPECT_FALSE(model.PredictNext(101).has_value());  // never followed by anything
}

TEST(HebbianModelTest, RepeatedAccessesDoNotLearnSelfLinks) {
  HebbianModel model;
  model.Observe(5);
  model.Observe(5);
  model.Observe(6);
  EXPECT_EQ(model.Weight(5, 5), 0.0);
  EXPECT_DOUBLE_EQ(model.Weight(5, 6), 1.0);
  EXPECT_EQ(model.accesses(), 2u);
}

TEST(HebbianModelTest, LinksDecayWithTheHalfLifeAndArePruned) {
  HebbianOptions o;
  o.half_life = 10;
  o.window = 1;
  o.prune_below = 0.1;
  HebbianModel model(o);
  model.Observe(1);
  model.Observe(2);
  for (uint64_t i = 0; i < 10; ++i) model.Observe(1000 + i);
  EXPECT_NEAR(model.Weight(1, 2), 0.5, 1e-9);  // 10 accesses later: half
  for (uint64_t i = 0; i < 40; ++i) model.Observe(2000 + i);
  // Touching item 1 again prunes its decayed link.
  model.Observe(1);
  model.Observe(3);
  EXPECT_EQ(model.Weight(1, 2), 0.0);
  EXPECT_DOUBLE_EQ(model.Weight(1, 3), 1.0);
}

TEST(HebbianModelTest, MemoryIsBounded) {
  HebbianOptions o;
  o.max_items = 100;
  o.links_per_item = 3;
  HebbianModel model(o);
  auto trace = UniformTrace(5000, 20000, 1);
  for (uint64_t p : trace) model.Observe(p);
  EXPECT_LE(model.item_count(), 100u);
  EXPECT_LE(model.link_count(), 300u);
}

double HitRate(const std::vector<uint64_t>& trace, size_t frames, const char* policy) {
  auto p = MakeReplacementPolicy(policy, frames);
  EXPECT_TRUE(p.ok());
  return ReplayTrace(trace, frames, p->get()).hit_rate();
}

TEST(HebbianPolicyTest, ClearlyBetterThanLruOnALoopingScan) {
  auto trace = LoopingScanTrace(150, 30000);
  double lru = HitRate(trace, 100, "lru");
  double clock = HitRate(trace, 100, "clock");
  double hebbian = HitRate(trace, 100, "hebbian");
  EXPECT_LT(lru, 0.01);  // LRU thrashes on a loop longer than the pool
  EXPECT_LT(clock, 0.01);
  EXPECT_GT(hebbian, lru + 0.4);
}

TEST(HebbianPolicyTest, BetterThanLruOnCorrelatedQueries) {
  auto trace = CorrelatedTrace(4000, 30, 16, 0.1, 60000, 2);
  double lru = HitRate(trace, 400, "lru");
  double hebbian = HitRate(trace, 400, "hebbian");
  EXPECT_GT(hebbian, lru + 0.1) << "lru " << lru << " hebbian " << hebbian;
}

TEST(HebbianPolicyTest, NeverMuchWorseThanLruOnRandomTraces) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto uniform = UniformTrace(1000, 20000, seed);
    EXPECT_GE(HitRate(uniform, 200, "hebbian"), HitRate(uniform, 200, "lru") - 0.01) << seed;
    auto zipf = ZipfianTrace(2000, 0.99, 20000, seed);
    EXPECT_GE(HitRate(zipf, 200, "hebbian"), HitRate(zipf, 200, "lru") - 0.01) << seed;
  }
}

TEST(HebbianPolicyTest, PrefetcherHidesMostMissesOfAScan) {
  auto trace = LoopingScanTrace(500, 5000);
  LruReplacer lru(100);
  HebbianPrefetcher prefetcher({}, 4);
  ReplayResult with = ReplayTrace(trace, 100, &lru, &prefetcher);
  EXPECT_GT(with.hit_rate(), 0.6);
  EXPECT_GT(with.prefetch_hits, 0u);
  EXPECT_EQ(with.hits + with.misses, with.accesses);
}

TEST(HebbianPolicyTest, VictimHonoursEvictable) {
  HebbianReplacer policy(4);
  for (FrameId f = 0; f < 4; ++f) policy.RecordAccess(f, 10 + f);
  auto victim = policy.Victim([](FrameId f) { return f == 2; });
  ASSERT_TRUE(victim.has_value());
  EXPECT_EQ(*victim, 2u);
  EXPECT_FALSE(policy.Victim([](FrameId) { return false; }).has_value());
}

TEST(AccessTraceFileTest, RoundTripAndBadLines) {
  std::vector<storage::AccessEvent> events = {{7, 2, storage::AccessKind::kRead, 1, true},
                                              {9, 2, storage::AccessKind::kWrite, 1, false},
                                              {11, 3, storage::AccessKind::kPrefetch, 0, false}};
  auto parsed = ParseTrace(FormatTrace(events));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[1].page_id, 9u);
  EXPECT_EQ((*parsed)[1].kind, storage::AccessKind::kWrite);
  EXPECT_TRUE((*parsed)[0].hit);
  EXPECT_EQ(DemandPages(*parsed), (std::vector<uint64_t>{7, 9}));
  auto minimal = ParseTrace("# nqdb access trace v1\n# comment\n5\n\n6 1\n");
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(DemandPages(*minimal), (std::vector<uint64_t>{5, 6}));
  auto bad = ParseTrace("# nqdb access trace v1\n5\nx 1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 3"), std::string_view::npos);
  EXPECT_FALSE(ParseTrace("5\n").ok());
  EXPECT_FALSE(ParseTrace("# nqdb access trace v1\n5 1 q\n").ok());
}

TEST(AccessTraceFileTest, RecorderCollectsEvents) {
  TraceRecorder recorder;
  recorder.Record({3, 1, storage::AccessKind::kRead, 0, false});
  recorder.Record({4, 1, storage::AccessKind::kRead, 0, true});
  EXPECT_EQ(recorder.events().size(), 2u);
  recorder.Clear();
  EXPECT_TRUE(recorder.events().empty());
}

// The replacer plugged into the engine's real buffer pool through its
// policy seam: a loop over more pages than frames hits far more often
// than with the pool's default CLOCK.
TEST(HebbianPolicyTest, WorksInsideTheBufferPool) {
  FaultInjectionEnv env;
  auto file = storage::PageFile::Create(&env, "db", 4096, 1);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::vector<uint8_t> page(4096, 0);
  for (storage::PageId id = 1; id <= 24; ++id) {
    storage::SetPageType(page.data(), storage::PageType::kFree);
    ASSERT_TRUE((*file)->WritePage(id, page).ok());
  }
  auto run = [&](std::unique_ptr<storage::ReplacementPolicy> policy) {
    storage::BufferPool pool(file->get(), 16 * 4096, std::move(policy));
    for (int round = 0; round < 20; ++round) {
      for (storage::PageId id = 1; id <= 24; ++id) {
        EXPECT_TRUE(pool.Fetch(id, storage::LatchMode::kShared).ok());
      }
    }
    return pool.stats().hit_rate();
  };
  double clock = run(nullptr);
  double hebbian = run(std::make_unique<HebbianReplacer>(16));
  EXPECT_LT(clock, 0.05);
  EXPECT_GT(hebbian, 0.4);
}

// The prefetcher plugged into the pool's prefetch seam: after the loop has
// been seen twice, the pool's background thread loads predicted pages.
TEST(HebbianPolicyTest, PrefetcherDrivesTheBufferPoolsPrefetchThread) {
  FaultInjectionEnv env;
  auto file = storage::PageFile::Create(&env, "db", 4096, 1);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::vector<uint8_t> page(4096, 0);
  for (storage::PageId id = 1; id <= 24; ++id) {
    storage::SetPageType(page.data(), storage::PageType::kFree);
    ASSERT_TRUE((*file)->WritePage(id, page).ok());
  }
  HebbianPrefetcher prefetcher;
  storage::BufferPool pool(file->get(), 16 * 4096);
  pool.SetPrefetchAdvisor(&prefetcher);
  pool.StartBackground(0);
  for (int round = 0; round < 50 && pool.stats().prefetches == 0; ++round) {
    for (storage::PageId id = 1; id <= 24; ++id) {
      ASSERT_TRUE(pool.Fetch(id, storage::LatchMode::kShared).ok());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pool.StopBackground();
  EXPECT_GE(pool.stats().prefetches, 1u);
}

}  // namespace
}  // namespace neuroquantum::neuro
