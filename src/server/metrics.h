// Request metrics in Prometheus' text exposition format (version 0.0.4):
// a counter per route, method and status, and a latency histogram per route
// and method. Routes are the route table's patterns ("/api/v1/sessions/{id}"),
// so label values stay few whatever paths clients send.
//
// Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace neuroquantum::server {

class Metrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,    0.25,  0.5,    1,     2.5,  5,    10};

  void RecordRequest(std::string_view route, std::string_view method, int status, double seconds);
  uint64_t total_requests() const;

  // Per route and method: requests, mean latency, and latency quantiles
  // estimated as the upper bound of the histogram bucket they fall in.
  struct RouteLatency {
    std::string route, method;
    uint64_t count = 0;
    double mean_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0;
  };
  std::vector<RouteLatency> Latencies() const;
  // Appends the request families to `out`.
  void Render(std::string* out) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // cumulative at render, per-bucket here
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>> counts_;
  std::map<std::pair<std::string, std::string>, Histogram, std::less<>> latency_;
  uint64_t total_ = 0;
};

// Helpers for the families the API adds (database and process figures).
void AppendMetric(std::string* out, std::string_view name, std::string_view type, std::string_view help,
                  double value);

}  // namespace neuroquantum::server
