#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration
# (real redis-server, real service binaries) and end-to-end (a whole cluster
# driven by real MCP clients). Prints ctest's counts; exits non-zero on any
# failure.
#
#   scripts/test.sh [ctest args, e.g. -L unit or -R http]
#   CMCP_FUZZ_SMOKE=1 scripts/test.sh    also the libFuzzer smoke run (docs/testing.md)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
total_start=$SECONDS

"$ROOT/scripts/install-deps.sh"

build_start=$SECONDS
BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/build.sh"
build_seconds=$((SECONDS - build_start))

# Node packages for the end-to-end tests, exactly as locked (the Inspector
# folder also brings Node 22 from npm). Skipped when already installed from
# the same lockfile.
for dir in "$ROOT/tests/e2e" "$ROOT/tests/e2e/inspector" "$ROOT/tests/deploy" "$ROOT/tests/console"; do
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$dir/node_modules/.cmcp-lock-sha256" 2>/dev/null)" != "$want" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$dir/node_modules/.cmcp-lock-sha256"
  fi
done

test_start=$SECONDS
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)" --timeout 600 "$@" || status=$?
test_seconds=$((SECONDS - test_start))

# Opt-in: the libFuzzer smoke run (its own clang build in build-fuzz/, then
# ~20 s per target; docs/testing.md). Off by default: it costs a second build.
fuzz_note=""
if [ "${CMCP_FUZZ_SMOKE:-0}" = "1" ]; then
  fuzz_start=$SECONDS
  "$ROOT/scripts/fuzz.sh" "${CMCP_FUZZ_SECONDS:-20}" || status=1
  fuzz_note=", fuzz smoke $((SECONDS - fuzz_start))s"
fi
echo "test.sh: build ${build_seconds}s, tests ${test_seconds}s${fuzz_note}, total $((SECONDS - total_start))s"
exit "$status"
