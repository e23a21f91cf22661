// ControlFile: the small file "<database>-wal/control" that tells recovery
// where to start. It has two 512-byte slots written alternately; each write
// syncs. A torn write can damage only the slot being written, so the other
// slot (the previous checkpoint, whose WAL is still kept) stays usable.
//
// Slot layout (little-endian):
//   offset size field
//   0      4    checksum  Checksum32(slot[4, 512), seed = slot index)
//   4      4    magic     "NQCT"
//   8      8    sequence  incremented at each write; highest valid wins
//   16     8    database id
//   24     8    redo LSN: recovery replays page changes from here
//   32     8    undo LSN: recovery scans transactions from here (<= redo)
//   40     8    next transaction id
//   48     8    segment size in bytes
//   56     4    epoch of the WAL writer
//   60     4    page size
//
// Thread safety: not thread-safe; the engine serialises checkpoints.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/env.h"
#include "neuroquantum/result.h"
#include "storage/page.h"

namespace neuroquantum::storage {

struct ControlData {
  uint64_t sequence = 0;
  uint64_t database_id = 0;
  Lsn redo_lsn = 0;
  Lsn undo_lsn = 0;
  TxnId next_txn_id = 1;
  uint64_t segment_size = 0;
  uint32_t epoch = 0;
  uint32_t page_size = 0;
};

class ControlFile {
 public:
  static constexpr size_t kSlotSize = 512;

  // Reads the newest valid slot. Corruption if neither slot is valid.
  static Result<ControlData> Read(Env* env, const std::string& path);
  // Writes `data` (sequence incremented) into the older slot and syncs.
  static Status Write(Env* env, const std::string& path, ControlData* data);
};

}  // namespace neuroquantum::storage
