// Internals of HttpServer shared by its two Beast files: http_server.cc
// (HTTP connections) and websocket.cc (WebSocket connections). Includes
// Beast: include it from those two files only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/http_server.h"

namespace neuroquantum::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace http_internal {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What Impl needs of a connection of either stream type.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  // Posted to the connection's strand by Shutdown.
  virtual void CloseIfIdle() = 0;
  virtual void Close() = 0;
  virtual net::any_io_executor executor() = 0;
  // The end of the current reading phase (steady clock, nanoseconds since
  // its epoch), or kNoDeadline; read without a lock by the sweep.
  int64_t deadline() const { return deadline_ns_.load(std::memory_order_relaxed); }
  // Posted to the connection's strand by the sweep once deadline() passed.
  virtual void OnDeadline() = 0;

  static constexpr int64_t kNoDeadline = INT64_MAX;

 protected:
  std::atomic<int64_t> deadline_ns_{kNoDeadline};
};

inline int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace http_internal

using http_internal::ConnectionBase;
using http_internal::PlainStream;
using http_internal::TlsStream;
using http_internal::SteadyNanos;

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler handler, ErrorResponder errors)
      : options_(options),
        handler_(std::move(handler)),
        errors_(std::move(errors)),
        ioc_(options.io_threads),
        acceptor_(net::make_strand(ioc_)),
        sweep_timer_(net::make_strand(ioc_)) {}

  Status LoadTls();
  Status Listen();
  void Run();
  bool Shutdown(std::chrono::milliseconds grace);

  uint16_t port() const { return port_; }
  size_t connections() const {
    std::lock_guard lock(mu_);
    return connections_.size();
  }
  size_t in_flight() const {
    std::lock_guard lock(mu_);
    return in_flight_;
  }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  const ErrorResponder& errors() const { return errors_; }
  net::ssl::context& tls_context() { return *tls_; }

  void Register(ConnectionBase* c, std::weak_ptr<ConnectionBase> weak, const std::string& address) {
    std::lock_guard lock(mu_);
    connections_.emplace(c, std::move(weak));
    ++per_address_[address];
  }
  void Unregister(ConnectionBase* c, const std::string& address) {
    std::lock_guard lock(mu_);
    connections_.erase(c);
    auto it = per_address_.find(address);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  }
  void RequestStarted() {
    std::lock_guard lock(mu_);
    ++in_flight_;
  }
  void RequestFinished() {
    std::lock_guard lock(mu_);
    --in_flight_;
    if (in_flight_ == 0) drained_.notify_all();
  }

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Why a new connection from `address` is refused, or "".
  std::string Refusal(const std::string& address) const;
  template <typename Fn>
  void ForEachConnection(Fn&& fn);
  // Reading deadlines are checked by one timer for all connections, a few
  // times per shortest timeout, rather than by a timer per connection that
  // every request would arm and cancel twice.
  void Sweep();
  std::chrono::milliseconds SweepPeriod() const;

  const HttpServerOptions options_;
  const HttpHandler handler_;
  const ErrorResponder errors_;
  std::optional<net::ssl::context> tls_;  // set when serving TLS
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};

  // Declared before ioc_: connections still queued in the io_context
  // unregister themselves while it is destroyed.
  mutable std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> connections_;
  std::unordered_map<std::string, size_t> per_address_;  // open connections by client address
  size_t in_flight_ = 0;

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer sweep_timer_;
  std::vector<std::thread> threads_;
  bool joined_ = false;
};

// Hands the connection `stream`, whose HTTP request `request` asked for a
// WebSocket, to `handler`: completes the handshake and runs the connection
// (websocket.cc; instantiated for PlainStream and TlsStream).
template <typename Stream>
void AcceptWebSocket(Stream stream, HttpServer::Impl* server, std::string remote,
                     http::request<http::string_body> request, std::shared_ptr<WebSocketHandler> handler);

}  // namespace neuroquantum::server
