// Fixed-width little-endian and varint encoding. All on-disk and on-wire
// integers go through these helpers so the byte order is decided in one place.
//
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace neuroquantum {

// On little-endian machines (x86-64, ARM64) the bytes are the integer's
// own: one load or store. Elsewhere they are assembled byte by byte.
inline constexpr bool kLittleEndian = std::endian::native == std::endian::little;

template <typename T>
inline void EncodeFixed(uint8_t* dst, T v) {
  if constexpr (kLittleEndian) {
    std::memcpy(dst, &v, sizeof v);
  } else {
    for (size_t i = 0; i < sizeof v; ++i) dst[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}
template <typename T>
inline T DecodeFixed(const uint8_t* src) {
  T v = 0;
  if constexpr (kLittleEndian) {
    std::memcpy(&v, src, sizeof v);
  } else {
    for (size_t i = sizeof v; i-- > 0;) v = static_cast<T>((v << 8) | src[i]);
  }
  return v;
}

inline void EncodeFixed16(uint8_t* dst, uint16_t v) { EncodeFixed(dst, v); }
inline void EncodeFixed32(uint8_t* dst, uint32_t v) { EncodeFixed(dst, v); }
inline void EncodeFixed64(uint8_t* dst, uint64_t v) { EncodeFixed(dst, v); }
inline uint16_t DecodeFixed16(const uint8_t* src) { return DecodeFixed<uint16_t>(src); }
inline uint32_t DecodeFixed32(const uint8_t* src) { return DecodeFixed<uint32_t>(src); }
inline uint64_t DecodeFixed64(const uint8_t* src) { return DecodeFixed<uint64_t>(src); }

inline void PutFixed16(std::string* dst, uint16_t v) {
  uint8_t buf[2];
  EncodeFixed16(buf, v);
  dst->append(reinterpret_cast<char*>(buf), 2);
}
inline void PutFixed32(std::string* dst, uint32_t v) {
  uint8_t buf[4];
  EncodeFixed32(buf, v);
  dst->append(reinterpret_cast<char*>(buf), 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  uint8_t buf[8];
  EncodeFixed64(buf, v);
  dst->append(reinterpret_cast<char*>(buf), 8);
}

// Unsigned LEB128 varint, at most 10 bytes for 64-bit values.
inline void PutVarint64(std::string* dst, uint64_t v) {
  if (v < 0x80) {
    dst->push_back(static_cast<char>(v));
    return;
  }
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}

// Length-prefixed byte string: varint length, then the bytes.
inline void PutLengthPrefixed(std::string* dst, std::string_view bytes) {
  PutVarint64(dst, bytes.size());
  dst->append(bytes);
}

// A forward reader over a byte span that never reads past its end. Every Get*
// returns false (and leaves the output unspecified) on truncated input, so
// parsers of untrusted bytes can reject them without crashing.
class ByteReader {
 public:
  explicit ByteReader(std::string_view input) : data_(input) {}

  bool GetFixed8(uint8_t* v) {
    if (data_.empty()) return false;
    *v = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return true;
  }
  bool GetFixed16(uint16_t* v) { return GetFixed<uint16_t>(v, DecodeFixed16); }
  bool GetFixed32(uint32_t* v) { return GetFixed<uint32_t>(v, DecodeFixed32); }
  bool GetFixed64(uint64_t* v) { return GetFixed<uint64_t>(v, DecodeFixed64); }
  bool GetVarint64(uint64_t* v) {
    const auto* p = reinterpret_cast<const uint8_t*>(data_.data());
    const size_t n = std::min<size_t>(data_.size(), 10);
    // One byte (values below 128) is the common case.
    if (n != 0 && p[0] < 0x80) {
      *v = p[0];
      data_.remove_prefix(1);
      return true;
    }
    uint64_t result = 0;
    for (size_t i = 0; i < n; ++i) {
      result |= static_cast<uint64_t>(p[i] & 0x7f) << (7 * i);
      if (p[i] < 0x80) {
        if (i == 9 && p[i] > 1) return false;  // would overflow 64 bits
        *v = result;
        data_.remove_prefix(i + 1);
        return true;
      }
    }
    return false;  // truncated, or more than 10 bytes: malformed
  }
  bool GetBytes(size_t n, std::string_view* out) {
    if (data_.size() < n) return false;
    *out = data_.substr(0, n);
    data_.remove_prefix(n);
    return true;
  }
  // Skips one varint of at most `max_bytes` bytes; false when truncated or
  // longer.
  bool SkipVarint(size_t max_bytes) {
    const size_t n = std::min(max_bytes, data_.size());
    for (size_t i = 0; i < n; ++i) {
      if ((static_cast<uint8_t>(data_[i]) & 0x80) == 0) {
        data_.remove_prefix(i + 1);
        return true;
      }
    }
    return false;
  }
  bool Skip(size_t n) {
    if (data_.size() < n) return false;
    data_.remove_prefix(n);
    return true;
  }
  bool GetLengthPrefixed(std::string_view* out) {
    uint64_t len = 0;
    return GetVarint64(&len) && GetBytes(len, out);
  }
  size_t remaining() const { return data_.size(); }
  std::string_view rest() const { return data_; }

 private:
  template <typename T, typename Fn>
  bool GetFixed(T* v, Fn decode) {
    if (data_.size() < sizeof(T)) return false;
    *v = decode(reinterpret_cast<const uint8_t*>(data_.data()));
    data_.remove_prefix(sizeof(T));
    return true;
  }
  std::string_view data_;
};

}  // namespace neuroquantum
