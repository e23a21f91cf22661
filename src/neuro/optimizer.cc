// Adam and SGD-with-momentum steps.
#include "neuro/optimizer.h"

#include <cmath>

namespace neuroquantum::neuro {
namespace {

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;

}  // namespace

ParameterUpdater::ParameterUpdater(const Network& net, bool adam, double learning_rate,
                                   double momentum)
    : adam_(adam), lr_(learning_rate), momentum_(momentum) {
  for (const DenseLayer& layer : net.layers()) {
    LayerGradient zero{Eigen::MatrixXd::Zero(layer.w.rows(), layer.w.cols()),
                       Eigen::RowVectorXd::Zero(layer.b.size())};
    m_.push_back(zero);
    v_.push_back(zero);
  }
}

void ParameterUpdater::Step(const std::vector<LayerGradient>& grads, Network* net) {
  auto& layers = net->layers();
  if (!adam_) {
    for (size_t l = 0; l < layers.size(); ++l) {
      m_[l].w = momentum_ * m_[l].w - lr_ * grads[l].w;
      m_[l].b = momentum_ * m_[l].b - lr_ * grads[l].b;
      layers[l].w += m_[l].w;
      layers[l].b += m_[l].b;
    }
    return;
  }
  beta1_power_ *= kBeta1;
  beta2_power_ *= kBeta2;
  // Bias correction folded into the step size.
  const double step = lr_ * std::sqrt(1.0 - beta2_power_) / (1.0 - beta1_power_);
  for (size_t l = 0; l < layers.size(); ++l) {
    m_[l].w = kBeta1 * m_[l].w + (1.0 - kBeta1) * grads[l].w;
    m_[l].b = kBeta1 * m_[l].b + (1.0 - kBeta1) * grads[l].b;
    v_[l].w = kBeta2 * v_[l].w + (1.0 - kBeta2) * grads[l].w.cwiseAbs2();
    v_[l].b = kBeta2 * v_[l].b + (1.0 - kBeta2) * grads[l].b.cwiseAbs2();
    layers[l].w.array() -= step * m_[l].w.array() / (v_[l].w.array().sqrt() + kEpsilon);
    layers[l].b.array() -= step * m_[l].b.array() / (v_[l].b.array().sqrt() + kEpsilon);
  }
}

}  // namespace neuroquantum::neuro
