#include "server/rate_limit.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "common/log.h"

namespace neuroquantum::server {

namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t CeilMs(double ms) { return ms <= 0 ? 0 : static_cast<uint64_t>(std::ceil(ms)); }

}  // namespace

MemoryRateLimiter::MemoryRateLimiter(Clock now_ms, size_t max_buckets)
    : now_ms_(now_ms ? std::move(now_ms) : Clock(SteadyMillis)), max_buckets_(std::max<size_t>(max_buckets, 1)) {}

// The same arithmetic as the Redis script (redis_rate_limit.cc): refill in
// proportion to the time passed, capped at the limit.
Status MemoryRateLimiter::Take(std::span<const RateBucket> buckets, bool* allowed, std::vector<BucketState>* states) {
  int64_t now = now_ms_();
  MutexLock lock(&mu_);
  if (buckets_.size() + buckets.size() > max_buckets_) PruneLocked(now);
  std::vector<Bucket*> found;
  found.reserve(buckets.size());
  *allowed = true;
  for (const RateBucket& b : buckets) {
    auto [it, inserted] = buckets_.try_emplace(b.key);
    Bucket& bucket = it->second;
    double limit = b.limit, window = b.window_ms;
    if (inserted || bucket.limit != limit || bucket.window_ms != window) {
      // New, or its limit changed (a key's setting was edited): start full.
      bucket = Bucket{limit, now, limit, window};
    } else if (now > bucket.updated_ms) {
      bucket.tokens = std::min(limit, bucket.tokens + static_cast<double>(now - bucket.updated_ms) * limit / window);
    }
    bucket.updated_ms = std::max(bucket.updated_ms, now);
    if (bucket.tokens < 1) *allowed = false;
    found.push_back(&bucket);
  }
  states->clear();
  for (Bucket* bucket : found) {
    if (*allowed) bucket->tokens -= 1;
    BucketState state;
    state.remaining = static_cast<uint32_t>(std::max(0.0, std::floor(bucket->tokens)));
    state.full_in_ms = CeilMs((bucket->limit - bucket->tokens) * bucket->window_ms / bucket->limit);
    state.next_token_in_ms = bucket->tokens >= 1 ? 0 : CeilMs((1 - bucket->tokens) * bucket->window_ms / bucket->limit);
    states->push_back(state);
  }
  return Status::OK();
}

// Drops the buckets that are full by now: they are indistinguishable from
// buckets never seen.
void MemoryRateLimiter::PruneLocked(int64_t now) {
  std::erase_if(buckets_, [now](const auto& entry) {
    const Bucket& b = entry.second;
    double elapsed = static_cast<double>(std::max<int64_t>(0, now - b.updated_ms));
    return b.tokens + elapsed * b.limit / b.window_ms >= b.limit;
  });
  if (buckets_.size() >= max_buckets_) {
    // Still full of active buckets (a flood of addresses): forget them all
    // rather than grow without bound; the log says limits were reset.
    NQ_LOG_WARN("ratelimit", "{} active buckets, more than the table holds: resetting them", buckets_.size());
    buckets_.clear();
  }
}

size_t MemoryRateLimiter::size() {
  MutexLock lock(&mu_);
  return buckets_.size();
}

RateDecision Summarize(std::span<const RateBucket> buckets, bool allowed, const std::vector<BucketState>& states) {
  RateDecision d;
  d.allowed = allowed;
  double lowest = 2;
  for (size_t i = 0; i < buckets.size() && i < states.size(); ++i) {
    const BucketState& s = states[i];
    double fraction = static_cast<double>(s.remaining) / buckets[i].limit;
    if (fraction < lowest) {
      lowest = fraction;
      d.limited = true;
      d.bucket = i;
      d.limit = buckets[i].limit;
      d.remaining = s.remaining;
      d.reset_ms = s.full_in_ms;
    }
    if (!allowed) d.retry_after_ms = std::max(d.retry_after_ms, s.next_token_in_ms);
  }
  return d;
}

Result<RedisAddress> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  auto bad = [url](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad Redis URL \"{}\": {} (expected redis://[:password@]host[:port][/db])",
                                               url, why));
  };
  if (!url.starts_with(kScheme)) return bad("it does not start with redis://");
  std::string_view rest = url.substr(kScheme.size());
  RedisAddress address;
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = credentials.find(':');
    if (colon == std::string_view::npos) return bad("credentials need a ':' before the password");
    address.user = std::string(credentials.substr(0, colon));
    address.password = std::string(credentials.substr(colon + 1));
  }
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [end, error] = std::from_chars(db.data(), db.data() + db.size(), address.db);
      if (error != std::errc() || end != db.data() + db.size()) return bad("the database is not a number");
    }
  }
  std::string_view host = hostport;
  if (hostport.starts_with('[')) {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    host = hostport.substr(1, close - 1);
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport.front() != ':') return bad("junk after ']'");
  } else {
    size_t colon = hostport.find(':');
    host = hostport.substr(0, colon);
    hostport = colon == std::string_view::npos ? std::string_view() : hostport.substr(colon);
  }
  if (host.empty()) return bad("no host");
  address.host = std::string(host);
  if (!hostport.empty()) {
    std::string_view port = hostport.substr(1);
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("bad port");
    }
    address.port = static_cast<uint16_t>(value);
  }
  return address;
}

RateLimiter::RateLimiter() = default;

Result<std::unique_ptr<RateLimiter>> RateLimiter::WithRedis(const RedisSettings& settings) {
  NQ_ASSIGN_OR_RETURN(RedisAddress address, ParseRedisUrl(settings.url));
  std::unique_ptr<RateLimiter> limiter(new RateLimiter());
  limiter->settings_ = settings;
  limiter->address_ = address;
  limiter->redis_ = NewRedisRateLimiter(settings, address);
  Status ping = PingRedis(settings, address);
  if (ping.ok()) {
    limiter->redis_up_.store(true);
    NQ_LOG_INFO("ratelimit", "rate limits kept in Redis at {}:{}", address.host, address.port);
  } else {
    NQ_LOG_WARN("ratelimit", "Redis at {}:{} is unreachable ({}): rate limits are kept in memory until it answers",
                address.host, address.port, ping.message());
  }
  limiter->pinger_ = std::thread([l = limiter.get()] { l->PingLoop(); });
  return limiter;
}

RateLimiter::~RateLimiter() {
  if (pinger_.joinable()) {
    {
      MutexLock lock(&ping_mu_);
      stopping_ = true;
    }
    ping_cv_.Signal();
    pinger_.join();
  }
}

RateDecision RateLimiter::Decide(std::span<const RateBucket> buckets) {
  if (buckets.empty()) return RateDecision{};
  decisions_.fetch_add(1, std::memory_order_relaxed);
  bool allowed = true;
  std::vector<BucketState> states;
  Status s = Status::IOError("Redis is not in use");
  if (redis_ != nullptr && redis_up_.load(std::memory_order_acquire)) {
    s = redis_->Take(buckets, &allowed, &states);
    if (!s.ok()) MarkRedisDown(s);
  }
  if (!s.ok()) (void)memory_.Take(buckets, &allowed, &states);  // cannot fail
  if (!allowed) refused_.fetch_add(1, std::memory_order_relaxed);
  return Summarize(buckets, allowed, states);
}

void RateLimiter::MarkRedisDown(const Status& why) {
  redis_errors_.fetch_add(1, std::memory_order_relaxed);
  if (redis_up_.exchange(false, std::memory_order_acq_rel)) {
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    NQ_LOG_WARN("ratelimit", "Redis at {}:{} failed ({}): rate limits are kept in memory until it answers",
                address_.host, address_.port, why.message());
    ping_cv_.Signal();
  }
}

void RateLimiter::PingLoop() {
  for (;;) {
    {
      MutexLock lock(&ping_mu_);
      if (!stopping_) (void)ping_cv_.WaitFor(&ping_mu_, settings_.retry);
      if (stopping_) return;
    }
    if (redis_up_.load(std::memory_order_acquire)) continue;
    if (PingRedis(settings_, address_).ok()) {
      redis_up_.store(true, std::memory_order_release);
      NQ_LOG_INFO("ratelimit", "Redis at {}:{} answers again: rate limits are kept in Redis", address_.host,
                  address_.port);
    }
  }
}

std::string_view RateLimiter::backend() const {
  if (redis_ == nullptr) return "memory";
  return redis_up_.load(std::memory_order_acquire) ? "redis" : "memory-fallback";
}

RateLimiter::Counters RateLimiter::counters() const {
  return Counters{decisions_.load(std::memory_order_relaxed), refused_.load(std::memory_order_relaxed),
                  redis_errors_.load(std::memory_order_relaxed), fallbacks_.load(std::memory_order_relaxed)};
}

}  // namespace neuroquantum::server
