#!/usr/bin/env bash
# Sanitizer builds (issue 10 item 3). Configures an instrumented build with
# GCC, builds it, and runs tests under it; exits non-zero on any test failure
# or sanitizer report.
#
#   scripts/sanitize.sh address [ctest args]   ASan + UBSan, build-asan/, the whole suite
#   scripts/sanitize.sh thread  [ctest args]   TSan, build-tsan/, the concurrency tests
#
# Extra ctest args narrow the run (e.g. -R mcp_handler). CMCP_JOBS sets build
# parallelism (default: every core); the build runs under nice.
# Suppressions in scripts/sanitizers/ cover uninstrumented third-party code
# only; every line says why. See docs/testing.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-}
shift || true
SUPP="$ROOT/scripts/sanitizers"
jobs=${CMCP_JOBS:-$(nproc)}

case "$mode" in
  address)
    BUILD_DIR=${BUILD_DIR:-$ROOT/build-asan}
    # Everything but deploy_dockerfile, which checks that the release
    # binaries need no library the runtime image lacks (these link libasan).
    default_tests=(-E '^deploy_dockerfile$')
    ;;
  thread)
    BUILD_DIR=${BUILD_DIR:-$ROOT/build-tsan}
    # What runs threads of ours: the HTTP server and client, the gRPC server
    # and clients with their thread pools, edge (async exchanges, streams,
    # cancellation), proxy (OAuth cache shared by calls, thread pool), token
    # (Redis pool, coordination), and the cluster integration tests that drive
    # all of them at once.
    default_tests=(-R '^(http_test|grpc_server_test|mcp_handler_test|tool_executor_test|upstream_call_test|rate_limit_test|cursor_codec_test|where_linter_test|token_manager_test|redis_token_store_integration_test|coordination_store_integration_test|toolgen_service_test|sandbox_integration_test|sandbox_app_test|admin_api_integration_test|service_settings_integration_test|proxy_.*integration_test|edge_.*integration_test)$')
    ;;
  *)
    echo "usage: scripts/sanitize.sh address|thread [ctest args]" >&2
    exit 2
    ;;
esac

"$ROOT/scripts/install-deps.sh"

# Warnings are not errors here: GCC 12 reports false "maybe-uninitialized"
# in <regex> and <functional> once sanitizer instrumentation is inlined.
# (Re)configured every time, so a changed option reaches an existing build.
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMCP_SANITIZE="$mode" -DCMCP_WERROR=OFF >/dev/null
build_start=$SECONDS
if [ $# -eq 0 ] && [ "$mode" = thread ]; then
  # Only what the selected tests run: their binaries and the services the
  # integration tests start (an instrumented build of everything takes long).
  mapfile -t targets < <(ctest --test-dir "$BUILD_DIR" -N "${default_tests[@]}" | sed -n 's/^ *Test *#[0-9]*: //p')
  nice -n 10 cmake --build "$BUILD_DIR" --parallel "$jobs" --target "${targets[@]}" edge token toolgen proxy caspio-sandbox
else
  nice -n 10 cmake --build "$BUILD_DIR" --parallel "$jobs"
fi
build_seconds=$((SECONDS - build_start))

# Every report fails the process that made it (ctest sees the exit code);
# reports also go to files under the build dir, for the run's summary.
LOG_DIR="$BUILD_DIR/sanitizer-logs"
rm -rf "$LOG_DIR" && mkdir -p "$LOG_DIR"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_invalid_pointer_pairs=0:log_path=$LOG_DIR/asan:log_exe_name=1:print_summary=1"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp:log_path=$LOG_DIR/ubsan:log_exe_name=1"
export TSAN_OPTIONS="suppressions=$SUPP/tsan.supp:second_deadlock_stack=1:halt_on_error=0:exitcode=66:history_size=4:log_path=$LOG_DIR/tsan:log_exe_name=1:print_suppressions=0"

test_start=$SECONDS
status=0
if [ $# -gt 0 ]; then
  ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)" --timeout 1200 "$@" || status=$?
else
  ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)" --timeout 1200 "${default_tests[@]}" || status=$?
fi
reports=$(find "$LOG_DIR" -type f | wc -l)
if [ "$reports" -gt 0 ]; then
  echo "sanitize.sh: $reports sanitizer report file(s) in $LOG_DIR:"
  grep -h -m1 -E "ERROR: |WARNING: ThreadSanitizer|runtime error" "$LOG_DIR"/* | sort | uniq -c | sort -rn | head -40
  status=1
fi
echo "sanitize.sh $mode: build ${build_seconds}s, tests $((SECONDS - test_start))s"
exit "$status"
