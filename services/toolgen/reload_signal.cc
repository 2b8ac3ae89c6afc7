#include "services/toolgen/reload_signal.h"

#include <pthread.h>
#include <signal.h>

namespace cmcp::toolgen {
namespace {

sigset_t ReloadSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockReloadSignal() {
  sigset_t set = ReloadSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ReloadSignalWatcher::ReloadSignalWatcher(std::function<void()> on_reload) : on_reload_(std::move(on_reload)) {
  BlockReloadSignal();  // in case main forgot: at least this thread must not die of SIGHUP
  thread_ = std::thread([this] {
    const sigset_t set = ReloadSet();
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (stopping_.load()) return;
      on_reload_();
    }
  });
}

void ReloadSignalWatcher::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  pthread_kill(thread_.native_handle(), SIGHUP);  // wakes sigwait; the thread then sees stopping_
  thread_.join();
}

}  // namespace cmcp::toolgen
