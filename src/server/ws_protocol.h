// The messages of the WebSocket protocol (docs/reference/websocket.md):
// parsing and checking what a client sends, and channel names with
// wildcards. No I/O here, so the parser can be fuzzed on its own.
//
// Thread safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace neuroquantum::server {

enum class WsMessageType : uint8_t { kSubscribe, kUnsubscribe, kStreamQuery, kCancelQuery, kCredit, kPing };

struct WsClientMessage {
  WsMessageType type = WsMessageType::kPing;
  std::string id;       // stream_query, cancel_query (required); ping (optional, echoed)
  std::string channel;  // subscribe, unsubscribe: a channel pattern
  std::string sql;      // stream_query
  nlohmann::json params = nlohmann::json::array();  // stream_query: values for $1..$n
  size_t batch_size = 100;                          // stream_query: rows per batch
  uint64_t credit = 0;                              // credit: messages granted
};

// Why a client message was refused: an error code of the protocol
// (INVALID_MESSAGE, UNKNOWN_TYPE, INVALID_CHANNEL) and a message; `id` is
// the message's id when it had a readable one, for the error reply.
struct WsMessageError {
  std::string code;
  std::string message;
  std::string id;
};

inline constexpr size_t kWsMaxIdBytes = 128;
inline constexpr size_t kWsMaxBatchSize = 10000;
inline constexpr uint64_t kWsMaxCreditGrant = 1000000;

// Parses one text message: a JSON object tagged by "type".
std::optional<WsMessageError> ParseWsMessage(std::string_view text, WsClientMessage* out);

// Channel names are dot-separated segments ("table.users"). A pattern may
// use "*" for exactly one segment and "**" for one or more. Valid patterns
// have 1 to 16 non-empty segments of at most 128 bytes, no control
// characters, and "*"/"**" only as whole segments. "" when valid, else why.
std::string ChannelPatternProblem(std::string_view pattern);
bool ChannelMatches(std::string_view pattern, std::string_view channel);

}  // namespace neuroquantum::server
