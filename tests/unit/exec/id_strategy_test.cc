// Id strategies: Snowflake ids under a clock that stands still or steps
// back, and the layout and order of UUIDs.
#include "exec/id_strategy.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace neuroquantum::exec {
namespace {

constexpr int64_t kT = 1767225600000;  // 2026-01-01T00:00:00Z

int64_t Millis(int64_t id) { return (id >> 22) + kSnowflakeEpochMs; }
uint32_t Machine(int64_t id) { return static_cast<uint32_t>((id >> 12) & kMaxMachineId); }
int64_t Sequence(int64_t id) { return id & 4095; }

TEST(SnowflakeTest, LayoutIsTimeMachineSequence) {
  int64_t id = NextSnowflakeId(0, kT, 5);
  EXPECT_EQ(Millis(id), kT);
  EXPECT_EQ(Machine(id), 5u);
  EXPECT_EQ(Sequence(id), 0);
  // The next millisecond starts a new sequence.
  int64_t later = NextSnowflakeId(id, kT + 1, 5);
  EXPECT_EQ(Millis(later), kT + 1);
  EXPECT_EQ(Sequence(later), 0);
}

TEST(SnowflakeTest, SameMillisecondCountsTheSequence) {
  int64_t id = NextSnowflakeId(0, kT, 7);
  for (int i = 1; i < 4096; ++i) {
    int64_t next = NextSnowflakeId(id, kT, 7);
    ASSERT_EQ(next, id + 1);
    id = next;
  }
  EXPECT_EQ(Sequence(id), 4095);
  // The sequence is used up: the next id borrows the next millisecond and
  // keeps the machine's bits.
  int64_t next = NextSnowflakeId(id, kT, 7);
  EXPECT_EQ(Millis(next), kT + 1);
  EXPECT_EQ(Machine(next), 7u);
  EXPECT_EQ(Sequence(next), 0);
}

TEST(SnowflakeTest, ClockSteppingBackNeverRepeatsOrDecreases) {
  std::set<int64_t> seen;
  int64_t last = 0;
  // The clock runs, jumps back 5 s, stands still, then catches up.
  std::vector<int64_t> clock;
  for (int i = 0; i < 100; ++i) clock.push_back(kT + i);
  for (int i = 0; i < 3000; ++i) clock.push_back(kT - 5000);
  for (int i = 0; i < 100; ++i) clock.push_back(kT + 200 + i);
  for (int64_t now : clock) {
    int64_t id = NextSnowflakeId(last, now, 1023);
    ASSERT_GT(id, last) << "at clock " << now;
    ASSERT_EQ(Machine(id), 1023u);
    ASSERT_TRUE(seen.insert(id).second);
    last = id;
  }
  // Once the clock passes the ids handed out, they follow the clock again.
  EXPECT_EQ(Millis(last), kT + 299);
}

TEST(SnowflakeTest, ForeignMachineIdAheadIsPassedWithOwnBits) {
  int64_t foreign = NextSnowflakeId(0, kT + 10, 3);  // e.g. an explicit id
  int64_t id = NextSnowflakeId(foreign, kT, 4);
  EXPECT_GT(id, foreign);
  EXPECT_EQ(Machine(id), 4u);
}

TEST(UuidTest, VersionVariantAndText) {
  std::string v4 = NewUuidV4();
  ASSERT_EQ(v4.size(), 16u);
  EXPECT_EQ(static_cast<uint8_t>(v4[6]) >> 4, 4);
  EXPECT_EQ(static_cast<uint8_t>(v4[8]) >> 6, 2);
  std::string v7 = NewUuidV7(kT);
  EXPECT_EQ(static_cast<uint8_t>(v7[6]) >> 4, 7);
  EXPECT_EQ(static_cast<uint8_t>(v7[8]) >> 6, 2);
  uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | static_cast<uint8_t>(v7[i]);
  EXPECT_GE(ms, static_cast<uint64_t>(kT));
  std::string text = FormatUuid(v7);
  ASSERT_EQ(text.size(), 36u);
  EXPECT_EQ(text[8], '-');
  EXPECT_EQ(text[13], '-');
  EXPECT_EQ(text[14], '7');
  EXPECT_EQ(text[18], '-');
  EXPECT_EQ(text[23], '-');
  EXPECT_EQ(FormatUuid(std::string("\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef", 16)),
            "01234567-89ab-cdef-0123-456789abcdef");
}

TEST(UuidTest, V7StrictlyIncreasesWithinAMillisecondAndWhenTheClockStepsBack) {
  std::string last = NewUuidV7(kT + 1000000);
  for (int i = 0; i < 2000; ++i) {
    std::string next = NewUuidV7(i < 1000 ? kT + 1000000 : kT);  // still, then back
    ASSERT_GT(next, last) << i;
    EXPECT_EQ(static_cast<uint8_t>(next[6]) >> 4, 7);
    last = next;
  }
}

}  // namespace
}  // namespace neuroquantum::exec
