// Fuzz target: the messages of the WebSocket protocol and channel matching.
// The input is read as a message text, as the choices of a message
// generator (so that random bytes reach well-formed messages of every type
// too), and as a channel pattern and a channel (split at the first
// newline). Parsing never crashes; an accepted message has the fields its
// type needs within the documented limits and agrees with the JSON it came
// from; a refusal has one of the protocol's codes and a message. Channel
// matching never crashes and agrees with a plain recursive matcher.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "server/ws_protocol.h"

namespace {

using neuroquantum::fuzz::Require;
using neuroquantum::fuzz::Choices;

using Json = nlohmann::json;
using neuroquantum::server::ChannelMatches;
using neuroquantum::server::ChannelPatternProblem;
using neuroquantum::server::kWsMaxBatchSize;
using neuroquantum::server::kWsMaxCreditGrant;
using neuroquantum::server::kWsMaxIdBytes;
using neuroquantum::server::ParseWsMessage;
using neuroquantum::server::WsClientMessage;
using neuroquantum::server::WsMessageType;

std::vector<std::string_view> Split(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    out.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

const char* TypeName(WsMessageType type) {
  switch (type) {
    case WsMessageType::kSubscribe: return "subscribe";
    case WsMessageType::kUnsubscribe: return "unsubscribe";
    case WsMessageType::kStreamQuery: return "stream_query";
    case WsMessageType::kCancelQuery: return "cancel_query";
    case WsMessageType::kCredit: return "credit";
    case WsMessageType::kPing: return "ping";
  }
  return "";
}

// The field `name` of `object` as a string, "" when absent or null.
std::string StringOf(const Json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? std::string() : it->get<std::string>();
}

void CheckMessage(std::string_view text) {
  WsClientMessage m;
  auto error = ParseWsMessage(text, &m);
  if (error) {
    Require(error->code == "INVALID_MESSAGE" || error->code == "UNKNOWN_TYPE" || error->code == "INVALID_CHANNEL");
    Require(!error->message.empty());
    Require(error->id.size() <= kWsMaxIdBytes);
    // Messages quoting what the client sent stay valid UTF-8 and short.
    if (error->code != "INVALID_MESSAGE") {
      Require(ValidUtf8(error->message));
      Require(error->message.size() < 256);
    }
    if (!error->id.empty()) {
      // Echoed only when the message was JSON with that string id.
      Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      Require(json.is_object() && json.contains("id") && json["id"] == error->id);
    }
    return;
  }
  // Accepted: an object whose "type" names m.type, fields as sent.
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  Require(json.is_object() && json.contains("type") && json["type"] == TypeName(m.type));
  Require(m.id.size() <= kWsMaxIdBytes);
  Require(m.id == StringOf(json, "id"));
  switch (m.type) {
    case WsMessageType::kSubscribe:
    case WsMessageType::kUnsubscribe:
      Require(!m.channel.empty() && m.channel.size() <= 1024);
      Require(ChannelPatternProblem(m.channel).empty());
      Require(m.channel == StringOf(json, "channel"));
      break;
    case WsMessageType::kStreamQuery:
      Require(!m.id.empty() && !m.sql.empty());
      Require(m.sql == StringOf(json, "sql"));
      Require(m.params.is_array());
      if (json.contains("params") && !json["params"].is_null()) Require(m.params == json["params"]);
      Require(m.batch_size >= 1 && m.batch_size <= kWsMaxBatchSize);
      if (!json.contains("batch_size") || json["batch_size"].is_null()) Require(m.batch_size == 100);
      break;
    case WsMessageType::kCancelQuery:
      Require(!m.id.empty());
      break;
    case WsMessageType::kCredit:
      Require(m.credit >= 1 && m.credit <= kWsMaxCreditGrant);
      Require(json["n"].is_number_integer() && json["n"].get<uint64_t>() == m.credit);
      break;
    case WsMessageType::kPing:
      break;
  }
}

// A message built from choices: every type, fields of the right and wrong
// kinds, values at and beyond the limits.
Json Value(Choices& c) {
  switch (c.Next() % 14) {
    case 0: return static_cast<int64_t>(c.Next()) - 128;
    case 1: return c.Next() * 0.5;
    case 2: return std::string(c.Next() % 4, 'q');
    case 3: return nullptr;
    case 4: return c.Next() % 2 == 0;
    case 5: return Json::array({c.Next(), "a"});
    case 6: return Json::object({{"k", 1}});
    case 7: return UINT64_MAX;
    case 8: return INT64_MIN;
    case 9: return 10000 + static_cast<int64_t>(c.Next() % 3) - 1;      // around the batch limit
    case 10: return 1000000 + static_cast<int64_t>(c.Next() % 3) - 1;   // around the credit limit
    case 11: return std::string(kWsMaxIdBytes + c.Next() % 3 - 1, 'i');  // around the id limit
    case 12: return std::string(static_cast<size_t>(63 + c.Next() % 3), 't') + "\xc3\xa9";  // a cut inside a character
    default: return static_cast<int64_t>(c.Next() % 4);
  }
}

std::string Pattern(Choices& c) {
  static const char* kSegments[] = {"table", "users", "*", "**", "", "a*", "x\x01", "T"};
  std::string out;
  int n = c.Next() % 20;
  for (int i = 0; i <= n; ++i) {
    if (i > 0) out += '.';
    uint8_t k = c.Next();
    out += k < 248 ? kSegments[k % 8] : std::string(static_cast<size_t>(127 + k % 4), 's');
  }
  return out;
}

Json Message(Choices& c) {
  static const char* kTypes[] = {"subscribe", "unsubscribe", "stream_query", "cancel_query",
                                 "credit",    "ping",        "pong",         ""};
  static const char* kFields[] = {"id", "channel", "sql", "params", "batch_size", "n", "type", "extra"};
  Json m = Json::object();
  if (c.Next() % 8 != 0) m["type"] = kTypes[c.Next() % 8];
  int fields = c.Next() % 6;
  for (int i = 0; i < fields && !c.done(); ++i) {
    const char* field = kFields[c.Next() % 8];
    switch (c.Next() % 4) {
      case 0: m[field] = Pattern(c); break;
      case 1: m[field] = "SELECT 1"; break;
      default: m[field] = Value(c); break;
    }
  }
  return m;
}

// Reference matcher: plain recursion over segments (exponential in the
// worst case, so only called on few segments).
bool Matches(const std::vector<std::string_view>& p, size_t i, const std::vector<std::string_view>& c, size_t j) {
  if (i == p.size()) return j == c.size();
  if (j == c.size()) return false;
  if (p[i] == "**") {
    for (size_t k = j + 1; k <= c.size(); ++k) {
      if (Matches(p, i + 1, c, k)) return true;
    }
    return false;
  }
  return (p[i] == "*" || p[i] == c[j]) && Matches(p, i + 1, c, j + 1);
}

void CheckChannels(std::string_view pattern, std::string_view channel) {
  auto p = Split(pattern);
  auto c = Split(channel);
  // The matcher costs |p| * |c| steps; keep each run fast on long inputs.
  bool small = p.size() * c.size() <= 4096;
  if (small) {
    bool matched = ChannelMatches(pattern, channel);
    if (p.size() <= 12 && c.size() <= 12) Require(matched == Matches(p, 0, c, 0));
  }
  // Never crashes on any strings (these are linear).
  ChannelMatches(pattern, channel.substr(0, 64));
  ChannelMatches(pattern.substr(0, 64), channel);

  bool channel_has_empty_segment = false;
  for (auto s : c) channel_has_empty_segment |= s.empty();
  if (!channel_has_empty_segment) {
    Require(ChannelMatches("**", channel));
    Require(ChannelMatches("*", channel) == (c.size() == 1));
  }
  if (ChannelPatternProblem(pattern).empty()) {
    Require(p.size() >= 1 && p.size() <= 16);
    if (pattern.find('*') == std::string_view::npos) {
      // Without wildcards a pattern matches exactly itself.
      Require(ChannelMatches(pattern, pattern));
      Require(ChannelMatches(pattern, channel) == (pattern == channel));
    } else if (pattern.find("**") == std::string_view::npos) {
      // "*" only: as many segments as the pattern.
      if (ChannelMatches(pattern, channel)) Require(c.size() == p.size());
    }
    // A valid pattern is a channel that it matches.
    Require(ChannelMatches(pattern, pattern));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckMessage(input);
  Choices choices(input);
  CheckMessage(Message(choices).dump());
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) {
    CheckChannels(input, input);
  } else {
    CheckChannels(input.substr(0, newline), input.substr(newline + 1));
  }
  // Generated patterns against generated channels, to reach the wildcards.
  Choices more(input);
  std::string pattern = Pattern(more);
  CheckChannels(pattern, Pattern(more));
  return 0;
}
