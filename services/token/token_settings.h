// File: token_settings.h
// Typed settings of the token service, read once in main (env prefix TOKEN_).
// Secrets (pepper, encryption keys, Redis password, bootstrap admin token)
// may come from files (`--<name>-file`), as Kubernetes Secrets mount them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/redis/redis_client.h"
#include "common/service/service_runner.h"
#include "services/token/audit_log.h"
#include "services/token/token_manager.h"

namespace cmcp::token {

struct TokenSettings {
  ServiceSettings service;
  RedisSettings redis;
  std::string key_prefix;
  TokenManagerSettings manager;
  std::string encryption_key_id;
  // key id -> 32 raw bytes; includes the current key.
  std::map<std::string, std::string> encryption_keys;
  std::vector<std::string> allowed_base_urls;
  bool allow_loopback_base_urls = false;
  std::string bootstrap_admin_token;
  std::string toolgen_address;
  absl::Duration sweep_interval = absl::Seconds(30);
  int worker_threads = 16;
  int max_queue = 1024;
  // The audit stream of tool calls keeps about this many entries (XADD MAXLEN ~).
  int64_t audit_max_entries = 100000;
  AuditLogSettings audit;
};

// Exits with a message naming the setting when something is wrong.
TokenSettings LoadTokenSettings(int argc, char** argv);

}  // namespace cmcp::token
