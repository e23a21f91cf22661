// Rate limiting: token buckets, decided in Redis so that several server
// processes share one limit, with an in-memory limiter standing in while
// Redis is unreachable.
//
// A limit is "N requests per window": a bucket holds at most N tokens, a
// request takes one, and tokens come back at N per window (continuously,
// not at window boundaries). A bucket nobody touched is full.
//
// One decision covers every bucket a request is counted against (its client
// address, its API key, key generation): the request is allowed only if
// each bucket has a token, and then takes one from each; a refused request
// takes none. In Redis that is one Lua script run atomically on the Redis
// server, with Redis' own clock, so processes with skewed clocks agree.
//
// Backend switching: the first Redis error (connection refused, timeout, a
// bad reply) moves the limiter to its in-memory buckets for that decision
// and the following ones, logs it and counts it; a background thread then
// pings Redis every retry interval and moves back when it answers. Requests
// never wait for a reconnection. While the fallback serves, limits hold per
// process, not across processes.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "neuroquantum/result.h"

namespace neuroquantum::server {

// One bucket a request is counted against.
struct RateBucket {
  std::string key;        // "addr:127.0.0.1", "key:key_0123...", "keygen:127.0.0.1"
  uint32_t limit = 0;     // requests per window (> 0)
  uint32_t window_ms = 0; // > 0
};

// A bucket's state after a decision.
struct BucketState {
  uint32_t remaining = 0;      // whole tokens left
  uint64_t full_in_ms = 0;     // until the bucket is full again
  uint64_t next_token_in_ms = 0;  // until it holds a whole token (0: it does)
};

struct RateDecision {
  bool allowed = true;
  // The bucket with the fewest tokens left (for X-RateLimit-*), or none if
  // the request was counted against no bucket.
  bool limited = false;
  size_t bucket = 0;  // its index; refused: a bucket without a token
  uint32_t limit = 0;
  uint32_t remaining = 0;
  uint64_t reset_ms = 0;        // until that bucket is full again
  uint64_t retry_after_ms = 0;  // refused: until every bucket has a token
};

// A store of buckets.
class RateLimitBackend {
 public:
  virtual ~RateLimitBackend() = default;
  // The all-or-nothing decision over `buckets` (at least one). Sets
  // *allowed and one state per bucket, in order.
  virtual Status Take(std::span<const RateBucket> buckets, bool* allowed, std::vector<BucketState>* states) = 0;
};

// Buckets in this process, on a caller-supplied clock (milliseconds).
// Buckets that have refilled completely are dropped when the table grows.
class MemoryRateLimiter final : public RateLimitBackend {
 public:
  using Clock = std::function<int64_t()>;
  explicit MemoryRateLimiter(Clock now_ms = nullptr, size_t max_buckets = 100000);
  Status Take(std::span<const RateBucket> buckets, bool* allowed, std::vector<BucketState>* states) override;
  size_t size();

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
    double limit = 0;
    double window_ms = 0;
  };
  void PruneLocked(int64_t now) REQUIRES(mu_);

  const Clock now_ms_;
  const size_t max_buckets_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
};

struct RedisSettings {
  std::string url;  // redis://[[user]:password@]host[:port][/db]
  std::chrono::milliseconds timeout{100};  // connecting and each command
  std::chrono::milliseconds retry{1000};   // between pings while unreachable
  std::string key_prefix = "nqdb:rl:";
};

// Where a redis:// URL points.
struct RedisAddress {
  std::string host;
  uint16_t port = 6379;
  std::string user, password;
  uint32_t db = 0;
};
// InvalidArgument naming what is wrong.
Result<RedisAddress> ParseRedisUrl(std::string_view url);

// Buckets in Redis (redis_rate_limit.cc; hiredis stays out of headers).
// Take returns IOError when Redis cannot be reached or answers with an
// error. A small pool of connections is shared by the calling threads.
std::unique_ptr<RateLimitBackend> NewRedisRateLimiter(const RedisSettings& settings, const RedisAddress& address);
// One PING with the settings' timeout: OK if Redis answers.
Status PingRedis(const RedisSettings& settings, const RedisAddress& address);

// The server's limiter: Redis when configured and reachable, else memory.
class RateLimiter {
 public:
  struct Counters {
    uint64_t decisions = 0;
    uint64_t refused = 0;
    uint64_t redis_errors = 0;
    uint64_t fallbacks = 0;  // switches from Redis to memory
  };
  // Memory only.
  RateLimiter();
  // Redis at `settings.url`, memory while it is unreachable. InvalidArgument
  // for a bad URL; an unreachable Redis at start is not an error (the
  // fallback serves and the pinger keeps trying).
  static Result<std::unique_ptr<RateLimiter>> WithRedis(const RedisSettings& settings);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  RateDecision Decide(std::span<const RateBucket> buckets);

  // "memory" (no Redis configured), "redis", or "memory-fallback" (Redis
  // configured but unreachable).
  std::string_view backend() const;
  bool redis_configured() const { return redis_ != nullptr; }
  Counters counters() const;

 private:
  void MarkRedisDown(const Status& why);
  void PingLoop();

  MemoryRateLimiter memory_;
  RedisSettings settings_;
  RedisAddress address_;
  std::unique_ptr<RateLimitBackend> redis_;
  std::atomic<bool> redis_up_{false};
  std::atomic<uint64_t> decisions_{0}, refused_{0}, redis_errors_{0}, fallbacks_{0};
  Mutex ping_mu_;
  CondVar ping_cv_;
  bool stopping_ GUARDED_BY(ping_mu_) = false;
  std::thread pinger_;
};

// Folds bucket states into the decision reported to the client.
RateDecision Summarize(std::span<const RateBucket> buckets, bool allowed, const std::vector<BucketState>& states);

}  // namespace neuroquantum::server
