// String scalar functions: LENGTH, LOWER, UPPER, SUBSTR, TRIM, LTRIM,
// RTRIM, REPLACE, INSTR, POSITION, CONCAT, LPAD, RPAD.
//
// Arguments that are not text take their text form (TextOf); blobs keep
// bytes where SQLite does (LENGTH, SUBSTR, INSTR of two blobs). Positions
// and lengths count characters (UTF-8 code points).
#include <algorithm>
#include <vector>

#include "exec/internal/functions_internal.h"

namespace neuroquantum::exec::internal::string_fn {

namespace {

// Keeps start/length arithmetic far from int64 overflow; no string is this long.
constexpr int64_t kHuge = int64_t{1} << 62;

int64_t Clamp(int64_t v) { return std::clamp(v, -kHuge, kHuge); }

std::string FoldCase(std::string s, bool upper) {
  for (char& c : s) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

enum class Side : uint8_t { kLeft = 1, kRight = 2, kBoth = 3 };

Result<Value> TrimSides(std::span<const Value> args, Side side) {
  std::string text = TextOf(args[0]);
  std::vector<char32_t> set = {U' '};
  if (args.size() > 1) {
    set.clear();
    std::string chars = TextOf(args[1]);
    for (size_t pos = 0; pos < chars.size();) set.push_back(DecodeUtf8(chars, &pos));
  }
  auto in_set = [&](char32_t c) { return std::find(set.begin(), set.end(), c) != set.end(); };
  // Byte offsets of each character's start, plus the end.
  std::vector<size_t> starts;
  std::vector<char32_t> chars;
  for (size_t pos = 0; pos < text.size();) {
    starts.push_back(pos);
    chars.push_back(DecodeUtf8(text, &pos));
  }
  starts.push_back(text.size());
  size_t first = 0, last = chars.size();
  if (static_cast<int>(side) & static_cast<int>(Side::kLeft)) {
    while (first < last && in_set(chars[first])) ++first;
  }
  if (static_cast<int>(side) & static_cast<int>(Side::kRight)) {
    while (last > first && in_set(chars[last - 1])) --last;
  }
  return Value::Text(text.substr(starts[first], starts[last] - starts[first]));
}

Result<Value> Pad(std::span<const Value> args, bool left) {
  std::string text = TextOf(args[0]);
  NQ_ASSIGN_OR_RETURN(int64_t length, ToIntegerArg(args[1], "lpad/rpad"));
  std::string fill = args.size() > 2 ? TextOf(args[2]) : " ";
  if (length <= 0) return Value::Text("");
  size_t have = Utf8Length(text);
  if (static_cast<uint64_t>(length) <= have) {  // cut to `length`, as PostgreSQL
    return Value::Text(text.substr(0, Utf8Offset(text, static_cast<size_t>(length))));
  }
  if (fill.empty()) return Value::Text(std::move(text));
  uint64_t missing = static_cast<uint64_t>(length) - have;
  // Whole copies of `fill` and then a prefix of it; sized before building.
  size_t fill_chars = Utf8Length(fill);
  uint64_t copies = missing / fill_chars;
  size_t rest_bytes = Utf8Offset(fill, static_cast<size_t>(missing % fill_chars));
  if (copies > kMaxStringBytes || copies * fill.size() + rest_bytes + text.size() > kMaxStringBytes) {
    return StringTooLongError();
  }
  std::string padding;
  padding.reserve(copies * fill.size() + rest_bytes);
  for (uint64_t i = 0; i < copies; ++i) padding += fill;
  padding.append(fill, 0, rest_bytes);
  return Value::Text(left ? padding + text : text + padding);
}

}  // namespace

Result<Value> Length(std::span<const Value> args) {
  const Value& v = args[0];
  if (v.kind() == TypeId::kBlob) return Value::Integer(static_cast<int64_t>(v.str().size()));
  return Value::Integer(static_cast<int64_t>(Utf8Length(TextOf(v))));
}

Result<Value> Lower(std::span<const Value> args) { return Value::Text(FoldCase(TextOf(args[0]), false)); }

Result<Value> Upper(std::span<const Value> args) { return Value::Text(FoldCase(TextOf(args[0]), true)); }

// SQLite's substr(): start 1 is the first character, 0 the position before
// it, negative counts from the end; a negative length takes the characters
// before start; no length means to the end.
Result<Value> Substr(std::span<const Value> args) {
  NQ_ASSIGN_OR_RETURN(int64_t start, ToIntegerArg(args[1], "substr"));
  int64_t count = kHuge;
  bool backwards = false;
  if (args.size() > 2) {
    NQ_ASSIGN_OR_RETURN(count, ToIntegerArg(args[2], "substr"));
    count = Clamp(count);
    if (count < 0) {
      count = -count;
      backwards = true;
    }
  }
  start = Clamp(start);
  bool blob = args[0].kind() == TypeId::kBlob;
  // Text and blobs are read in place; other kinds by their text.
  std::string converted;
  const bool in_place = blob || args[0].kind() == TypeId::kText;
  if (!in_place) converted = TextOf(args[0]);
  const std::string_view text = in_place ? std::string_view(args[0].str()) : std::string_view(converted);
  if (start < 0) {
    start += static_cast<int64_t>(blob ? text.size() : Utf8Length(text));
    if (start < 0) {
      count = std::max<int64_t>(count + start, 0);
      start = 0;
    }
  } else if (start > 0) {
    --start;
  } else if (count > 0) {
    --count;
  }
  if (backwards) {
    start -= count;
    if (start < 0) {
      count += start;
      start = 0;
    }
  }
  if (blob) {
    size_t begin = std::min(static_cast<size_t>(start), text.size());
    return Value::Blob(std::string(text.substr(begin, static_cast<size_t>(count))));
  }
  size_t begin = Utf8Offset(text, static_cast<size_t>(start));
  size_t end = begin + Utf8Offset(text.substr(begin), static_cast<size_t>(count));
  return Value::Text(std::string(text.substr(begin, end - begin)));
}

Result<Value> Trim(std::span<const Value> args) { return TrimSides(args, Side::kBoth); }

Result<Value> LTrim(std::span<const Value> args) { return TrimSides(args, Side::kLeft); }

Result<Value> RTrim(std::span<const Value> args) { return TrimSides(args, Side::kRight); }

Result<Value> Replace(std::span<const Value> args) {
  std::string text = TextOf(args[0]);
  std::string from = TextOf(args[1]);
  std::string to = TextOf(args[2]);
  if (from.empty()) return Value::Text(std::move(text));
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(text, pos, hit - pos);
    out += to;
    if (out.size() > kMaxStringBytes) return StringTooLongError();
  }
  out.append(text, pos);
  return Value::Text(std::move(out));
}

// INSTR(haystack, needle): 1-based position of the first match, 0 if none.
Result<Value> Instr(std::span<const Value> args) {
  if (args[0].kind() == TypeId::kBlob && args[1].kind() == TypeId::kBlob) {
    size_t hit = args[0].str().find(args[1].str());
    return Value::Integer(hit == std::string::npos ? 0 : static_cast<int64_t>(hit) + 1);
  }
  std::string haystack = TextOf(args[0]);
  size_t hit = haystack.find(TextOf(args[1]));
  if (hit == std::string::npos) return Value::Integer(0);
  return Value::Integer(static_cast<int64_t>(Utf8Length(std::string_view(haystack).substr(0, hit))) + 1);
}

// POSITION(needle IN haystack) arrives as position(needle, haystack).
Result<Value> Position(std::span<const Value> args) {
  const Value swapped[] = {args[1], args[0]};
  return Instr(swapped);
}

Result<Value> ConcatAll(std::span<const Value> args) {
  std::string out;
  for (const Value& v : args) {
    if (v.is_null()) continue;
    out += TextOf(v);
    if (out.size() > kMaxStringBytes) return StringTooLongError();
  }
  return Value::Text(std::move(out));
}

Result<Value> LPad(std::span<const Value> args) { return Pad(args, true); }

Result<Value> RPad(std::span<const Value> args) { return Pad(args, false); }

}  // namespace neuroquantum::exec::internal::string_fn
