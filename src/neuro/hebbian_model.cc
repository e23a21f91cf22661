// Hebbian co-access learning.
#include "neuro/hebbian_model.h"

#include <algorithm>
#include <cmath>

namespace neuroquantum::neuro {

HebbianModel::HebbianModel(const HebbianOptions& options) : options_(options) {
  options_.max_items = std::max<size_t>(options_.max_items, static_cast<size_t>(options_.window) + 1);
  options_.links_per_item = std::max(options_.links_per_item, 1);
}

double HebbianModel::DecayFactor(const Node& node) const {
  return std::exp2(-static_cast<double>(now_ - node.stamp) / options_.half_life);
}

HebbianModel::Node& HebbianModel::Touch(uint64_t item) {
  auto it = nodes_.find(item);
  if (it != nodes_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second;
  }
  if (nodes_.size() >= options_.max_items) {
    // Items in the window are the most recent, so never the one forgotten.
    nodes_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(item);
  Node& node = nodes_[item];
  node.lru = lru_.begin();
  return node;
}

void HebbianModel::Strengthen(Node* from, uint64_t to, double amount) {
  auto& links = from->links;
  const double factor = DecayFactor(*from);
  for (Link& l : links) l.weight *= factor;
  from->stamp = now_;
  // Prune while we are here: keeps every node's list short and fresh.
  links.erase(std::remove_if(links.begin(), links.end(),
                             [&](const Link& l) { return l.to != to && l.weight < options_.prune_below; }),
              links.end());
  for (Link& l : links) {
    if (l.to == to) {
      l.weight += amount;
      return;
    }
  }
  if (links.size() < static_cast<size_t>(options_.links_per_item)) {
    links.push_back({to, amount});
    return;
  }
  auto weakest = std::min_element(links.begin(), links.end(),
                                  [](const Link& x, const Link& y) { return x.weight < y.weight; });
  *weakest = {to, amount};
}

void HebbianModel::Observe(uint64_t item) {
  if (!recent_.empty() && recent_.front() == item) return;
  ++now_;
  Touch(item);
  double amount = options_.learning_rate;
  for (uint64_t a : recent_) {
    if (a != item) {
      auto it = nodes_.find(a);
      if (it != nodes_.end()) Strengthen(&it->second, item, amount);
    }
    amount *= options_.window_decay;
  }
  auto pos = std::find(recent_.begin(), recent_.end(), item);
  if (pos != recent_.end()) recent_.erase(pos);
  recent_.push_front(item);
  if (recent_.size() > static_cast<size_t>(options_.window)) recent_.pop_back();
}

std::optional<uint64_t> HebbianModel::PredictNext(uint64_t item) const {
  auto it = nodes_.find(item);
  if (it == nodes_.end() || it->second.links.empty()) return std::nullopt;
  double total = 0.0, best = 0.0;
  uint64_t best_to = 0;
  for (const Link& l : it->second.links) {
    total += l.weight;
    if (l.weight > best) {
      best = l.weight;
      best_to = l.to;
    }
  }
  best *= DecayFactor(it->second);
  total *= DecayFactor(it->second);
  if (best < options_.min_weight || best < options_.min_confidence * total) return std::nullopt;
  return best_to;
}

double HebbianModel::Weight(uint64_t a, uint64_t b) const {
  auto it = nodes_.find(a);
  if (it == nodes_.end()) return 0.0;
  for (const Link& l : it->second.links) {
    if (l.to == b) return l.weight * DecayFactor(it->second);
  }
  return 0.0;
}

void HebbianModel::Successors(uint64_t item, size_t max, std::vector<uint64_t>* out) const {
  out->clear();
  auto it = nodes_.find(item);
  if (it == nodes_.end()) return;
  std::vector<std::pair<double, uint64_t>> ranked;
  const double factor = DecayFactor(it->second);
  for (const Link& l : it->second.links) {
    double w = l.weight * factor;
    if (w >= options_.min_weight) ranked.emplace_back(w, l.to);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  for (size_t i = 0; i < ranked.size() && i < max; ++i) out->push_back(ranked[i].second);
}

size_t HebbianModel::link_count() const {
  size_t n = 0;
  for (const auto& [item, node] : nodes_) n += node.links.size();
  return n;
}

size_t HebbianModel::memory_bytes() const {
  // Hash node + list node + link vector capacity, roughly.
  size_t bytes = nodes_.size() * (sizeof(Node) + sizeof(uint64_t) + 48);
  for (const auto& [item, node] : nodes_) bytes += node.links.capacity() * sizeof(Link);
  return bytes;
}

}  // namespace neuroquantum::neuro
