// RowSpool: rows kept to be read back once, in order, by a statement that
// must see all of them before it acts (INSERT ... SELECT reads its source
// in full before inserting, so it never sees its own rows). They stay in
// memory up to a quarter of the statement's budget (the rest is for the
// work done per row, such as triggers), then go to a spill file
// (storage/spill_file.h); without a spill directory they stay in memory
// up to the budget's error (53200). A row read back gives its memory back.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/internal/charges.h"
#include "exec/internal/spill.h"
#include "exec/plan.h"
#include "exec/row_codec.h"

namespace neuroquantum::exec {

class RowSpool {
 public:
  explicit RowSpool(ExecContext* ctx) : ctx_(ctx) { charges_.Reset(ctx); }
  ~RowSpool() { charges_.Reset(ctx_); }
  RowSpool(const RowSpool&) = delete;
  RowSpool& operator=(const RowSpool&) = delete;

  Status Add(Row row) {
    if (file_ == nullptr) {
      const size_t bytes = RowBytes(row);
      if (ctx_->spill == nullptr || ctx_->memory == nullptr || held_ + bytes <= ctx_->memory->limit() / 4) {
        held_ += bytes;
        rows_.push_back(std::move(row));
        return charges_.Add(ctx_, bytes);
      }
      // From here on rows go to the file.
      NQ_ASSIGN_OR_RETURN(file_, NewSpillFile(*ctx_));
    }
    ++spilled_;
    return AppendRow(file_.get(), row, &bytes_);
  }
  // Pulls every row of `op` (already open).
  Status AddAll(Operator* op) {
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, op->Next(&row));
      if (!more) return Status::OK();
      NQ_RETURN_IF_ERROR(Add(std::move(row)));
      row = Row();
    }
  }
  // The rows in the order added; call after the last Add.
  Result<bool> Next(Row* row) {
    if (pos_ < rows_.size()) {
      *row = std::move(rows_[pos_++]);
      const size_t bytes = RowBytes(*row);
      charges_.Release(ctx_, bytes);
      held_ -= std::min(held_, bytes);
      return true;
    }
    if (file_ == nullptr) return false;
    if (!reading_) {
      NQ_RETURN_IF_ERROR(file_->Finish());
      reading_ = true;
      spilled_rows_ = SpilledRows(file_.get());
    }
    return spilled_rows_(row);
  }
  size_t size() const { return rows_.size() + spilled_; }

 private:
  ExecContext* ctx_;
  Charges charges_;
  std::vector<Row> rows_;
  size_t pos_ = 0;
  size_t held_ = 0;  // bytes of rows_ not yet read back
  std::unique_ptr<storage::SpillFile> file_;
  size_t spilled_ = 0;
  bool reading_ = false;
  SpilledRows spilled_rows_{nullptr};
  std::string bytes_;
};

}  // namespace neuroquantum::exec
