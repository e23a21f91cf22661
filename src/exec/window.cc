// Window functions: binding helpers and the Window operator (window.h).
//
// The operator drains its input, then for each distinct PARTITION BY +
// ORDER BY (a "sort") evaluates the keys of every row once, sorts row
// numbers by them (stably), and walks the partitions. Within a partition,
// rows that compare equal on every ORDER BY key are peers; their groups
// are computed once and serve RANK, CUME_DIST, GROUPS and RANGE frames and
// EXCLUDE GROUP/TIES. A frame is a half-open range of partition positions
// minus at most one excluded range (the current row or its peer group),
// so the rows of a frame are up to three contiguous segments.
#include "exec/window.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "exec/internal/charges.h"
#include "exec/interval.h"
#include "exec/internal/statement_util.h"
#include "sql/printer.h"

namespace neuroquantum::exec {

namespace {

constexpr int kPlaceholderBase = 1 << 28;

Status WindowError(std::string_view sqlstate, const sql::SourcePos& pos, std::string msg) {
  return Status::InvalidArgument(fmt::format("{} (line {}, column {})", msg, pos.line, pos.column))
      .WithSqlState(sqlstate);
}

using internal::SqlError;

struct WindowOnly {
  std::string_view name;
  WindowFunctionKind kind;
  int min_args;
  int max_args;
};

constexpr WindowOnly kWindowOnly[] = {
    {"row_number", WindowFunctionKind::kRowNumber, 0, 0},
    {"rank", WindowFunctionKind::kRank, 0, 0},
    {"dense_rank", WindowFunctionKind::kDenseRank, 0, 0},
    {"percent_rank", WindowFunctionKind::kPercentRank, 0, 0},
    {"cume_dist", WindowFunctionKind::kCumeDist, 0, 0},
    {"ntile", WindowFunctionKind::kNtile, 1, 1},
    {"lag", WindowFunctionKind::kLag, 1, 3},
    {"lead", WindowFunctionKind::kLead, 1, 3},
    {"first_value", WindowFunctionKind::kFirstValue, 1, 1},
    {"last_value", WindowFunctionKind::kLastValue, 1, 1},
    {"nth_value", WindowFunctionKind::kNthValue, 2, 2},
};

const WindowOnly* FindWindowOnly(std::string_view name) {
  for (const auto& w : kWindowOnly) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

// A window after resolving references to the WINDOW clause.
struct ResolvedWindow {
  const std::vector<sql::ExprPtr>* partition = nullptr;
  const std::vector<sql::OrderItem>* order = nullptr;
  const sql::WindowFrame* frame = nullptr;
};

// Resolves `spec` against the WINDOW clause (`index`: name -> position;
// an entry may name only windows defined before it). Iterative, so a long
// chain of windows each naming the previous one cannot exhaust the stack.
Result<ResolvedWindow> Resolve(const sql::WindowSpec& spec, const std::vector<sql::NamedWindow>& named,
                               const std::unordered_map<std::string, size_t>& index) {
  // The chain from `spec` to the window that names no other.
  std::vector<const sql::WindowSpec*> chain{&spec};
  size_t visible = named.size();
  while (!chain.back()->base.empty()) {
    const sql::WindowSpec& s = *chain.back();
    auto it = index.find(s.base);
    if (it == index.end() || it->second >= visible) {
      return WindowError("42704", s.pos, fmt::format("window \"{}\" does not exist", s.base));
    }
    visible = it->second;
    chain.push_back(&named[visible].spec);
  }
  const sql::WindowSpec& root = *chain.back();
  ResolvedWindow out;
  out.partition = &root.partition_by;
  out.order = &root.order_by;
  out.frame = root.frame ? &*root.frame : nullptr;
  for (size_t i = chain.size() - 1; i-- > 0;) {
    const sql::WindowSpec& s = *chain[i];
    if (s.reference_only) continue;  // OVER w: w as it is
    if (!s.partition_by.empty()) {
      return WindowError("42P20", s.partition_by[0]->pos,
                         fmt::format("cannot override PARTITION BY clause of window \"{}\"", s.base));
    }
    if (!s.order_by.empty() && !out.order->empty()) {
      return WindowError("42P20", s.order_by[0].pos,
                         fmt::format("cannot override ORDER BY clause of window \"{}\"", s.base));
    }
    if (out.frame) {
      return WindowError("42P20", s.pos,
                         fmt::format("cannot copy window \"{}\" because it has a frame clause", s.base));
    }
    if (!s.order_by.empty()) out.order = &s.order_by;
    out.frame = s.frame ? &*s.frame : nullptr;
  }
  return out;
}

std::string_view UnitName(sql::FrameUnit unit) {
  return unit == sql::FrameUnit::kRows ? "ROWS" : unit == sql::FrameUnit::kRange ? "RANGE" : "GROUPS";
}

Status CheckFrame(const sql::WindowFrame& frame, const std::vector<sql::OrderItem>& order,
                  const std::vector<WindowOrderKey>& keys) {
  using B = sql::FrameBoundKind;
  if (frame.start.kind == B::kUnboundedFollowing) {
    return WindowError("42P20", frame.start.pos, "frame start cannot be UNBOUNDED FOLLOWING");
  }
  if (frame.end.kind == B::kUnboundedPreceding) {
    return WindowError("42P20", frame.end.pos, "frame end cannot be UNBOUNDED PRECEDING");
  }
  if (frame.start.kind == B::kCurrentRow && frame.end.kind == B::kPreceding) {
    return WindowError("42P20", frame.end.pos, "frame starting from current row cannot have preceding rows");
  }
  if (frame.start.kind == B::kFollowing && (frame.end.kind == B::kPreceding || frame.end.kind == B::kCurrentRow)) {
    return WindowError("42P20", frame.end.pos, "frame starting from following row cannot have preceding rows");
  }
  if (frame.unit == sql::FrameUnit::kGroups && order.empty()) {
    return WindowError("42P20", frame.pos, "GROUPS mode requires an ORDER BY clause");
  }
  bool offset = frame.start.offset || frame.end.offset;
  if (frame.unit == sql::FrameUnit::kRange && offset) {
    if (order.size() != 1) {
      return WindowError("42P20", frame.pos,
                         "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column");
    }
    const DataType& t = keys[0].expr->type;
    if (t.id != TypeId::kNull && !t.is_numeric() && !t.is_temporal()) {
      return WindowError("42883", order[0].pos,
                         fmt::format("RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
                                     t.ToString()));
    }
  }
  return Status::OK();
}

Result<WindowFrameBound> BindBound(const sql::FrameBound& bound, sql::FrameUnit unit,
                                   const WindowBindFn& bind_offset) {
  WindowFrameBound out;
  out.kind = bound.kind;
  if (!bound.offset) return out;
  NQ_ASSIGN_OR_RETURN(out.offset, bind_offset(*bound.offset));
  const DataType& t = out.offset->type;
  if (unit != sql::FrameUnit::kRange && t.id != TypeId::kNull && !t.is_integer()) {
    return WindowError("42804", bound.offset->pos,
                       fmt::format("argument of {} must be an integer, not type {}", UnitName(unit), t.ToString()));
  }
  return out;
}

DataType ResultType(const WindowCall& call) {
  using K = WindowFunctionKind;
  switch (call.kind) {
    case K::kRowNumber: case K::kRank: case K::kDenseRank: case K::kNtile: return DataType::Of(TypeId::kBigInt);
    case K::kPercentRank: case K::kCumeDist: return DataType::Of(TypeId::kDouble);
    case K::kLag: case K::kLead:
      if (call.args.size() > 2) {  // the value's and the default's common type
        const DataType& a = call.args[0]->type;
        const DataType& d = call.args[2]->type;
        if (a.id == TypeId::kNull) return d;
        if (d.id != TypeId::kNull && !(d == a) && a.is_numeric() && d.is_numeric()) {
          if (a.is_floating() || d.is_floating()) return DataType::Of(TypeId::kDouble);
          if (a.id == TypeId::kNumeric || d.id == TypeId::kNumeric) return DataType::Of(TypeId::kNumeric);
          return DataType::Of(TypeId::kBigInt);
        }
      }
      return call.args[0]->type;
    case K::kFirstValue: case K::kLastValue: case K::kNthValue:
      return call.args[0]->type;
    case K::kAggregate: break;
  }
  std::string_view name = call.aggregate->name;
  if (name == "count") return DataType::Of(TypeId::kBigInt);
  if (name == "avg" || name == "total") return DataType::Of(TypeId::kDouble);
  if (name == "group_concat" || name == "string_agg") return DataType::Of(TypeId::kText);
  if (call.args.empty()) return DataType::Of(TypeId::kNull);
  const DataType& t = call.args[0]->type;
  if (name == "sum") return t.is_integer() ? DataType::Of(TypeId::kBigInt) : t;
  return t;
}

}  // namespace

bool IsWindowOnlyFunction(std::string_view name) { return FindWindowOnly(name) != nullptr; }

Status CheckWindowClause(const std::vector<sql::NamedWindow>& windows) {
  std::unordered_set<std::string_view> seen;
  for (const auto& w : windows) {
    if (!seen.insert(w.name).second) {
      return WindowError("42P20", w.pos, fmt::format("window \"{}\" is already defined", w.name));
    }
  }
  return Status::OK();
}

Result<BoundExprPtr> BindWindowCall(const sql::FunctionExpr& f, WindowBinding* windows, const WindowBindFn& bind,
                                    const WindowBindFn& bind_offset) {
  std::string text = sql::ToSql(f);
  for (size_t j = 0; j < windows->call_sql.size(); ++j) {
    if (windows->call_sql[j] == text) {
      auto e = std::make_unique<BoundExpr>(BoundKind::kColumn);
      e->index = kPlaceholderBase + static_cast<int>(j);
      e->type = windows->call_types[j];
      return e;
    }
  }
  WindowCall call;
  call.name = f.name;
  int n = static_cast<int>(f.args.size());
  const WindowOnly* only = FindWindowOnly(f.name);
  const AggregateFunction* agg = FindAggregateFunction(f.name);
  if ((f.name == "min" || f.name == "max") && n > 1) agg = nullptr;  // the scalar forms
  if (f.distinct) return WindowError("0A000", f.pos, "DISTINCT is not implemented for window functions");
  if (only) {
    call.kind = only->kind;
    if (f.star || n < only->min_args || n > only->max_args) {
      return WindowError("42883", f.pos, fmt::format("window function {}() does not take {} argument{}", f.name,
                                                     f.star ? "*" : std::to_string(n), n == 1 ? "" : "s"));
    }
  } else if (agg) {
    call.aggregate = agg;
    if (f.star && f.name != "count") {
      return WindowError("42601", f.pos, fmt::format("{}(*) is not valid; name a column", f.name));
    }
    if (!f.star && (n < agg->min_args || n > agg->max_args || (f.name == "count" && n == 0))) {
      return WindowError("42883", f.pos, fmt::format("aggregate {}() does not take {} argument{}", f.name, n,
                                                     n == 1 ? "" : "s"));
    }
  } else {
    return WindowError("42809", f.pos,
                       fmt::format("OVER specified, but {}() is not a window function nor an aggregate function",
                                   f.name));
  }
  for (const auto& a : f.args) {
    NQ_ASSIGN_OR_RETURN(auto b, bind(*a));
    call.args.push_back(std::move(b));
  }
  static const std::vector<sql::NamedWindow> kNoWindows;
  const auto& named = windows->named ? *windows->named : kNoWindows;
  if (windows->index.size() != named.size()) {
    windows->index.clear();
    for (size_t i = 0; i < named.size(); ++i) windows->index.emplace(named[i].name, i);
  }
  NQ_ASSIGN_OR_RETURN(ResolvedWindow w, Resolve(*f.over, named, windows->index));
  call.sort_signature = "partition:";
  for (const auto& p : *w.partition) {
    NQ_ASSIGN_OR_RETURN(auto b, bind(*p));
    call.partition.push_back(std::move(b));
    call.sort_signature += sql::ToSql(*p) + ",";
  }
  call.sort_signature += "order:";
  for (const auto& o : *w.order) {
    WindowOrderKey key;
    NQ_ASSIGN_OR_RETURN(key.expr, bind(*o.expr));
    key.descending = o.direction == sql::SortDirection::kDesc;
    key.nulls_first = o.nulls == sql::NullsOrder::kDefault ? !key.descending : o.nulls == sql::NullsOrder::kFirst;
    call.sort_signature += fmt::format("{} {} {},", sql::ToSql(*o.expr), key.descending, key.nulls_first);
    call.order.push_back(std::move(key));
  }
  if (w.frame) {
    NQ_RETURN_IF_ERROR(CheckFrame(*w.frame, *w.order, call.order));
    call.unit = w.frame->unit;
    NQ_ASSIGN_OR_RETURN(call.start, BindBound(w.frame->start, call.unit, bind_offset));
    NQ_ASSIGN_OR_RETURN(call.end, BindBound(w.frame->end, call.unit, bind_offset));
    call.exclusion = w.frame->exclusion;
  } else {
    // RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW: up to the last
    // peer; without ORDER BY every row is a peer, so the whole partition.
    call.unit = sql::FrameUnit::kRange;
    call.start.kind = sql::FrameBoundKind::kUnboundedPreceding;
    call.end.kind = sql::FrameBoundKind::kCurrentRow;
  }
  DataType type = ResultType(call);
  windows->calls.push_back(std::move(call));
  windows->call_sql.push_back(std::move(text));
  windows->call_types.push_back(type);
  auto e = std::make_unique<BoundExpr>(BoundKind::kColumn);
  e->index = kPlaceholderBase + static_cast<int>(windows->calls.size() - 1);
  e->type = type;
  return e;
}

void PlaceWindowColumns(BoundExpr* expr, int width) {
  if (expr->kind == BoundKind::kColumn && expr->index >= kPlaceholderBase) {
    expr->index = width + (expr->index - kPlaceholderBase);
  }
  for (auto& a : expr->args) PlaceWindowColumns(a.get(), width);
}

namespace {

size_t ValuesBytes(const std::vector<Value>& values) {
  size_t bytes = sizeof(values) + values.capacity() * sizeof(Value);
  for (const Value& v : values) bytes += v.str().capacity();
  return bytes;
}

// Orders NULLs by `nulls_first`, other values by Value::SortCompare.
int CompareKey(const Value& a, const Value& b, bool descending, bool nulls_first) {
  if (a.is_null() || b.is_null()) {
    if (a.is_null() == b.is_null()) return 0;
    return a.is_null() == nulls_first ? -1 : 1;
  }
  int c = a.SortCompare(b);
  return descending ? -c : c;
}

Result<int64_t> IntegerArgument(const Value& v, std::string_view what) {
  if (v.kind() == TypeId::kBigInt) return v.integer();
  return SqlError("22023", fmt::format("argument of {} must be an integer", what));
}

class WindowOp : public Operator {
 public:
  WindowOp(OperatorPtr child, std::vector<WindowCall> calls) : child_(std::move(child)), calls_(std::move(calls)) {
    for (size_t i = 0; i < calls_.size(); ++i) {
      bool found = false;
      for (auto& group : sorts_) {
        if (calls_[group[0]].sort_signature == calls_[i].sort_signature) {
          group.push_back(i);
          found = true;
          break;
        }
      }
      if (!found) sorts_.push_back({i});
    }
  }

  Status DoOpen(ExecContext* ctx) override {
    ctx_ = ctx;
    rows_.clear();
    output_.clear();
    pos_ = 0;
    charges_.Reset(ctx);
    NQ_RETURN_IF_ERROR(child_->Open(ctx));
    Row row;
    while (true) {
      NQ_ASSIGN_OR_RETURN(bool more, child_->Next(&row));
      if (!more) break;
      NQ_RETURN_IF_ERROR(charges_.Add(ctx, RowBytes(row) + calls_.size() * sizeof(Value)));
      rows_.push_back(std::move(row));
      row = Row();
    }
    if (rows_.empty()) return Status::OK();
    width_ = rows_[0].size();
    for (Row& r : rows_) r.resize(width_ + calls_.size());
    for (const auto& group : sorts_) NQ_RETURN_IF_ERROR(RunSort(group));
    return Status::OK();
  }

  Result<bool> DoNext(Row* row) override {
    if (pos_ >= output_.size()) return false;
    *row = std::move(rows_[output_[pos_++]]);
    return true;
  }

  std::string Describe() const override {
    return fmt::format("Window ({} function{}, {} sort{})", calls_.size(), calls_.size() == 1 ? "" : "s",
                       sorts_.size(), sorts_.size() == 1 ? "" : "s");
  }
  std::vector<const Operator*> children() const override { return {child_.get()}; }
  // Each sort of the rows (n log2 n), then one pass per row.
  double estimated_cost() const override {
    const double n = estimated_rows();
    if (n < 0) return -1;
    return InputsCost() + static_cast<double>(sorts_.size()) * n * std::log2(std::max(n, 2.0)) + n;
  }

 private:
  // The rows of one partition, in window order, and their peer groups.
  struct Partition {
    std::span<const size_t> ids;       // row numbers in rows_
    std::vector<size_t> group_of;      // position -> peer group
    std::vector<size_t> group_start;   // group -> first position
    std::vector<size_t> group_end;     // group -> one past the last position
    size_t size() const { return ids.size(); }
  };

  // Half-open ranges of partition positions, in order.
  struct Frame {
    size_t seg[3][2] = {{0, 0}, {0, 0}, {0, 0}};
    size_t count() const { return (seg[0][1] - seg[0][0]) + (seg[1][1] - seg[1][0]) + (seg[2][1] - seg[2][0]); }
    // The n-th (0-based) position of the frame; false past its end.
    bool At(size_t n, size_t* out) const {
      for (const auto& s : seg) {
        size_t len = s[1] - s[0];
        if (n < len) {
          *out = s[0] + n;
          return true;
        }
        n -= len;
      }
      return false;
    }
    bool Last(size_t* out) const {
      for (int i = 2; i >= 0; --i) {
        if (seg[i][1] > seg[i][0]) {
          *out = seg[i][1] - 1;
          return true;
        }
      }
      return false;
    }
  };

  struct Offsets {
    Value start, end;
  };

  Status RunSort(const std::vector<size_t>& group) {
    const WindowCall& spec = calls_[group[0]];
    size_t n = rows_.size();
    size_t np = spec.partition.size();
    std::vector<std::vector<Value>> keys(n);
    size_t key_bytes = 0;
    for (size_t r = 0; r < n; ++r) {
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      keys[r].reserve(np + spec.order.size());
      for (const auto& e : spec.partition) {
        NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e, rows_[r], ctx_));
        keys[r].push_back(std::move(v));
      }
      for (const auto& k : spec.order) {
        NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*k.expr, rows_[r], ctx_));
        keys[r].push_back(std::move(v));
      }
      size_t bytes = ValuesBytes(keys[r]);
      key_bytes += bytes;
      NQ_RETURN_IF_ERROR(charges_.Add(ctx_, bytes));
    }
    std::vector<size_t> perm(n);
    std::iota(perm.begin(), perm.end(), size_t{0});
    std::stable_sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
      for (size_t i = 0; i < np; ++i) {
        int c = CompareKey(keys[a][i], keys[b][i], false, true);
        if (c != 0) return c < 0;
      }
      for (size_t i = 0; i < spec.order.size(); ++i) {
        int c = CompareKey(keys[a][np + i], keys[b][np + i], spec.order[i].descending, spec.order[i].nulls_first);
        if (c != 0) return c < 0;
      }
      return false;
    });
    auto same = [&](size_t a, size_t b, size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        if (CompareKey(keys[a][i], keys[b][i], false, true) != 0) return false;
      }
      return true;
    };
    std::vector<Offsets> offsets(group.size());
    for (size_t g = 0; g < group.size(); ++g) {
      const WindowCall& call = calls_[group[g]];
      if (call.start.offset) {
        NQ_ASSIGN_OR_RETURN(offsets[g].start, FrameOffset(call, *call.start.offset, "starting"));
      }
      if (call.end.offset) {
        NQ_ASSIGN_OR_RETURN(offsets[g].end, FrameOffset(call, *call.end.offset, "ending"));
      }
    }
    size_t total = np + spec.order.size();
    for (size_t ps = 0; ps < n;) {
      size_t pe = ps + 1;
      while (pe < n && same(perm[ps], perm[pe], 0, np)) ++pe;
      Partition part;
      part.ids = std::span<const size_t>(perm.data() + ps, pe - ps);
      part.group_of.resize(pe - ps);
      for (size_t k = 0; k < part.size(); ++k) {
        if (k == 0 || !same(part.ids[k - 1], part.ids[k], np, total)) {
          if (k > 0) part.group_end.push_back(k);
          part.group_start.push_back(k);
        }
        part.group_of[k] = part.group_start.size() - 1;
      }
      part.group_end.push_back(part.size());
      for (size_t g = 0; g < group.size(); ++g) {
        NQ_RETURN_IF_ERROR(RunCall(group[g], part, keys, np, offsets[g]));
      }
      ps = pe;
    }
    charges_.Release(ctx_, key_bytes);
    output_ = std::move(perm);
    return Status::OK();
  }

  Result<Value> FrameOffset(const WindowCall& call, const BoundExpr& expr, std::string_view which) {
    Row empty;
    NQ_ASSIGN_OR_RETURN(Value v, Evaluate(expr, empty, ctx_));
    if (v.is_null()) return SqlError("22004", fmt::format("frame {} offset must not be null", which));
    if (call.unit != sql::FrameUnit::kRange && v.kind() != TypeId::kBigInt) {
      return SqlError("22023", fmt::format("frame {} offset of {} must be an integer", which, UnitName(call.unit)));
    }
    if (v.kind() == TypeId::kInterval) {
      if (IntervalLength(v.months(), v.temporal()) < 0) {
        return SqlError("22013", fmt::format("frame {} offset must not be negative", which));
      }
      return v;
    }
    if (!DataType::Of(v.kind()).is_numeric()) return v;
    NQ_ASSIGN_OR_RETURN(std::optional<int> sign, CompareForSql(v, Value::Integer(0), false));
    if (sign && *sign < 0) return SqlError("22013", fmt::format("frame {} offset must not be negative", which));
    return v;
  }

  // First position p in [0, m) for which `past(p)` holds (monotone), m if none.
  template <typename Pred>
  Result<size_t> Search(size_t m, Pred past) {
    size_t lo = 0, hi = m;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      NQ_ASSIGN_OR_RETURN(bool p, past(mid));
      if (p) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  // RANGE offset bound for position k: the first position not before the
  // start (`is_end` false) or the first after the end (`is_end` true).
  Result<size_t> RangeBound(const WindowCall& call, const Partition& part, size_t k,
                            const std::vector<std::vector<Value>>& keys, size_t np, const WindowFrameBound& bound,
                            const Value& offset, bool is_end) {
    const WindowOrderKey& key = call.order[0];
    const Value& cur = keys[part.ids[k]][np];
    size_t g = part.group_of[k];
    if (cur.is_null()) return is_end ? part.group_end[g] : part.group_start[g];
    // Toward the start of the order: smaller values ascending, larger descending.
    bool toward_start = bound.kind == sql::FrameBoundKind::kPreceding;
    bool subtract = toward_start != key.descending;
    NQ_ASSIGN_OR_RETURN(Value target,
                        Arithmetic(subtract ? ArithOp::kSubtract : ArithOp::kAdd, cur, offset));
    auto compare = [&](size_t p) -> Result<std::optional<int>> {
      return CompareForSql(keys[part.ids[p]][np], target, false);
    };
    if (!is_end) {
      // Before the start: NULLs when they sort first, values short of it.
      return Search(part.size(), [&](size_t p) -> Result<bool> {
        if (keys[part.ids[p]][np].is_null()) return !key.nulls_first;
        NQ_ASSIGN_OR_RETURN(std::optional<int> c, compare(p));
        int v = c.value_or(0);
        return key.descending ? v <= 0 : v >= 0;
      });
    }
    return Search(part.size(), [&](size_t p) -> Result<bool> {
      if (keys[part.ids[p]][np].is_null()) return !key.nulls_first;
      NQ_ASSIGN_OR_RETURN(std::optional<int> c, compare(p));
      int v = c.value_or(0);
      return key.descending ? v < 0 : v > 0;
    });
  }

  Result<Frame> FrameAt(const WindowCall& call, const Partition& part, size_t k,
                        const std::vector<std::vector<Value>>& keys, size_t np, const Offsets& off) {
    using B = sql::FrameBoundKind;
    size_t m = part.size();
    size_t g = part.group_of[k];
    size_t groups = part.group_start.size();
    auto amount = [](const Value& v) -> uint64_t { return static_cast<uint64_t>(v.integer()); };
    size_t fs = 0, fe = m;
    switch (call.unit) {
      case sql::FrameUnit::kRows:
        switch (call.start.kind) {
          case B::kUnboundedPreceding: fs = 0; break;
          case B::kPreceding: fs = amount(off.start) >= k ? 0 : k - amount(off.start); break;
          case B::kCurrentRow: fs = k; break;
          case B::kFollowing: fs = amount(off.start) >= m - k ? m : k + amount(off.start); break;
          case B::kUnboundedFollowing: fs = m; break;
        }
        switch (call.end.kind) {
          case B::kUnboundedPreceding: fe = 0; break;
          case B::kPreceding: fe = amount(off.end) >= k + 1 ? 0 : k + 1 - amount(off.end); break;
          case B::kCurrentRow: fe = k + 1; break;
          case B::kFollowing: fe = amount(off.end) >= m - k - 1 ? m : k + 1 + amount(off.end); break;
          case B::kUnboundedFollowing: fe = m; break;
        }
        break;
      case sql::FrameUnit::kGroups:
        switch (call.start.kind) {
          case B::kUnboundedPreceding: fs = 0; break;
          case B::kPreceding: fs = part.group_start[amount(off.start) >= g ? 0 : g - amount(off.start)]; break;
          case B::kCurrentRow: fs = part.group_start[g]; break;
          case B::kFollowing:
            fs = amount(off.start) >= groups - g ? m : part.group_start[g + amount(off.start)];
            break;
          case B::kUnboundedFollowing: fs = m; break;
        }
        switch (call.end.kind) {
          case B::kUnboundedPreceding: fe = 0; break;
          case B::kPreceding: fe = amount(off.end) > g ? 0 : part.group_end[g - amount(off.end)]; break;
          case B::kCurrentRow: fe = part.group_end[g]; break;
          case B::kFollowing:
            fe = amount(off.end) >= groups - g - 1 ? m : part.group_end[g + amount(off.end)];
            break;
          case B::kUnboundedFollowing: fe = m; break;
        }
        break;
      case sql::FrameUnit::kRange: {
        // A start bound takes the first row of its peers, an end bound the
        // position past the last.
        auto range = [&](const WindowFrameBound& bound, const Value& offset, bool is_end) -> Result<size_t> {
          switch (bound.kind) {
            case B::kUnboundedPreceding: return size_t{0};
            case B::kCurrentRow: return is_end ? part.group_end[g] : part.group_start[g];
            case B::kPreceding:
            case B::kFollowing: return RangeBound(call, part, k, keys, np, bound, offset, is_end);
            case B::kUnboundedFollowing: return m;
          }
          return m;
        };
        NQ_ASSIGN_OR_RETURN(fs, range(call.start, off.start, false));
        NQ_ASSIGN_OR_RETURN(fe, range(call.end, off.end, true));
        break;
      }
    }
    fe = std::max(fe, fs);
    // The excluded range [xs, xe), and the current row put back for TIES.
    size_t xs = m, xe = m, ks = 0, ke = 0;
    switch (call.exclusion) {
      case sql::FrameExclusion::kNoOthers: break;
      case sql::FrameExclusion::kCurrentRow: xs = k, xe = k + 1; break;
      case sql::FrameExclusion::kGroup: xs = part.group_start[g], xe = part.group_end[g]; break;
      case sql::FrameExclusion::kTies:
        xs = part.group_start[g], xe = part.group_end[g];
        ks = k, ke = k + 1;
        break;
    }
    Frame f;
    f.seg[0][0] = fs;
    f.seg[0][1] = std::max(fs, std::min(fe, xs));
    f.seg[1][0] = std::max(fs, ks);
    f.seg[1][1] = std::max(f.seg[1][0], std::min(fe, ke));
    f.seg[2][0] = std::max(fs, xe);
    f.seg[2][1] = std::max(f.seg[2][0], fe);
    return f;
  }

  // Stores one result value, charging its text or blob bytes first.
  Status StoreResult(Value* slot, Value v) {
    if (!v.str().empty()) NQ_RETURN_IF_ERROR(charges_.Add(ctx_, v.str().capacity()));
    *slot = std::move(v);
    return Status::OK();
  }

  Status RunCall(size_t index, const Partition& part, const std::vector<std::vector<Value>>& keys, size_t np,
                 const Offsets& off) {
    using K = WindowFunctionKind;
    const WindowCall& call = calls_[index];
    size_t m = part.size();
    size_t column = width_ + index;
    // Results are charged as they are stored: copies of one long value into
    // every row of a partition add up.
    auto put = [&](size_t k, Value v) -> Status {
      return StoreResult(&rows_[part.ids[k]][column], std::move(v));
    };
    // Argument values per position, charged row by row.
    std::vector<std::vector<Value>> args(m);
    size_t arg_bytes = 0;
    for (size_t k = 0; k < m; ++k) {
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      for (const auto& a : call.args) {
        NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*a, rows_[part.ids[k]], ctx_));
        args[k].push_back(std::move(v));
      }
      size_t bytes = ValuesBytes(args[k]);
      NQ_RETURN_IF_ERROR(charges_.Add(ctx_, bytes));
      arg_bytes += bytes;
    }
    double denominator = m > 1 ? static_cast<double>(m - 1) : 1.0;
    switch (call.kind) {
      case K::kRowNumber:
        for (size_t k = 0; k < m; ++k) {
          NQ_RETURN_IF_ERROR(put(k, Value::Integer(static_cast<int64_t>(k + 1))));
        }
        break;
      case K::kRank:
        for (size_t k = 0; k < m; ++k) {
          size_t rank = part.group_start[part.group_of[k]] + 1;
          NQ_RETURN_IF_ERROR(put(k, Value::Integer(static_cast<int64_t>(rank))));
        }
        break;
      case K::kDenseRank:
        for (size_t k = 0; k < m; ++k) {
          NQ_RETURN_IF_ERROR(put(k, Value::Integer(static_cast<int64_t>(part.group_of[k] + 1))));
        }
        break;
      case K::kPercentRank:
        for (size_t k = 0; k < m; ++k) {
          double rank = static_cast<double>(part.group_start[part.group_of[k]]);
          NQ_RETURN_IF_ERROR(put(k, Value::Double(m > 1 ? rank / denominator : 0.0)));
        }
        break;
      case K::kCumeDist:
        for (size_t k = 0; k < m; ++k) {
          double upto = static_cast<double>(part.group_end[part.group_of[k]]);
          NQ_RETURN_IF_ERROR(put(k, Value::Double(upto / static_cast<double>(m))));
        }
        break;
      case K::kNtile: {
        // The bucket count is read once per partition, from its first row.
        const Value& b = args[0][0];
        if (b.is_null()) {
          for (size_t k = 0; k < m; ++k) NQ_RETURN_IF_ERROR(put(k, Value()));
          break;
        }
        NQ_ASSIGN_OR_RETURN(int64_t buckets, IntegerArgument(b, "ntile"));
        if (buckets <= 0) return SqlError("22014", "argument of ntile must be greater than zero");
        uint64_t nb = static_cast<uint64_t>(buckets);
        uint64_t size = m / nb, extra = m % nb;  // the first `extra` buckets hold size + 1
        for (size_t k = 0; k < m; ++k) {
          uint64_t bucket;
          if (k < extra * (size + 1)) {
            bucket = k / (size + 1);
          } else {
            bucket = extra + (k - extra * (size + 1)) / size;
          }
          NQ_RETURN_IF_ERROR(put(k, Value::Integer(static_cast<int64_t>(bucket + 1))));
        }
        break;
      }
      case K::kLag:
      case K::kLead:
        for (size_t k = 0; k < m; ++k) {
          int64_t offset = 1;
          if (args[k].size() > 1) {
            if (args[k][1].is_null()) {
              NQ_RETURN_IF_ERROR(put(k, Value()));
              continue;
            }
            NQ_ASSIGN_OR_RETURN(offset, IntegerArgument(args[k][1], call.name));
          }
          // Compare in 128 bits: the offset may be any 64-bit value.
          Int128 step = call.kind == K::kLag ? -static_cast<Int128>(offset) : static_cast<Int128>(offset);
          Int128 target = static_cast<Int128>(k) + step;
          if (target >= 0 && target < static_cast<Int128>(m)) {
            NQ_RETURN_IF_ERROR(put(k, args[static_cast<size_t>(target)][0]));
          } else {
            NQ_RETURN_IF_ERROR(put(k, args[k].size() > 2 ? args[k][2] : Value()));
          }
        }
        break;
      case K::kFirstValue:
      case K::kLastValue:
      case K::kNthValue:
        for (size_t k = 0; k < m; ++k) {
          NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
          NQ_ASSIGN_OR_RETURN(Frame f, FrameAt(call, part, k, keys, np, off));
          size_t p = 0;
          bool found = false;
          if (call.kind == K::kFirstValue) {
            found = f.At(0, &p);
          } else if (call.kind == K::kLastValue) {
            found = f.Last(&p);
          } else {
            const Value& nth = args[k][1];
            if (!nth.is_null()) {
              NQ_ASSIGN_OR_RETURN(int64_t n, IntegerArgument(nth, "nth_value"));
              if (n <= 0) return SqlError("22016", "argument of nth_value must be greater than zero");
              found = f.At(static_cast<size_t>(n - 1), &p);
            }
          }
          NQ_RETURN_IF_ERROR(put(k, found ? args[p][0] : Value()));
        }
        break;
      case K::kAggregate:
        NQ_RETURN_IF_ERROR(RunAggregate(call, part, keys, np, off, args, column));
        break;
    }
    charges_.Release(ctx_, arg_bytes);
    return Status::OK();
  }

  Status RunAggregate(const WindowCall& call, const Partition& part, const std::vector<std::vector<Value>>& keys,
                      size_t np, const Offsets& off, const std::vector<std::vector<Value>>& args, size_t column) {
    size_t m = part.size();
    auto add = [&](AggregateState* state, size_t p) { return state->Add(std::span<const Value>(args[p])); };
    bool running = call.start.kind == sql::FrameBoundKind::kUnboundedPreceding &&
                   call.exclusion == sql::FrameExclusion::kNoOthers;
    if (running) {
      // The frame only grows: add the rows it gains, finish when it changed.
      std::unique_ptr<AggregateState> state = call.aggregate->make(false);
      size_t added = 0;
      bool have = false;
      Value last;
      for (size_t k = 0; k < m; ++k) {
        NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
        NQ_ASSIGN_OR_RETURN(Frame f, FrameAt(call, part, k, keys, np, off));
        size_t fe = f.seg[0][1];
        if (fe < added) {  // cannot happen for a sorted partition; stay correct anyway
          state = call.aggregate->make(false);
          added = 0;
          have = false;
        }
        bool grew = added < fe;
        for (; added < fe; ++added) NQ_RETURN_IF_ERROR(add(state.get(), added));
        if (grew || !have) {
          NQ_ASSIGN_OR_RETURN(last, state->Finish());
          have = true;
        }
        NQ_RETURN_IF_ERROR(StoreResult(&rows_[part.ids[k]][column], last));
      }
      return Status::OK();
    }
    for (size_t k = 0; k < m; ++k) {
      NQ_RETURN_IF_ERROR(ctx_->CheckInterrupt());
      NQ_ASSIGN_OR_RETURN(Frame f, FrameAt(call, part, k, keys, np, off));
      std::unique_ptr<AggregateState> state = call.aggregate->make(false);
      for (const auto& s : f.seg) {
        for (size_t p = s[0]; p < s[1]; ++p) NQ_RETURN_IF_ERROR(add(state.get(), p));
      }
      NQ_ASSIGN_OR_RETURN(Value v, state->Finish());
      NQ_RETURN_IF_ERROR(StoreResult(&rows_[part.ids[k]][column], std::move(v)));
    }
    return Status::OK();
  }

  OperatorPtr child_;
  std::vector<WindowCall> calls_;
  std::vector<std::vector<size_t>> sorts_;  // calls sharing a sort, by first appearance
  ExecContext* ctx_ = nullptr;
  std::vector<Row> rows_;
  size_t width_ = 0;
  std::vector<size_t> output_;  // row numbers in output order
  size_t pos_ = 0;
  Charges charges_;
};

}  // namespace

OperatorPtr MakeWindow(OperatorPtr child, std::vector<WindowCall> calls) {
  return std::make_unique<WindowOp>(std::move(child), std::move(calls));
}

}  // namespace neuroquantum::exec
