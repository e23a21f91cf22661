// Trace-based spike-timing-dependent plasticity as used by Diehl & Cook
// (2015, "Unsupervised learning of digit recognition using STDP"):
//
//   every pre- and post-synaptic neuron has a trace x that decays as
//   x <- x * exp(-dt / tau) each step and is increased by 1 at its spike;
//   on a post-synaptic spike:  dw = eta_post * (x_pre - x_target) * (w_max - w)^mu
//   on a pre-synaptic spike:   dw = -eta_pre * x_post
//   weights are clipped to [0, w_max].
//
// Within one step: traces decay, then pre spikes depress (with the post
// traces of earlier steps) and raise their trace, then post spikes
// potentiate (seeing this step's pre spikes) and raise theirs.
//
// Thread safety: one thread at a time.
#pragma once

#include <vector>

#include <Eigen/Dense>

namespace neuroquantum::neuro {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct StdpParams {
  double dt_ms = 1.0;
  double tau_pre_ms = 20.0;
  double tau_post_ms = 20.0;
  double eta_pre = 1e-4;
  double eta_post = 1e-2;
  double x_target = 0.4;
  double w_max = 1.0;
  double mu = 0.2;
};

class Stdp {
 public:
  Stdp(int num_pre, int num_post, const StdpParams& params);
  // One time step with the given spiking neurons; updates w (num_pre x num_post).
  void Step(const std::vector<int>& pre_spikes, const std::vector<int>& post_spikes, RowMatrix* w);
  // Forgets all traces (between samples).
  void Reset();
  const Eigen::VectorXd& pre_trace() const { return x_pre_; }
  const Eigen::VectorXd& post_trace() const { return x_post_; }

 private:
  StdpParams params_;
  double decay_pre_, decay_post_;
  Eigen::VectorXd x_pre_, x_post_;
};

}  // namespace neuroquantum::neuro
