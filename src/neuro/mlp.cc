// Mlp: training loop (mini-batches, early stopping), prediction and
// serialisation.
#include "neuro/mlp.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <numeric>

#include "neuro/model_format.h"
#include "neuro/optimizer.h"
#include "neuro/random.h"

namespace neuroquantum::neuro {
namespace {

// A validation loss must drop by this much to count as better (early stopping).
constexpr double kImprovement = 1e-4;

Status CheckOptions(const MlpOptions& o) {
  if (o.epochs < 1) return Status::InvalidArgument("epochs must be at least 1");
  if (o.batch_size < 1) return Status::InvalidArgument("batch size must be at least 1");
  if (!(o.learning_rate > 0.0)) return Status::InvalidArgument("learning rate must be positive");
  if (!(o.dropout >= 0.0 && o.dropout < 1.0)) return Status::InvalidArgument("dropout must be in [0, 1)");
  if (!(o.l2 >= 0.0)) return Status::InvalidArgument("l2 must be >= 0");
  if (!(o.validation_fraction >= 0.0 && o.validation_fraction < 1.0)) {
    return Status::InvalidArgument("validation fraction must be in [0, 1)");
  }
  if (o.activation == Activation::kSoftmax) {
    return Status::InvalidArgument("softmax is only used as the output activation");
  }
  for (int width : o.hidden) {
    if (width < 1 || width > 1 << 16) return Status::InvalidArgument("layer widths must be in [1, 65536]");
  }
  return Status::OK();
}

Eigen::MatrixXd TargetMatrix(const Eigen::VectorXd& targets, Task task, int classes) {
  if (task == Task::kRegress) return targets;
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(targets.size(), classes);
  for (Eigen::Index i = 0; i < targets.size(); ++i) y(i, static_cast<Eigen::Index>(targets[i])) = 1.0;
  return y;
}

}  // namespace

Eigen::MatrixXd SelectRows(const Eigen::MatrixXd& m, const std::vector<int>& rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
  return out;
}

Eigen::VectorXd SelectRows(const Eigen::VectorXd& v, const std::vector<int>& rows) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[rows[i]];
  return out;
}

Result<Mlp> Mlp::Train(const Dataset& data, const MlpOptions& options, const TrainControl& control) {
  if (!data.has_target()) return Status::InvalidArgument("training data has no target column");
  NQ_ASSIGN_OR_RETURN(Mlp mlp, Train(data.features, data.targets,
                                     static_cast<int>(data.class_names.size()), options, control));
  mlp.feature_names_ = data.feature_names;
  mlp.target_name_ = data.target_name;
  if (options.task == Task::kClassify) mlp.class_names_ = data.class_names;
  return mlp;
}

Result<Mlp> Mlp::Train(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets,
                       int num_classes, const MlpOptions& options, const TrainControl& control) {
  NQ_RETURN_IF_ERROR(CheckOptions(options));
  const Eigen::Index n = features.rows(), d = features.cols();
  if (n == 0 || d == 0) return Status::InvalidArgument("no training rows or no features");
  if (targets.size() != n) return Status::InvalidArgument("features and targets differ in length");
  const bool classify = options.task == Task::kClassify;
  if (classify) {
    if (num_classes < 2) return Status::InvalidArgument("classification needs at least 2 classes");
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!(targets[i] >= 0 && targets[i] < num_classes) || targets[i] != std::floor(targets[i])) {
        return Status::InvalidArgument(fmt::format("row {}: class index {} out of range", i, targets[i]));
      }
    }
  }

  Mlp mlp;
  mlp.task_ = options.task;
  Random rng(options.seed);
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> train_rows = order, val_rows;
  if (options.validation_fraction > 0.0) {
    rng.Shuffle(&order);
    auto val_n = static_cast<size_t>(std::lround(options.validation_fraction * static_cast<double>(n)));
    val_n = std::min(std::max<size_t>(val_n, 1), order.size() - 1);
    val_rows.assign(order.begin(), order.begin() + static_cast<long>(val_n));
    train_rows.assign(order.begin() + static_cast<long>(val_n), order.end());
  }

  // Standardisation from the training rows only, so the validation split
  // measures what unseen data will see.
  Eigen::MatrixXd train_x = SelectRows(features, train_rows);
  mlp.mean_ = Eigen::VectorXd::Zero(d);
  mlp.scale_ = Eigen::VectorXd::Ones(d);
  if (options.standardize) {
    mlp.mean_ = train_x.colwise().mean().transpose();
    Eigen::MatrixXd centred = train_x.rowwise() - mlp.mean_.transpose();
    Eigen::VectorXd var = centred.colwise().squaredNorm().transpose() / static_cast<double>(train_x.rows());
    for (Eigen::Index j = 0; j < d; ++j) mlp.scale_[j] = var[j] > 1e-24 ? std::sqrt(var[j]) : 1.0;
  }
  train_x = mlp.Standardize(train_x);
  const int outputs = classify ? num_classes : 1;
  Eigen::MatrixXd train_y = TargetMatrix(SelectRows(targets, train_rows), options.task, outputs);
  Eigen::MatrixXd val_x, val_y;
  if (!val_rows.empty()) {
    val_x = mlp.Standardize(SelectRows(features, val_rows));
    val_y = TargetMatrix(SelectRows(targets, val_rows), options.task, outputs);
  }

  std::vector<int> sizes{static_cast<int>(d)};
  sizes.insert(sizes.end(), options.hidden.begin(), options.hidden.end());
  sizes.push_back(outputs);
  mlp.net_ = Network::Create(sizes, options.activation,
                             classify ? Activation::kSoftmax : Activation::kIdentity,
                             classify ? Loss::kCrossEntropy : Loss::kMse, &rng);
  ParameterUpdater updater(mlp.net_, options.optimizer == Optimizer::kAdam, options.learning_rate,
                           options.momentum);

  std::vector<int> batch_order(static_cast<size_t>(train_x.rows()));
  std::iota(batch_order.begin(), batch_order.end(), 0);
  std::vector<LayerGradient> grads;
  double best_val = std::numeric_limits<double>::infinity();
  Network best_net = mlp.net_;
  int since_best = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    rng.Shuffle(&batch_order);
    double loss_sum = 0.0;
    for (size_t start = 0; start < batch_order.size(); start += static_cast<size_t>(options.batch_size)) {
      if (control.cancelled()) return Status::Aborted("training cancelled");
      size_t end = std::min(batch_order.size(), start + static_cast<size_t>(options.batch_size));
      std::vector<int> rows(batch_order.begin() + static_cast<long>(start),
                            batch_order.begin() + static_cast<long>(end));
      Eigen::MatrixXd bx = SelectRows(train_x, rows), by = SelectRows(train_y, rows);
      double loss = mlp.net_.LossAndGradients(bx, by, options.l2, options.dropout, &rng, &grads);
      loss_sum += loss * static_cast<double>(rows.size());
      updater.Step(grads, &mlp.net_);
    }
    EpochProgress progress;
    progress.epoch = epoch;
    progress.epochs = options.epochs;
    progress.train_loss = loss_sum / static_cast<double>(batch_order.size());
    if (!std::isfinite(progress.train_loss)) {
      return Status::InvalidArgument(
          fmt::format("training diverged at epoch {} (loss not finite); lower the learning rate", epoch));
    }
    mlp.epochs_run_ = epoch;
    bool stop = false;
    if (!val_rows.empty()) {
      progress.validation_loss = mlp.net_.EvaluateLoss(val_x, val_y, 0.0);
      if (progress.validation_loss < best_val - kImprovement) {
        best_val = progress.validation_loss;
        best_net = mlp.net_;
        since_best = 0;
      } else if (++since_best >= options.patience) {
        stop = true;
      }
    }
    if (control.on_epoch) control.on_epoch(progress);
    if (stop) break;
  }
  if (!val_rows.empty()) mlp.net_ = std::move(best_net);
  return mlp;
}

Eigen::MatrixXd Mlp::Standardize(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd out = x.rowwise() - mean_.transpose();
  return out.array().rowwise() / scale_.transpose().array();
}

Eigen::MatrixXd Mlp::PredictRaw(const Eigen::MatrixXd& features) const {
  return net_.Forward(Standardize(features));
}

Eigen::VectorXd Mlp::Predict(const Eigen::MatrixXd& features) const {
  Eigen::MatrixXd out = PredictRaw(features);
  if (task_ == Task::kRegress) return out.col(0);
  Eigen::VectorXd classes(out.rows());
  for (Eigen::Index i = 0; i < out.rows(); ++i) {
    Eigen::Index best = 0;
    out.row(i).maxCoeff(&best);
    classes[i] = static_cast<double>(best);
  }
  return classes;
}

std::string Mlp::Serialize() const {
  ModelWriter w(ModelKind::kMlp, kFormatVersion);
  w.Varint(static_cast<uint64_t>(task_));
  w.Varint(static_cast<uint64_t>(net_.loss()));
  w.Strings(feature_names_);
  w.String(target_name_);
  w.Strings(class_names_);
  w.Vector(mean_);
  w.Vector(scale_);
  w.Varint(net_.layers().size());
  for (const DenseLayer& layer : net_.layers()) {
    w.Varint(static_cast<uint64_t>(layer.activation));
    w.Matrix(layer.w);
    w.RowVector(layer.b);
  }
  return w.Finish();
}

Result<Mlp> Mlp::Deserialize(std::string_view bytes) {
  NQ_ASSIGN_OR_RETURN(ModelReader r, ModelReader::Open(bytes, ModelKind::kMlp, kFormatVersion));
  Mlp mlp;
  uint64_t task = 0, loss = 0, layers = 0;
  NQ_RETURN_IF_ERROR(r.Varint(&task, "task", 1));
  NQ_RETURN_IF_ERROR(r.Varint(&loss, "loss", 1));
  mlp.task_ = static_cast<Task>(task);
  mlp.net_.set_loss(static_cast<Loss>(loss));
  NQ_RETURN_IF_ERROR(r.Strings(&mlp.feature_names_, "feature names"));
  NQ_RETURN_IF_ERROR(r.String(&mlp.target_name_, "target name"));
  NQ_RETURN_IF_ERROR(r.Strings(&mlp.class_names_, "class names"));
  NQ_RETURN_IF_ERROR(r.Vector(&mlp.mean_, "mean"));
  NQ_RETURN_IF_ERROR(r.Vector(&mlp.scale_, "scale"));
  NQ_RETURN_IF_ERROR(r.Varint(&layers, "layer count", 64));
  if (layers == 0 || mlp.mean_.size() != mlp.scale_.size() || mlp.mean_.size() == 0) {
    return Status::Corruption("malformed model: inconsistent sizes");
  }
  Eigen::Index width = mlp.mean_.size();
  for (uint64_t l = 0; l < layers; ++l) {
    DenseLayer layer;
    uint64_t act = 0;
    NQ_RETURN_IF_ERROR(r.Varint(&act, "activation", 4));
    layer.activation = static_cast<Activation>(act);
    NQ_RETURN_IF_ERROR(r.Matrix(&layer.w, "weights"));
    NQ_RETURN_IF_ERROR(r.RowVector(&layer.b, "bias"));
    if (layer.w.rows() != width || layer.b.size() != layer.w.cols() || layer.w.cols() == 0 ||
        (layer.activation == Activation::kSoftmax && l + 1 != layers)) {
      return Status::Corruption("malformed model: layer shapes do not chain");
    }
    width = layer.w.cols();
    mlp.net_.layers().push_back(std::move(layer));
  }
  NQ_RETURN_IF_ERROR(r.Done());
  if (mlp.task_ == Task::kClassify && !mlp.class_names_.empty() &&
      static_cast<Eigen::Index>(mlp.class_names_.size()) != width) {
    return Status::Corruption("malformed model: class count differs from outputs");
  }
  if (mlp.task_ == Task::kRegress && width != 1) return Status::Corruption("malformed model: outputs");
  if (!mlp.feature_names_.empty() && static_cast<Eigen::Index>(mlp.feature_names_.size()) != mlp.mean_.size()) {
    return Status::Corruption("malformed model: feature names differ from inputs");
  }
  return mlp;
}

}  // namespace neuroquantum::neuro
