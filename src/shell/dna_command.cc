// `nqdb dna`: compress, decompress and describe DNA containers. Files go
// through Env; output is written to a temporary name and renamed, so a failed
// run never leaves a half-written OUT behind.
#include "shell/dna_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/env.h"
#include "dna/dna.h"

namespace neuroquantum::shell {
namespace {

// Files larger than this get a progress bar when stderr is a terminal.
constexpr uint64_t kProgressThresholdBytes = 4 << 20;

Status WriteWholeFile(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  Env* env = Env::Default();
  if (env->FileExists(tmp)) NQ_RETURN_IF_ERROR(env->RemoveFile(tmp));
  {
    NQ_ASSIGN_OR_RETURN(auto file, env->OpenFile(tmp, OpenMode::kCreateNew));
    NQ_RETURN_IF_ERROR(file->WriteAt(
        0, std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size())));
    NQ_RETURN_IF_ERROR(file->Sync());
  }
  return env->RenameFile(tmp, path);
}

int Fail(const Status& s) {
  std::cerr << "nqdb: " << s.ToString() << "\n";
  return 1;
}

// A one-line bar on stderr, redrawn when the percentage changes.
dna::ProgressCallback MakeProgressBar(const std::string& label, uint64_t input_size) {
  if (input_size < kProgressThresholdBytes || isatty(STDERR_FILENO) == 0) return nullptr;
  auto last = std::make_shared<int>(-1);
  return [label, last](uint64_t done, uint64_t total) {
    const int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    if (percent != *last) {
      *last = percent;
      const int filled = percent / 4;
      std::fprintf(stderr, "\r%s [%s%s] %3d%%", label.c_str(), std::string(filled, '#').c_str(),
                   std::string(25 - filled, ' ').c_str(), percent);
      std::fflush(stderr);
    }
    return true;
  };
}

void EndProgressBar(const dna::ProgressCallback& bar) {
  if (bar) std::fprintf(stderr, "\r%*s\r", 60, "");
}

std::string EccSummary(const dna::ContainerInfo& info) {
  if (info.ecc.level == dna::EccLevel::kOff) return "ECC off";
  const uint64_t overhead = info.file_size - info.container_size;
  return fmt::format("ECC {} (RS(255,{}) x{} interleaved): +{} bytes ({:.1f}%)",
                     dna::EccLevelName(info.ecc.level), 255 - info.ecc.parity, info.ecc.depth,
                     overhead,
                     100.0 * static_cast<double>(overhead) /
                         static_cast<double>(std::max<uint64_t>(info.container_size, 1)));
}

int CmdCompress(const std::string& in, const std::string& out, int level,
                const std::string& ecc_name) {
  dna::CompressOptions options;
  options.level = level;
  if (!dna::ParseEccLevel(ecc_name, &options.ecc)) {
    return Fail(Status::InvalidArgument(
        fmt::format("--ecc {}: expected off, low, medium or high", ecc_name)));
  }
  auto input = ReadFileToString(Env::Default(), in);
  if (!input.ok()) return Fail(input.status());
  options.progress = MakeProgressBar("compressing", input->size());
  dna::ContainerInfo info;
  auto packed = dna::Compress(*input, options, &info);
  EndProgressBar(options.progress);
  if (!packed.ok()) return Fail(packed.status());
  Status s = WriteWholeFile(out, *packed);
  if (!s.ok()) return Fail(s);
  std::cout << fmt::format("{}: {} -> {} bytes", in, input->size(), packed->size());
  if (info.bases > 0) {
    std::cout << fmt::format(", {} bases, {:.4f} bits/base", info.bases, info.BitsPerBase());
  }
  if (!info.sequence_mode) std::cout << " (not sequence data: general byte model)";
  std::cout << "; " << EccSummary(info) << "\n";
  return 0;
}

int CmdDecompress(const std::string& in, const std::string& out) {
  auto data = ReadFileToString(Env::Default(), in);
  if (!data.ok()) return Fail(data.status());
  dna::DecompressOptions options;
  options.progress = MakeProgressBar("decompressing", data->size() * 4);
  dna::ContainerInfo info;
  auto restored = dna::Decompress(*data, options, &info);
  EndProgressBar(options.progress);
  if (!restored.ok()) return Fail(restored.status().WithContext(in));
  Status s = WriteWholeFile(out, *restored);
  if (!s.ok()) return Fail(s);
  std::cout << fmt::format("{}: {} -> {} bytes, checksum ok", in, data->size(), restored->size());
  if (info.ecc.level != dna::EccLevel::kOff) {
    std::cout << fmt::format("; ECC corrected {} bytes", info.ecc.corrected_bytes);
  }
  std::cout << "\n";
  return 0;
}

int CmdStats(const std::string& in) {
  auto data = ReadFileToString(Env::Default(), in);
  if (!data.ok()) return Fail(data.status());
  auto info = dna::Inspect(*data);
  if (!info.ok()) return Fail(info.status().WithContext(in));
  std::cout << fmt::format("file:            {} ({} bytes)\n", in, info->file_size);
  std::cout << fmt::format("format:          version {}, level {}, {}\n", info->version,
                           info->level,
                           info->sequence_mode ? "sequence model" : "general byte model");
  std::cout << fmt::format("original:        {} bytes\n", info->original_size);
  std::cout << fmt::format("bases (A/C/G/T): {}\n", info->bases);
  if (info->bases > 0) {
    std::cout << fmt::format("bits per base:   {:.4f} (whole file, incl. headers and ECC)\n",
                             info->BitsPerBase());
  }
  std::cout << "streams:\n";
  for (const auto& s : info->sections) {
    std::cout << fmt::format("  {:<8} {:<14} {:>12} raw {:>12} stored\n", dna::SectionName(s.id),
                             dna::SectionCodecName(s.codec), s.raw_size, s.stored_size);
  }
  std::cout << EccSummary(*info) << "\n";
  if (info->ecc.level != dna::EccLevel::kOff) {
    std::cout << fmt::format("ECC check:       {} codewords, {} bytes corrected, {} header copies "
                             "damaged\n",
                             info->ecc.codewords, info->ecc.corrected_bytes,
                             info->ecc.damaged_header_copies);
  }
  return 0;
}

}  // namespace

void AddDnaCommands(CLI::App* app, int* rc) {
  auto* dna = app->add_subcommand("dna", "Compress nucleotide sequences (FASTA or raw)");
  dna->require_subcommand(1);

  struct Args {
    std::string in;
    std::string out;
    int level = dna::kDefaultLevel;
    std::string ecc = "off";
  };
  auto args = std::make_shared<Args>();

  auto* compress = dna->add_subcommand("compress", "Compress IN (any file; FASTA works best)");
  compress->add_option("IN", args->in, "input file")->required();
  compress->add_option("OUT", args->out, "output container")->required();
  compress->add_option("--level", args->level, "1 (fast, small memory) .. 9")
      ->check(CLI::Range(dna::kMinLevel, dna::kMaxLevel));
  compress->add_option("--ecc", args->ecc, "Reed-Solomon protection: off, low, medium, high");
  compress->callback([=] { *rc = CmdCompress(args->in, args->out, args->level, args->ecc); });

  auto* decompress = dna->add_subcommand("decompress", "Restore the original file");
  decompress->add_option("IN", args->in, "container")->required();
  decompress->add_option("OUT", args->out, "output file")->required();
  decompress->callback([=] { *rc = CmdDecompress(args->in, args->out); });

  auto* stats = dna->add_subcommand("stats", "Describe a container: bases, bits/base, streams, ECC");
  stats->add_option("IN", args->in, "container")->required();
  stats->callback([=] { *rc = CmdStats(args->in); });
}

}  // namespace neuroquantum::shell
