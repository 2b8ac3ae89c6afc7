#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration
# (real redis-server, real service binaries) and end-to-end (a whole cluster
# driven by real MCP clients). Prints ctest's counts; exits non-zero on any
# failure.
#
#   scripts/test.sh [ctest args, e.g. -L unit or -R http]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
total_start=$SECONDS

"$ROOT/scripts/install-deps.sh"

build_start=$SECONDS
BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/build.sh"
build_seconds=$((SECONDS - build_start))

# Node packages for the end-to-end tests, exactly as locked.
(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)

test_start=$SECONDS
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)" --timeout 600 "$@" || status=$?
echo "test.sh: build ${build_seconds}s, tests $((SECONDS - test_start))s, total $((SECONDS - total_start))s"
exit "$status"
