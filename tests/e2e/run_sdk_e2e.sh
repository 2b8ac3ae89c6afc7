#!/usr/bin/env bash
# ctest entry: starts a whole local cluster (Redis, sandbox, toolgen, token,
# proxy, edge) in a temp dir, mints an MCP server through the admin API, and
# runs the official TypeScript SDK client against it over Streamable HTTP and
# the legacy HTTP+SSE transport, and mcp-remote as Claude Desktop runs it.
# Stops everything on exit.
set -euo pipefail
SOURCE_DIR=${CMCP_SOURCE_DIR:?}
BIN_DIR=${CMCP_BIN_DIR:?}
export SOURCE_DIR BIN_DIR
RUN_DIR=$(mktemp -d /tmp/cmcp-e2e-XXXXXX)
# shellcheck source=../../scripts/lib/cluster.sh
source "$SOURCE_DIR/scripts/lib/cluster.sh"
cleanup() {
  local rc=$?
  cluster_stop "$RUN_DIR"
  if [ "$rc" -ne 0 ]; then
    for f in "$RUN_DIR"/logs/*.log; do echo "--- $f"; tail -n 30 "$f"; done
  fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
cluster_start "$RUN_DIR"
cluster_register_account "$RUN_DIR"
cd "$SOURCE_DIR/tests/e2e"
node sdk_client_e2e.mjs "$MCP_URL"
# Legacy HTTP+SSE, progress, list_changed after an admin PATCH, DELETE.
EDGE_URL="$EDGE_URL" ADMIN_TOKEN="$ADMIN_TOKEN" ACCOUNT_ID="$ACCOUNT_ID" node sdk_transports_e2e.mjs "$MCP_URL"
# mcp-remote over stdio, as Claude Desktop runs it.
node mcp_remote_e2e.mjs "$MCP_URL"

# No service log line may contain the URL token, the admin token or the Caspio secret.
leaks=0
for secret in "$MCP_TOKEN" "$ADMIN_TOKEN" "$SANDBOX_CLIENT_SECRET"; do
  for svc in edge token toolgen proxy; do
    if grep -qF -- "$secret" "$RUN_DIR/logs/$svc.log"; then
      echo "FAIL a secret appears in the $svc log"
      leaks=1
    fi
  done
done
[ "$leaks" = 0 ] && echo "ok   no token, admin token or Caspio secret in any service log"
[ "$(wc -l <"$RUN_DIR/logs/edge.log")" -gt 5 ] && echo "ok   the edge logged the session (the scan was not of empty logs)"
exit "$leaks"
