// Fuzz target: arbitrary TOML text as a configuration file gives a config
// or a clear error, never a crash or an escaping exception.
#include <cstdint>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "common/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::string path = [] {
    char tmpl[] = "/tmp/nqdb-fuzz-config-XXXXXX";
    int fd = ::mkstemp(tmpl);
    ::close(fd);
    return std::string(tmpl);
  }();
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
