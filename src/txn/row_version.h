// The version header every row of a versioned (MVCC) tree carries in front
// of its value (docs/architecture/transactions.md, "Version storage"):
//
//   u8 flags      bit 0: deleted (a tombstone left until purge); others 0
//   varint writer the transaction that wrote this version (0: bootstrap)
//   payload       the row's bytes (empty for a tombstone)
//
// The clustered tree holds the newest version of each row; older ones live
// in the VersionStore while a snapshot may still need them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/coding.h"
#include "neuroquantum/result.h"
#include "txn/lock_manager.h"

namespace neuroquantum::txn {

struct RowVersion {
  TxnId writer = 0;
  bool deleted = false;
  std::string_view payload;  // points into the encoded bytes
};

inline constexpr uint8_t kRowDeleted = 1;

inline std::string EncodeRowVersion(TxnId writer, bool deleted, std::string_view payload) {
  std::string out;
  out.reserve(1 + 10 + payload.size());
  out.push_back(static_cast<char>(deleted ? kRowDeleted : 0));
  PutVarint64(&out, writer);
  out.append(payload);
  return out;
}

// Corruption when the header is malformed or has unknown flag bits.
inline Result<RowVersion> DecodeRowVersion(std::string_view raw) {
  ByteReader in(raw);
  uint8_t flags = 0;
  RowVersion row;
  if (!in.GetFixed8(&flags) || !in.GetVarint64(&row.writer) || (flags & ~kRowDeleted) != 0) {
    return Status::Corruption("row version header is malformed");
  }
  row.deleted = (flags & kRowDeleted) != 0;
  row.payload = in.rest();
  return row;
}

}  // namespace neuroquantum::txn
