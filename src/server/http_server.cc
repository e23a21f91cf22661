// HttpServer on Boost.Beast: one strand per connection, so a connection's
// handlers never run concurrently, and a fixed set of threads running the
// io_context. The only file of the project that includes Beast.
#include "server/http_server.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "common/log.h"

namespace neuroquantum::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

const std::string* HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

namespace {

class Connection;

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler handler, ErrorResponder errors)
      : options_(options),
        handler_(std::move(handler)),
        errors_(std::move(errors)),
        ioc_(options.io_threads),
        acceptor_(net::make_strand(ioc_)) {}

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

  void Register(Connection* c, std::weak_ptr<Connection> weak) {
    std::lock_guard lock(mu_);
    connections_.emplace(c, std::move(weak));
  }
  void Unregister(Connection* c) {
    std::lock_guard lock(mu_);
    connections_.erase(c);
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
  template <typename Fn>
  void ForEachConnection(Fn&& fn);

  const HttpServerOptions options_;
  const HttpHandler handler_;
  const ErrorResponder errors_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};

  // Declared before ioc_: connections still queued in the io_context
  // unregister themselves while it is destroyed.
  mutable std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
  size_t in_flight_ = 0;

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  bool joined_ = false;
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer::Impl* server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    // Writes from workers must not block (Respond).
    stream_.socket().non_blocking(true, ec);
  }
  ~Connection() { server_->Unregister(this); }

  void Start() {
    server_->Register(this, weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Posted to the connection's strand by Shutdown.
  void CloseIfIdle() {
    std::lock_guard lock(socket_mu_);
    if (!busy_) CloseLocked();
  }
  void Close() {
    std::lock_guard lock(socket_mu_);
    CloseLocked();
  }
  auto executor() { return stream_.get_executor(); }

 private:
  void Read() {
    std::lock_guard lock(socket_mu_);
    ReadLocked();
  }
  void ReadLocked() {
    if (server_->stopping() || closed_) {
      CloseLocked();
      return;
    }
    const HttpServerOptions& options = server_->options();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options.max_header_bytes));
    parser_->body_limit(options.max_body_bytes);
    stream_.expires_after(options.read_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::connection_reset || ec == net::error::eof) {
      Close();
      return;
    }
    const HttpServerOptions& options = server_->options();
    if (ec == http::error::body_limit) {
      SendError(413, fmt::format("request body larger than the limit of {} bytes", options.max_body_bytes));
      return;
    }
    if (ec == http::error::header_limit) {
      SendError(431, fmt::format("request headers larger than the limit of {} bytes", options.max_header_bytes));
      return;
    }
    if (ec) {
      SendError(400, fmt::format("malformed HTTP request: {}", ec.message()));
      return;
    }
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();

    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    request.headers.reserve(8);
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_;
    request.received = std::chrono::steady_clock::now();

    busy_ = true;
    stream_.expires_never();
    server_->RequestStarted();
    auto self = shared_from_this();
    server_->handler()(std::move(request), [self](HttpResponse response) { self->Respond(std::move(response)); });
  }

  // The handler's answer, on whatever thread produced it. While busy_ no
  // operation is pending on the socket and no handler of this connection
  // runs (Shutdown's closes take socket_mu_), so the response is written
  // right here when the socket takes it whole, and the next read is armed
  // from here too: no trip through the strand, which would cost a thread
  // wake-up per request. A response the socket cannot take at once goes
  // out through the strand.
  void Respond(HttpResponse response) {
    bool keep_alive = keep_alive_ && !server_->stopping();
    auto out = std::make_shared<std::string>(Serialize(&response, keep_alive));
    std::unique_lock lock(socket_mu_);
    size_t written = 0;
    beast::error_code ec;
    if (closed_) ec = net::error::bad_descriptor;
    while (!ec && written < out->size()) {
      written += stream_.socket().write_some(net::buffer(out->data() + written, out->size() - written), ec);
    }
    if (ec == net::error::would_block || ec == net::error::try_again) {
      lock.unlock();
      net::post(executor(), [self = shared_from_this(), out, written, keep_alive] {
        self->WriteRest(out, written, /*answers_request=*/true, keep_alive);
      });
      return;
    }
    busy_ = false;
    server_->RequestFinished();
    if (ec || !keep_alive) {
      CloseLocked();
      return;
    }
    ReadLocked();
  }

  void SendError(int status, std::string message) {
    keep_alive_ = false;
    HttpResponse response = server_->errors()(status, message);
    WriteRest(std::make_shared<std::string>(Serialize(&response, false)), 0, /*answers_request=*/false, false);
  }

  // On the strand: writes out[offset..].
  void WriteRest(std::shared_ptr<std::string> out, size_t offset, bool answers_request, bool keep_alive) {
    stream_.expires_after(server_->options().read_timeout);
    net::async_write(stream_, net::buffer(out->data() + offset, out->size() - offset),
                     [self = shared_from_this(), out, answers_request, keep_alive](beast::error_code ec, size_t) {
                       self->OnWrite(ec, answers_request, keep_alive);
                     });
  }

  void OnWrite(beast::error_code ec, bool answers_request, bool keep_alive) {
    if (answers_request) {
      busy_ = false;
      server_->RequestFinished();
    }
    if (!ec && !answers_request) {
      Linger();
      return;
    }
    if (ec || !keep_alive) {
      Close();
      return;
    }
    Read();
  }

  // Status line, headers and body in one buffer (one send for small
  // responses). Header values with CR or LF are dropped: nothing may
  // inject a header.
  static std::string Serialize(HttpResponse* response, bool keep_alive) {
    int status = response->status;
    std::string out;
    out.reserve(192 + response->body.size());
    auto reason = http::obsolete_reason(static_cast<http::status>(status));
    out += fmt::format("HTTP/1.1 {} {}\r\nServer: NeuroQuantumDB\r\n", status,
                       std::string_view(reason.data(), reason.size()));
    auto add = [&out](std::string_view name, std::string_view value) {
      if (value.find_first_of("\r\n") != std::string_view::npos) return;
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    };
    if (!response->content_type.empty()) add("Content-Type", response->content_type);
    for (const auto& [name, value] : response->headers) add(name, value);
    bool bodiless = status < 200 || status == 204 || status == 304;
    if (!bodiless) add("Content-Length", std::to_string(response->body.size()));
    add("Connection", keep_alive ? "keep-alive" : "close");
    out += "\r\n";
    if (!bodiless) out += response->body;
    return out;
  }

  // After refusing a request whose body the client may still be sending:
  // closing at once would reset the connection and the client could lose
  // the response, so the rest is read and dropped until the client closes,
  // for at most a second and a few MiB.
  void Linger() {
    std::lock_guard lock(socket_mu_);
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(1));
    discard_.resize(64 << 10);
    ReadAndDiscard(0);
  }
  void ReadAndDiscard(size_t total) {
    if (total > (8u << 20)) {
      Close();
      return;
    }
    stream_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this(), total](beast::error_code ec, size_t n) {
                              if (ec) {
                                self->Close();
                                return;
                              }
                              self->ReadAndDiscard(total + n);
                            });
  }

  void CloseLocked() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  // Guards the socket against Shutdown's closes while a worker writes.
  std::mutex socket_mu_;
  bool closed_ = false;  // guarded by socket_mu_
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl* server_;
  std::string remote_;
  std::vector<char> discard_;
  bool keep_alive_ = true;
  std::atomic<bool> busy_{false};  // a request is with the handler or being answered
};

}  // namespace

Status HttpServer::Impl::Listen() {
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(options_.host, ec);
  if (ec) return Status::InvalidArgument(fmt::format("bad listen address \"{}\": {}", options_.host, ec.message()));
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError(fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, ec.message()));
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return Status::OK();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping()) return;
  if (ec) {
    if (ec != net::error::operation_aborted) NQ_LOG_WARN("server", "accept failed: {}", ec.message());
  } else if (connections() >= options_.max_connections) {
    // Refused at once, without reading the request.
    HttpResponse response = errors_(503, "too many connections");
    std::string text = fmt::format(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        response.content_type, response.body.size(), response.body);
    beast::error_code write_error;
    net::write(socket, net::buffer(text), write_error);
    socket.close(write_error);
  } else {
    std::make_shared<Connection>(std::move(socket), this)->Start();
  }
  Accept();
}

void HttpServer::Impl::Run() {
  Accept();
  int threads = std::max(1, options_.io_threads);
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

template <typename Fn>
void HttpServer::Impl::ForEachConnection(Fn&& fn) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [raw, weak] : connections_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) net::post(c->executor(), [c, fn] { fn(*c); });
}

bool HttpServer::Impl::Shutdown(std::chrono::milliseconds grace) {
  if (joined_) return true;
  stopping_.store(true, std::memory_order_release);
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  ForEachConnection([](Connection& c) { c.CloseIfIdle(); });
  bool drained;
  {
    std::unique_lock lock(mu_);
    drained = drained_.wait_for(lock, grace, [this] { return in_flight_ == 0; });
  }
  // Connections whose close does not run before the loop stops are closed
  // when the io_context destroys their handlers.
  ForEachConnection([](Connection& c) { c.Close(); });
  ioc_.stop();
  for (auto& t : threads_) t.join();
  joined_ = true;
  return drained;
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { impl_->Shutdown(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, HttpHandler handler,
                                                      ErrorResponder errors) {
  auto impl = std::make_unique<Impl>(options, std::move(handler), std::move(errors));
  NQ_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }
size_t HttpServer::connections() const { return impl_->connections(); }
size_t HttpServer::in_flight() const { return impl_->in_flight(); }
bool HttpServer::Shutdown(std::chrono::milliseconds grace) { return impl_->Shutdown(grace); }

}  // namespace neuroquantum::server
