// Authentication endpoints: tokens from API keys, and key administration.
#include <cmath>

#include <fmt/format.h>

#include "common/log.h"
#include "server/api_internal.h"
#include "server/jwt.h"

namespace neuroquantum::server {

Json KeyInfoJson(const ApiKeyInfo& info) {
  Json j{{"id", info.id},
         {"name", info.name},
         {"permissions", PermissionNames(info.permissions)},
         {"created_at", info.created_at},
         {"expires_at", info.expires_at == 0 ? Json(nullptr) : Json(info.expires_at)},
         {"revoked_at", info.revoked_at == 0 ? Json(nullptr) : Json(info.revoked_at)},
         {"rate_limit_per_hour", info.rate_limit_per_hour}};
  j["active"] = info.active(UnixNow());
  return j;
}

namespace {

Reply TokenReply(RequestContext& ctx, const ApiKeyInfo& key) {
  int64_t now = UnixNow();
  auto token = ctx.api->jwt->Issue(key.id, now);
  if (!token.ok()) return ErrorFromStatus(token.status());
  int64_t ttl = ctx.api->jwt->settings().token_ttl_s;
  return Reply(Json{{"token", *token},
                    {"token_type", "Bearer"},
                    {"expires_in", ttl},
                    {"expires_at", now + ttl},
                    {"key_id", key.id},
                    {"permissions", PermissionNames(key.permissions)}});
}

}  // namespace

Reply HandleLogin(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  std::string key;
  if (auto it = body->find("api_key"); it != body->end()) {
    if (!it->is_string()) return ApiError::Validation("\"api_key\" must be a string");
    key = it->get<std::string>();
  } else if (const std::string* header = ctx.request->Header("x-api-key")) {
    key = *header;
  } else {
    return ApiError::Validation("send the API key as \"api_key\" in the body or in X-API-Key");
  }
  auto info = ctx.api->keys->Authenticate(key, UnixNow());
  if (!info.ok() && info.status().code() != StatusCode::kInvalidArgument) {
    NQ_LOG_ERROR("auth", "login failed: {}", info.status().ToString());
    return ApiError::Internal("authentication is unavailable; see the server log");
  }
  if (!info.ok()) return ApiError::Unauthorized(std::string(info.status().message()));
  ctx.key = *info;
  return TokenReply(ctx, *info);
}

Reply HandleRefresh(RequestContext& ctx) { return TokenReply(ctx, *ctx.key); }

Reply HandleGenerateKey(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  const Json& b = *body;
  auto name = b.find("name");
  if (name == b.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return ApiError::Validation("\"name\" must be a non-empty string");
  }
  auto perms = b.find("permissions");
  if (perms == b.end() || !perms->is_array() || perms->empty()) {
    return ApiError::Validation("\"permissions\" must be a non-empty array of permission names");
  }
  std::vector<std::string> names;
  for (const Json& p : *perms) {
    if (!p.is_string()) return ApiError::Validation("\"permissions\" must contain only strings");
    names.push_back(p.get<std::string>());
  }
  auto set = ParsePermissions(names);
  if (!set.ok()) return ApiError::Validation(std::string(set.status().message()));
  int64_t now = UnixNow();
  int64_t expires_at = 0;
  if (auto e = b.find("expiry_hours"); e != b.end() && !e->is_null()) {
    if (!e->is_number() || !(e->get<double>() > 0) || e->get<double>() > 24.0 * 365 * 100) {
      return ApiError::Validation("\"expiry_hours\" must be a positive number of hours (at most 100 years)");
    }
    expires_at = now + static_cast<int64_t>(std::ceil(e->get<double>() * 3600));
  }
  uint32_t rate = 0;
  if (auto r = b.find("rate_limit_per_hour"); r != b.end() && !r->is_null()) {
    if (!r->is_number_unsigned() || r->get<uint64_t>() > UINT32_MAX) {
      return ApiError::Validation("\"rate_limit_per_hour\" must be a non-negative integer");
    }
    rate = static_cast<uint32_t>(r->get<uint64_t>());
  }
  auto created = ctx.api->keys->Create(name->get<std::string>(), *set, expires_at, rate, now);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kInvalidArgument) {
      return ApiError::Validation(std::string(created.status().message()));
    }
    return ErrorFromStatus(created.status());
  }
  NQ_LOG_INFO("auth", "key {} (\"{}\") created by {}", created->info.id, created->info.name, ctx.key->id);
  Json data = KeyInfoJson(created->info);
  data["key"] = created->key;
  data["warning"] = "Store this key now: it is not shown again.";
  return Reply(std::move(data), 201);
}

Reply HandleRevokeKey(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto id = body->find("id");
  if (id == body->end()) id = body->find("key_id");
  if (id == body->end() || !id->is_string()) return ApiError::Validation("\"id\" must be the key's id (key_...)");
  Status s = ctx.api->keys->Revoke(id->get<std::string>(), UnixNow());
  if (s.IsNotFound()) return ApiError::NotFound(std::string(s.message()));
  if (!s.ok()) return ErrorFromStatus(s);
  NQ_LOG_INFO("auth", "key {} revoked by {}", id->get<std::string>(), ctx.key->id);
  auto info = ctx.api->keys->Find(id->get<std::string>());
  if (!info.ok()) return ErrorFromStatus(info.status());
  return Reply(KeyInfoJson(*info));
}

Reply HandleListKeys(RequestContext& ctx) {
  auto keys = ctx.api->keys->List();
  if (!keys.ok()) return ErrorFromStatus(keys.status());
  Json list = Json::array();
  for (const ApiKeyInfo& info : *keys) list.push_back(KeyInfoJson(info));
  return Reply(Json{{"keys", std::move(list)}});
}

}  // namespace neuroquantum::server
