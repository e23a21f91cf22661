// Cryptographic building blocks of the server's authentication, on OpenSSL's
// libcrypto: random bytes, SHA-256, HMAC-SHA256, encodings, constant-time
// comparison. Nothing here keeps state; every function is thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "neuroquantum/result.h"

namespace neuroquantum::server {

// `n` bytes from OpenSSL's CSPRNG; an error if the generator fails.
Result<std::string> RandomBytes(size_t n);

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// Lower-case hexadecimal; HexDecode refuses odd lengths and non-hex digits.
std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view text);

// RFC 4648 section 5 (URL alphabet) without padding, as JWTs use it.
// Decoding refuses padding, characters outside the alphabet and impossible
// lengths (4k+1).
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Standard base64 with padding (blobs in JSON results). Decoding refuses
// lengths that are not a multiple of 4, characters outside the alphabet
// (whitespace included) and padding anywhere but the end.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// Equality whose time depends only on the lengths (secrets, signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace neuroquantum::server
