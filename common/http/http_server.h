// File: http_server.h
// An HTTP/1.1 server on Boost.Beast/Asio for the edge, the Caspio sandbox and
// every service's /metrics listener. Each request reaches the handler with an
// HttpResponder that can answer once (Respond) or stream (BeginStream, Write,
// EndStream: chunked transfer, used for Server-Sent Events). Responders are
// thread-safe, so a handler may answer later from any thread (e.g. a gRPC
// callback). Handlers run on an I/O thread and must not block.
//
// Limits: header and body sizes (431/413), a read timeout per request, a
// write timeout for full responses, a cap on buffered stream bytes for slow
// readers, and a maximum number of open connections.
//
//   HttpServer server(settings, [](HttpRequest req, std::shared_ptr<HttpResponder> r) {
//     r->Respond(HttpResponse::Text(200, "ok"));
//   });
//   CMCP_RETURN_IF_ERROR(server.Start());
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/http/http_types.h"

namespace cmcp {

struct HttpServerSettings {
  // host:port; port 0 picks a free port.
  std::string listen_address = "127.0.0.1:0";
  // When set, the bound port is written here after Start().
  std::string port_file;
  int threads = 2;
  size_t max_body_bytes = 4 * 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  // Time to receive one whole request (including the keep-alive wait for it).
  absl::Duration read_timeout = absl::Seconds(60);
  // Time to send one whole non-streaming response.
  absl::Duration write_timeout = absl::Seconds(30);
  // A stream whose client does not read and has this much unsent is closed.
  size_t max_stream_buffer_bytes = 4 * 1024 * 1024;
  int max_connections = 10000;
};

class HttpResponder {
 public:
  virtual ~HttpResponder() = default;
  // Sends a complete response. Later calls are ignored.
  virtual void Respond(HttpResponse response) = 0;
  // Sends status and headers now; the body follows through Write() as
  // chunked transfer encoding. The connection closes after EndStream().
  virtual void BeginStream(int status, Headers headers) = 0;
  virtual void Write(std::string data) = 0;
  virtual void EndStream() = 0;
  // `callback` runs once, on an I/O thread, when the connection closes (client
  // gone, stream ended, or server stopping). Runs at once if already closed.
  virtual void SetOnClose(std::function<void()> callback) = 0;
  virtual bool IsClosed() const = 0;
};

using HttpHandler = std::function<void(HttpRequest request, std::shared_ptr<HttpResponder> responder)>;

class HttpServer {
 public:
  HttpServer(HttpServerSettings settings, HttpHandler handler);
  // Stops if still running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  absl::Status Start();
  int port() const;
  // Stops accepting, closes every connection and joins the I/O threads.
  void Stop();
  // Graceful: stops accepting new connections, lets requests in flight be
  // answered (up to `grace`), then Stop(). Streams must be ended by the
  // application first (their requests count as in flight).
  void Drain(absl::Duration grace);
  // Requests received and not yet answered (streams count until they end).
  int in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cmcp
