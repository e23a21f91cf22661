// Synthetic trace shapes.
#include "neuro/trace_generators.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "neuro/random.h"

namespace neuroquantum::neuro {
namespace {

class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double theta) : cdf_(n) {
    double sum = 0;
    for (uint64_t i = 0; i < n; ++i) cdf_[i] = sum += 1.0 / std::pow(static_cast<double>(i + 1), theta);
    for (double& c : cdf_) c /= sum;
  }
  // 0-based rank.
  uint64_t Sample(Random* rng) const {
    double u = rng->Uniform();
    return static_cast<uint64_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

// A table stored as a B+ tree: pages [base, base + 2 + inner + leaves).
struct Table {
  uint64_t base;
  uint64_t rows;
  uint64_t rows_per_leaf;
  uint64_t leaves() const { return (rows + rows_per_leaf - 1) / rows_per_leaf; }
  uint64_t inner() const { return (leaves() + 63) / 64; }
  uint64_t end() const { return base + 1 + inner() + leaves() + 1; }
  // Root, inner node, leaf of the row.
  void Access(uint64_t row, std::vector<uint64_t>* out) const {
    uint64_t leaf = std::min(row, rows - 1) / rows_per_leaf;
    out->push_back(base);
    out->push_back(base + 1 + leaf / 64);
    out->push_back(base + 1 + inner() + leaf);
  }
  // Scan of rows [first, first + count): one traversal then the leaves.
  void Scan(uint64_t first, uint64_t count, std::vector<uint64_t>* out) const {
    Access(first, out);
    uint64_t last_leaf = std::min(first + count, rows) / rows_per_leaf;
    for (uint64_t leaf = first / rows_per_leaf + 1; leaf <= last_leaf && leaf < leaves(); ++leaf) {
      out->push_back(base + 1 + inner() + leaf);
    }
  }
};

uint64_t NuRand(Random* rng, uint64_t a, uint64_t x, uint64_t y) {
  return (((rng->Below(a + 1)) | (x + rng->Below(y - x + 1))) % (y - x + 1)) + x;
}

}  // namespace

std::vector<uint64_t> LoopingScanTrace(uint64_t loop_pages, size_t length) {
  std::vector<uint64_t> out(length);
  for (size_t i = 0; i < length; ++i) out[i] = 1 + i % loop_pages;
  return out;
}

std::vector<uint64_t> ZipfianTrace(uint64_t pages, double theta, size_t length, uint64_t seed) {
  Random rng(seed);
  ZipfSampler zipf(pages, theta);
  std::vector<uint64_t> page_of_rank(pages);
  std::iota(page_of_rank.begin(), page_of_rank.end(), 1);
  rng.Shuffle(&page_of_rank);
  std::vector<uint64_t> out(length);
  for (auto& p : out) p = page_of_rank[zipf.Sample(&rng)];
  return out;
}

std::vector<uint64_t> UniformTrace(uint64_t pages, size_t length, uint64_t seed) {
  Random rng(seed);
  std::vector<uint64_t> out(length);
  for (auto& p : out) p = 1 + rng.Below(pages);
  return out;
}

std::vector<uint64_t> CorrelatedTrace(uint64_t pages, int templates, int template_length,
                                      double noise, size_t length, uint64_t seed) {
  Random rng(seed);
  // Distinct pages per query position (a shuffled prefix of 1..pages).
  std::vector<uint64_t> pool(pages);
  std::iota(pool.begin(), pool.end(), 1);
  rng.Shuffle(&pool);
  std::vector<std::vector<uint64_t>> shapes(static_cast<size_t>(templates));
  size_t next = 0;
  for (auto& shape : shapes) {
    for (int i = 0; i < template_length; ++i) shape.push_back(pool[next++ % pool.size()]);
  }
  ZipfSampler points(1000, 0.9);
  std::vector<uint64_t> out;
  out.reserve(length);
  for (size_t q = 0; out.size() < length; q = (q + 1) % shapes.size()) {
    for (uint64_t page : shapes[q]) {
      while (out.size() < length && rng.Uniform() < noise) out.push_back(pages + 1 + points.Sample(&rng));
      if (out.size() < length) out.push_back(page);
    }
  }
  return out;
}

std::vector<uint64_t> TpccLikeTrace(size_t length, uint64_t seed) {
  Random rng(seed);
  // One warehouse: 10 districts, 30k customers, 100k items and stock rows,
  // orders growing from 30k. Rows per leaf from typical row sizes on 4 KiB pages.
  Table warehouse{1, 1, 1};
  Table district{warehouse.end(), 10, 10};
  Table customer{district.end(), 30000, 6};
  Table item{customer.end(), 100000, 50};
  Table stock{item.end(), 100000, 12};
  const uint64_t max_orders = 30000 + length / 10 + 10;
  Table orders{stock.end(), max_orders, 100};
  Table order_line{orders.end(), max_orders * 10, 60};
  uint64_t next_order = 30000;
  uint64_t oldest_undelivered = 27900;
  std::vector<uint64_t> out;
  out.reserve(length + 1024);
  while (out.size() < length) {
    uint64_t dice = rng.Below(100);
    uint64_t cust = NuRand(&rng, 1023, 0, 29999);
    if (dice < 45) {  // New-Order
      warehouse.Access(0, &out);
      district.Access(rng.Below(10), &out);
      customer.Access(cust, &out);
      uint64_t lines = 5 + rng.Below(11);
      for (uint64_t l = 0; l < lines; ++l) {
        uint64_t it = NuRand(&rng, 8191, 0, 99999);
        item.Access(it, &out);
        stock.Access(it, &out);
      }
      orders.Access(next_order, &out);
      order_line.Scan(next_order * 10, lines, &out);
      next_order = std::min(next_order + 1, max_orders - 1);
    } else if (dice < 88) {  // Payment
      warehouse.Access(0, &out);
      district.Access(rng.Below(10), &out);
      if (rng.Below(100) < 60) {
        customer.Scan(cust, 3, &out);  // by last name: a few neighbouring rows
      } else {
        customer.Access(cust, &out);
      }
    } else if (dice < 92) {  // Order-Status
      customer.Access(cust, &out);
      uint64_t o = rng.Below(next_order);
      orders.Access(o, &out);
      order_line.Scan(o * 10, 10, &out);
    } else if (dice < 96) {  // Delivery: the oldest undelivered order of each district
      for (int d = 0; d < 10; ++d) {
        uint64_t o = std::min(oldest_undelivered++, next_order);
        orders.Access(o, &out);
        order_line.Scan(o * 10, 10, &out);
        customer.Access(rng.Below(30000), &out);
      }
    } else {  // Stock-Level: order lines of the last 20 orders, then their stock
      district.Access(rng.Below(10), &out);
      uint64_t first = next_order > 20 ? next_order - 20 : 0;
      order_line.Scan(first * 10, 200, &out);
      for (int s = 0; s < 20; ++s) stock.Access(NuRand(&rng, 8191, 0, 99999), &out);
    }
  }
  out.resize(length);
  return out;
}

}  // namespace neuroquantum::neuro
