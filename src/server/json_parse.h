// Parsing untrusted JSON text (request bodies, WebSocket messages) into a
// document with bounded nesting and errors that say where.
//
// Thread safety: stateless.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "neuroquantum/result.h"

namespace neuroquantum::server {

inline constexpr int kMaxJsonDepth = 64;

// `text` as a JSON object. InvalidArgument naming the byte offset for
// malformed JSON, nesting deeper than kMaxJsonDepth (checked before
// parsing: a deeply nested document must not exhaust the stack of anything
// that walks it), numbers beyond a double, or a document that is not an
// object (`what` names it: "the request body").
Result<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view what);

}  // namespace neuroquantum::server
