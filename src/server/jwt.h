// JSON Web Tokens (RFC 7519) signed with HS256, for clients that log in with
// an API key once and then present a short-lived bearer token.
//
// Signing keys rotate: time is cut into periods of `rotation_s` seconds and
// period p signs with HMAC-SHA256(secret, "nqdb-jwt-key:" + p), named in the
// token header as kid "p". A token verifies with the current period's key,
// or with the previous period's key during the first `grace_s` seconds of
// the current period. Every server process holding the same secret agrees
// on the keys without sharing state; replacing the secret invalidates every
// token.
//
// Verification refuses, with InvalidArgument and a message naming the
// reason: anything but three base64url parts, a header that is not JSON or
// whose alg is not "HS256" (so "none" too), an unknown or expired kid, a bad
// signature, a wrong issuer or audience, a missing subject, and tokens whose
// expiry has passed (or that are not yet valid). The caller then checks that
// the subject (an API key id) is still active, so revoking a key also ends
// its tokens.
//
// Thread-safe (immutable after construction).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "neuroquantum/result.h"

namespace neuroquantum::server {

struct JwtSettings {
  std::string issuer = "neuroquantumdb";
  std::string audience = "neuroquantumdb-api";
  int64_t token_ttl_s = 3600;   // lifetime of issued tokens
  int64_t rotation_s = 86400;   // signing key period
  int64_t grace_s = 3600;       // previous key still verifies this long; < rotation_s
};

struct JwtClaims {
  std::string subject;   // "sub": the API key id
  std::string token_id;  // "jti": random, 16 hex digits
  int64_t issued_at = 0;   // "iat"
  int64_t expires_at = 0;  // "exp"
};

class JwtSigner {
 public:
  // `secret`: the master secret (at least 32 bytes).
  JwtSigner(std::string secret, JwtSettings settings);

  // A token for `subject` issued at `now` (Unix seconds).
  Result<std::string> Issue(std::string_view subject, int64_t now) const;
  Result<JwtClaims> Verify(std::string_view token, int64_t now) const;

  const JwtSettings& settings() const { return settings_; }

 private:
  std::string KeyForPeriod(int64_t period) const;
  std::string secret_;
  JwtSettings settings_;
};

// The secret file holds 64 hex digits (32 random bytes) and a newline.
// WriteJwtSecret creates or replaces it atomically with mode 0600;
// ReadJwtSecret returns the decoded bytes and refuses a file readable by
// group or others, or one that is not 64+ hex digits.
Status WriteJwtSecret(const std::string& path);
Result<std::string> ReadJwtSecret(const std::string& path);

}  // namespace neuroquantum::server
