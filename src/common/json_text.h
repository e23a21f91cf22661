// Writing JSON text directly, for output built often (server responses,
// JSON log lines): no document tree, no allocation per value.
#pragma once

#include <string>
#include <string_view>

namespace neuroquantum {

// Appends `text` as a JSON string: quotes, escapes (RFC 8259), and each
// byte that is not part of valid UTF-8 replaced by U+FFFD.
void AppendJsonString(std::string* out, std::string_view text);

// Appends a finite double in the shortest form that reads back exactly,
// always with a fraction or exponent ("2.0", not "2").
void AppendJsonDouble(std::string* out, double value);

}  // namespace neuroquantum
