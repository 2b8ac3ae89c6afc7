#!/usr/bin/env bash
# Configures (once) and builds the project in Release into build/, using every
# core. Re-running only rebuilds what changed; generated protobuf code is
# regenerated only when a .proto changes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
start=$SECONDS
cmake --build "$BUILD_DIR" --parallel "$(nproc)" "$@"
echo "build: done in $((SECONDS - start))s ($BUILD_DIR)"
