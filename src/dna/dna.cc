// Container assembly and parsing; the public entry points of dna.h.
//
// Container layout (little-endian; varint = LEB128):
//   0   4  magic "NQDN"
//   4   1  format version (2; version 1 used other nucleotide models and
//          is refused with NotSupported)
//   5   1  mode: 0 sequence (layout + bases), 1 bytes (general model)
//   6   1  compression level 1..9 (selects the model set)
//   7   1  section count S (1..3); a plain single-line sequence has no
//          layout section
//   8   v  original size in bytes (varint)
//   .   8  XXH3-64 of the original bytes
//   .   v  number of A/C/G/T bases (varint)
//   .      S descriptors: section id u8, codec u8, raw size varint,
//          stored size varint
//   .      the S payloads, in descriptor order
//   end-4  4  low 32 bits of XXH3-64 of every preceding container byte
#include "dna/dna.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <xxhash.h>

#include "common/coding.h"
#include "dna/byte_model.h"
#include "dna/fasta_layout.h"
#include "dna/nucleotide_codec.h"

namespace neuroquantum::dna {
namespace {

constexpr char kMagic[4] = {'N', 'Q', 'D', 'N'};
// Version 2 (do not change): the nucleotide models of nucleotide_model.cc
// as of issue 10's speed work. Version 1 files need the release that wrote
// them: their models are gone, and decoding them with these would give
// garbage that only the checksum would catch.
constexpr uint8_t kVersion = 2;
constexpr size_t kTrailerSize = 4;
constexpr size_t kMaxSections = 3;
constexpr uint64_t kSinkPiece = 1 << 20;

struct Section {
  SectionInfo info;
  std::string payload;
};

// Codes `raw` with the byte model unless storing it is no larger.
Result<Section> ByteSection(SectionId id, std::string_view raw, Progress* progress) {
  Section section{{id, SectionCodec::kStored, raw.size(), raw.size()}, std::string(raw)};
  if (raw.empty()) return section;
  NQ_ASSIGN_OR_RETURN(std::string coded, CompressBytes(raw, progress));
  if (coded.size() < raw.size()) {
    section.info.codec = SectionCodec::kByteModel;
    section.info.stored_size = coded.size();
    section.payload = std::move(coded);
  }
  return section;
}

uint32_t ContainerChecksum(std::string_view bytes) {
  return static_cast<uint32_t>(XXH3_64bits(bytes.data(), bytes.size()));
}

// A parsed container; payload views point into the caller's buffer.
struct ParsedContainer {
  ContainerInfo info;
  uint64_t checksum = 0;
  std::vector<std::string_view> payloads;
};

Status NotContainer(std::string_view why) {
  return Status::Corruption(fmt::format("not a valid DNA container: {}", why));
}

Result<ParsedContainer> ParseContainer(std::string_view bytes) {
  if (bytes.size() < 8 + kTrailerSize || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    return NotContainer("bad magic (not produced by `nqdb dna compress`)");
  }
  const auto* raw = reinterpret_cast<const uint8_t*>(bytes.data());
  if (raw[4] < kVersion) {
    return Status::NotSupported(
        fmt::format("DNA container version {} is no longer readable (this build reads version {}); "
                    "decompress it with the release that wrote it",
                    raw[4], kVersion));
  }
  if (raw[4] != kVersion) {
    return Status::NotSupported(fmt::format("DNA container version {} (this build reads {})",
                                            raw[4], kVersion));
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kTrailerSize);
  if (ContainerChecksum(body) != DecodeFixed32(raw + body.size())) {
    return NotContainer("container checksum mismatch (damaged data)");
  }
  ParsedContainer parsed;
  ContainerInfo& info = parsed.info;
  info.version = raw[4];
  info.sequence_mode = raw[5] == 0;
  info.level = raw[6];
  const size_t section_count = raw[7];
  if (raw[5] > 1 || info.level < kMinLevel || info.level > kMaxLevel || section_count == 0 ||
      section_count > kMaxSections) {
    return NotContainer("bad header fields");
  }
  info.container_size = bytes.size();
  ByteReader reader(body.substr(8));
  if (!reader.GetVarint64(&info.original_size) || !reader.GetFixed64(&parsed.checksum) ||
      !reader.GetVarint64(&info.bases)) {
    return NotContainer("truncated header");
  }
  // Every base is one byte of the original: a larger count is forged and
  // would only make the decoder allocate and loop for nothing.
  if (info.bases > info.original_size) return NotContainer("more bases than bytes");
  for (size_t i = 0; i < section_count; ++i) {
    uint8_t id = 0;
    uint8_t codec = 0;
    SectionInfo s{};
    if (!reader.GetFixed8(&id) || !reader.GetFixed8(&codec) || !reader.GetVarint64(&s.raw_size) ||
        !reader.GetVarint64(&s.stored_size) || id < 1 || id > 3 || codec > 2) {
      return NotContainer("bad section descriptor");
    }
    s.id = static_cast<SectionId>(id);
    s.codec = static_cast<SectionCodec>(codec);
    info.sections.push_back(s);
  }
  for (const SectionInfo& s : info.sections) {
    std::string_view payload;
    if (!reader.GetBytes(s.stored_size, &payload)) return NotContainer("section past the end");
    parsed.payloads.push_back(payload);
  }
  if (reader.remaining() != 0) return NotContainer("trailing bytes");
  return parsed;
}

Result<std::string> DecodeSection(const SectionInfo& s, std::string_view payload, int level,
                                  Progress* progress) {
  switch (s.codec) {
    case SectionCodec::kStored:
      if (s.raw_size != payload.size()) return NotContainer("stored section size mismatch");
      return std::string(payload);
    case SectionCodec::kByteModel:
      return DecompressBytes(payload, s.raw_size, progress);
    case SectionCodec::kNucleotideModel:
      return DecodeBaseStream(payload, s.raw_size, level, progress);
  }
  return NotContainer("unknown codec");
}

const std::string_view* FindPayload(const ParsedContainer& c, SectionId id,
                                    const SectionInfo** info) {
  for (size_t i = 0; i < c.info.sections.size(); ++i) {
    if (c.info.sections[i].id == id) {
      *info = &c.info.sections[i];
      return &c.payloads[i];
    }
  }
  return nullptr;
}

// Removes the ECC frame if there is one; `ecc_out` keeps the corrected bytes.
Result<std::string_view> Unwrap(std::string_view data, std::string* ecc_out, EccReport* report) {
  if (!IsEccFrame(data)) return data;
  NQ_ASSIGN_OR_RETURN(*ecc_out, RecoverFromEcc(data, report));
  return std::string_view(*ecc_out);
}

Result<std::string> DecodeContainer(std::string_view data, const DecompressOptions& options,
                                    ContainerInfo* info_out) {
  std::string corrected;
  EccReport ecc;
  NQ_ASSIGN_OR_RETURN(std::string_view bytes, Unwrap(data, &corrected, &ecc));
  NQ_ASSIGN_OR_RETURN(ParsedContainer parsed, ParseContainer(bytes));
  parsed.info.ecc = ecc;
  parsed.info.file_size = data.size();
  const int level = parsed.info.level;
  std::string output;
  if (parsed.info.sequence_mode) {
    const SectionInfo* layout_info = nullptr;
    const SectionInfo* bases_info = nullptr;
    const std::string_view* layout = FindPayload(parsed, SectionId::kLayout, &layout_info);
    const std::string_view* bases = FindPayload(parsed, SectionId::kBases, &bases_info);
    if (bases == nullptr || bases_info->raw_size != parsed.info.bases ||
        bases_info->codec != SectionCodec::kNucleotideModel ||
        (layout != nullptr && layout_info->codec == SectionCodec::kNucleotideModel)) {
      return NotContainer("sequence sections missing");
    }
    std::string layout_raw;
    if (layout == nullptr) {
      layout_raw = PlainSequenceLayout(parsed.info.bases);
    } else {
      Progress layout_progress(&options.progress, options.cancel, layout_info->raw_size);
      NQ_ASSIGN_OR_RETURN(layout_raw, DecodeSection(*layout_info, *layout, level, &layout_progress));
    }
    Progress base_progress(&options.progress, options.cancel, parsed.info.bases);
    NQ_ASSIGN_OR_RETURN(std::string codes,
                        DecodeSection(*bases_info, *bases, level, &base_progress));
    NQ_ASSIGN_OR_RETURN(output,
                        RebuildSequenceFile(layout_raw, codes, parsed.info.original_size));
  } else {
    const SectionInfo* bytes_info = nullptr;
    const std::string_view* payload = FindPayload(parsed, SectionId::kBytes, &bytes_info);
    if (payload == nullptr || bytes_info->raw_size != parsed.info.original_size ||
        bytes_info->codec == SectionCodec::kNucleotideModel) {
      return NotContainer("byte section missing");
    }
    Progress progress(&options.progress, options.cancel, bytes_info->raw_size);
    NQ_ASSIGN_OR_RETURN(output, DecodeSection(*bytes_info, *payload, level, &progress));
  }
  if (output.size() != parsed.info.original_size ||
      XXH3_64bits(output.data(), output.size()) != parsed.checksum) {
    return Status::Corruption("decompressed data does not match the recorded checksum");
  }
  if (info_out != nullptr) *info_out = std::move(parsed.info);
  return output;
}

}  // namespace

double ContainerInfo::BitsPerBase() const {
  return bases == 0 ? 0.0 : 8.0 * static_cast<double>(file_size) / static_cast<double>(bases);
}

std::string_view SectionName(SectionId id) {
  switch (id) {
    case SectionId::kLayout: return "layout";
    case SectionId::kBases: return "bases";
    case SectionId::kBytes: return "bytes";
  }
  return "unknown";
}

std::string_view SectionCodecName(SectionCodec codec) {
  switch (codec) {
    case SectionCodec::kStored: return "stored";
    case SectionCodec::kByteModel: return "byte-cm";
    case SectionCodec::kNucleotideModel: return "nucleotide-cm";
  }
  return "unknown";
}

Result<std::string> Compress(std::string_view input, const CompressOptions& options,
                             ContainerInfo* info_out) {
  if (options.level < kMinLevel || options.level > kMaxLevel) {
    return Status::InvalidArgument(
        fmt::format("compression level {} outside {}..{}", options.level, kMinLevel, kMaxLevel));
  }
  ContainerInfo info;
  info.version = kVersion;
  info.level = options.level;
  info.original_size = input.size();
  std::vector<Section> sections;
  ParsedSequence parsed = ParseSequenceFile(input);
  // Mostly not sequence (a binary or text file): the layout would list
  // nearly every byte as an exception, so code the bytes directly.
  info.sequence_mode = parsed.bases.size() * 2 >= input.size();
  if (info.sequence_mode) {
    info.bases = parsed.bases.size();
    // A plain sequence value needs no layout: the decoder derives it.
    if (parsed.layout != PlainSequenceLayout(parsed.bases.size())) {
      Progress layout_progress(&options.progress, options.cancel, parsed.layout.size());
      NQ_ASSIGN_OR_RETURN(Section layout,
                          ByteSection(SectionId::kLayout, parsed.layout, &layout_progress));
      sections.push_back(std::move(layout));
    }
    Progress base_progress(&options.progress, options.cancel, parsed.bases.size());
    NQ_ASSIGN_OR_RETURN(std::string coded,
                        EncodeBaseStream(parsed.bases, options.level, &base_progress));
    sections.push_back({{SectionId::kBases, SectionCodec::kNucleotideModel, parsed.bases.size(),
                         coded.size()},
                        std::move(coded)});
  } else {
    parsed = ParsedSequence{};  // release the split streams early
    Progress progress(&options.progress, options.cancel, input.size());
    NQ_ASSIGN_OR_RETURN(Section bytes, ByteSection(SectionId::kBytes, input, &progress));
    sections.push_back(std::move(bytes));
  }

  std::string out(kMagic, 4);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(info.sequence_mode ? 0 : 1));
  out.push_back(static_cast<char>(options.level));
  out.push_back(static_cast<char>(sections.size()));
  PutVarint64(&out, input.size());
  PutFixed64(&out, XXH3_64bits(input.data(), input.size()));
  PutVarint64(&out, info.bases);
  for (const Section& s : sections) {
    out.push_back(static_cast<char>(s.info.id));
    out.push_back(static_cast<char>(s.info.codec));
    PutVarint64(&out, s.info.raw_size);
    PutVarint64(&out, s.info.stored_size);
    info.sections.push_back(s.info);
  }
  for (const Section& s : sections) out.append(s.payload);
  PutFixed32(&out, ContainerChecksum(out));
  info.container_size = out.size();
  if (options.ecc != EccLevel::kOff) out = ProtectWithEcc(out, options.ecc, &info.ecc);
  info.file_size = out.size();
  if (info_out != nullptr) *info_out = std::move(info);
  return out;
}

Result<std::string> Decompress(std::string_view data, const DecompressOptions& options,
                               ContainerInfo* info) {
  return DecodeContainer(data, options, info);
}

Status DecompressTo(std::string_view data, ByteSink* sink, const DecompressOptions& options,
                    ContainerInfo* info) {
  NQ_ASSIGN_OR_RETURN(std::string output, DecodeContainer(data, options, info));
  for (uint64_t pos = 0; pos < output.size(); pos += kSinkPiece) {
    NQ_RETURN_IF_ERROR(sink->Write(std::string_view(output).substr(pos, kSinkPiece)));
  }
  return Status::OK();
}

Result<ContainerInfo> Inspect(std::string_view data) {
  std::string corrected;
  EccReport ecc;
  NQ_ASSIGN_OR_RETURN(std::string_view bytes, Unwrap(data, &corrected, &ecc));
  NQ_ASSIGN_OR_RETURN(ParsedContainer parsed, ParseContainer(bytes));
  parsed.info.ecc = ecc;
  parsed.info.file_size = data.size();
  return std::move(parsed.info);
}

Result<std::string> StreamCompressor::Finish(ContainerInfo* info) {
  std::string input = std::move(input_);
  input_.clear();
  return Compress(input, options_, info);
}

}  // namespace neuroquantum::dna
