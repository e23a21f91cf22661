// A spiking classifier after Diehl & Cook (2015): input neurons encode each
// sample as spikes (rate or latency coding, with Gaussian receptive fields
// for data sets with few features), an excitatory layer of leaky
// integrate-and-fire or Izhikevich neurons learns its input weights without
// labels by STDP (stdp.h), with lateral inhibition (every spike inhibits the
// other excitatory neurons: a soft winner-take-all) and an adaptive
// threshold per neuron (homeostasis). Labels are used only afterwards, by
// a readout: a softmax-regression Mlp on the neurons' spike counts.
//
// Simplifications against the paper: current-based (not conductance-based)
// synapses; the inhibitory population is folded into a direct inhibition
// of the other excitatory neurons; presentations are shorter. Regression is
// not supported.
//
// Model body (format version 1; envelope in model_format.h), in order:
//   varint neuron, varint coding, varint fields, varint steps, varint
//   neurons, doubles max_rate_hz, input_scale_mv, inhibition_mv,
//   vector feature_min, vector feature_max, matrix weights (inputs x
//   neurons), vector theta, strings feature_names, string target_name,
//   strings class_names, string readout (an Mlp model).
//
// Thread safety: a trained model is immutable; Predict may run
// concurrently (it uses its own random stream per call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "neuro/dataset.h"
#include "neuro/mlp.h"
#include "neuro/stdp.h"
#include "neuro/training.h"
#include "neuroquantum/result.h"

namespace neuroquantum::neuro {

// Persisted in model files: do not change values.
enum class NeuronModel : uint8_t { kLif = 0, kIzhikevich = 1 };
enum class InputCoding : uint8_t { kRate = 0, kLatency = 1 };

struct SpikingOptions {
  NeuronModel neuron = NeuronModel::kLif;
  InputCoding coding = InputCoding::kRate;
  int neurons = 100;           // excitatory neurons
  int receptive_fields = 0;    // Gaussian fields per feature; 0 = auto (1 if >= 32 features, else 12)
  int steps = 64;              // 1 ms steps per sample presentation
  int epochs = 3;              // unsupervised STDP passes over the training set
  double max_rate_hz = 200.0;  // rate coding: firing rate of a fully active input
  double input_scale_mv = 4.0;  // membrane kick of one input spike through a weight of 1
  double inhibition_mv = 4.0;  // lateral inhibition per excitatory spike
  StdpParams stdp;
  int readout_epochs = 200;
  uint64_t seed = 1;
};

// Membrane dynamics of one layer of neurons, stepped 1 ms at a time.
class NeuronLayer {
 public:
  NeuronLayer(NeuronModel model, int size);
  // Adds `input_mv` (per neuron) and advances one step; appends the indices
  // of neurons that fired to *spikes. `theta` raises each neuron's threshold.
  void Step(const Eigen::VectorXd& input_mv, const Eigen::VectorXd& theta, std::vector<int>* spikes);
  // Lowers the potential of neurons (lateral inhibition).
  void Inhibit(const std::vector<int>& except, double mv);
  void Reset();
  const Eigen::VectorXd& potential() const { return v_; }

  // LIF constants (Diehl & Cook's excitatory neurons).
  static constexpr double kRestMv = -65.0, kResetMv = -65.0, kThresholdMv = -52.0;
  static constexpr double kTauMs = 100.0;
  static constexpr int kRefractorySteps = 5;

 private:
  NeuronModel model_;
  Eigen::VectorXd v_, u_;         // u_: Izhikevich recovery variable
  Eigen::VectorXi refractory_;    // LIF steps left
};

class SpikingClassifier {
 public:
  // Errors: InvalidArgument for bad data or options (regression is not
  // supported); Aborted when cancelled. on_epoch sees the STDP epochs (loss
  // NaN: they are unsupervised), then the readout's epochs.
  static Result<SpikingClassifier> Train(const Dataset& data, const SpikingOptions& options,
                                         const TrainControl& control = {});
  static Result<SpikingClassifier> Train(const Eigen::MatrixXd& features, const Eigen::VectorXd& labels,
                                         int num_classes, const SpikingOptions& options,
                                         const TrainControl& control = {});

  // Spike counts of the excitatory layer (n x neurons) for each row.
  Eigen::MatrixXd SpikeCounts(const Eigen::MatrixXd& features) const;
  // Class probabilities (n x classes) and class index per row.
  Eigen::MatrixXd PredictRaw(const Eigen::MatrixXd& features) const;
  Eigen::VectorXd Predict(const Eigen::MatrixXd& features) const;

  std::string Serialize() const;
  static Result<SpikingClassifier> Deserialize(std::string_view bytes);

  int num_features() const { return static_cast<int>(min_.size()); }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  const std::string& target_name() const { return target_name_; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  const RowMatrix& weights() const { return weights_; }

  static constexpr uint8_t kFormatVersion = 1;

 private:
  // Input activity in [0, 1] per input neuron for one sample.
  Eigen::VectorXd EncodeValues(const Eigen::RowVectorXd& x) const;
  // Presents one sample for options_.steps; returns spike counts. With
  // `stdp` the weights learn and theta adapts.
  Eigen::VectorXd Present(const Eigen::VectorXd& values, double intensity, Random* rng, Stdp* stdp,
                          RowMatrix* weights, Eigen::VectorXd* theta) const;
  Eigen::VectorXd CountsWithRetry(const Eigen::VectorXd& values, Random* rng, Stdp* stdp,
                                  RowMatrix* weights, Eigen::VectorXd* theta) const;
  void NormalizeWeights(RowMatrix* weights) const;

  SpikingOptions options_;
  Eigen::VectorXd min_, max_;
  RowMatrix weights_;
  Eigen::VectorXd theta_;
  Mlp readout_;
  std::vector<std::string> feature_names_;
  std::string target_name_;
  std::vector<std::string> class_names_;
};

}  // namespace neuroquantum::neuro
