// File: proxy_settings.h
// Typed settings of the proxy, read once in main (env prefix PROXY_).
#pragma once

#include <string>

#include "common/service/service_runner.h"
#include "services/proxy/caspio_auth.h"
#include "services/proxy/tool_executor.h"

namespace cmcp::proxy {

struct ProxySettings {
  ServiceSettings service;
  std::string token_address;
  // HMAC key for pagination cursors; every proxy replica needs the same one.
  std::string cursor_key;
  ToolExecutorSettings executor;
  CaspioAuthSettings auth;
  int worker_threads = 64;
  int max_queue = 4096;
};

// Exits with a message naming the setting when something is wrong.
ProxySettings LoadProxySettings(int argc, char** argv);

}  // namespace cmcp::proxy
