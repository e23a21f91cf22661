// WITH RECURSIVE: the working-table scan and the iterating union
// (docs/architecture/sql.md, "Recursive queries").
#include <fmt/format.h>

#include "exec/internal/charges.h"
#include "exec/plan.h"

namespace neuroquantum::exec {

namespace {

class WorkingTableScan : public Operator {
 public:
  WorkingTableScan(std::shared_ptr<WorkingTable> table, std::string name)
      : table_(std::move(table)), name_(std::move(name)) {}
  Status DoOpen(ExecContext*) override {
    pos_ = 0;
    return Status::OK();
  }
  Result<bool> DoNext(Row* row) override {
    if (pos_ >= table_->rows.size()) return false;
    *row = table_->rows[pos_++];
    return true;
  }
  std::string Describe() const override { return fmt::format("Working Table Scan ({})", name_); }

 private:
  std::shared_ptr<WorkingTable> table_;
  std::string name_;
  size_t pos_ = 0;
};

// Emits the anchor's rows, then iterates: the rows one pass emitted become
// the working table, and the recursive term runs over them; it ends when a
// pass emits nothing. Each row goes out as soon as it is made.
class RecursiveUnion : public Operator {
 public:
  RecursiveUnion(OperatorPtr anchor, OperatorPtr step, std::shared_ptr<WorkingTable> working, bool all,
                 std::string name)
      : anchor_(std::move(anchor)),
        step_(std::move(step)),
        working_(std::move(working)),
        all_(all),
        name_(std::move(name)) {}

  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    charges_.Reset(ctx);
    produced_bytes_ = working_bytes_ = 0;
    seen_.clear();
    produced_.clear();
    working_->rows.clear();
    iterations_ = 0;
    in_step_ = false;
    return anchor_->Open(ctx);
  }

  Result<bool> DoNext(Row* row) override {
    while (true) {
      Operator* source = in_step_ ? step_.get() : anchor_.get();
      NQ_ASSIGN_OR_RETURN(bool more, source->Next(row));
      if (more) {
        NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
        size_t bytes = RowBytes(*row);
        if (!all_) {
          if (seen_.count(*row) != 0) continue;
          seen_.insert(*row);
          NQ_RETURN_IF_ERROR(charges_.Add(ctx_, bytes));
        }
        NQ_RETURN_IF_ERROR(charges_.Add(ctx_, bytes));
        produced_bytes_ += bytes;
        produced_.push_back(*row);
        return true;
      }
      // A pass is over: its rows feed the next one, if there are any.
      if (produced_.empty()) return false;
      if (++iterations_ > ctx_->recursion_limit) {
        return Status::OutOfRange(fmt::format("recursive query \"{}\" did not finish within {} iterations (the "
                                              "recursion limit)",
                                              name_, ctx_->recursion_limit))
            .WithSqlState("54001");
      }
      // The previous working table is let go of.
      working_->rows.swap(produced_);
      produced_.clear();
      charges_.Release(ctx_, working_bytes_);
      working_bytes_ = produced_bytes_;
      produced_bytes_ = 0;
      in_step_ = true;
      NQ_RETURN_IF_ERROR(step_->Open(ctx_));
    }
  }

  std::string Describe() const override {
    return fmt::format("Recursive Union{} ({})", all_ ? " All" : "", name_);
  }
  std::vector<const Operator*> children() const override { return {anchor_.get(), step_.get()}; }

 private:
  OperatorPtr anchor_, step_;
  std::shared_ptr<WorkingTable> working_;
  const bool all_;
  const std::string name_;
  ExecContext* ctx_ = nullptr;
  RowSet seen_;               // without ALL: every row emitted
  std::vector<Row> produced_;  // this pass's rows: the next working table
  size_t produced_bytes_ = 0, working_bytes_ = 0;  // of produced_, of the working table
  uint64_t iterations_ = 0;
  bool in_step_ = false;
  Charges charges_;
};

}  // namespace

OperatorPtr MakeWorkingTableScan(std::shared_ptr<WorkingTable> table, std::string name) {
  return std::make_unique<WorkingTableScan>(std::move(table), std::move(name));
}

OperatorPtr MakeRecursiveUnion(OperatorPtr anchor, OperatorPtr step, std::shared_ptr<WorkingTable> working,
                               bool all, std::string name) {
  return std::make_unique<RecursiveUnion>(std::move(anchor), std::move(step), std::move(working), all,
                                          std::move(name));
}

}  // namespace neuroquantum::exec
