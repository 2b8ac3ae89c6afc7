// File: stream_registry.h
// What lives on this edge replica: open SSE streams by session (the
// standalone GET stream of a Streamable HTTP session, or the stream of a
// legacy HTTP+SSE session) and in-flight tool calls (so notifications/
// cancelled can abort them). A watcher thread sends keep-alive comments,
// ends the streams of servers that expired or were deleted (within the
// resolve cache TTL), and sends notifications/tools/list_changed when a
// server's filter changes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/http/http_server.h"
#include "services/edge/mcp_backend.h"

namespace cmcp::edge {

class StreamRegistry {
 public:
  struct Stream {
    std::shared_ptr<HttpResponder> responder;
    // Kept in memory only, to re-resolve the server while the stream lives.
    std::string token;
    std::string server_id;
    // FilterKey() of the server's config when the stream opened, or as last
    // announced.
    std::string filter_key;
    bool legacy = false;
    // A changed config seen by the watcher, announced at `announce_at`.
    std::string pending_filter_key;
    absl::Time announce_at = absl::InfiniteFuture();
  };

  // Registers cmcp_edge_open_streams at 0, so the series exists from the start.
  StreamRegistry();
  ~StreamRegistry();

  // False when the session already has a stream on this replica.
  bool Add(const std::string& session_digest, Stream stream);
  // Removes the session's stream if it is still `responder`'s.
  void Remove(const std::string& session_digest, const HttpResponder* responder);
  // Writes SSE text on the session's stream; false when there is none here.
  bool Write(const std::string& session_digest, std::string sse_text);
  bool Has(const std::string& session_digest);
  int CountForServer(const std::string& server_id);
  size_t size();

  // Registers a running call's cancel; when a cancellation for `key` came
  // first (it may overtake the call's own registration), cancels at once.
  void AddCall(const std::string& key, std::function<void()> cancel);
  void RemoveCall(const std::string& key);
  // True when the call ran here (and is now being cancelled). Otherwise the
  // key is remembered for a minute, in case the call registers just after.
  bool CancelCall(const std::string& key);

  // Every `interval`, re-resolves the servers of the open streams: ends the
  // streams of a server that is gone, and sends list_changed when its filter
  // changed, once the change is `settle` old. Other replicas may serve the old
  // config from their caches for that long (the edge's resolve cache TTL), so
  // a client that lists tools on any replica after the notification sees the
  // new list.
  void StartWatcher(McpBackend* backend, absl::Duration interval, absl::Duration keepalive,
                    absl::Duration settle = absl::ZeroDuration());
  // Ends every stream (drain) and stops the watcher.
  void CloseAll();

 private:
  void Watch(McpBackend* backend, absl::Duration interval, absl::Duration keepalive, absl::Duration settle);
  void EndStreamsOf(const std::string& token);
  void AnnounceChange(const std::string& token, const std::string& filter_key, absl::Duration settle);

  absl::Mutex mu_;
  std::map<std::string, Stream> streams_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::function<void()>> calls_ ABSL_GUARDED_BY(mu_);
  // Cancellations that found no call yet, until when they count.
  std::map<std::string, absl::Time> early_cancels_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_;
  std::thread watcher_;
};

}  // namespace cmcp::edge
