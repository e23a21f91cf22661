// Parameter updates for the dense network: Adam (Kingma & Ba 2015) and SGD
// with classical momentum. One state slot per layer's W and b.
//
// Thread safety: used by one training thread.
#pragma once

#include <vector>

#include "neuro/network.h"

namespace neuroquantum::neuro {

class ParameterUpdater {
 public:
  // `adam` chooses Adam, else SGD with `momentum`.
  ParameterUpdater(const Network& net, bool adam, double learning_rate, double momentum);
  // Applies one step of `grads` to `net`'s layers.
  void Step(const std::vector<LayerGradient>& grads, Network* net);

 private:
  bool adam_;
  double lr_, momentum_;
  double beta1_power_ = 1.0, beta2_power_ = 1.0;
  std::vector<LayerGradient> m_, v_;  // first / second moments (v_ unused by SGD)
};

}  // namespace neuroquantum::neuro
