// Tests for the token-bucket rate limiter: the bucket arithmetic on a fake
// clock, the same scenarios against the in-memory and the Redis backends
// (a real redis-server started by the test), the all-or-nothing decision
// over several buckets, and the switch to the in-memory limiter when Redis
// dies and back when it returns.
#include "server/rate_limit.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace neuroquantum::server {
namespace {

using std::chrono::milliseconds;

// Takes from `buckets` and returns the decision with the states.
struct Taken {
  bool allowed = false;
  std::vector<BucketState> states;
};
Taken TakeFrom(RateLimitBackend* backend, const std::vector<RateBucket>& buckets) {
  Taken t;
  Status s = backend->Take(buckets, &t.allowed, &t.states);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(t.states.size(), s.ok() ? buckets.size() : 0);
  return t;
}

TEST(MemoryRateLimiterTest, BucketArithmeticOnAFakeClock) {
  int64_t now = 1'000'000;
  MemoryRateLimiter limiter([&now] { return now; });
  std::vector<RateBucket> b = {{"addr:a", 3, 60'000}};  // a token every 20 s
  for (uint32_t left : {2u, 1u, 0u}) {
    Taken t = TakeFrom(&limiter, b);
    EXPECT_TRUE(t.allowed);
    EXPECT_EQ(t.states[0].remaining, left);
    EXPECT_EQ(t.states[0].full_in_ms, (3 - left) * 20'000u);
  }
  Taken refused = TakeFrom(&limiter, b);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.states[0].next_token_in_ms, 20'000u);
  now += 5'000;
  refused = TakeFrom(&limiter, b);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.states[0].next_token_in_ms, 15'000u);
  now += 15'000;
  EXPECT_TRUE(TakeFrom(&limiter, b).allowed);
  // Refill is capped at the limit however long the bucket sat.
  now += 10 * 60'000;
  Taken full = TakeFrom(&limiter, b);
  EXPECT_EQ(full.states[0].remaining, 2u);
  // The clock going back (it should not, but) refills nothing.
  now -= 1'000'000;
  EXPECT_EQ(TakeFrom(&limiter, b).states[0].remaining, 1u);
}

TEST(MemoryRateLimiterTest, ChangedLimitStartsFull) {
  int64_t now = 0;
  MemoryRateLimiter limiter([&now] { return now; });
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(TakeFrom(&limiter, {{"key:k", 2, 3'600'000}}).allowed);
  EXPECT_FALSE(TakeFrom(&limiter, {{"key:k", 2, 3'600'000}}).allowed);
  Taken t = TakeFrom(&limiter, {{"key:k", 10, 3'600'000}});  // the key's setting was raised
  EXPECT_TRUE(t.allowed);
  EXPECT_EQ(t.states[0].remaining, 9u);
}

TEST(MemoryRateLimiterTest, IdleBucketsArePrunedAndTheTableStaysBounded) {
  int64_t now = 0;
  MemoryRateLimiter limiter([&now] { return now; }, 100);
  for (int i = 0; i < 100; ++i) TakeFrom(&limiter, {{"addr:" + std::to_string(i), 10, 1'000}});
  EXPECT_EQ(limiter.size(), 100u);
  now += 1'000;  // every bucket is full again
  TakeFrom(&limiter, {{"addr:new", 10, 1'000}});
  EXPECT_EQ(limiter.size(), 1u);
  // A flood of active buckets never grows the table past its bound.
  for (int i = 0; i < 1000; ++i) TakeFrom(&limiter, {{"addr:f" + std::to_string(i), 10, 1'000}});
  EXPECT_LE(limiter.size(), 100u);
}

TEST(SummarizeTest, ReportsTheTightestBucketAndTheLongestWait) {
  std::vector<RateBucket> b = {{"addr:a", 100, 60'000}, {"key:k", 10, 3'600'000}};
  RateDecision d = Summarize(b, true, {{50, 30'000, 0}, {2, 2'880'000, 0}});
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.limited);
  EXPECT_EQ(d.bucket, 1u);
  EXPECT_EQ(d.limit, 10u);
  EXPECT_EQ(d.remaining, 2u);
  EXPECT_EQ(d.reset_ms, 2'880'000u);
  d = Summarize(b, false, {{0, 60'000, 600}, {0, 3'600'000, 360'000}});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 360'000u);
  EXPECT_EQ(d.remaining, 0u);
}

TEST(RedisUrlTest, Forms) {
  auto a = ParseRedisUrl("redis://127.0.0.1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6379);
  a = ParseRedisUrl("redis://:s3cret@cache.local:6380/2");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "cache.local");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->password, "s3cret");
  EXPECT_EQ(a->user, "");
  EXPECT_EQ(a->db, 2u);
  a = ParseRedisUrl("redis://app:pw@[::1]:7000");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 7000);
  EXPECT_EQ(a->user, "app");
  for (const char* bad : {"127.0.0.1:6379", "redis://", "redis://host:0", "redis://host:99999", "redis://host:x",
                          "redis://host/db", "redis://[::1", "redis://user@host"}) {
    auto r = ParseRedisUrl(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find(bad), std::string::npos);
    }
  }
}

// A redis-server on a free loopback port, killed at the end.
class RedisProcess {
 public:
  RedisProcess() : port_(FreePort()) {}
  ~RedisProcess() { Kill(); }

  // Starts it and waits until it answers; false if it cannot be started.
  bool Start() {
    std::string port = std::to_string(port_);
    std::vector<std::string> args = {"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no", "--logfile", "/dev/null"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = 0;
      return false;
    }
    for (int i = 0; i < 200; ++i) {
      if (PingRedis(settings(), address()).ok()) return true;
      std::this_thread::sleep_for(milliseconds(25));
    }
    return false;
  }
  void Kill() {
    if (pid_ == 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  RedisSettings settings() const {
    RedisSettings s;
    s.url = "redis://127.0.0.1:" + std::to_string(port_);
    s.timeout = milliseconds(500);
    s.retry = milliseconds(50);
    return s;
  }
  RedisAddress address() const { return *ParseRedisUrl(settings().url); }

 private:
  static uint16_t FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }
  uint16_t port_;
  pid_t pid_ = 0;
};

// The same scenarios on both backends, on real time (margins of seconds).
class BackendTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "memory") {
      backend_ = std::make_unique<MemoryRateLimiter>();
      return;
    }
    redis_ = std::make_unique<RedisProcess>();
    ASSERT_TRUE(redis_->Start()) << "redis-server could not be started (scripts/bootstrap.sh installs it)";
    backend_ = NewRedisRateLimiter(redis_->settings(), redis_->address());
  }
  std::unique_ptr<RedisProcess> redis_;
  std::unique_ptr<RateLimitBackend> backend_;
};

TEST_P(BackendTest, LimitThenRefuseWithRetryAfter) {
  std::vector<RateBucket> b = {{"addr:10.0.0.1", 3, 600'000}};  // a token every 200 s
  for (uint32_t left : {2u, 1u, 0u}) {
    Taken t = TakeFrom(backend_.get(), b);
    EXPECT_TRUE(t.allowed);
    EXPECT_EQ(t.states[0].remaining, left);
  }
  Taken refused = TakeFrom(backend_.get(), b);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.states[0].remaining, 0u);
  EXPECT_GT(refused.states[0].next_token_in_ms, 190'000u);
  EXPECT_LE(refused.states[0].next_token_in_ms, 200'000u);
  EXPECT_GT(refused.states[0].full_in_ms, 590'000u);
  // Another bucket is independent.
  EXPECT_TRUE(TakeFrom(backend_.get(), {{"addr:10.0.0.2", 3, 600'000}}).allowed);
}

TEST_P(BackendTest, RefusedRequestTakesFromNoBucket) {
  std::vector<RateBucket> both = {{"addr:a", 5, 600'000}, {"keygen:a", 1, 600'000}};
  Taken first = TakeFrom(backend_.get(), both);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.states[0].remaining, 4u);
  EXPECT_EQ(first.states[1].remaining, 0u);
  Taken second = TakeFrom(backend_.get(), both);
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.states[0].remaining, 4u);  // not taken
  EXPECT_EQ(second.states[0].next_token_in_ms, 0u);
  EXPECT_GT(second.states[1].next_token_in_ms, 0u);
  Taken alone = TakeFrom(backend_.get(), {{"addr:a", 5, 600'000}});
  EXPECT_TRUE(alone.allowed);
  EXPECT_EQ(alone.states[0].remaining, 3u);
}

TEST_P(BackendTest, TokensComeBackOverTime) {
  std::vector<RateBucket> b = {{"key:fast", 2, 400}};  // a token every 200 ms
  EXPECT_TRUE(TakeFrom(backend_.get(), b).allowed);
  EXPECT_TRUE(TakeFrom(backend_.get(), b).allowed);
  EXPECT_FALSE(TakeFrom(backend_.get(), b).allowed);
  std::this_thread::sleep_for(milliseconds(450));
  Taken t = TakeFrom(backend_.get(), b);
  EXPECT_TRUE(t.allowed);
  EXPECT_EQ(t.states[0].remaining, 1u);
}

TEST_P(BackendTest, ConcurrentCallersNeverOvershoot) {
  std::vector<RateBucket> b = {{"addr:shared", 100, 3'600'000}};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        bool ok = false;
        std::vector<BucketState> states;
        if (backend_->Take(b, &ok, &states).ok() && ok) allowed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 100);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendTest, ::testing::Values("memory", "redis"));

TEST(RateLimiterTest, FallsBackWhenRedisDiesAndReturnsWhenItIsBack) {
  RedisProcess redis;
  ASSERT_TRUE(redis.Start()) << "redis-server could not be started (scripts/bootstrap.sh installs it)";
  auto limiter = RateLimiter::WithRedis(redis.settings());
  ASSERT_TRUE(limiter.ok()) << limiter.status().ToString();
  RateLimiter& l = **limiter;
  EXPECT_EQ(l.backend(), "redis");
  std::vector<RateBucket> b = {{"addr:x", 1000, 60'000}};
  EXPECT_TRUE(l.Decide(b).allowed);
  EXPECT_EQ(l.Decide(b).remaining, 998u);

  redis.Kill();
  // Every decision is still made: the first one finds Redis gone.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.Decide(b).allowed);
  EXPECT_EQ(l.backend(), "memory-fallback");
  RateLimiter::Counters c = l.counters();
  EXPECT_EQ(c.fallbacks, 1u);
  EXPECT_GE(c.redis_errors, 1u);
  EXPECT_EQ(c.decisions, 12u);

  ASSERT_TRUE(redis.Start());
  for (int i = 0; i < 200 && l.backend() != "redis"; ++i) std::this_thread::sleep_for(milliseconds(25));
  EXPECT_EQ(l.backend(), "redis");
  // A fresh Redis holds no buckets: this one starts full.
  EXPECT_EQ(l.Decide(b).remaining, 999u);
  EXPECT_EQ(l.counters().fallbacks, 1u);
}

TEST(RateLimiterTest, UnreachableAtStartServesFromMemory) {
  RedisProcess never_started;
  auto limiter = RateLimiter::WithRedis(never_started.settings());
  ASSERT_TRUE(limiter.ok());
  EXPECT_EQ((*limiter)->backend(), "memory-fallback");
  EXPECT_TRUE((*limiter)->Decide({{{"addr:y", 1, 60'000}}}).allowed);
  EXPECT_FALSE((*limiter)->Decide({{{"addr:y", 1, 60'000}}}).allowed);
  EXPECT_FALSE(RateLimiter::WithRedis(RedisSettings{.url = "localhost:6379"}).ok());
}

}  // namespace
}  // namespace neuroquantum::server
