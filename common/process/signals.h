// File: signals.h
// Graceful shutdown on SIGTERM/SIGINT. Call BlockTerminationSignals() first
// thing in main, before any thread exists, so the signals are delivered only
// to the thread that later calls WaitForTerminationSignal().
//
//   int main(...) {
//     cmcp::BlockTerminationSignals();
//     ... start servers ...
//     int sig = cmcp::WaitForTerminationSignal();   // blocks
//     ... drain ...
//   }
#pragma once

namespace cmcp {

void BlockTerminationSignals();
// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForTerminationSignal();

}  // namespace cmcp
