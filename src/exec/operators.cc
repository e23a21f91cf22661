// Physical operators (plan.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "exec/plan.h"

#include "exec/estimate.h"
#include "exec/internal/charges.h"
#include "exec/internal/spill.h"
#include "exec/interval.h"
#include "exec/row_codec.h"
#include "storage/spill_file.h"

namespace neuroquantum::exec {

MemoryBudget::MemoryBudget(size_t limit) : limit_(limit) {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

Status MemoryBudget::Charge(size_t bytes) {
  used_ += bytes;
  if (used_ > limit_) {
    return Status::OutOfRange(fmt::format("query needs more than its memory limit of {} bytes", limit_))
        .WithSqlState("53200");
  }
  return Status::OK();
}

size_t RowBytes(const Row& row) {
  size_t n = sizeof(Row) + row.size() * sizeof(Value);
  for (const auto& v : row) {
    if (v.kind() == TypeId::kText || v.kind() == TypeId::kBlob) n += v.str().capacity() > 15 ? v.str().size() : 0;
  }
  return n;
}

size_t HashValue(const Value& v) {
  auto hash_int = [](int64_t i) { return std::hash<int64_t>()(i) * 0x9e3779b97f4a7c15ULL; };
  auto hash_double = [&](double d) -> size_t {
    if (d == 0) return hash_int(0);
    if (std::nearbyint(d) == d && std::fabs(d) < 9.2e18) return hash_int(static_cast<int64_t>(d));
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return std::hash<uint64_t>()(bits);
  };
  switch (v.kind()) {
    case TypeId::kNull: return 0x51ed27;
    case TypeId::kBigInt: return hash_int(v.integer());
    case TypeId::kDouble: return hash_double(v.dbl());
    case TypeId::kNumeric: {
      // A whole number hashes as that integer whatever its scale (1.00 =
      // 1): through a double it could round (12345678901234567.00).
      const Decimal d = v.numeric();
      if (d.scale == 0 && d.unscaled >= INT64_MIN && d.unscaled <= INT64_MAX) {
        return hash_int(static_cast<int64_t>(d.unscaled));
      }
      auto whole = d.Rescale(0);
      if (whole.ok() && whole->Compare(d) == 0 && whole->unscaled >= INT64_MIN && whole->unscaled <= INT64_MAX) {
        return hash_int(static_cast<int64_t>(whole->unscaled));
      }
      return hash_double(d.ToDouble());
    }
    case TypeId::kText:
    case TypeId::kBlob: return std::hash<std::string_view>()(v.str());
    case TypeId::kInterval: {  // equal lengths hash alike ('1 month' = '30 days')
      Int128 length = IntervalLength(v.months(), v.temporal());
      return hash_int(static_cast<int64_t>(length) ^ static_cast<int64_t>(length >> 64)) ^
             static_cast<size_t>(v.kind());
    }
    case TypeId::kDate: {  // a date equals its midnight timestamp: hash as that
      Int128 micros = static_cast<Int128>(v.temporal()) * kMicrosPerDayI;
      if (micros >= INT64_MIN && micros <= INT64_MAX) return hash_int(static_cast<int64_t>(micros));
      return hash_int(v.temporal()) ^ static_cast<size_t>(v.kind());  // equals no timestamp
    }
    case TypeId::kTimestamp: return hash_int(v.temporal());
    default: return hash_int(v.temporal()) ^ static_cast<size_t>(v.kind());
  }
}

size_t RowHash::operator()(const Row& r) const {
  size_t h = 0x84222325;
  for (const auto& v : r) h = (h ^ HashValue(v)) * 0x100000001b3ULL;
  return h;
}

bool RowEq::operator()(const Row& a, const Row& b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].SortCompare(b[i]) != 0) return false;
  }
  return true;
}

namespace {

bool Identical(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case TypeId::kNull: return true;
    case TypeId::kDouble: {
      const double x = a.dbl(), y = b.dbl();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case TypeId::kNumeric: {
      const Decimal x = a.numeric(), y = b.numeric();
      return x.scale == y.scale && x.unscaled == y.unscaled;
    }
    case TypeId::kText:
    case TypeId::kBlob: return a.str() == b.str();
    case TypeId::kInterval: return a.months() == b.months() && a.temporal() == b.temporal();
    default: return a.integer() == b.integer();  // the kinds held as one integer
  }
}

}  // namespace

bool StrictRowEq::operator()(const Row& a, const Row& b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Identical(a[i], b[i])) return false;
  }
  return true;
}

namespace {

// The values of `exprs` over `in`, into *out. Plain columns are assigned
// into the previous row's values, reusing their strings.
Status EvaluateInto(const std::vector<BoundExprPtr>& exprs, const Row& in, ExecContext* ctx, Row* out) {
  out->resize(exprs.size());
  for (size_t i = 0; i < exprs.size(); ++i) {
    const BoundExpr& e = *exprs[i];
    if (e.kind == BoundKind::kColumn && static_cast<size_t>(e.index) < in.size()) {
      (*out)[i] = in[static_cast<size_t>(e.index)];
      continue;
    }
    NQ_ASSIGN_OR_RETURN((*out)[i], Evaluate(e, in, ctx));
  }
  return Status::OK();
}

// Pulls every row of `op` into `rows`, charging the budget.
Status Drain(Operator* op, ExecContext* ctx, std::vector<Row>* rows, Charges* charges) {
  NQ_RETURN_IF_ERROR(op->Open(ctx));
  Row row;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, op->Next(&row));
    if (!more) return Status::OK();
    NQ_RETURN_IF_ERROR(charges->Add(ctx, RowBytes(row)));
    rows->push_back(std::move(row));
    row = Row();
  }
}

struct KeyRange {
  std::string lo;
  std::optional<std::string> hi;
};

// The smallest string greater than every string with prefix `s`; nullopt
// when there is none (all 0xff).
std::optional<std::string> PrefixSuccessor(std::string s) {
  while (!s.empty() && static_cast<uint8_t>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<uint8_t>(s.back()) + 1);
  return s;
}

// Appends `v` as a key column of `type`; false when it cannot be (a value
// of another family), which makes the scan fall back to reading all.
bool EncodeBound(storage::KeyEncoder* key, const Value& v, const DataType& type) {
  switch (v.kind()) {
    case TypeId::kBigInt:
      if (!type.is_numeric()) return false;
      key->AddInt64(v.integer());
      return true;
    case TypeId::kDouble:
      if (!type.is_numeric()) return false;
      key->AddDouble(v.dbl());
      return true;
    case TypeId::kNumeric:
      return type.is_numeric() && key->AddDecimal(v.numeric().ToString()).ok();
    case TypeId::kText:
      if (type.is_string()) {
        key->AddText(v.str());
        return true;
      }
      if (type.is_temporal()) {
        auto cast = v.CastTo(type);
        return cast.ok() && AppendKeyColumn(key, *cast, type).ok();
      }
      return false;
    case TypeId::kBlob:
      if (type.id != TypeId::kBlob) return false;
      key->AddBlob(v.str());
      return true;
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kBoolean:
      return type.id == v.kind() && AppendKeyColumn(key, v, type).ok();
    default: return false;
  }
}

// Runs an external sort merges at once (a page and a file descriptor
// each). Runs are merged by level: kMaxRuns runs of one level make one
// run of the next, so each row is rewritten once per level (log base
// kMaxRuns of the runs), as in a B-tree of merges.
constexpr size_t kMaxRuns = 256;

// Past this many key ranges a scan reads everything instead.
constexpr size_t kMaxRanges = 4096;

// The key ranges `bounds` stand for now; false to read everything.
Result<bool> ComputeRanges(const ScanBounds& b, ExecContext* ctx, std::vector<KeyRange>* ranges) {
  static const Row kNoRow;
  const Row& input = ctx->probe != nullptr ? *ctx->probe : kNoRow;
  std::vector<std::string> prefixes{std::string()};
  for (size_t i = 0; i < b.equal.size(); ++i) {
    std::vector<std::string> next;
    auto add = [&](const Value& v) {
      if (v.is_null()) return true;  // = NULL matches nothing
      for (const auto& p : prefixes) {
        storage::KeyEncoder key;
        if (!EncodeBound(&key, v, b.types[i])) return false;
        next.push_back(p + key.buffer());
      }
      return true;
    };
    for (const auto& e : b.equal[i]) {
      if (e->kind == BoundKind::kInSubquery) {
        NQ_ASSIGN_OR_RETURN(const std::vector<Value>* values, UncorrelatedInValues(*e, ctx));
        if (values->size() * prefixes.size() > kMaxRanges) return false;
        for (const Value& v : *values) {
          if (!add(v)) return false;
        }
        continue;
      }
      NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e, input, ctx));
      if (!add(v)) return false;
    }
    if (next.size() > kMaxRanges) return false;
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    prefixes = std::move(next);
  }
  std::optional<std::string> lower, upper;
  const DataType* range_type = b.equal.size() < b.types.size() ? &b.types[b.equal.size()] : nullptr;
  for (int side = 0; side < 2; ++side) {
    const BoundExpr* e = side == 0 ? b.lower.get() : b.upper.get();
    if (!e || !range_type) continue;
    NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e, input, ctx));
    if (v.is_null()) return true;  // compared with NULL: no rows
    storage::KeyEncoder key;
    if (!EncodeBound(&key, v, *range_type)) return false;
    (side == 0 ? lower : upper) = key.buffer();
  }
  for (const auto& p : prefixes) {
    KeyRange r;
    r.lo = p;
    r.hi = PrefixSuccessor(p);
    if (lower) {
      if (b.lower_inclusive) {
        r.lo = p + *lower;
      } else {
        auto s = PrefixSuccessor(p + *lower);
        if (!s) continue;
        r.lo = *s;
      }
    }
    if (upper) r.hi = b.upper_inclusive ? PrefixSuccessor(p + *upper) : std::optional<std::string>(p + *upper);
    if (r.hi && *r.hi <= r.lo) continue;
    ranges->push_back(std::move(r));
  }
  return true;
}

std::vector<const BoundExpr*> Pointers(const std::vector<BoundExprPtr>& exprs) {
  std::vector<const BoundExpr*> out;
  for (const auto& e : exprs) out.push_back(e.get());
  return out;
}

class TableScan : public Operator {
 public:
  TableScan(std::shared_ptr<const TableInfo> table, std::shared_ptr<const IndexInfo> index,
            std::shared_ptr<ScanBounds> bounds, bool with_key, ColumnMask needed)
      : table_(std::move(table)), index_(std::move(index)), bounds_(std::move(bounds)), with_key_(with_key),
        needed_(std::move(needed)), types_(table_->types()) {}

  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    // The planner marks the columns it reads until planning ends, so the
    // mask is final only now.
    if (!decoder_) decoder_.emplace(types_, needed_.get());
    next_range_ = 0;
    cursor_.reset();
    ranges_.clear();
    bool bounded = false;
    if (bounds_) {
      NQ_ASSIGN_OR_RETURN(bounded, ComputeRanges(*bounds_, ctx, &ranges_));
    }
    if (!bounded) {
      ranges_.clear();
      ranges_.push_back(KeyRange{});
    }
    // An index that holds every column the query reads answers alone
    // (index entries are versioned like rows, so they are as visible as
    // the rows they point to).
    index_only_ = IndexCovers();
    // Equality on the whole primary key: each range is one row's key, read
    // with a point lookup instead of a cursor.
    point_ = bounded && !index_ && bounds_->equal.size() == table_->primary_key.size() && !bounds_->lower &&
             !bounds_->upper;
    return Status::OK();
  }

  Result<bool> DoNext(Row* row) override {
    while (point_) {
      if (next_range_ >= ranges_.size()) return false;
      const std::string& key = ranges_[next_range_++].lo;
      NQ_ASSIGN_OR_RETURN(auto record, ctx_->txn->Get(table_->tree, key));
      if (!record) continue;
      NQ_RETURN_IF_ERROR(decoder_->Decode(*record, row));
      if (with_key_) row->push_back(Value::Blob(key));
      return true;
    }
    while (true) {
      if (!cursor_ || !cursor_->Valid()) {
        if (cursor_) NQ_RETURN_IF_ERROR(cursor_->status());
        if (next_range_ >= ranges_.size()) return false;
        const KeyRange& r = ranges_[next_range_++];
        txn::TreeId tree = index_ ? index_->tree : table_->tree;
        NQ_ASSIGN_OR_RETURN(cursor_, ctx_->txn->Scan(tree, r.lo,
                                                     r.hi ? std::optional<std::string_view>(*r.hi) : std::nullopt));
        continue;
      }
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      if (index_only_) {
        NQ_RETURN_IF_ERROR(DecodeIndexEntry(cursor_->key(), row));
        if (with_key_) key_.assign(cursor_->value());
        cursor_->Next();
      } else if (index_) {
        // The entry's value is the row's key; the row is read from the table.
        key_.assign(cursor_->value());
        cursor_->Next();
        NQ_ASSIGN_OR_RETURN(auto record, ctx_->txn->Get(table_->tree, key_));
        if (!record) continue;  // not visible
        NQ_RETURN_IF_ERROR(decoder_->Decode(*record, row));
      } else {
        NQ_RETURN_IF_ERROR(decoder_->Decode(cursor_->value(), row));
        if (with_key_) key_.assign(cursor_->key());
        cursor_->Next();
      }
      if (with_key_) row->push_back(Value::Blob(key_));
      return true;
    }
  }

  // Whether the index holds every column the query reads.
  bool IndexCovers() const {
    if (!index_ || !needed_) return false;
    for (size_t c = 0; c < needed_->size(); ++c) {
      if ((*needed_)[c] &&
          std::find(index_->columns.begin(), index_->columns.end(), static_cast<int>(c)) == index_->columns.end()) {
        return false;
      }
    }
    return true;
  }

  // Fills the indexed columns of `row` from an index entry's key; the
  // other columns are NULL.
  Status DecodeIndexEntry(std::string_view key, Row* row) {
    if (row->size() != types_.size()) row->assign(types_.size(), Value::Null());
    storage::KeyDecoder decoder(key);
    for (size_t i = 0; i < index_->columns.size(); ++i) {
      int c = index_->columns[i];
      auto order = index_->descending[i] ? storage::SortOrder::kDescending : storage::SortOrder::kAscending;
      NQ_ASSIGN_OR_RETURN((*row)[c], ReadKeyColumn(&decoder, types_[c], order));
    }
    return Status::OK();
  }

  std::string Describe() const override {
    std::string s = index_ ? fmt::format("IndexScan {} using {}", table_->name, index_->name)
                           : fmt::format("TableScan {}", table_->name);
    if (bounds_) {
      const size_t bounded = bounds_->equal.size() + (bounds_->lower || bounds_->upper ? 1 : 0);
      s += fmt::format(" ({}{} key column{} bounded)", index_ ? "" : "primary key, ", bounded, bounded == 1 ? "" : "s");
    }
    if (IndexCovers()) s += " index only";
    return s;
  }
  // A full table scan costs one unit per row; a bounded one a seek, then
  // each row as a lookup fetches it (estimate.h); through an index, each
  // row costs an index entry and the row.
  double estimated_cost() const override {
    const double rows = estimated_rows();
    if (rows < 0) return -1;
    const double per_row = index_ ? kLookupIndexRowCost : bounds_ ? kLookupRowCost : 1;
    return (bounds_ ? kLookupSeekCost : 0) + rows * per_row;
  }

 private:
  std::shared_ptr<const TableInfo> table_;
  std::shared_ptr<const IndexInfo> index_;
  std::shared_ptr<ScanBounds> bounds_;
  std::vector<KeyRange> ranges_;
  bool with_key_;
  ColumnMask needed_;
  std::vector<DataType> types_;
  std::optional<RowDecoder> decoder_;
  ExecContext* ctx_ = nullptr;
  size_t next_range_ = 0;
  std::unique_ptr<txn::Cursor> cursor_;
  std::string key_;
  bool point_ = false;
  bool index_only_ = false;
};

class ValuesOp : public Operator {
 public:
  explicit ValuesOp(std::vector<std::vector<BoundExprPtr>> rows) : rows_(std::move(rows)) {}
  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    pos_ = 0;
    return Status::OK();
  }
  Result<bool> DoNext(Row* row) override {
    if (pos_ >= rows_.size()) return false;
    const auto& exprs = rows_[pos_++];
    row->clear();
    row->reserve(exprs.size());
    static const Row kEmpty;
    for (const auto& e : exprs) {
      NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e, kEmpty, ctx_));
      row->push_back(std::move(v));
    }
    return true;
  }
  std::string Describe() const override { return fmt::format("Values ({} rows)", rows_.size()); }

 private:
  std::vector<std::vector<BoundExprPtr>> rows_;
  ExecContext* ctx_ = nullptr;
  size_t pos_ = 0;
};

class FilterOp : public Operator {
 public:
  FilterOp(OperatorPtr child, BoundExprPtr pred) : child_(std::move(child)), pred_(std::move(pred)) {}
  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    return child_->Open(ctx);
  }
  Result<bool> DoNext(Row* row) override {
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, child_->Next(row));
      if (!more) return false;
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      NQ_ASSIGN_OR_RETURN(bool keep, EvaluatePredicate(*pred_, *row, ctx_));
      if (keep) return true;
    }
  }
  std::string Describe() const override { return "Filter"; }
  std::vector<const Operator*> children() const override { return {child_.get()}; }
  double estimated_cost() const override { return CostPerInputRow(); }
  std::vector<const BoundExpr*> expressions() const override { return {pred_.get()}; }

 private:
  OperatorPtr child_;
  BoundExprPtr pred_;
  ExecContext* ctx_ = nullptr;
};

class ProjectOp : public Operator {
 public:
  ProjectOp(OperatorPtr child, std::vector<BoundExprPtr> exprs) : child_(std::move(child)), exprs_(std::move(exprs)) {}
  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    return child_->Open(ctx);
  }
  Result<bool> DoNext(Row* row) override {
    NQ_ASSIGN_OR_RETURN(bool more, child_->Next(&input_));
    if (!more) return false;
    NQ_RETURN_IF_ERROR(EvaluateInto(exprs_, input_, ctx_, row));
    return true;
  }
  std::string Describe() const override { return fmt::format("Project ({} columns)", exprs_.size()); }
  std::vector<const Operator*> children() const override { return {child_.get()}; }
  std::vector<const BoundExpr*> expressions() const override { return Pointers(exprs_); }

 private:
  OperatorPtr child_;
  std::vector<BoundExprPtr> exprs_;
  ExecContext* ctx_ = nullptr;
  Row input_;
};

// GROUP BY: groups in a hash table, or, when the input comes ordered by
// the key columns (sorted_by), one group after the other without a table.
class AggregateOp : public Operator {
 public:
  AggregateOp(OperatorPtr child, std::vector<BoundExprPtr> keys, std::vector<AggregateCall> aggs)
      : child_(std::move(child)), keys_(std::move(keys)), aggs_(std::move(aggs)), streaming_(InputGrouped()) {
    for (const auto& a : aggs_) {
      const bool column = a.args.size() == 1 && a.args[0]->kind == BoundKind::kColumn;
      arg_columns_.push_back(column ? a.args[0]->index : (a.args.empty() ? kNoArguments : kEvaluated));
    }
  }

  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    out_.clear();
    pos_ = 0;
    pending_.clear();
    charges_.Reset(ctx);
    group_.reset();
    input_done_ = false;
    NQ_RETURN_IF_ERROR(child_->Open(ctx));
    // Grouped input is aggregated as it is read (DoNext), one group at a time.
    if (streaming_) return Status::OK();
    Pass pass;
    if (keys_.empty()) NQ_RETURN_IF_ERROR(NewGroup(&pass, Row()));
    Row row, key, flat;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, child_->Next(&row));
      if (!more) break;
      NQ_RETURN_IF_ERROR(ctx->CheckInterrupt());
      size_t g = 0;
      if (!keys_.empty()) {
        NQ_RETURN_IF_ERROR(EvaluateInto(keys_, row, ctx_, &key));
        NQ_ASSIGN_OR_RETURN(std::optional<size_t> found, GroupOf(&pass, key));
        if (!found) {
          // A new group that does not fit: its key and arguments wait in a
          // partition.
          flat = key;
          NQ_RETURN_IF_ERROR(AppendArguments(row, &flat));
          NQ_RETURN_IF_ERROR(pass.partitions.Add(ctx, key, pass.level, flat));
          continue;
        }
        g = *found;
      }
      NQ_RETURN_IF_ERROR(AddRow(row, &pass.states[g]));
    }
    return FinishPass(&pass);
  }

  Result<bool> DoNext(Row* row) override {
    if (streaming_) return NextGroup(row);
    while (pos_ >= out_.size()) {
      if (pending_.empty()) return false;
      NQ_RETURN_IF_ERROR(NextPartition());
    }
    *row = std::move(out_[pos_++]);
    return true;
  }
  std::string Describe() const override {
    return fmt::format("{} ({} keys, {} aggregates)", streaming_ ? "GroupAggregate" : "HashAggregate", keys_.size(),
                       aggs_.size());
  }
  std::vector<const Operator*> children() const override { return {child_.get()}; }
  double estimated_cost() const override { return CostPerInputRow(); }
  std::vector<const BoundExpr*> expressions() const override {
    std::vector<const BoundExpr*> out = Pointers(keys_);
    for (const auto& a : aggs_) {
      for (const auto& e : a.args) out.push_back(e.get());
    }
    return out;
  }

 private:
  OperatorPtr child_;
  // Whether the keys are plain columns whose set is that of the first
  // columns the input is sorted by (GROUP BY b, b groups by b alone).
  bool InputGrouped() const {
    std::vector<int> columns;
    for (const auto& k : keys_) {
      if (k->kind != BoundKind::kColumn || k->nocase) return false;
      columns.push_back(k->index);
    }
    std::sort(columns.begin(), columns.end());
    columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
    const std::vector<int>& order = child_->sorted_by();
    if (columns.empty() || columns.size() > order.size()) return false;
    std::vector<int> prefix(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(columns.size()));
    std::sort(prefix.begin(), prefix.end());
    return prefix == columns;
  }

  // Adds `row` to a group's aggregate states.
  Status AddRow(const Row& row, std::vector<std::unique_ptr<AggregateState>>* states) {
    const size_t n = arg_columns_.size();
    for (size_t j = 0; j < n; ++j) {
      AggregateState* state = (*states)[j].get();
      const int column = arg_columns_[j];
      // One plain column (the usual case) is passed in place.
      if (column >= 0 && static_cast<size_t>(column) < row.size()) {
        NQ_RETURN_IF_ERROR(state->Add(std::span<const Value>(&row[static_cast<size_t>(column)], 1)));
        continue;
      }
      if (column == kNoArguments) {
        NQ_RETURN_IF_ERROR(state->Add({}));
        continue;
      }
      const auto& call_args = aggs_[j].args;
      args_.resize(call_args.size());
      for (size_t i = 0; i < call_args.size(); ++i) {
        NQ_ASSIGN_OR_RETURN(args_[i], Evaluate(*call_args[i], row, ctx_));
      }
      NQ_RETURN_IF_ERROR(state->Add(args_));
    }
    return Status::OK();
  }

  // The group being aggregated from grouped input.
  struct Group {
    Row key;
    std::vector<std::unique_ptr<AggregateState>> states;
  };

  // Grouped input: reads rows until the current group ends, then returns
  // it. Only one group is held, so nothing is charged or spilled.
  Result<bool> NextGroup(Row* row) {
    bool done = false;
    while (!input_done_) {
      NQ_ASSIGN_OR_RETURN(bool more, child_->Next(&input_));
      if (!more) {
        input_done_ = true;
        break;
      }
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      NQ_RETURN_IF_ERROR(EvaluateInto(keys_, input_, ctx_, &key_));
      if (group_ && RowEq()(key_, group_->key)) {
        NQ_RETURN_IF_ERROR(AddRow(input_, &group_->states));
        continue;
      }
      if (group_) {
        NQ_RETURN_IF_ERROR(FinishGroup(row));
        done = true;
      } else {
        group_.emplace();
      }
      std::swap(group_->key, key_);
      group_->states.clear();
      for (const auto& a : aggs_) group_->states.push_back(a.function->make(a.distinct));
      NQ_RETURN_IF_ERROR(AddRow(input_, &group_->states));
      if (done) return true;
    }
    if (!group_) return false;
    NQ_RETURN_IF_ERROR(FinishGroup(row));
    group_.reset();
    return true;
  }

  // The current group's output row: its key, then each aggregate's value.
  Status FinishGroup(Row* row) {
    row->assign(group_->key.begin(), group_->key.end());
    for (auto& st : group_->states) {
      NQ_ASSIGN_OR_RETURN(Value v, st->Finish());
      row->push_back(std::move(v));
    }
    return Status::OK();
  }

  // One grouping pass over an input (the child, or a partition set aside
  // by an earlier pass).
  struct Pass {
    std::unordered_map<Row, size_t, RowHash, RowEq> groups;
    std::vector<Row> keys;
    std::vector<std::vector<std::unique_ptr<AggregateState>>> states;
    SpillPartitions partitions;
    bool full = false;  // new groups go to the partitions
    int level = 0;
  };

  Status NewGroup(Pass* pass, Row key) {
    std::vector<std::unique_ptr<AggregateState>> s;
    for (const auto& a : aggs_) s.push_back(a.function->make(a.distinct));
    pass->states.push_back(std::move(s));
    Status charged = charges_.Add(ctx_, RowBytes(key) + 64 * aggs_.size());
    pass->keys.push_back(std::move(key));
    if (!charged.ok()) {
      NQ_RETURN_IF_ERROR(OverBudget(*ctx_, charged, pass->level));
      pass->full = true;  // this group stays; the next new ones wait
    }
    return Status::OK();
  }

  // The group of `key`, made if new; nullopt when it is new and the pass
  // is full.
  Result<std::optional<size_t>> GroupOf(Pass* pass, const Row& key) {
    if (auto it = pass->groups.find(key); it != pass->groups.end()) return std::optional<size_t>(it->second);
    if (pass->full) return std::optional<size_t>();
    const size_t g = pass->keys.size();
    pass->groups.emplace(key, g);
    NQ_RETURN_IF_ERROR(NewGroup(pass, key));
    return std::optional<size_t>(g);
  }

  // Every aggregate's arguments for `row`, appended in order.
  Status AppendArguments(const Row& row, Row* flat) {
    for (const auto& a : aggs_) {
      for (const auto& e : a.args) {
        NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e, row, ctx_));
        flat->push_back(std::move(v));
      }
    }
    return Status::OK();
  }

  // The pass's groups become output rows; its partitions wait their turn.
  Status FinishPass(Pass* pass) {
    for (size_t g = 0; g < pass->keys.size(); ++g) {
      Row out = std::move(pass->keys[g]);
      for (auto& st : pass->states[g]) {
        NQ_ASSIGN_OR_RETURN(Value v, st->Finish());
        out.push_back(std::move(v));
      }
      out_.push_back(std::move(out));
    }
    if (pass->partitions.active()) {
      uint64_t written = 0;
      NQ_RETURN_IF_ERROR(pass->partitions.MoveTo(&pending_, pass->level + 1, &written));
      NoteSpilled(written);
    }
    return Status::OK();
  }

  // Groups the next partition set aside: records of key and arguments.
  Status NextPartition() {
    auto [file, level] = std::move(pending_.back());
    pending_.pop_back();
    out_.clear();
    pos_ = 0;
    charges_.Reset(ctx_);
    Pass pass;
    pass.level = level;
    SpilledRows rows(file.get());
    Row record, key;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, rows(&record));
      if (!more) break;
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      if (record.size() < keys_.size()) return Status::Corruption("spilled group row is short");
      key.assign(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(keys_.size()));
      NQ_ASSIGN_OR_RETURN(std::optional<size_t> found, GroupOf(&pass, key));
      if (!found) {
        NQ_RETURN_IF_ERROR(pass.partitions.Add(ctx_, key, pass.level, record));
        continue;
      }
      size_t at = keys_.size();
      for (size_t j = 0; j < aggs_.size(); ++j) {
        const size_t n = aggs_[j].args.size();
        if (at + n > record.size()) return Status::Corruption("spilled group row is short");
        NQ_RETURN_IF_ERROR(pass.states[*found][j]->Add(std::span<const Value>(record.data() + at, n)));
        at += n;
      }
    }
    return FinishPass(&pass);
  }

  std::vector<BoundExprPtr> keys_;
  std::vector<AggregateCall> aggs_;
  bool streaming_;
  ExecContext* ctx_ = nullptr;
  // Partitions waiting to be grouped, taken from the back, with the level
  // of the pass that will group them.
  std::vector<std::pair<std::unique_ptr<storage::SpillFile>, int>> pending_;
  std::vector<Row> out_;
  size_t pos_ = 0;
  Charges charges_;
  std::vector<Value> args_;  // an aggregate's evaluated arguments
  // Per aggregate: the input column that is its one argument, or one of
  // these (AddRow's fast paths).
  static constexpr int kNoArguments = -1;  // COUNT(*)
  static constexpr int kEvaluated = -2;    // arguments are expressions
  std::vector<int> arg_columns_;
  // Grouped input (streaming_): the open group, the row read, its key.
  std::optional<Group> group_;
  Row input_, key_;
  bool input_done_ = false;
};

Result<int64_t> CountArgument(const BoundExpr* e, ExecContext* ctx, std::string_view what) {
  if (!e) return -1;
  static const Row kEmpty;
  NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e, kEmpty, ctx));
  if (v.is_null()) return -1;
  NQ_ASSIGN_OR_RETURN(Value i, v.CastTo(DataType::Of(TypeId::kBigInt)));
  (void)what;
  return i.integer();
}

// ORDER BY: a stable sort of every row, or with a LIMIT (top-N) a bounded
// heap of the first LIMIT + OFFSET rows in order, so memory and time grow
// with N rather than with the input. Ties keep input order either way.
class SortOp : public Operator {
 public:
  SortOp(OperatorPtr child, std::vector<SortKey> keys, BoundExprPtr limit, BoundExprPtr offset)
      : child_(std::move(child)),
        keys_(std::move(keys)),
        limit_expr_(std::move(limit)),
        offset_expr_(std::move(offset)) {}
  Status DoOpen(ExecContext* ctx) override {
    rows_.clear();
    pos_ = 0;
    charges_.Reset(ctx);
    runs_.clear();
    run_levels_.clear();
    heads_.clear();
    heap_.clear();
    held_ = 0;
    NQ_ASSIGN_OR_RETURN(int64_t limit, CountArgument(limit_expr_.get(), ctx, "LIMIT"));
    if (limit < 0) return SortAll(ctx);
    NQ_ASSIGN_OR_RETURN(int64_t offset, CountArgument(offset_expr_.get(), ctx, "OFFSET"));
    const uint64_t keep = static_cast<uint64_t>(limit) + static_cast<uint64_t>(std::max<int64_t>(offset, 0));
    return TopN(ctx, keep);
  }
  Result<bool> DoNext(Row* row) override {
    if (!runs_.empty()) return NextMerged(row);
    if (pos_ >= rows_.size()) return false;
    *row = std::move(rows_[pos_++]);
    return true;
  }
  std::string Describe() const override {
    return fmt::format("Sort ({} keys{})", keys_.size(), limit_expr_ ? ", top-N" : "");
  }
  std::vector<const Operator*> children() const override { return {child_.get()}; }
  // n log2 n comparisons for n input rows; a top-N sort's heap holds only
  // the rows it returns.
  double estimated_cost() const override {
    if (estimated_rows() < 0) return -1;
    const double n = RowsOf(*child_);
    const double held = limit_expr_ ? std::min(n, estimated_rows()) : n;
    return InputsCost() + n * std::log2(std::max(held, 2.0));
  }

 private:
  bool Before(const Row& a, const Row& b) const {
    for (const auto& k : keys_) {
      const Value& x = a[k.column];
      const Value& y = b[k.column];
      if (x.is_null() || y.is_null()) {
        if (x.is_null() == y.is_null()) continue;
        return x.is_null() == k.nulls_first;
      }
      int c = x.SortCompare(y);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  }

  // Every row in order. Rows are held until they pass the memory budget;
  // then, when the statement may spill (ExecContext::spill), they are
  // sorted and written out as a run, and reading merges the runs and the
  // rows still held (an external merge sort). Ties keep input order: runs
  // hold earlier rows than later runs and than the rows held.
  Status SortAll(ExecContext* ctx) {
    NQ_RETURN_IF_ERROR(child_->Open(ctx));
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, child_->Next(&row));
      if (!more) break;
      const size_t bytes = RowBytes(row);
      Status charged = charges_.Add(ctx, bytes);
      held_ += bytes;
      rows_.push_back(std::move(row));
      row = Row();
      if (charged.ok()) continue;
      // A run is worth writing only when the sort holds a fair share of
      // the budget (else what others hold leaves it nothing).
      if (ctx->spill == nullptr || held_ < ctx->memory->limit() / 4) return charged;
      NQ_RETURN_IF_ERROR(ctx->CheckInterruptNow());
      NQ_RETURN_IF_ERROR(SpillRun(ctx));
      // Levels do not increase towards the end, so runs of the newest
      // level are the last ones.
      while (TrailingRunsOfLastLevel() >= kMaxRuns) NQ_RETURN_IF_ERROR(MergeLastRuns(ctx, kMaxRuns));
    }
    std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) { return Before(a, b); });
    if (runs_.empty()) return Status::OK();
    // The final merge takes the runs and the rows held: at most kMaxRuns.
    while (runs_.size() >= kMaxRuns) NQ_RETURN_IF_ERROR(MergeLastRuns(ctx, kMaxRuns));
    // Sources: the runs in order, then the rows held (rows_ from pos_).
    heads_.resize(runs_.size() + 1);
    for (size_t i = 0; i <= runs_.size(); ++i) NQ_RETURN_IF_ERROR(Advance(i));
    return Status::OK();
  }

  Status SpillRun(ExecContext* ctx) {
    std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) { return Before(a, b); });
    NQ_ASSIGN_OR_RETURN(auto run, NewSpillFile(*ctx));
    std::string record;
    for (const Row& r : rows_) NQ_RETURN_IF_ERROR(AppendRow(run.get(), r, &record));
    NQ_RETURN_IF_ERROR(run->Finish());
    NoteSpilled(run->bytes_written());
    runs_.push_back(std::move(run));
    run_levels_.push_back(0);
    rows_.clear();
    charges_.Reset(ctx);
    held_ = 0;
    return Status::OK();
  }

  size_t TrailingRunsOfLastLevel() const {
    size_t n = 0;
    while (n < run_levels_.size() && run_levels_[run_levels_.size() - 1 - n] == run_levels_.back()) ++n;
    return n;
  }

  // The last `count` runs become one run of the next level, in their
  // place (ties by run, so still stable). Rows held are not merged.
  Status MergeLastRuns(ExecContext* ctx, size_t count) {
    NQ_ASSIGN_OR_RETURN(auto merged, NewSpillFile(*ctx));
    // The merge reads runs_ (and the rows held from pos_, which it skips):
    // the earlier runs wait aside.
    const size_t keep = runs_.size() - count;
    std::vector<std::unique_ptr<storage::SpillFile>> earlier(std::make_move_iterator(runs_.begin()),
                                                             std::make_move_iterator(runs_.begin() + keep));
    runs_.erase(runs_.begin(), runs_.begin() + keep);
    const int level = run_levels_.back() + 1;
    run_levels_.resize(keep);
    heads_.assign(runs_.size() + 1, Row());
    heap_.clear();
    pos_ = rows_.size();
    for (size_t i = 0; i <= runs_.size(); ++i) NQ_RETURN_IF_ERROR(Advance(i));
    Row row;
    std::string record;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, NextMerged(&row));
      if (!more) break;
      NQ_RETURN_IF_ERROR(ctx->CheckInterrupt());
      NQ_RETURN_IF_ERROR(AppendRow(merged.get(), row, &record));
    }
    NQ_RETURN_IF_ERROR(merged->Finish());
    NoteSpilled(merged->bytes_written());
    earlier.push_back(std::move(merged));
    runs_ = std::move(earlier);
    run_levels_.push_back(level);
    heads_.clear();
    pos_ = 0;
    return Status::OK();
  }

  // Loads source i's next row into heads_[i] and onto the heap, if it has
  // one.
  Status Advance(size_t i) {
    bool more = false;
    if (i < runs_.size()) {
      NQ_ASSIGN_OR_RETURN(more, runs_[i]->Next(&record_));
      if (more) NQ_RETURN_IF_ERROR(DecodeTaggedRow(record_, &heads_[i]));
    } else if (pos_ < rows_.size()) {
      heads_[i] = std::move(rows_[pos_++]);
      more = true;
    }
    if (more) {
      heap_.push_back(i);
      std::push_heap(heap_.begin(), heap_.end(), [&](size_t a, size_t b) { return Later(a, b); });
    }
    return Status::OK();
  }
  // Whether source a's head comes after source b's: by the sort order,
  // then by source (earlier rows first). The heap's top is the smallest.
  bool Later(size_t a, size_t b) const {
    if (Before(heads_[b], heads_[a])) return true;
    if (Before(heads_[a], heads_[b])) return false;
    return a > b;
  }
  Result<bool> NextMerged(Row* row) {
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), [&](size_t a, size_t b) { return Later(a, b); });
    const size_t i = heap_.back();
    heap_.pop_back();
    *row = std::move(heads_[i]);
    NQ_RETURN_IF_ERROR(Advance(i));
    return true;
  }

  // Keeps the first `keep` rows in order: a max-heap by (order, arrival),
  // whose top is the row to drop when a better one comes.
  Status TopN(ExecContext* ctx, uint64_t keep) {
    if (keep == 0) return Status::OK();
    struct Entry {
      Row row;
      uint64_t seq;
    };
    std::vector<Entry> heap;
    auto less = [&](const Entry& a, const Entry& b) {
      if (Before(a.row, b.row)) return true;
      if (Before(b.row, a.row)) return false;
      return a.seq < b.seq;
    };
    NQ_RETURN_IF_ERROR(child_->Open(ctx));
    Row row;
    for (uint64_t seq = 0;; ++seq) {
      NQ_ASSIGN_OR_RETURN(bool more, child_->Next(&row));
      if (!more) break;
      if (heap.size() == keep) {
        if (!Before(row, heap.front().row)) continue;  // ties: the earlier row stays
        std::pop_heap(heap.begin(), heap.end(), less);
        charges_.Release(ctx, RowBytes(heap.back().row));
        heap.pop_back();
      }
      NQ_RETURN_IF_ERROR(charges_.Add(ctx, RowBytes(row)));
      heap.push_back(Entry{std::move(row), seq});
      std::push_heap(heap.begin(), heap.end(), less);
      row = Row();
    }
    std::sort_heap(heap.begin(), heap.end(), less);
    rows_.reserve(heap.size());
    for (Entry& e : heap) rows_.push_back(std::move(e.row));
    return Status::OK();
  }

  OperatorPtr child_;
  std::vector<SortKey> keys_;
  BoundExprPtr limit_expr_, offset_expr_;
  std::vector<Row> rows_;
  size_t pos_ = 0;
  Charges charges_;
  // An external sort: its runs, the head row of each source (runs, then
  // the rows held) and the heap of sources by head.
  std::vector<std::unique_ptr<storage::SpillFile>> runs_;
  std::vector<int> run_levels_;  // per run: 0 written from memory, +1 per merge
  std::vector<Row> heads_;
  std::vector<size_t> heap_;
  std::string record_;
  size_t held_ = 0;  // bytes of the rows held (rows_)
};

// DISTINCT: the rows whose first `width` columns were not seen before.
// Past the memory budget, rows with unseen keys are set aside in
// partitions (SpillPartitions) and each partition is deduplicated after
// the input, on its own.
class DistinctOp : public Operator {
 public:
  DistinctOp(OperatorPtr child, size_t width) : child_(std::move(child)), width_(width) {}
  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    seen_.clear();
    charges_.Reset(ctx);
    pending_.clear();
    source_.reset();
    full_ = false;
    done_ = false;
    level_ = 0;
    return child_->Open(ctx);
  }
  Result<bool> DoNext(Row* row) override {
    while (!done_) {
      NQ_ASSIGN_OR_RETURN(bool more, NextInput(row));
      if (!more) {
        NQ_RETURN_IF_ERROR(NextSource());
        continue;
      }
      Row key(row->begin(), row->begin() + static_cast<std::ptrdiff_t>(std::min(width_, row->size())));
      if (seen_.count(key) != 0) continue;
      if (full_) {
        NQ_RETURN_IF_ERROR(partitions_.Add(ctx_, key, level_, *row));
        continue;
      }
      const size_t bytes = RowBytes(key);
      seen_.insert(std::move(key));
      Status charged = charges_.Add(ctx_, bytes);
      if (!charged.ok()) {
        NQ_RETURN_IF_ERROR(OverBudget(*ctx_, charged, level_));
        full_ = true;  // this row is new and goes out; the next new ones wait
      }
      return true;
    }
    return false;
  }
  std::string Describe() const override { return "HashDistinct"; }
  std::vector<const Operator*> children() const override { return {child_.get()}; }
  double estimated_cost() const override { return CostPerInputRow(); }

 private:
  // The next row of the current source: the child, or a partition.
  Result<bool> NextInput(Row* row) {
    if (!source_) return child_->Next(row);
    NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
    return source_rows_(row);
  }
  // The current source is done: its partitions wait; the next waiting one
  // starts with nothing seen (its keys cannot be in another partition).
  Status NextSource() {
    if (partitions_.active()) {
      uint64_t written = 0;
      NQ_RETURN_IF_ERROR(partitions_.MoveTo(&pending_, level_ + 1, &written));
      NoteSpilled(written);
    }
    if (pending_.empty()) {
      done_ = true;
      return Status::OK();
    }
    std::tie(source_, level_) = std::move(pending_.back());
    pending_.pop_back();
    source_rows_ = SpilledRows(source_.get());
    seen_.clear();
    charges_.Reset(ctx_);
    full_ = false;
    return Status::OK();
  }

  OperatorPtr child_;
  size_t width_;
  ExecContext* ctx_ = nullptr;
  RowSet seen_;
  Charges charges_;
  SpillPartitions partitions_;
  std::vector<std::pair<std::unique_ptr<storage::SpillFile>, int>> pending_;
  std::unique_ptr<storage::SpillFile> source_;  // null: the child
  SpilledRows source_rows_{nullptr};
  bool full_ = false, done_ = false;
  int level_ = 0;
};

class LimitOp : public Operator {
 public:
  LimitOp(OperatorPtr child, BoundExprPtr limit, BoundExprPtr offset)
      : child_(std::move(child)), limit_expr_(std::move(limit)), offset_expr_(std::move(offset)) {}
  Status DoOpen(ExecContext* ctx) override {
    NQ_ASSIGN_OR_RETURN(limit_, CountArgument(limit_expr_.get(), ctx, "LIMIT"));
    NQ_ASSIGN_OR_RETURN(int64_t offset, CountArgument(offset_expr_.get(), ctx, "OFFSET"));
    skip_ = offset < 0 ? 0 : offset;
    emitted_ = 0;
    return child_->Open(ctx);
  }
  Result<bool> DoNext(Row* row) override {
    if (limit_ >= 0 && emitted_ >= limit_) return false;
    while (skip_ > 0) {
      NQ_ASSIGN_OR_RETURN(bool more, child_->Next(row));
      if (!more) return false;
      --skip_;
    }
    NQ_ASSIGN_OR_RETURN(bool more, child_->Next(row));
    if (more) ++emitted_;
    return more;
  }
  std::string Describe() const override { return "Limit"; }
  std::vector<const Operator*> children() const override { return {child_.get()}; }

 private:
  OperatorPtr child_;
  BoundExprPtr limit_expr_, offset_expr_;
  int64_t limit_ = -1, skip_ = 0, emitted_ = 0;
};

class SetOpOp : public Operator {
 public:
  SetOpOp(OperatorPtr left, OperatorPtr right, SetOp op, bool all)
      : left_(std::move(left)), right_(std::move(right)), op_(op), all_(all) {}

  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    seen_.clear();
    counts_.clear();
    on_right_ = false;
    charges_.Reset(ctx);
    if (op_ != SetOp::kUnion) {
      std::vector<Row> right_rows;
      NQ_RETURN_IF_ERROR(Drain(right_.get(), ctx, &right_rows, &charges_));
      for (auto& r : right_rows) ++counts_[std::move(r)];
    }
    return left_->Open(ctx);
  }

  Result<bool> DoNext(Row* row) override {
    while (true) {
      Operator* source = on_right_ ? right_.get() : left_.get();
      NQ_ASSIGN_OR_RETURN(bool more, source->Next(row));
      if (!more) {
        if (op_ == SetOp::kUnion && !on_right_) {
          on_right_ = true;
          NQ_RETURN_IF_ERROR(right_->Open(ctx_));
          continue;
        }
        return false;
      }
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      switch (op_) {
        case SetOp::kUnion: {
          if (all_) return true;
          NQ_ASSIGN_OR_RETURN(bool fresh, Remember(*row));
          if (fresh) return true;
          break;
        }
        case SetOp::kIntersect: {
          auto it = counts_.find(*row);
          if (it == counts_.end() || it->second == 0) break;
          if (all_) {
            --it->second;
            return true;
          }
          NQ_ASSIGN_OR_RETURN(bool fresh, Remember(*row));
          if (fresh) return true;
          break;
        }
        case SetOp::kExcept: {
          auto it = counts_.find(*row);
          if (it != counts_.end() && it->second > 0) {
            if (all_) --it->second;
            break;
          }
          if (all_) return true;
          NQ_ASSIGN_OR_RETURN(bool fresh, Remember(*row));
          if (fresh) return true;
          break;
        }
      }
    }
  }

  std::string Describe() const override {
    static const char* kNames[] = {"Union", "Intersect", "Except"};
    return fmt::format("{}{}", kNames[static_cast<int>(op_)], all_ ? " All" : "");
  }
  std::vector<const Operator*> children() const override { return {left_.get(), right_.get()}; }

 private:
  // Whether `row` is new; new rows are charged to the budget.
  Result<bool> Remember(const Row& row) {
    if (!seen_.insert(row).second) return false;
    NQ_RETURN_IF_ERROR(charges_.Add(ctx_, RowBytes(row)));
    return true;
  }

  OperatorPtr left_, right_;
  SetOp op_;
  bool all_;
  ExecContext* ctx_ = nullptr;
  bool on_right_ = false;
  RowSet seen_;
  std::unordered_map<Row, size_t, RowHash, RowEq> counts_;
  Charges charges_;
};

class MaterializedOp : public Operator {
 public:
  explicit MaterializedOp(std::vector<Row> rows) : rows_(std::move(rows)) {}
  Status DoOpen(ExecContext*) override {
    pos_ = 0;
    return Status::OK();
  }
  Result<bool> DoNext(Row* row) override {
    if (pos_ >= rows_.size()) return false;
    *row = rows_[pos_++];
    return true;
  }
  std::string Describe() const override { return fmt::format("Materialized ({} rows)", rows_.size()); }

 private:
  std::vector<Row> rows_;
  size_t pos_ = 0;
};


}  // namespace

namespace {

// A scan returns rows in the order of its key's encoding, in which values
// SQL calls equal are equal (1 = 1.0), so equal key prefixes are adjacent;
// a NOCASE column's encoding keeps case, so the order stops before it.
std::vector<int> KeyOrder(const TableInfo& table, const std::vector<int>& key) {
  std::vector<int> out;
  for (int c : key) {
    if (table.columns[c].nocase) break;
    out.push_back(c);
  }
  return out;
}

}  // namespace

OperatorPtr MakeTableScan(std::shared_ptr<const TableInfo> table, std::shared_ptr<ScanBounds> bounds,
                          bool with_key, ColumnMask needed) {
  std::vector<int> order = KeyOrder(*table, table->primary_key);
  auto op = std::make_unique<TableScan>(std::move(table), nullptr, std::move(bounds), with_key, std::move(needed));
  op->set_sorted_by(std::move(order));
  return op;
}
OperatorPtr MakeIndexScan(std::shared_ptr<const TableInfo> table, std::shared_ptr<const IndexInfo> index,
                          std::shared_ptr<ScanBounds> bounds, bool with_key, ColumnMask needed) {
  std::vector<int> order = KeyOrder(*table, index->columns);
  auto op = std::make_unique<TableScan>(std::move(table), std::move(index), std::move(bounds), with_key,
                                        std::move(needed));
  op->set_sorted_by(std::move(order));
  return op;
}
OperatorPtr MakeValues(std::vector<std::vector<BoundExprPtr>> rows) { return std::make_unique<ValuesOp>(std::move(rows)); }
OperatorPtr MakeFilter(OperatorPtr child, BoundExprPtr predicate) {
  std::vector<int> order = child->sorted_by();
  auto op = std::make_unique<FilterOp>(std::move(child), std::move(predicate));
  op->set_sorted_by(std::move(order));
  return op;
}
OperatorPtr MakeProject(OperatorPtr child, std::vector<BoundExprPtr> exprs) {
  // The order carries over for as long as its columns are projected.
  std::vector<int> order;
  for (int c : child->sorted_by()) {
    auto it = std::find_if(exprs.begin(), exprs.end(),
                           [c](const BoundExprPtr& e) { return e->kind == BoundKind::kColumn && e->index == c; });
    if (it == exprs.end()) break;
    order.push_back(static_cast<int>(it - exprs.begin()));
  }
  auto op = std::make_unique<ProjectOp>(std::move(child), std::move(exprs));
  op->set_sorted_by(std::move(order));
  return op;
}
OperatorPtr MakeAggregate(OperatorPtr child, std::vector<BoundExprPtr> keys, std::vector<AggregateCall> aggregates) {
  return std::make_unique<AggregateOp>(std::move(child), std::move(keys), std::move(aggregates));
}
OperatorPtr MakeSort(OperatorPtr child, std::vector<SortKey> keys, BoundExprPtr limit, BoundExprPtr offset) {
  // A top-N sort returns at most LIMIT + OFFSET rows, when they are
  // constants.
  auto count = [](const BoundExprPtr& e) -> std::optional<double> {
    if (!e) return 0.0;
    if (e->kind != BoundKind::kConstant || e->constant.kind() != TypeId::kBigInt || e->constant.integer() < 0) {
      return std::nullopt;
    }
    return static_cast<double>(e->constant.integer());
  };
  double rows = child->estimated_rows();
  const std::optional<double> n = count(limit), skip = count(offset);
  if (rows >= 0 && limit && n && skip) rows = std::min(rows, *n + *skip);
  auto op = std::make_unique<SortOp>(std::move(child), std::move(keys), std::move(limit), std::move(offset));
  op->set_estimated_rows(rows);
  return op;
}
OperatorPtr MakeDistinct(OperatorPtr child, size_t width) { return std::make_unique<DistinctOp>(std::move(child), width); }
OperatorPtr MakeLimit(OperatorPtr child, BoundExprPtr limit, BoundExprPtr offset) {
  return std::make_unique<LimitOp>(std::move(child), std::move(limit), std::move(offset));
}
OperatorPtr MakeSetOp(OperatorPtr left, OperatorPtr right, SetOp op, bool all) {
  return std::make_unique<SetOpOp>(std::move(left), std::move(right), op, all);
}
OperatorPtr MakeMaterialized(std::vector<Row> rows) { return std::make_unique<MaterializedOp>(std::move(rows)); }

}  // namespace neuroquantum::exec
