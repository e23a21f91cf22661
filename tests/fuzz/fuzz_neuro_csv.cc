// Fuzz target: arbitrary bytes as a CSV data set, an access trace and a
// serialised model give a value or a clear error, never a crash.
#include <cstdint>
#include <string_view>

#include "neuro/access_trace_file.h"
#include "neuro/dataset.h"
#include "neuro/mlp.h"
#include "neuro/spiking.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace neuroquantum::neuro;
  CsvOptions options;
  (void)ParseCsv(text, options);
  options.task = Task::kRegress;
  options.target = "#0";
  options.target_optional = true;
  (void)ParseCsv(text, options);
  (void)ParseTrace(text);
  (void)Mlp::Deserialize(text);
  (void)SpikingClassifier::Deserialize(text);
  return 0;
}
