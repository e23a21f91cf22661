#include "server/jwt.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "server/crypto.h"
#include "server/file_util.h"

namespace neuroquantum::server {
namespace {

using nlohmann::json;

constexpr size_t kMinSecretBytes = 32;
constexpr size_t kSecretFileBytes = 32;
constexpr size_t kJtiBytes = 8;
// Far above any token we issue; bounds the work an attacker can ask for.
constexpr size_t kMaxTokenBytes = 8192;
constexpr off_t kMaxSecretFileBytes = 4096;

Status Invalid(std::string_view why) { return Status::InvalidArgument("invalid token: " + std::string(why)); }


// Rounds towards negative infinity, so that periods before the epoch are
// as long as the others.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// An integer claim; nullopt if absent or not an integer that fits.
std::optional<int64_t> IntClaim(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  return it->get<int64_t>();
}

std::optional<json> DecodeJsonObject(std::string_view part) {
  std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return std::nullopt;
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

bool AudienceMatches(const json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get<std::string>() == expected;
  // RFC 7519 4.1.3 allows a list of audiences.
  if (aud.is_array()) {
    return std::any_of(aud.begin(), aud.end(),
                       [&](const json& a) { return a.is_string() && a.get<std::string>() == expected; });
  }
  return false;
}

}  // namespace

JwtSigner::JwtSigner(std::string secret, JwtSettings settings)
    : secret_(std::move(secret)), settings_(std::move(settings)) {
  if (settings_.rotation_s <= 0) settings_.rotation_s = 1;
}

std::string JwtSigner::KeyForPeriod(int64_t period) const {
  return HmacSha256(secret_, "nqdb-jwt-key:" + std::to_string(period));
}

Result<std::string> JwtSigner::Issue(std::string_view subject, int64_t now) const {
  if (secret_.size() < kMinSecretBytes) return Status::InvalidArgument("JWT secret shorter than 32 bytes");
  if (subject.empty()) return Status::InvalidArgument("JWT subject must not be empty");
  if (settings_.token_ttl_s <= 0) return Status::InvalidArgument("JWT lifetime must be positive");
  if (now > std::numeric_limits<int64_t>::max() - settings_.token_ttl_s) {
    return Status::InvalidArgument("JWT expiry out of range");
  }
  NQ_ASSIGN_OR_RETURN(std::string jti_bytes, RandomBytes(kJtiBytes));
  const int64_t period = FloorDiv(now, settings_.rotation_s);
  std::string signing_input;
  try {
    json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", std::to_string(period)}};
    json payload = {{"iss", settings_.issuer},           {"aud", settings_.audience},
                    {"sub", std::string(subject)},       {"iat", now},
                    {"exp", now + settings_.token_ttl_s}, {"jti", HexEncode(jti_bytes)}};
    signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  } catch (const std::exception& e) {
    // dump() refuses strings that are not UTF-8.
    return Status::InvalidArgument(std::string("cannot encode JWT: ") + e.what());
  }
  const std::string signature = HmacSha256(KeyForPeriod(period), signing_input);
  if (signature.empty()) return Status::Internal("HMAC-SHA256 failed");
  return signing_input + "." + Base64UrlEncode(signature);
}

Result<JwtClaims> JwtSigner::Verify(std::string_view token, int64_t now) const {
  if (secret_.size() < kMinSecretBytes) return Status::InvalidArgument("JWT secret shorter than 32 bytes");
  if (token.size() > kMaxTokenBytes) return Invalid("too long");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Invalid("not three dot-separated parts");
  }
  const std::string_view header_part = token.substr(0, dot1);
  const std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = token.substr(dot2 + 1);
  const std::string_view signing_input = token.substr(0, dot2);

  try {
    std::optional<json> header = DecodeJsonObject(header_part);
    if (!header) return Invalid("header is not base64url-encoded JSON");
    auto alg = header->find("alg");
    // Only the algorithm we issue: accepting the header's choice is how
    // "none" and key-confusion attacks get in.
    if (alg == header->end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
      return Invalid("unsupported algorithm");
    }
    auto kid_it = header->find("kid");
    if (kid_it == header->end() || !kid_it->is_string()) return Invalid("missing key id");
    const std::string kid_text = kid_it->get<std::string>();
    int64_t kid = 0;
    auto [end, ec] = std::from_chars(kid_text.data(), kid_text.data() + kid_text.size(), kid);
    // Canonical form only, so one key has one name.
    if (ec != std::errc() || end != kid_text.data() + kid_text.size() || std::to_string(kid) != kid_text) {
      return Invalid("unknown signing key");
    }
    const int64_t current = FloorDiv(now, settings_.rotation_s);
    const bool in_grace = now - current * settings_.rotation_s < settings_.grace_s;
    const bool previous = current > std::numeric_limits<int64_t>::min() && kid == current - 1;
    if (kid != current && !(previous && in_grace)) return Invalid("unknown or expired signing key");

    std::optional<std::string> signature = Base64UrlDecode(signature_part);
    if (!signature) return Invalid("signature is not base64url");
    const std::string expected = HmacSha256(KeyForPeriod(kid), signing_input);
    if (expected.empty() || !ConstantTimeEquals(*signature, expected)) return Invalid("bad signature");

    std::optional<json> payload = DecodeJsonObject(payload_part);
    if (!payload) return Invalid("payload is not base64url-encoded JSON");
    auto iss = payload->find("iss");
    if (iss == payload->end() || !iss->is_string() || iss->get<std::string>() != settings_.issuer) {
      return Invalid("wrong issuer");
    }
    auto aud = payload->find("aud");
    if (aud == payload->end() || !AudienceMatches(*aud, settings_.audience)) return Invalid("wrong audience");
    JwtClaims claims;
    auto sub = payload->find("sub");
    if (sub == payload->end() || !sub->is_string() || sub->get<std::string>().empty()) {
      return Invalid("missing subject");
    }
    claims.subject = sub->get<std::string>();
    std::optional<int64_t> exp = IntClaim(*payload, "exp");
    if (!exp) return Invalid("missing expiry");
    if (*exp <= now) return Invalid("token expired");
    if (payload->contains("nbf")) {
      std::optional<int64_t> nbf = IntClaim(*payload, "nbf");
      if (!nbf) return Invalid("malformed nbf");
      if (*nbf > now) return Invalid("token not yet valid");
    }
    claims.expires_at = *exp;
    if (payload->contains("iat")) {
      std::optional<int64_t> iat = IntClaim(*payload, "iat");
      if (!iat) return Invalid("malformed iat");
      claims.issued_at = *iat;
    }
    if (auto jti = payload->find("jti"); jti != payload->end()) {
      if (!jti->is_string()) return Invalid("malformed jti");
      claims.token_id = jti->get<std::string>();
    }
    return claims;
  } catch (const std::exception& e) {
    return Invalid(e.what());
  }
}

Status WriteJwtSecret(const std::string& path) {
  NQ_ASSIGN_OR_RETURN(std::string secret, RandomBytes(kSecretFileBytes));
  return WriteFileAtomically(path, HexEncode(secret) + "\n");
}

Result<std::string> ReadJwtSecret(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("fstat " + path, err);
  }
  if (!S_ISREG(st.st_mode) || st.st_size > kMaxSecretFileBytes) {
    ::close(fd);
    return Status::Corruption(path + ": not a JWT secret file");
  }
  // Anyone who can read the secret can mint tokens for any key.
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::InvalidArgument(path + " is accessible by group or others; run: chmod 600 " + path);
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      if (n == 0) return Status::IOError(path + ": short read");
      return ErrnoStatus("read " + path, err);
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  std::optional<std::string> secret = HexDecode(text);
  if (text.size() < 2 * kSecretFileBytes || !secret) {
    return Status::Corruption(path + ": not a JWT secret (expected at least 64 hex digits)");
  }
  return std::move(*secret);
}

}  // namespace neuroquantum::server
