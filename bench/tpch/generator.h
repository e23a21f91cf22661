// The TPC-H data generator of tpch_bench: the eight tables of the TPC-H
// specification (clause 1.4) with the cardinalities and value rules of its
// clause 4.2, written from the specification's text. It is deterministic:
// one seed and one scale factor always give the same rows, so the rows are
// streamed twice (once per engine) instead of being held in memory.
//
// What follows the specification: key ranges and cardinalities per scale
// factor, the sparse order keys (8 used of every 32), customers whose key is
// a multiple of 3 placing no orders, the four suppliers of each part, the
// retail price formula, the uniform ranges of quantities, prices, discounts,
// taxes, balances and dates, the ship/commit/receipt date rules, return
// flag and line status against the current date 1995-06-17, order status and
// total price from the lines, the fixed nation and region lists, part names
// of five distinct colour words, the type, container, segment, priority,
// ship mode and ship instruction lists, phone numbers from the nation key,
// and the "Customer ... Complaints/Recommends" supplier comments.
// What is simpler: comments come from a small sentence grammar of our own
// (clause 4.2.2.10 describes a larger one), cut from a fixed pool of text at
// random offsets with the specified length ranges.
//
// Thread safety: a Generator is immutable after construction; each call
// runs its own random streams, so calls may run on different threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace neuroquantum::bench::tpch {

// Days since 1970-01-01 (proleptic Gregorian calendar).
using Day = int32_t;
Day DayFromCivil(int year, int month, int day);
// The ISO form YYYY-MM-DD.
std::string DayToString(Day day);

// Money and other two-decimal values are held in hundredths, exactly.
using Cents = int64_t;
// The value as decimal text ("-12.05"), what a DECIMAL(15,2) column reads.
std::string CentsToString(Cents value);

struct RegionRow {
  int64_t regionkey;
  std::string name, comment;
};
struct NationRow {
  int64_t nationkey;
  std::string name;
  int64_t regionkey;
  std::string comment;
};
struct SupplierRow {
  int64_t suppkey;
  std::string name, address;
  int64_t nationkey;
  std::string phone;
  Cents acctbal;
  std::string comment;
};
struct CustomerRow {
  int64_t custkey;
  std::string name, address;
  int64_t nationkey;
  std::string phone;
  Cents acctbal;
  std::string mktsegment, comment;
};
struct PartRow {
  int64_t partkey;
  std::string name, mfgr, brand, type;
  int64_t size;
  std::string container;
  Cents retailprice;
  std::string comment;
};
struct PartSuppRow {
  int64_t partkey, suppkey, availqty;
  Cents supplycost;
  std::string comment;
};
struct OrderRow {
  int64_t orderkey, custkey;
  std::string orderstatus;
  Cents totalprice;
  Day orderdate;
  std::string orderpriority, clerk;
  int64_t shippriority;
  std::string comment;
};
struct LineItemRow {
  int64_t orderkey, partkey, suppkey, linenumber;
  Cents quantity, extendedprice, discount, tax;  // quantity in hundredths too
  std::string returnflag, linestatus;
  Day shipdate, commitdate, receiptdate;
  std::string shipinstruct, shipmode, comment;
};

// Rows per table at the generator's scale factor (lineitem is exact only
// after generation; the figure here is its expected value).
class Random;

struct Cardinalities {
  int64_t supplier, part, partsupp, customer, orders, lineitem_expected;
};

class Generator {
 public:
  // REQUIRES: scale_factor > 0. Table sizes are rounded to whole rows, at
  // least one (at least 4 suppliers, so that every part has 4 distinct ones).
  Generator(double scale_factor, uint64_t seed);

  double scale_factor() const { return scale_factor_; }
  const Cardinalities& cardinalities() const { return counts_; }

  void Regions(const std::function<void(const RegionRow&)>& sink) const;
  void Nations(const std::function<void(const NationRow&)>& sink) const;
  void Suppliers(const std::function<void(const SupplierRow&)>& sink) const;
  void Customers(const std::function<void(const CustomerRow&)>& sink) const;
  void Parts(const std::function<void(const PartRow&)>& sink) const;
  void PartSupps(const std::function<void(const PartSuppRow&)>& sink) const;
  // Each order with its lines (1 to 7), which decide its status and total.
  void Orders(const std::function<void(const OrderRow&, const std::vector<LineItemRow>&)>& sink) const;

  // The supplier of part `partkey` numbered `i` (0..3): clause 4.2.3's
  // formula, moved on to the next key when it repeats an earlier supplier
  // of the part (the formula alone can repeat at very small scale factors).
  int64_t SupplierOfPart(int64_t partkey, int i) const;
  // P_RETAILPRICE of a part, clause 4.2.3.
  static Cents RetailPrice(int64_t partkey);

 private:
  // Random length in [min_len, max_len] cut from the text pool.
  std::string Comment(Random* random, int min_len, int max_len) const;

  double scale_factor_;
  uint64_t seed_;
  Cardinalities counts_;
  std::string text_pool_;
  // Suppliers whose comment holds "Customer ... Complaints" (Q16 leaves
  // them out) or "Customer ... Recommends"; sorted, disjoint.
  std::vector<int64_t> complaints_, recommends_;
};

}  // namespace neuroquantum::bench::tpch
