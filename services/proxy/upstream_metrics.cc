#include "services/proxy/upstream_metrics.h"

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"

namespace cmcp::proxy {

std::string UpstreamCodeClass(int http_status) {
  if (http_status == 429) return "429";
  if (http_status < 100 || http_status > 599) return "other";
  return absl::StrCat(http_status / 100, "xx");
}

void ObserveUpstream(absl::string_view operation, int http_status, absl::Duration elapsed) {
  MetricsRegistry::Default()
      .GetHistogram("cmcp_upstream_seconds", "Caspio HTTP exchange latency in seconds, by operation and status class",
                    {{"operation", std::string(operation)}, {"code", UpstreamCodeClass(http_status)}})
      .Observe(absl::ToDoubleSeconds(elapsed));
}

}  // namespace cmcp::proxy
