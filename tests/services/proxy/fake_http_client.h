// File: fake_http_client.h
// A scripted HttpClient for proxy unit tests: answers from a queue (or a
// function) and records every request it was sent.
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/http/http_client.h"

namespace cmcp::proxy {

class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<absl::StatusOr<HttpClientResponse>(const HttpClientRequest&)>;
  explicit FakeHttpClient(Handler handler) : handler_(std::move(handler)) {}

  absl::StatusOr<HttpClientResponse> Send(const HttpClientRequest& request) override {
    {
      absl::MutexLock lock(&mu_);
      requests_.push_back(request);
    }
    return handler_(request);
  }

  std::vector<HttpClientRequest> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  Handler handler_;
  absl::Mutex mu_;
  std::vector<HttpClientRequest> requests_;
};

inline HttpClientResponse Response(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpClientResponse r;
  r.status = status;
  r.body = std::move(body);
  for (auto& [k, v] : headers) r.headers.Add(k, v);
  return r;
}

}  // namespace cmcp::proxy
