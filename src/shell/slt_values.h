// How `nqdb slt` turns query results into the strings a sqllogictest
// script lists: rendering by column type letter, the three sort modes, and
// the MD5 of a value list. The rules follow the reference harness, whose
// expected results were produced through SQLite's sqlite3_column_* calls:
//
//   NULL   "NULL" for every type letter
//   'I'    integers as %d; a double truncated toward zero (clamped to the
//          64-bit range); anything else by its leading integer prefix
//          ("12abc" -> 12, "abc" -> 0), like sqlite3_column_int64
//   'R'    "%.3f" of the value as a double (text by its numeric prefix),
//          with SQLite's printf limit of 16 significant digits
//   'T'    the text form; the empty string is "(empty)" and every byte
//          below 0x20 or above 0x7e becomes '@'
//
// Thread safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shell/slt_parser.h"

namespace neuroquantum::shell {

// How a value is held: an integer (booleans as 0 and 1), a double, or
// anything else by its text (exact decimals, strings, dates, ...).
enum class SltValueKind { kNull, kInteger, kDouble, kText };

// One result value as an engine hands it to the runner.
struct SltValue {
  SltValueKind kind = SltValueKind::kNull;
  int64_t integer = 0;  // kInteger
  double real = 0;      // kDouble
  std::string text;     // the text form of every non-null value

  static SltValue Null() { return {}; }
  static SltValue Integer(int64_t v) { return {SltValueKind::kInteger, v, 0, std::to_string(v)}; }
  static SltValue Double(double v, std::string text) {
    return {SltValueKind::kDouble, 0, v, std::move(text)};
  }
  static SltValue Text(std::string v) { return {SltValueKind::kText, 0, 0, std::move(v)}; }
};

using SltRow = std::vector<SltValue>;

// The leading integer of `text` after optional blanks and sign, 0 when
// there is none; saturates at the int64 limits.
int64_t LeadingInteger(std::string_view text);

// Renders `value` for column type letter `type` ('I', 'R' or 'T').
std::string RenderSltValue(char type, const SltValue& value);

// Renders every row (REQUIRES: each has types.size() values), sorts as
// `mode` says, and returns the values row by row.
std::vector<std::string> RenderSltRows(std::string_view types, const std::vector<SltRow>& rows,
                                       SltSortMode mode);

// MD5, in lower-case hex, of the values each followed by "\n".
std::string HashSltValues(const std::vector<std::string>& values);

}  // namespace neuroquantum::shell
