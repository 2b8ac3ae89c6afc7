#!/usr/bin/env bash
# libFuzzer smoke run (issue 10 item 2): configures build-fuzz/ with clang and
# -DCMCP_FUZZ=ON, builds only the fuzz targets and what they link, then runs
# every target for a bounded time over its committed corpus. Exits non-zero
# on any crash, leak, timeout or failed check; the input that did it is left
# in build-fuzz/fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     default: 20 s, all targets
#
# New inputs the fuzzer finds go to build-fuzz/fuzz/found/<target>/ (not to
# the committed corpus; copy the interesting ones by hand, small). Longer
# runs: scripts/fuzz.sh 900, or run a binary from build-fuzz/fuzz/ directly.
# CMCP_JOBS sets build parallelism (default: every core); builds run niced.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-fuzz}
seconds=${1:-20}
shift || true
jobs=${CMCP_JOBS:-$(nproc)}
TARGETS=(fuzz_where_linter fuzz_cursor_codec fuzz_rate_limit fuzz_tsql fuzz_edge_headers fuzz_edge_http)
if [ $# -gt 0 ]; then TARGETS=("$@"); fi

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: installing clang (libFuzzer)"
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq clang >/dev/null; else sudo apt-get install -y -qq clang >/dev/null; fi
fi
"$ROOT/scripts/install-deps.sh" >/dev/null

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMCP_FUZZ=ON -DCMCP_BUILD_TESTS=OFF >/dev/null
fi
build_start=$SECONDS
nice -n 10 cmake --build "$BUILD_DIR" --parallel "$jobs" --target cmcp_fuzzers
build_seconds=$((SECONDS - build_start))

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
status=0
run_start=$SECONDS
summary=()
for t in "${TARGETS[@]}"; do
  corpus="$ROOT/fuzz/corpus/$t"
  found="$BUILD_DIR/fuzz/found/$t"
  artifacts="$BUILD_DIR/fuzz/artifacts/$t"
  mkdir -p "$found" "$artifacts"
  log="$BUILD_DIR/fuzz/$t.log"
  # -timeout: one input taking this long is a bug (hang); -rss_limit_mb: so is
  # unbounded memory. The found/ dir comes first so new inputs land there.
  if nice -n 10 "$BUILD_DIR/fuzz/$t" "$found" "$corpus" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    line=$(grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)" "$log" | tail -1 || true)
    runs=$(grep -m1 "stat::number_of_executed_units" "$log" | awk '{print $2}')
    summary+=("ok    $t: ${runs:-?} runs; ${line}")
  else
    status=1
    summary+=("CRASH $t: see $log and $artifacts/")
    grep -E "ERROR:|runtime error|fuzz_[a-z_]+: |Test unit written" "$log" | head -5 || true
  fi
done
for s in "${summary[@]}"; do echo "fuzz.sh: $s"; done
echo "fuzz.sh: build ${build_seconds}s, fuzzing $((SECONDS - run_start))s (${seconds}s per target)"
exit "$status"
