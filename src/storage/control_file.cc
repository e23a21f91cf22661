// ControlFile: two alternating checksummed slots.
#include "storage/control_file.h"

#include <array>
#include <cstring>

#include "common/checksum.h"
#include "common/coding.h"

namespace neuroquantum::storage {
namespace {

constexpr char kControlMagic[4] = {'N', 'Q', 'C', 'T'};

bool DecodeSlot(const uint8_t* slot, uint64_t index, ControlData* out) {
  if (DecodeFixed32(slot) != Checksum32(slot + 4, ControlFile::kSlotSize - 4, index)) return false;
  if (std::memcmp(slot + 4, kControlMagic, 4) != 0) return false;
  out->sequence = DecodeFixed64(slot + 8);
  out->database_id = DecodeFixed64(slot + 16);
  out->redo_lsn = DecodeFixed64(slot + 24);
  out->undo_lsn = DecodeFixed64(slot + 32);
  out->next_txn_id = DecodeFixed64(slot + 40);
  out->segment_size = DecodeFixed64(slot + 48);
  out->epoch = DecodeFixed32(slot + 56);
  out->page_size = DecodeFixed32(slot + 60);
  return true;
}

void EncodeSlot(const ControlData& data, uint64_t index, uint8_t* slot) {
  std::memset(slot, 0, ControlFile::kSlotSize);
  std::memcpy(slot + 4, kControlMagic, 4);
  EncodeFixed64(slot + 8, data.sequence);
  EncodeFixed64(slot + 16, data.database_id);
  EncodeFixed64(slot + 24, data.redo_lsn);
  EncodeFixed64(slot + 32, data.undo_lsn);
  EncodeFixed64(slot + 40, data.next_txn_id);
  EncodeFixed64(slot + 48, data.segment_size);
  EncodeFixed32(slot + 56, data.epoch);
  EncodeFixed32(slot + 60, data.page_size);
  EncodeFixed32(slot, Checksum32(slot + 4, ControlFile::kSlotSize - 4, index));
}

}  // namespace

Result<ControlData> ControlFile::Read(Env* env, const std::string& path) {
  NQ_ASSIGN_OR_RETURN(auto file, env->OpenFile(path, OpenMode::kReadOnly));
  std::array<uint8_t, 2 * kSlotSize> buf{};
  size_t got = 0;
  NQ_RETURN_IF_ERROR(file->ReadAt(0, buf, &got));
  ControlData best;
  bool found = false;
  for (uint64_t i = 0; i < 2; ++i) {
    ControlData slot;
    if ((i + 1) * kSlotSize <= got && DecodeSlot(buf.data() + i * kSlotSize, i, &slot) &&
        (!found || slot.sequence > best.sequence)) {
      best = slot;
      found = true;
    }
  }
  if (!found) return Status::Corruption(path + ": no valid control slot");
  return best;
}

Status ControlFile::Write(Env* env, const std::string& path, ControlData* data) {
  data->sequence++;
  uint64_t index = data->sequence % 2;
  NQ_ASSIGN_OR_RETURN(auto file, env->OpenFile(path, OpenMode::kCreate));
  std::array<uint8_t, kSlotSize> slot{};
  EncodeSlot(*data, index, slot.data());
  NQ_RETURN_IF_ERROR(file->WriteAt(index * kSlotSize, slot));
  return file->Sync();
}

}  // namespace neuroquantum::storage
