// Evaluation of bound expressions, row by row, with SQL's three-valued
// logic.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "exec/plan.h"

namespace neuroquantum::exec {
namespace {

bool IsNumber(TypeId k) {
  return k == TypeId::kBigInt || k == TypeId::kDouble || k == TypeId::kNumeric || k == TypeId::kBoolean;
}

// Text that reads fully as a number, for comparing it with a number.
std::optional<Value> TextAsNumber(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return std::nullopt;
  size_t e = text.find_last_not_of(" \t\n\r");
  std::string_view t(text.data() + b, e - b + 1);
  auto d = Decimal::Parse(t);
  if (d.ok()) {
    if (d->scale == 0 && d->unscaled >= INT64_MIN && d->unscaled <= INT64_MAX) {
      return Value::Integer(static_cast<int64_t>(d->unscaled));
    }
    return Value::Double(d->ToDouble());
  }
  char* end = nullptr;
  std::string copy(t);
  double v = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str() + copy.size()) return Value::Double(v);
  return std::nullopt;
}

Value AsNumber(const Value& v) { return v.kind() == TypeId::kBoolean ? Value::Integer(v.boolean() ? 1 : 0) : v; }

}  // namespace

namespace {

// The comparisons that need no conversion: values of one kind (integers,
// dates and times, decimals, doubles other than NaN), a decimal with an
// integer and a date with a timestamp. True with the sign in *c; false for
// everything else.
inline bool CompareDirect(const Value& a, const Value& b, int* c) {
  if (a.kind() != b.kind()) {
    // A decimal and an integer (a column and a literal, usually).
    if (a.kind() == TypeId::kNumeric && b.kind() == TypeId::kBigInt) {
      *c = a.numeric().Compare(Decimal{b.integer(), 0});
      return true;
    }
    if (a.kind() == TypeId::kBigInt && b.kind() == TypeId::kNumeric) {
      *c = Decimal{a.integer(), 0}.Compare(b.numeric());
      return true;
    }
    // A date and a timestamp (a column and a date moved by an interval).
    if ((a.kind() == TypeId::kDate && b.kind() == TypeId::kTimestamp) ||
        (a.kind() == TypeId::kTimestamp && b.kind() == TypeId::kDate)) {
      const Int128 x = a.EpochMicros(), y = b.EpochMicros();
      *c = (x > y) - (x < y);
      return true;
    }
    return false;
  }
  switch (a.kind()) {
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp: *c = (a.integer() > b.integer()) - (a.integer() < b.integer()); return true;
    case TypeId::kDouble:
      if (std::isnan(a.dbl()) || std::isnan(b.dbl())) return false;
      *c = (a.dbl() > b.dbl()) - (a.dbl() < b.dbl());
      return true;
    case TypeId::kNumeric: {
      const Decimal x = a.numeric(), y = b.numeric();
      *c = x.scale == y.scale ? (x.unscaled > y.unscaled) - (x.unscaled < y.unscaled) : x.Compare(y);
      return true;
    }
    default: return false;
  }
}

// CompareDirect, and text with text under binary collation (byte order):
// the comparisons of two non-NULL values that need neither a conversion
// nor a collation.
inline bool CompareQuick(const Value& a, const Value& b, bool nocase, int* c) {
  if (CompareDirect(a, b, c)) return true;
  if (nocase || a.kind() != TypeId::kText || b.kind() != TypeId::kText) return false;
  const int r = a.str().compare(b.str());
  *c = (r > 0) - (r < 0);
  return true;
}

}  // namespace

// Comparison used by every operator: numbers across kinds, text with a
// number when the text reads as one (else numbers sort first, as in SQLite).
Result<std::optional<int>> CompareForSql(const Value& a, const Value& b, bool nocase) {
  if (a.is_null() || b.is_null()) return std::optional<int>();
  if (int c; CompareQuick(a, b, nocase, &c)) return std::optional<int>(c);
  TypeId ka = a.kind(), kb = b.kind();
  if (ka != kb && IsNumber(ka) && IsNumber(kb)) return AsNumber(a).Compare(AsNumber(b));
  if (IsNumber(ka) && kb == TypeId::kText) {
    auto n = TextAsNumber(b.str());
    if (!n) return std::optional<int>(-1);
    return AsNumber(a).Compare(*n);
  }
  if (ka == TypeId::kText && IsNumber(kb)) {
    auto n = TextAsNumber(a.str());
    if (!n) return std::optional<int>(1);
    return n->Compare(AsNumber(b));
  }
  if (nocase && ka == TypeId::kText && kb == TypeId::kText) return CompareCollated(a, b, "nocase");
  if (ka == TypeId::kText && kb != TypeId::kText && kb != TypeId::kBlob) {
    // A date/time compared with text: read the text as that type.
    auto cast = a.CastTo(DataType::Of(kb));
    if (cast.ok()) return cast->Compare(b);
  }
  if (kb == TypeId::kText && ka != TypeId::kText && ka != TypeId::kBlob) {
    auto cast = b.CastTo(DataType::Of(ka));
    if (cast.ok()) return a.Compare(*cast);
  }
  return a.Compare(b);
}

namespace {


inline bool CompareHolds(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNotEq: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

Result<const Value*> Operand(const BoundExpr& e, const Row& row, ExecContext* ctx, Value* slot);
[[gnu::always_inline]] inline const Value* Peek(const BoundExpr& e, const Row& row, const ExecContext* ctx);

// A truth value of SQL's three-valued logic, or kError when evaluating
// failed. Small enough to return in a register: filters decide one per row.
enum class Tri : uint8_t { kFalse, kTrue, kNull, kError };

Tri Of(bool b) { return b ? Tri::kTrue : Tri::kFalse; }
Tri Of(std::optional<bool> b) { return b ? Of(*b) : Tri::kNull; }
Value Bool3(Tri t) { return t == Tri::kNull ? Value::Null() : Value::Boolean(t == Tri::kTrue); }

// SQL's AND of two truth values that are not errors.
Tri And3(Tri a, Tri b) {
  if (a == Tri::kFalse || b == Tri::kFalse) return Tri::kFalse;
  return a == Tri::kTrue && b == Tri::kTrue ? Tri::kTrue : Tri::kNull;
}

Tri Truth3Slow(const BoundExpr& e, const Row& row, ExecContext* ctx, Status* error);

// The truth value of `e`; on kError, the failure is in *error. Logic,
// comparisons, BETWEEN and IS NULL are decided here without making Values;
// the rest is evaluated and its value read as a truth value. Comparisons
// of two leaves that need no conversion (what most filters are) are
// decided inline; everything that makes Values is in Truth3Slow, so that
// this function, called per row and per conjunct, stays small.
Tri Truth3(const BoundExpr& e, const Row& row, ExecContext* ctx, Status* error) {
  switch (e.kind) {
    case BoundKind::kAnd: {
      const Tri a = Truth3(*e.args[0], row, ctx, error);
      if (a == Tri::kFalse || a == Tri::kError) return a;
      const Tri b = Truth3(*e.args[1], row, ctx, error);
      return b == Tri::kError ? b : And3(a, b);
    }
    case BoundKind::kOr: {
      const Tri a = Truth3(*e.args[0], row, ctx, error);
      if (a == Tri::kTrue || a == Tri::kError) return a;
      const Tri b = Truth3(*e.args[1], row, ctx, error);
      if (b == Tri::kTrue || b == Tri::kError) return b;
      return a == Tri::kFalse && b == Tri::kFalse ? Tri::kFalse : Tri::kNull;
    }
    case BoundKind::kNot: {
      const Tri a = Truth3(*e.args[0], row, ctx, error);
      if (a == Tri::kTrue) return Tri::kFalse;
      return a == Tri::kFalse ? Tri::kTrue : a;
    }
    case BoundKind::kCompare: {
      const Value* pa = Peek(*e.args[0], row, ctx);
      const Value* pb = pa ? Peek(*e.args[1], row, ctx) : nullptr;
      if (pb) {
        if (pa->is_null() || pb->is_null()) return Tri::kNull;
        if (int c; CompareQuick(*pa, *pb, e.nocase, &c)) return Of(CompareHolds(static_cast<CompareOp>(e.op), c));
      }
      break;
    }
    case BoundKind::kBetween: {
      const Value* px = Peek(*e.args[0], row, ctx);
      const Value* plo = px ? Peek(*e.args[1], row, ctx) : nullptr;
      const Value* phi = plo ? Peek(*e.args[2], row, ctx) : nullptr;
      if (int c1, c2; phi && !px->is_null() && CompareQuick(*px, *plo, e.nocase, &c1) &&
                      CompareQuick(*px, *phi, e.nocase, &c2)) {
        return Of((c1 >= 0 && c2 <= 0) != e.negated);
      }
      break;
    }
    default: break;
  }
  return Truth3Slow(e, row, ctx, error);
}

// What Truth3 does not decide inline: comparisons and BETWEEN that
// evaluate or convert their operands, IS NULL, and every other expression
// read as a truth value.
[[gnu::noinline]] Tri Truth3Slow(const BoundExpr& e, const Row& row, ExecContext* ctx, Status* error) {
  // Stores a failed Result's status and gives up.
#define NQ_TRI_ASSIGN(lhs, rexpr)       \
  auto lhs##_result = (rexpr);          \
  if (!lhs##_result.ok()) {             \
    *error = std::move(lhs##_result).status(); \
    return Tri::kError;                 \
  }                                     \
  auto lhs = std::move(lhs##_result).value()
  switch (e.kind) {
    case BoundKind::kCompare: {
      Value sa, sb;
      NQ_TRI_ASSIGN(a, Operand(*e.args[0], row, ctx, &sa));
      if (a->is_null()) return Tri::kNull;
      NQ_TRI_ASSIGN(b, Operand(*e.args[1], row, ctx, &sb));
      NQ_TRI_ASSIGN(c, CompareForSql(*a, *b, e.nocase));
      if (!c) return Tri::kNull;
      return Of(CompareHolds(static_cast<CompareOp>(e.op), *c));
    }
    case BoundKind::kBetween: {
      Value sx, slo, shi;
      NQ_TRI_ASSIGN(x, Operand(*e.args[0], row, ctx, &sx));
      NQ_TRI_ASSIGN(lo, Operand(*e.args[1], row, ctx, &slo));
      NQ_TRI_ASSIGN(hi, Operand(*e.args[2], row, ctx, &shi));
      NQ_TRI_ASSIGN(c1, CompareForSql(*x, *lo, e.nocase));
      NQ_TRI_ASSIGN(c2, CompareForSql(*x, *hi, e.nocase));
      const Tri both = And3(c1 ? Of(*c1 >= 0) : Tri::kNull, c2 ? Of(*c2 <= 0) : Tri::kNull);
      if (both == Tri::kNull || !e.negated) return both;
      return both == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
    }
    case BoundKind::kIsNull: {
      Value slot;
      NQ_TRI_ASSIGN(v, Operand(*e.args[0], row, ctx, &slot));
      return Of(v->is_null() != e.negated);
    }
    default: {
      NQ_TRI_ASSIGN(v, Evaluate(e, row, ctx));
      return Of(Truth(v));
    }
  }
#undef NQ_TRI_ASSIGN
}

// Truth3 as a Result: NULL as nullopt.
Result<std::optional<bool>> Truth3(const BoundExpr& e, const Row& row, ExecContext* ctx) {
  Status error;
  switch (Truth3(e, row, ctx, &error)) {
    case Tri::kFalse: return std::optional<bool>(false);
    case Tri::kTrue: return std::optional<bool>(true);
    case Tri::kNull: return std::optional<bool>();
    case Tri::kError: break;
  }
  return error;
}

// Values of one kind whose equality under SQL comparison is SortCompare's
// and whose HashValue agrees with it: integers, decimals, doubles other
// than NaN (whose bit patterns differ), text, blobs, booleans and each
// date/time kind; 0 for the rest. Kinds are not mixed: a double and an
// integer compare exactly, but hash alike only while the double is small.
int InFamily(const Value& v) {
  switch (v.kind()) {
    case TypeId::kBigInt: return 1;
    case TypeId::kDouble: return std::isnan(v.dbl()) ? 0 : 2;
    case TypeId::kNumeric: return 3;
    case TypeId::kText: return 4;
    case TypeId::kBlob: return 5;
    case TypeId::kBoolean: return 6;
    case TypeId::kDate: return 7;
    case TypeId::kTime: return 8;
    case TypeId::kTimestamp: return 9;
    default: return 0;
  }
}

// Values an IN list must hold before a hash set pays.
constexpr size_t kInSetMinimum = 8;

void BuildInSet(SubPlan* plan) {
  int family = 0;
  for (const Value& v : plan->values) {
    if (v.is_null()) continue;
    const int f = InFamily(v);
    if (f == 0 || (family != 0 && f != family)) return;
    family = f;
  }
  for (const Value& v : plan->values) {
    if (!v.is_null()) plan->set.insert(v);
  }
  plan->set_family = family;
}

// Memoized answers: at most this many, and of IN subqueries only those of
// up to kMemoMaxValues values.
constexpr size_t kMemoMaxEntries = 65536;
constexpr size_t kMemoMaxValues = 64;
// After this many misses, memoization stops unless a quarter of the
// lookups hit.
constexpr uint64_t kMemoTrialMisses = 1024;

// The enclosing values a correlated subquery reads, for `row` about to
// become its level-1 outer row. False when one is out of reach.
bool MemoKey(const SubPlan& plan, const Row& row, const ExecContext& ctx, Row* key) {
  key->clear();
  for (auto [up, column] : plan.outer_columns) {
    const Row* source = &row;
    if (up > 1) {
      if (static_cast<size_t>(up - 1) > ctx.outer.size()) return false;
      source = ctx.outer[ctx.outer.size() - static_cast<size_t>(up - 1)];
    }
    if (static_cast<size_t>(column) >= source->size()) return false;
    key->push_back((*source)[column]);
  }
  return true;
}

Status EvaluateSubPlan(SubPlan* plan, const Row& row, ExecContext* ctx, size_t limit);

void StopMemo(SubPlan* plan, ExecContext* ctx) {
  plan->memo_off = true;
  plan->memo.clear();
  if (ctx->memory) ctx->memory->Release(plan->memo_bytes);
  plan->memo_bytes = 0;
}

// Charges `bytes` more to the statement's budget for a cache of answers
// holding `held` bytes, if it stays within a quarter of the budget
// (operators that cannot spill need the rest more); false, with nothing
// charged, otherwise: the cache then stops rather than failing the query.
bool ChargeCache(ExecContext* ctx, size_t held, size_t bytes) {
  if (!ctx->memory) return true;
  if (held + bytes > ctx->memory->limit() / 4) return false;
  if (!ctx->memory->Charge(bytes).ok()) {
    ctx->memory->Release(bytes);
    return false;
  }
  return true;
}

// Runs a subquery for the current row and keeps what the expression needs:
// its first column (all rows, or up to `limit`).
Status RunSubPlan(SubPlan* plan, const Row& row, ExecContext* ctx, size_t limit) {
  if (!plan->correlated && plan->cached) return Status::OK();
  Row key;
  if (!plan->memoizable || plan->memo_off || !ctx->memoize_subqueries || !MemoKey(*plan, row, *ctx, &key)) {
    return EvaluateSubPlan(plan, row, ctx, limit);
  }
  if (auto it = plan->memo.find(key); it != plan->memo.end()) {
    ++plan->memo_hits;
    plan->values = it->second.values;
    plan->has_null = it->second.has_null;
    return Status::OK();
  }
  ++plan->memo_misses;
  NQ_RETURN_IF_ERROR(EvaluateSubPlan(plan, row, ctx, limit));
  if (plan->memo_misses >= kMemoTrialMisses && plan->memo_hits * 3 < plan->memo_misses) {
    StopMemo(plan, ctx);  // the values rarely repeat
  } else if (plan->memo.size() < kMemoMaxEntries && plan->values.size() <= kMemoMaxValues) {
    const size_t bytes = RowBytes(key) + RowBytes(plan->values) + 64;
    if (!ChargeCache(ctx, plan->memo_bytes, bytes)) {
      StopMemo(plan, ctx);
      return Status::OK();
    }
    plan->memo_bytes += bytes;
    plan->memo.emplace(std::move(key), SubPlan::Answer{plan->values, plan->has_null});
  }
  return Status::OK();
}

Status EvaluateSubPlan(SubPlan* plan, const Row& row, ExecContext* ctx, size_t limit) {
  plan->values.clear();
  plan->has_null = false;
  plan->set.clear();
  plan->set_family = 0;
  ctx->outer.push_back(&row);
  Status status = plan->root->Open(ctx);
  Row sub;
  while (status.ok() && plan->values.size() < limit) {
    auto more = plan->root->Next(&sub);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    Value v = sub.empty() ? Value::Null() : std::move(sub[0]);
    if (v.is_null()) plan->has_null = true;
    plan->values.push_back(std::move(v));
  }
  ctx->outer.pop_back();
  NQ_RETURN_IF_ERROR(status);
  if (!plan->correlated && limit == SIZE_MAX && plan->values.size() >= kInSetMinimum) BuildInSet(plan);
  plan->cached = true;
  return Status::OK();
}

// Stops answering a hashed EXISTS from its set: every row runs the
// correlated subquery.
void StopExistsKeys(SubPlan* plan, ExecContext* ctx) {
  plan->key_state = SubPlan::KeyState::kOff;
  plan->key_set.clear();
  plan->key_family = 0;
  if (ctx->memory) ctx->memory->Release(plan->key_bytes);
  plan->key_bytes = 0;
}

// Reads a hashed EXISTS's inner values into its set (SubPlan::key_root),
// empty since SubPlan::Reset.
Status BuildExistsKeys(SubPlan* plan, ExecContext* ctx) {
  NQ_RETURN_IF_ERROR(plan->key_root->Open(ctx));
  Row r;
  int family = 0;
  while (true) {
    NQ_ASSIGN_OR_RETURN(bool more, plan->key_root->Next(&r));
    if (!more) break;
    NQ_RETURN_IF_ERROR(ctx->CheckInterrupt());
    Value& v = r[0];
    if (v.is_null()) continue;  // equal to nothing
    const int f = InFamily(v);
    if (f == 0 || (family != 0 && f != family)) {
      StopExistsKeys(plan, ctx);  // kinds the set cannot compare as SQL does
      return Status::OK();
    }
    family = f;
    if (plan->key_set.contains(v)) continue;
    const size_t bytes = RowBytes(r) + 32;  // the value and its hash node
    if (!ChargeCache(ctx, plan->key_bytes, bytes)) {
      StopExistsKeys(plan, ctx);
      return Status::OK();
    }
    plan->key_bytes += bytes;
    plan->key_set.insert(std::move(v));
  }
  plan->key_family = family;
  plan->key_state = SubPlan::KeyState::kBuilt;
  return Status::OK();
}

// A hashed EXISTS for the enclosing row `row`: whether a row of the
// subquery matches, or nullopt when the set cannot tell (the correlated
// subquery then answers).
Result<std::optional<bool>> ProbeExistsKeys(SubPlan* plan, const Row& row, ExecContext* ctx) {
  const auto cannot = [plan] {
    ++plan->key_fallbacks;
    return std::optional<bool>();
  };
  // Only while the statement writes nothing the subquery reads.
  if (!ctx->memoize_subqueries || plan->key_state == SubPlan::KeyState::kOff) return cannot();
  if (static_cast<size_t>(plan->key_column) >= row.size()) return cannot();
  if (plan->key_state == SubPlan::KeyState::kUnbuilt) NQ_RETURN_IF_ERROR(BuildExistsKeys(plan, ctx));
  if (plan->key_state != SubPlan::KeyState::kBuilt) return cannot();
  const Value& v = row[static_cast<size_t>(plan->key_column)];
  // NULL equals nothing; nothing is equal to a value when there are none.
  const bool none = v.is_null() || plan->key_set.empty();
  if (!none && InFamily(v) != plan->key_family) return cannot();
  ++plan->key_probes;
  return std::optional<bool>(!none && plan->key_set.contains(v));
}

// x IN (values): true if equal to one, NULL if not but a NULL was among
// them (or x is NULL), else false.
Result<Value> InValues(const Value& x, const std::vector<Value>& values, bool nocase, bool negated) {
  if (values.empty()) return Value::Boolean(negated);
  if (x.is_null()) return Value::Null();
  bool saw_null = false;
  for (const auto& v : values) {
    NQ_ASSIGN_OR_RETURN(auto c, CompareForSql(x, v, nocase));
    if (!c) {
      saw_null = true;
    } else if (*c == 0) {
      return Value::Boolean(!negated);
    }
  }
  if (saw_null) return Value::Null();
  return Value::Boolean(negated);
}

std::string LikeText(const Value& v) { return v.kind() == TypeId::kText || v.kind() == TypeId::kBlob ? v.str() : v.ToString(); }

// The value of a leaf expression without copying it: columns, outer
// columns and constants; nullptr for anything that must be computed.
[[gnu::always_inline]] inline const Value* Peek(const BoundExpr& e, const Row& row, const ExecContext* ctx) {
  switch (e.kind) {
    case BoundKind::kConstant: return &e.constant;
    case BoundKind::kColumn:
      return static_cast<size_t>(e.index) < row.size() ? &row[e.index] : nullptr;
    case BoundKind::kOuterColumn: {
      if (static_cast<size_t>(e.levels) > ctx->outer.size()) return nullptr;
      const Row& outer = *ctx->outer[ctx->outer.size() - e.levels];
      return static_cast<size_t>(e.index) < outer.size() ? &outer[e.index] : nullptr;
    }
    default: return nullptr;
  }
}

// Evaluates `e` into `slot` unless it is a leaf, and returns where the
// value is.
Result<const Value*> Operand(const BoundExpr& e, const Row& row, ExecContext* ctx, Value* slot) {
  if (const Value* v = Peek(e, row, ctx)) return v;
  NQ_ASSIGN_OR_RETURN(*slot, Evaluate(e, row, ctx));
  return static_cast<const Value*>(slot);
}

}  // namespace

int64_t ExecContext::StatementTime() {
  if (!statement_time) statement_time = WallClockMicros();
  return *statement_time;
}

Status ExecContext::CheckInterruptNow() {
  if (cancel && cancel->load(std::memory_order_relaxed)) {
    return Status::Aborted("canceling statement due to user request").WithSqlState("57014");
  }
  if (deadline && std::chrono::steady_clock::now() > *deadline) {
    return Status::Aborted("canceling statement due to statement timeout").WithSqlState("57014");
  }
  return Status::OK();
}

Result<Value> Evaluate(const BoundExpr& e, const Row& row, ExecContext* ctx) {
  switch (e.kind) {
    case BoundKind::kConstant: return e.constant;
    case BoundKind::kColumn:
      if (static_cast<size_t>(e.index) >= row.size()) return Status::Internal("column position out of range");
      return row[e.index];
    case BoundKind::kOuterColumn: {
      if (static_cast<size_t>(e.levels) > ctx->outer.size()) return Status::Internal("outer row missing");
      const Row& outer = *ctx->outer[ctx->outer.size() - e.levels];
      if (static_cast<size_t>(e.index) >= outer.size()) return Status::Internal("outer column out of range");
      return outer[e.index];
    }
    case BoundKind::kParameter:
      if (ctx->params && static_cast<size_t>(e.index) < ctx->params->size()) return (*ctx->params)[e.index];
      return Value::Null();
    case BoundKind::kNegate: {
      NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], row, ctx));
      return Negate(v);
    }
    case BoundKind::kNot: {
      NQ_ASSIGN_OR_RETURN(auto t, Truth3(e, row, ctx));
      return Bool3(Of(t));
    }
    case BoundKind::kBitNot: {
      NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], row, ctx));
      return BitNot(v);
    }
    case BoundKind::kArith: {
      Value sa, sb;
      NQ_ASSIGN_OR_RETURN(const Value* a, Operand(*e.args[0], row, ctx, &sa));
      NQ_ASSIGN_OR_RETURN(const Value* b, Operand(*e.args[1], row, ctx, &sb));
      return Arithmetic(static_cast<ArithOp>(e.op), *a, *b);
    }
    case BoundKind::kBitwise: {
      NQ_ASSIGN_OR_RETURN(Value a, Evaluate(*e.args[0], row, ctx));
      NQ_ASSIGN_OR_RETURN(Value b, Evaluate(*e.args[1], row, ctx));
      return Bitwise(static_cast<BitOp>(e.op), a, b);
    }
    case BoundKind::kConcat: {
      NQ_ASSIGN_OR_RETURN(Value a, Evaluate(*e.args[0], row, ctx));
      NQ_ASSIGN_OR_RETURN(Value b, Evaluate(*e.args[1], row, ctx));
      return Concat(a, b);
    }
    case BoundKind::kCompare:
    case BoundKind::kAnd:
    case BoundKind::kOr: {
      NQ_ASSIGN_OR_RETURN(auto t, Truth3(e, row, ctx));
      return Bool3(Of(t));
    }
    case BoundKind::kCast: {
      NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], row, ctx));
      return v.CastTo(e.cast_type);
    }
    case BoundKind::kCase: {
      size_t i = 0;
      Value operand;
      if (e.has_operand) {
        NQ_ASSIGN_OR_RETURN(operand, Evaluate(*e.args[0], row, ctx));
        i = 1;
      }
      size_t pairs_end = e.args.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < pairs_end; i += 2) {
        bool hit = false;
        if (e.has_operand) {
          NQ_ASSIGN_OR_RETURN(Value w, Evaluate(*e.args[i], row, ctx));
          NQ_ASSIGN_OR_RETURN(auto c, CompareForSql(operand, w, false));
          hit = c && *c == 0;
        } else {
          NQ_ASSIGN_OR_RETURN(auto t, Truth3(*e.args[i], row, ctx));
          hit = t && *t;
        }
        if (hit) return Evaluate(*e.args[i + 1], row, ctx);
      }
      if (e.has_else) return Evaluate(*e.args.back(), row, ctx);
      return Value::Null();
    }
    case BoundKind::kCoalesce:
      // Lazy: arguments after the first non-NULL one are not evaluated.
      for (const auto& a : e.args) {
        NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*a, row, ctx));
        if (!v.is_null()) return v;
      }
      return Value::Null();
    case BoundKind::kFunction: {
      // Arguments on the stack for the usual few.
      constexpr size_t kInline = 4;
      std::array<Value, kInline> inline_args;
      std::vector<Value> heap_args;
      if (e.args.size() > kInline) heap_args.resize(e.args.size());
      Value* args = e.args.size() > kInline ? heap_args.data() : inline_args.data();
      for (size_t i = 0; i < e.args.size(); ++i) {
        NQ_ASSIGN_OR_RETURN(args[i], Evaluate(*e.args[i], row, ctx));
        if (args[i].is_null() && !e.function->handles_null) return Value::Null();
      }
      const std::span<const Value> view(args, e.args.size());
      if (IsClockFunction(*e.function)) return CallClockFunction(*e.function, view, ctx->StatementTime());
      return e.function->fn(view);
    }
    case BoundKind::kInList: {
      // A list of constants and columns cannot fail: compared in place,
      // stopping at the first equal value. Otherwise every item is
      // evaluated first, so that an error in any of them is raised.
      const bool leaves = std::all_of(e.args.begin() + 1, e.args.end(),
                                      [&](const BoundExprPtr& a) { return Peek(*a, row, ctx) != nullptr; });
      if (leaves) {
        Value slot;
        NQ_ASSIGN_OR_RETURN(const Value* x, Operand(*e.args[0], row, ctx, &slot));  // its errors count
        if (e.args.size() == 1) return Value::Boolean(e.negated);
        if (x->is_null()) return Value::Null();
        bool saw_null = false;
        for (size_t i = 1; i < e.args.size(); ++i) {
          const Value& item = *Peek(*e.args[i], row, ctx);
          if (int quick; CompareQuick(*x, item, e.nocase, &quick)) {
            if (quick == 0) return Value::Boolean(!e.negated);
            continue;
          }
          NQ_ASSIGN_OR_RETURN(auto c, CompareForSql(*x, item, e.nocase));
          if (!c) {
            saw_null = true;
          } else if (*c == 0) {
            return Value::Boolean(!e.negated);
          }
        }
        return saw_null ? Value::Null() : Value::Boolean(e.negated);
      }
      NQ_ASSIGN_OR_RETURN(Value x, Evaluate(*e.args[0], row, ctx));
      std::vector<Value> values;
      values.reserve(e.args.size() - 1);
      for (size_t i = 1; i < e.args.size(); ++i) {
        NQ_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[i], row, ctx));
        values.push_back(std::move(v));
      }
      return InValues(x, values, e.nocase, e.negated);
    }
    case BoundKind::kInSubquery: {
      NQ_ASSIGN_OR_RETURN(Value x, Evaluate(*e.args[0], row, ctx));
      NQ_RETURN_IF_ERROR(RunSubPlan(e.subplan.get(), row, ctx, SIZE_MAX));
      const SubPlan& plan = *e.subplan;
      if (plan.set_family != 0 && !e.nocase && !x.is_null() && InFamily(x) == plan.set_family) {
        if (plan.set.count(x) != 0) return Value::Boolean(!e.negated);
        return plan.has_null ? Value::Null() : Value::Boolean(e.negated);
      }
      return InValues(x, plan.values, e.nocase, e.negated);
    }
    case BoundKind::kExists: {
      if (e.subplan->key_root) {
        NQ_ASSIGN_OR_RETURN(std::optional<bool> found, ProbeExistsKeys(e.subplan.get(), row, ctx));
        if (found) return Value::Boolean(*found != e.negated);
      }
      NQ_RETURN_IF_ERROR(RunSubPlan(e.subplan.get(), row, ctx, 1));
      return Value::Boolean(!e.subplan->values.empty() != e.negated);
    }
    case BoundKind::kScalarSubquery: {
      NQ_RETURN_IF_ERROR(RunSubPlan(e.subplan.get(), row, ctx, 2));
      if (e.subplan->values.size() > 1) {
        return Status::InvalidArgument("more than one row returned by a subquery used as an expression")
            .WithSqlState("21000");
      }
      return e.subplan->values.empty() ? Value::Null() : e.subplan->values[0];
    }
    case BoundKind::kLike: {
      Value text_slot, pattern_slot;
      NQ_ASSIGN_OR_RETURN(const Value* text_value, Operand(*e.args[0], row, ctx, &text_slot));
      NQ_ASSIGN_OR_RETURN(const Value* pattern_value, Operand(*e.args[1], row, ctx, &pattern_slot));
      if (text_value->is_null() || pattern_value->is_null()) return Value::Null();
      // Text and blobs are matched in place; other kinds by their text.
      std::string text_buffer, pattern_buffer;
      auto view = [](const Value& v, std::string* buffer) -> std::string_view {
        if (v.kind() == TypeId::kText || v.kind() == TypeId::kBlob) return v.str();
        *buffer = v.ToString();
        return *buffer;
      };
      const std::string_view text = view(*text_value, &text_buffer);
      const std::string_view pattern = view(*pattern_value, &pattern_buffer);
      auto op = static_cast<sql::LikeOp>(e.op);
      bool match;
      if (op == sql::LikeOp::kGlob) {
        match = GlobMatch(text, pattern);
      } else {
        std::optional<char32_t> escape;
        if (e.args.size() > 2) {
          NQ_ASSIGN_OR_RETURN(Value esc, Evaluate(*e.args[2], row, ctx));
          if (esc.is_null()) return Value::Null();
          std::string s = LikeText(esc);
          if (s.size() != 1) {
            return Status::InvalidArgument("invalid escape string: it must be one character").WithSqlState("22025");
          }
          escape = static_cast<unsigned char>(s[0]);
        }
        match = LikeMatch(text, pattern, escape, op == sql::LikeOp::kIlike || e.nocase);
      }
      return Value::Boolean(match != e.negated);
    }
    case BoundKind::kBetween:
    case BoundKind::kIsNull: {
      NQ_ASSIGN_OR_RETURN(auto t, Truth3(e, row, ctx));
      return Bool3(Of(t));
    }
    case BoundKind::kIsDistinct: {
      NQ_ASSIGN_OR_RETURN(Value a, Evaluate(*e.args[0], row, ctx));
      NQ_ASSIGN_OR_RETURN(Value b, Evaluate(*e.args[1], row, ctx));
      bool distinct;
      if (a.is_null() || b.is_null()) {
        distinct = a.is_null() != b.is_null();
      } else {
        NQ_ASSIGN_OR_RETURN(auto c, CompareForSql(a, b, e.nocase));
        distinct = *c != 0;
      }
      // negated means IS NOT DISTINCT FROM.
      return Value::Boolean(distinct != e.negated);
    }
  }
  return Status::Internal("unknown expression kind");
}

Result<const std::vector<Value>*> UncorrelatedInValues(const BoundExpr& in, ExecContext* ctx) {
  if (in.kind != BoundKind::kInSubquery || !in.subplan || in.subplan->correlated) {
    return Status::Internal("not an uncorrelated IN subquery");
  }
  static const Row kNoRow;
  NQ_RETURN_IF_ERROR(RunSubPlan(in.subplan.get(), kNoRow, ctx, SIZE_MAX));
  return &in.subplan->values;
}

Result<bool> EvaluatePredicate(const BoundExpr& expr, const Row& row, ExecContext* ctx) {
  Status error;
  const Tri t = Truth3(expr, row, ctx, &error);
  if (t == Tri::kError) return error;
  return t == Tri::kTrue;
}

}  // namespace neuroquantum::exec
