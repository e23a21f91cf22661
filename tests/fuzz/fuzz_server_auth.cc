// Fuzz target: what the server parses from clients before authenticating
// them. Arbitrary bytes as a bearer token, as base64url and hex text, and
// as text for JSON output never crash; a token verifies only if the signer
// issued it; decoding and encoding round-trip; JSON string output parses
// back to the same text when the input is valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "server/crypto.h"
#include "common/json_text.h"
#include "server/jwt.h"

namespace {

using neuroquantum::fuzz::Require;

using namespace neuroquantum::server;
using neuroquantum::AppendJsonString;

constexpr int64_t kNow = 1'800'000'000;

const JwtSigner& Signer() {
  static const JwtSigner signer(std::string(32, 's'), JwtSettings{});
  return signer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // As a token, and as a real token with the input spliced into it.
  auto claims = Signer().Verify(input, kNow);
  if (claims.ok()) Require(claims->subject == "key_fuzz");
  static const std::string token = *Signer().Issue("key_fuzz", kNow);
  if (!input.empty()) {
    std::string spliced = token;
    spliced.replace(static_cast<size_t>(data[0]) % spliced.size(), input.size() % 8, input.substr(1));
    auto verified = Signer().Verify(spliced, kNow);
    if (verified.ok()) Require(verified->subject == "key_fuzz");
  }

  // Encodings.
  Require(*Base64UrlDecode(Base64UrlEncode(input)) == input);
  if (auto decoded = Base64UrlDecode(input)) Require(Base64UrlDecode(Base64UrlEncode(*decoded)) == decoded);
  Require(*HexDecode(HexEncode(input)) == input);
  if (auto decoded = HexDecode(input)) Require(HexDecode(HexEncode(*decoded)) == decoded);

  // JSON text output is always valid JSON.
  std::string quoted;
  AppendJsonString(&quoted, input);
  auto parsed = nlohmann::json::parse(quoted, nullptr, false);
  Require(!parsed.is_discarded() && parsed.is_string());
  if (parsed.get_ref<const std::string&>().find("\xEF\xBF\xBD") == std::string::npos) {
    Require(parsed.get<std::string>() == input);
  }
  return 0;
}
