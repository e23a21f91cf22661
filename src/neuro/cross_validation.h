// K-fold cross-validation splits (stratified for classification) and the
// scores the command and the benchmark report.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace neuroquantum::neuro {

// Fold number (0..k-1) of each row. Stratified: each class's rows are
// shuffled (by seed) and dealt round-robin, so every fold has about the
// same class proportions. REQUIRES: k >= 2.
std::vector<int> StratifiedFolds(const std::vector<int>& labels, int k, uint64_t seed);
// Plain shuffled k-fold (for regression).
std::vector<int> ShuffledFolds(size_t rows, int k, uint64_t seed);

// Row indices of fold `fold` (test) or of every other fold (train).
std::vector<int> FoldRows(const std::vector<int>& folds, int fold, bool test);

double Accuracy(const Eigen::VectorXd& predicted, const Eigen::VectorXd& truth);
double Rmse(const Eigen::VectorXd& predicted, const Eigen::VectorXd& truth);

}  // namespace neuroquantum::neuro
