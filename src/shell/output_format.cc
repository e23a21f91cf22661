// Output modes of the SQL shell (output_format.h).
#include "shell/output_format.h"

#include <algorithm>
#include <cassert>
#include <ostream>

#include <fmt/format.h>

namespace neuroquantum::shell {
namespace {

bool NeedsCsvQuotes(std::string_view text) {
  if (text.empty()) return true;  // sqlite3 writes "" for an empty string
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte >= 0x7f || c == '"' || c == '\'' || c == ',';
  });
}

// Code points in a UTF-8 string: bytes that do not continue a sequence.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

// list and csv: one line per row, fields joined by a separator.
class DelimitedPrinter : public ResultPrinter {
 public:
  DelimitedPrinter(const FormatOptions& options, std::ostream* out)
      : csv_(options.mode == OutputMode::kCsv), headers_(options.headers),
        row_separator_(options.row_separator), out_(out) {}

  void Begin(const std::vector<std::string>& column_names) override {
    if (!headers_) return;
    std::vector<Cell> cells;
    for (const std::string& name : column_names) cells.push_back({CellKind::kText, name});
    Row(cells);
  }

  void Row(const std::vector<Cell>& cells) override {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) line += csv_ ? ',' : '|';
      if (cells[i].kind == CellKind::kNull) continue;
      line += csv_ ? CsvField(cells[i].text) : cells[i].text;
    }
    *out_ << line << row_separator_;
  }

  void End() override {}

 private:
  bool csv_;
  bool headers_;
  std::string row_separator_;
  std::ostream* out_;
};

class JsonPrinter : public ResultPrinter {
 public:
  explicit JsonPrinter(std::ostream* out) : out_(out) {}

  void Begin(const std::vector<std::string>& column_names) override {
    keys_.clear();
    for (const std::string& name : column_names) keys_.push_back(JsonString(name));
  }

  void Row(const std::vector<Cell>& cells) override {
    std::string line = rows_ == 0 ? "[{" : ",\n{";
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) line += ',';
      line += keys_[i];
      line += ':';
      line += JsonValue(cells[i]);
    }
    *out_ << line << '}';
    ++rows_;
  }

  void End() override {
    if (rows_ > 0) *out_ << "]\n";
    rows_ = 0;
  }

 private:
  static std::string JsonValue(const Cell& cell) {
    switch (cell.kind) {
      case CellKind::kNull:
        return "null";
      case CellKind::kBoolean:
        return cell.text == "true" || cell.text == "TRUE" || cell.text == "t" ? "true" : "false";
      case CellKind::kNumber:
        // Infinity and NaN have no JSON number form.
        if (cell.text.find_first_of("aAiInN") == std::string::npos) return cell.text;
        return JsonString(cell.text);
      case CellKind::kText:
        break;
    }
    return JsonString(cell.text);
  }

  std::vector<std::string> keys_;
  size_t rows_ = 0;
  std::ostream* out_;
};

class TablePrinter : public ResultPrinter {
 public:
  explicit TablePrinter(std::ostream* out) : out_(out) {}

  void Begin(const std::vector<std::string>& column_names) override {
    names_ = column_names;
    rows_.clear();
  }

  void Row(const std::vector<Cell>& cells) override {
    std::vector<std::string> row;
    for (const Cell& cell : cells) row.push_back(cell.kind == CellKind::kNull ? "" : cell.text);
    rows_.push_back(std::move(row));
  }

  void End() override {
    if (rows_.empty()) return;
    std::vector<size_t> widths;
    for (const std::string& name : names_) widths.push_back(DisplayWidth(name));
    for (const auto& row : rows_) {
      for (size_t col = 0; col < row.size(); ++col) {
        for (std::string_view line : SplitLines(row[col])) {
          widths[col] = std::max(widths[col], DisplayWidth(line));
        }
      }
    }
    std::string rule = "+";
    for (size_t width : widths) rule += std::string(width + 2, '-') + "+";
    rule += '\n';
    std::string text = rule + "|";
    for (size_t col = 0; col < names_.size(); ++col) {
      size_t padding = widths[col] - DisplayWidth(names_[col]);
      text += fmt::format(" {}{}{} |", std::string(padding / 2, ' '), names_[col],
                          std::string(padding - padding / 2, ' '));
    }
    text += "\n" + rule;
    for (const auto& row : rows_) AppendRow(row, widths, &text);
    *out_ << text << rule;
    rows_.clear();
  }

 private:
  static void AppendRow(const std::vector<std::string>& row, const std::vector<size_t>& widths,
                        std::string* text) {
    std::vector<std::vector<std::string_view>> lines;
    size_t height = 1;
    for (const std::string& value : row) {
      lines.push_back(SplitLines(value));
      height = std::max(height, lines.back().size());
    }
    for (size_t line = 0; line < height; ++line) {
      *text += "|";
      for (size_t col = 0; col < row.size(); ++col) {
        std::string_view part = line < lines[col].size() ? lines[col][line] : std::string_view();
        *text += fmt::format(" {}{} |", part, std::string(widths[col] - DisplayWidth(part), ' '));
      }
      *text += "\n";
    }
  }

  std::vector<std::string> names_;
  std::vector<std::vector<std::string>> rows_;
  std::ostream* out_;
};

}  // namespace

std::optional<OutputMode> ParseOutputMode(std::string_view name) {
  if (name == "list") return OutputMode::kList;
  if (name == "csv") return OutputMode::kCsv;
  if (name == "json") return OutputMode::kJson;
  if (name == "table") return OutputMode::kTable;
  return std::nullopt;
}

std::string_view OutputModeName(OutputMode mode) {
  switch (mode) {
    case OutputMode::kList: return "list";
    case OutputMode::kCsv: return "csv";
    case OutputMode::kJson: return "json";
    case OutputMode::kTable: return "table";
  }
  return "list";
}

std::unique_ptr<ResultPrinter> MakeResultPrinter(const FormatOptions& options, std::ostream* out) {
  switch (options.mode) {
    case OutputMode::kJson: return std::make_unique<JsonPrinter>(out);
    case OutputMode::kTable: return std::make_unique<TablePrinter>(out);
    case OutputMode::kList:
    case OutputMode::kCsv: break;
  }
  return std::make_unique<DelimitedPrinter>(options, out);
}

std::string CsvField(std::string_view text) {
  if (!NeedsCsvQuotes(text)) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

std::string JsonString(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\b': quoted += "\\b"; break;
      case '\f': quoted += "\\f"; break;
      case '\n': quoted += "\\n"; break;
      case '\r': quoted += "\\r"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          quoted += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          quoted += c;
        }
    }
  }
  return quoted + '"';
}

}  // namespace neuroquantum::shell
