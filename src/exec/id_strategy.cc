#include "exec/id_strategy.h"

#include <mutex>
#include <random>

#include "exec/value.h"

namespace neuroquantum::exec {
namespace {

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  return gen;
}

std::string RandomBytes16() {
  std::string out(16, '\0');
  uint64_t a = Generator()();
  uint64_t b = Generator()();
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>((a >> (56 - 8 * i)) & 0xff);
    out[8 + i] = static_cast<char>((b >> (56 - 8 * i)) & 0xff);
  }
  return out;
}

// Version in the high nibble of byte 6, variant 10 in the top bits of byte 8.
void SetVersion(std::string* bytes, int version) {
  (*bytes)[6] = static_cast<char>((static_cast<uint8_t>((*bytes)[6]) & 0x0f) | (version << 4));
  (*bytes)[8] = static_cast<char>((static_cast<uint8_t>((*bytes)[8]) & 0x3f) | 0x80);
}

}  // namespace

std::string NewUuidV7(int64_t unix_ms) {
  // RFC 9562's monotonic random: the 74 bits after the timestamp start
  // random in each new millisecond and count up within one (or while the
  // clock stands behind the last UUID's time), so UUIDs of this process
  // strictly increase.
  static std::mutex mu;
  static uint64_t last_ms = 0;
  static UInt128 last_bits = 0;  // rand_a (12 bits) then rand_b (62 bits)
  constexpr UInt128 kBitsMask = (UInt128{1} << 74) - 1;
  auto ms = static_cast<uint64_t>(unix_ms < 0 ? 0 : unix_ms);
  UInt128 bits;
  {
    std::lock_guard lock(mu);
    if (ms > last_ms) {
      bits = ((static_cast<UInt128>(Generator()()) << 64) | Generator()()) & kBitsMask;
      bits >>= 1;  // room to count up within the millisecond
    } else {
      ms = last_ms;
      bits = (last_bits + 1) & kBitsMask;
      if (bits == 0) ++ms;  // 2^74 UUIDs in one millisecond: borrow the next
    }
    last_ms = ms;
    last_bits = bits;
  }
  std::string out(16, '\0');
  for (int i = 0; i < 6; ++i) out[i] = static_cast<char>((ms >> (40 - 8 * i)) & 0xff);
  auto rand_a = static_cast<uint32_t>(bits >> 62);
  auto rand_b = static_cast<uint64_t>(bits & ((UInt128{1} << 62) - 1));
  out[6] = static_cast<char>(0x70 | (rand_a >> 8));
  out[7] = static_cast<char>(rand_a & 0xff);
  out[8] = static_cast<char>(0x80 | (rand_b >> 56));
  for (int i = 9; i < 16; ++i) out[i] = static_cast<char>((rand_b >> (8 * (15 - i))) & 0xff);
  return out;
}

std::string NewUuidV4() {
  std::string out = RandomBytes16();
  SetVersion(&out, 4);
  return out;
}

std::string FormatUuid(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto b = static_cast<uint8_t>(bytes[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

int64_t NextSnowflakeId(int64_t last, int64_t now_ms, uint32_t machine) {
  const int64_t machine_bits = static_cast<int64_t>(machine & kMaxMachineId) << 12;
  int64_t elapsed = now_ms - kSnowflakeEpochMs;
  if (elapsed < 0) elapsed = 0;
  int64_t current = (elapsed << 22) | machine_bits;
  if (current > last) return current;
  int64_t next = last + 1;
  if ((next & (int64_t{kMaxMachineId} << 12)) != machine_bits) {
    next = (((last >> 22) + 1) << 22) | machine_bits;  // sequence used up (or another machine's id)
  }
  return next;
}

}  // namespace neuroquantum::exec
