#include "common/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/metrics/metrics.h"
#include "common/status/error.h"

namespace cmcp {
namespace {


RedisReply Convert(const redisReply* r) {
  RedisReply out;
  if (r == nullptr) return out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

absl::Status Unavailable(absl::string_view what) {
  return StorageUnavailableError(absl::StrCat("Redis unavailable: ", what));
}

// The metrics label of a round trip: the command name for one command or a
// pipeline of the same command (e.g. the audit log's batched XADDs),
// "MULTI" for a transaction, "PIPELINE" for a mix. Only names, never
// arguments (keys and values may be secret-derived).
std::string CommandLabel(const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty() || commands.front().empty()) return "NONE";
  const std::string first = absl::AsciiStrToUpper(commands.front().front());
  if (first == "MULTI") return "MULTI";
  for (const std::vector<std::string>& command : commands) {
    if (command.empty() || !absl::EqualsIgnoreCase(command.front(), first)) return "PIPELINE";
  }
  return first;
}

// cmcp_redis_command_seconds{command} and cmcp_redis_errors_total{command}.
void RecordRoundTrip(const std::string& command, absl::Duration elapsed, bool failed) {
  MetricsRegistry& registry = MetricsRegistry::Default();
  registry
      .GetHistogram("cmcp_redis_command_seconds", "Redis round-trip latency in seconds (one command or one pipeline)",
                    {{"command", command}})
      .Observe(absl::ToDoubleSeconds(elapsed));
  // The error series exists (at 0) as soon as the command has run once.
  Counter& errors = registry.GetCounter("cmcp_redis_errors_total", "Redis round trips that failed (connection, timeout)",
                                        {{"command", command}});
  if (failed) errors.Increment();
}

}  // namespace

struct RedisClient::Connection {
  redisContext* ctx = nullptr;
  ~Connection() {
    if (ctx != nullptr) redisFree(ctx);
  }
};

std::map<std::string, std::string> RedisReply::AsMap() const {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < elements.size(); i += 2) out[elements[i].str] = elements[i + 1].str;
  return out;
}

RedisClient::RedisClient(RedisSettings settings) : settings_(std::move(settings)) {}

RedisClient::~RedisClient() = default;

absl::StatusOr<std::unique_ptr<RedisClient::Connection>> RedisClient::Connect() {
  auto conn = std::make_unique<Connection>();
  const timeval connect_timeout = absl::ToTimeval(settings_.connect_timeout);
  if (absl::StartsWith(settings_.address, "unix:")) {
    conn->ctx = redisConnectUnixWithTimeout(settings_.address.substr(5).c_str(), connect_timeout);
  } else {
    const size_t colon = settings_.address.rfind(':');
    int port = 6379;
    std::string host = settings_.address;
    if (colon != std::string::npos) {
      host = settings_.address.substr(0, colon);
      if (!absl::SimpleAtoi(settings_.address.substr(colon + 1), &port)) {
        return absl::InvalidArgumentError(absl::StrCat("bad Redis address ", settings_.address));
      }
    }
    conn->ctx = redisConnectWithTimeout(host.c_str(), port, connect_timeout);
  }
  if (conn->ctx == nullptr) return Unavailable("cannot allocate a connection");
  if (conn->ctx->err != 0) return Unavailable(absl::StrCat(settings_.address, ": ", conn->ctx->errstr));
  redisSetTimeout(conn->ctx, absl::ToTimeval(settings_.command_timeout));
  // TCP keep-alive only makes sense (and only works) on TCP sockets.
  if (!absl::StartsWith(settings_.address, "unix:")) redisEnableKeepAlive(conn->ctx);
  auto run = [&](const std::vector<std::string>& args) -> absl::Status {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(conn->ctx, static_cast<int>(args.size()), argv.data(), lens.data()));
    if (reply == nullptr) return Unavailable(conn->ctx->errstr);
    const bool error = reply->type == REDIS_REPLY_ERROR;
    const std::string message = error ? std::string(reply->str, reply->len) : "";
    freeReplyObject(reply);
    // The message is Redis's own ("WRONGPASS ..."), never the password.
    if (error) return Unavailable(message);
    return absl::OkStatus();
  };
  if (!settings_.password.empty()) {
    if (absl::Status s = run({"AUTH", settings_.password}); !s.ok()) return s;
  }
  if (settings_.database != 0) {
    if (absl::Status s = run({"SELECT", absl::StrCat(settings_.database)}); !s.ok()) return s;
  }
  return conn;
}

absl::StatusOr<std::unique_ptr<RedisClient::Connection>> RedisClient::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || outstanding_ < settings_.pool_size;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), settings_.acquire_timeout)) {
      return Unavailable("all connections are busy");
    }
    ++outstanding_;
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  auto conn = Connect();
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --outstanding_;
  }
  return conn;
}

void RedisClient::Release(std::unique_ptr<Connection> connection, bool healthy) {
  absl::MutexLock lock(&mu_);
  --outstanding_;
  if (healthy) idle_.push_back(std::move(connection));
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  const absl::Time start = absl::Now();
  auto replies = RoundTrip(commands);
  RecordRoundTrip(CommandLabel(commands), absl::Now() - start, !replies.ok());
  return replies;
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::RoundTrip(
    const std::vector<std::vector<std::string>>& commands) {
  auto conn_or = Acquire();
  if (!conn_or.ok()) return conn_or.status();
  std::unique_ptr<Connection> conn = *std::move(conn_or);
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(conn->ctx, static_cast<int>(args.size()), argv.data(), lens.data());
  }
  std::vector<RedisReply> replies;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(conn->ctx, &raw) != REDIS_OK || raw == nullptr) {
      const std::string error = conn->ctx->errstr;
      Release(std::move(conn), /*healthy=*/false);
      return Unavailable(error);
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  Release(std::move(conn), /*healthy=*/true);
  return replies;
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  auto replies = Pipeline({args});
  if (!replies.ok()) return replies.status();
  RedisReply reply = std::move(replies->front());
  if (reply.type == RedisReply::Type::kError) {
    return InternalError(absl::StrCat("Redis error on ", args.front(), ": ", reply.str));
  }
  return reply;
}

namespace {

class HiredisSubscriber final : public RedisSubscriber {
 public:
  explicit HiredisSubscriber(redisContext* ctx) : ctx_(ctx) {}
  ~HiredisSubscriber() override { redisFree(ctx_); }

  absl::StatusOr<Message> Next() override {
    while (true) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
        return Unavailable(closed_.load() ? "subscription closed" : ctx_->errstr);
      }
      RedisReply reply = Convert(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      if (reply.type == RedisReply::Type::kArray && reply.elements.size() == 3 && reply.elements[0].str == "message") {
        return Message{reply.elements[1].str, reply.elements[2].str};
      }
      // "subscribe" confirmations and pongs are not messages.
    }
  }

  void Close() override {
    closed_.store(true);
    // Unblocks a reader waiting in redisGetReply on another thread.
    ::shutdown(ctx_->fd, SHUT_RDWR);
  }

 private:
  redisContext* ctx_;
  std::atomic<bool> closed_{false};
};

}  // namespace

absl::StatusOr<std::unique_ptr<RedisSubscriber>> RedisClient::Subscribe(const std::vector<std::string>& channels) {
  auto conn = Connect();
  if (!conn.ok()) return conn.status();
  redisContext* ctx = (*conn)->ctx;
  // A subscriber waits for messages indefinitely.
  redisSetTimeout(ctx, timeval{0, 0});
  std::vector<std::string> args = {"SUBSCRIBE"};
  args.insert(args.end(), channels.begin(), channels.end());
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data());
  // Wait for every subscription to be confirmed before reporting success.
  for (size_t i = 0; i < channels.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) return Unavailable(ctx->errstr);
    freeReplyObject(raw);
  }
  (*conn)->ctx = nullptr;  // ownership moves to the subscriber
  return std::unique_ptr<RedisSubscriber>(new HiredisSubscriber(ctx));
}

absl::Status RedisClient::Ping() {
  auto reply = Command({"PING"});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

}  // namespace cmcp
