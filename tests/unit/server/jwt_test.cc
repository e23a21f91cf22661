// Tests for HS256 JWTs: issue and verify, every refusal Verify documents
// (on tokens crafted by hand where the signer would never produce them),
// signing key rotation with its grace period, and the secret file.
#include "server/jwt.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "server/crypto.h"
#include "support/temp_dir.h"

namespace neuroquantum::server {
namespace {

using nlohmann::json;

constexpr int64_t kRotation = 1000;
constexpr int64_t kGrace = 100;
constexpr int64_t kTtl = 300;
constexpr int64_t kPeriod = 1'800'000;
constexpr int64_t kPeriodStart = kPeriod * kRotation;
constexpr int64_t kNow = kPeriodStart + 500;  // mid-period

JwtSettings TestSettings() {
  JwtSettings s;
  s.token_ttl_s = kTtl;
  s.rotation_s = kRotation;
  s.grace_s = kGrace;
  return s;
}

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

json DecodePart(const std::string& part) {
  std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return json();
  return json::parse(*text, nullptr, false);
}

class JwtTest : public ::testing::Test {
 protected:
  JwtTest() : secret_(std::string(32, 's') + "ecret"), signer_(secret_, TestSettings()) {}

  // A token signed as the documented scheme does, with any header and
  // payload, for claims and headers the signer never produces.
  std::string Craft(const json& header, const json& payload, int64_t key_period) const {
    std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
    std::string key = HmacSha256(secret_, "nqdb-jwt-key:" + std::to_string(key_period));
    return input + "." + Base64UrlEncode(HmacSha256(key, input));
  }
  static json Header(int64_t period = kPeriod) {
    return {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", std::to_string(period)}};
  }
  static json Payload(int64_t now = kNow) {
    return {{"iss", "neuroquantumdb"}, {"aud", "neuroquantumdb-api"}, {"sub", "key_0123456789abcdef"},
            {"iat", now},              {"exp", now + kTtl},            {"jti", "00112233aabbccdd"}};
  }

  void ExpectRefused(const std::string& token, std::string_view reason, int64_t now = kNow) const {
    Result<JwtClaims> r = signer_.Verify(token, now);
    ASSERT_FALSE(r.ok()) << token;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find(reason), std::string_view::npos)
        << r.status().ToString() << " does not say " << reason;
  }

  std::string secret_;
  JwtSigner signer_;
};

TEST_F(JwtTest, IssueThenVerify) {
  Result<std::string> token = signer_.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  std::vector<std::string> parts = Split(*token);
  ASSERT_EQ(parts.size(), 3u);

  json header = DecodePart(parts[0]);
  ASSERT_TRUE(header.is_object());
  EXPECT_EQ(header["alg"], "HS256");
  EXPECT_EQ(header["typ"], "JWT");
  EXPECT_EQ(header["kid"], std::to_string(kPeriod));
  json payload = DecodePart(parts[1]);
  ASSERT_TRUE(payload.is_object());
  EXPECT_EQ(payload["iss"], "neuroquantumdb");
  EXPECT_EQ(payload["aud"], "neuroquantumdb-api");
  EXPECT_EQ(payload["sub"], "key_0123456789abcdef");
  EXPECT_EQ(payload["iat"], kNow);
  EXPECT_EQ(payload["exp"], kNow + kTtl);

  Result<JwtClaims> claims = signer_.Verify(*token, kNow + 1);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->subject, "key_0123456789abcdef");
  EXPECT_EQ(claims->issued_at, kNow);
  EXPECT_EQ(claims->expires_at, kNow + kTtl);
  EXPECT_EQ(claims->token_id.size(), 16u);
  EXPECT_TRUE(HexDecode(claims->token_id).has_value());
  EXPECT_EQ(payload["jti"], claims->token_id);

  Result<std::string> again = signer_.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *token);  // fresh jti
}

TEST_F(JwtTest, CraftedTokenMatchesTheDocumentedScheme) {
  // Guards the tests below: their refusals come from the one change each
  // makes, not from a wrongly crafted signature.
  Result<JwtClaims> claims = signer_.Verify(Craft(Header(), Payload(), kPeriod), kNow);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->subject, "key_0123456789abcdef");
  EXPECT_EQ(claims->token_id, "00112233aabbccdd");
}

TEST_F(JwtTest, IssueRefusesBadInput) {
  EXPECT_EQ(signer_.Issue("", kNow).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(signer_.Issue("bad\xff", kNow).ok());  // not UTF-8
  JwtSigner short_secret("too short", TestSettings());
  EXPECT_FALSE(short_secret.Issue("key_0123456789abcdef", kNow).ok());
  EXPECT_FALSE(short_secret.Verify(Craft(Header(), Payload(), kPeriod), kNow).ok());
  JwtSettings no_ttl = TestSettings();
  no_ttl.token_ttl_s = 0;
  EXPECT_FALSE(JwtSigner(secret_, no_ttl).Issue("key_0123456789abcdef", kNow).ok());
}

TEST_F(JwtTest, ExpiryIsExclusive) {
  Result<std::string> token = signer_.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(signer_.Verify(*token, kNow + kTtl - 1).ok());
  ExpectRefused(*token, "expired", kNow + kTtl);
  ExpectRefused(*token, "expired", kNow + kTtl + 1);
}

TEST_F(JwtTest, NotBefore) {
  json payload = Payload();
  payload["nbf"] = kNow + 10;
  std::string token = Craft(Header(), payload, kPeriod);
  ExpectRefused(token, "not yet valid", kNow + 9);
  EXPECT_TRUE(signer_.Verify(token, kNow + 10).ok());
  payload["nbf"] = "soon";
  ExpectRefused(Craft(Header(), payload, kPeriod), "nbf");
}

TEST_F(JwtTest, TamperedTokensAreRefused) {
  Result<std::string> token = signer_.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  std::vector<std::string> parts = Split(*token);

  json payload = DecodePart(parts[1]);
  payload["sub"] = "key_ffffffffffffffff";
  ExpectRefused(parts[0] + "." + Base64UrlEncode(payload.dump()) + "." + parts[2], "bad signature");
  payload = DecodePart(parts[1]);
  payload["exp"] = kNow + 1'000'000;
  ExpectRefused(parts[0] + "." + Base64UrlEncode(payload.dump()) + "." + parts[2], "bad signature");

  std::string sig = parts[2];
  sig[0] = sig[0] == 'A' ? 'B' : 'A';
  ExpectRefused(parts[0] + "." + parts[1] + "." + sig, "bad signature");
  ExpectRefused(parts[0] + "." + parts[1] + "." + parts[2].substr(0, 40), "bad signature");
  ExpectRefused(parts[0] + "." + parts[1] + ".", "bad signature");
  ExpectRefused(parts[0] + "." + parts[1] + "." + parts[2] + "AAAA", "bad signature");
}

TEST_F(JwtTest, OnlyHs256IsAccepted) {
  Result<std::string> token = signer_.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  std::vector<std::string> parts = Split(*token);
  const std::string body = Base64UrlEncode(Payload().dump());

  // "alg": "none" with no signature, and with the genuine one.
  json none = Header();
  none["alg"] = "none";
  ExpectRefused(Base64UrlEncode(none.dump()) + "." + body + ".", "algorithm");
  ExpectRefused(Base64UrlEncode(none.dump()) + "." + parts[1] + "." + parts[2], "algorithm");
  // Correctly signed with our key but declaring another algorithm.
  for (const json& alg :
       {json("HS512"), json("RS256"), json("hs256"), json("None"), json(256), json(nullptr)}) {
    json header = Header();
    header["alg"] = alg;
    ExpectRefused(Craft(header, Payload(), kPeriod), "algorithm");
  }
  json no_alg = Header();
  no_alg.erase("alg");
  ExpectRefused(Craft(no_alg, Payload(), kPeriod), "algorithm");
}

TEST_F(JwtTest, WrongIssuerOrAudienceIsRefused) {
  JwtSettings other_issuer = TestSettings();
  other_issuer.issuer = "someone-else";
  Result<std::string> token = JwtSigner(secret_, other_issuer).Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  ExpectRefused(*token, "wrong issuer");

  JwtSettings other_audience = TestSettings();
  other_audience.audience = "another-api";
  token = JwtSigner(secret_, other_audience).Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  ExpectRefused(*token, "wrong audience");

  json payload = Payload();
  payload.erase("iss");
  ExpectRefused(Craft(Header(), payload, kPeriod), "wrong issuer");
  payload = Payload();
  payload.erase("aud");
  ExpectRefused(Craft(Header(), payload, kPeriod), "wrong audience");
  // RFC 7519 allows a list of audiences.
  payload["aud"] = {"x", "neuroquantumdb-api"};
  EXPECT_TRUE(signer_.Verify(Craft(Header(), payload, kPeriod), kNow).ok());
  payload["aud"] = {"x", "y"};
  ExpectRefused(Craft(Header(), payload, kPeriod), "wrong audience");
}

TEST_F(JwtTest, ClaimsAreChecked) {
  json payload = Payload();
  payload.erase("sub");
  ExpectRefused(Craft(Header(), payload, kPeriod), "missing subject");
  payload["sub"] = "";
  ExpectRefused(Craft(Header(), payload, kPeriod), "missing subject");
  payload["sub"] = 7;
  ExpectRefused(Craft(Header(), payload, kPeriod), "missing subject");

  payload = Payload();
  payload.erase("exp");
  ExpectRefused(Craft(Header(), payload, kPeriod), "missing expiry");
  payload["exp"] = static_cast<double>(kNow + 10);
  ExpectRefused(Craft(Header(), payload, kPeriod), "missing expiry");
  payload["exp"] = std::to_string(kNow + 10);
  ExpectRefused(Craft(Header(), payload, kPeriod), "missing expiry");
  payload["exp"] = uint64_t{18446744073709551615u};
  ExpectRefused(Craft(Header(), payload, kPeriod), "missing expiry");

  payload = Payload();
  payload["iat"] = "yesterday";
  ExpectRefused(Craft(Header(), payload, kPeriod), "iat");
  payload = Payload();
  payload["jti"] = 5;
  ExpectRefused(Craft(Header(), payload, kPeriod), "jti");

  ExpectRefused(Craft(Header(), json::array({1, 2}), kPeriod), "payload");
}

TEST_F(JwtTest, ADifferentSecretIsRefused) {
  JwtSigner other(std::string(32, 'x'), TestSettings());
  Result<std::string> token = other.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(other.Verify(*token, kNow).ok());
  ExpectRefused(*token, "bad signature");
}

TEST_F(JwtTest, KeyRotationAndGrace) {
  // Issued late in period kPeriod, with a lifetime long enough that only
  // the key decides.
  JwtSettings long_lived = TestSettings();
  long_lived.token_ttl_s = 10 * kRotation;
  JwtSigner signer(secret_, long_lived);
  const int64_t issued = kPeriodStart + kRotation - 50;
  Result<std::string> token = signer.Issue("key_0123456789abcdef", issued);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(DecodePart(Split(*token)[0])["kid"], std::to_string(kPeriod));

  const int64_t next = kPeriodStart + kRotation;
  EXPECT_TRUE(signer.Verify(*token, issued).ok());
  EXPECT_TRUE(signer.Verify(*token, next - 1).ok());
  EXPECT_TRUE(signer.Verify(*token, next).ok());              // previous key, in grace
  EXPECT_TRUE(signer.Verify(*token, next + kGrace - 1).ok());
  Result<JwtClaims> after_grace = signer.Verify(*token, next + kGrace);
  ASSERT_FALSE(after_grace.ok());
  EXPECT_NE(after_grace.status().message().find("signing key"), std::string_view::npos);
  // Two periods later the key is gone even at the start of the period.
  EXPECT_FALSE(signer.Verify(*token, next + kRotation).ok());
  EXPECT_FALSE(signer.Verify(*token, next + kRotation + kGrace / 2).ok());

  // A key from the future: issued in the next period, presented now.
  Result<std::string> future = signer.Issue("key_0123456789abcdef", next + 10);
  ASSERT_TRUE(future.ok());
  EXPECT_EQ(DecodePart(Split(*future)[0])["kid"], std::to_string(kPeriod + 1));
  EXPECT_FALSE(signer.Verify(*future, next - 1).ok());
  EXPECT_TRUE(signer.Verify(*future, next + 10).ok());

  // Hand-made tokens: past the grace the previous period is refused, a
  // future one always is, whatever key signed them.
  ExpectRefused(Craft(Header(kPeriod - 1), Payload(), kPeriod - 1), "signing key");
  ExpectRefused(Craft(Header(kPeriod + 1), Payload(), kPeriod + 1), "signing key");
  // The kid picks the key: naming the previous period (allowed during the
  // grace) while signing with the current key is a bad signature.
  EXPECT_TRUE(signer_.Verify(Craft(Header(kPeriod - 1), Payload(), kPeriod - 1), kPeriodStart + 10).ok());
  ExpectRefused(Craft(Header(kPeriod - 1), Payload(), kPeriod), "bad signature", kPeriodStart + 10);
}

TEST_F(JwtTest, KidMustBeCanonical) {
  for (const json& kid : {json("0" + std::to_string(kPeriod)), json("+" + std::to_string(kPeriod)),
                          json(std::to_string(kPeriod) + " "), json(kPeriod), json(""), json("abc")}) {
    json header = Header();
    header["kid"] = kid;
    Result<JwtClaims> r = signer_.Verify(Craft(header, Payload(), kPeriod), kNow);
    EXPECT_FALSE(r.ok()) << kid.dump();
  }
  json header = Header();
  header.erase("kid");
  ExpectRefused(Craft(header, Payload(), kPeriod), "key id");
}

TEST_F(JwtTest, GarbageIsRefusedWithoutCrashing) {
  Result<std::string> token = signer_.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  std::vector<std::string> parts = Split(*token);
  const std::vector<std::string> garbage = {
      "",
      ".",
      "..",
      "...",
      "abc",
      parts[0] + "." + parts[1],                              // two parts
      *token + ".",                                           // four parts
      *token + "." + parts[2],
      "!!!." + parts[1] + "." + parts[2],                     // not base64url
      parts[0] + ".@@@." + parts[2],
      parts[0] + "." + parts[1] + ".***",
      parts[0] + "=." + parts[1] + "." + parts[2],
      Base64UrlEncode("hello") + "." + parts[1] + "." + parts[2],  // not JSON
      Base64UrlEncode("[1,2]") + "." + parts[1] + "." + parts[2],
      Base64UrlEncode("{\"alg\":") + "." + parts[1] + "." + parts[2],
      Base64UrlEncode(std::string("\xff\xfe\x00", 3)) + "." + parts[1] + "." + parts[2],
      std::string(100'000, 'A') + "." + parts[1] + "." + parts[2],
      std::string(3, '\0'),
  };
  for (const std::string& g : garbage) {
    Result<JwtClaims> r = signer_.Verify(g, kNow);
    EXPECT_FALSE(r.ok()) << g.substr(0, 80);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << g.substr(0, 80);
  }
}

TEST_F(JwtTest, NonPositiveRotationDoesNotDivideByZero) {
  JwtSettings settings = TestSettings();
  settings.rotation_s = 0;
  settings.grace_s = 0;
  JwtSigner signer(secret_, settings);
  EXPECT_EQ(signer.settings().rotation_s, 1);
  Result<std::string> token = signer.Issue("key_0123456789abcdef", kNow);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(DecodePart(Split(*token)[0])["kid"], std::to_string(kNow));
  EXPECT_TRUE(signer.Verify(*token, kNow).ok());
  EXPECT_FALSE(signer.Verify(*token, kNow + 1).ok());  // next period, no grace

  settings.rotation_s = -5;
  EXPECT_TRUE(JwtSigner(secret_, settings).Issue("key_0123456789abcdef", kNow).ok());
}

TEST_F(JwtTest, TimesBeforeTheEpoch) {
  // Periods round down, so -1 s is in period -1, not 0.
  Result<std::string> token = signer_.Issue("key_0123456789abcdef", -1);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(DecodePart(Split(*token)[0])["kid"], "-1");
  EXPECT_TRUE(signer_.Verify(*token, -1).ok());
}

class JwtSecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    path_ = tmp_.Path("jwt_secret");
  }
  std::string ReadFile() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void WriteFile(const std::string& text, std::filesystem::perms mode) const {
    // Writable again first, in case an earlier step made it read-only.
    std::error_code ignored;
    using P = std::filesystem::perms;
    std::filesystem::permissions(path_, P::owner_read | P::owner_write, ignored);
    {
      std::ofstream out(path_, std::ios::binary | std::ios::trunc);
      out << text;
    }
    std::filesystem::permissions(path_, mode);
  }

  neuroquantum::testing::TempDir tmp_{"nq_jwt_"};
  std::string dir_;
  std::string path_;
};

TEST_F(JwtSecretFileTest, WriteThenRead) {
  ASSERT_TRUE(WriteJwtSecret(path_).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string text = ReadFile();
  ASSERT_EQ(text.size(), 65u);
  EXPECT_EQ(text.back(), '\n');
  std::optional<std::string> bytes = HexDecode(text.substr(0, 64));
  ASSERT_TRUE(bytes.has_value());

  Result<std::string> secret = ReadJwtSecret(path_);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, *bytes);
  EXPECT_EQ(secret->size(), 32u);

  // Replacing gives a new secret, and leaves no temporary file behind.
  ASSERT_TRUE(WriteJwtSecret(path_).ok());
  Result<std::string> replaced = ReadJwtSecret(path_);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(*replaced, *secret);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(JwtSecretFileTest, RefusesFilesOthersCanRead) {
  ASSERT_TRUE(WriteJwtSecret(path_).ok());
  const std::string text = ReadFile();
  using P = std::filesystem::perms;
  for (P mode : {P::owner_read | P::owner_write | P::group_read,
                 P::owner_read | P::owner_write | P::others_read, P::owner_read | P::others_write}) {
    WriteFile(text, mode);
    Result<std::string> r = ReadJwtSecret(path_);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("chmod 600"), std::string_view::npos) << r.status().ToString();
  }
  WriteFile(text, P::owner_read);
  EXPECT_TRUE(ReadJwtSecret(path_).ok());
}

TEST_F(JwtSecretFileTest, RefusesMalformedContent) {
  using P = std::filesystem::perms;
  const P mode = P::owner_read | P::owner_write;
  for (const std::string& text : {std::string(), std::string("abc\n"), std::string(63, 'a') + "\n",
                                  std::string(63, 'a') + "g\n", std::string(65, 'a') + "\n",
                                  "0x" + std::string(64, 'a'), std::string(10000, 'a')}) {
    WriteFile(text, mode);
    EXPECT_FALSE(ReadJwtSecret(path_).ok()) << text.substr(0, 80);
  }
  // More than 64 digits is allowed; the trailing newline is optional.
  WriteFile(std::string(128, 'b'), mode);
  Result<std::string> longer = ReadJwtSecret(path_);
  ASSERT_TRUE(longer.ok());
  EXPECT_EQ(*longer, std::string(64, '\xbb'));

  EXPECT_TRUE(ReadJwtSecret(dir_ + "/missing").status().IsNotFound());
  EXPECT_FALSE(WriteJwtSecret(dir_ + "/missing/jwt_secret").ok());
}

}  // namespace
}  // namespace neuroquantum::server
