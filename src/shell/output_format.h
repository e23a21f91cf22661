// How the SQL shell prints a result: the four output modes of
// `nqdb shell --mode` and `.mode`, modelled on the sqlite3 shell.
//
//   list   values separated by '|', NULL as the empty string, no quoting;
//          one row per line; header line only with `.headers on`
//   csv    values separated by ','; a value is quoted ("..." with inner
//          quotes doubled) when it is empty or contains a byte below 0x21
//          (space, tab, CR, LF, other controls), a '"', a '\'', a ',', or
//          a byte of 0x7f and above; NULL is empty and unquoted. This is
//          what `sqlite3 -csv` prints, row separator included ("\n";
//          sqlite3's `.mode csv` ends rows with "\r\n", see
//          FormatOptions::row_separator). Header only with `.headers on`.
//   json   one array of objects, one object per row and line:
//          [{"a":1,"b":"x"},\n{"a":2,"b":null}]; numbers and booleans bare,
//          everything else a JSON string; nothing for an empty result
//   table  a box of '+', '-' and '|'; column names centred, values
//          left-aligned, widths in code points, values with line breaks
//          spread over several lines; always with the header; nothing for
//          an empty result
//
// Thread safety: a printer is used by one thread at a time.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neuroquantum::shell {

enum class OutputMode { kList, kCsv, kJson, kTable };

// "list", "csv", "json" or "table"; nullopt for anything else.
std::optional<OutputMode> ParseOutputMode(std::string_view name);
std::string_view OutputModeName(OutputMode mode);

// What a printed value is, as far as quoting goes (json prints numbers
// and booleans bare; NULL prints as nothing, or null in json).
enum class CellKind { kNull, kNumber, kBoolean, kText };

// One printed value: `text` is its text form (ignored for kNull).
struct Cell {
  CellKind kind = CellKind::kNull;
  std::string text;
};

struct FormatOptions {
  OutputMode mode = OutputMode::kList;
  // Print the column names first (list and csv; table and json always
  // name the columns).
  bool headers = false;
  // Ends each row in list and csv mode.
  std::string row_separator = "\n";
};

// Receives one result: Begin once, Row per row, End once. Modes that need
// the whole result (table) print at End; the others print as rows arrive.
class ResultPrinter {
 public:
  virtual ~ResultPrinter() = default;
  virtual void Begin(const std::vector<std::string>& column_names) = 0;
  // REQUIRES: cells.size() equals the number of column names.
  virtual void Row(const std::vector<Cell>& cells) = 0;
  virtual void End() = 0;
};

// A printer writing to `out` (borrowed; must outlive the printer).
std::unique_ptr<ResultPrinter> MakeResultPrinter(const FormatOptions& options, std::ostream* out);

// The building blocks, exposed for tests.
// `text` as one csv field (quoted when the rules above say so).
std::string CsvField(std::string_view text);
// `text` as a JSON string literal, quotes included.
std::string JsonString(std::string_view text);

}  // namespace neuroquantum::shell
