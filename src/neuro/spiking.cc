// SpikingClassifier: input encoding, neuron dynamics, STDP training loop,
// spike-count readout and serialisation.
#include "neuro/spiking.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "neuro/model_format.h"
#include "neuro/random.h"

namespace neuroquantum::neuro {
namespace {

constexpr double kThetaPlusMv = 0.05;   // threshold rise per spike while learning
constexpr double kWeightMean = 0.1;     // column sums are kept at kWeightMean * inputs
constexpr double kMinSpikes = 5;        // fewer: present again, louder (as in the paper)
constexpr int kMaxRetries = 4;
// Theta is learned in mV of LIF threshold; as an Izhikevich bias current it
// is scaled down, or the neurons fall silent after a few hundred samples.
constexpr double kIzhikevichThetaGain = 0.1;
// Input current per mV of LIF kick: low enough that a typical input does
// not drive every neuron to its maximum rate (which carries no information).
constexpr double kIzhikevichInputGain = 3.0;

int FieldsFor(const SpikingOptions& o, Eigen::Index features) {
  if (o.receptive_fields > 0) return o.receptive_fields;
  return features >= 32 ? 1 : 12;
}

}  // namespace

NeuronLayer::NeuronLayer(NeuronModel model, int size) : model_(model) {
  v_.resize(size);
  u_.resize(size);
  refractory_.resize(size);
  Reset();
}

void NeuronLayer::Reset() {
  v_.setConstant(kRestMv);
  u_.setConstant(0.2 * kRestMv);  // Izhikevich b * v at rest
  refractory_.setZero();
}

void NeuronLayer::Step(const Eigen::VectorXd& input_mv, const Eigen::VectorXd& theta,
                       std::vector<int>* spikes) {
  const Eigen::Index n = v_.size();
  if (model_ == NeuronModel::kLif) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (refractory_[j] > 0) {
        --refractory_[j];
        continue;
      }
      v_[j] += (kRestMv - v_[j]) / kTauMs + input_mv[j];
      if (v_[j] >= kThresholdMv + theta[j]) {
        spikes->push_back(static_cast<int>(j));
        v_[j] = kResetMv;
        refractory_[j] = kRefractorySteps;
      }
    }
    return;
  }
  // Izhikevich (2003) regular-spiking neuron: a=0.02, b=0.2, c=-65, d=8.
  // The input acts as a current for this 1 ms step, integrated in two
  // half steps for stability; theta is a hyperpolarising bias.
  for (Eigen::Index j = 0; j < n; ++j) {
    double current = input_mv[j] * kIzhikevichInputGain - kIzhikevichThetaGain * theta[j];
    double v = v_[j], u = u_[j];
    // Stop integrating once past the peak: the quadratic term would
    // otherwise run away to infinity under a large input.
    for (int half = 0; half < 2 && v < 30.0; ++half) v += 0.5 * (0.04 * v * v + 5.0 * v + 140.0 - u + current);
    u += 0.02 * (0.2 * v - u);
    if (v >= 30.0) {
      spikes->push_back(static_cast<int>(j));
      v = -65.0;
      u += 8.0;
    }
    v_[j] = v;
    u_[j] = u;
  }
}

void NeuronLayer::Inhibit(const std::vector<int>& except, double mv) {
  if (except.empty()) return;
  Eigen::VectorXd before = v_;
  v_.array() -= mv * static_cast<double>(except.size());
  for (int j : except) v_[j] = before[j];
  // Keep the potential in a physical range: inhibition drives towards the
  // inhibitory reversal potential, not without bound.
  v_ = v_.cwiseMax(-100.0);
}

Eigen::VectorXd SpikingClassifier::EncodeValues(const Eigen::RowVectorXd& x) const {
  const Eigen::Index d = x.size();
  const int fields = options_.receptive_fields;
  Eigen::VectorXd values(d * fields);
  for (Eigen::Index f = 0; f < d; ++f) {
    double range = max_[f] - min_[f];
    double s = range > 0 ? std::clamp((x[f] - min_[f]) / range, 0.0, 1.0) : 0.5;
    if (fields == 1) {
      values[f] = s;
      continue;
    }
    // Gaussian receptive fields with centres evenly over [0, 1].
    double width = 1.0 / (fields - 1) ;
    for (int k = 0; k < fields; ++k) {
      double z = (s - k * width) / (0.75 * width);
      values[f * fields + k] = std::exp(-0.5 * z * z);
    }
  }
  return values;
}

Eigen::VectorXd SpikingClassifier::Present(const Eigen::VectorXd& values, double intensity,
                                           Random* rng, Stdp* stdp, RowMatrix* weights,
                                           Eigen::VectorXd* theta) const {
  const int n_in = static_cast<int>(values.size());
  NeuronLayer layer(options_.neuron, options_.neurons);
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(options_.neurons);
  Eigen::VectorXd input(options_.neurons);
  std::vector<int> pre, post;
  const double p_scale = options_.max_rate_hz * 1e-3 * intensity;
  // A latency-coded input spikes once, so its one spike carries the charge
  // a rate-coded input would deliver over the presentation.
  const double kick = options_.input_scale_mv *
                      (options_.coding == InputCoding::kLatency ? p_scale * options_.steps : 1.0);
  for (int t = 0; t < options_.steps; ++t) {
    pre.clear();
    post.clear();
    for (int i = 0; i < n_in; ++i) {
      bool fire;
      if (options_.coding == InputCoding::kRate) {
        fire = rng->Uniform() < values[i] * p_scale;
      } else {
        // Latency: one spike, earlier for stronger input; weak inputs stay silent.
        double v = values[i];
        fire = v > 0.1 && t == static_cast<int>(std::lround((1.0 - v) * (options_.steps - 1) * 0.5));
      }
      if (fire) pre.push_back(i);
    }
    input.setZero();
    for (int i : pre) input += weights->row(i).transpose() * kick;
    layer.Step(input, *theta, &post);
    layer.Inhibit(post, options_.inhibition_mv);
    for (int j : post) counts[j] += 1.0;
    if (stdp != nullptr) {
      stdp->Step(pre, post, weights);
      for (int j : post) (*theta)[j] += kThetaPlusMv;
    }
  }
  return counts;
}

Eigen::VectorXd SpikingClassifier::CountsWithRetry(const Eigen::VectorXd& values, Random* rng,
                                                   Stdp* stdp, RowMatrix* weights,
                                                   Eigen::VectorXd* theta) const {
  double intensity = 1.0;
  Eigen::VectorXd counts;
  for (int attempt = 0; attempt <= kMaxRetries; ++attempt) {
    if (stdp != nullptr) stdp->Reset();
    counts = Present(values, intensity, rng, stdp, weights, theta);
    if (counts.sum() >= kMinSpikes) break;
    intensity *= 2.0;
  }
  return counts;
}

void SpikingClassifier::NormalizeWeights(RowMatrix* weights) const {
  const double target = kWeightMean * static_cast<double>(weights->rows());
  for (Eigen::Index j = 0; j < weights->cols(); ++j) {
    double sum = weights->col(j).sum();
    if (sum > 0) weights->col(j) *= target / sum;
  }
  *weights = weights->cwiseMin(options_.stdp.w_max);
}

Result<SpikingClassifier> SpikingClassifier::Train(const Dataset& data, const SpikingOptions& options,
                                                   const TrainControl& control) {
  if (!data.has_target()) return Status::InvalidArgument("training data has no target column");
  NQ_ASSIGN_OR_RETURN(SpikingClassifier model,
                      Train(data.features, data.targets, static_cast<int>(data.class_names.size()),
                            options, control));
  model.feature_names_ = data.feature_names;
  model.target_name_ = data.target_name;
  model.class_names_ = data.class_names;
  return model;
}

Result<SpikingClassifier> SpikingClassifier::Train(const Eigen::MatrixXd& features,
                                                   const Eigen::VectorXd& labels, int num_classes,
                                                   const SpikingOptions& options,
                                                   const TrainControl& control) {
  const Eigen::Index n = features.rows(), d = features.cols();
  if (n == 0 || d == 0) return Status::InvalidArgument("no training rows or no features");
  if (labels.size() != n) return Status::InvalidArgument("features and labels differ in length");
  if (num_classes < 2) {
    return Status::InvalidArgument("the spiking model is a classifier: it needs at least 2 classes");
  }
  if (options.neurons < 1 || options.neurons > 4096) return Status::InvalidArgument("neurons must be in [1, 4096]");
  if (options.steps < 1 || options.epochs < 0 || options.receptive_fields < 0 ||
      options.receptive_fields > 256) {
    return Status::InvalidArgument("steps, epochs or receptive fields out of range");
  }
  SpikingClassifier model;
  model.options_ = options;
  model.options_.receptive_fields = FieldsFor(options, d);
  model.min_ = features.colwise().minCoeff().transpose();
  model.max_ = features.colwise().maxCoeff().transpose();
  const int n_in = static_cast<int>(d) * model.options_.receptive_fields;
  Random rng(options.seed);
  model.weights_.resize(n_in, options.neurons);
  for (Eigen::Index i = 0; i < model.weights_.size(); ++i) model.weights_.data()[i] = rng.Uniform(0.0, 0.3);
  model.NormalizeWeights(&model.weights_);
  model.theta_ = Eigen::VectorXd::Zero(options.neurons);

  std::vector<Eigen::VectorXd> encoded(static_cast<size_t>(n));
  for (Eigen::Index r = 0; r < n; ++r) encoded[static_cast<size_t>(r)] = model.EncodeValues(features.row(r));
  Stdp stdp(n_in, options.neurons, options.stdp);
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    rng.Shuffle(&order);
    for (int r : order) {
      if (control.cancelled()) return Status::Aborted("training cancelled");
      model.CountsWithRetry(encoded[static_cast<size_t>(r)], &rng, &stdp, &model.weights_, &model.theta_);
      model.NormalizeWeights(&model.weights_);
    }
    if (control.on_epoch) {
      EpochProgress progress;
      progress.epoch = epoch;
      progress.epochs = options.epochs;
      progress.train_loss = std::numeric_limits<double>::quiet_NaN();
      control.on_epoch(progress);
    }
  }

  Eigen::MatrixXd counts = model.SpikeCounts(features);
  MlpOptions readout;
  readout.hidden = {};
  readout.epochs = options.readout_epochs;
  readout.learning_rate = 1e-2;
  readout.seed = options.seed;
  NQ_ASSIGN_OR_RETURN(model.readout_, Mlp::Train(counts, labels, num_classes, readout, control));
  return model;
}

Eigen::MatrixXd SpikingClassifier::SpikeCounts(const Eigen::MatrixXd& features) const {
  // A fixed seed per call: the same input always gives the same counts.
  Random rng(options_.seed ^ 0x5eed);
  RowMatrix weights = weights_;
  Eigen::VectorXd theta = theta_;
  Eigen::MatrixXd counts(features.rows(), options_.neurons);
  for (Eigen::Index r = 0; r < features.rows(); ++r) {
    counts.row(r) = CountsWithRetry(EncodeValues(features.row(r)), &rng, nullptr, &weights, &theta).transpose();
  }
  return counts;
}

Eigen::MatrixXd SpikingClassifier::PredictRaw(const Eigen::MatrixXd& features) const {
  return readout_.PredictRaw(SpikeCounts(features));
}

Eigen::VectorXd SpikingClassifier::Predict(const Eigen::MatrixXd& features) const {
  return readout_.Predict(SpikeCounts(features));
}

std::string SpikingClassifier::Serialize() const {
  ModelWriter w(ModelKind::kSpiking, kFormatVersion);
  w.Varint(static_cast<uint64_t>(options_.neuron));
  w.Varint(static_cast<uint64_t>(options_.coding));
  w.Varint(static_cast<uint64_t>(options_.receptive_fields));
  w.Varint(static_cast<uint64_t>(options_.steps));
  w.Varint(static_cast<uint64_t>(options_.neurons));
  w.Varint(options_.seed);
  w.Double(options_.max_rate_hz);
  w.Double(options_.input_scale_mv);
  w.Double(options_.inhibition_mv);
  w.Vector(min_);
  w.Vector(max_);
  w.Matrix(weights_);
  w.Vector(theta_);
  w.Strings(feature_names_);
  w.String(target_name_);
  w.Strings(class_names_);
  w.String(readout_.Serialize());
  return w.Finish();
}

Result<SpikingClassifier> SpikingClassifier::Deserialize(std::string_view bytes) {
  NQ_ASSIGN_OR_RETURN(ModelReader r, ModelReader::Open(bytes, ModelKind::kSpiking, kFormatVersion));
  SpikingClassifier m;
  uint64_t neuron = 0, coding = 0, fields = 0, steps = 0, neurons = 0;
  NQ_RETURN_IF_ERROR(r.Varint(&neuron, "neuron model", 1));
  NQ_RETURN_IF_ERROR(r.Varint(&coding, "coding", 1));
  NQ_RETURN_IF_ERROR(r.Varint(&fields, "receptive fields", 256));
  NQ_RETURN_IF_ERROR(r.Varint(&steps, "steps", 1u << 20));
  NQ_RETURN_IF_ERROR(r.Varint(&neurons, "neurons", 4096));
  NQ_RETURN_IF_ERROR(r.Varint(&m.options_.seed, "seed"));
  m.options_.neuron = static_cast<NeuronModel>(neuron);
  m.options_.coding = static_cast<InputCoding>(coding);
  m.options_.receptive_fields = static_cast<int>(fields);
  m.options_.steps = static_cast<int>(steps);
  m.options_.neurons = static_cast<int>(neurons);
  NQ_RETURN_IF_ERROR(r.Double(&m.options_.max_rate_hz, "max rate"));
  NQ_RETURN_IF_ERROR(r.Double(&m.options_.input_scale_mv, "input scale"));
  NQ_RETURN_IF_ERROR(r.Double(&m.options_.inhibition_mv, "inhibition"));
  NQ_RETURN_IF_ERROR(r.Vector(&m.min_, "feature minimum"));
  NQ_RETURN_IF_ERROR(r.Vector(&m.max_, "feature maximum"));
  Eigen::MatrixXd weights;
  NQ_RETURN_IF_ERROR(r.Matrix(&weights, "weights"));
  m.weights_ = weights;
  NQ_RETURN_IF_ERROR(r.Vector(&m.theta_, "theta"));
  NQ_RETURN_IF_ERROR(r.Strings(&m.feature_names_, "feature names"));
  NQ_RETURN_IF_ERROR(r.String(&m.target_name_, "target name"));
  NQ_RETURN_IF_ERROR(r.Strings(&m.class_names_, "class names"));
  std::string readout;
  NQ_RETURN_IF_ERROR(r.String(&readout, "readout"));
  NQ_RETURN_IF_ERROR(r.Done());
  NQ_ASSIGN_OR_RETURN(m.readout_, Mlp::Deserialize(readout));
  if (fields == 0 || neurons == 0 || m.min_.size() != m.max_.size() || m.min_.size() == 0 ||
      m.weights_.rows() != m.min_.size() * static_cast<Eigen::Index>(fields) ||
      m.weights_.cols() != static_cast<Eigen::Index>(neurons) || m.theta_.size() != m.weights_.cols() ||
      m.readout_.num_features() != static_cast<int>(neurons)) {
    return Status::Corruption("malformed spiking model: inconsistent sizes");
  }
  return m;
}

}  // namespace neuroquantum::neuro
