// DNA compression benchmark (`make bench SUITE=dna`): for every genome in the
// public test data, bits per base and speed of our compressor against 2-bit
// packing and the system's xz -9, zstd -19 --long and bzip2 -9, all run on
// the same extracted A/C/G/T sequence in the same run; plus our result on
// the whole FASTA file, the quaternary codec's throughput, and the per-call
// cost of compressing and decompressing small sequence values.
//
//   dna_bench [--level N] [--data DIR] [--codec-mb N] [--small-only]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "dna/dna.h"
#include "dna/quaternary_codec.h"
#include "support/test_data.h"

namespace {

namespace fs = std::filesystem;
using neuroquantum::dna::CompressOptions;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Header lines and line ends removed, upper-cased, only A/C/G/T kept.
std::string ExtractBases(std::string_view fasta) {
  std::string bases;
  bool header = false;
  bool line_start = true;
  for (char c : fasta) {
    if (line_start) header = c == '>' || c == ';';
    line_start = c == '\n';
    if (header || c == '\n') continue;
    const char upper = static_cast<char>(c & ~0x20);
    if (upper == 'A' || upper == 'C' || upper == 'G' || upper == 'T') bases.push_back(upper);
  }
  return bases;
}

struct Measure {
  double bits_per_base = 0;
  double compress_mbps = 0;
  double decompress_mbps = 0;
  double compress_cpu_mbps = 0;    // per second of this process's CPU time (ours only)
  double decompress_cpu_mbps = 0;  // likewise
  bool ok = false;
};

// CPU time of this process: the machine may be shared, and CPU time shows
// the compressor's own cost when other work competes for the cores.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Runs a system compressor on `input_path` through the shell; sizes and times
// include process start-up, as a user would see them.
Measure MeasureTool(const std::string& tool, const std::string& args, const fs::path& input_path,
                    uint64_t input_bytes, uint64_t bases, const fs::path& dir) {
  Measure m;
  const fs::path packed = dir / (tool + ".out");
  const fs::path restored = dir / (tool + ".restored");
  const std::string compress =
      fmt::format("{} {} -c '{}' > '{}'", tool, args, input_path.string(), packed.string());
  auto start = Clock::now();
  if (std::system(compress.c_str()) != 0) return m;
  const double compress_s = Seconds(start);
  const std::string decompress =
      fmt::format("{} -d -c '{}' > '{}'", tool, packed.string(), restored.string());
  start = Clock::now();
  if (std::system(decompress.c_str()) != 0) return m;
  const double decompress_s = Seconds(start);
  m.ok = fs::file_size(restored) == input_bytes;
  m.bits_per_base = 8.0 * static_cast<double>(fs::file_size(packed)) / static_cast<double>(bases);
  m.compress_mbps = static_cast<double>(input_bytes) / 1e6 / compress_s;
  m.decompress_mbps = static_cast<double>(input_bytes) / 1e6 / decompress_s;
  return m;
}

// Our compressor, best of kOurRuns runs for each figure (the machine is
// shared, so the fastest run is the one least disturbed by other work);
// every run's output is decompressed and compared with the input.
constexpr int kOurRuns = 3;

Measure MeasureOurs(const std::string& input, uint64_t bases, int level) {
  Measure m;
  CompressOptions options;
  options.level = level;
  double compress_s = 1e30, compress_cpu_s = 1e30, decompress_s = 1e30, decompress_cpu_s = 1e30;
  m.ok = true;
  for (int run = 0; run < kOurRuns; ++run) {
    auto start = Clock::now();
    double cpu_start = CpuSeconds();
    auto packed = neuroquantum::dna::Compress(input, options);
    compress_s = std::min(compress_s, Seconds(start));
    compress_cpu_s = std::min(compress_cpu_s, CpuSeconds() - cpu_start);
    if (!packed.ok()) return Measure{};
    start = Clock::now();
    cpu_start = CpuSeconds();
    auto restored = neuroquantum::dna::Decompress(*packed);
    decompress_s = std::min(decompress_s, Seconds(start));
    decompress_cpu_s = std::min(decompress_cpu_s, CpuSeconds() - cpu_start);
    m.ok = m.ok && restored.ok() && *restored == input;
    m.bits_per_base = 8.0 * static_cast<double>(packed->size()) / static_cast<double>(bases);
  }
  const double megabytes = static_cast<double>(input.size()) / 1e6;
  m.compress_mbps = megabytes / compress_s;
  m.decompress_mbps = megabytes / decompress_s;
  m.compress_cpu_mbps = megabytes / compress_cpu_s;
  m.decompress_cpu_mbps = megabytes / decompress_cpu_s;
  return m;
}

Measure MeasureTwoBit(const std::string& bases) {
  Measure m;
  std::string padded = bases;
  padded.append((4 - padded.size() % 4) % 4, 'A');
  auto start = Clock::now();
  auto packed = neuroquantum::dna::DecodeBasesAsBytes(padded);
  const double compress_s = Seconds(start);
  if (!packed.ok()) return m;
  start = Clock::now();
  std::string restored = neuroquantum::dna::EncodeBytesAsBases(*packed);
  const double decompress_s = Seconds(start);
  // The length (8 bytes) is what a real file would add to the packing.
  m.bits_per_base =
      8.0 * static_cast<double>(packed->size() + 8) / static_cast<double>(bases.size());
  m.compress_mbps = static_cast<double>(bases.size()) / 1e6 / std::max(compress_s, 1e-9);
  m.decompress_mbps = static_cast<double>(bases.size()) / 1e6 / std::max(decompress_s, 1e-9);
  m.ok = restored.compare(0, bases.size(), bases) == 0;
  return m;
}

// Throughput of the quaternary codec kernels, best of three: once on a
// 1 MiB buffer coded 64 times (in cache: the kernels' own speed) and once on
// a `megabytes` buffer (bounded by memory bandwidth: the output is four
// times the input).
void CodecThroughput(uint64_t megabytes) {
  using namespace neuroquantum::dna::internal;
  fmt::print("\nquaternary codec (random bytes, best of 3, SIMD target {}):\n",
             neuroquantum::dna::QuaternarySimdTarget());
  for (const auto& shape : {std::pair<uint64_t, int>{1 << 20, 64},
                            std::pair<uint64_t, int>{megabytes << 20, 1}}) {
    // Plain variables: lambdas cannot capture structured bindings in C++20.
    const uint64_t size = shape.first;
    const int passes = shape.second;
    std::string bytes(size, '\0');
    std::mt19937_64 rng(7);
    for (auto& b : bytes) b = static_cast<char>(rng());
    std::string bases(bytes.size() * 4, '\0');
    std::string back(bytes.size(), '\0');
    auto rate = [&](auto&& fn) {
      double best = 1e30;
      for (int rep = 0; rep < 3; ++rep) {
        const auto start = Clock::now();
        for (int pass = 0; pass < passes; ++pass) fn();
        best = std::min(best, Seconds(start));
      }
      return static_cast<double>(bytes.size()) * passes / 1e9 / best;
    };
    const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
    auto* out = reinterpret_cast<uint8_t*>(back.data());
    const double enc_simd = rate([&] { EncodeBasesSimd(in, bytes.size(), bases.data()); });
    const double enc_scalar = rate([&] { EncodeBasesScalar(in, bytes.size(), bases.data()); });
    const double dec_simd = rate([&] { DecodeBasesSimd(bases.data(), bases.size(), out); });
    const double dec_scalar = rate([&] { DecodeBasesScalar(bases.data(), bases.size(), out); });
    fmt::print("  {:>4} MiB x {:<2}  encode bytes->bases SIMD {:6.2f} GB/s, scalar {:6.2f} GB/s; "
               "decode SIMD {:6.2f} GB/s, scalar {:6.2f} GB/s; identical: {}\n",
               size >> 20, passes, enc_simd, enc_scalar, dec_simd, dec_scalar,
               back == bytes ? "yes" : "NO");
  }
  fmt::print("  (GB/s of bytes: input bytes for encode, output bytes for decode)\n");
}

// Per-call cost on small sequence values (one column value, not a genome):
// microseconds per Compress and per Decompress of random A/C/G/T strings,
// best of three timings of many calls each, so fixed per-call work (model
// setup, table allocation) is what the small sizes measure.
bool SmallValues(int level) {
  fmt::print("\nsmall values, level {} (random A/C/G/T, best of 3, wall clock):\n", level);
  fmt::print("  {:>7} {:>7} {:>9} {:>14} {:>16}\n", "bases", "calls", "out bytes", "compress us",
             "decompress us");
  CompressOptions options;
  options.level = level;
  std::mt19937_64 rng(11);
  bool ok = true;
  for (const size_t bases : {size_t{100}, size_t{1000}, size_t{10000}}) {
    std::string value(bases, 'A');
    for (auto& c : value) c = "ACGT"[rng() & 3];
    // About two million bases per timing, at least 50 calls.
    const int calls = static_cast<int>(std::max<size_t>(50, 2'000'000 / bases));
    auto packed = neuroquantum::dna::Compress(value, options);
    if (!packed.ok()) return false;
    double compress_s = 1e30;
    double decompress_s = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      auto start = Clock::now();
      for (int call = 0; call < calls; ++call) {
        auto again = neuroquantum::dna::Compress(value, options);
        ok = ok && again.ok() && again->size() == packed->size();
      }
      compress_s = std::min(compress_s, Seconds(start));
      start = Clock::now();
      for (int call = 0; call < calls; ++call) {
        auto restored = neuroquantum::dna::Decompress(*packed);
        ok = ok && restored.ok() && restored->size() == bases;
      }
      decompress_s = std::min(decompress_s, Seconds(start));
    }
    auto restored = neuroquantum::dna::Decompress(*packed);
    ok = ok && restored.ok() && *restored == value;
    fmt::print("  {:>7} {:>7} {:>9} {:>14.1f} {:>16.1f}{}\n", bases, calls, packed->size(),
               compress_s * 1e6 / calls, decompress_s * 1e6 / calls,
               ok ? "" : "  ROUND TRIP FAILED");
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int level = neuroquantum::dna::kDefaultLevel;
  uint64_t codec_mb = 64;
  bool small_only = false;
  fs::path data = neuroquantum::testing::TestDataDir("dna");
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--level" && i + 1 < argc) {
      level = std::atoi(argv[++i]);
    } else if (arg == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (arg == "--codec-mb" && i + 1 < argc) {
      codec_mb = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--small-only") {
      small_only = true;
    } else {
      fmt::print("usage: dna_bench [--level 1..9] [--data DIR] [--codec-mb N] [--small-only]\n");
      return arg == "--help" ? 0 : 2;
    }
  }
  if (small_only) return SmallValues(level) ? 0 : 1;
  if (data.empty() || !fs::is_directory(data)) {
    fmt::print(stderr, "dna_bench: genome directory not found ({}); set NQDB_TEST_DATA\n",
               (neuroquantum::testing::TestDataRoot() / "dna").string());
    return 1;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(data)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".fa" || ext == ".fasta" || ext == ".fna") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  const fs::path tmp = fs::temp_directory_path() / fmt::format("dna_bench.{}", ::getpid());
  fs::create_directories(tmp);

  const std::vector<std::string> methods = {"ours",  "2-bit",           "xz -9",
                                            "zstd -19 --long", "bzip2 -9", "ours (FASTA file)"};
  std::vector<double> sums(methods.size(), 0.0);
  bool all_ok = true;
  if (std::ifstream load("/proc/loadavg"); load) {
    std::string line;
    std::getline(load, line);
    fmt::print("load average at start (1, 5, 15 min): {}\n", line.substr(0, 14));
  }
  fmt::print("DNA compression, level {}: bits per base = 8 x output bytes / A,C,G,T bases;\n"
             "MB/s = input MB per second (compress / decompress), wall clock.\n",
             level);
  for (const fs::path& file : files) {
    const std::string fasta = ReadFile(file);
    const std::string bases = ExtractBases(fasta);
    if (bases.empty()) continue;
    const fs::path seq_path = tmp / "sequence.txt";
    std::ofstream(seq_path, std::ios::binary) << bases;
    std::vector<Measure> results = {
        MeasureOurs(bases, bases.size(), level),
        MeasureTwoBit(bases),
        MeasureTool("xz", "-9", seq_path, bases.size(), bases.size(), tmp),
        MeasureTool("zstd", "-q -19 --long", seq_path, bases.size(), bases.size(), tmp),
        MeasureTool("bzip2", "-9", seq_path, bases.size(), bases.size(), tmp),
        MeasureOurs(fasta, bases.size(), level),
    };
    fmt::print("\n{} ({} bases, {} file bytes)\n", file.filename().string(), bases.size(),
               fasta.size());
    fmt::print("  {:<18} {:>9} {:>12} {:>12} {:>14} {:>16}\n", "method", "bits/base",
               "comp MB/s", "decomp MB/s", "comp CPU MB/s", "decomp CPU MB/s");
    for (size_t i = 0; i < methods.size(); ++i) {
      const Measure& m = results[i];
      all_ok = all_ok && m.ok;
      sums[i] += m.bits_per_base;
      const std::string cpu =
          m.compress_cpu_mbps > 0
              ? fmt::format("{:>14.2f} {:>16.2f}", m.compress_cpu_mbps, m.decompress_cpu_mbps)
              : "";
      fmt::print("  {:<18} {:>9.4f} {:>12.2f} {:>12.2f} {}{}\n", methods[i], m.bits_per_base,
                 m.compress_mbps, m.decompress_mbps, cpu, m.ok ? "" : "  ROUND TRIP FAILED");
    }
  }
  fmt::print("\nmean bits per base over {} genomes:\n", files.size());
  for (size_t i = 0; i < methods.size(); ++i) {
    fmt::print("  {:<18} {:.4f}\n", methods[i], sums[i] / static_cast<double>(files.size()));
  }
  CodecThroughput(codec_mb);
  all_ok = SmallValues(level) && all_ok;
  fs::remove_all(tmp);
  return all_ok ? 0 : 1;
}
