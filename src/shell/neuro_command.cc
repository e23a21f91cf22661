// `nqdb neural train|predict` and `nqdb trace replay`.
#include "shell/neuro_command.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "neuro/access_trace_file.h"
#include "neuro/cache_simulator.h"
#include "neuro/cross_validation.h"
#include "neuro/dataset.h"
#include "neuro/mlp.h"
#include "neuro/model_format.h"
#include "neuro/spiking.h"

namespace neuroquantum::shell {
namespace {

using neuro::Dataset;

struct TrainFlags {
  std::string data, target, task = "classify", model = "mlp", layers = "128", out;
  std::string activation = "relu", optimizer = "adam", neuron = "lif", coding = "rate";
  int epochs = 0, cv = 5, batch = 32, patience = 20, neurons = 100;
  double lr = 0, l2 = 0.1, dropout = 0, validation = 0;
  uint64_t seed = 1;
};

int Fail(const Status& s) {
  std::cerr << "nqdb: " << s.ToString() << "\n";
  return 1;
}

Result<std::vector<int>> ParseLayers(const std::string& text) {
  std::vector<int> widths;
  if (text.empty() || text == "none") return widths;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      int w = std::stoi(item, &used);
      if (used != item.size() || w < 1) throw std::invalid_argument(item);
      widths.push_back(w);
    } catch (const std::exception&) {
      return Status::InvalidArgument(fmt::format("--layers: '{}' is not a positive width", item));
    }
  }
  return widths;
}

// Per-epoch progress on stderr: a bar redrawn in place on a terminal, one
// line per epoch otherwise.
class Progress {
 public:
  explicit Progress(std::string label) : label_(std::move(label)), tty_(::isatty(2) == 1) {}
  ~Progress() {
    if (tty_ && drawn_) std::fputc('\n', stderr);
  }
  void Epoch(const neuro::EpochProgress& p) {
    std::string loss = std::isnan(p.train_loss) ? "stdp (unsupervised)" : fmt::format("loss {:.5f}", p.train_loss);
    if (!std::isnan(p.validation_loss)) loss += fmt::format(" val {:.5f}", p.validation_loss);
    if (tty_) {
      int filled = p.epochs > 0 ? 30 * p.epoch / p.epochs : 30;
      std::fprintf(stderr, "\r%s [%s%s] %d/%d %s   ", label_.c_str(), std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(30 - filled), ' ').c_str(), p.epoch, p.epochs, loss.c_str());
      drawn_ = true;
    } else {
      std::fprintf(stderr, "%s epoch %d/%d %s\n", label_.c_str(), p.epoch, p.epochs, loss.c_str());
    }
    std::fflush(stderr);
  }

 private:
  std::string label_;
  bool tty_;
  bool drawn_ = false;
};

// A trained model of either kind, behind one interface for the command.
struct AnyModel {
  std::unique_ptr<neuro::Mlp> mlp;
  std::unique_ptr<neuro::SpikingClassifier> spiking;
  Eigen::VectorXd Predict(const Eigen::MatrixXd& x) const { return mlp ? mlp->Predict(x) : spiking->Predict(x); }
  std::string Serialize() const { return mlp ? mlp->Serialize() : spiking->Serialize(); }
};

Result<AnyModel> TrainOne(const TrainFlags& f, const Dataset& data, const std::string& label) {
  Progress progress(label);
  neuro::TrainControl control;
  control.on_epoch = [&](const neuro::EpochProgress& p) { progress.Epoch(p); };
  AnyModel out;
  if (f.model == "spiking") {
    neuro::SpikingOptions o;
    o.neuron = f.neuron == "izhikevich" ? neuro::NeuronModel::kIzhikevich : neuro::NeuronModel::kLif;
    o.coding = f.coding == "latency" ? neuro::InputCoding::kLatency : neuro::InputCoding::kRate;
    o.neurons = f.neurons;
    if (f.epochs > 0) o.epochs = f.epochs;
    o.seed = f.seed;
    NQ_ASSIGN_OR_RETURN(auto m, neuro::SpikingClassifier::Train(data, o, control));
    out.spiking = std::make_unique<neuro::SpikingClassifier>(std::move(m));
    return out;
  }
  neuro::MlpOptions o;
  o.task = f.task == "regress" ? neuro::Task::kRegress : neuro::Task::kClassify;
  NQ_ASSIGN_OR_RETURN(o.hidden, ParseLayers(f.layers));
  o.activation = f.activation == "tanh"      ? neuro::Activation::kTanh
                 : f.activation == "sigmoid" ? neuro::Activation::kSigmoid
                                             : neuro::Activation::kRelu;
  o.optimizer = f.optimizer == "sgd" ? neuro::Optimizer::kSgd : neuro::Optimizer::kAdam;
  if (f.epochs > 0) o.epochs = f.epochs;
  if (f.lr > 0) o.learning_rate = f.lr;
  o.batch_size = f.batch;
  o.l2 = f.l2;
  o.dropout = f.dropout;
  o.validation_fraction = f.validation;
  o.patience = f.patience;
  o.seed = f.seed;
  NQ_ASSIGN_OR_RETURN(auto m, neuro::Mlp::Train(data, o, control));
  out.mlp = std::make_unique<neuro::Mlp>(std::move(m));
  return out;
}

Dataset Subset(const Dataset& data, const std::vector<int>& rows) {
  Dataset d = data;
  d.features = neuro::SelectRows(data.features, rows);
  d.targets = neuro::SelectRows(data.targets, rows);
  return d;
}

Status WriteFile(const std::string& path, const std::string& bytes) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return Status::IOError(fmt::format("{}: cannot create", path));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fclose(file) == 0 && ok;
  return ok ? Status::OK() : Status::IOError(fmt::format("{}: write failed", path));
}

int CmdTrain(const TrainFlags& f) {
  const bool regress = f.task == "regress";
  if (regress && f.model == "spiking") {
    return Fail(Status::InvalidArgument("the spiking model is a classifier: use --task classify"));
  }
  neuro::CsvOptions csv;
  csv.target = f.target;
  csv.task = regress ? neuro::Task::kRegress : neuro::Task::kClassify;
  auto data = neuro::ReadCsvFile(f.data, csv);
  if (!data.ok()) return Fail(data.status());
  if (f.cv == 1 || f.cv < 0 || f.cv > data->features.rows()) {
    return Fail(Status::InvalidArgument("--cv must be 0 (no cross-validation) or between 2 and the row count"));
  }
  double score_sum = 0.0;
  if (f.cv >= 2) {
    auto folds = regress ? neuro::ShuffledFolds(static_cast<size_t>(data->features.rows()), f.cv, f.seed)
                         : neuro::StratifiedFolds(data->labels(), f.cv, f.seed);
    for (int k = 0; k < f.cv; ++k) {
      auto train_rows = neuro::FoldRows(folds, k, false), test_rows = neuro::FoldRows(folds, k, true);
      auto model = TrainOne(f, Subset(*data, train_rows), fmt::format("fold {}/{}", k + 1, f.cv));
      if (!model.ok()) return Fail(model.status());
      Dataset test = Subset(*data, test_rows);
      Eigen::VectorXd predicted = model->Predict(test.features);
      double score = regress ? neuro::Rmse(predicted, test.targets) : neuro::Accuracy(predicted, test.targets);
      std::cerr << fmt::format("fold {}/{}: {} {:.4f}\n", k + 1, f.cv, regress ? "rmse" : "accuracy", score);
      score_sum += score;
    }
  }
  if (!f.out.empty() || f.cv == 0) {
    auto model = TrainOne(f, *data, "final model");
    if (!model.ok()) return Fail(model.status());
    if (!f.out.empty()) {
      Status s = WriteFile(f.out, model->Serialize());
      if (!s.ok()) return Fail(s);
      std::cerr << "model written to " << f.out << "\n";
    }
    if (f.cv == 0) {
      // No held-out data: the score is on the training set, and says so.
      Eigen::VectorXd predicted = model->Predict(data->features);
      double score = regress ? neuro::Rmse(predicted, data->targets) : neuro::Accuracy(predicted, data->targets);
      std::cerr << "score on the training data (no cross-validation):\n";
      score_sum = score;
    }
  }
  std::cout << (regress ? "rmse " : "accuracy ") << fmt::format("{:.4f}", score_sum / std::max(f.cv, 1)) << "\n";
  return 0;
}

int CmdPredict(const std::string& model_path, const std::string& data_path) {
  auto bytes = neuro::ReadFileBytes(model_path);
  if (!bytes.ok()) return Fail(bytes.status());
  auto kind = neuro::PeekModelKind(*bytes);
  if (!kind.ok()) return Fail(kind.status().WithContext(model_path));
  AnyModel model;
  const std::vector<std::string>* features = nullptr;
  const std::vector<std::string>* classes = nullptr;
  std::string target;
  bool regress = false;
  if (*kind == neuro::ModelKind::kMlp) {
    auto m = neuro::Mlp::Deserialize(*bytes);
    if (!m.ok()) return Fail(m.status().WithContext(model_path));
    model.mlp = std::make_unique<neuro::Mlp>(std::move(m).value());
    features = &model.mlp->feature_names();
    classes = &model.mlp->class_names();
    target = model.mlp->target_name();
    regress = model.mlp->task() == neuro::Task::kRegress;
  } else {
    auto m = neuro::SpikingClassifier::Deserialize(*bytes);
    if (!m.ok()) return Fail(m.status().WithContext(model_path));
    model.spiking = std::make_unique<neuro::SpikingClassifier>(std::move(m).value());
    features = &model.spiking->feature_names();
    classes = &model.spiking->class_names();
    target = model.spiking->target_name();
  }
  neuro::CsvOptions csv;
  csv.target = target;
  csv.target_optional = true;
  csv.task = regress ? neuro::Task::kRegress : neuro::Task::kClassify;
  csv.known_classes = *classes;
  auto data = neuro::ReadCsvFile(data_path, csv);
  if (!data.ok()) return Fail(data.status());
  if (data->feature_names.size() != features->size()) {
    return Fail(Status::InvalidArgument(fmt::format("{}: {} feature columns, the model expects {}", data_path,
                                                    data->feature_names.size(), features->size())));
  }
  Eigen::VectorXd predicted = model.Predict(data->features);
  for (Eigen::Index i = 0; i < predicted.size(); ++i) {
    auto k = static_cast<size_t>(predicted[i]);
    if (regress) {
      std::cout << fmt::format("{}\n", predicted[i]);
    } else {
      std::cout << (k < classes->size() ? (*classes)[k] : std::to_string(k)) << "\n";
    }
  }
  if (data->has_target()) {
    std::cerr << (regress ? fmt::format("rmse {:.4f}\n", neuro::Rmse(predicted, data->targets))
                          : fmt::format("accuracy {:.4f}\n", neuro::Accuracy(predicted, data->targets)));
  }
  return 0;
}

int CmdReplay(const std::string& path, const std::string& policy_name, size_t frames) {
  if (frames == 0) return Fail(Status::InvalidArgument("--frames must be at least 1"));
  auto events = neuro::ReadTraceFile(path);
  if (!events.ok()) return Fail(events.status());
  auto policy = neuro::MakeReplacementPolicy(policy_name, frames);
  if (!policy.ok()) return Fail(policy.status());
  neuro::ReplayResult r = neuro::ReplayTrace(neuro::DemandPages(*events), frames, policy->get());
  std::cout << fmt::format("policy {} frames {}: {} accesses, {} hits, {} misses, {:.0f} accesses/s\n",
                           policy_name, frames, r.accesses, r.hits, r.misses, r.accesses_per_second());
  std::cout << fmt::format("hit rate {:.4f}\n", r.hit_rate());
  return 0;
}

}  // namespace

void AddNeuroCommands(CLI::App* app, int* rc) {
  auto* neural = app->add_subcommand("neural", "Train and apply neural models (MLP, spiking) on CSV data");
  neural->require_subcommand(1);
  auto flags = std::make_shared<TrainFlags>();
  auto* train = neural->add_subcommand("train", "Train a model; prints the cross-validated score last");
  train->add_option("data", flags->data, "CSV file (header row, or scikit-learn's counts line; .gz accepted)")->required();
  train->add_option("--target", flags->target, "target column name or #index (default: last column)");
  train->add_option("--task", flags->task, "classify or regress")->check(CLI::IsMember({"classify", "regress"}));
  train->add_option("--model", flags->model, "mlp or spiking")->check(CLI::IsMember({"mlp", "spiking"}));
  train->add_option("--layers", flags->layers, "hidden layer widths, e.g. 64,32 ('none': linear)");
  train->add_option("--activation", flags->activation, "relu, tanh or sigmoid")
      ->check(CLI::IsMember({"relu", "tanh", "sigmoid"}));
  train->add_option("--optimizer", flags->optimizer, "adam or sgd (with momentum 0.9)")
      ->check(CLI::IsMember({"adam", "sgd"}));
  train->add_option("--epochs", flags->epochs, "epochs (default: mlp 300, spiking 3)");
  train->add_option("--lr", flags->lr, "learning rate (default 0.001)");
  train->add_option("--batch", flags->batch, "mini-batch size");
  train->add_option("--l2", flags->l2, "L2 regularisation strength");
  train->add_option("--dropout", flags->dropout, "dropout rate on hidden layers");
  train->add_option("--validation", flags->validation, "fraction held out for early stopping (0: none)");
  train->add_option("--patience", flags->patience, "early stopping: epochs without improvement");
  train->add_option("--neuron", flags->neuron, "spiking: lif or izhikevich")->check(CLI::IsMember({"lif", "izhikevich"}));
  train->add_option("--coding", flags->coding, "spiking: rate or latency")->check(CLI::IsMember({"rate", "latency"}));
  train->add_option("--neurons", flags->neurons, "spiking: excitatory neurons");
  train->add_option("--seed", flags->seed, "random seed (training is deterministic for a seed)");
  train->add_option("--cv", flags->cv, "cross-validation folds (0: none, score on training data)");
  train->add_option("--out", flags->out, "write the model trained on all rows to this file");
  train->callback([flags, rc] { *rc = CmdTrain(*flags); });

  auto predict_args = std::make_shared<std::pair<std::string, std::string>>();
  auto* predict = neural->add_subcommand("predict", "Write one prediction per CSV row to stdout");
  predict->add_option("model", predict_args->first, "model file from `neural train --out`")->required();
  predict->add_option("data", predict_args->second, "CSV file with the model's feature columns")->required();
  predict->callback([predict_args, rc] { *rc = CmdPredict(predict_args->first, predict_args->second); });

  auto* trace = app->add_subcommand("trace", "Evaluate buffer replacement policies on access traces");
  trace->require_subcommand(1);
  struct ReplayArgs {
    std::string path, policy = "lru";
    size_t frames = 1024;
  };
  auto replay_args = std::make_shared<ReplayArgs>();
  auto* replay = trace->add_subcommand("replay", "Replay a trace through a simulated pool; prints the hit rate");
  replay->add_option("trace", replay_args->path, "trace file (docs/architecture/neuro.md)")->required();
  replay->add_option("--policy", replay_args->policy, "lru, clock, arc or hebbian")
      ->check(CLI::IsMember({"lru", "clock", "arc", "hebbian"}));
  replay->add_option("--frames", replay_args->frames, "buffer pool frames");
  replay->callback([replay_args, rc] { *rc = CmdReplay(replay_args->path, replay_args->policy, replay_args->frames); });
}

}  // namespace neuroquantum::shell
