// File: reload_signal.h
// SIGHUP as "reload the integration" (the usual daemon convention; k8s can
// send it after a ConfigMap update). common/process/signals.h handles only
// SIGTERM/SIGINT, so toolgen blocks SIGHUP itself and waits for it on one
// thread. Call BlockReloadSignal() at the top of main, before any thread
// starts, so every later thread inherits the mask and only the watcher sees it.
//
//   BlockReloadSignal();
//   ReloadSignalWatcher watcher([&] { holder.Reload(dir); });
//   ... run the server ...
//   watcher.Stop();
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace cmcp::toolgen {

void BlockReloadSignal();

class ReloadSignalWatcher {
 public:
  // Starts a thread that runs `on_reload` once per SIGHUP.
  explicit ReloadSignalWatcher(std::function<void()> on_reload);
  ~ReloadSignalWatcher() { Stop(); }
  ReloadSignalWatcher(const ReloadSignalWatcher&) = delete;
  ReloadSignalWatcher& operator=(const ReloadSignalWatcher&) = delete;

  // Ends the thread (idempotent).
  void Stop();

 private:
  std::function<void()> on_reload_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace cmcp::toolgen
