// CSV reading for Dataset: layout detection, field splitting, numeric
// conversion with line/column errors, class discovery.
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <map>

#include "neuro/dataset.h"

namespace neuroquantum::neuro {
namespace {

struct Line {
  size_t number;  // 1-based line number in the file
  std::vector<std::string> fields;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Result<std::vector<std::string>> SplitFields(std::string_view line, size_t number) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && Trim(field).empty()) {
      quoted = true;
      was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : std::string(Trim(field)));
      field.clear();
      was_quoted = false;
    } else {
      field.push_back(c);
    }
  }
  if (quoted) {
    return Status::InvalidArgument(fmt::format("line {}: unterminated quoted field", number));
  }
  fields.push_back(was_quoted ? field : std::string(Trim(field)));
  return fields;
}

bool ParseNumber(std::string_view text, double* out) {
  text = Trim(text);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(*out);
}

bool ParseCount(std::string_view text, uint64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

Result<std::vector<Line>> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  size_t number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view raw = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (Trim(raw).empty()) continue;
    NQ_ASSIGN_OR_RETURN(auto fields, SplitFields(raw, number));
    lines.push_back({number, std::move(fields)});
  }
  if (lines.empty()) return Status::InvalidArgument("empty CSV: no rows");
  return lines;
}

bool AllNumeric(const std::vector<std::string>& fields) {
  double v;
  return std::all_of(fields.begin(), fields.end(), [&](const std::string& f) { return ParseNumber(f, &v); });
}

// The counts layout: `n_samples,n_features,names...` where n_samples
// rows follow, each of n_features + 1 fields.
bool IsCountsHeader(const std::vector<Line>& lines) {
  if (lines.size() < 2 || lines[0].fields.size() < 2) return false;
  uint64_t samples = 0, features = 0;
  if (!ParseCount(lines[0].fields[0], &samples) || !ParseCount(lines[0].fields[1], &features)) {
    return false;
  }
  if (samples != lines.size() - 1 || lines[1].fields.size() != features + 1) return false;
  // Class names make it unambiguous; a first line of numbers as long as
  // the next is taken as data.
  std::vector<std::string> names(lines[0].fields.begin() + 2, lines[0].fields.end());
  double v = 0;
  bool any_numeric = std::any_of(names.begin(), names.end(), [&](const std::string& f) { return ParseNumber(f, &v); });
  return !any_numeric || lines[0].fields.size() != lines[1].fields.size();
}

Result<size_t> FindTarget(const std::vector<std::string>& names, const CsvOptions& options) {
  if (options.target.empty()) return names.size() - 1;
  if (options.target[0] == '#') {
    uint64_t index = 0;
    if (ParseCount(std::string_view(options.target).substr(1), &index) && index < names.size()) {
      return static_cast<size_t>(index);
    }
  }
  auto it = std::find(names.begin(), names.end(), options.target);
  if (it != names.end()) return static_cast<size_t>(it - names.begin());
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return Status::NotFound(
      fmt::format("target column '{}' not found; columns are: {}", options.target, list));
}

// Maps the label texts of a classification target to class indices.
Status AssignClasses(const std::vector<std::string>& texts, const std::vector<size_t>& line_numbers,
                     size_t column, Dataset* data) {
  const size_t n = texts.size();
  data->targets.resize(static_cast<Eigen::Index>(n));
  if (!data->class_names.empty()) {
    // Known classes: match the text, else accept an in-range class index.
    for (size_t i = 0; i < n; ++i) {
      auto it = std::find(data->class_names.begin(), data->class_names.end(), texts[i]);
      uint64_t index = 0;
      if (it != data->class_names.end()) {
        index = static_cast<uint64_t>(it - data->class_names.begin());
      } else if (!ParseCount(texts[i], &index) || index >= data->class_names.size()) {
        return Status::InvalidArgument(fmt::format("line {}, column {}: unknown class label '{}'",
                                                   line_numbers[i], column + 1, texts[i]));
      }
      data->targets[static_cast<Eigen::Index>(i)] = static_cast<double>(index);
    }
    return Status::OK();
  }
  bool numeric = AllNumeric(texts);
  std::vector<std::string> names = texts;
  if (numeric) {
    std::map<double, std::string> by_value;
    for (const auto& t : texts) {
      double v = 0;
      if (ParseNumber(t, &v)) by_value.emplace(v, std::string(Trim(t)));
    }
    names.clear();
    for (auto& [v, t] : by_value) names.push_back(t);
  } else {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  std::map<double, size_t> value_index;
  std::map<std::string, size_t> text_index;
  for (size_t k = 0; k < names.size(); ++k) {
    double v = 0;
    if (numeric && ParseNumber(names[k], &v)) value_index[v] = k;
    text_index[names[k]] = k;
  }
  for (size_t i = 0; i < n; ++i) {
    size_t k = 0;
    if (numeric) {
      double v = 0;
      if (ParseNumber(texts[i], &v)) k = value_index[v];
    } else {
      k = text_index[texts[i]];
    }
    data->targets[static_cast<Eigen::Index>(i)] = static_cast<double>(k);
  }
  data->class_names = std::move(names);
  return Status::OK();
}

}  // namespace

std::vector<int> Dataset::labels() const {
  std::vector<int> out(static_cast<size_t>(targets.size()));
  for (Eigen::Index i = 0; i < targets.size(); ++i) out[static_cast<size_t>(i)] = static_cast<int>(targets[i]);
  return out;
}

Result<Dataset> ParseCsv(std::string_view text, const CsvOptions& options) {
  NQ_ASSIGN_OR_RETURN(std::vector<Line> lines, SplitLines(text));
  Dataset data;
  std::vector<std::string> names;
  size_t first_row = 1;
  if (IsCountsHeader(lines)) {
    size_t k = lines[1].fields.size() - 1;
    for (size_t j = 0; j < k; ++j) names.push_back(fmt::format("f{}", j));
    names.push_back("label");
    data.class_names.assign(lines[0].fields.begin() + 2, lines[0].fields.end());
  } else if (AllNumeric(lines[0].fields) &&
             (lines.size() < 2 || lines[0].fields.size() == lines[1].fields.size())) {
    for (size_t j = 0; j < lines[0].fields.size(); ++j) names.push_back(fmt::format("c{}", j));
    first_row = 0;
  } else {
    names = lines[0].fields;
  }
  if (!options.known_classes.empty()) data.class_names = options.known_classes;
  if (options.task == Task::kRegress) data.class_names.clear();

  Result<size_t> target = FindTarget(names, options);
  bool has_target = target.ok();
  if (!has_target && !(options.target_optional && target.status().IsNotFound())) {
    return target.status();
  }
  if (has_target && names.size() < 2) {
    return Status::InvalidArgument("CSV needs at least one feature column besides the target");
  }
  const size_t target_col = has_target ? *target : names.size();
  for (size_t j = 0; j < names.size(); ++j) {
    if (j != target_col) data.feature_names.push_back(names[j]);
  }
  if (has_target) data.target_name = names[target_col];

  const size_t rows = lines.size() - first_row;
  if (rows == 0) return Status::InvalidArgument("CSV has a header but no data rows");
  data.features.resize(static_cast<Eigen::Index>(rows),
                       static_cast<Eigen::Index>(data.feature_names.size()));
  std::vector<std::string> target_texts;
  std::vector<size_t> line_numbers;
  for (size_t r = 0; r < rows; ++r) {
    const Line& line = lines[first_row + r];
    if (line.fields.size() != names.size()) {
      return Status::InvalidArgument(fmt::format("line {}: ragged row: {} fields, expected {}",
                                                 line.number, line.fields.size(), names.size()));
    }
    Eigen::Index col = 0;
    for (size_t j = 0; j < names.size(); ++j) {
      if (j == target_col) continue;
      double v = 0;
      if (!ParseNumber(line.fields[j], &v)) {
        return Status::InvalidArgument(
            fmt::format("line {}, column {} ('{}'): feature value '{}' is not a number",
                        line.number, j + 1, names[j], line.fields[j]));
      }
      data.features(static_cast<Eigen::Index>(r), col++) = v;
    }
    if (has_target) {
      target_texts.push_back(line.fields[target_col]);
      line_numbers.push_back(line.number);
    }
  }
  if (!has_target) return data;
  if (options.task == Task::kRegress) {
    data.targets.resize(static_cast<Eigen::Index>(rows));
    for (size_t r = 0; r < rows; ++r) {
      double v = 0;
      if (!ParseNumber(target_texts[r], &v)) {
        return Status::InvalidArgument(
            fmt::format("line {}, column {} ('{}'): regression target '{}' is not a number",
                        line_numbers[r], target_col + 1, data.target_name, target_texts[r]));
      }
      data.targets[static_cast<Eigen::Index>(r)] = v;
    }
    return data;
  }
  NQ_RETURN_IF_ERROR(AssignClasses(target_texts, line_numbers, target_col, &data));
  return data;
}

Result<std::string> ReadFileBytes(const std::string& path) {
  std::string out;
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    gzFile gz = gzopen(path.c_str(), "rb");
    if (gz == nullptr) return Status::NotFound(fmt::format("{}: cannot open", path));
    char buf[65536];
    int n;
    while ((n = gzread(gz, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    int err = 0;
    const char* msg = gzerror(gz, &err);
    std::string message = msg ? msg : "";
    gzclose(gz);
    if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) {
      return Status::Corruption(fmt::format("{}: gzip error: {}", path, message));
    }
    return out;
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::NotFound(fmt::format("{}: cannot open", path));
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::IOError(fmt::format("{}: read error", path));
  return out;
}

Result<Dataset> ReadCsvFile(const std::string& path, const CsvOptions& options) {
  NQ_ASSIGN_OR_RETURN(std::string text, ReadFileBytes(path));
  Result<Dataset> data = ParseCsv(text, options);
  if (!data.ok()) return data.status().WithContext(path);
  return data;
}

}  // namespace neuroquantum::neuro
