// File: redis_client.h
// A blocking Redis client on hiredis with a fixed pool of connections,
// connect/command timeouts, AUTH, and lazy reconnects: a connection that
// fails is dropped and re-created by the next caller. Connection problems
// surface as UNAVAILABLE (reason STORAGE_UNAVAILABLE), so callers can map
// them to "try again" instead of "not found". Call it from worker threads
// (common/concurrency/thread_pool.h), never from gRPC or Asio threads.
// Every round trip is timed in cmcp_redis_command_seconds{command} (failures
// in cmcp_redis_errors_total{command}), labelled by command name only.
//
//   RedisClient redis({.address = "127.0.0.1:6379"});
//   CMCP_ASSIGN_OR_RETURN(RedisReply r, redis.Command({"HGETALL", key}));
//   CMCP_ASSIGN_OR_RETURN(auto replies, redis.Pipeline({{"MULTI"}, {"HSET", ...}, {"EXEC"}}));
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

namespace cmcp {

struct RedisSettings {
  // "host:port" or "unix:/path/to/socket".
  std::string address = "127.0.0.1:6379";
  // AUTH password; empty for none. Never logged.
  std::string password;
  int database = 0;
  int pool_size = 8;
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration command_timeout = absl::Seconds(2);
  // How long a caller waits for a free connection.
  absl::Duration acquire_timeout = absl::Seconds(2);
};

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  // HGETALL-style array of alternating field/value strings as a map.
  std::map<std::string, std::string> AsMap() const;
};

// A dedicated connection in subscribe mode. Next() blocks until a message
// arrives; Close() (from any thread) makes it return an error.
class RedisSubscriber {
 public:
  struct Message {
    std::string channel;
    std::string payload;
  };
  virtual ~RedisSubscriber() = default;
  virtual absl::StatusOr<Message> Next() = 0;
  virtual void Close() = 0;
};

class RedisClient {
 public:
  explicit RedisClient(RedisSettings settings);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command. A Redis error reply becomes INTERNAL with Redis's message.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);
  // Several commands in one round trip, replies in order. Error replies are
  // returned in place (Type::kError), not as a failed status.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);
  absl::Status Ping();
  // Opens a new connection (outside the pool) subscribed to `channels`.
  absl::StatusOr<std::unique_ptr<RedisSubscriber>> Subscribe(const std::vector<std::string>& channels);

 private:
  struct Connection;
  absl::StatusOr<std::vector<RedisReply>> RoundTrip(const std::vector<std::vector<std::string>>& commands);
  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> connection, bool healthy);
  absl::StatusOr<std::unique_ptr<Connection>> Connect();

  RedisSettings settings_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cmcp
