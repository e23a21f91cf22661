// Token buckets in Redis through hiredis: one Lua script takes a token from
// every bucket of a request or from none, atomically on the Redis server.
#include <hiredis/hiredis.h>

#include <fmt/format.h>

#include "server/rate_limit.h"

namespace neuroquantum::server {

namespace {

// KEYS: the buckets. ARGV: limit and window (ms) per bucket. Each bucket is
// a hash {t: tokens, ts: last update in ms, Redis' clock}; it expires once
// it would be full again, so idle clients cost nothing. Returns
// {allowed, then remaining, ms until full, ms until a token, per bucket}.
// A bucket whose limit changed starts full, as in MemoryRateLimiter.
constexpr std::string_view kScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens = {}
local allowed = 1
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local b = redis.call('HMGET', KEYS[i], 't', 'ts', 'l', 'w')
  local tk, ts = tonumber(b[1]), tonumber(b[2])
  if tk == nil or ts == nil or tonumber(b[3]) ~= limit or tonumber(b[4]) ~= window then
    tk, ts = limit, now
  end
  if now > ts then tk = math.min(limit, tk + (now - ts) * limit / window) end
  tokens[i] = tk
  if tk < 1 then allowed = 0 end
end
local out = {allowed}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local tk = tokens[i]
  if allowed == 1 then tk = tk - 1 end
  local full = math.ceil((limit - tk) * window / limit)
  local next_token = 0
  if tk < 1 then next_token = math.ceil((1 - tk) * window / limit) end
  redis.call('HSET', KEYS[i], 't', tostring(tk), 'ts', now, 'l', limit, 'w', window)
  redis.call('PEXPIRE', KEYS[i], full + 1000)
  out[#out + 1] = math.floor(tk)
  out[#out + 1] = full
  out[#out + 1] = next_token
end
return out
)lua";

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// Runs a command; IOError for a connection failure or an error reply.
Result<Reply> Command(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  Reply reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (reply == nullptr) return Status::IOError(fmt::format("Redis: {}", c->err != 0 ? c->errstr : "no reply"));
  if (reply->type == REDIS_REPLY_ERROR) {
    return Status::IOError(fmt::format("Redis {}: {}", args[0], std::string_view(reply->str, reply->len)));
  }
  return reply;
}

Result<Context> Connect(const RedisSettings& settings, const RedisAddress& address) {
  Context c(redisConnectWithTimeout(address.host.c_str(), address.port, ToTimeval(settings.timeout)));
  if (c == nullptr) return Status::IOError("Redis: out of memory");
  if (c->err != 0) return Status::IOError(fmt::format("connecting to Redis: {}", c->errstr));
  if (redisSetTimeout(c.get(), ToTimeval(settings.timeout)) != REDIS_OK) {
    return Status::IOError("Redis: cannot set the command timeout");
  }
  if (!address.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!address.user.empty()) auth.push_back(address.user);
    auth.push_back(address.password);
    NQ_RETURN_IF_ERROR(Command(c.get(), auth).status());
  }
  if (address.db != 0) {
    NQ_RETURN_IF_ERROR(Command(c.get(), {"SELECT", std::to_string(address.db)}).status());
  }
  return c;
}

class RedisRateLimiter final : public RateLimitBackend {
 public:
  RedisRateLimiter(RedisSettings settings, RedisAddress address)
      : settings_(std::move(settings)), address_(std::move(address)) {}

  Status Take(std::span<const RateBucket> buckets, bool* allowed, std::vector<BucketState>* states) override {
    auto c = Acquire();
    Status s = c.ok() ? TakeWith(c->get(), buckets, allowed, states) : c.status();
    MutexLock lock(&mu_);
    if (!s.ok()) {
      // The other idle connections are most likely dead too (Redis
      // restarted): they would each fail once more after a recovery.
      idle_.clear();
    } else if (idle_.size() < kMaxIdle) {
      idle_.push_back(std::move(*c));
    }
    return s;
  }

 private:
  Status TakeWith(redisContext* c, std::span<const RateBucket> buckets, bool* allowed,
                  std::vector<BucketState>* states) {
    std::vector<std::string> args;
    args.reserve(3 + 3 * buckets.size());
    args.push_back("EVALSHA");
    args.push_back(ScriptSha());
    args.push_back(std::to_string(buckets.size()));
    for (const RateBucket& b : buckets) args.push_back(settings_.key_prefix + b.key);
    for (const RateBucket& b : buckets) {
      args.push_back(std::to_string(b.limit));
      args.push_back(std::to_string(b.window_ms));
    }
    auto reply = Command(c, args);
    if (!reply.ok() && reply.status().message().find("NOSCRIPT") != std::string_view::npos) {
      args[0] = "EVAL";
      args[1] = std::string(kScript);
      reply = Command(c, args);
    }
    NQ_RETURN_IF_ERROR(reply.status());
    const redisReply* r = reply->get();
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 + 3 * buckets.size()) {
      return Status::IOError("Redis: unexpected reply from the rate-limit script");
    }
    for (size_t i = 0; i < r->elements; ++i) {
      if (r->element[i]->type != REDIS_REPLY_INTEGER || r->element[i]->integer < 0) {
        return Status::IOError("Redis: unexpected reply from the rate-limit script");
      }
    }
    *allowed = r->element[0]->integer == 1;
    states->clear();
    for (size_t i = 0; i < buckets.size(); ++i) {
      BucketState s;
      s.remaining = static_cast<uint32_t>(r->element[1 + 3 * i]->integer);
      s.full_in_ms = static_cast<uint64_t>(r->element[2 + 3 * i]->integer);
      s.next_token_in_ms = static_cast<uint64_t>(r->element[3 + 3 * i]->integer);
      states->push_back(s);
    }
    return Status::OK();
  }

  // A pooled connection, or a new one (which loads the script).
  Result<Context> Acquire() {
    {
      MutexLock lock(&mu_);
      if (!idle_.empty()) {
        Context c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    NQ_ASSIGN_OR_RETURN(Context c, Connect(settings_, address_));
    NQ_ASSIGN_OR_RETURN(Reply loaded, Command(c.get(), {"SCRIPT", "LOAD", std::string(kScript)}));
    if (loaded->type != REDIS_REPLY_STRING) return Status::IOError("Redis: SCRIPT LOAD gave no digest");
    MutexLock lock(&mu_);
    sha_.assign(loaded->str, loaded->len);
    return c;
  }
  std::string ScriptSha() {
    MutexLock lock(&mu_);
    return sha_;
  }

  static constexpr size_t kMaxIdle = 32;
  const RedisSettings settings_;
  const RedisAddress address_;
  Mutex mu_;
  std::vector<Context> idle_ GUARDED_BY(mu_);
  std::string sha_ GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<RateLimitBackend> NewRedisRateLimiter(const RedisSettings& settings, const RedisAddress& address) {
  return std::make_unique<RedisRateLimiter>(settings, address);
}

Status PingRedis(const RedisSettings& settings, const RedisAddress& address) {
  NQ_ASSIGN_OR_RETURN(Context c, Connect(settings, address));
  NQ_ASSIGN_OR_RETURN(Reply pong, Command(c.get(), {"PING"}));
  if (pong->type != REDIS_REPLY_STATUS) return Status::IOError("Redis: unexpected reply to PING");
  return Status::OK();
}

}  // namespace neuroquantum::server
