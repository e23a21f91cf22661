// Physical layout of the write-ahead log (see docs/architecture/storage.md).
//
// The WAL is a byte stream addressed by LSN (log sequence number = byte
// position in the stream). The stream is cut into segment files of
// `segment_size` bytes: segment n holds LSNs [n*segment_size,
// (n+1)*segment_size) and is named "%016x.wal" (n in hex) inside the WAL
// directory "<database>-wal/". Segments are divided into 32 KiB blocks.
// Records are split into fragments that never cross a block; a block tail
// shorter than a fragment header is zero padding.
//
// Fragment header (11 bytes, little-endian):
//   offset size field
//   0      4    checksum  Checksum32(bytes [4, 11+length), seed = FragmentSeed)
//   4      2    length    payload bytes that follow the header
//   6      1    type      FragmentType (persisted: do not change)
//   7      4    epoch     writer epoch (bumped in the control file at each
//                         open); a fragment from an older epoch than one
//                         already read is stale data, i.e. the end of log
//
// The checksum seed mixes the database id and the fragment's own LSN, so a
// fragment that is stale (from a recycled segment), misplaced, or from
// another database's WAL never verifies.
#pragma once

#include <cstdint>

#include "storage/page.h"

namespace neuroquantum::storage {

inline constexpr uint32_t kWalBlockSize = 32 * 1024;
inline constexpr uint32_t kFragmentHeaderSize = 11;

// Persisted: do not change.
enum class FragmentType : uint8_t {
  kZero = 0,  // padding / never written
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};

inline uint64_t FragmentSeed(uint64_t database_id, Lsn lsn) {
  return database_id * 0x9E3779B97F4A7C15ULL ^ lsn;
}

}  // namespace neuroquantum::storage
