// File: upstream_metrics.h
// The proxy's view of Caspio in Prometheus terms: every HTTP exchange with
// Caspio (API calls and OAuth sign-ins) is observed in
// cmcp_upstream_seconds{operation,code}, where operation is the Caspio
// operationId of the tool ("oauth_token" for sign-ins) and code the status
// class ("2xx", "3xx", "4xx", "429", "5xx"). Calls with no HTTP answer count in
// cmcp_upstream_failures_total{operation} (tool_executor.cc).
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cmcp::proxy {

// "2xx" … "5xx", with 429 on its own (rate limiting is worth its own line).
std::string UpstreamCodeClass(int http_status);

void ObserveUpstream(absl::string_view operation, int http_status, absl::Duration elapsed);

}  // namespace cmcp::proxy
