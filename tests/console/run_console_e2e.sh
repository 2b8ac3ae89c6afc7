#!/usr/bin/env bash
# ctest entry (console_e2e): starts a whole local cluster whose edge serves the
# built console (--console-dir) and the OpenAPI document, then drives the
# console in Debian's chromium with playwright-core (console_e2e.mjs).
# Screenshots land in $CMCP_OUTPUT_DIR/screenshots.
set -euo pipefail
SOURCE_DIR=${CMCP_SOURCE_DIR:?}
BIN_DIR=${CMCP_BIN_DIR:?}
CONSOLE_DIR=${CMCP_CONSOLE_DIR:?}
OUTPUT_DIR=${CMCP_OUTPUT_DIR:?}
export SOURCE_DIR BIN_DIR OUTPUT_DIR
HERE="$SOURCE_DIR/tests/console"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "FAIL chromium is missing: apt-get install chromium (scripts/install-deps.sh)"; exit 1; }
[ -f "$CONSOLE_DIR/index.html" ] || { echo "FAIL no built console in $CONSOLE_DIR: run scripts/build-console.sh --out $CONSOLE_DIR"; exit 1; }
want=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$HERE/node_modules/.cmcp-lock-sha256" 2>/dev/null)" != "$want" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$HERE/node_modules/.cmcp-lock-sha256"
fi

RUN_DIR=$(mktemp -d /tmp/cmcp-console-XXXXXX)
# shellcheck source=../../scripts/lib/cluster.sh
source "$SOURCE_DIR/scripts/lib/cluster.sh"
cleanup() {
  local rc=$?
  cluster_stop "$RUN_DIR"
  if [ "$rc" -ne 0 ]; then for f in "$RUN_DIR"/logs/*.log; do echo "--- $f"; tail -n 20 "$f"; done; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
rm -rf "$OUTPUT_DIR/screenshots"
mkdir -p "$OUTPUT_DIR"
# A 1 s minimum expiry lead lets the test watch a server expire in seconds.
export EDGE_EXTRA_FLAGS="--console-dir=$CONSOLE_DIR --openapi-file=$SOURCE_DIR/docs/openapi.json"
export TOKEN_EXTRA_FLAGS="--min-expiry-lead=1s"
cluster_start "$RUN_DIR"
export EDGE_URL ADMIN_TOKEN SANDBOX_URL SANDBOX_CLIENT_ID SANDBOX_CLIENT_SECRET

start=$SECONDS
node "$HERE/console_e2e.mjs"
echo "browser run: $((SECONDS - start))s"

# The admin token, MCP URLs and the Caspio secret never reach a service log.
leaks=0
for svc in edge token toolgen proxy; do
  for secret in "$ADMIN_TOKEN" "$SANDBOX_CLIENT_SECRET"; do
    if grep -qF -- "$secret" "$RUN_DIR/logs/$svc.log"; then echo "FAIL a secret appears in the $svc log"; leaks=1; fi
  done
  if grep -qE '/mcp/[A-Za-z0-9_-]{43}' "$RUN_DIR/logs/$svc.log"; then echo "FAIL an MCP URL token appears in the $svc log"; leaks=1; fi
done
[ "$leaks" = 0 ] && echo "ok   no admin token, URL token or Caspio secret in any service log"
exit "$leaks"
