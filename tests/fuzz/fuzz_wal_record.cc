// Fuzz target: WAL record decoding and page-update application on bytes an
// attacker or a damaged disk could supply.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/wal_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace neuroquantum::storage;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (uint32_t page_size : {4096u, 8192u}) {
    auto rec = DecodeWalRecord(bytes, page_size);
    if (!rec.ok() || rec->type != WalRecordType::kMtr) continue;
    std::vector<uint8_t> page(page_size);
    for (const auto& update : rec->mtr.pages) (void)ApplyPageUpdate(update, page.data(), page_size);
    std::string again;
    EncodeMtrRecord(rec->mtr, &again);
    auto round = DecodeWalRecord(again, page_size);
    if (!round.ok()) __builtin_trap();  // what decodes must re-encode decodably
  }
  return 0;
}
