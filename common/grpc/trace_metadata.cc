#include "common/grpc/trace_metadata.h"

namespace cmcp {

void AddTraceMetadata(grpc::ClientContext& context, const TraceContext& trace) {
  if (trace.valid()) context.AddMetadata(kTraceparentHeader, trace.Header());
}

TraceContext TraceFromMetadata(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kTraceparentHeader);
  if (it == metadata.end()) return TraceContext::Start();
  return TraceContext::ContinueOrStart(absl::string_view(it->second.data(), it->second.size()));
}

}  // namespace cmcp
