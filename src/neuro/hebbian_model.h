// Hebbian co-access model: items (page ids, or any 64-bit key such as a
// table/key-range id) that are used close together in time strengthen a
// directed link a -> b ("b tends to follow a"). Links decay with a
// half-life measured in accesses, weak links are pruned, and memory is
// bounded: at most max_items items with at most links_per_item links each.
//
// Learning rule, on an access to b (consecutive repeats of one item are
// ignored): for each of the last `window` distinct items a_1 (most recent)
// .. a_W:   w(a_i -> b) <- decayed(w) + learning_rate * window_decay^(i-1),
// where decayed(w) = w * 2^(-(now - last_update) / half_life). When an
// item's link slots are full, the weakest link is replaced; links whose
// decayed weight falls under prune_below are dropped when their item is
// next updated. When max_items is reached the least recently accessed item
// is forgotten with its links.
//
// Prediction: the successor of a is its strongest link if that link's
// weight is at least min_weight (seen about that many times) and at least
// min_confidence of a's total link weight.
//
// Thread safety: not synchronised; callers serialise access (the policies
// in hebbian_policy.h do).
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

namespace neuroquantum::neuro {

struct HebbianOptions {
  size_t max_items = 1 << 16;
  int links_per_item = 8;
  int window = 4;
  double learning_rate = 1.0;
  double window_decay = 0.5;
  double half_life = 1 << 16;  // accesses
  double prune_below = 0.05;
  double min_weight = 1.5;
  double min_confidence = 0.25;
};

class HebbianModel {
 public:
  explicit HebbianModel(const HebbianOptions& options = {});

  // Records one access to `item`.
  void Observe(uint64_t item);
  // The predicted successor of `item`, if confident (see above).
  std::optional<uint64_t> PredictNext(uint64_t item) const;
  // The decayed weight of a -> b (0 if there is no link).
  double Weight(uint64_t a, uint64_t b) const;
  // Up to `max` successors of `item` by decreasing weight, each at least
  // min_weight.
  void Successors(uint64_t item, size_t max, std::vector<uint64_t>* out) const;

  size_t item_count() const { return nodes_.size(); }
  size_t link_count() const;
  uint64_t accesses() const { return now_; }
  // Approximate bytes held (nodes, links, bookkeeping).
  size_t memory_bytes() const;
  const HebbianOptions& options() const { return options_; }

 private:
  struct Link {
    uint64_t to;
    double weight;  // as of the node's stamp
  };
  // Decay is multiplicative, so all links of a node share one timestamp:
  // one exp2 per node update instead of one per link.
  struct Node {
    std::vector<Link> links;
    uint64_t stamp = 0;  // access count at which the weights were current
    std::list<uint64_t>::iterator lru;
  };

  // The factor by which a node's stored weights have decayed since its stamp.
  double DecayFactor(const Node& node) const;
  Node& Touch(uint64_t item);
  void Strengthen(Node* from, uint64_t to, double amount);

  HebbianOptions options_;
  uint64_t now_ = 0;
  std::unordered_map<uint64_t, Node> nodes_;
  std::list<uint64_t> lru_;       // most recently accessed first
  std::deque<uint64_t> recent_;   // last `window` distinct items, newest first
};

}  // namespace neuroquantum::neuro
