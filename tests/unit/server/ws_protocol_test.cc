// Tests for the messages of the WebSocket protocol: each client message
// type accepted with its fields, each refusal with its error code (and the
// id echoed when it was readable), channel patterns valid and invalid, and
// the truth table of channel matching with "*" and "**".
#include "server/ws_protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "server/json_parse.h"

namespace neuroquantum::server {
namespace {

using Json = nlohmann::json;

WsClientMessage Accept(const std::string& text) {
  WsClientMessage m;
  auto error = ParseWsMessage(text, &m);
  EXPECT_FALSE(error.has_value()) << text << " refused: " << (error ? error->code + ": " + error->message : "");
  return m;
}

WsMessageError Refuse(const std::string& text) {
  WsClientMessage m;
  auto error = ParseWsMessage(text, &m);
  EXPECT_TRUE(error.has_value()) << text << " accepted";
  if (!error) return {};
  EXPECT_FALSE(error->message.empty()) << text;
  return *error;
}

// The code of the refusal, for the tables of bad messages.
std::string Code(const std::string& text) { return Refuse(text).code; }

TEST(WsProtocolTest, SubscribeAndUnsubscribe) {
  WsClientMessage m = Accept(R"({"type": "subscribe", "channel": "table.users"})");
  EXPECT_EQ(m.type, WsMessageType::kSubscribe);
  EXPECT_EQ(m.channel, "table.users");
  EXPECT_EQ(m.id, "");
  m = Accept(R"({"type": "unsubscribe", "channel": "table.*", "extra": [1, 2]})");
  EXPECT_EQ(m.type, WsMessageType::kUnsubscribe);
  EXPECT_EQ(m.channel, "table.*");
  m = Accept(R"({"channel": "**", "type": "subscribe", "id": "s1"})");
  EXPECT_EQ(m.type, WsMessageType::kSubscribe);
  EXPECT_EQ(m.channel, "**");
  EXPECT_EQ(m.id, "s1");
}

TEST(WsProtocolTest, StreamQuery) {
  WsClientMessage m = Accept(R"({"type": "stream_query", "id": "q1", "sql": "SELECT 1"})");
  EXPECT_EQ(m.type, WsMessageType::kStreamQuery);
  EXPECT_EQ(m.id, "q1");
  EXPECT_EQ(m.sql, "SELECT 1");
  EXPECT_EQ(m.params, Json::array());
  EXPECT_EQ(m.batch_size, 100u);  // the default
  m = Accept(R"({"type": "stream_query", "id": "q2", "sql": "SELECT * FROM t WHERE a = $1 AND b = $2",
                 "params": [1, "x", null, {"k": true}], "batch_size": 7})");
  EXPECT_EQ(m.sql, "SELECT * FROM t WHERE a = $1 AND b = $2");
  EXPECT_EQ(m.params, Json::parse(R"([1, "x", null, {"k": true}])"));
  EXPECT_EQ(m.batch_size, 7u);
  EXPECT_EQ(Accept(R"({"type": "stream_query", "id": "q", "sql": "S", "batch_size": 1})").batch_size, 1u);
  EXPECT_EQ(Accept(R"({"type": "stream_query", "id": "q", "sql": "S", "batch_size": 10000})").batch_size,
            kWsMaxBatchSize);
  // null stands for absent: the defaults.
  m = Accept(R"({"type": "stream_query", "id": "q", "sql": "S", "params": null, "batch_size": null})");
  EXPECT_EQ(m.params, Json::array());
  EXPECT_EQ(m.batch_size, 100u);
  // An id of exactly the limit.
  std::string id(kWsMaxIdBytes, 'i');
  EXPECT_EQ(Accept(R"({"type": "stream_query", "sql": "S", "id": ")" + id + "\"}").id, id);
}

TEST(WsProtocolTest, CancelCreditPing) {
  WsClientMessage m = Accept(R"({"type": "cancel_query", "id": "q1"})");
  EXPECT_EQ(m.type, WsMessageType::kCancelQuery);
  EXPECT_EQ(m.id, "q1");
  m = Accept(R"({"type": "credit", "n": 25})");
  EXPECT_EQ(m.type, WsMessageType::kCredit);
  EXPECT_EQ(m.credit, 25u);
  EXPECT_EQ(Accept(R"({"type": "credit", "n": 1})").credit, 1u);
  EXPECT_EQ(Accept(R"({"type": "credit", "n": 1000000})").credit, kWsMaxCreditGrant);
  m = Accept(R"({"type": "ping"})");
  EXPECT_EQ(m.type, WsMessageType::kPing);
  EXPECT_EQ(m.id, "");
  m = Accept(R"({"type": "ping", "id": "p-7"})");
  EXPECT_EQ(m.type, WsMessageType::kPing);
  EXPECT_EQ(m.id, "p-7");
  EXPECT_EQ(Accept(R"({"type": "ping", "id": null})").id, "");
}

TEST(WsProtocolTest, NotAJsonObject) {
  for (const char* text : {"", "ping", "{", R"({"type": "ping")", R"({"type": "ping"} x)", "1e999999"}) {
    EXPECT_EQ(Code(text), "INVALID_MESSAGE") << text;
  }
  for (const char* text : {"[]", R"(["type", "ping"])", R"("ping")", "1", "null", "true"}) {
    WsMessageError e = Refuse(text);
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << text;
    EXPECT_NE(e.message.find("JSON object"), std::string::npos) << text << ": " << e.message;
  }
  EXPECT_NE(Refuse("{").message.find("malformed JSON"), std::string::npos);
}

TEST(WsProtocolTest, DeepNestingIsRefusedBeforeParsing) {
  std::string deep = R"({"type": "ping", "x": )";
  for (int i = 0; i < kMaxJsonDepth; ++i) deep += "[";
  for (int i = 0; i < kMaxJsonDepth; ++i) deep += "]";
  deep += "}";
  WsMessageError e = Refuse(deep);
  EXPECT_EQ(e.code, "INVALID_MESSAGE");
  EXPECT_NE(e.message.find("deeper than"), std::string::npos) << e.message;
  // One level less is fine (the object itself is the first level).
  std::string ok = R"({"type": "ping", "x": )";
  for (int i = 0; i < kMaxJsonDepth - 1; ++i) ok += "[";
  for (int i = 0; i < kMaxJsonDepth - 1; ++i) ok += "]";
  Accept(ok + "}");
  // A million brackets inside a string are not nesting.
  Accept(R"({"type": "ping", "x": ")" + std::string(1000, '[') + "\"}");
}

TEST(WsProtocolTest, TypeMissingNotAStringOrUnknown) {
  for (const char* text : {"{}", R"({"id": "a"})", R"({"type": 1})", R"({"type": null})", R"({"type": ["ping"]})",
                           R"({"Type": "ping"})"}) {
    WsMessageError e = Refuse(text);
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << text;
    EXPECT_NE(e.message.find("\"type\""), std::string::npos) << text << ": " << e.message;
  }
  WsMessageError e = Refuse(R"({"type": "publish", "id": "x1"})");
  EXPECT_EQ(e.code, "UNKNOWN_TYPE");
  EXPECT_EQ(e.id, "x1");
  EXPECT_NE(e.message.find("\"publish\""), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("subscribe, unsubscribe, stream_query, cancel_query, credit or ping"), std::string::npos);
  EXPECT_EQ(Code(R"({"type": "PING"})"), "UNKNOWN_TYPE");  // case-sensitive
  EXPECT_EQ(Code(R"({"type": ""})"), "UNKNOWN_TYPE");
  // A long type is cut at 64 bytes in the message.
  std::string long_type = std::string(64, 'a') + std::string(1000, 'b');
  e = Refuse(R"({"type": ")" + long_type + "\"}");
  EXPECT_EQ(e.code, "UNKNOWN_TYPE");
  EXPECT_NE(e.message.find("\"" + std::string(64, 'a') + "...\""), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find(std::string(64, 'a') + "b"), std::string::npos) << e.message;
  EXPECT_LT(e.message.size(), 300u);
  // Exactly 64 bytes: not cut.
  e = Refuse(R"({"type": ")" + std::string(64, 'c') + "\"}");
  EXPECT_NE(e.message.find("\"" + std::string(64, 'c') + "\""), std::string::npos) << e.message;
}

// The cut never splits a UTF-8 character: the message stays valid UTF-8
// (every byte sequence a client sent was).
TEST(WsProtocolTest, UnknownTypeCutKeepsUtf8Whole) {
  // 63 ASCII bytes, then "é" (2 bytes) straddles byte 64.
  std::string type = std::string(63, 'a') + "\xc3\xa9" + std::string(10, 'z');
  WsMessageError e = Refuse(R"({"type": ")" + type + "\"}");
  EXPECT_EQ(e.code, "UNKNOWN_TYPE");
  EXPECT_NE(e.message.find("\"" + std::string(63, 'a') + "...\""), std::string::npos) << e.message;
  // A 4-byte character straddling byte 64 at each offset.
  for (int before = 61; before <= 63; ++before) {
    type = std::string(static_cast<size_t>(before), 'a') + "\xf0\x9f\x98\x80" + std::string(10, 'z');
    e = Refuse(R"({"type": ")" + type + "\"}");
    EXPECT_NE(e.message.find("\"" + std::string(static_cast<size_t>(before), 'a') + "...\""), std::string::npos)
        << before << ": " << e.message;
    EXPECT_NO_THROW((void)Json(e.message).dump()) << before;
  }
  // A character that ends exactly at byte 64 is kept.
  type = std::string(60, 'a') + "\xf0\x9f\x98\x80" + "zz";
  e = Refuse(R"({"type": ")" + type + "\"}");
  EXPECT_NE(e.message.find("\"" + std::string(60, 'a') + "\xf0\x9f\x98\x80...\""), std::string::npos) << e.message;
}

TEST(WsProtocolTest, SubscribeNeedsAValidChannel) {
  for (const char* text : {R"({"type": "subscribe"})", R"({"type": "subscribe", "channel": ""})",
                           R"({"type": "unsubscribe", "channel": null})"}) {
    WsMessageError e = Refuse(text);
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << text;
    EXPECT_NE(e.message.find("needs \"channel\""), std::string::npos) << text << ": " << e.message;
  }
  EXPECT_EQ(Code(R"({"type": "subscribe", "channel": 5})"), "INVALID_MESSAGE");
  EXPECT_EQ(Code(R"({"type": "subscribe", "channel": ["table.a"]})"), "INVALID_MESSAGE");
  EXPECT_EQ(Code(R"({"type": "subscribe", "channel": ")" + std::string(1025, 'a') + "\"}"), "INVALID_MESSAGE");
  for (const char* channel : {"table.", ".table", "table..users", ".", "table.user*", "*table", "***", "a.*b.c",
                              "tab\\u0001le", "a\\tb", "a\\u007fb"}) {
    WsMessageError e = Refuse(std::string(R"({"type": "subscribe", "id": "s9", "channel": ")") + channel + "\"}");
    EXPECT_EQ(e.code, "INVALID_CHANNEL") << channel;
    EXPECT_EQ(e.id, "s9") << channel;
  }
  EXPECT_EQ(Code(R"({"type": "unsubscribe", "channel": "a..b"})"), "INVALID_CHANNEL");
}

TEST(WsProtocolTest, StreamQueryRefusals) {
  for (const char* text : {R"({"type": "stream_query", "sql": "SELECT 1"})",
                           R"({"type": "stream_query", "id": "", "sql": "SELECT 1"})",
                           R"({"type": "stream_query", "id": "q"})",
                           R"({"type": "stream_query", "id": "q", "sql": ""})",
                           R"({"type": "stream_query", "id": "q", "sql": null})"}) {
    WsMessageError e = Refuse(text);
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << text;
    EXPECT_NE(e.message.find("needs \"id\" and \"sql\""), std::string::npos) << text << ": " << e.message;
  }
  EXPECT_EQ(Code(R"({"type": "stream_query", "id": "q", "sql": 1})"), "INVALID_MESSAGE");
  for (const char* params : {"{}", "1", "\"[1]\"", "true"}) {
    WsMessageError e = Refuse(std::string(R"({"type": "stream_query", "id": "q5", "sql": "S", "params": )") + params +
                              "}");
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << params;
    EXPECT_EQ(e.message, "\"params\" must be an array") << params;
    EXPECT_EQ(e.id, "q5");
  }
  for (const char* batch : {"0", "10001", "-1", "\"5\"", "1.5", "1.0", "100.0", "-0", "1e3", "true", "[5]",
                            "18446744073709551615", "18446744073709551616"}) {
    WsMessageError e =
        Refuse(std::string(R"({"type": "stream_query", "id": "q6", "sql": "S", "batch_size": )") + batch + "}");
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << batch;
    EXPECT_EQ(e.message, "\"batch_size\" must be an integer in [1, 10000]") << batch;
    EXPECT_EQ(e.id, "q6") << batch;
  }
}

TEST(WsProtocolTest, CreditRefusals) {
  // "n": null is no grant at all (it was once accepted as a grant of 0).
  for (const char* text :
       {R"({"type": "credit"})", R"({"type": "credit", "N": 5})", R"({"type": "credit", "n": null})"}) {
    WsMessageError e = Refuse(text);
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << text;
    EXPECT_NE(e.message.find("credit needs \"n\""), std::string::npos) << text << ": " << e.message;
  }
  for (const char* n : {"0", "1000001", "-1", "-1000", "2.5", "1.0", "\"10\"", "false", "{}",
                        "18446744073709551615", "9223372036854775808", "-9223372036854775808"}) {
    WsMessageError e = Refuse(std::string(R"({"type": "credit", "id": "c", "n": )") + n + "}");
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << n;
    EXPECT_EQ(e.message, "\"n\" must be an integer in [1, 1000000]") << n;
    EXPECT_EQ(e.id, "c") << n;
  }
}

TEST(WsProtocolTest, CancelAndIdRefusals) {
  for (const char* text : {R"({"type": "cancel_query"})", R"({"type": "cancel_query", "id": ""})",
                           R"({"type": "cancel_query", "id": null})"}) {
    WsMessageError e = Refuse(text);
    EXPECT_EQ(e.code, "INVALID_MESSAGE") << text;
    EXPECT_NE(e.message.find("cancel_query needs \"id\""), std::string::npos) << text << ": " << e.message;
  }
  // An id that is not a string or too long: refused whatever the type, and
  // not echoed (it is not readable).
  for (const char* id : {"1", "true", "[\"q\"]", "{\"q\": 1}"}) {
    for (const char* type : {"ping", "cancel_query", "stream_query", "nope"}) {
      WsMessageError e = Refuse(std::string(R"({"type": ")") + type + R"(", "sql": "S", "id": )" + id + "}");
      EXPECT_EQ(e.code, "INVALID_MESSAGE") << type << " " << id;
      EXPECT_EQ(e.message, "\"id\" must be a string") << type << " " << id;
      EXPECT_EQ(e.id, "") << type << " " << id;
    }
  }
  std::string long_id(kWsMaxIdBytes + 1, 'q');
  WsMessageError e = Refuse(R"({"type": "cancel_query", "id": ")" + long_id + "\"}");
  EXPECT_EQ(e.code, "INVALID_MESSAGE");
  EXPECT_EQ(e.message, "\"id\" is longer than 128 bytes");
  EXPECT_EQ(e.id, "");
  // Even for a message with no type at all.
  EXPECT_EQ(Refuse(R"({"id": ")" + long_id + "\"}").message, "\"id\" is longer than 128 bytes");
}

TEST(WsProtocolTest, ReadableIdIsEchoedInErrors) {
  EXPECT_EQ(Refuse(R"({"id": "e1"})").id, "e1");                                      // no type
  EXPECT_EQ(Refuse(R"({"id": "e2", "type": 3})").id, "e2");                           // type not a string
  EXPECT_EQ(Refuse(R"({"id": "e3", "type": "subscribe"})").id, "e3");                 // no channel
  EXPECT_EQ(Refuse(R"({"id": "e4", "type": "subscribe", "channel": "a."})").id, "e4");  // bad channel
  EXPECT_EQ(Refuse(R"({"id": "e5", "type": "stream_query"})").id, "e5");              // no sql
  EXPECT_EQ(Refuse(R"({"id": "e6", "type": "credit", "n": 0})").id, "e6");
  EXPECT_EQ(Refuse(R"({"id": "e7", "type": "zzz"})").id, "e7");
  EXPECT_EQ(Refuse(R"({"type": "credit", "n": 0})").id, "");
  // Not readable: the message is not JSON.
  EXPECT_EQ(Refuse(R"({"id": "e8", "type": )").id, "");
  // Unicode escapes are decoded in the echoed id.
  EXPECT_EQ(Refuse(R"({"id": "\u00e9\"", "type": "zzz"})").id, "\xc3\xa9\"");
}

TEST(ChannelPatternTest, ValidPatterns) {
  for (const char* pattern : {"table", "table.users", "table.*", "*", "**", "table.**", "a.**.z", "*.*", "**.**",
                              "a.*.b.**", "table.Users", "t-1.x_y", "table.\xc3\xa9t\xc3\xa9", "a b.c"}) {
    EXPECT_EQ(ChannelPatternProblem(pattern), "") << pattern;
  }
  // The limits exactly: 16 segments, 128 bytes each.
  std::string sixteen = "s";
  for (int i = 1; i < 16; ++i) sixteen += ".s";
  EXPECT_EQ(ChannelPatternProblem(sixteen), "");
  EXPECT_EQ(ChannelPatternProblem(std::string(128, 'x')), "");
  EXPECT_EQ(ChannelPatternProblem("a." + std::string(128, 'x') + ".b"), "");
}

TEST(ChannelPatternTest, InvalidPatterns) {
  auto problem = [](std::string_view pattern, std::string_view expected) {
    std::string why = ChannelPatternProblem(pattern);
    EXPECT_NE(why.find(expected), std::string::npos) << "\"" << pattern << "\": \"" << why << "\"";
  };
  for (const char* pattern : {"", ".", "..", ".table", "table.", "table..users", "a.*.", ".**"}) {
    problem(pattern, "must not be empty");
  }
  for (const char* pattern : {"x*", "*x", "table.user*", "***", "a.*b", "a.b**", "*.**.*a"}) {
    problem(pattern, "whole segments only");
  }
  for (std::string pattern : {std::string("a\x01"), std::string("a\nb"), std::string("tab\tle"), std::string("x\x7f"),
                              std::string("a.\x1f"), std::string("a\0b", 3)}) {
    problem(pattern, "control characters");
  }
  std::string seventeen = "s";
  for (int i = 1; i < 17; ++i) seventeen += ".s";
  problem(seventeen, "at most 16 segments");
  problem(std::string(129, 'x'), "at most 128 bytes");
  problem("a." + std::string(129, 'x'), "at most 128 bytes");
  problem(std::string(129, '*'), "at most 128 bytes");
}

TEST(ChannelMatchTest, ExactNames) {
  EXPECT_TRUE(ChannelMatches("table.users", "table.users"));
  EXPECT_TRUE(ChannelMatches("table", "table"));
  EXPECT_FALSE(ChannelMatches("table.users", "table.user"));
  EXPECT_FALSE(ChannelMatches("table.users", "table.users.x"));
  EXPECT_FALSE(ChannelMatches("table.users", "table"));
  EXPECT_FALSE(ChannelMatches("table.users", "x.table.users"));
  EXPECT_FALSE(ChannelMatches("table.users", "table.Users"));  // case-sensitive
  EXPECT_FALSE(ChannelMatches("Table.users", "table.users"));
  EXPECT_FALSE(ChannelMatches("table.users", "tableusers"));
  EXPECT_FALSE(ChannelMatches("tableusers", "table.users"));
}

TEST(ChannelMatchTest, StarIsExactlyOneSegment) {
  EXPECT_TRUE(ChannelMatches("table.*", "table.users"));
  EXPECT_TRUE(ChannelMatches("table.*", "table.*"));
  EXPECT_FALSE(ChannelMatches("table.*", "table"));
  EXPECT_FALSE(ChannelMatches("table.*", "table.a.b"));
  EXPECT_FALSE(ChannelMatches("table.*", "tables.users"));
  EXPECT_TRUE(ChannelMatches("*", "table"));
  EXPECT_FALSE(ChannelMatches("*", "table.users"));
  EXPECT_TRUE(ChannelMatches("*.users", "table.users"));
  EXPECT_FALSE(ChannelMatches("*.users", "table.orders"));
  EXPECT_TRUE(ChannelMatches("*.*", "a.b"));
  EXPECT_FALSE(ChannelMatches("*.*", "a"));
  EXPECT_FALSE(ChannelMatches("*.*", "a.b.c"));
  EXPECT_TRUE(ChannelMatches("a.*.c", "a.b.c"));
  EXPECT_FALSE(ChannelMatches("a.*.c", "a.c"));
  EXPECT_FALSE(ChannelMatches("a.*.c", "a.b.x.c"));
}

TEST(ChannelMatchTest, DoubleStarIsOneOrMoreSegments) {
  for (const char* channel : {"a", "table", "table.users", "a.b.c.d.e.f", "*", "**"}) {
    EXPECT_TRUE(ChannelMatches("**", channel)) << channel;
  }
  EXPECT_TRUE(ChannelMatches("table.**", "table.a"));
  EXPECT_TRUE(ChannelMatches("table.**", "table.a.b"));
  EXPECT_TRUE(ChannelMatches("table.**", "table.a.b.c.d"));
  EXPECT_FALSE(ChannelMatches("table.**", "table"));
  EXPECT_FALSE(ChannelMatches("table.**", "tables.a"));
  EXPECT_FALSE(ChannelMatches("table.**", "x.table.a"));
  EXPECT_TRUE(ChannelMatches("**.users", "table.users"));
  EXPECT_TRUE(ChannelMatches("**.users", "a.b.users"));
  EXPECT_FALSE(ChannelMatches("**.users", "users"));
  EXPECT_FALSE(ChannelMatches("**.users", "table.users.x"));
}

TEST(ChannelMatchTest, DoubleStarInTheMiddle) {
  EXPECT_TRUE(ChannelMatches("a.**.z", "a.b.z"));
  EXPECT_TRUE(ChannelMatches("a.**.z", "a.b.c.d.z"));
  EXPECT_TRUE(ChannelMatches("a.**.z", "a.z.z"));
  EXPECT_TRUE(ChannelMatches("a.**.z", "a.z.z.z"));
  EXPECT_FALSE(ChannelMatches("a.**.z", "a.z"));
  EXPECT_FALSE(ChannelMatches("a.**.z", "a.b.c"));
  EXPECT_FALSE(ChannelMatches("a.**.z", "b.c.z"));
  EXPECT_FALSE(ChannelMatches("a.**.z", "a.b.z.y"));
}

TEST(ChannelMatchTest, SeveralWildcards) {
  EXPECT_TRUE(ChannelMatches("**.**", "a.b"));
  EXPECT_TRUE(ChannelMatches("**.**", "a.b.c"));
  EXPECT_FALSE(ChannelMatches("**.**", "a"));
  EXPECT_TRUE(ChannelMatches("*.**", "a.b"));
  EXPECT_FALSE(ChannelMatches("*.**", "a"));
  EXPECT_TRUE(ChannelMatches("**.*", "a.b.c"));
  EXPECT_TRUE(ChannelMatches("*.**.*", "a.b.c"));
  EXPECT_TRUE(ChannelMatches("*.**.*", "a.b.c.d.e"));
  EXPECT_FALSE(ChannelMatches("*.**.*", "a.b"));
  EXPECT_TRUE(ChannelMatches("a.**.m.**.z", "a.b.m.n.z"));
  EXPECT_TRUE(ChannelMatches("a.**.m.**.z", "a.m.m.m.z"));
  EXPECT_FALSE(ChannelMatches("a.**.m.**.z", "a.m.m.z"));  // each ** needs a segment of its own
  EXPECT_FALSE(ChannelMatches("a.**.m.**.z", "a.b.c.z"));
  EXPECT_TRUE(ChannelMatches("**.b.*", "a.b.c"));
  EXPECT_TRUE(ChannelMatches("**.b.*", "x.y.b.c"));
  EXPECT_FALSE(ChannelMatches("**.b.*", "b.c"));
  EXPECT_FALSE(ChannelMatches("**.b.*", "a.b.c.d"));
}

TEST(ChannelMatchTest, NoPartialSegments) {
  EXPECT_FALSE(ChannelMatches("table.user", "table.users"));
  EXPECT_FALSE(ChannelMatches("table.users", "table.user"));
  EXPECT_FALSE(ChannelMatches("tab", "table"));
  EXPECT_FALSE(ChannelMatches("table.*", "table"));
  EXPECT_FALSE(ChannelMatches("t*", "table"));  // not a pattern: matches only itself
  EXPECT_TRUE(ChannelMatches("t*", "t*"));
  EXPECT_FALSE(ChannelMatches("table.u", "table.users"));
}

}  // namespace
}  // namespace neuroquantum::server
