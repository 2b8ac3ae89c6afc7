// File: http_client.h
// Outbound HTTP. HttpClient is the interface (fakes in tests); CurlHttpClient
// the libcurl implementation: blocking, one reused easy handle per thread (so
// connections are kept alive), redirects never followed (a request can never
// leave the URL it was built for), only http/https, and a cap on the response
// body size.
//
//   CurlHttpClient client;
//   absl::StatusOr<HttpClientResponse> r = client.Send({.method = "GET", .url = url});
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/http_types.h"

namespace cmcp {

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  absl::Duration timeout = absl::Seconds(30);
  absl::Duration connect_timeout = absl::Seconds(5);
  // Larger bodies fail with RESOURCE_EXHAUSTED.
  size_t max_response_bytes = 32 * 1024 * 1024;
  // Polled during the transfer (about every second at the least); returning
  // true aborts it with CANCELLED.
  std::function<bool()> cancelled;
};

struct HttpClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // Wall time of the exchange.
  absl::Duration elapsed;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Transport failures are UNAVAILABLE (connect, reset) or DEADLINE_EXCEEDED;
  // any HTTP status, including 4xx/5xx, is a successful exchange.
  virtual absl::StatusOr<HttpClientResponse> Send(const HttpClientRequest& request) = 0;
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  absl::StatusOr<HttpClientResponse> Send(const HttpClientRequest& request) override;
};

}  // namespace cmcp
