// File: sse_client.h
// A small blocking HTTP client for SSE streams in tests: sends one request,
// reads the status and headers, then hands out events one at a time as they
// arrive (chunked transfer decoded). Every read is bounded by a timeout.
//
//   auto stream = SseClient::Open(port, "GET", "/mcp/t/sse", {{"Accept", "text/event-stream"}});
//   auto event = (*stream)->Next(absl::Seconds(5));   // {event, id, data}
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cmcp::testing {

struct SseEventData {
  std::string event;
  std::string id;
  std::string data;
  bool comment = false;  // a ": ..." line (keep-alive)
};

class SseClient {
 public:
  static absl::StatusOr<std::unique_ptr<SseClient>> Open(int port, const std::string& method, const std::string& path,
                                                         const std::vector<std::pair<std::string, std::string>>& headers,
                                                         const std::string& body = "");
  ~SseClient();

  int status() const { return status_; }
  // Case-insensitive header lookup ("" when absent).
  std::string header(const std::string& name) const;
  // The next event (comments included when `comments`); DEADLINE_EXCEEDED on
  // timeout, OUT_OF_RANGE when the stream ended.
  absl::StatusOr<SseEventData> Next(absl::Duration timeout, bool comments = false);
  // Reads everything until the stream ends (bounded).
  absl::StatusOr<std::string> ReadAll(absl::Duration timeout);
  void Close();

 private:
  SseClient() = default;
  // Appends decoded body bytes to body_ until `enough` or timeout.
  absl::Status Fill(absl::Duration timeout);

  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  bool chunked_ = false;
  bool ended_ = false;
  std::string raw_;   // undecoded bytes
  std::string body_;  // decoded body not yet consumed
};

}  // namespace cmcp::testing
