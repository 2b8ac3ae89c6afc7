#include "common/http/http_server.h"

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/time/clock.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/http/beast_request.h"
#include "common/logging/logger.h"
#include "common/process/port_file.h"
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace cmcp {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

class Session;

// Owned by the server and by every connection, so the io_contexts outlive
// any responder an application still holds (posting to a stopped io_context
// is harmless; posting to a destroyed one is not).
struct Shared {
  // One io_context per I/O thread, each run by that thread alone; a
  // connection lives on one of them. With one io_context shared by several
  // threads, Asio hands the reactor from thread to thread on every event:
  // about seven context switches per request on the edge at 2 threads, where
  // this takes about two (bench/README.md).
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::atomic<size_t> next_ioc{0};
  HttpServerSettings settings;
  HttpHandler handler;
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
  // Set by Stop() once its threads are about to end: what a responder asks
  // for after that is dropped, not queued where nothing would run or free it.
  std::atomic<bool> stopped{false};
  // Every connection, so Stop() can close them (see HttpServer::Stop).
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<Session>> sessions;

  void Track(std::weak_ptr<Session> session) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    // Drop the ended ones now and then, so the list stays about as long as
    // the number of open connections.
    if (sessions.size() >= 64 && sessions.size() >= 2 * static_cast<size_t>(connections.load())) {
      std::erase_if(sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
    }
    sessions.push_back(std::move(session));
  }
  std::vector<std::shared_ptr<Session>> Live() {
    std::lock_guard<std::mutex> lock(sessions_mu);
    std::vector<std::shared_ptr<Session>> live;
    for (const std::weak_ptr<Session>& s : sessions) {
      if (auto session = s.lock()) live.push_back(std::move(session));
    }
    sessions.clear();
    return live;
  }
};

std::chrono::steady_clock::duration ToSteady(absl::Duration d) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    shared_->connections.fetch_add(1);
  }
  ~Session() { shared_->connections.fetch_sub(1); }

  void Start() {
    shared_->Track(weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  template <typename F>
  void Post(F&& f) {
    if (shared_->stopped.load()) return;
    net::post(stream_.get_executor(), std::forward<F>(f));
  }

  bool closed() const { return closed_.load(); }

  void DoRespond(HttpResponse response) {
    if (state_ != State::kAwaitingResponse) return;
    state_ = State::kWriting;
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    for (const auto& h : response.headers) res->insert(h.name, h.value);
    res->keep_alive(keep_alive_ && !shared_->draining.load());
    res->body() = std::move(response.body);
    res->prepare_payload();
    stream_.expires_after(ToSteady(shared_->settings.write_timeout));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || res->need_eof()) {
                          self->Close();
                          return;
                        }
                        self->ReadHeader();
                      });
  }

  void DoBeginStream(int status, Headers headers) {
    if (state_ != State::kAwaitingResponse) return;
    state_ = State::kStreaming;
    std::string head = absl::StrCat("HTTP/1.1 ", status, " ", StatusReason(status), "\r\n");
    for (const auto& h : headers) absl::StrAppend(&head, h.name, ": ", h.value, "\r\n");
    absl::StrAppend(&head, "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    stream_.expires_never();
    Enqueue(std::move(head));
    WatchForDisconnect();
  }

  void DoWrite(std::string data) {
    if (state_ != State::kStreaming || ending_ || data.empty()) return;
    std::string chunk = absl::StrCat(absl::Hex(data.size()), "\r\n");
    chunk.append(data);
    chunk.append("\r\n");
    Enqueue(std::move(chunk));
  }

  void DoEndStream() {
    if (state_ != State::kStreaming || ending_) return;
    ending_ = true;
    Enqueue("0\r\n\r\n");
  }

  void DoSetOnClose(std::function<void()> callback) {
    if (closed_) {
      callback();
      return;
    }
    on_close_ = std::move(callback);
  }

  void Close() {
    if (closed_.exchange(true)) return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    if (on_close_) {
      auto callback = std::move(on_close_);
      on_close_ = nullptr;
      callback();
    }
  }

 private:
  enum class State { kReading, kAwaitingResponse, kWriting, kStreaming };

  void ReadHeader() {
    if (closed_) return;
    state_ = State::kReading;
    parser_.emplace();
    parser_->body_limit(shared_->settings.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(shared_->settings.max_header_bytes));
    stream_.expires_after(ToSteady(shared_->settings.read_timeout));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) {
      FailRead(ec);
      return;
    }
    auto& req = parser_->get();
    if (auto expect = req.find(http::field::expect);
        expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      auto cont = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      net::async_write(stream_, net::buffer(*cont),
                       [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                         if (wec) {
                           self->Close();
                           return;
                         }
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void FailRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      state_ = State::kAwaitingResponse;
      DoRespond(HttpResponse::Json(
          413, absl::StrCat("{\"error\":{\"code\":\"payload_too_large\",\"message\":\"request body exceeds ",
                            shared_->settings.max_body_bytes, " bytes\"}}")));
      return;
    }
    if (ec == http::error::header_limit) {
      keep_alive_ = false;
      state_ = State::kAwaitingResponse;
      DoRespond(HttpResponse::Json(
          431, "{\"error\":{\"code\":\"headers_too_large\",\"message\":\"request headers are too large\"}}"));
      return;
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor) {
      Close();
      return;
    }
    keep_alive_ = false;
    state_ = State::kAwaitingResponse;
    DoRespond(HttpResponse::Json(
        400, "{\"error\":{\"code\":\"bad_request\",\"message\":\"malformed HTTP request\"}}"));
  }

  void OnRead(beast::error_code ec);

  void Enqueue(std::string data) {
    queued_bytes_ += data.size();
    queue_.push_back(std::move(data));
    if (queued_bytes_ > shared_->settings.max_stream_buffer_bytes) {
      LogWarning("closing stream: client is not reading");
      Close();
      return;
    }
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    if (closed_) return;
    if (queue_.empty()) {
      writing_ = false;
      if (ending_) Close();
      return;
    }
    writing_ = true;
    net::async_write(stream_.socket(), net::buffer(queue_.front()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         self->Close();
                         return;
                       }
                       self->queued_bytes_ -= self->queue_.front().size();
                       self->queue_.pop_front();
                       self->WriteNext();
                     });
  }

  // While streaming, a pending read tells us at once when the client leaves.
  void WatchForDisconnect() {
    stream_.socket().async_read_some(
        net::buffer(watch_buffer_), [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) {
            self->Close();
            return;
          }
          if (!self->closed_) self->WatchForDisconnect();  // ignore stray bytes
        });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  State state_ = State::kReading;
  bool keep_alive_ = true;
  std::atomic<bool> closed_{false};
  std::function<void()> on_close_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool ending_ = false;
  std::array<char, 512> watch_buffer_{};
};

class Responder final : public HttpResponder {
 public:
  Responder(std::shared_ptr<Session> session, std::atomic<int>* in_flight)
      : session_(std::move(session)), in_flight_(in_flight) {
    in_flight_->fetch_add(1);
  }
  ~Responder() override {
    if (!done_.exchange(true)) in_flight_->fetch_sub(1);
    if (!answered_.exchange(true)) {
      session_->Post([s = session_] {
        s->DoRespond(HttpResponse::Json(
            500, "{\"error\":{\"code\":\"internal\",\"message\":\"request was not answered\"}}"));
      });
    }
  }

  void Respond(HttpResponse response) override {
    if (answered_.exchange(true)) return;
    if (!done_.exchange(true)) in_flight_->fetch_sub(1);
    session_->Post([s = session_, r = std::move(response)]() mutable { s->DoRespond(std::move(r)); });
  }
  void BeginStream(int status, Headers headers) override {
    if (answered_.exchange(true)) return;
    session_->Post([s = session_, status, h = std::move(headers)]() mutable {
      s->DoBeginStream(status, std::move(h));
    });
  }
  void Write(std::string data) override {
    session_->Post([s = session_, d = std::move(data)]() mutable { s->DoWrite(std::move(d)); });
  }
  void EndStream() override {
    if (!done_.exchange(true)) in_flight_->fetch_sub(1);
    session_->Post([s = session_] { s->DoEndStream(); });
  }
  void SetOnClose(std::function<void()> callback) override {
    session_->Post([s = session_, c = std::move(callback)]() mutable { s->DoSetOnClose(std::move(c)); });
  }
  bool IsClosed() const override { return session_->closed(); }

 private:
  std::shared_ptr<Session> session_;
  std::atomic<int>* in_flight_;
  std::atomic<bool> answered_{false};
  std::atomic<bool> done_{false};
};

void Session::OnRead(beast::error_code ec) {
  if (ec) {
    FailRead(ec);
    return;
  }
  auto req = parser_->release();
  keep_alive_ = req.keep_alive();
  HttpRequest request = FromBeastRequest(std::move(req));
  beast::error_code ignored;
  auto endpoint = stream_.socket().remote_endpoint(ignored);
  if (!ignored) request.remote_address = endpoint.address().to_string();
  state_ = State::kAwaitingResponse;
  stream_.expires_never();  // the handler owns the deadline from here
  shared_->handler(std::move(request), std::make_shared<Responder>(shared_from_this(), &shared_->in_flight));
}

absl::StatusOr<tcp::endpoint> ParseListenAddress(const std::string& address) {
  absl::string_view text = address;
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\" is not host:port"));
  }
  absl::string_view host = text.substr(0, colon);
  int port = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\" has a bad port"));
  }
  absl::ConsumePrefix(&host, "[");
  absl::ConsumeSuffix(&host, "]");
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  auto ip = net::ip::make_address(std::string(host), ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\" has a bad host"));
  }
  return tcp::endpoint(ip, static_cast<unsigned short>(port));
}

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::optional<tcp::acceptor> acceptor;
  // Keeps an io_context with no connection yet from returning from run().
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  int port = 0;
  bool running = false;

  void Accept() {
    net::io_context& ioc = *shared->iocs[shared->next_ioc.fetch_add(1) % shared->iocs.size()];
    acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      // Closed by Drain or Stop (this runs on the acceptor's io_context, after
      // a close queued there): a connection accepted just before the close
      // still completes, and accepting again on the closed socket fails at
      // once, forever, which kept Stop's final poll spinning.
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        if (shared->connections.load() >= shared->settings.max_connections) {
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          std::make_shared<Session>(std::move(socket), shared)->Start();
        }
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(HttpServerSettings settings, HttpHandler handler) : impl_(new Impl) {
  Shared& shared = *impl_->shared;
  shared.settings = std::move(settings);
  shared.handler = std::move(handler);
  for (int i = 0; i < std::max(1, shared.settings.threads); ++i) {
    shared.iocs.push_back(std::make_unique<net::io_context>(1));
  }
}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() {
  const HttpServerSettings& settings = impl_->shared->settings;
  auto endpoint = ParseListenAddress(settings.listen_address);
  if (!endpoint.ok()) return endpoint.status();
  beast::error_code ec;
  net::io_context& accept_ioc = *impl_->shared->iocs[0];
  impl_->acceptor.emplace(accept_ioc);
  impl_->acceptor->open(endpoint->protocol(), ec);
  if (!ec) impl_->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(*endpoint, ec);
  if (!ec) impl_->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for HTTP on ", settings.listen_address, ": ", ec.message()));
  }
  impl_->port = impl_->acceptor->local_endpoint().port();
  impl_->Accept();
  impl_->running = true;
  for (const std::unique_ptr<net::io_context>& ioc : impl_->shared->iocs) {
    impl_->work.push_back(net::make_work_guard(*ioc));
    impl_->threads.emplace_back([ioc = ioc.get()] { ioc->run(); });
  }
  LogInfo("http server listening").With("address", settings.listen_address).With("port", impl_->port);
  return WritePortFile(settings.port_file, impl_->port);
}

int HttpServer::port() const { return impl_->port; }

int HttpServer::in_flight() const { return impl_->shared->in_flight.load(); }

void HttpServer::Drain(absl::Duration grace) {
  if (!impl_->running) return;
  impl_->shared->draining.store(true);
  net::post(*impl_->shared->iocs[0], [this] {
    beast::error_code ignored;
    impl_->acceptor->close(ignored);
  });
  const absl::Time deadline = absl::Now() + grace;
  while (impl_->shared->in_flight.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  Stop();
}

void HttpServer::Stop() {
  if (!impl_->running) return;
  impl_->running = false;
  net::post(*impl_->shared->iocs[0], [this] {
    beast::error_code ignored;
    impl_->acceptor->close(ignored);
  });
  // Close every connection while the threads still run, so the handlers
  // waiting on them (a keep-alive connection's next read, say) complete and
  // let go of their Session. Left queued in the stopped io_context, they
  // would own their Session, which owns Shared, which owns the io_context:
  // a cycle nothing frees (LeakSanitizer found it at every exit). Sessions an
  // application still holds as responders end when it lets go of them.
  bool any_open = false;
  for (const std::shared_ptr<Session>& session : impl_->shared->Live()) {  // not held past this loop
    session->Post([session] { session->Close(); });
    any_open = true;
  }
  const absl::Time deadline = absl::Now() + absl::Milliseconds(200);
  while (any_open && impl_->shared->connections.load() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  impl_->shared->stopped.store(true);
  impl_->work.clear();
  for (const std::unique_ptr<net::io_context>& ioc : impl_->shared->iocs) ioc->stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
  // What the threads did not get to (on a loaded machine, the closes above
  // and the reads they abort) runs here, so no handler stays queued holding
  // its Session; nothing new is queued now that `stopped` is set. A handler
  // run here may queue on another io_context, so rounds go over all of them.
  for (int round = 0; round < 100; ++round) {
    size_t ran = 0;
    for (const std::unique_ptr<net::io_context>& ioc : impl_->shared->iocs) {
      ioc->restart();
      ran += ioc->poll();
    }
    if (ran == 0) break;
  }
}

}  // namespace cmcp
