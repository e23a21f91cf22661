// The numeric core of the multilayer perceptron: dense layers, activations,
// loss, forward pass and backpropagation. No training loop, no I/O: Mlp
// (mlp.h) drives it; tests call LossAndGradients directly to check it
// against finite differences.
//
// Shapes: a batch is a matrix with one sample per row. Layer l maps
// (n x in) to (n x out) as act(A * W + 1 * b), W is (in x out), b (1 x out).
//
// Thread safety: const methods may run concurrently; mutation needs
// exclusive access.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace neuroquantum::neuro {

class Random;

// Persisted in model files: do not change values.
enum class Activation : uint8_t { kIdentity = 0, kRelu = 1, kTanh = 2, kSigmoid = 3, kSoftmax = 4 };
enum class Loss : uint8_t { kCrossEntropy = 0, kMse = 1 };

const char* ActivationName(Activation a);

struct DenseLayer {
  Eigen::MatrixXd w;
  Eigen::RowVectorXd b;
  Activation activation = Activation::kRelu;
};

struct LayerGradient {
  Eigen::MatrixXd w;
  Eigen::RowVectorXd b;
};

class Network {
 public:
  // Builds layers of the given widths (sizes[0] = inputs, last = outputs)
  // with `hidden` activation inside and `output` at the end, initialised
  // from `rng` (He-uniform for ReLU, Glorot-uniform otherwise).
  // REQUIRES: sizes.size() >= 2, every size > 0. Softmax only as output.
  static Network Create(const std::vector<int>& sizes, Activation hidden, Activation output,
                        Loss loss, Random* rng);

  // Output of the network for a batch (probabilities for softmax).
  Eigen::MatrixXd Forward(const Eigen::MatrixXd& x) const;

  // Mean loss over the batch plus 0.5 * l2 * sum(W^2) / n, and its gradient
  // per layer in *grads. `targets` is one-hot (cross-entropy) or the target
  // values (MSE, loss 0.5 * mean squared error summed over outputs).
  // Inverted dropout with rate `dropout` on hidden activations when
  // rng != nullptr and dropout > 0.
  double LossAndGradients(const Eigen::MatrixXd& x, const Eigen::MatrixXd& targets, double l2,
                          double dropout, Random* rng, std::vector<LayerGradient>* grads) const;

  // Loss without gradients (no dropout), same definition.
  double EvaluateLoss(const Eigen::MatrixXd& x, const Eigen::MatrixXd& targets, double l2) const;

  std::vector<DenseLayer>& layers() { return layers_; }
  const std::vector<DenseLayer>& layers() const { return layers_; }
  Loss loss() const { return loss_; }
  void set_loss(Loss loss) { loss_ = loss; }
  int inputs() const { return layers_.empty() ? 0 : static_cast<int>(layers_.front().w.rows()); }
  int outputs() const { return layers_.empty() ? 0 : static_cast<int>(layers_.back().w.cols()); }

 private:
  double DataLoss(const Eigen::MatrixXd& out, const Eigen::MatrixXd& targets) const;
  double L2Term(double l2, double n) const;

  std::vector<DenseLayer> layers_;
  Loss loss_ = Loss::kCrossEntropy;
};

// Applies an activation in place (softmax row-wise).
void Activate(Activation a, Eigen::MatrixXd* z);

}  // namespace neuroquantum::neuro
