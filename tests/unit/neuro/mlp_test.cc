// Multilayer perceptron: gradients against finite differences, learning
// XOR and a linearly separable set, regression, determinism, early
// stopping, cancellation, and the serialised format.
#include <atomic>
#include <cmath>

#include <gtest/gtest.h>

#include "common/checksum.h"
#include "neuro/cross_validation.h"
#include "neuro/mlp.h"
#include "neuro/model_format.h"
#include "neuro/network.h"
#include "neuro/random.h"

namespace neuroquantum::neuro {
namespace {

// Central differences of the loss for every weight and bias, compared with
// the analytic gradient.
void CheckGradients(Activation hidden, Activation output, Loss loss, double l2) {
  Random rng(7);
  Network net = Network::Create({3, 5, 4, 3}, hidden, output, loss, &rng);
  Eigen::MatrixXd x(6, 3), y = Eigen::MatrixXd::Zero(6, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Uniform(-1, 1);
  for (int i = 0; i < 6; ++i) {
    if (loss == Loss::kCrossEntropy) {
      y(i, i % 3) = 1.0;
    } else {
      for (int j = 0; j < 3; ++j) y(i, j) = rng.Uniform(-1, 1);
    }
  }
  std::vector<LayerGradient> grads;
  net.LossAndGradients(x, y, l2, 0.0, nullptr, &grads);
  const double h = 1e-6;
  double worst = 0.0;
  for (size_t l = 0; l < net.layers().size(); ++l) {
    auto check = [&](double* param, double analytic) {
      double saved = *param;
      *param = saved + h;
      double plus = net.EvaluateLoss(x, y, l2);
      *param = saved - h;
      double minus = net.EvaluateLoss(x, y, l2);
      *param = saved;
      double numeric = (plus - minus) / (2 * h);
      double err = std::abs(numeric - analytic) / std::max(1e-8, std::abs(numeric) + std::abs(analytic));
      worst = std::max(worst, err);
    };
    DenseLayer& layer = net.layers()[l];
    for (Eigen::Index i = 0; i < layer.w.size(); ++i) check(&layer.w.data()[i], grads[l].w.data()[i]);
    for (Eigen::Index i = 0; i < layer.b.size(); ++i) check(&layer.b.data()[i], grads[l].b.data()[i]);
  }
  EXPECT_LT(worst, 1e-5) << ActivationName(hidden) << "/" << ActivationName(output);
}

TEST(MlpGradientTest, SoftmaxCrossEntropyWithTanh) {
  CheckGradients(Activation::kTanh, Activation::kSoftmax, Loss::kCrossEntropy, 0.0);
}
TEST(MlpGradientTest, SoftmaxCrossEntropyWithSigmoidAndL2) {
  CheckGradients(Activation::kSigmoid, Activation::kSoftmax, Loss::kCrossEntropy, 0.3);
}
TEST(MlpGradientTest, ReluHiddenLayers) {
  CheckGradients(Activation::kRelu, Activation::kSoftmax, Loss::kCrossEntropy, 0.1);
}
TEST(MlpGradientTest, IdentityMse) {
  CheckGradients(Activation::kTanh, Activation::kIdentity, Loss::kMse, 0.2);
}
TEST(MlpGradientTest, SigmoidOutputMse) {
  CheckGradients(Activation::kTanh, Activation::kSigmoid, Loss::kMse, 0.0);
}
TEST(MlpGradientTest, SigmoidOutputCrossEntropy) {
  CheckGradients(Activation::kRelu, Activation::kSigmoid, Loss::kCrossEntropy, 0.0);
}

Eigen::MatrixXd XorInputs() {
  Eigen::MatrixXd x(4, 2);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  return x;
}

TEST(MlpTest, LearnsXor) {
  Eigen::VectorXd y(4);
  y << 0, 1, 1, 0;
  MlpOptions o;
  o.hidden = {8};
  o.activation = Activation::kTanh;
  o.epochs = 400;
  o.batch_size = 4;
  o.learning_rate = 0.05;
  o.l2 = 0.0;
  auto mlp = Mlp::Train(XorInputs(), y, 2, o);
  ASSERT_TRUE(mlp.ok()) << mlp.status().ToString();
  EXPECT_EQ(mlp->Predict(XorInputs()), y);
}

TEST(MlpTest, LearnsXorWithSgdMomentum) {
  Eigen::VectorXd y(4);
  y << 0, 1, 1, 0;
  MlpOptions o;
  o.hidden = {8};
  o.activation = Activation::kTanh;
  o.optimizer = Optimizer::kSgd;
  o.epochs = 1000;
  o.batch_size = 4;
  o.learning_rate = 0.1;
  o.l2 = 0.0;
  auto mlp = Mlp::Train(XorInputs(), y, 2, o);
  ASSERT_TRUE(mlp.ok());
  EXPECT_EQ(mlp->Predict(XorInputs()), y);
}

// Two Gaussian blobs on either side of x0 + x1 = 0.
void Blobs(int n, uint64_t seed, Eigen::MatrixXd* x, Eigen::VectorXd* y) {
  Random rng(seed);
  x->resize(n, 2);
  y->resize(n);
  for (int i = 0; i < n; ++i) {
    int c = i % 2;
    (*x)(i, 0) = (c ? 1.5 : -1.5) + 0.5 * rng.Normal();
    (*x)(i, 1) = (c ? 1.5 : -1.5) + 0.5 * rng.Normal();
    (*y)[i] = c;
  }
}

TEST(MlpTest, LearnsLinearlySeparableSetWithALinearModel) {
  Eigen::MatrixXd x, xt;
  Eigen::VectorXd y, yt;
  Blobs(200, 1, &x, &y);
  Blobs(200, 2, &xt, &yt);
  MlpOptions o;
  o.hidden = {};
  o.epochs = 50;
  o.learning_rate = 0.01;
  auto mlp = Mlp::Train(x, y, 2, o);
  ASSERT_TRUE(mlp.ok());
  EXPECT_GE(Accuracy(mlp->Predict(xt), yt), 0.98);
}

TEST(MlpTest, RegressionFitsALine) {
  Random rng(3);
  Eigen::MatrixXd x(100, 1);
  Eigen::VectorXd y(100);
  for (int i = 0; i < 100; ++i) {
    x(i, 0) = rng.Uniform(-2, 2);
    y[i] = 3.0 * x(i, 0) + 1.0;
  }
  MlpOptions o;
  o.task = Task::kRegress;
  o.hidden = {16};
  o.epochs = 200;
  o.learning_rate = 0.01;
  auto mlp = Mlp::Train(x, y, 0, o);
  ASSERT_TRUE(mlp.ok());
  EXPECT_LT(Rmse(mlp->Predict(x), y), 0.1);
}

TEST(MlpTest, SameSeedSameModelOtherSeedOtherModel) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Blobs(60, 4, &x, &y);
  MlpOptions o;
  o.hidden = {6};
  o.epochs = 5;
  o.dropout = 0.2;
  auto a = Mlp::Train(x, y, 2, o);
  auto b = Mlp::Train(x, y, 2, o);
  o.seed = 2;
  auto c = Mlp::Train(x, y, 2, o);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->Serialize(), b->Serialize());
  EXPECT_NE(a->Serialize(), c->Serialize());
}

TEST(MlpTest, SaveLoadGivesIdenticalPredictions) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Blobs(80, 5, &x, &y);
  x.col(1) *= 1000.0;  // standardisation must travel with the model
  MlpOptions o;
  o.hidden = {10, 5};
  o.epochs = 20;
  auto mlp = Mlp::Train(x, y, 2, o);
  ASSERT_TRUE(mlp.ok());
  std::string bytes = mlp->Serialize();
  auto loaded = Mlp::Deserialize(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(mlp->PredictRaw(x), loaded->PredictRaw(x));
  EXPECT_EQ(loaded->Serialize(), bytes);
}

TEST(MlpTest, DamagedModelsAreRejected) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Blobs(20, 6, &x, &y);
  MlpOptions o;
  o.epochs = 1;
  std::string bytes = Mlp::Train(x, y, 2, o)->Serialize();
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  EXPECT_EQ(Mlp::Deserialize(flipped).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Mlp::Deserialize(bytes.substr(0, 5)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Mlp::Deserialize("").status().code(), StatusCode::kCorruption);
  // A newer format version is refused as such (checksum recomputed).
  std::string newer = bytes.substr(0, bytes.size() - 4);
  newer[5] = 9;
  PutFixed32(&newer, Checksum32(newer.data(), newer.size(), kModelChecksumSeed));
  EXPECT_EQ(Mlp::Deserialize(newer).status().code(), StatusCode::kNotSupported);
}

TEST(MlpTest, EarlyStoppingStopsBeforeTheEpochLimit) {
  // Random labels: a wide network overfits and the validation loss rises.
  Random rng(8);
  Eigen::MatrixXd x(100, 4);
  Eigen::VectorXd y(100);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Normal();
  for (Eigen::Index i = 0; i < y.size(); ++i) y[i] = static_cast<double>(rng.Below(2));
  MlpOptions o;
  o.hidden = {64};
  o.learning_rate = 0.01;
  o.epochs = 500;
  o.validation_fraction = 0.2;
  o.patience = 5;
  int reported = 0;
  TrainControl control;
  control.on_epoch = [&](const EpochProgress& p) {
    ++reported;
    EXPECT_FALSE(std::isnan(p.validation_loss));
  };
  auto mlp = Mlp::Train(x, y, 2, o, control);
  ASSERT_TRUE(mlp.ok());
  EXPECT_LT(mlp->epochs_run(), 500);
  EXPECT_EQ(reported, mlp->epochs_run());
}

TEST(MlpTest, CancellationAbortsTraining) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Blobs(50, 9, &x, &y);
  std::atomic<bool> cancel{false};
  TrainControl control;
  control.cancel = &cancel;
  control.on_epoch = [&](const EpochProgress& p) {
    if (p.epoch == 3) cancel = true;
  };
  MlpOptions o;
  o.epochs = 100;
  auto mlp = Mlp::Train(x, y, 2, o, control);
  EXPECT_EQ(mlp.status().code(), StatusCode::kAborted);
}

TEST(MlpTest, BadInputIsRejected) {
  Eigen::MatrixXd x = XorInputs();
  Eigen::VectorXd y(4);
  y << 0, 1, 2, 0;
  MlpOptions o;
  EXPECT_EQ(Mlp::Train(x, y, 2, o).status().code(), StatusCode::kInvalidArgument);  // class 2 of 2
  EXPECT_EQ(Mlp::Train(x, y.head(3), 3, o).status().code(), StatusCode::kInvalidArgument);
  o.dropout = 1.0;
  EXPECT_EQ(Mlp::Train(x, y, 3, o).status().code(), StatusCode::kInvalidArgument);
  o.dropout = 0.0;
  o.epochs = 0;
  EXPECT_EQ(Mlp::Train(x, y, 3, o).status().code(), StatusCode::kInvalidArgument);
}

TEST(CrossValidationTest, StratifiedFoldsKeepClassProportions) {
  std::vector<int> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(i < 80 ? 0 : 1);
  auto folds = StratifiedFolds(labels, 5, 1);
  for (int f = 0; f < 5; ++f) {
    auto test = FoldRows(folds, f, true);
    int ones = 0;
    for (int r : test) ones += labels[static_cast<size_t>(r)];
    EXPECT_EQ(test.size(), 20u);
    EXPECT_EQ(ones, 4);
    EXPECT_EQ(FoldRows(folds, f, false).size(), 80u);
  }
}

}  // namespace
}  // namespace neuroquantum::neuro
