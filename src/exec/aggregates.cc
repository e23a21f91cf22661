// Aggregate functions: COUNT, SUM, AVG, TOTAL, MIN, MAX, GROUP_CONCAT and
// STRING_AGG, and the DISTINCT filter in front of them (functions.h).
//
// SUM, AVG and TOTAL follow SQLite 3.40: besides the exact sum they keep a
// double sum of every input in input order, which is what a floating
// result reports (so SUM(0.1) ten times is 0.9999999999999999, as there).
// Text counts as the number it spells when it is exactly one, and as its
// leading numeric prefix taken as a double otherwise (SQLite's numeric
// type of a text value).
#include <array>
#include <limits>
#include <set>
#include <vector>

#include "exec/functions.h"
#include "exec/internal/functions_internal.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace {

using internal::TextOf;

Status MissingArgument(std::string_view name) {
  return internal::UndefinedFunctionError(fmt::format("{} needs an argument", name));
}

enum class SumKind : uint8_t { kSum, kTotal, kAvg };

class SumState final : public AggregateState {
 public:
  explicit SumState(SumKind kind) : kind_(kind) {}

  Status Add(std::span<const Value> args) override {
    if (args.empty()) return MissingArgument(Name());
    return AddValue(args[0]);
  }

  Result<Value> Finish() override {
    if (kind_ == SumKind::kTotal) return Value::Double(double_sum_);
    if (count_ == 0) return Value();
    if (kind_ == SumKind::kAvg) return Value::Double(double_sum_ / static_cast<double>(count_));
    if (has_double_) return Value::Double(double_sum_);
    if (has_decimal_) {
      NQ_ASSIGN_OR_RETURN(Decimal total, internal::DecimalAdd(decimals_, Decimal{integers_, 0}));
      return Value::Numeric(total);
    }
    if (integers_ < std::numeric_limits<int64_t>::min() || integers_ > std::numeric_limits<int64_t>::max()) {
      return internal::OutOfRangeError("bigint");
    }
    return Value::Integer(static_cast<int64_t>(integers_));
  }

  size_t memory_usage() const override { return sizeof(*this); }

 private:
  std::string_view Name() const {
    return kind_ == SumKind::kSum ? "sum" : (kind_ == SumKind::kAvg ? "avg" : "total");
  }

  Status AddValue(const Value& v) {
    switch (v.kind()) {
      case TypeId::kNull: return Status::OK();
      case TypeId::kBoolean:
      case TypeId::kBigInt: {
        int64_t x = v.kind() == TypeId::kBoolean ? (v.boolean() ? 1 : 0) : v.integer();
        // Int128 cannot overflow before 2^64 rows of int64 values.
        integers_ += x;
        double_sum_ += static_cast<double>(x);
        break;
      }
      case TypeId::kDouble:
        has_double_ = true;
        double_sum_ += v.dbl();
        break;
      case TypeId::kNumeric: {
        NQ_ASSIGN_OR_RETURN(decimals_, internal::DecimalAdd(decimals_, v.numeric()));
        has_decimal_ = true;
        double_sum_ += v.numeric().ToDouble();
        break;
      }
      case TypeId::kText: {
        Value number;
        if (!internal::ParseWholeNumber(v.str(), &number)) {
          Value prefix = NumericPrefix(v.str());
          number = Value::Double(prefix.kind() == TypeId::kBigInt ? static_cast<double>(prefix.integer())
                                                                  : prefix.dbl());
        }
        return AddValue(number);  // a number: adds and counts once
      }
      default:
        return internal::UndefinedFunctionError(
            fmt::format("{} does not apply to type {}", Name(), DataType::Of(v.kind()).ToString()));
    }
    ++count_;
    return Status::OK();
  }

  SumKind kind_;
  int64_t count_ = 0;  // non-NULL inputs
  Int128 integers_ = 0;
  bool has_decimal_ = false;
  Decimal decimals_;
  bool has_double_ = false;
  double double_sum_ = 0;  // every input as a double, summed in input order
};

// COUNT(*) counts rows (no arguments); COUNT(x) counts non-NULL x.
class CountState final : public AggregateState {
 public:
  Status Add(std::span<const Value> args) override {
    if (args.empty() || !args[0].is_null()) ++count_;
    return Status::OK();
  }
  Result<Value> Finish() override { return Value::Integer(count_); }
  size_t memory_usage() const override { return sizeof(*this); }

 private:
  int64_t count_ = 0;
};

// MIN (want -1) and MAX (want 1) by Value::SortCompare, NULLs ignored.
class ExtremeState final : public AggregateState {
 public:
  explicit ExtremeState(int want) : want_(want) {}
  Status Add(std::span<const Value> args) override {
    if (args.empty()) return MissingArgument(want_ < 0 ? "min" : "max");
    const Value& v = args[0];
    if (v.is_null()) return Status::OK();
    if (best_.is_null() || v.SortCompare(best_) == want_) best_ = v;
    return Status::OK();
  }
  Result<Value> Finish() override { return best_; }
  size_t memory_usage() const override { return sizeof(*this) + best_.str().capacity(); }

 private:
  int want_;
  Value best_;
};

// GROUP_CONCAT(x[, sep]) and STRING_AGG(x, sep): text forms of the
// non-NULL x in input order, each after the first preceded by its row's
// separator (a NULL separator is empty).
class ConcatState final : public AggregateState {
 public:
  Status Add(std::span<const Value> args) override {
    if (args.empty()) return MissingArgument("group_concat");
    if (args[0].is_null()) return Status::OK();
    if (any_) {
      if (args.size() < 2) {
        out_ += ',';
      } else if (!args[1].is_null()) {
        out_ += TextOf(args[1]);
      }
    }
    any_ = true;
    out_ += TextOf(args[0]);
    if (out_.size() > internal::kMaxStringBytes) return internal::StringTooLongError();
    return Status::OK();
  }
  Result<Value> Finish() override { return any_ ? Value::Text(out_) : Value(); }
  size_t memory_usage() const override { return sizeof(*this) + out_.capacity(); }

 private:
  bool any_ = false;
  std::string out_;
};

// Passes on only argument lists not seen before (Value::SortCompare
// equality, element by element), so the first of equal values is the one
// aggregated. Rows whose first argument is NULL pass unrecorded: every
// aggregate ignores them.
class DistinctState final : public AggregateState {
 public:
  explicit DistinctState(std::unique_ptr<AggregateState> inner) : inner_(std::move(inner)) {}

  Status Add(std::span<const Value> args) override {
    if (args.empty() || args[0].is_null()) return inner_->Add(args);
    // Looked up before a key is built: a repeated value costs no allocation.
    auto it = seen_.lower_bound(args);
    if (it != seen_.end() && !Less()(args, *it)) return Status::OK();
    it = seen_.emplace_hint(it, args.begin(), args.end());
    for (const Value& v : *it) key_bytes_ += sizeof(Value) + v.str().capacity();
    key_bytes_ += kNodeOverheadBytes;
    return inner_->Add(args);
  }
  Result<Value> Finish() override { return inner_->Finish(); }
  size_t memory_usage() const override { return sizeof(*this) + key_bytes_ + inner_->memory_usage(); }

 private:
  static constexpr size_t kNodeOverheadBytes = 64;  // tree node and vector header, roughly

  struct Less {
    using is_transparent = void;
    bool operator()(std::span<const Value> a, std::span<const Value> b) const {
      for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        int c = a[i].SortCompare(b[i]);
        if (c != 0) return c < 0;
      }
      return a.size() < b.size();
    }
  };

  std::unique_ptr<AggregateState> inner_;
  std::set<std::vector<Value>, Less> seen_;
  size_t key_bytes_ = 0;
};

std::unique_ptr<AggregateState> Wrap(std::unique_ptr<AggregateState> state, bool distinct) {
  if (!distinct) return state;
  return std::make_unique<DistinctState>(std::move(state));
}

std::unique_ptr<AggregateState> MakeCount(bool distinct) { return Wrap(std::make_unique<CountState>(), distinct); }
std::unique_ptr<AggregateState> MakeSum(bool distinct) {
  return Wrap(std::make_unique<SumState>(SumKind::kSum), distinct);
}
std::unique_ptr<AggregateState> MakeTotal(bool distinct) {
  return Wrap(std::make_unique<SumState>(SumKind::kTotal), distinct);
}
std::unique_ptr<AggregateState> MakeAvg(bool distinct) {
  return Wrap(std::make_unique<SumState>(SumKind::kAvg), distinct);
}
// DISTINCT cannot change a minimum or maximum: no filter.
std::unique_ptr<AggregateState> MakeMin(bool) { return std::make_unique<ExtremeState>(-1); }
std::unique_ptr<AggregateState> MakeMax(bool) { return std::make_unique<ExtremeState>(1); }
std::unique_ptr<AggregateState> MakeConcat(bool distinct) {
  return Wrap(std::make_unique<ConcatState>(), distinct);
}

constexpr std::array kAggregates = {
    AggregateFunction{"count", 0, 1, &MakeCount},      AggregateFunction{"sum", 1, 1, &MakeSum},
    AggregateFunction{"avg", 1, 1, &MakeAvg},          AggregateFunction{"total", 1, 1, &MakeTotal},
    AggregateFunction{"min", 1, 1, &MakeMin},          AggregateFunction{"max", 1, 1, &MakeMax},
    AggregateFunction{"group_concat", 1, 2, &MakeConcat}, AggregateFunction{"string_agg", 2, 2, &MakeConcat},
};

}  // namespace

const AggregateFunction* FindAggregateFunction(std::string_view name) {
  for (const AggregateFunction& f : kAggregates) {
    if (f.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
      same = c == f.name[i];
    }
    if (same) return &f;
  }
  return nullptr;
}

}  // namespace neuroquantum::exec
