// Join operators (plan.h): nested loops and hash joins over a materialised
// right side, which partition both sides to spill files when the right
// side outgrows the memory budget, and index nested loops.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "exec/estimate.h"
#include "exec/internal/charges.h"
#include "exec/internal/spill.h"
#include "exec/plan.h"
#include "exec/row_codec.h"
#include "storage/spill_file.h"

namespace neuroquantum::exec {
namespace {

// `l` followed by `r` (NULLs for a missing `r`), `width` values in all.
// Assigning into the previous row's values reuses their strings.
void CombineRows(const Row& l, const Row* r, size_t width, Row* out) {
  out->resize(r ? l.size() + r->size() : std::max(width, l.size()));
  std::copy(l.begin(), l.end(), out->begin());
  if (r) {
    std::copy(r->begin(), r->end(), out->begin() + static_cast<std::ptrdiff_t>(l.size()));
  } else {
    for (size_t i = l.size(); i < out->size(); ++i) (*out)[i] = Value::Null();
  }
}

using SpillFilePtr = std::unique_ptr<storage::SpillFile>;

// Nested loops over the right side held in memory, or with equal-key pairs
// a hash join on them. When the right side does not fit the memory budget
// (and there are keys), the join becomes a grace hash join: the right rows
// and then the left rows go to kSpillPartitions files by a hash of their
// key, and each pair of partitions is joined in memory on its own (split
// again by the next level's hash while its right side is still too large).
// Rows with a NULL key match nothing: they are dropped, or kept for the
// NULL-extended output of an outer join.
class JoinOp : public Operator {
 public:
  JoinOp(OperatorPtr left, OperatorPtr right, size_t lw, size_t rw, JoinKind kind, BoundExprPtr cond,
         std::vector<std::pair<int, int>> keys)
      : left_(std::move(left)), right_(std::move(right)), lw_(lw), rw_(rw), kind_(kind), cond_(std::move(cond)),
        keys_(std::move(keys)) {}

  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    pending_.clear();
    left_file_.reset();
    spilled_ = false;
    NQ_RETURN_IF_ERROR(right_->Open(ctx));
    SpillPartitions right_parts;
    NQ_ASSIGN_OR_RETURN(bool spilled, Build([this](Row* r) { return right_->Next(r); }, 0, &right_parts));
    NQ_RETURN_IF_ERROR(left_->Open(ctx));
    if (!spilled) {
      StartProbe();
      return Status::OK();
    }
    spilled_ = true;
    SpillPartitions left_parts;
    NQ_RETURN_IF_ERROR(SetAsideAll([this](Row* r) { return left_->Next(r); }, Side::kLeft, 0, &left_parts));
    NQ_RETURN_IF_ERROR(Pair(&right_parts, &left_parts, 1));
    return NextPartition().status();
  }

  Result<bool> DoNext(Row* row) override {
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool produced, Probe(row));
      if (produced) return true;
      if (!spilled_) return false;
      NQ_ASSIGN_OR_RETURN(bool ready, NextPartition());
      if (!ready) return false;
    }
  }

  std::string Describe() const override {
    static const char* kNames[] = {"Inner", "Left", "Right", "Full"};
    return fmt::format("{} {}Join", keys_.empty() ? "NestedLoop" : "Hash", kNames[static_cast<int>(kind_)]);
  }
  std::vector<const Operator*> children() const override { return {left_.get(), right_.get()}; }
  // A hash join handles each row of both inputs once; nested loops every
  // pair (as join ordering counts them, join_order.h).
  double estimated_cost() const override {
    if (estimated_rows() < 0) return -1;
    const double l = RowsOf(*left_), r = RowsOf(*right_);
    // As join ordering counts it: the right side held, the left probing.
    return InputsCost() + (keys_.empty() ? l * r : l + r * (1 + kColumnCost * static_cast<double>(rw_))) +
           estimated_rows() * (1 + kColumnCost * static_cast<double>(lw_ + rw_));
  }
  std::vector<const BoundExpr*> expressions() const override { return {cond_.get()}; }

 private:
  enum class Side : uint8_t { kLeft, kRight };

  // A pair of partitions waiting to be joined (a null file: no rows).
  struct Partition {
    SpillFilePtr right, left;
    int level = 0;
  };

  // Whether the rows of `side` without a match come out (NULL-extended).
  bool KeepsUnmatched(Side side) const {
    if (side == Side::kLeft) return kind_ == JoinKind::kLeft || kind_ == JoinKind::kFull;
    return kind_ == JoinKind::kRight || kind_ == JoinKind::kFull;
  }

  // The key values of a row of `side` into *key; false when one is NULL.
  bool KeyOf(const Row& row, Side side, Row* key) const {
    key->clear();
    bool has_null = false;
    for (auto [l, r] : keys_) {
      const Value& v = row[side == Side::kLeft ? l : r];
      has_null |= v.is_null();
      key->push_back(v);
    }
    return !has_null;
  }

  // Loads the right rows from `next` into memory, indexed by key. Past the
  // budget (with keys, somewhere to spill and below the deepest level) the
  // rows held and all that follow go to `parts` instead: true then.
  template <typename Next>
  Result<bool> Build(Next next, int level, SpillPartitions* parts) {
    right_rows_.clear();
    heads_.clear();
    charges_.Reset(ctx_);
    bool spilling = false;
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, next(&row));
      if (!more) break;
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      if (spilling) {
        NQ_RETURN_IF_ERROR(SetAside(row, Side::kRight, level, parts));
        continue;
      }
      Status charged = charges_.Add(ctx_, RowBytes(row));
      right_rows_.push_back(std::move(row));
      row = Row();
      if (charged.ok()) continue;
      if (keys_.empty()) return charged;
      NQ_RETURN_IF_ERROR(OverBudget(*ctx_, charged, level));
      spilling = true;
      for (const Row& held : right_rows_) NQ_RETURN_IF_ERROR(SetAside(held, Side::kRight, level, parts));
      std::vector<Row>().swap(right_rows_);
      charges_.Reset(ctx_);
    }
    if (spilling) return true;
    if (!keys_.empty()) Index();
    return false;
  }

  // The hash of the key of a row of `side` into *hash; false when a key
  // value is NULL (it matches nothing).
  bool KeyHash(const Row& row, Side side, size_t* hash) const {
    size_t h = 0x84222325;
    for (auto [l, r] : keys_) {
      const Value& v = row[side == Side::kLeft ? l : r];
      if (v.is_null()) return false;
      h = (h ^ HashValue(v)) * 0x100000001b3ULL;
    }
    *hash = h;
    return true;
  }

  // Whether a left and a right row have equal keys (SQL equality: 1 and
  // 1.0 are equal, as in grouping).
  bool KeysEqual(const Row& left, const Row& right) const {
    for (auto [l, r] : keys_) {
      if (left[l].SortCompare(right[r]) != 0) return false;
    }
    return true;
  }

  // Chains the right rows by their keys' hashes: a bucket's chain lists
  // its rows in their order, without a key row or table node per row.
  void Index() {
    const size_t n = right_rows_.size();
    size_t buckets = 16;
    while (buckets < 2 * n) buckets *= 2;
    bucket_mask_ = buckets - 1;
    heads_.assign(buckets, kNoRow);
    chain_.assign(n, kNoRow);
    hashes_.resize(n);
    for (size_t i = n; i-- > 0;) {
      size_t h;
      if (!KeyHash(right_rows_[i], Side::kRight, &h)) continue;
      hashes_[i] = h;
      chain_[i] = heads_[h & bucket_mask_];
      heads_[h & bucket_mask_] = static_cast<uint32_t>(i);
    }
  }

  // The first right row at or after chain position `i` whose key equals
  // the left row's (hash `probe_hash_`), or kNoRow.
  uint32_t Matching(uint32_t i) const {
    for (; i != kNoRow; i = chain_[i]) {
      if (hashes_[i] == probe_hash_ && KeysEqual(left_row_, right_rows_[i])) return i;
    }
    return kNoRow;
  }

  // Writes a row to its partition. A row with a NULL key is kept only when
  // it comes out unmatched; as it matches nothing, any partition will do,
  // so such rows are spread by a counter (and split like distinct keys).
  Status SetAside(const Row& row, Side side, int level, SpillPartitions* parts) {
    if (!KeyOf(row, side, &key_)) {
      if (!KeepsUnmatched(side)) return Status::OK();
      key_.assign(1, Value::Integer(static_cast<int64_t>(spread_++)));
    }
    return parts->Add(ctx_, key_, level, row);
  }

  template <typename Next>
  Status SetAsideAll(Next next, Side side, int level, SpillPartitions* parts) {
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, next(&row));
      if (!more) return Status::OK();
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      NQ_RETURN_IF_ERROR(SetAside(row, side, level, parts));
    }
  }

  // Queues the partition pairs that can produce rows, to be joined at
  // `level`: both sides present, or one whose unmatched rows come out.
  Status Pair(SpillPartitions* right_parts, SpillPartitions* left_parts, int level) {
    uint64_t written = 0;
    NQ_ASSIGN_OR_RETURN(auto rights, right_parts->Take(&written));
    NQ_ASSIGN_OR_RETURN(auto lefts, left_parts->Take(&written));
    NoteSpilled(written);
    for (size_t i = kSpillPartitions; i-- > 0;) {
      const bool both = rights[i] && lefts[i];
      if (both || (rights[i] && KeepsUnmatched(Side::kRight)) || (lefts[i] && KeepsUnmatched(Side::kLeft))) {
        pending_.push_back(Partition{std::move(rights[i]), std::move(lefts[i]), level});
      }
    }
    return Status::OK();
  }

  // Loads the next pair of partitions for probing; false when none is
  // left. A right side still over the budget splits the pair again.
  Result<bool> NextPartition() {
    while (!pending_.empty()) {
      Partition part = std::move(pending_.back());
      pending_.pop_back();
      SpillPartitions right_parts;
      NQ_ASSIGN_OR_RETURN(bool split, Build(SpilledRows(part.right.get(), rw_), part.level, &right_parts));
      part.right.reset();
      if (split) {
        SpillPartitions left_parts;
        NQ_RETURN_IF_ERROR(SetAsideAll(SpilledRows(part.left.get(), lw_), Side::kLeft, part.level, &left_parts));
        NQ_RETURN_IF_ERROR(Pair(&right_parts, &left_parts, part.level + 1));
        continue;
      }
      left_file_ = std::move(part.left);
      left_reader_ = SpilledRows(left_file_.get(), lw_);
      StartProbe();
      return true;
    }
    right_rows_.clear();
    heads_.clear();
    left_file_.reset();
    left_reader_ = SpilledRows(nullptr, lw_);
    StartProbe();
    return false;
  }

  void StartProbe() {
    right_matched_.assign(right_rows_.size(), false);
    have_left_ = false;
    left_done_ = false;
    tail_pos_ = 0;
  }

  Result<bool> NextLeft(Row* row) {
    if (!spilled_) return left_->Next(row);
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    return left_reader_(row);
  }

  // The next row joined from the right rows in memory and the current left
  // input; false when both are used up.
  Result<bool> Probe(Row* row) {
    while (!left_done_) {
      if (!have_left_) {
        NQ_ASSIGN_OR_RETURN(bool more, NextLeft(&left_row_));
        if (!more) {
          left_done_ = true;
          break;
        }
        have_left_ = true;
        left_matched_ = false;
        cand_pos_ = 0;
        if (!keys_.empty()) {
          cand_pos_ = kNoRow;
          if (!heads_.empty() && KeyHash(left_row_, Side::kLeft, &probe_hash_)) {
            cand_pos_ = Matching(heads_[probe_hash_ & bucket_mask_]);
          }
        }
      }
      // Without keys every right row is a candidate; with keys, the
      // matching rows of the chain.
      while (keys_.empty() ? cand_pos_ < right_rows_.size() : cand_pos_ != kNoRow) {
        NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
        const size_t ri = cand_pos_;
        cand_pos_ = keys_.empty() ? cand_pos_ + 1 : Matching(chain_[ri]);
        Combine(left_row_, &right_rows_[ri], row);
        bool ok = true;
        if (cond_) {
          NQ_ASSIGN_OR_RETURN(ok, EvaluatePredicate(*cond_, *row, ctx_));
        }
        if (ok) {
          left_matched_ = true;
          right_matched_[ri] = true;
          return true;
        }
      }
      have_left_ = false;
      if (!left_matched_ && KeepsUnmatched(Side::kLeft)) {
        Combine(left_row_, nullptr, row);
        return true;
      }
    }
    if (KeepsUnmatched(Side::kRight)) {
      while (tail_pos_ < right_rows_.size()) {
        size_t ri = tail_pos_++;
        if (right_matched_[ri]) continue;
        row->assign(lw_, Value::Null());
        row->insert(row->end(), right_rows_[ri].begin(), right_rows_[ri].end());
        return true;
      }
    }
    return false;
  }

  void Combine(const Row& l, const Row* r, Row* out) const { CombineRows(l, r, lw_ + rw_, out); }

  OperatorPtr left_, right_;
  size_t lw_, rw_;
  JoinKind kind_;
  BoundExprPtr cond_;
  std::vector<std::pair<int, int>> keys_;
  ExecContext* ctx_ = nullptr;
  std::vector<Row> right_rows_;
  // The right rows by key (Index): the first row of each bucket, each
  // row's successor in its bucket, each row's key hash.
  static constexpr uint32_t kNoRow = UINT32_MAX;
  std::vector<uint32_t> heads_;
  std::vector<uint32_t> chain_;
  std::vector<size_t> hashes_;
  size_t bucket_mask_ = 0;
  size_t probe_hash_ = 0;  // the current left row's key hash
  std::vector<bool> right_matched_;
  Charges charges_;
  Row left_row_;
  Row key_;  // reused for each row's hash key
  bool have_left_ = false, left_matched_ = false, left_done_ = false;
  size_t cand_pos_ = 0, tail_pos_ = 0;  // cand_pos_: a row number, or a chain position (kNoRow: none)
  // Grace hash join: the partitions still to join, and the left rows of
  // the one being joined.
  bool spilled_ = false;
  uint64_t spread_ = 0;
  std::vector<Partition> pending_;
  SpillFilePtr left_file_;
  SpilledRows left_reader_{nullptr};
};

class LookupJoinOp : public Operator {
 public:
  LookupJoinOp(OperatorPtr left, OperatorPtr right, size_t lw, size_t rw, BoundExprPtr cond)
      : left_(std::move(left)), right_(std::move(right)), lw_(lw), rw_(rw), cond_(std::move(cond)) {}

  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    have_left_ = false;
    return left_->Open(ctx);
  }

  Result<bool> DoNext(Row* row) override {
    while (true) {
      if (!have_left_) {
        NQ_ASSIGN_OR_RETURN(bool more, left_->Next(&left_row_));
        if (!more) return false;
        // The inner scan computes its key ranges from this row as it opens.
        const Row* saved = ctx_->probe;
        ctx_->probe = &left_row_;
        Status opened = right_->Open(ctx_);
        ctx_->probe = saved;
        NQ_RETURN_IF_ERROR(opened);
        have_left_ = true;
      }
      NQ_ASSIGN_OR_RETURN(bool more, right_->Next(&right_row_));
      if (!more) {
        have_left_ = false;
        continue;
      }
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      CombineRows(left_row_, &right_row_, lw_ + rw_, row);
      if (cond_) {
        NQ_ASSIGN_OR_RETURN(bool ok, EvaluatePredicate(*cond_, *row, ctx_));
        if (!ok) continue;
      }
      return true;
    }
  }

  std::string Describe() const override { return "NestedLoop InnerJoin (index lookup)"; }
  std::vector<const Operator*> children() const override { return {left_.get(), right_.get()}; }
  // The inner side runs once per outer row.
  double estimated_cost() const override {
    if (estimated_rows() < 0) return -1;
    return std::max(left_->estimated_cost(), 0.0) + RowsOf(*left_) * std::max(right_->estimated_cost(), 0.0) +
           estimated_rows() * (1 + kColumnCost * static_cast<double>(lw_ + rw_));
  }
  std::vector<const BoundExpr*> expressions() const override { return {cond_.get()}; }

 private:
  OperatorPtr left_, right_;
  size_t lw_, rw_;
  BoundExprPtr cond_;
  ExecContext* ctx_ = nullptr;
  Row left_row_, right_row_;
  bool have_left_ = false;
};

}  // namespace

OperatorPtr MakeJoin(OperatorPtr left, OperatorPtr right, size_t left_width, size_t right_width, JoinKind kind,
                     BoundExprPtr condition, std::vector<std::pair<int, int>> equal_keys) {
  return std::make_unique<JoinOp>(std::move(left), std::move(right), left_width, right_width, kind,
                                  std::move(condition), std::move(equal_keys));
}

OperatorPtr MakeLookupJoin(OperatorPtr left, OperatorPtr right, size_t left_width, size_t right_width,
                           BoundExprPtr condition) {
  return std::make_unique<LookupJoinOp>(std::move(left), std::move(right), left_width, right_width,
                                        std::move(condition));
}

}  // namespace neuroquantum::exec
