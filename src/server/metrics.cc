#include "server/metrics.h"

#include <algorithm>

#include <fmt/format.h>

namespace neuroquantum::server {

namespace {

// Label values escape backslash, quote and newline.
std::string Escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Metrics::RecordRequest(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++total_;
  // Look up before building keys: after warm-up every series exists.
  auto count = std::find_if(counts_.begin(), counts_.end(), [&](const auto& entry) {
    const auto& [r, m, s] = entry.first;
    return s == status && r == route && m == method;
  });
  if (count == counts_.end()) {
    count = counts_.emplace(std::make_tuple(std::string(route), std::string(method), status), 0).first;
  }
  ++count->second;
  auto series = std::find_if(latency_.begin(), latency_.end(), [&](const auto& entry) {
    return entry.first.first == route && entry.first.second == method;
  });
  if (series == latency_.end()) {
    series = latency_.emplace(std::make_pair(std::string(route), std::string(method)), Histogram{}).first;
  }
  Histogram& h = series->second;
  ++h.count;
  h.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.buckets[i];
      break;
    }
  }
}

uint64_t Metrics::total_requests() const {
  std::lock_guard lock(mu_);
  return total_;
}

std::vector<Metrics::RouteLatency> Metrics::Latencies() const {
  std::lock_guard lock(mu_);
  std::vector<RouteLatency> out;
  for (const auto& [key, histogram] : latency_) {
    const Histogram& h = histogram;  // a structured binding cannot be captured (clang 14)
    RouteLatency r;
    r.route = key.first;
    r.method = key.second;
    r.count = h.count;
    r.mean_ms = h.count == 0 ? 0 : h.sum / static_cast<double>(h.count) * 1000;
    auto quantile = [&](double q) {
      auto rank = static_cast<uint64_t>(q * static_cast<double>(h.count));
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.buckets[i];
        if (cumulative > rank) return kBuckets[i] * 1000;
      }
      return kBuckets.back() * 1000;  // beyond the last bucket
    };
    r.p50_ms = quantile(0.5);
    r.p95_ms = quantile(0.95);
    r.p99_ms = quantile(0.99);
    out.push_back(std::move(r));
  }
  return out;
}

void Metrics::Render(std::string* out) const {
  std::lock_guard lock(mu_);
  *out += "# HELP nqdb_http_requests_total HTTP requests answered, by route, method and status.\n";
  *out += "# TYPE nqdb_http_requests_total counter\n";
  for (const auto& [key, count] : counts_) {
    const auto& [route, method, status] = key;
    *out += fmt::format("nqdb_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                        Escape(route), Escape(method), status, count);
  }
  *out += "# HELP nqdb_http_request_duration_seconds Time from request received to response ready.\n";
  *out += "# TYPE nqdb_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    std::string labels = fmt::format("route=\"{}\",method=\"{}\"", Escape(key.first), Escape(key.second));
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      *out += fmt::format("nqdb_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                          cumulative);
    }
    *out += fmt::format("nqdb_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, h.count);
    *out += fmt::format("nqdb_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    *out += fmt::format("nqdb_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
}

void AppendMetric(std::string* out, std::string_view name, std::string_view type, std::string_view help,
                  double value) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

}  // namespace neuroquantum::server
