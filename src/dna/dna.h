// Public interface of the DNA module: compression of nucleotide sequences
// (FASTA files or raw sequence values) into a checksummed container,
// optionally wrapped in an interleaved Reed-Solomon frame. Any byte string
// round-trips exactly; inputs that are not sequence data fall back to a
// general byte model. See docs/architecture/dna.md for the format.
//
// All functions are re-entrant: there is no global state, each call owns its
// models. Progress callbacks run on the calling thread; the cancel flag may
// be set from any thread and is polled every 64 Ki units.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dna/progress.h"
#include "dna/reed_solomon.h"
#include "neuroquantum/result.h"

namespace neuroquantum::dna {

inline constexpr int kMinLevel = 1;
inline constexpr int kMaxLevel = 9;
inline constexpr int kDefaultLevel = 5;

struct CompressOptions {
  // 1..6: two context models (orders 3 and 12) in tables of at most 2^16
  // contexts plus the two repeat models, fast (levels 1..2 cap the repeat
  // models' k-mer table at 2^18 entries instead of 2^22); 7..9: five
  // context models in tables up to 2^22 contexts, slower and barely smaller
  // on real genomes. See docs/architecture/dna.md.
  int level = kDefaultLevel;
  EccLevel ecc = EccLevel::kOff;
  // Optional: called with (input bytes processed, input size); return false
  // to cancel (the call then returns Aborted).
  ProgressCallback progress;
  const std::atomic<bool>* cancel = nullptr;  // optional, owned by the caller
};

struct DecompressOptions {
  ProgressCallback progress;  // (units decoded, units total)
  const std::atomic<bool>* cancel = nullptr;
};

// Persisted section ids and codecs: do not change the values.
enum class SectionId : uint8_t { kLayout = 1, kBases = 2, kBytes = 3 };
enum class SectionCodec : uint8_t { kStored = 0, kByteModel = 1, kNucleotideModel = 2 };

struct SectionInfo {
  SectionId id;
  SectionCodec codec;
  uint64_t raw_size = 0;     // bytes before coding (bases: number of bases)
  uint64_t stored_size = 0;  // bytes in the container
};

// What a container holds; filled by Compress, Decompress and Inspect.
struct ContainerInfo {
  int version = 0;
  int level = 0;
  bool sequence_mode = true;   // false: the general byte model was used
  uint64_t original_size = 0;  // bytes of the original input
  uint64_t bases = 0;          // A/C/G/T bases coded by the nucleotide model
  uint64_t container_size = 0;  // bytes of the container without ECC
  uint64_t file_size = 0;       // bytes including the ECC frame, if any
  std::vector<SectionInfo> sections;
  EccReport ecc;  // level kOff when unprotected

  // 8 * file_size / bases (0 when there are no bases).
  double BitsPerBase() const;
};

std::string_view SectionName(SectionId id);
std::string_view SectionCodecName(SectionCodec codec);

// Compresses `input`. InvalidArgument for a level outside 1..9; Aborted when
// cancelled. `info` (optional) receives the figures of the result.
Result<std::string> Compress(std::string_view input, const CompressOptions& options,
                             ContainerInfo* info = nullptr);

// Restores the original bytes. Corruption with a message when the data is not
// a container, is damaged beyond what its ECC corrects, or its checksums fail;
// NotSupported for a newer version. Never returns wrong data without error.
Result<std::string> Decompress(std::string_view data, const DecompressOptions& options = {},
                               ContainerInfo* info = nullptr);

// Receives decompressed output in pieces, in order.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
};

// Like Decompress, but hands the output to `sink` in pieces of at most 1 MiB.
// The whole output is verified against its checksum before the first piece
// is written, so a sink never receives unverified bytes.
Status DecompressTo(std::string_view data, ByteSink* sink, const DecompressOptions& options = {},
                    ContainerInfo* info = nullptr);

// Verifies the ECC frame (correcting in memory) and the container checksum
// and describes the container without decoding it.
Result<ContainerInfo> Inspect(std::string_view data);

// Incremental compression for callers that receive input in pieces (a
// network body, a column being written). The input is buffered: models see
// the whole sequence, so memory grows with the input until Finish().
//
// Thread safety: not thread-safe; one object per stream.
class StreamCompressor {
 public:
  explicit StreamCompressor(CompressOptions options) : options_(std::move(options)) {}
  void Append(std::string_view piece) { input_.append(piece); }
  uint64_t buffered_bytes() const { return input_.size(); }
  // Compresses everything appended so far and resets the buffer.
  Result<std::string> Finish(ContainerInfo* info = nullptr);

 private:
  CompressOptions options_;
  std::string input_;
};

}  // namespace neuroquantum::dna
