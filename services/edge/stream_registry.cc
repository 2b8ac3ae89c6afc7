#include "services/edge/stream_registry.h"

#include <atomic>
#include <set>
#include <vector>

#include "common/metrics/metrics.h"
#include "services/edge/sse.h"

namespace cmcp::edge {

StreamRegistry::StreamRegistry() {
  MetricsRegistry::Default().GetGauge("cmcp_edge_open_streams", "Open SSE streams on this edge");
}

StreamRegistry::~StreamRegistry() { CloseAll(); }

bool StreamRegistry::Add(const std::string& session_digest, Stream stream) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = streams_.emplace(session_digest, std::move(stream));
  if (inserted) MetricsRegistry::Default().GetGauge("cmcp_edge_open_streams", "Open SSE streams on this edge").Add(1);
  return inserted;
}

void StreamRegistry::Remove(const std::string& session_digest, const HttpResponder* responder) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(session_digest);
  if (it != streams_.end() && it->second.responder.get() == responder) {
    streams_.erase(it);
    MetricsRegistry::Default().GetGauge("cmcp_edge_open_streams", "Open SSE streams on this edge").Add(-1);
  }
}

bool StreamRegistry::Write(const std::string& session_digest, std::string sse_text) {
  std::shared_ptr<HttpResponder> responder;
  {
    absl::MutexLock lock(&mu_);
    auto it = streams_.find(session_digest);
    if (it == streams_.end()) return false;
    responder = it->second.responder;
  }
  if (responder->IsClosed()) return false;
  responder->Write(std::move(sse_text));
  return true;
}

bool StreamRegistry::Has(const std::string& session_digest) {
  absl::MutexLock lock(&mu_);
  return streams_.contains(session_digest);
}

int StreamRegistry::CountForServer(const std::string& server_id) {
  absl::MutexLock lock(&mu_);
  int n = 0;
  for (const auto& [digest, stream] : streams_) n += stream.server_id == server_id;
  return n;
}

size_t StreamRegistry::size() {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

void StreamRegistry::AddCall(const std::string& key, std::function<void()> cancel) {
  {
    absl::MutexLock lock(&mu_);
    auto early = early_cancels_.find(key);
    if (early == early_cancels_.end() || early->second <= absl::Now()) {
      calls_[key] = std::move(cancel);
      return;
    }
    early_cancels_.erase(early);
  }
  cancel();
}

void StreamRegistry::RemoveCall(const std::string& key) {
  absl::MutexLock lock(&mu_);
  calls_.erase(key);
}

bool StreamRegistry::CancelCall(const std::string& key) {
  std::function<void()> cancel;
  {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(key);
    if (it == calls_.end()) {
      constexpr size_t kMaxEarlyCancels = 10000;
      const absl::Time now = absl::Now();
      if (early_cancels_.size() >= kMaxEarlyCancels) {
        std::erase_if(early_cancels_, [now](const auto& entry) { return entry.second <= now; });
      }
      if (early_cancels_.size() < kMaxEarlyCancels) early_cancels_[key] = now + absl::Minutes(1);
      return false;
    }
    cancel = std::move(it->second);
    calls_.erase(it);
  }
  cancel();
  return true;
}

void StreamRegistry::StartWatcher(McpBackend* backend, absl::Duration interval, absl::Duration keepalive,
                                  absl::Duration settle) {
  watcher_ = std::thread([=, this] { Watch(backend, interval, keepalive, settle); });
}

void StreamRegistry::EndStreamsOf(const std::string& token) {
  std::vector<std::shared_ptr<HttpResponder>> ending;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [digest, stream] : streams_) {
      if (stream.token == token) ending.push_back(stream.responder);
    }
  }
  for (auto& r : ending) r->EndStream();
}

void StreamRegistry::AnnounceChange(const std::string& token, const std::string& filter_key, absl::Duration settle) {
  std::vector<std::shared_ptr<HttpResponder>> changed;
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    for (auto& [digest, stream] : streams_) {
      if (stream.token != token) continue;
      if (stream.filter_key == filter_key) {  // unchanged, or changed back
        stream.pending_filter_key.clear();
        stream.announce_at = absl::InfiniteFuture();
        continue;
      }
      if (stream.pending_filter_key != filter_key) {
        stream.pending_filter_key = filter_key;
        stream.announce_at = now + settle;
      }
      if (now >= stream.announce_at) {
        stream.filter_key = filter_key;
        stream.pending_filter_key.clear();
        stream.announce_at = absl::InfiniteFuture();
        changed.push_back(stream.responder);
      }
    }
  }
  for (auto& r : changed) {
    r->Write(SseEvent(R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})"));
  }
}

void StreamRegistry::Watch(McpBackend* backend, absl::Duration interval, absl::Duration keepalive,
                           absl::Duration settle) {
  absl::Time next_keepalive = absl::Now() + keepalive;
  while (!stop_.WaitForNotificationWithTimeout(interval)) {
    std::set<std::string> tokens;
    std::vector<std::shared_ptr<HttpResponder>> all;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [digest, stream] : streams_) {
        tokens.insert(stream.token);
        all.push_back(stream.responder);
      }
    }
    // Wait for every answer before the next round, so no callback of this
    // watcher can outlive the registry.
    auto pending = std::make_shared<std::atomic<int>>(static_cast<int>(tokens.size()));
    auto all_done = std::make_shared<absl::Notification>();
    for (const std::string& token : tokens) {
      backend->ResolveServer(token, [this, token, pending, all_done, settle](absl::StatusOr<ServerView> server) {
        if (absl::IsNotFound(server.status())) {
          EndStreamsOf(token);
        } else if (server.ok()) {
          AnnounceChange(token, FilterKey(server->filter), settle);
        }
        if (pending->fetch_sub(1) == 1) all_done->Notify();
      });
    }
    if (!tokens.empty()) all_done->WaitForNotification();
    if (absl::Now() >= next_keepalive) {
      next_keepalive = absl::Now() + keepalive;
      for (auto& r : all) r->Write(SseComment("keepalive"));
    }
  }
}

void StreamRegistry::CloseAll() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (watcher_.joinable()) watcher_.join();
  std::vector<std::shared_ptr<HttpResponder>> all;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [digest, stream] : streams_) all.push_back(stream.responder);
  }
  for (auto& r : all) r->EndStream();
}

}  // namespace cmcp::edge
