#include "tests/testing/sse_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"

namespace cmcp::testing {

absl::StatusOr<std::unique_ptr<SseClient>> SseClient::Open(
    int port, const std::string& method, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  std::unique_ptr<SseClient> c(new SseClient());
  c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::UnavailableError("connect failed");
  }
  std::string request = absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: 127.0.0.1:", port, "\r\n");
  for (const auto& [k, v] : headers) absl::StrAppend(&request, k, ": ", v, "\r\n");
  if (!body.empty() || method == "POST") absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n");
  absl::StrAppend(&request, "\r\n", body);
  if (::send(c->fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return absl::UnavailableError("send failed");
  }
  // Read the status line and headers.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  size_t end;
  while ((end = c->raw_.find("\r\n\r\n")) == std::string::npos) {
    pollfd p{c->fd_, POLLIN, 0};
    const int wait = static_cast<int>(std::max<int64_t>(absl::ToInt64Milliseconds(deadline - absl::Now()), 0));
    if (::poll(&p, 1, wait) <= 0) return absl::DeadlineExceededError("no response headers");
    char buf[4096];
    const ssize_t n = ::recv(c->fd_, buf, sizeof(buf), 0);
    if (n <= 0) return absl::UnavailableError("connection closed before headers");
    c->raw_.append(buf, n);
  }
  std::vector<std::string> lines = absl::StrSplit(c->raw_.substr(0, end), "\r\n");
  c->raw_.erase(0, end + 4);
  std::vector<std::string> status_parts = absl::StrSplit(lines[0], ' ');
  if (status_parts.size() < 2 || !absl::SimpleAtoi(status_parts[1], &c->status_)) {
    return absl::InternalError("bad status line");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    c->headers_[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  c->chunked_ = absl::AsciiStrToLower(c->header("transfer-encoding")) == "chunked";
  return c;
}

SseClient::~SseClient() { Close(); }

void SseClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string SseClient::header(const std::string& name) const {
  auto it = headers_.find(absl::AsciiStrToLower(name));
  return it == headers_.end() ? "" : it->second;
}

absl::Status SseClient::Fill(absl::Duration timeout) {
  // Decode what we have first.
  auto decode = [this] {
    if (!chunked_) {
      body_.append(raw_);
      raw_.clear();
      return;
    }
    while (true) {
      const size_t line_end = raw_.find("\r\n");
      if (line_end == std::string::npos) return;
      size_t size = 0;
      if (!absl::SimpleHexAtoi(raw_.substr(0, line_end), &size)) return;
      if (size == 0) {
        ended_ = true;
        raw_.clear();
        return;
      }
      if (raw_.size() < line_end + 2 + size + 2) return;
      body_.append(raw_, line_end + 2, size);
      raw_.erase(0, line_end + 2 + size + 2);
    }
  };
  const size_t before = body_.size();
  decode();
  // Bytes that arrived with the headers (or an earlier read) may already hold events.
  if (ended_ || body_.size() > before) return absl::OkStatus();
  pollfd p{fd_, POLLIN, 0};
  const int wait = static_cast<int>(std::max<int64_t>(absl::ToInt64Milliseconds(timeout), 0));
  if (::poll(&p, 1, wait) <= 0) return absl::DeadlineExceededError("no data in time");
  char buf[8192];
  const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) {
    ended_ = true;
    return absl::OkStatus();
  }
  raw_.append(buf, n);
  decode();
  return absl::OkStatus();
}

absl::StatusOr<SseEventData> SseClient::Next(absl::Duration timeout, bool comments) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t end;
    while ((end = body_.find("\n\n")) != std::string::npos) {
      const std::string block = body_.substr(0, end);
      body_.erase(0, end + 2);
      SseEventData e;
      std::vector<std::string> data_lines;
      bool only_comments = true;
      for (absl::string_view line : absl::StrSplit(block, '\n')) {
        if (absl::StartsWith(line, ":")) continue;
        only_comments = false;
        const size_t colon = line.find(':');
        const absl::string_view field = line.substr(0, colon);
        absl::string_view value = colon == absl::string_view::npos ? "" : line.substr(colon + 1);
        if (absl::StartsWith(value, " ")) value.remove_prefix(1);
        if (field == "event") e.event = std::string(value);
        else if (field == "id") e.id = std::string(value);
        else if (field == "data") data_lines.emplace_back(value);
      }
      e.data = absl::StrJoin(data_lines, "\n");
      if (only_comments) {
        if (!comments) continue;
        e.comment = true;
      }
      return e;
    }
    if (ended_) return absl::OutOfRangeError("stream ended");
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return absl::DeadlineExceededError("no event in time");
    absl::Status s = Fill(left);
    if (!s.ok()) return s;
  }
}

absl::StatusOr<std::string> SseClient::ReadAll(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!ended_) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return absl::DeadlineExceededError("stream did not end in time");
    absl::Status s = Fill(left);
    if (!s.ok()) return s;
  }
  return body_;
}

}  // namespace cmcp::testing
