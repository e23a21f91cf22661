// RowSpool: rows kept to be read back once, in order, by a statement that
// must see all of them before it acts (INSERT ... SELECT reads its source
// in full before inserting, so it never sees its own rows). They stay in
// memory while the statement's budget allows, then go to a spill file
// (storage/spill_file.h); without a spill directory the budget's error
// (53200) stands.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/plan.h"
#include "exec/row_codec.h"
#include "storage/spill_file.h"

namespace neuroquantum::exec {

class RowSpool {
 public:
  Status Add(ExecContext* ctx, Row row) {
    if (file_ == nullptr) {
      Status charged = ctx->memory ? ctx->memory->Charge(RowBytes(row)) : Status::OK();
      if (charged.ok() || ctx->spill == nullptr) {
        rows_.push_back(std::move(row));
        return charged;
      }
      // The row stays uncharged: from here on rows go to the file.
      ctx->memory->Release(RowBytes(row));
      NQ_ASSIGN_OR_RETURN(file_, storage::SpillFile::Create(ctx->spill->dir, ctx->spill->page_size,
                                                            ctx->spill->transform));
    }
    bytes_.clear();
    EncodeTaggedRow(row, &bytes_);
    ++spilled_;
    return file_->Append(bytes_);
  }
  // Pulls every row of `op` (already open).
  Status AddAll(ExecContext* ctx, Operator* op) {
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, op->Next(&row));
      if (!more) return Status::OK();
      NQ_RETURN_IF_ERROR(Add(ctx, std::move(row)));
      row = Row();
    }
  }
  // The rows in the order added; call after the last Add.
  Result<bool> Next(Row* row) {
    if (pos_ < rows_.size()) {
      *row = std::move(rows_[pos_++]);
      return true;
    }
    if (file_ == nullptr) return false;
    if (!finished_) {
      NQ_RETURN_IF_ERROR(file_->Finish());
      finished_ = true;
    }
    NQ_ASSIGN_OR_RETURN(bool more, file_->Next(&bytes_));
    if (!more) return false;
    NQ_RETURN_IF_ERROR(DecodeTaggedRow(bytes_, row));
    return true;
  }
  size_t size() const { return rows_.size() + spilled_; }

 private:
  std::vector<Row> rows_;
  size_t pos_ = 0;
  std::unique_ptr<storage::SpillFile> file_;
  size_t spilled_ = 0;
  bool finished_ = false;
  std::string bytes_;
};

}  // namespace neuroquantum::exec
