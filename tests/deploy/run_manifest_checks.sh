#!/usr/bin/env bash
# Runs a check of this folder (default check_manifests.mjs; or the script and
# arguments given) with this folder's locked npm packages
# (kubernetes-models, yaml). scripts/test.sh installs them with `npm ci`;
# when they are missing or stale (another package-lock.json), this installs
# them the same way first, which is the only step that needs the npm registry.
set -euo pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
want=$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$DIR/node_modules/.cmcp-lock-sha256" 2>/dev/null)" != "$want" ]; then
  echo "run_manifest_checks: installing the locked npm packages of tests/deploy"
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$DIR/node_modules/.cmcp-lock-sha256"
fi
script=${1:-check_manifests.mjs}
shift || true
exec node "$DIR/$script" "$@"
