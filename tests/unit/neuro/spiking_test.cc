// Spiking network: STDP against hand-computed spike pairs, neuron dynamics,
// and the classifier end to end on a small separable set.
#include <cmath>

#include <gtest/gtest.h>

#include "neuro/cross_validation.h"
#include "neuro/random.h"
#include "neuro/spiking.h"
#include "neuro/stdp.h"

namespace neuroquantum::neuro {
namespace {

StdpParams Params() {
  StdpParams p;
  p.tau_pre_ms = 20.0;
  p.tau_post_ms = 10.0;
  p.eta_pre = 0.01;
  p.eta_post = 0.1;
  p.x_target = 0.2;
  p.w_max = 1.0;
  p.mu = 0.5;
  return p;
}

// Runs a pre spike at t_pre and a post spike at t_post on a single synapse.
double AfterPair(int t_pre, int t_post, double w0) {
  Stdp stdp(1, 1, Params());
  RowMatrix w(1, 1);
  w(0, 0) = w0;
  for (int t = 0; t <= std::max(t_pre, t_post); ++t) {
    std::vector<int> pre, post;
    if (t == t_pre) pre.push_back(0);
    if (t == t_post) post.push_back(0);
    stdp.Step(pre, post, &w);
  }
  return w(0, 0);
}

TEST(StdpTest, PreBeforePostPotentiatesByTheTraceRule) {
  // x_pre at the post spike is exp(-5/20); dw = eta_post (x_pre - x_tar) (w_max - w)^mu.
  double expected = 0.5 + 0.1 * (std::exp(-5.0 / 20.0) - 0.2) * std::sqrt(1.0 - 0.5);
  EXPECT_NEAR(AfterPair(0, 5, 0.5), expected, 1e-12);
}

TEST(StdpTest, PostBeforePreDepresses) {
  // The post spike itself potentiates with x_pre = 0: dw1 = 0.1 (0 - 0.2) sqrt(0.5);
  // the pre spike 7 ms later depresses by eta_pre * exp(-7/10).
  double w1 = 0.5 + 0.1 * (0.0 - 0.2) * std::sqrt(0.5);
  double expected = w1 - 0.01 * std::exp(-7.0 / 10.0);
  EXPECT_NEAR(AfterPair(7, 0, 0.5), expected, 1e-12);
}

TEST(StdpTest, SimultaneousSpikesSeeTheFreshPreTrace) {
  double expected = 0.5 + 0.1 * (1.0 - 0.2) * std::sqrt(0.5);
  EXPECT_NEAR(AfterPair(3, 3, 0.5), expected, 1e-12);
}

TEST(StdpTest, LongerDelaysPotentiateLessAndWeightsStayInRange) {
  EXPECT_GT(AfterPair(0, 2, 0.5), AfterPair(0, 10, 0.5));
  EXPECT_LE(AfterPair(0, 0, 1.0), 1.0);
  EXPECT_GE(AfterPair(5, 0, 0.0), 0.0);
}

TEST(NeuronLayerTest, LifIntegratesLeaksFiresAndIsRefractory) {
  NeuronLayer layer(NeuronModel::kLif, 2);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(2);
  Eigen::VectorXd input(2);
  input << 3.0, 0.0;
  std::vector<int> spikes;
  int fired = 0, first = -1, last = -100;
  for (int t = 0; t < 100; ++t) {
    spikes.clear();
    layer.Step(input, theta, &spikes);
    for (int j : spikes) {
      EXPECT_EQ(j, 0);
      EXPECT_GT(t - last, NeuronLayer::kRefractorySteps);
      last = t;
      if (first < 0) first = t;
      ++fired;
    }
  }
  // 13 mV to threshold at ~3 mV per step minus a small leak: the 5th step.
  EXPECT_EQ(first, 4);
  EXPECT_GT(fired, 5);
  EXPECT_DOUBLE_EQ(layer.potential()[1], NeuronLayer::kRestMv);
}

TEST(NeuronLayerTest, IzhikevichSpikesTonicallyUnderCurrentAndRestsWithout) {
  NeuronLayer layer(NeuronModel::kIzhikevich, 2);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(2);
  Eigen::VectorXd input(2);
  input << 4.0, 0.0;  // a constant current of 12 into neuron 0
  std::vector<int> spikes;
  for (int t = 0; t < 500; ++t) layer.Step(input, theta, &spikes);
  int n0 = static_cast<int>(std::count(spikes.begin(), spikes.end(), 0));
  int n1 = static_cast<int>(std::count(spikes.begin(), spikes.end(), 1));
  EXPECT_GE(n0, 3);
  EXPECT_EQ(n1, 0);
}

void Blobs(int n, uint64_t seed, Eigen::MatrixXd* x, Eigen::VectorXd* y) {
  Random rng(seed);
  x->resize(n, 2);
  y->resize(n);
  for (int i = 0; i < n; ++i) {
    int c = i % 2;
    (*x)(i, 0) = (c ? 2.0 : -2.0) + 0.5 * rng.Normal();
    (*x)(i, 1) = (c ? -1.0 : 1.0) + 0.5 * rng.Normal();
    (*y)[i] = c;
  }
}

class SpikingClassifierTest : public ::testing::TestWithParam<std::pair<NeuronModel, InputCoding>> {};

TEST_P(SpikingClassifierTest, LearnsSeparableBlobsAndRoundTrips) {
  Eigen::MatrixXd x, xt;
  Eigen::VectorXd y, yt;
  Blobs(120, 1, &x, &y);
  Blobs(100, 2, &xt, &yt);
  SpikingOptions o;
  o.neuron = GetParam().first;
  o.coding = GetParam().second;
  o.neurons = 20;
  o.steps = 40;
  o.readout_epochs = 100;
  auto model = SpikingClassifier::Train(x, y, 2, o);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_GE(Accuracy(model->Predict(xt), yt), 0.9);
  auto loaded = SpikingClassifier::Deserialize(model->Serialize());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->PredictRaw(xt), model->PredictRaw(xt));
}

INSTANTIATE_TEST_SUITE_P(Models, SpikingClassifierTest,
                         ::testing::Values(std::make_pair(NeuronModel::kLif, InputCoding::kRate),
                                           std::make_pair(NeuronModel::kLif, InputCoding::kLatency),
                                           std::make_pair(NeuronModel::kIzhikevich, InputCoding::kRate)));

TEST(SpikingTrainingTest, StdpChangesWeightsAndRegressionIsRefused) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Blobs(40, 3, &x, &y);
  SpikingOptions o;
  o.neurons = 8;
  o.steps = 30;
  o.readout_epochs = 5;
  o.epochs = 0;
  auto untrained = SpikingClassifier::Train(x, y, 2, o);
  o.epochs = 1;
  auto trained = SpikingClassifier::Train(x, y, 2, o);
  ASSERT_TRUE(untrained.ok() && trained.ok());
  EXPECT_GT((untrained->weights() - trained->weights()).cwiseAbs().maxCoeff(), 1e-3);
  Dataset regress;
  regress.features = x;
  regress.targets = y;
  EXPECT_FALSE(SpikingClassifier::Train(regress, o).ok());  // no class names: not a classification set
}

}  // namespace
}  // namespace neuroquantum::neuro
