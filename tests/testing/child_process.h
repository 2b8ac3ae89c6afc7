// File: child_process.h
// Starts a real program (a service binary, redis-server) for integration
// tests, waits until it reports its port through a port file (or until a TCP
// port accepts connections), and stops it (SIGTERM, then SIGKILL) when the
// object goes away. Every wait is bounded, so a broken child fails the test
// instead of hanging it. The child's stderr goes to a log file that is
// printed when startup fails.
//
//   auto sandbox = ChildProcess::Start({BinPath("caspio-sandbox"), "--listen=127.0.0.1:0",
//                                       "--port-file=" + dir.File("sandbox.port")},
//                                      {.port_file = dir.File("sandbox.port")});
//   ASSERT_THAT(sandbox, IsOk());
//   int port = (*sandbox)->port();
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cmcp::testing {

struct ChildOptions {
  // File the child writes its port to; Start() waits for it.
  std::string port_file;
  // Alternatively, a port to poll until it accepts TCP connections.
  int wait_for_tcp_port = 0;
  absl::Duration startup_timeout = absl::Seconds(20);
  // Extra environment variables (added to the parent's environment).
  std::map<std::string, std::string> env;
  // Where stdout/stderr go; defaults to a temp file.
  std::string log_file;
};

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(std::vector<std::string> argv,
                                                             ChildOptions options = {});
  ~ChildProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log_file() const { return log_file_; }
  std::string ReadLog() const;

  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status
  // (as from waitpid) or -1 if it had to be killed.
  int Stop(absl::Duration grace = absl::Seconds(10));
  // SIGKILL at once (fault tests).
  void Kill();
  bool Running();
  // The waitpid status once the child has been reaped (-1 before that).
  int wait_status() const { return wait_status_; }

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  int wait_status_ = -1;
  std::string log_file_;
};

// A directory under $TMPDIR removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close).
// For programs that cannot bind port 0 and report it (redis-server).
int PickFreePort();

// Absolute path of a project binary (from CMCP_BIN_DIR, set by ctest; else
// this build tree's bin/, so a test binary runs from any directory).
std::string BinPath(const std::string& name);
// Absolute path inside the source tree (from CMCP_SOURCE_DIR, set by ctest;
// else the tree this was built from).
std::string SourcePath(const std::string& relative);

}  // namespace cmcp::testing
