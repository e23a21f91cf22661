// A deterministic stand-in for libFuzzer so that fuzz targets also run in
// ordinary builds (and under ASan+UBSan in `make test`): feeds each target
// random inputs and mutations of earlier inputs from a fixed seed.
// Usage: <target> [iterations]   (default 2000; NQ_TEST_LONG=1 multiplies by 20)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  long iterations = argc > 1 ? std::atol(argv[1]) : 2000;
  if (std::getenv("NQ_TEST_LONG") != nullptr) iterations *= 20;
  std::mt19937_64 rng(20261125);
  std::vector<std::string> pool{std::string()};
  for (long i = 0; i < iterations; ++i) {
    std::string input;
    if (rng() % 3 == 0 || pool.size() < 4) {
      input.resize(rng() % 512);
      for (auto& c : input) c = static_cast<char>(rng());
    } else {
      input = pool[rng() % pool.size()];
      int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits; ++e) {
        switch (rng() % 4) {
          case 0: if (!input.empty()) input[rng() % input.size()] ^= static_cast<char>(1u << (rng() % 8)); break;
          case 1: input.insert(input.begin() + static_cast<long>(input.empty() ? 0 : rng() % input.size()), static_cast<char>(rng())); break;
          case 2: if (!input.empty()) input.erase(rng() % input.size(), 1 + rng() % 4); break;
          default: input += input.substr(0, rng() % (input.size() + 1)); break;
        }
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    if (pool.size() < 256) pool.push_back(input); else pool[rng() % pool.size()] = input;
  }
  std::printf("%ld inputs, no crash\n", iterations);
  return 0;
}
