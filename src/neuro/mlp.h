// Multilayer perceptron for classification (softmax + cross-entropy) and
// regression (identity + MSE): mini-batch training with Adam or SGD with
// momentum, L2 regularisation, dropout, early stopping on a validation
// split, and feature standardisation stored in the model. Training is
// deterministic for a seed.
//
// Model body (format version 1; envelope in model_format.h), in order:
//   varint task, varint loss, strings feature_names, string target_name,
//   strings class_names, vector mean, vector scale, varint layer count,
//   per layer: varint activation, matrix w, row vector b.
//
// Thread safety: a trained Mlp is immutable; Predict may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "neuro/dataset.h"
#include "neuro/network.h"
#include "neuro/training.h"
#include "neuroquantum/result.h"

namespace neuroquantum::neuro {

enum class Optimizer : uint8_t { kAdam = 0, kSgd = 1 };

struct MlpOptions {
  Task task = Task::kClassify;
  std::vector<int> hidden = {128};  // widths of the hidden layers; empty = linear model
  Activation activation = Activation::kRelu;
  Optimizer optimizer = Optimizer::kAdam;
  double learning_rate = 1e-3;
  double momentum = 0.9;  // SGD only
  int batch_size = 32;
  int epochs = 300;
  double l2 = 0.1;  // tuned on the benchmark data sets; scikit-learn uses 1e-4 with fewer updates
  double dropout = 0.0;  // rate on hidden activations, in [0, 1)
  // Fraction of the training rows held out for early stopping (0 = none).
  // Training stops after `patience` epochs without a better validation loss
  // and keeps the best weights seen.
  double validation_fraction = 0.0;
  int patience = 20;
  bool standardize = true;
  uint64_t seed = 1;
};

class Mlp {
 public:
  Mlp() = default;

  // Trains on `features` (one row per sample) and `targets` (class indices
  // 0..num_classes-1 for classification, values for regression).
  // Errors: InvalidArgument for empty or mismatched data, bad options, a
  // class index out of range; Aborted when control.cancel is set.
  static Result<Mlp> Train(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets,
                           int num_classes, const MlpOptions& options,
                           const TrainControl& control = {});
  // Same, from a Dataset; keeps its column and class names in the model.
  static Result<Mlp> Train(const Dataset& data, const MlpOptions& options,
                           const TrainControl& control = {});

  // Class probabilities (n x classes) or regression outputs (n x 1).
  // REQUIRES: features.cols() == num_features().
  Eigen::MatrixXd PredictRaw(const Eigen::MatrixXd& features) const;
  // Class index (classification) or value (regression) per row.
  Eigen::VectorXd Predict(const Eigen::MatrixXd& features) const;

  std::string Serialize() const;
  // Errors: Corruption / NotSupported / InvalidArgument (see ModelReader).
  static Result<Mlp> Deserialize(std::string_view bytes);

  Task task() const { return task_; }
  int num_features() const { return static_cast<int>(mean_.size()); }
  int epochs_run() const { return epochs_run_; }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  const std::string& target_name() const { return target_name_; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  const Network& network() const { return net_; }

  static constexpr uint8_t kFormatVersion = 1;

 private:
  Eigen::MatrixXd Standardize(const Eigen::MatrixXd& x) const;

  Task task_ = Task::kClassify;
  Network net_;
  Eigen::VectorXd mean_, scale_;
  std::vector<std::string> feature_names_;
  std::string target_name_;
  std::vector<std::string> class_names_;
  int epochs_run_ = 0;
};

// Rows `rows` of `m`.
Eigen::MatrixXd SelectRows(const Eigen::MatrixXd& m, const std::vector<int>& rows);
Eigen::VectorXd SelectRows(const Eigen::VectorXd& v, const std::vector<int>& rows);

}  // namespace neuroquantum::neuro
