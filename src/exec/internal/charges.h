// Memory accounting shared by the operators (operators.cc, joins.cc,
// recursive_union.cc, row_spool.h).
#pragma once

#include <algorithm>
#include <unordered_set>

#include "exec/plan.h"

namespace neuroquantum::exec {

using RowSet = std::unordered_set<Row, RowHash, RowEq>;

// What one operator holds against the statement's memory budget; given
// back when the operator reopens within the same statement (a correlated
// subquery re-runs it per outer row). A kept plan reopened by a later
// statement starts afresh: the old budget is gone with its statement.
class Charges {
 public:
  Status Add(ExecContext* ctx, size_t bytes) {
    if (!ctx->memory) return Status::OK();
    held_ += bytes;
    return ctx->memory->Charge(bytes);
  }
  // Gives back `bytes` of what this operator holds (rows it let go of).
  void Release(ExecContext* ctx, size_t bytes) {
    bytes = std::min(bytes, held_);
    if (ctx->memory && ctx->memory->id() == budget_id_) ctx->memory->Release(bytes);
    held_ -= bytes;
  }
  void Reset(ExecContext* ctx) {
    if (ctx->memory && ctx->memory->id() == budget_id_) ctx->memory->Release(held_);
    budget_id_ = ctx->memory ? ctx->memory->id() : 0;
    held_ = 0;
  }

 private:
  uint64_t budget_id_ = 0;
  size_t held_ = 0;
};

}  // namespace neuroquantum::exec
