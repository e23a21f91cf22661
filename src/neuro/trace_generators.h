// Synthetic page-access traces for evaluating replacement policies: the
// shapes the benchmark and the tests use. Deterministic for a seed.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace neuroquantum::neuro {

// Pages 1..loop_pages scanned in order, again and again, `length` accesses.
std::vector<uint64_t> LoopingScanTrace(uint64_t loop_pages, size_t length);

// Independent accesses to pages 1..pages with Zipf(theta) popularity (page
// ranks shuffled so popularity is not page order).
std::vector<uint64_t> ZipfianTrace(uint64_t pages, double theta, size_t length, uint64_t seed);

// Independent uniform accesses to pages 1..pages.
std::vector<uint64_t> UniformTrace(uint64_t pages, size_t length, uint64_t seed);

// Correlated accesses: `templates` queries, each a fixed sequence of
// `template_length` distinct pages drawn from 1..pages, run again and again in a
// fixed order (a periodic report), with a fraction `noise` of the accesses
// replaced by Zipf(0.9) point lookups on 1000 other pages.
std::vector<uint64_t> CorrelatedTrace(uint64_t pages, int templates, int template_length,
                                      double noise, size_t length, uint64_t seed);

// A TPC-C-like mix over one warehouse's tables laid out as B+ trees (each
// row access walks root, inner node, leaf): New-Order 45%, Payment 43%,
// Order-Status 4%, Delivery 4%, Stock-Level 4%, with TPC-C's NURand skew
// on customers and items, appended orders and order lines, and the
// stock-level scan over the last 20 orders.
std::vector<uint64_t> TpccLikeTrace(size_t length, uint64_t seed);

}  // namespace neuroquantum::neuro
