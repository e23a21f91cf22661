// Fuzz target: arbitrary TOML text as a configuration file gives a config
// or a clear error, never a crash or an escaping exception.
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/config.h"
#include "support/temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static neuroquantum::testing::TempDir dir("nqdb-fuzz-config-");
  static const std::string path = dir.Path("config.toml");
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto config = neuroquantum::LoadConfig(path, {});
  if (config.ok()) (void)neuroquantum::ValidateConfig(*config);
  neuroquantum::Config c;
  (void)neuroquantum::ApplyOverrideAssignment(&c, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
