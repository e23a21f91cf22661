// Forward pass, loss and backpropagation of the dense network.
#include "neuro/network.h"

#include <cassert>
#include <cmath>

#include "neuro/random.h"

namespace neuroquantum::neuro {

const char* ActivationName(Activation a) {
  switch (a) {
    case Activation::kIdentity: return "identity";
    case Activation::kRelu: return "relu";
    case Activation::kTanh: return "tanh";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kSoftmax: return "softmax";
  }
  return "?";
}

void Activate(Activation a, Eigen::MatrixXd* z) {
  switch (a) {
    case Activation::kIdentity: break;
    case Activation::kRelu: *z = z->cwiseMax(0.0); break;
    case Activation::kTanh: *z = z->array().tanh().matrix(); break;
    case Activation::kSigmoid: *z = (1.0 / (1.0 + (-z->array()).exp())).matrix(); break;
    case Activation::kSoftmax: {
      // Subtracting the row maximum keeps exp() from overflowing.
      Eigen::VectorXd max = z->rowwise().maxCoeff();
      z->colwise() -= max;
      *z = z->array().exp().matrix();
      Eigen::VectorXd sum = z->rowwise().sum();
      z->array().colwise() /= sum.array();
      break;
    }
  }
}

Network Network::Create(const std::vector<int>& sizes, Activation hidden, Activation output,
                        Loss loss, Random* rng) {
  assert(sizes.size() >= 2);
  Network net;
  net.loss_ = loss;
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    DenseLayer layer;
    layer.activation = l + 2 == sizes.size() ? output : hidden;
    int in = sizes[l], out = sizes[l + 1];
    double fan = layer.activation == Activation::kRelu ? 6.0 / in : 6.0 / (in + out);
    if (layer.activation == Activation::kSigmoid) fan *= 16.0;  // sigmoid's slope is 1/4
    double limit = std::sqrt(fan);
    layer.w.resize(in, out);
    for (int i = 0; i < in; ++i) {
      for (int j = 0; j < out; ++j) layer.w(i, j) = rng->Uniform(-limit, limit);
    }
    layer.b = Eigen::RowVectorXd::Zero(out);
    net.layers_.push_back(std::move(layer));
  }
  return net;
}

Eigen::MatrixXd Network::Forward(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd a = x;
  for (const DenseLayer& layer : layers_) {
    Eigen::MatrixXd z = a * layer.w;
    z.rowwise() += layer.b;
    Activate(layer.activation, &z);
    a = std::move(z);
  }
  return a;
}

double Network::DataLoss(const Eigen::MatrixXd& out, const Eigen::MatrixXd& targets) const {
  const double n = static_cast<double>(out.rows());
  if (loss_ == Loss::kCrossEntropy) {
    // Clamp so a confident wrong answer costs a large but finite loss.
    return -(targets.array() * out.array().max(1e-15).log()).sum() / n;
  }
  return 0.5 * (out - targets).squaredNorm() / n;
}

double Network::L2Term(double l2, double n) const {
  if (l2 == 0.0) return 0.0;
  double sum = 0.0;
  for (const DenseLayer& layer : layers_) sum += layer.w.squaredNorm();
  return 0.5 * l2 * sum / n;
}

double Network::EvaluateLoss(const Eigen::MatrixXd& x, const Eigen::MatrixXd& targets,
                             double l2) const {
  return DataLoss(Forward(x), targets) + L2Term(l2, static_cast<double>(x.rows()));
}

double Network::LossAndGradients(const Eigen::MatrixXd& x, const Eigen::MatrixXd& targets,
                                 double l2, double dropout, Random* rng,
                                 std::vector<LayerGradient>* grads) const {
  const size_t depth = layers_.size();
  const double n = static_cast<double>(x.rows());
  const bool drop = rng != nullptr && dropout > 0.0;
  // inputs[l] is the (possibly dropped-out) input of layer l; outs[l] its
  // activation before dropout.
  std::vector<Eigen::MatrixXd> inputs(depth + 1);
  std::vector<Eigen::MatrixXd> masks(depth);
  inputs[0] = x;
  for (size_t l = 0; l < depth; ++l) {
    Eigen::MatrixXd z = inputs[l] * layers_[l].w;
    z.rowwise() += layers_[l].b;
    Activate(layers_[l].activation, &z);
    if (drop && l + 1 < depth) {
      masks[l].resize(z.rows(), z.cols());
      const double keep = 1.0 - dropout;
      for (Eigen::Index i = 0; i < z.size(); ++i) {
        masks[l].data()[i] = rng->Uniform() < keep ? 1.0 / keep : 0.0;
      }
      z.array() *= masks[l].array();
    }
    inputs[l + 1] = std::move(z);
  }
  const Eigen::MatrixXd& out = inputs[depth];
  double loss = DataLoss(out, targets) + L2Term(l2, n);

  // delta = dLoss/dZ of the current layer. Softmax + cross-entropy and
  // identity + MSE both reduce to (out - targets) / n.
  Eigen::MatrixXd delta;
  Activation last = layers_.back().activation;
  if ((last == Activation::kSoftmax && loss_ == Loss::kCrossEntropy) ||
      (last == Activation::kIdentity && loss_ == Loss::kMse)) {
    delta = (out - targets) / n;
  } else if (loss_ == Loss::kMse) {
    delta = (out - targets) / n;
    if (last == Activation::kSigmoid) delta.array() *= out.array() * (1.0 - out.array());
    if (last == Activation::kTanh) delta.array() *= 1.0 - out.array().square();
    if (last == Activation::kRelu) delta.array() *= (out.array() > 0.0).cast<double>();
  } else {
    // Cross-entropy on a non-softmax output: dL/dout = -t/out.
    delta = -(targets.array() / out.array().max(1e-15)).matrix() / n;
    if (last == Activation::kSigmoid) delta.array() *= out.array() * (1.0 - out.array());
    if (last == Activation::kTanh) delta.array() *= 1.0 - out.array().square();
    if (last == Activation::kRelu) delta.array() *= (out.array() > 0.0).cast<double>();
  }
  grads->resize(depth);
  for (size_t l = depth; l-- > 0;) {
    LayerGradient& g = (*grads)[l];
    g.w = inputs[l].transpose() * delta;
    if (l2 != 0.0) g.w += (l2 / n) * layers_[l].w;
    g.b = delta.colwise().sum();
    if (l == 0) break;
    Eigen::MatrixXd da = delta * layers_[l].w.transpose();
    if (drop) da.array() *= masks[l - 1].array();
    // Derivative of the hidden activation from its (undropped) output. The
    // stored input is scaled by the mask, so divide it back out via the
    // activation's own output where needed.
    const Eigen::MatrixXd& a = inputs[l];
    Eigen::ArrayXXd act = a.array();
    if (drop) {
      const double keep = 1.0 - dropout;
      act = (masks[l - 1].array() > 0.0).select(a.array() * keep, 0.0);
    }
    switch (layers_[l - 1].activation) {
      case Activation::kRelu: da.array() *= (act > 0.0).cast<double>(); break;
      case Activation::kTanh: da.array() *= 1.0 - act.square(); break;
      case Activation::kSigmoid: da.array() *= act * (1.0 - act); break;
      case Activation::kIdentity: break;
      case Activation::kSoftmax: assert(false && "softmax is only an output activation"); break;
    }
    delta = std::move(da);
  }
  return loss;
}

}  // namespace neuroquantum::neuro
