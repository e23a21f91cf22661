// Fold assignment and scores.
#include "neuro/cross_validation.h"

#include <cmath>
#include <map>
#include <numeric>

#include "neuro/random.h"

namespace neuroquantum::neuro {

std::vector<int> StratifiedFolds(const std::vector<int>& labels, int k, uint64_t seed) {
  Random rng(seed);
  std::map<int, std::vector<int>> by_class;
  for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(static_cast<int>(i));
  std::vector<int> folds(labels.size(), 0);
  // Continue the round-robin across classes so small classes do not all
  // start in fold 0 and fold sizes stay within one of each other.
  int next = 0;
  for (auto& [label, rows] : by_class) {
    rng.Shuffle(&rows);
    for (int row : rows) {
      folds[static_cast<size_t>(row)] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

std::vector<int> ShuffledFolds(size_t rows, int k, uint64_t seed) {
  Random rng(seed);
  std::vector<int> order(rows);
  std::iota(order.begin(), order.end(), 0);
  rng.Shuffle(&order);
  std::vector<int> folds(rows);
  for (size_t i = 0; i < rows; ++i) folds[static_cast<size_t>(order[i])] = static_cast<int>(i % static_cast<size_t>(k));
  return folds;
}

std::vector<int> FoldRows(const std::vector<int>& folds, int fold, bool test) {
  std::vector<int> rows;
  for (size_t i = 0; i < folds.size(); ++i) {
    if ((folds[i] == fold) == test) rows.push_back(static_cast<int>(i));
  }
  return rows;
}

double Accuracy(const Eigen::VectorXd& predicted, const Eigen::VectorXd& truth) {
  if (truth.size() == 0) return 0.0;
  Eigen::Index right = 0;
  for (Eigen::Index i = 0; i < truth.size(); ++i) right += predicted[i] == truth[i] ? 1 : 0;
  return static_cast<double>(right) / static_cast<double>(truth.size());
}

double Rmse(const Eigen::VectorXd& predicted, const Eigen::VectorXd& truth) {
  if (truth.size() == 0) return 0.0;
  return std::sqrt((predicted - truth).squaredNorm() / static_cast<double>(truth.size()));
}

}  // namespace neuroquantum::neuro
