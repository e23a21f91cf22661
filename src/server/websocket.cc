// WebSocket connections on Beast: the HTTP connection that received the
// upgrade request hands its stream over (AcceptWebSocket), and from then
// on this class owns the socket. Like an HTTP connection it runs on its
// strand and is registered with the server (connection caps, shutdown).
//
// Reads: one message at a time, at most websocket_max_message_bytes (Beast
// closes with 1009 beyond). Writes: Send queues from any thread; the strand
// writes one message after another. Keep-alive: Beast pings after half the
// idle timeout and drops the connection when the peer stays silent for
// all of it. Closing:
// Close drops the queue, waits for the message being written (at most the
// header timeout) and sends the close frame.
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <fmt/format.h>

#include "common/log.h"
#include "server/http_server_impl.h"

namespace neuroquantum::server {

namespace websocket = beast::websocket;

namespace {

template <typename Stream>
class WebSocketConnection final : public ConnectionBase,
                                  public WebSocketChannel,
                                  public std::enable_shared_from_this<WebSocketConnection<Stream>> {
 public:
  WebSocketConnection(Stream stream, HttpServer::Impl* server, std::string remote,
                      std::shared_ptr<WebSocketHandler> handler)
      : ws_(std::move(stream)),
        executor_(ws_.get_executor()),
        close_timer_(executor_),
        server_(server),
        remote_(std::move(remote)),
        handler_(std::move(handler)) {}
  ~WebSocketConnection() override { server_->Unregister(this, remote_); }

  void Start(http::request<http::string_body> request) {
    server_->Register(this, this->weak_from_this(), remote_);
    upgrade_ = std::move(request);
    const HttpServerOptions& options = server_->options();
    // Beast's own timeouts replace the tcp_stream's.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = options.header_timeout;
    timeout.idle_timeout = options.websocket_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.read_message_max(options.websocket_max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "NeuroQuantumDB"); }));
    net::dispatch(executor_, [self = this->shared_from_this()] {
      self->ws_.async_accept(self->upgrade_, beast::bind_front_handler(&WebSocketConnection::OnAccept, self));
    });
  }

  // WebSocketChannel, from any thread.
  bool Send(std::string text) override {
    std::lock_guard lock(mu_);
    if (closing_) return false;
    queued_bytes_ += text.size();
    queue_.push_back(std::move(text));
    if (!writing_) {
      writing_ = true;
      net::post(executor_, [self = this->shared_from_this()] { self->WriteNext(); });
    }
    return true;
  }
  size_t queued_bytes() const override {
    std::lock_guard lock(mu_);
    return queued_bytes_;
  }
  void Close(uint16_t code, std::string reason) override {
    {
      std::lock_guard lock(mu_);
      if (closing_) return;
      closing_ = true;
      // The message being written (the queue's front) must stay until its
      // write completes; the rest goes.
      while (queue_.size() > (writing_ ? 1u : 0u)) {
        queued_bytes_ -= queue_.back().size();
        queue_.pop_back();
      }
    }
    if (reason.size() > 123) reason.resize(123);  // a close frame's payload is at most 125 bytes
    net::post(executor_, [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
      self->StartClose(code, std::move(reason));
    });
  }

  // ConnectionBase, on the strand (posted by the server).
  void CloseIfIdle() override { Close(websocket::close_code::going_away, "server shutting down"); }
  void Close() override { Close(websocket::close_code::going_away, "server shutting down"); }
  net::any_io_executor executor() override { return executor_; }
  void OnDeadline() override {}  // no reading deadlines: Beast's timeouts apply

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) {
      NQ_LOG_DEBUG("http", "WebSocket handshake with {} failed: {}", remote_, ec.message());
      Finish(websocket::close_code::abnormal);
      return;
    }
    upgrade_ = {};
    if (server_->stopping()) {
      Close(websocket::close_code::going_away, "server shutting down");
    } else {
      handler_->OnOpen(this->shared_from_this());
    }
    Read();
  }

  void Read() {
    ws_.async_read(read_buffer_, beast::bind_front_handler(&WebSocketConnection::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (ec) {
      uint16_t code = websocket::close_code::abnormal;
      if (ec == websocket::error::closed) {
        code = ws_.reason().code;
      } else if (ec == websocket::error::message_too_big) {
        code = websocket::close_code::too_big;
      } else if (ec == websocket::condition::protocol_violation) {
        code = websocket::close_code::protocol_error;
      } else if (closing_code_ != 0) {
        code = closing_code_;
      }
      NQ_LOG_DEBUG("http", "WebSocket connection from {} ended: {} (close code {})", remote_, ec.message(), code);
      Finish(code);
      return;
    }
    auto data = read_buffer_.cdata();
    std::string_view message(static_cast<const char*>(data.data()), data.size());
    if (handler_ != nullptr) handler_->OnMessage(message, !ws_.got_text());
    read_buffer_.consume(read_buffer_.size());
    Read();
  }

  // On the strand: writes the queue's front, then the next.
  void WriteNext() {
    const std::string* front;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty() || ended_) {
        writing_ = false;
        if (closing_ && pending_close_) {
          auto [code, reason] = std::move(*pending_close_);
          pending_close_.reset();
          SendClose(code, std::move(reason));
        }
        return;
      }
      front = &queue_.front();  // stays put: a deque's push_back moves no element
    }
    ws_.text(true);
    ws_.async_write(net::buffer(*front), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      {
        std::lock_guard lock(self->mu_);
        self->queued_bytes_ -= self->queue_.front().size();
        self->queue_.pop_front();
      }
      if (ec) {
        // The read fails too and ends the connection.
        std::lock_guard lock(self->mu_);
        self->writing_ = false;
        self->closing_ = true;
        self->queued_bytes_ = 0;
        self->queue_.clear();
        return;
      }
      self->WriteNext();
    });
  }

  // On the strand.
  void StartClose(uint16_t code, std::string reason) {
    if (ended_ || close_sent_) return;
    closing_code_ = code;
    // A client that takes neither the last message nor the close frame is
    // cut off.
    close_timer_.expires_after(server_->options().header_timeout);
    close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->ended_) return;
      beast::get_lowest_layer(self->ws_).close();
    });
    bool writing;
    {
      std::lock_guard lock(mu_);
      writing = writing_;
      if (writing) pending_close_.emplace(code, std::move(reason));
    }
    if (!writing) SendClose(code, std::move(reason));
  }

  void SendClose(uint16_t code, std::string reason) {
    if (close_sent_ || ended_) return;
    close_sent_ = true;
    websocket::close_reason why(static_cast<websocket::close_code>(code), reason);
    ws_.async_close(why, [self = this->shared_from_this()](beast::error_code ec) {
      NQ_LOG_DEBUG("http", "WebSocket close to {}: {}", self->remote_, ec.message());
    });
  }

  // On the strand, once: the connection is over.
  void Finish(uint16_t code) {
    if (ended_) return;
    ended_ = true;
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      if (!writing_) {
        queue_.clear();
        queued_bytes_ = 0;
      }
    }
    close_timer_.cancel();
    // Breaks the cycle handler -> channel (this) -> handler.
    std::shared_ptr<WebSocketHandler> handler = std::move(handler_);
    if (handler != nullptr) handler->OnClose(code);
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  websocket::stream<Stream> ws_;
  net::any_io_executor executor_;
  net::steady_timer close_timer_;
  HttpServer::Impl* server_;
  const std::string remote_;
  std::shared_ptr<WebSocketHandler> handler_;  // strand; reset when the connection ends
  http::request<http::string_body> upgrade_;   // strand; until the handshake is done
  beast::flat_buffer read_buffer_;

  mutable std::mutex mu_;
  std::deque<std::string> queue_;                                  // guarded by mu_
  size_t queued_bytes_ = 0;                                        // guarded by mu_
  bool writing_ = false;                                           // guarded by mu_: a WriteNext chain runs
  bool closing_ = false;                                           // guarded by mu_: no more Send
  std::optional<std::pair<uint16_t, std::string>> pending_close_;  // guarded by mu_: after the write in flight
  bool close_sent_ = false;                                        // strand
  bool ended_ = false;                                             // strand
  uint16_t closing_code_ = 0;                                      // strand: the code this side closed with
};

}  // namespace

template <typename Stream>
void AcceptWebSocket(Stream stream, HttpServer::Impl* server, std::string remote,
                     http::request<http::string_body> request, std::shared_ptr<WebSocketHandler> handler) {
  auto connection =
      std::make_shared<WebSocketConnection<Stream>>(std::move(stream), server, std::move(remote), std::move(handler));
  connection->Start(std::move(request));
}

template void AcceptWebSocket<PlainStream>(PlainStream, HttpServer::Impl*, std::string, http::request<http::string_body>,
                                           std::shared_ptr<WebSocketHandler>);
template void AcceptWebSocket<TlsStream>(TlsStream, HttpServer::Impl*, std::string, http::request<http::string_body>,
                                         std::shared_ptr<WebSocketHandler>);

}  // namespace neuroquantum::server
