// Base stream <-> arithmetic code; see nucleotide_codec.h.
#include "dna/nucleotide_codec.h"

#include <algorithm>

#include "dna/arithmetic_coder.h"
#include "dna/nucleotide_model.h"

namespace neuroquantum::dna {

Result<std::string> EncodeBaseStream(std::string_view codes, int level, Progress* progress) {
  std::string out;
  out.reserve(codes.size() / 4 + 16);
  NucleotideModel model(ModelConfigForLevel(level), codes.size());
  ArithmeticEncoder encoder(&out);
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i % Progress::kInterval == 0 && progress != nullptr && !progress->Report(i)) {
      return Status::Aborted("compression cancelled");
    }
    const int base = codes[i] & 3;
    encoder.Encode(base >> 1, model.Predict());
    model.Update(base >> 1);
    encoder.Encode(base & 1, model.Predict());
    model.Update(base & 1);
  }
  encoder.Flush();
  return out;
}

Result<std::string> DecodeBaseStream(std::string_view code, uint64_t count, int level,
                                     Progress* progress) {
  std::string out;
  out.reserve(std::min<uint64_t>(count, uint64_t{1} << 26));
  NucleotideModel model(ModelConfigForLevel(level), count);
  ArithmeticDecoder decoder(code);
  for (uint64_t i = 0; i < count; ++i) {
    if (i % Progress::kInterval == 0) {
      if (progress != nullptr && !progress->Report(i)) {
        return Status::Aborted("decompression cancelled");
      }
      if (decoder.overrun()) return Status::Corruption("base stream ends early");
    }
    const int high = decoder.Decode(model.Predict());
    model.Update(high);
    const int low = decoder.Decode(model.Predict());
    model.Update(low);
    out.push_back(static_cast<char>(high * 2 + low));
  }
  if (decoder.overrun()) return Status::Corruption("base stream ends early");
  return out;
}

}  // namespace neuroquantum::dna
