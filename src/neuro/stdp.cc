// Trace-based STDP updates.
#include "neuro/stdp.h"

#include <algorithm>
#include <cmath>

namespace neuroquantum::neuro {

Stdp::Stdp(int num_pre, int num_post, const StdpParams& params)
    : params_(params),
      decay_pre_(std::exp(-params.dt_ms / params.tau_pre_ms)),
      decay_post_(std::exp(-params.dt_ms / params.tau_post_ms)),
      x_pre_(Eigen::VectorXd::Zero(num_pre)),
      x_post_(Eigen::VectorXd::Zero(num_post)) {}

void Stdp::Reset() {
  x_pre_.setZero();
  x_post_.setZero();
}

void Stdp::Step(const std::vector<int>& pre_spikes, const std::vector<int>& post_spikes,
                RowMatrix* w) {
  x_pre_ *= decay_pre_;
  x_post_ *= decay_post_;
  for (int i : pre_spikes) {
    auto row = w->row(i);
    row -= params_.eta_pre * x_post_.transpose();
    row = row.cwiseMax(0.0);
    x_pre_[i] += 1.0;
  }
  for (int j : post_spikes) {
    for (Eigen::Index i = 0; i < w->rows(); ++i) {
      double& wij = (*w)(i, j);
      double room = std::max(params_.w_max - wij, 0.0);
      wij += params_.eta_post * (x_pre_[i] - params_.x_target) * std::pow(room, params_.mu);
      wij = std::clamp(wij, 0.0, params_.w_max);
    }
    x_post_[j] += 1.0;
  }
}

}  // namespace neuroquantum::neuro
