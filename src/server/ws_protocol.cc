#include "server/ws_protocol.h"

#include <fmt/format.h>

#include <vector>

#include "server/json_parse.h"

namespace neuroquantum::server {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxSegments = 16;
constexpr size_t kMaxSegmentBytes = 128;

std::vector<std::string_view> Segments(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    out.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

// Reads the optional string field `name` (at most `max` bytes); false and
// an error when it is present with another type or too long.
bool StringField(const Json& object, const char* name, size_t max, std::string* out, WsMessageError* error) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error->message = fmt::format("\"{}\" must be a string", name);
    return false;
  }
  const auto& value = it->get_ref<const std::string&>();
  if (value.size() > max) {
    error->message = fmt::format("\"{}\" is longer than {} bytes", name, max);
    return false;
  }
  *out = value;
  return true;
}

// An integer field in [low, high]; absent leaves `out` as is.
bool IntegerField(const Json& object, const char* name, uint64_t low, uint64_t high, uint64_t* out,
                  WsMessageError* error) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_number_integer() || (it->is_number_integer() && !it->is_number_unsigned() && it->get<int64_t>() < 0) ||
      it->get<uint64_t>() < low || it->get<uint64_t>() > high) {
    error->message = fmt::format("\"{}\" must be an integer in [{}, {}]", name, low, high);
    return false;
  }
  *out = it->get<uint64_t>();
  return true;
}

}  // namespace

std::optional<WsMessageError> ParseWsMessage(std::string_view text, WsClientMessage* out) {
  WsMessageError error{"INVALID_MESSAGE", "", ""};
  auto parsed = ParseJsonObject(text, "a message");
  if (!parsed.ok()) {
    error.message = std::string(parsed.status().message());
    return error;
  }
  const Json& message = *parsed;
  // The id first, so that later errors can name it.
  if (!StringField(message, "id", kWsMaxIdBytes, &out->id, &error)) return error;
  error.id = out->id;
  auto type = message.find("type");
  if (type == message.end() || !type->is_string()) {
    error.message = "a message needs \"type\": a string";
    return error;
  }
  const auto& name = type->get_ref<const std::string&>();
  if (name == "subscribe" || name == "unsubscribe") {
    out->type = name == "subscribe" ? WsMessageType::kSubscribe : WsMessageType::kUnsubscribe;
    if (!StringField(message, "channel", 1024, &out->channel, &error)) return error;
    if (out->channel.empty()) {
      error.message = fmt::format("{} needs \"channel\"", name);
      return error;
    }
    if (std::string why = ChannelPatternProblem(out->channel); !why.empty()) {
      error.code = "INVALID_CHANNEL";
      error.message = std::move(why);
      return error;
    }
  } else if (name == "stream_query") {
    out->type = WsMessageType::kStreamQuery;
    if (!StringField(message, "sql", text.size(), &out->sql, &error)) return error;
    if (out->id.empty() || out->sql.empty()) {
      error.message = "stream_query needs \"id\" and \"sql\" (non-empty strings)";
      return error;
    }
    if (auto params = message.find("params"); params != message.end() && !params->is_null()) {
      if (!params->is_array()) {
        error.message = "\"params\" must be an array";
        return error;
      }
      out->params = *params;
    }
    uint64_t batch = out->batch_size;
    if (!IntegerField(message, "batch_size", 1, kWsMaxBatchSize, &batch, &error)) return error;
    out->batch_size = static_cast<size_t>(batch);
  } else if (name == "cancel_query") {
    out->type = WsMessageType::kCancelQuery;
    if (out->id.empty()) {
      error.message = "cancel_query needs \"id\": the id of the query to cancel";
      return error;
    }
  } else if (name == "credit") {
    out->type = WsMessageType::kCredit;
    // null stands for absent here as for the other fields: never a grant of 0.
    if (auto n = message.find("n"); n == message.end() || n->is_null()) {
      error.message = "credit needs \"n\": the number of messages granted";
      return error;
    }
    if (!IntegerField(message, "n", 1, kWsMaxCreditGrant, &out->credit, &error)) return error;
  } else if (name == "ping") {
    out->type = WsMessageType::kPing;
  } else {
    error.code = "UNKNOWN_TYPE";
    // At most 64 bytes of the name, cut before a character (not inside a
    // UTF-8 sequence), so that the message stays valid UTF-8.
    std::string_view shown = name;
    std::string_view more;
    if (shown.size() > 64) {
      size_t cut = 64;
      while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
      shown = shown.substr(0, cut);
      more = "...";
    }
    error.message = fmt::format(
        "unknown message type \"{}{}\": expected subscribe, unsubscribe, stream_query, cancel_query, credit or ping",
        shown, more);
    return error;
  }
  return std::nullopt;
}

std::string ChannelPatternProblem(std::string_view pattern) {
  auto segments = Segments(pattern);
  if (segments.size() > kMaxSegments) return fmt::format("a channel has at most {} segments", kMaxSegments);
  for (auto segment : segments) {
    if (segment.empty()) return "a channel's segments (between dots) must not be empty";
    if (segment.size() > kMaxSegmentBytes) {
      return fmt::format("a channel segment is at most {} bytes", kMaxSegmentBytes);
    }
    if (segment == "*" || segment == "**") continue;
    for (char c : segment) {
      if (c == '*') return "\"*\" and \"**\" stand for whole segments only (\"table.*\")";
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a channel must not contain control characters";
    }
  }
  return "";
}

bool ChannelMatches(std::string_view pattern, std::string_view channel) {
  auto p = Segments(pattern);
  auto c = Segments(channel);
  // matched[j]: the pattern's first i segments match the channel's first j.
  std::vector<char> matched(c.size() + 1, 0), next(c.size() + 1, 0);
  matched[0] = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t j = 1; j <= c.size(); ++j) {
      if (p[i] == "**") {
        // One or more segments: extends a match ending at j-1, either of
        // this pattern segment or of the previous one.
        next[j] = matched[j - 1] || next[j - 1];
      } else if (p[i] == "*" || p[i] == c[j - 1]) {
        next[j] = matched[j - 1];
      }
    }
    matched.swap(next);
  }
  return matched[c.size()] != 0;
}

}  // namespace neuroquantum::server
