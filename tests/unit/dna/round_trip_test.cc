// Byte-exact round trips: the public genomes and generated edge cases.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "dna/dna.h"
#include "support/test_data.h"

namespace neuroquantum::dna {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string RandomSequence(size_t size, uint64_t seed, const char* alphabet = "ACGT") {
  std::mt19937_64 rng(seed);
  const size_t n = std::char_traits<char>::length(alphabet);
  std::string out(size, 'A');
  for (auto& c : out) c = alphabet[rng() % n];
  return out;
}

// Compresses and decompresses `input`, expecting the exact bytes back.
ContainerInfo ExpectRoundTrip(const std::string& input, int level = kDefaultLevel,
                              EccLevel ecc = EccLevel::kOff) {
  CompressOptions options;
  options.level = level;
  options.ecc = ecc;
  ContainerInfo info;
  auto packed = Compress(input, options, &info);
  EXPECT_TRUE(packed.ok()) << packed.status().ToString();
  if (!packed.ok()) return info;
  EXPECT_EQ(info.file_size, packed->size());
  auto restored = Decompress(*packed);
  EXPECT_TRUE(restored.ok()) << restored.status().ToString();
  if (restored.ok()) {
    EXPECT_EQ(restored->size(), input.size());
    EXPECT_TRUE(*restored == input) << "round trip changed the bytes";
  }
  return info;
}

TEST(RoundTripTest, PublicGenomes) {
  NQ_REQUIRE_TEST_DATA(dir, "dna");
  int files = 0;
  double bits_per_base_sum = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".fa") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const std::string fasta = ReadFile(entry.path());
    const ContainerInfo info = ExpectRoundTrip(fasta);
    EXPECT_TRUE(info.sequence_mode);
    EXPECT_GT(info.bases, fasta.size() * 9 / 10);
    // Real genomes compress below the 2 bits of plain packing.
    EXPECT_LT(info.BitsPerBase(), 2.0);
    bits_per_base_sum += info.BitsPerBase();
    ++files;
  }
  EXPECT_GE(files, 1);
  // Issue 10's ratio goal on the whole files (headers and layout included),
  // which the default level's faster models must keep: mean <= 1.90.
  if (files > 0) {
    EXPECT_LE(bits_per_base_sum / files, 1.90);
  }
}

TEST(RoundTripTest, EdgeCases) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"one base", "A"},
      {"one lower-case base", "t"},
      {"newline only", "\n"},
      {"only N", std::string(5000, 'N')},
      {"only N lines", ">x\nNNNNNNNNNN\nNNNNNNNNNN\nNNNN\n"},
      {"lower case", ">chr\nacgtacgtnnnnACGTacgtAAAAaaaa\nggggcccc\n"},
      {"IUPAC codes", ">iupac\nACGTRYKMSWBDHVN-*acgtrykmswbdhvn\n"},
      {"CRLF", ">a b c\r\nACGTACGT\r\nACG\r\n>second\r\nTTTT\r\n"},
      {"mixed line ends", ">a\r\nACGT\nACGT\r\nAC\n"},
      {"no final newline", ">x\nACGTACGTAC"},
      {"empty lines", "\n\n>x\n\nACGT\n\n\nACGT\n\n"},
      {"non-ASCII header", ">s\xc3\xa9quence \xe2\x80\x94 \xff\xfe\nACGTTGCA\n"},
      {"comment lines", ";comment\n>x\nACGT\n;another\nGGCC\n"},
      {"raw sequence", RandomSequence(10000, 1)},
      {"header only", ">just a header"},
      {"spaces and digits", ">gb\n        1 acgtacgtac gtacgtacgt\n       21 acgtac\n//\n"},
      {"very long line", ">long\n" + RandomSequence(120000, 2) + "\n"},
      {"many records", [] {
         std::string s;
         for (int i = 0; i < 500; ++i) s += ">r" + std::to_string(i) + "\n" + RandomSequence(i % 70, i) + "\n";
         return s;
       }()},
  };
  for (const auto& [name, input] : cases) {
    SCOPED_TRACE(name);
    ExpectRoundTrip(input);
  }
}

TEST(RoundTripTest, BinaryFileUsesByteModel) {
  std::mt19937_64 rng(3);
  std::string binary(20000, '\0');
  for (auto& b : binary) b = static_cast<char>(rng() % 7 == 0 ? rng() : 'A' + rng() % 40);
  const ContainerInfo info = ExpectRoundTrip(binary);
  EXPECT_FALSE(info.sequence_mode);
  ASSERT_EQ(info.sections.size(), 1u);
  EXPECT_EQ(info.sections[0].id, SectionId::kBytes);

  std::string random(4096, '\0');
  for (auto& b : random) b = static_cast<char>(rng());
  const ContainerInfo stored = ExpectRoundTrip(random);
  // Incompressible bytes are stored rather than expanded by the model.
  EXPECT_EQ(stored.sections[0].codec, SectionCodec::kStored);
}

TEST(RoundTripTest, EveryLevel) {
  const std::string fasta = ">x\n" + RandomSequence(3000, 4) + RandomSequence(3000, 4) + "\n";
  for (int level = kMinLevel; level <= kMaxLevel; ++level) {
    SCOPED_TRACE(level);
    const ContainerInfo info = ExpectRoundTrip(fasta, level);
    EXPECT_EQ(info.level, level);
    // The second half repeats the first: far below 2 bits per base.
    EXPECT_LT(info.BitsPerBase(), 1.4);
  }
  CompressOptions options;
  options.level = 0;
  EXPECT_EQ(Compress("ACGT", options).status().code(), StatusCode::kInvalidArgument);
  options.level = 10;
  EXPECT_EQ(Compress("ACGT", options).status().code(), StatusCode::kInvalidArgument);
}

TEST(RoundTripTest, InvertedRepeatIsFound) {
  std::string forward = RandomSequence(20000, 5);
  std::string reverse_complement(forward.rbegin(), forward.rend());
  for (auto& c : reverse_complement) {
    c = c == 'A' ? 'T' : c == 'C' ? 'G' : c == 'G' ? 'C' : 'A';
  }
  const ContainerInfo random = ExpectRoundTrip(forward);
  const ContainerInfo mirrored = ExpectRoundTrip(forward + reverse_complement);
  EXPECT_GT(random.BitsPerBase(), 1.9);
  // Half the input is predictable from the other half's reverse complement.
  EXPECT_LT(mirrored.BitsPerBase(), 1.2);
}

TEST(RoundTripTest, SmallValuesAreCheap) {
  const std::string value = "ACGTTGCAAGGCTTAACG";
  ContainerInfo info = ExpectRoundTrip(value);
  // A plain value stores no layout; header, checksums and descriptor stay
  // small.
  EXPECT_EQ(info.sections.size(), 1u);
  EXPECT_LE(info.file_size, value.size() / 4 + 30);
  // Anything else in the value (here a newline) brings the layout back.
  info = ExpectRoundTrip(value + "\n");
  EXPECT_EQ(info.sections.size(), 2u);
}

}  // namespace
}  // namespace neuroquantum::dna
