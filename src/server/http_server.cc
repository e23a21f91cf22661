// HttpServer on Boost.Beast: one strand per connection, so a connection's
// handlers never run concurrently, and a fixed set of threads running the
// io_context. With websocket.cc the only files of the project that include
// Beast (and Asio's OpenSSL binding), through http_server_impl.h.
//
// A connection's life, each step a function of Connection:
//
//   accept ──(TLS)──> Begin: detect TLS ──plain HTTP──> RefusePlainHttp (400)
//     │                 └─> handshake (OnHandshake)
//     v
//   ReadLocked ──keep-alive, nothing buffered──> idle wait (OnFirstBytes)
//     v
//   ReadHeader (OnHeader: limits, framing checks) ──> body (OnBody)
//     v
//   Dispatch ──> handler ──> Respond ──> ReadLocked again, or close
//
// Each reading phase has its own deadline (ArmLocked), checked by one sweep
// timer for all connections; a late read is cancelled (not the socket
// closed) so that the request can still be answered with 408.
//
// A streamed response (HttpResponse::stream) is written chunk by chunk
// from the producing thread through the strand (StreamResponse), while a
// read watches for the client going away.
#include "server/http_server.h"
#include "server/http_server_impl.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include "common/log.h"

namespace neuroquantum::server {

const std::string* HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

namespace {

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only. TLS 1.3's suites
// all qualify and keep OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Why the framing of a request is ambiguous, or "". Two parsers (a proxy's
// and ours) that disagree on where a body ends let a client hide a second
// request inside the first ("request smuggling"), so only one unambiguous
// framing is taken: one Content-Length that is a plain decimal, or
// Transfer-Encoding exactly "chunked" and no Content-Length. Beast refuses
// some of these itself (conflicting lengths, CL with TE, "chunked" twice);
// it accepts "gzip, chunked", an unknown coding (the body then counts as
// empty and its bytes as the next request) and "5, 5".
std::string FramingProblem(const http::request_parser<http::string_body>::value_type& message) {
  int lengths = 0;
  int encodings = 0;
  std::string_view length;
  beast::string_view encoding;
  for (const auto& field : message) {
    if (field.name() == http::field::content_length) {
      ++lengths;
      length = std::string_view(field.value().data(), field.value().size());
    } else if (field.name() == http::field::transfer_encoding) {
      ++encodings;
      encoding = field.value();
    }
  }
  if (lengths > 1) return "a request must not have several Content-Length headers";
  if (lengths == 1 && encodings > 0) return "a request must not have both Content-Length and Transfer-Encoding";
  if (encodings > 1) return "a request must not have several Transfer-Encoding headers";
  if (lengths == 1 && (length.empty() || length.find_first_not_of("0123456789") != std::string_view::npos)) {
    return "Content-Length must be one decimal number";
  }
  if (encodings == 1 && !beast::iequals(encoding, "chunked")) {
    return fmt::format("Transfer-Encoding \"{}\" is not supported: only \"chunked\"",
                       std::string_view(encoding.data(), std::min<size_t>(encoding.size(), 40)));
  }
  return "";
}

// Errors that mean the peer went away or the TLS session broke: nothing
// can be answered.
bool PeerGone(beast::error_code ec) {
  return ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout ||
         ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::broken_pipe ||
         ec.category() == net::error::get_ssl_category() || ec.category() == net::ssl::error::get_stream_category();
}

// One client connection over Stream: PlainStream or TlsStream. Its
// handlers run on its strand; Respond runs on whatever thread answers, and
// Shutdown's closes on the strand too, both under socket_mu_.
template <typename Stream>
class Connection : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `refusal` non-empty: the connection is over a cap and is answered 503
  // once it speaks (for TLS, after the handshake) instead of being read.
  Connection(tcp::socket socket, HttpServer::Impl* server, std::string remote, std::string refusal)
      : stream_(MakeStream(std::move(socket), server)),
        executor_(stream_.get_executor()),
        server_(server),
        remote_(std::move(remote)),
        refusal_(std::move(refusal)) {
    if constexpr (!kTls) {
      // Writes from workers must not block (Respond).
      beast::error_code ec;
      Tcp().socket().non_blocking(true, ec);
    }
  }
  ~Connection() override { server_->Unregister(this, remote_); }

  void Start() {
    server_->Register(this, this->weak_from_this(), remote_);
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  void CloseIfIdle() override {
    std::lock_guard lock(socket_mu_);
    if (!busy_) CloseLocked();
  }
  void Close() override {
    std::lock_guard lock(socket_mu_);
    CloseLocked();
  }
  // Kept apart from stream_, which a WebSocket upgrade moves away.
  net::any_io_executor executor() override { return executor_; }

 private:
  enum class Phase { kIdle, kHeader, kBody };

  static Stream MakeStream(tcp::socket socket, HttpServer::Impl* server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), server->tls_context());
    } else {
      (void)server;
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if constexpr (kTls) {
      // Detecting, then the handshake, within the header deadline.
      Tcp().expires_after(server_->options().header_timeout);
      beast::async_detect_ssl(Tcp(), buffer_, beast::bind_front_handler(&Connection::OnDetect, this->shared_from_this()));
    } else {
      Read();
    }
  }

  void OnDetect(beast::error_code ec, bool tls) {
    if (ec) {
      Close();
      return;
    }
    if (!tls) {
      RefusePlainHttp();
      return;
    }
    stream_.async_handshake(net::ssl::stream_base::server, buffer_.data(),
                            beast::bind_front_handler(&Connection::OnHandshake, this->shared_from_this()));
  }

  void OnHandshake(beast::error_code ec, size_t used) {
    if (ec) {
      NQ_LOG_DEBUG("http", "TLS handshake with {} failed: {}", remote_, ec.message());
      Close();
      return;
    }
    buffer_.consume(used);
    if (!refusal_.empty()) {
      SendError(503, refusal_);
      return;
    }
    Read();
  }

  // A plain HTTP request on the TLS port: answered in plain text so that
  // the client learns why, then closed.
  void RefusePlainHttp() {
    HttpResponse response =
        server_->errors()(kPlainHttpOnTlsPort, "this port speaks HTTPS: plain HTTP requests are refused");
    auto out = std::make_shared<std::string>(Serialize(&response, false));
    net::async_write(Tcp(), net::buffer(*out), [self = this->shared_from_this(), out](beast::error_code ec, size_t) {
      if (ec) {
        self->Close();
        return;
      }
      self->Linger();
    });
  }

  void Read() {
    std::lock_guard lock(socket_mu_);
    ReadLocked();
  }
  // Starts reading the next request: at once for a connection's first
  // request or when the previous one left bytes (pipelining), else after an
  // idle wait for its first byte.
  void ReadLocked() {
    if (server_->stopping() || closed_) {
      CloseLocked();
      return;
    }
    const HttpServerOptions& options = server_->options();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options.max_header_bytes));
    parser_->body_limit(options.max_body_bytes);
    Tcp().expires_never();
    if (first_request_ || buffer_.size() > 0) {
      first_request_ = false;
      ReadHeaderLocked();
      return;
    }
    ArmLocked(Phase::kIdle, options.read_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Connection::OnFirstBytes, this->shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, size_t bytes) {
    buffer_.commit(bytes);
    if (ec) {
      OnReadError(ec);
      return;
    }
    std::lock_guard lock(socket_mu_);
    ReadHeaderLocked();
  }

  void ReadHeaderLocked() {
    ArmLocked(Phase::kHeader, server_->options().header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t /*bytes*/) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    std::string problem = FramingProblem(parser_->get());
    if (!problem.empty()) {
      SendError(400, std::move(problem));
      return;
    }
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    {
      std::lock_guard lock(socket_mu_);
      ArmLocked(Phase::kBody, server_->options().body_timeout);
    }
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Connection::OnBody, this->shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t /*bytes*/) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    Dispatch();
  }

  // Starts the deadline of a reading phase; the server's sweep notices when
  // it passes (Impl::Sweep).
  void ArmLocked(Phase phase, std::chrono::milliseconds limit) {
    phase_ = phase;
    timed_out_ = false;
    deadline_ns_.store(SteadyNanos() + std::chrono::duration_cast<std::chrono::nanoseconds>(limit).count(),
                       std::memory_order_relaxed);
  }
  void DisarmLocked() { deadline_ns_.store(kNoDeadline, std::memory_order_relaxed); }

  void OnDeadline() override {
    std::lock_guard lock(socket_mu_);
    // Re-armed or disarmed since the sweep looked: not late after all.
    if (closed_ || deadline_ns_.load(std::memory_order_relaxed) > SteadyNanos()) return;
    deadline_ns_.store(kNoDeadline, std::memory_order_relaxed);
    timed_out_ = true;
    // Cancelling (not closing) keeps the socket usable for the 408.
    beast::error_code ec;
    Tcp().socket().cancel(ec);
  }

  void OnReadError(beast::error_code ec) {
    const HttpServerOptions& options = server_->options();
    Phase phase;
    bool timed_out;
    {
      std::lock_guard lock(socket_mu_);
      phase = phase_;
      timed_out = timed_out_;
    }
    if (timed_out) {
      // An idle connection, or one that never sent a byte, just closes.
      bool started = phase == Phase::kBody || (phase == Phase::kHeader && (parser_->got_some() || buffer_.size() > 0));
      if (!started) {
        Close();
        return;
      }
      if (phase == Phase::kHeader) {
        SendError(408, fmt::format("request headers not received within {} ms", options.header_timeout.count()));
      } else {
        SendError(408, fmt::format("request body not received within {} ms", options.body_timeout.count()));
      }
      return;
    }
    if (ec == http::error::body_limit) {
      SendError(413, fmt::format("request body larger than the limit of {} bytes", options.max_body_bytes));
      return;
    }
    if (ec == http::error::header_limit) {
      SendError(431, fmt::format("request headers larger than the limit of {} bytes", options.max_header_bytes));
      return;
    }
    if (PeerGone(ec)) {
      Close();
      return;
    }
    SendError(400, fmt::format("malformed HTTP request: {}", ec.message()));
  }

  void Dispatch() {
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
    request.tls = kTls;
    request.received = std::chrono::steady_clock::now();
    request.websocket_upgrade = IsWebSocketUpgrade(message);
    if (request.websocket_upgrade) upgrade_ = std::move(message);

    {
      std::lock_guard lock(socket_mu_);
      DisarmLocked();
    }
    busy_ = true;
    server_->RequestStarted();
    auto self = this->shared_from_this();
    server_->handler()(std::move(request), [self](HttpResponse response) { self->Respond(std::move(response)); });
  }

  // The handler's answer, on whatever thread produced it.
  //
  // Plain HTTP: while busy_ no operation is pending on the socket and no
  // handler of this connection runs (Shutdown's closes take socket_mu_), so
  // the response is written right here when the socket takes it whole, and
  // the next read is armed from here too: no trip through the strand, which
  // would cost a thread wake-up per request. A response the socket cannot
  // take at once goes out through the strand.
  //
  // TLS: always through the strand. An SSL object's state (records, alerts,
  // renegotiation checks) changes on reads as well as writes and must not
  // be driven from two threads.
  void Respond(HttpResponse response) {
    if (response.websocket && upgrade_) {
      net::post(executor(), [self = this->shared_from_this(), handler = std::move(response.websocket)]() mutable {
        self->HandOver(std::move(handler));
      });
      return;
    }
    upgrade_.reset();
    if (response.stream) {
      StreamResponse(std::move(response));
      return;
    }
    bool keep_alive = keep_alive_ && !server_->stopping();
    auto out = std::make_shared<std::string>(Serialize(&response, keep_alive));
    if constexpr (kTls) {
      net::post(executor(), [self = this->shared_from_this(), out, keep_alive] {
        self->WriteRest(out, 0, /*answers_request=*/true, keep_alive);
      });
      return;
    }
    std::unique_lock lock(socket_mu_);
    size_t written = 0;
    beast::error_code ec;
    if (closed_) ec = net::error::bad_descriptor;
    while (!ec && written < out->size()) {
      written += Tcp().socket().write_some(net::buffer(out->data() + written, out->size() - written), ec);
    }
    if (ec == net::error::would_block || ec == net::error::try_again) {
      lock.unlock();
      net::post(executor(), [self = this->shared_from_this(), out, written, keep_alive] {
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

  // On the strand: the socket goes to a WebSocket connection, and this
  // connection ends without closing it.
  void HandOver(std::shared_ptr<WebSocketHandler> handler) {
    {
      std::lock_guard lock(socket_mu_);
      bool gone = closed_;
      closed_ = true;
      DisarmLocked();
      busy_ = false;
      server_->RequestFinished();
      if (gone) return;  // shut down meanwhile
    }
    AcceptWebSocket<Stream>(std::move(stream_), server_, remote_, std::move(*upgrade_), std::move(handler));
    upgrade_.reset();
  }

  // A GET asking to switch to the WebSocket protocol (RFC 6455 4.1); the
  // rest of the handshake is checked when it is accepted.
  static bool IsWebSocketUpgrade(const http::request<http::string_body>& message) {
    if (message.method() != http::verb::get || message.version() < 11) return false;
    if (!beast::iequals(message[http::field::upgrade], "websocket")) return false;
    for (auto token : http::token_list(message[http::field::connection])) {
      if (beast::iequals(token, "upgrade")) return true;
    }
    return false;
  }

  // A streamed response, on the producing thread. Every socket operation
  // runs on the strand: the header, each chunk (the producer waits for it
  // to be written), and a read that notices the client leaving (and keeps
  // any pipelined bytes for the next request). When the producer is done,
  // the last chunk goes out, the watching read is cancelled, and the
  // connection carries on as after any response.
  class ChunkWriter final : public BodyWriter {
   public:
    ChunkWriter(Connection* c, HttpResponse* response, bool keep_alive)
        : c_(c), response_(response), keep_alive_(keep_alive) {}
    bool Write(std::string_view data) override {
      if (failed_) return false;
      if (data.empty()) return !c_->StreamGone();
      std::string bytes = started_ ? std::string() : Serialize(response_, keep_alive_, /*chunked=*/true);
      started_ = true;
      fmt::format_to(std::back_inserter(bytes), "{:x}\r\n{}\r\n", data.size(), data);
      return c_->StreamWrite(std::move(bytes));
    }
    bool Fail(int status, std::string content_type, std::string body) override {
      if (started_ || failed_) return false;
      failed_ = true;
      response_->status = status;
      response_->content_type = std::move(content_type);
      response_->body = std::move(body);
      sent_ = c_->StreamWrite(Serialize(response_, keep_alive_));
      return sent_;
    }
    // After the producer: the last chunk (with the header if no chunk
    // went out). False when the client has gone.
    bool Finish() {
      if (failed_) return sent_;
      std::string bytes = started_ ? std::string() : Serialize(response_, keep_alive_, /*chunked=*/true);
      bytes += "0\r\n\r\n";
      return c_->StreamWrite(std::move(bytes));
    }

   private:
    Connection* c_;
    HttpResponse* response_;
    const bool keep_alive_;
    bool started_ = false;  // the header is out
    bool failed_ = false;   // answered by Fail
    bool sent_ = false;     // Fail's response went out
  };

  void StreamResponse(HttpResponse response) {
    auto self = this->shared_from_this();
    // Over TLS the connection ends with the stream: cancelling the watching
    // read could leave a TLS record half consumed.
    bool keep_alive = keep_alive_ && !server_->stopping() && !kTls;
    {
      std::lock_guard lock(stream_mu_);
      stream_gone_ = false;
      on_disconnect_ = std::move(response.on_disconnect);
    }
    net::post(executor(), [self] { self->WatchForHangUp(); });
    auto produce = std::move(response.stream);
    ChunkWriter writer(this, &response, keep_alive);
    produce(writer);
    (void)writer.Finish();
    bool gone;
    {
      std::lock_guard lock(stream_mu_);
      on_disconnect_ = nullptr;  // the producer is done: nothing left to cancel
      gone = stream_gone_;
    }
    net::post(executor(), [self, keep_alive, gone] { self->EndStream(keep_alive && !gone); });
  }

  bool StreamGone() {
    std::lock_guard lock(stream_mu_);
    return stream_gone_;
  }

  // From the producer: writes `bytes` through the strand and waits for it.
  bool StreamWrite(std::string bytes) {
    auto out = std::make_shared<std::string>(std::move(bytes));
    {
      std::lock_guard lock(stream_mu_);
      if (stream_gone_) return false;
      stream_written_ = false;
    }
    net::post(executor(), [self = this->shared_from_this(), out] {
      net::async_write(self->stream_, net::buffer(*out), [self, out](beast::error_code ec, size_t) {
        NQ_LOG_DEBUG("http", "stream write of {} bytes: {}", out->size(), ec.message());
        std::lock_guard lock(self->stream_mu_);
        if (ec) self->stream_gone_ = true;
        self->stream_written_ = true;
        self->stream_cv_.notify_all();
      });
    });
    std::unique_lock lock(stream_mu_);
    if (!stream_cv_.wait_for(lock, server_->options().read_timeout,
                             [this] { return stream_written_ || stream_gone_; })) {
      // The client stopped reading: give up on it.
      stream_gone_ = true;
      lock.unlock();
      net::post(executor(), [self = this->shared_from_this()] { self->Close(); });
      return false;
    }
    return !stream_gone_;
  }

  // On the strand: a read whose completion means the client hung up (or
  // sent the next request early: its bytes are kept, and the watch goes on
  // up to a bound).
  void WatchForHangUp() {
    watching_ = true;
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      self->watching_ = false;
      self->buffer_.commit(n);
      NQ_LOG_DEBUG("http", "stream watch: {} bytes, {}", n, ec.message());
      if (self->ending_) {
        self->FinishStream();
        return;
      }
      if (!ec && self->buffer_.size() < (64u << 10)) {
        self->WatchForHangUp();
        return;
      }
      if (ec) {
        std::function<void()> cancel;
        {
          std::lock_guard lock(self->stream_mu_);
          self->stream_gone_ = true;
          cancel = self->on_disconnect_;
          self->stream_cv_.notify_all();
        }
        if (cancel) cancel();
      }
    });
  }

  // On the strand, once the producer is done.
  void EndStream(bool carry_on) {
    ending_ = true;
    stream_carry_on_ = carry_on;
    if (watching_) {
      beast::error_code ec;
      Tcp().socket().cancel(ec);  // FinishStream runs from the watch's completion
      return;
    }
    FinishStream();
  }
  void FinishStream() {
    ending_ = false;
    busy_ = false;
    server_->RequestFinished();
    if (!stream_carry_on_) {
      Close();
      return;
    }
    Read();
  }

  // On the strand, with no read pending: refuses the request and closes.
  void SendError(int status, std::string message) {
    keep_alive_ = false;
    {
      std::lock_guard lock(socket_mu_);
      DisarmLocked();
    }
    HttpResponse response = server_->errors()(status, message);
    WriteRest(std::make_shared<std::string>(Serialize(&response, false)), 0, /*answers_request=*/false, false);
  }

  // On the strand: writes out[offset..].
  void WriteRest(std::shared_ptr<std::string> out, size_t offset, bool answers_request, bool keep_alive) {
    Tcp().expires_after(server_->options().read_timeout);
    net::async_write(stream_, net::buffer(out->data() + offset, out->size() - offset),
                     [self = this->shared_from_this(), out, answers_request, keep_alive](beast::error_code ec, size_t) {
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
  static std::string Serialize(HttpResponse* response, bool keep_alive, bool chunked = false) {
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
    if (chunked) {
      add("Transfer-Encoding", "chunked");
    } else if (!bodiless) {
      add("Content-Length", std::to_string(response->body.size()));
    }
    add("Connection", keep_alive ? "keep-alive" : "close");
    out += "\r\n";
    if (!bodiless && !chunked) out += response->body;
    return out;
  }

  // After refusing a request whose body the client may still be sending:
  // closing at once would reset the connection and the client could lose
  // the response, so the rest is read and dropped until the client closes,
  // for at most a second and a few MiB. Read below TLS: the bytes are
  // dropped anyway.
  void Linger() {
    std::lock_guard lock(socket_mu_);
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().expires_after(std::chrono::seconds(1));
    discard_.resize(64 << 10);
    ReadAndDiscard(0);
  }
  void ReadAndDiscard(size_t total) {
    if (total > (8u << 20)) {
      Close();
      return;
    }
    Tcp().async_read_some(net::buffer(discard_), [self = this->shared_from_this(), total](beast::error_code ec, size_t n) {
      if (ec) {
        self->Close();
        return;
      }
      self->ReadAndDiscard(total + n);
    });
  }

  // TLS connections close without close_notify: every response carries its
  // length, so a truncation is visible to the client regardless.
  void CloseLocked() {
    if (closed_) return;
    closed_ = true;
    deadline_ns_.store(kNoDeadline, std::memory_order_relaxed);
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().close();
  }

  // Guards the socket against Shutdown's closes while a worker writes, and
  // the reading phase (phase_, timed_out_, deadline_ns_'s changes) against
  // the sweep's OnDeadline.
  std::mutex socket_mu_;
  bool closed_ = false;  // guarded by socket_mu_
  Stream stream_;
  net::any_io_executor executor_;
  // The request of a WebSocket handshake, until the handler answers.
  std::optional<http::request<http::string_body>> upgrade_;
  Phase phase_ = Phase::kIdle;  // guarded by socket_mu_
  bool timed_out_ = false;      // guarded by socket_mu_: the deadline cancelled the read
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl* server_;
  const std::string remote_;
  const std::string refusal_;
  std::vector<char> discard_;
  bool first_request_ = true;
  // A streamed response: the producer waits on stream_cv_ for each chunk's
  // write; the strand-only flags track the hang-up watch.
  std::mutex stream_mu_;
  std::condition_variable stream_cv_;
  bool stream_gone_ = false;      // guarded by stream_mu_: the client left, or a write failed
  bool stream_written_ = false;   // guarded by stream_mu_: the last chunk's write completed
  std::function<void()> on_disconnect_;  // guarded by stream_mu_
  bool watching_ = false;         // strand: the hang-up read is pending
  bool ending_ = false;           // strand: the producer is done; finish when the watch completes
  bool stream_carry_on_ = false;  // strand: keep the connection after the stream
  bool keep_alive_ = true;
  std::atomic<bool> busy_{false};  // a request is with the handler or being answered
};

// "" when `path` can be opened for reading, else why not.
std::string Unreadable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::strerror(errno);
  std::fclose(file);
  return "";
}

// The reason of an OpenSSL failure, then clears OpenSSL's error queue.
std::string OpenSslReason(beast::error_code ec) {
  std::string reason = ec ? ec.message() : "";
  unsigned long code = ERR_peek_last_error();
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    reason = buffer;
  }
  ERR_clear_error();
  return reason.empty() ? "unknown error" : reason;
}

}  // namespace

Status HttpServer::Impl::LoadTls() {
  const std::string& cert = options_.tls_cert_file;
  const std::string& key = options_.tls_key_file;
  if (cert.empty() && key.empty()) return Status::OK();
  if (cert.empty() || key.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate file and a key file");
  }
  if (std::string why = Unreadable(cert); !why.empty()) {
    return Status::InvalidArgument(fmt::format("cannot read TLS certificate file {}: {}", cert, why));
  }
  if (std::string why = Unreadable(key); !why.empty()) {
    return Status::InvalidArgument(fmt::format("cannot read TLS key file {}: {}", key, why));
  }
  tls_.emplace(net::ssl::context::tls_server);
  SSL_CTX* ctx = tls_->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return Status::Internal(fmt::format("OpenSSL refused the TLS 1.2 cipher list: {}", OpenSslReason({})));
  }
  beast::error_code ec;
  tls_->use_certificate_chain_file(cert, ec);
  if (ec) {
    return Status::InvalidArgument(
        fmt::format("TLS certificate file {} is not a PEM certificate: {}", cert, OpenSslReason(ec)));
  }
  tls_->use_private_key_file(key, net::ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument(fmt::format("TLS key file {} is not a PEM private key: {}", key, OpenSslReason(ec)));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument(fmt::format("TLS key file {} does not match the certificate in {}: {}", key, cert,
                                               OpenSslReason({})));
  }
  return Status::OK();
}

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

std::string HttpServer::Impl::Refusal(const std::string& address) const {
  std::lock_guard lock(mu_);
  if (connections_.size() >= options_.max_connections) return "too many connections";
  auto it = per_address_.find(address);
  if (it != per_address_.end() && it->second >= options_.max_connections_per_address) {
    return fmt::format("too many connections from {}", address);
  }
  return "";
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping()) return;
  if (ec) {
    if (ec != net::error::operation_aborted) NQ_LOG_WARN("server", "accept failed: {}", ec.message());
    Accept();
    return;
  }
  beast::error_code endpoint_error;
  auto endpoint = socket.remote_endpoint(endpoint_error);
  std::string remote = endpoint_error ? std::string() : endpoint.address().to_string();
  std::string refusal = Refusal(remote);
  if (tls_) {
    // A TLS client can only read the 503 after a handshake.
    std::make_shared<Connection<TlsStream>>(std::move(socket), this, std::move(remote), std::move(refusal))->Start();
  } else if (!refusal.empty()) {
    // Refused at once, without reading the request.
    HttpResponse response = errors_(503, refusal);
    std::string text = fmt::format(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        response.content_type, response.body.size(), response.body);
    beast::error_code write_error;
    net::write(socket, net::buffer(text), write_error);
    socket.close(write_error);
  } else {
    std::make_shared<Connection<PlainStream>>(std::move(socket), this, std::move(remote), std::string())->Start();
  }
  Accept();
}

std::chrono::milliseconds HttpServer::Impl::SweepPeriod() const {
  auto shortest = std::min({options_.header_timeout, options_.body_timeout, options_.read_timeout});
  return std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
}

void HttpServer::Impl::Sweep() {
  if (stopping()) return;
  int64_t now = SteadyNanos();
  std::vector<std::shared_ptr<ConnectionBase>> late;
  {
    std::lock_guard lock(mu_);
    for (auto& [raw, weak] : connections_) {
      if (raw->deadline() > now) continue;
      if (auto c = weak.lock()) late.push_back(std::move(c));
    }
  }
  for (auto& c : late) net::post(c->executor(), [c] { c->OnDeadline(); });
  sweep_timer_.expires_after(SweepPeriod());
  sweep_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) Sweep();
  });
}

void HttpServer::Impl::Run() {
  Accept();
  net::dispatch(sweep_timer_.get_executor(), [this] { Sweep(); });
  int threads = std::max(1, options_.io_threads);
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

template <typename Fn>
void HttpServer::Impl::ForEachConnection(Fn&& fn) {
  std::vector<std::shared_ptr<ConnectionBase>> live;
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
  net::post(sweep_timer_.get_executor(), [this] { sweep_timer_.cancel(); });
  ForEachConnection([](ConnectionBase& c) { c.CloseIfIdle(); });
  bool drained;
  {
    std::unique_lock lock(mu_);
    drained = drained_.wait_for(lock, grace, [this] { return in_flight_ == 0; });
  }
  // Connections whose close does not run before the loop stops are closed
  // when the io_context destroys their handlers.
  ForEachConnection([](ConnectionBase& c) { c.Close(); });
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
  NQ_RETURN_IF_ERROR(impl->LoadTls());
  NQ_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }
size_t HttpServer::connections() const { return impl_->connections(); }
size_t HttpServer::in_flight() const { return impl_->in_flight(); }
bool HttpServer::Shutdown(std::chrono::milliseconds grace) { return impl_->Shutdown(grace); }

}  // namespace neuroquantum::server
