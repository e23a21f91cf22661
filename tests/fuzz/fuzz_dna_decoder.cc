// Fuzz target: the DNA decoder never crashes and never returns data that
// differs from what was compressed. Three entry points: arbitrary bytes as a
// container (or ECC frame); a valid container with the input XORed into it
// and its container checksum recomputed, so damage reaches the stream
// decoders; and the layout parser on arbitrary bytes.
#include <cstdint>
#include <string>

#include <xxhash.h>

#include "common/coding.h"
#include "dna/dna.h"
#include "dna/fasta_layout.h"

namespace {

const std::string& Original() {
  static const std::string original =
      ">fuzz seed\r\nACGTNNNNacgtRYKM\r\nGGGCCCATATATGCGC\r\n;c\n\nTTTT";
  return original;
}

const std::string& Packed() {
  static const std::string packed = [] {
    auto result = neuroquantum::dna::Compress(Original(), {});
    return result.ok() ? *result : std::string();
  }();
  return packed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace neuroquantum::dna;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Claimed sizes are bounded so a forged header cannot ask for gigabytes of
  // decoding work; the parser itself must still be safe.
  (void)Inspect(input);
  if (auto info = Inspect(input); info.ok() && info->original_size < (1 << 20)) {
    (void)Decompress(input);
  }

  std::string mutated = Packed();
  if (mutated.size() > 4) {
    for (size_t i = 0; i < size; ++i) mutated[i % (mutated.size() - 4)] ^= input[i];
    const size_t body = mutated.size() - 4;
    neuroquantum::EncodeFixed32(reinterpret_cast<uint8_t*>(&mutated[body]),
                                static_cast<uint32_t>(XXH3_64bits(mutated.data(), body)));
    auto info = Inspect(mutated);
    if (info.ok() && info->original_size < (1 << 20)) {
      auto restored = Decompress(mutated);
      if (restored.ok() && *restored != Original()) {
        __builtin_trap();  // wrong data returned without an error
      }
    }
  }

  (void)RebuildSequenceFile(input, "\x00\x01\x02\x03", size + 16);
  return 0;
}
