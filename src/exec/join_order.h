// Join ordering: the cheapest tree of inner joins over a set of relations
// and the predicates between them (docs/architecture/optimizer.md).
//
// Relations are numbered 0..n-1 with an estimated row count each (after
// their own filters). A predicate names the relations it reads (a bit
// set) and keeps a fraction of the rows (its selectivity); an equality
// between two relations makes their join a hash join, anything else a
// nested loop.
//
// Up to kMaxDpRelations relations, dynamic programming over the connected
// subsets of the join graph finds the cheapest bushy tree without cross
// products (DPsub with connectivity tests: every connected subset is split
// into two connected halves joined by a predicate). Beyond that, and for
// the parts a graph without predicates leaves disconnected, greedy
// operator ordering joins the pair with the smallest result first.
//
// The cost of a join is its inputs' costs plus, for a hash join, the rows
// of both inputs (build and probe) and its output; for a nested loop, the
// product of its inputs' rows and its output. A row the join materialises
// (the build side's, the output's) costs more the more columns it carries
// (kColumnCost each, exec/estimate.h): joined rows carry every column of their relations.
// The input cheaper to materialise is put on the right (the side the join
// builds). A leaf costs the rows its scan reads.
//
// A relation with an index on a column that an equality joins to other
// relations can instead be read by index lookups: a lookup join costs its
// outer input's cost, plus for each outer row the relation's lookup cost
// (a seek and the rows it fetches), plus its output. The relation is not
// scanned at all, so a few outer rows against a large indexed table win.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace neuroquantum::exec {

struct JoinGraph {
  struct Relation {
    double rows = 1;       // rows it yields
    double scan_cost = 1;  // rows its scan reads
    double width = 0;      // columns its rows carry
    // Relations whose rows can look this one up through an index (bit i:
    // relation i), and the cost of one lookup from a row of each (by
    // relation number; sized when lookup_from is not 0).
    uint64_t lookup_from = 0;
    std::vector<double> lookup_cost;
    // The unique keys of a base table (primary key, UNIQUE indexes): for
    // each, per key column, the relations an equality joins that column to
    // (bit i: relation i). Once every column of a key of several columns
    // is joined to the rest of a set, each row of the rest finds at most
    // one row of this relation, and is taken to find one (a foreign key's
    // join): the set has rows(rest) * rows / base_rows rows, whatever the
    // columns' separate selectivities multiply to.
    std::vector<std::vector<uint64_t>> unique_keys;
    double base_rows = 0;  // rows of the table before its own filters
  };
  struct Predicate {
    uint64_t relations = 0;  // bit i: reads relation i
    double selectivity = 1;
    bool equi = false;  // column = column between two relations (hash join key)
    // Equalities of one class of columns equal to each other (a = b,
    // b = c and the implied a = c) share a number: among k relations of
    // a class, only the k - 1 of a spanning tree filter independently.
    // -1: none.
    int equal_class = -1;
  };
  std::vector<Relation> relations;
  std::vector<Predicate> predicates;
};

struct JoinTree {
  int relation = -1;  // a leaf; -1 for a join
  std::unique_ptr<JoinTree> left, right;
  // A lookup join: `right` is a leaf read by index lookups for each row of
  // `left`.
  bool lookup = false;
  uint64_t relations = 0;  // the leaves below
  double rows = 0;
  double cost = 0;
};

inline constexpr size_t kMaxDpRelations = 12;
inline constexpr size_t kMaxJoinRelations = 64;

// REQUIRES: 1 <= relations <= kMaxJoinRelations.
std::unique_ptr<JoinTree> OrderJoins(const JoinGraph& graph);
// The relations joined left-deep in their given order, with the same
// estimates (DatabaseOptions::reorder_joins off).
std::unique_ptr<JoinTree> JoinsInOrder(const JoinGraph& graph);

}  // namespace neuroquantum::exec
