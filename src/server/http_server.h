// HTTP/1.1 server on Boost.Beast/Asio: a fixed pool of I/O threads accepts
// connections, parses requests within the configured limits and hands each
// one to a handler, which answers from any thread (the API runs database
// work on its own worker pool, off the I/O threads). Keep-alive, pipelined
// requests answered in order (one at a time per connection), connection
// caps (in all and per client address), a deadline per reading phase
// (slowloris), refusal of ambiguous request framing (smuggling), optional
// TLS (OpenSSL), WebSocket upgrades and graceful shutdown.
//
// This header is free of Boost so that only http_server.cc and
// websocket.cc pay for compiling Beast.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "neuroquantum/result.h"

namespace neuroquantum::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // target before '?'
  std::string query;   // target after '?', without it
  // Header names lower-cased, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // client IP address
  bool tls = false;            // the request came over TLS
  // A WebSocket opening handshake (GET with Upgrade: websocket): answer it
  // with HttpResponse::websocket to accept, or with any other response to
  // refuse it.
  bool websocket_upgrade = false;
  std::chrono::steady_clock::time_point received;

  // The first header named `name` (lower-case), or null.
  const std::string* Header(std::string_view name) const;
};

// Writes a streamed response body piece by piece (chunked transfer
// coding), from the thread that produces it. The status line and headers
// go out with the first chunk, so that until then the producer can still
// answer with an ordinary response instead (Fail).
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Sends `data` (non-empty) as one chunk and waits until the connection
  // has taken it, so that at most one chunk is buffered whatever the
  // client's pace. False once the client has gone or has not taken a chunk
  // within the read timeout: stop producing, nothing more is sent.
  virtual bool Write(std::string_view data) = 0;
  // Before the first Write: answers with `status` and the whole `body` (of
  // `content_type`) instead of a stream, keeping the response's other
  // headers; for an error found before anything was sent. False, and
  // nothing sent, after a Write.
  virtual bool Fail(int status, std::string content_type, std::string body) = 0;
};

// The server's end of an accepted WebSocket connection, for the code that
// handles it. Thread-safe: callable from any thread.
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // Queues a text message; false (and nothing queued) once the connection
  // is closing or closed.
  virtual bool Send(std::string text) = 0;
  // Bytes of messages queued and not yet written to the socket: what a
  // client that stopped reading leaves in the server's memory.
  virtual size_t queued_bytes() const = 0;
  // Drops what is still queued, sends a close frame with `code` and
  // `reason` (at most 123 bytes) and closes. A client that does not take
  // the close frame within the header timeout is disconnected.
  virtual void Close(uint16_t code, std::string reason) = 0;
};

// What the application does with an accepted WebSocket connection. The
// calls for one connection never overlap and come in order: OnOpen, then
// OnMessage per message, then OnClose exactly once.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // After the handshake, before any message.
  virtual void OnOpen(std::shared_ptr<WebSocketChannel> channel) = 0;
  // A whole message (text or binary), on an I/O thread: must not block.
  virtual void OnMessage(std::string_view message, bool binary) = 0;
  // The connection ended: `code` is the close code the client sent or the
  // server used (1006 when the connection just dropped).
  virtual void OnClose(uint16_t code) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set: a streamed response. The headers go out with chunked transfer
  // coding, then `stream` produces the body on the thread that called the
  // Responder (`body` is ignored), and the last chunk ends it when `stream`
  // returns.
  std::function<void(BodyWriter&)> stream;
  // With `stream`: called (on an I/O thread) if the client disconnects
  // while `stream` runs, for example to cancel the statement feeding it;
  // never after `stream` has returned.
  std::function<void()> on_disconnect;
  // Set, in answer to a request with websocket_upgrade: the server
  // completes the handshake (101) and hands the connection to this handler;
  // status, headers and body are not used.
  std::shared_ptr<WebSocketHandler> websocket;
};

// Called exactly once per request, from any thread.
using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&&, Responder)>;
// Builds the response for a request the server refuses before any handler
// sees it (status 400, 408, 413, 431, 503), in the API's error format.
// kPlainHttpOnTlsPort stands for a plain HTTP request on the TLS port: the
// responder answers it as a 400 with its own error code.
using ErrorResponder = std::function<HttpResponse(int status, std::string_view message)>;

inline constexpr int kPlainHttpOnTlsPort = 497;  // nginx's internal code for the case

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (see HttpServer::port)
  int io_threads = 2;
  size_t max_connections = 512;
  // Open connections from one client IP address; more are refused with 503.
  size_t max_connections_per_address = 64;
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 1 << 20;
  // Deadlines per reading phase, so that a client trickling bytes cannot
  // hold a connection: a keep-alive connection waits at most read_timeout
  // for the next request's first byte; from that byte (or from the accept,
  // or the end of the TLS handshake, for a connection's first request) the
  // headers must be in within header_timeout (also the TLS handshake's
  // limit), and then the body within body_timeout. A request late in its
  // headers or body gets 408; an idle connection is closed silently.
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  // WebSocket connections: the largest message accepted from a client
  // (larger ones close the connection with 1009), and the idle timeout:
  // after half of it without anything from the client the server pings,
  // after all of it the connection is dropped.
  size_t websocket_max_message_bytes = 64 << 10;
  std::chrono::milliseconds websocket_idle_timeout{60000};
  // PEM certificate chain and private key; both empty: plain HTTP. With
  // them every connection must speak TLS 1.2 or 1.3.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class HttpServer {
 public:
  // Binds and starts serving; errors if the address cannot be bound or the
  // TLS certificate or key cannot be loaded (the message names the file).
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler, ErrorResponder errors);
  ~HttpServer();  // Shutdown(0) if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  size_t connections() const;
  // Requests received and not yet answered.
  size_t in_flight() const;

  // Stops accepting, closes idle connections, waits up to `grace` for
  // requests in flight to be answered, then closes everything and joins the
  // I/O threads. Returns whether every request was answered in time.
  bool Shutdown(std::chrono::milliseconds grace);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace neuroquantum::server
