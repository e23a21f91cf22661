#include "exec/join_order.h"

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <limits>
#include <unordered_map>
#include <vector>

#include "exec/estimate.h"

namespace neuroquantum::exec {
namespace {

class Planner {
 public:
  explicit Planner(const JoinGraph& graph)
      : g_(graph), n_(graph.relations.size()), neighbours_(n_), pair_(n_), equi_pair_(n_) {
    // Relations a predicate reads are neighbours of each other (a
    // predicate over three relations connects all three). Predicates over
    // two relations, the common case, are also kept as bit masks per
    // relation, so Adjacent need not scan the predicate list for them.
    for (const auto& p : g_.predicates) {
      for (size_t i = 0; i < n_; ++i) {
        if (p.relations >> i & 1) neighbours_[i] |= p.relations & ~(uint64_t{1} << i);
      }
      if (std::popcount(p.relations) == 2) {
        const size_t a = static_cast<size_t>(std::countr_zero(p.relations));
        const size_t b = static_cast<size_t>(63 - std::countl_zero(p.relations));
        pair_[a] |= uint64_t{1} << b;
        pair_[b] |= uint64_t{1} << a;
        if (p.equi) {
          equi_pair_[a] |= uint64_t{1} << b;
          equi_pair_[b] |= uint64_t{1} << a;
        }
      } else if (std::popcount(p.relations) > 2) {
        wide_.push_back(&p);
      }
      if (p.equal_class >= 0) {
        if (classes_.size() <= static_cast<size_t>(p.equal_class)) classes_.resize(static_cast<size_t>(p.equal_class) + 1);
        classes_[static_cast<size_t>(p.equal_class)].push_back(&p);
      }
    }
    for (const auto& r : g_.relations) has_keys_ |= r.base_rows > 0 && !r.unique_keys.empty();
  }

  std::unique_ptr<JoinTree> LeftDeep() const {
    std::unique_ptr<JoinTree> tree = Leaf(0);
    for (size_t i = 1; i < n_; ++i) tree = Join(std::move(tree), Leaf(static_cast<int>(i)), false);
    return tree;
  }

  std::unique_ptr<JoinTree> Plan() {
    const uint64_t all = n_ == 64 ? ~uint64_t{0} : (uint64_t{1} << n_) - 1;
    std::vector<std::unique_ptr<JoinTree>> parts;
    if (n_ <= kMaxDpRelations) {
      Dp();
      for (uint64_t component : Components(all)) parts.push_back(Build(component));
    } else {
      for (size_t i = 0; i < n_; ++i) parts.push_back(Leaf(static_cast<int>(i)));
    }
    return Greedy(std::move(parts));
  }

 private:
  // Estimated rows of the join of `set`. When the rest of the set joins to
  // a unique key of one of its relations, the rest's rows (see
  // JoinGraph::Relation::unique_keys; sets of up to kMaxDpRelations,
  // remembered). Otherwise IndependentRows.
  double Rows(uint64_t set) const {
    const int count = std::popcount(set);
    if (count < 2 || count > static_cast<int>(kMaxDpRelations) || !has_keys_) return IndependentRows(set);
    if (auto it = rows_memo_.find(set); it != rows_memo_.end()) return it->second;
    // A relation whose unique key the rest joins to: the rest's rows, each
    // with its one match, kept by the relation's filters and by the
    // conditions other than equalities between it and the rest (the
    // smallest such estimate when several relations qualify).
    double keyed = std::numeric_limits<double>::infinity();
    for (uint64_t s = set; s != 0; s &= s - 1) {
      const size_t i = static_cast<size_t>(std::countr_zero(s));
      const JoinGraph::Relation& r = g_.relations[i];
      const uint64_t bit = uint64_t{1} << i;
      const uint64_t rest = set & ~bit;
      // The rest joined by predicates of its own: a cross product's pairs
      // do not each have a row of this relation (a link table's rows
      // between two unrelated tables).
      if (r.base_rows <= 0 || !KeyJoined(r, rest) || Reach(rest, true) != rest) continue;
      double rows = Rows(rest) * std::min(r.rows / r.base_rows, 1.0);
      for (const auto& p : g_.predicates) {
        if (!p.equi && (p.relations & bit) != 0 && (p.relations & rest) != 0 && (p.relations & ~set) == 0) {
          rows *= p.selectivity;
        }
      }
      keyed = std::min(keyed, rows);
    }
    const double rows = keyed < std::numeric_limits<double>::infinity() ? std::max(keyed, 1.0) : IndependentRows(set);
    rows_memo_.emplace(set, rows);
    return rows;
  }

  // Whether every column of one of `r`'s unique keys of several columns
  // is joined to `rest`. (A one-column key's equality selectivity already
  // says how many rows find their match, from both sides' distinct values;
  // several columns' selectivities multiplied as if independent do not.)
  static bool KeyJoined(const JoinGraph::Relation& r, uint64_t rest) {
    for (const auto& key : r.unique_keys) {
      if (key.size() > 1 && std::all_of(key.begin(), key.end(), [&](uint64_t to) { return (to & rest) != 0; })) {
        return true;
      }
    }
    return false;
  }

  // Rows(set) as the product of its relations' rows and of the
  // selectivities of the predicates it contains, as if independent; of a
  // class of equalities, only those of a spanning tree over its relations
  // in `set` (the others follow from them), the tree that keeps the most
  // rows: Kruskal's algorithm, largest selectivities first.
  double IndependentRows(uint64_t set) const {
    double rows = 1;
    for (uint64_t s = set; s != 0; s &= s - 1) rows *= g_.relations[static_cast<size_t>(std::countr_zero(s))].rows;
    for (const auto& p : g_.predicates) {
      if (p.equal_class < 0 && (p.relations & ~set) == 0) rows *= p.selectivity;
    }
    std::vector<const JoinGraph::Predicate*> inside;
    for (const auto& members : classes_) {
      inside.clear();
      for (const JoinGraph::Predicate* p : members) {
        if ((p->relations & ~set) == 0) inside.push_back(p);
      }
      std::sort(inside.begin(), inside.end(), [](const JoinGraph::Predicate* a, const JoinGraph::Predicate* b) {
        return a->selectivity > b->selectivity;
      });
      // Each relation's component, as the relations joined to it so far.
      std::array<uint64_t, kMaxJoinRelations> component{};
      for (const JoinGraph::Predicate* p : inside) {
        const size_t a = static_cast<size_t>(std::countr_zero(p->relations));
        const size_t b = static_cast<size_t>(63 - std::countl_zero(p->relations));
        const uint64_t ca = component[a] != 0 ? component[a] : uint64_t{1} << a;
        const uint64_t cb = component[b] != 0 ? component[b] : uint64_t{1} << b;
        if ((ca & cb) != 0) continue;  // already joined: follows from the tree
        rows *= p->selectivity;
        const uint64_t merged = ca | cb;
        for (uint64_t s = merged; s != 0; s &= s - 1) component[static_cast<size_t>(std::countr_zero(s))] = merged;
      }
    }
    return std::max(rows, 1.0);
  }

  // Whether a predicate inside a | b reads both.
  bool Adjacent(uint64_t a, uint64_t b, bool* equi) const {
    bool adjacent = false;
    *equi = false;
    for (uint64_t s = a; s != 0; s &= s - 1) {
      const size_t i = static_cast<size_t>(std::countr_zero(s));
      adjacent |= (pair_[i] & b) != 0;
      *equi |= (equi_pair_[i] & b) != 0;
    }
    for (const JoinGraph::Predicate* p : wide_) {
      if ((p->relations & a) != 0 && (p->relations & b) != 0 && (p->relations & ~(a | b)) == 0) {
        adjacent = true;
        *equi |= p->equi;
      }
    }
    return adjacent;
  }

  // The relations of `set` reachable from its lowest one through
  // predicates that read relations of `set`; with `alone`, only through
  // predicates that read no other relation.
  uint64_t Reach(uint64_t set, bool alone = false) const {
    const std::vector<uint64_t>& linked = alone ? pair_ : neighbours_;
    uint64_t reached = set & (~set + 1);
    uint64_t frontier = reached;
    while (frontier != 0) {
      uint64_t next = 0;
      for (uint64_t s = frontier; s != 0; s &= s - 1) next |= linked[static_cast<size_t>(std::countr_zero(s))];
      if (alone) {
        for (const JoinGraph::Predicate* p : wide_) {
          if ((p->relations & ~set) == 0 && (p->relations & frontier) != 0) next |= p->relations;
        }
      }
      next &= set & ~reached;
      reached |= next;
      frontier = next;
    }
    return reached;
  }

  bool Connected(uint64_t set) const { return Reach(set) == set; }

  std::vector<uint64_t> Components(uint64_t set) const {
    std::vector<uint64_t> out;
    while (set != 0) {
      out.push_back(Reach(set));
      set &= ~out.back();
    }
    return out;
  }

  // Columns the rows of the join of `set` carry.
  double Width(uint64_t set) const {
    double width = 0;
    for (uint64_t s = set; s != 0; s &= s - 1) width += g_.relations[static_cast<size_t>(std::countr_zero(s))].width;
    return width;
  }

  // Materialising `rows` rows of the join of `set`.
  double Held(double rows, uint64_t set) const { return rows * (1 + kColumnCost * Width(set)); }

  // A join of `left` and `right` giving `rows` rows of `set`: a hash join
  // builds the side cheaper to hold and probes with the other.
  double JoinCost(double left_rows, uint64_t left, double right_rows, uint64_t right, double rows, bool equi) const {
    const double work = equi ? std::min(Held(left_rows, left) + right_rows, Held(right_rows, right) + left_rows)
                             : left_rows * right_rows;
    return work + Held(rows, left | right);
  }

  // The cost of reading the single relation `inner` by lookups for each
  // row of `outer` (whose best plan is known), giving `rows`; infinite
  // when no index joins them.
  double LookupCost(uint64_t outer, uint64_t inner, double rows) const {
    const JoinGraph::Relation& r = g_.relations[static_cast<size_t>(std::countr_zero(inner))];
    double per_lookup = std::numeric_limits<double>::infinity();
    for (uint64_t s = r.lookup_from & outer; s != 0; s &= s - 1) {
      per_lookup = std::min(per_lookup, r.lookup_cost[static_cast<size_t>(std::countr_zero(s))]);
    }
    if (per_lookup == std::numeric_limits<double>::infinity()) return per_lookup;
    return best_cost_[outer] + rows_[outer] * per_lookup + Held(rows, outer | inner);
  }

  // Best plans of every connected subset, smallest subsets first (a
  // subset's subsets are smaller numbers).
  void Dp() {
    const size_t subsets = size_t{1} << n_;
    best_cost_.assign(subsets, std::numeric_limits<double>::infinity());
    best_split_.assign(subsets, 0);
    best_lookup_.assign(subsets, 0);
    rows_.assign(subsets, 0);
    for (uint64_t set = 1; set < subsets; ++set) {
      if (!Connected(set)) continue;
      rows_[set] = Rows(set);
      if ((set & (set - 1)) == 0) {
        best_cost_[set] = g_.relations[static_cast<size_t>(std::countr_zero(set))].scan_cost;
        continue;
      }
      // Each split once: the half holding the lowest relation on the left.
      // Halves a predicate joins first; when there are none (a predicate
      // over three relations connects them, but no two of them alone), a
      // cross product of two connected halves.
      const uint64_t lowest = set & (~set + 1);
      for (bool cross : {false, true}) {
        for (uint64_t left = (set - 1) & set; left != 0; left = (left - 1) & set) {
          if ((left & lowest) == 0) continue;
          const uint64_t right = set ^ left;
          if (best_cost_[left] == std::numeric_limits<double>::infinity() ||
              best_cost_[right] == std::numeric_limits<double>::infinity()) {
            continue;  // a half that is not connected
          }
          bool equi = false;
          if (!Adjacent(left, right, &equi) && !cross) continue;
          const double cost =
              best_cost_[left] + best_cost_[right] + JoinCost(rows_[left], left, rows_[right], right, rows_[set], equi);
          if (cost < best_cost_[set]) {
            best_cost_[set] = cost;
            best_split_[set] = left;
            best_lookup_[set] = 0;
          }
          // Either half, when it is one relation, read by lookups from the other.
          for (const uint64_t inner : {right, left}) {
            const uint64_t outer = set ^ inner;
            if ((inner & (inner - 1)) != 0) continue;
            const double lookup = LookupCost(outer, inner, rows_[set]);
            if (lookup < best_cost_[set]) {
              best_cost_[set] = lookup;
              best_split_[set] = outer;
              best_lookup_[set] = inner;
            }
          }
        }
        if (best_split_[set] != 0) break;
      }
    }
  }

  std::unique_ptr<JoinTree> Leaf(int relation) const {
    auto leaf = std::make_unique<JoinTree>();
    leaf->relation = relation;
    leaf->relations = uint64_t{1} << relation;
    leaf->rows = std::max(g_.relations[static_cast<size_t>(relation)].rows, 1.0);
    leaf->cost = g_.relations[static_cast<size_t>(relation)].scan_cost;
    return leaf;
  }

  // `smaller_right`: put the input cheaper to hold on the right
  // (materialised).
  std::unique_ptr<JoinTree> Join(std::unique_ptr<JoinTree> left, std::unique_ptr<JoinTree> right,
                                 bool smaller_right = true) const {
    auto tree = std::make_unique<JoinTree>();
    tree->relations = left->relations | right->relations;
    tree->rows = Rows(tree->relations);
    bool equi = false;
    Adjacent(left->relations, right->relations, &equi);
    tree->cost = left->cost + right->cost +
                 JoinCost(left->rows, left->relations, right->rows, right->relations, tree->rows, equi);
    // The join materialises its right input: the one cheaper to hold.
    if (smaller_right && Held(left->rows, left->relations) < Held(right->rows, right->relations)) {
      std::swap(left, right);
    }
    tree->left = std::move(left);
    tree->right = std::move(right);
    return tree;
  }

  std::unique_ptr<JoinTree> Build(uint64_t set) const {
    if ((set & (set - 1)) == 0) return Leaf(std::countr_zero(set));
    if (best_lookup_[set] != 0) {
      auto tree = std::make_unique<JoinTree>();
      tree->relations = set;
      tree->rows = rows_[set];
      tree->cost = best_cost_[set];
      tree->lookup = true;
      tree->left = Build(best_split_[set]);
      tree->right = Leaf(std::countr_zero(best_lookup_[set]));
      return tree;
    }
    return Join(Build(best_split_[set]), Build(set ^ best_split_[set]));
  }

  // Greedy operator ordering: join the two parts whose join is smallest,
  // preferring parts a predicate connects over cross products.
  std::unique_ptr<JoinTree> Greedy(std::vector<std::unique_ptr<JoinTree>> parts) const {
    while (parts.size() > 1) {
      size_t best_i = 0, best_j = 1;
      bool best_adjacent = false;
      double best_rows = std::numeric_limits<double>::infinity();
      for (size_t i = 0; i < parts.size(); ++i) {
        for (size_t j = i + 1; j < parts.size(); ++j) {
          bool equi = false;
          const bool adjacent = Adjacent(parts[i]->relations, parts[j]->relations, &equi);
          const double rows = Rows(parts[i]->relations | parts[j]->relations);
          if ((adjacent && !best_adjacent) || (adjacent == best_adjacent && rows < best_rows)) {
            best_i = i;
            best_j = j;
            best_adjacent = adjacent;
            best_rows = rows;
          }
        }
      }
      auto joined = Join(std::move(parts[best_i]), std::move(parts[best_j]));
      parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(best_j));
      parts[best_i] = std::move(joined);
    }
    return std::move(parts[0]);
  }

  const JoinGraph& g_;
  size_t n_;
  std::vector<uint64_t> neighbours_;
  std::vector<uint64_t> pair_;       // relations a two-relation predicate joins to each
  std::vector<uint64_t> equi_pair_;  // the same for equalities
  std::vector<const JoinGraph::Predicate*> wide_;  // predicates over three or more relations
  std::vector<std::vector<const JoinGraph::Predicate*>> classes_;  // by equal_class
  std::vector<double> best_cost_;
  std::vector<uint64_t> best_split_;
  // The relation the best plan reads by lookups from best_split_, or 0.
  std::vector<uint64_t> best_lookup_;
  std::vector<double> rows_;
  bool has_keys_ = false;  // a relation has unique keys (Rows looks at them)
  mutable std::unordered_map<uint64_t, double> rows_memo_;
};

}  // namespace

std::unique_ptr<JoinTree> OrderJoins(const JoinGraph& graph) { return Planner(graph).Plan(); }

std::unique_ptr<JoinTree> JoinsInOrder(const JoinGraph& graph) { return Planner(graph).LeftDeep(); }

}  // namespace neuroquantum::exec
