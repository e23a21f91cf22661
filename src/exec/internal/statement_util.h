// Small pieces the statement runner's files share (session.cc, dml.cc,
// ddl.cc, ddl_constraints.cc, triggers.cc, window.cc): errors with a
// SQLSTATE, draining an operator into rows, and a batched walk over a tree
// that the walker may change.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exec/plan.h"
#include "neuroquantum/status.h"
#include "txn/txn_engine.h"

namespace neuroquantum::exec::internal {

// A statement's error: InvalidArgument carrying `sqlstate`.
inline Status SqlError(std::string_view sqlstate, std::string msg) {
  return Status::InvalidArgument(std::move(msg)).WithSqlState(sqlstate);
}

// Appends every row `root` (already open) produces to *rows, charging each
// to the statement's memory budget.
inline Status DrainInto(Operator* root, ExecContext* ctx, std::vector<Row>* rows) {
  Row row;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, root->Next(&row));
    if (!more) return Status::OK();
    NQ_RETURN_IF_ERROR(ctx->memory->Charge(RowBytes(row)));
    rows->push_back(std::move(row));
    row = Row();
  }
}

// Calls fn(key, value) for every entry of `tree` in key order. Entries are
// read in batches, each copied before `fn` sees it, so `fn` may change the
// tree (or others) between them.
template <typename Fn>
Status ForEachEntry(txn::Transaction* txn, txn::TreeId tree, Fn fn) {
  std::string lo;
  while (true) {
    std::vector<std::pair<std::string, std::string>> batch;
    {
      NQ_ASSIGN_OR_RETURN(auto cursor, txn->Scan(tree, lo));
      for (; cursor->Valid() && batch.size() < 1024; cursor->Next()) {
        batch.emplace_back(std::string(cursor->key()), std::string(cursor->value()));
      }
      NQ_RETURN_IF_ERROR(cursor->status());
    }
    if (batch.empty()) return Status::OK();
    lo = batch.back().first;
    lo.push_back('\0');
    for (const auto& [key, value] : batch) NQ_RETURN_IF_ERROR(fn(key, value));
  }
}

}  // namespace neuroquantum::exec::internal
