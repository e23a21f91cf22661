// Container integrity, Reed-Solomon error injection, streaming, progress and
// cancellation.
#include <atomic>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "dna/dna.h"
#include "dna/reed_solomon.h"

namespace neuroquantum::dna {
namespace {

std::string Genome(size_t bases, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s = ">test genome\n";
  for (size_t i = 0; i < bases; ++i) {
    s.push_back("ACGT"[rng() % 4]);
    if (i % 60 == 59) s.push_back('\n');
  }
  s.push_back('\n');
  return s;
}

std::string CompressOrDie(const std::string& input, EccLevel ecc, ContainerInfo* info = nullptr) {
  CompressOptions options;
  options.ecc = ecc;
  auto packed = Compress(input, options, info);
  EXPECT_TRUE(packed.ok()) << packed.status().ToString();
  return packed.ok() ? *packed : std::string();
}

class ContainerTest : public ::testing::Test {
 protected:
  const std::string input_ = Genome(40000, 11);
};

TEST_F(ContainerTest, ForeignDataIsRejected) {
  for (std::string foreign : {std::string(), std::string("hello"), std::string(100, 'x'),
                              std::string("NQDN"), std::string("NQDE\x01\x02")}) {
    auto result = Decompress(foreign);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kCorruption) << result.status().ToString();
  }
}

TEST_F(ContainerTest, EveryFlippedByteIsDetectedWithoutEcc) {
  const std::string packed = CompressOrDie(input_, EccLevel::kOff);
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    std::string damaged = packed;
    damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
    auto result = Decompress(damaged);
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(result.status().code() == StatusCode::kCorruption ||
                result.status().code() == StatusCode::kNotSupported);
  }
  for (size_t cut : {size_t{0}, size_t{5}, packed.size() / 2, packed.size() - 1}) {
    EXPECT_FALSE(Decompress(packed.substr(0, cut)).ok());
  }
}

TEST_F(ContainerTest, NewerVersionIsNotSupported) {
  std::string packed = CompressOrDie("ACGT", EccLevel::kOff);
  packed[4] = 9;
  EXPECT_EQ(Decompress(packed).status().code(), StatusCode::kNotSupported);
}

// A version-1 container (written before the faster nucleotide models) of
// ">v1 sample\nACGTTGCAACGGTACCATGCATGCAAATTTGGGCCC\nacgtNNNNACGT\n". Its
// checksums are intact, so only the version can refuse it.
constexpr char kVersion1Container[] =
    "\x4e\x51\x44\x4e\x01\x00\x05\x02\x3d\x54\x90\xca\xe3\x58\xda\x04\x4e\x2c\x01"
    "\x01\x1f\x19\x02\x02\x2c\x0b\xfe\x1f\xfd\x4d\x28\x64\xf3\xda\x2e\x0c\xcb\x0a"
    "\xed\x9c\x0f\x10\xf9\x44\xde\xee\xcf\xf3\xed\x73\x32\xd8\xf0\x7a\xab\x0e\xd8"
    "\x59\x23\xf2\x45\xa7\xd0\x18\xce\xad";

TEST_F(ContainerTest, Version1ContainerIsRefusedClearly) {
  const std::string packed(kVersion1Container, sizeof(kVersion1Container) - 1);
  ASSERT_EQ(packed.size(), 66u);
  auto result = Decompress(packed);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(result.status().ToString().find("version 1 is no longer readable"), std::string::npos)
      << result.status().ToString();
  EXPECT_EQ(Inspect(packed).status().code(), StatusCode::kNotSupported);
}

TEST_F(ContainerTest, CurrentVersionIsWritten) {
  ContainerInfo info;
  const std::string packed = CompressOrDie("ACGT", EccLevel::kOff, &info);
  EXPECT_EQ(packed[4], 2);
  EXPECT_EQ(info.version, 2);
}

TEST_F(ContainerTest, InspectDescribesSections) {
  ContainerInfo written;
  const std::string packed = CompressOrDie(input_, EccLevel::kMedium, &written);
  auto info = Inspect(packed);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->original_size, input_.size());
  EXPECT_EQ(info->bases, 40000u);
  EXPECT_EQ(info->file_size, packed.size());
  EXPECT_EQ(info->container_size, written.container_size);
  EXPECT_EQ(info->ecc.level, EccLevel::kMedium);
  EXPECT_EQ(info->ecc.parity, 16);
  ASSERT_EQ(info->sections.size(), 2u);
  EXPECT_EQ(info->sections[1].id, SectionId::kBases);
  EXPECT_EQ(info->sections[1].raw_size, 40000u);
}

TEST_F(ContainerTest, EccOverheadIsReportedPerLevel) {
  uint64_t previous = 0;
  for (EccLevel level : {EccLevel::kOff, EccLevel::kLow, EccLevel::kMedium, EccLevel::kHigh}) {
    ContainerInfo info;
    const std::string packed = CompressOrDie(input_, level, &info);
    EXPECT_EQ(info.file_size, packed.size());
    EXPECT_GT(info.file_size, previous);
    previous = info.file_size;
    if (level == EccLevel::kOff) continue;
    EXPECT_EQ(info.ecc.payload_size, info.container_size);
    // parity / (255 - parity) of the payload, plus three 24-byte headers and
    // the shortening of the last group.
    const double ratio = static_cast<double>(info.ecc.parity) / (255 - info.ecc.parity);
    const double overhead = static_cast<double>(info.file_size - info.container_size - 72);
    EXPECT_NEAR(overhead / static_cast<double>(info.container_size), ratio, 0.01);
  }
}

// Damages `count` bytes at random positions of codeword `cw` in every group
// (the interleaving spreads adjacent bytes over codewords).
TEST_F(ContainerTest, ErrorsWithinCapacityAreCorrected) {
  for (EccLevel level : {EccLevel::kLow, EccLevel::kMedium, EccLevel::kHigh}) {
    ContainerInfo info;
    const std::string packed = CompressOrDie(input_, level, &info);
    const int capacity = info.ecc.parity / 2;
    std::mt19937_64 rng(static_cast<uint64_t>(level));
    // Random scattered damage: at most `capacity` per codeword is guaranteed
    // when we damage at most `capacity` bytes in total.
    std::string damaged = packed;
    for (int i = 0; i < capacity; ++i) {
      damaged[72 + rng() % (damaged.size() - 72)] ^= static_cast<char>(1 + rng() % 255);
    }
    // A burst of depth * capacity bytes hits each codeword of a group
    // `capacity` times at most.
    const size_t burst = static_cast<size_t>(16 * capacity);
    std::string bursty = packed;
    for (size_t i = 0; i < burst; ++i) bursty[72 + i] ^= 0x5a;
    // Two of the three header copies may go.
    for (size_t i = 0; i < 48; ++i) bursty[i] ^= 0x33;
    for (const std::string* copy : {&damaged, &bursty}) {
      ContainerInfo restored_info;
      auto restored = Decompress(*copy, {}, &restored_info);
      ASSERT_TRUE(restored.ok()) << EccLevelName(level) << ": " << restored.status().ToString();
      EXPECT_EQ(*restored, input_);
      EXPECT_GT(restored_info.ecc.corrected_bytes, 0u);
      EXPECT_EQ(restored_info.ecc.uncorrectable_codewords, 0u);
    }
  }
}

TEST_F(ContainerTest, DamageBeyondCapacityIsReported) {
  ContainerInfo info;
  const std::string packed = CompressOrDie(input_, EccLevel::kLow, &info);
  std::mt19937_64 rng(8);
  std::string damaged = packed;
  // Heavy damage everywhere: far more than 4 bytes per codeword.
  for (size_t i = 72; i < damaged.size(); i += 3) damaged[i] ^= static_cast<char>(1 + rng() % 255);
  auto result = Decompress(damaged);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCorruption);
  EXPECT_NE(result.status().message().find("codewords"), std::string::npos)
      << result.status().ToString();
  // All three header copies damaged.
  std::string headless = packed;
  for (size_t i = 0; i < 72; i += 24) headless[i + 10] ^= 1;
  EXPECT_EQ(Decompress(headless).status().code(), StatusCode::kCorruption);
}

TEST_F(ContainerTest, ProgressAndCancellation) {
  uint64_t calls = 0;
  uint64_t last_total = 0;
  CompressOptions options;
  options.progress = [&](uint64_t done, uint64_t total) {
    ++calls;
    last_total = total;
    EXPECT_LE(done, total);
    return true;
  };
  const std::string big = Genome(200000, 3);
  auto packed = Compress(big, options);
  ASSERT_TRUE(packed.ok());
  EXPECT_GE(calls, 3u);
  EXPECT_EQ(last_total, 200000u);

  options.progress = [](uint64_t done, uint64_t) { return done < 70000; };
  EXPECT_EQ(Compress(big, options).status().code(), StatusCode::kAborted);

  std::atomic<bool> cancel{true};
  DecompressOptions decompress;
  decompress.cancel = &cancel;
  EXPECT_EQ(Decompress(*packed, decompress).status().code(), StatusCode::kAborted);
  cancel = false;
  auto restored = Decompress(*packed, decompress);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*restored, big);
}

class StringSink : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    ++pieces;
    out.append(bytes);
    return Status::OK();
  }
  std::string out;
  int pieces = 0;
};

TEST_F(ContainerTest, StreamingInterfaces) {
  CompressOptions options;
  StreamCompressor stream(options);
  for (size_t pos = 0; pos < input_.size(); pos += 777) stream.Append(input_.substr(pos, 777));
  EXPECT_EQ(stream.buffered_bytes(), input_.size());
  auto packed = stream.Finish();
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(stream.buffered_bytes(), 0u);
  StringSink sink;
  ASSERT_TRUE(DecompressTo(*packed, &sink).ok());
  EXPECT_EQ(sink.out, input_);
  EXPECT_GE(sink.pieces, 1);
  // Damaged data never reaches the sink.
  std::string damaged = *packed;
  damaged[damaged.size() / 2] ^= 1;
  StringSink untouched;
  EXPECT_FALSE(DecompressTo(damaged, &untouched).ok());
  EXPECT_TRUE(untouched.out.empty());
}

TEST(EccLevelTest, Names) {
  EccLevel level;
  for (const char* name : {"off", "low", "medium", "high"}) {
    ASSERT_TRUE(ParseEccLevel(name, &level));
    EXPECT_EQ(EccLevelName(level), name);
  }
  EXPECT_FALSE(ParseEccLevel("max", &level));
}

}  // namespace
}  // namespace neuroquantum::dna
