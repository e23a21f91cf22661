// Tabular data for the neural models: a numeric feature matrix and one
// target column, read from CSV.
//
// Accepted CSV layouts (detected from the first two lines):
//   header   a row of column names, then data rows (the usual CSV);
//   counts   the layout of scikit-learn's bundled data sets: the first line
//            is `n_samples,n_features,<class name 0>,...`, every following
//            line `f1,...,fk,label` with an integer label; columns are named
//            f0..f{k-1} and `label`, and the label integers map to the
//            class names of the first line;
//   none     no header at all (every field of line 1 is a number and line 1
//            has as many fields as line 2); columns are named c0..c{n-1}.
// Fields are separated by commas; a field may be double-quoted ("" is a
// quote inside). Blank lines are skipped. Files ending in .gz are gunzipped.
//
// Thread safety: pure functions and value types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "neuroquantum/result.h"

namespace neuroquantum::neuro {

// Persisted in model files: do not change values.
enum class Task : uint8_t { kClassify = 0, kRegress = 1 };

struct Dataset {
  Eigen::MatrixXd features;  // one row per sample
  // Regression: the target value. Classification: the class index into
  // class_names. Empty when the target column was optional and absent.
  Eigen::VectorXd targets;
  std::vector<std::string> feature_names;
  std::string target_name;
  std::vector<std::string> class_names;  // classification only
  bool has_target() const { return targets.size() == features.rows() && features.rows() > 0; }
  std::vector<int> labels() const;  // targets as class indices
};

struct CsvOptions {
  // Target column: a column name, or `#N` for the 0-based column N. Empty
  // means the last column.
  std::string target;
  Task task = Task::kClassify;
  // When true a missing target column is not an error (prediction input):
  // every column is then a feature.
  bool target_optional = false;
  // For prediction: the class names the model knows, so textual labels map
  // to the same indices. Empty: classes are discovered (sorted).
  std::vector<std::string> known_classes;
};

// Parses CSV text. Errors (InvalidArgument, with line and column):
// an empty input, a row whose field count differs from the header's
// (ragged), a feature that is not a finite number, a regression target that
// is not a number; NotFound for a target column that does not exist (the
// message lists the columns).
Result<Dataset> ParseCsv(std::string_view text, const CsvOptions& options);

// Reads and parses a file (gunzipping *.gz). IOError/NotFound for the file,
// else as ParseCsv with the path prefixed.
Result<Dataset> ReadCsvFile(const std::string& path, const CsvOptions& options);

// Reads a whole file (gunzipping *.gz) into memory.
Result<std::string> ReadFileBytes(const std::string& path);

}  // namespace neuroquantum::neuro
