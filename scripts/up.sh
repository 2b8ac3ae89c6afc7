#!/usr/bin/env bash
# Builds caspio-mcp and runs it locally: Redis, the Caspio sandbox (seeded demo
# data) and the four services on loopback; registers the sandbox as an
# integrated account, mints an MCP server and prints its URL with client
# configs. Foreground until Ctrl-C; --detach returns after printing and writes
# .run/env (stop with scripts/down.sh).
#
#   scripts/up.sh [--detach] [--port N] [--caspio-url URL --client-id ID --client-secret S]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR="$ROOT/.run"
DETACH=0
EDGE_PORT_WANTED=${EDGE_PORT:-8080}
CASPIO_URL="" CASPIO_CLIENT_ID="" CASPIO_CLIENT_SECRET=""

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}
while [ $# -gt 0 ]; do
  case "$1" in
    --detach) DETACH=1 ;;
    --port) EDGE_PORT_WANTED=${2:?--port needs a number}; shift ;;
    --caspio-url) CASPIO_URL=${2:?--caspio-url needs a URL}; shift ;;
    --client-id) CASPIO_CLIENT_ID=${2:?--client-id needs a value}; shift ;;
    --client-secret) CASPIO_CLIENT_SECRET=${2:?--client-secret needs a value}; shift ;;
    -h|--help) usage 0 ;;
    *) echo "up.sh: unknown argument $1" >&2; usage 2 ;;
  esac
  shift
done
if [ -n "$CASPIO_URL" ] && { [ -z "$CASPIO_CLIENT_ID" ] || [ -z "$CASPIO_CLIENT_SECRET" ]; }; then
  echo "up.sh: --caspio-url needs --client-id and --client-secret" >&2
  exit 2
fi

if [ -f "$RUN_DIR/pids" ] && [ -s "$RUN_DIR/pids" ]; then
  echo "up.sh: a cluster from an earlier run may still be up; stopping it first (scripts/down.sh)"
  "$ROOT/scripts/down.sh"
fi

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh" --target edge token toolgen proxy caspio-sandbox caspio-mcp
"$ROOT/scripts/build-console.sh"

export BIN_DIR="$ROOT/build/bin" SOURCE_DIR="$ROOT"
# shellcheck source=lib/cluster.sh
source "$ROOT/scripts/lib/cluster.sh"

# Bind the requested port if it is free, otherwise any free port.
if (exec 3<>"/dev/tcp/127.0.0.1/$EDGE_PORT_WANTED") 2>/dev/null; then
  echo "up.sh: port $EDGE_PORT_WANTED is taken; using a free port instead"
  EDGE_LISTEN="127.0.0.1:0"
else
  EDGE_LISTEN="127.0.0.1:$EDGE_PORT_WANTED"
fi
export EDGE_LISTEN
# The operator console and the admin API's OpenAPI document (keep flags the user set).
export EDGE_EXTRA_FLAGS="${EDGE_EXTRA_FLAGS:-} --console-dir=$ROOT/build/console --openapi-file=$ROOT/docs/openapi.json"
if [ -n "$CASPIO_URL" ]; then
  export USE_SANDBOX=0 ALLOW_LOOPBACK_BASE_URLS=false CASPIO_URL CASPIO_CLIENT_ID CASPIO_CLIENT_SECRET
  export ACCOUNT_NAME="Caspio ($CASPIO_URL)"
fi

mkdir -p "$RUN_DIR"
if ! cluster_start "$RUN_DIR" || ! cluster_register_account "$RUN_DIR"; then
  cluster_stop "$RUN_DIR"
  echo "up.sh: startup failed; logs are in $RUN_DIR/logs" >&2
  exit 1
fi
cluster_write_env "$RUN_DIR"

cat <<MSG

caspio-mcp is up.

  MCP URL:     $MCP_URL
  Console:     $EDGE_URL/console/   (sign in with ADMIN_TOKEN from .run/env)
  Admin API:   $EDGE_URL   (Authorization: Bearer \$ADMIN_TOKEN, see .run/env; $EDGE_URL/openapi.json)
  CLI:         build/bin/caspio-mcp servers list   (reads .run/env)
  Sandbox:     ${SANDBOX_URL:-(not started: using $CASPIO_URL)}
  Logs:        $RUN_DIR/logs/

Claude Desktop (claude_desktop_config.json), through mcp-remote:
  {"mcpServers": {"caspio": {"command": "npx", "args": ["-y", "mcp-remote", "$MCP_URL"]}}}

ChatGPT (Settings -> Connectors -> Add custom connector), Cursor (~/.cursor/mcp.json):
  {"mcpServers": {"caspio": {"url": "$MCP_URL"}}}
  (a connector hosted elsewhere needs the URL reachable from there: set EDGE public URL and listen address)

MCP Inspector (Node >= 22.19):
  npx @modelcontextprotocol/inspector --cli $MCP_URL --method tools/call \\
      --tool-name list_all_caspio_records --tool-arg table_name=Inventory

The URL is a secret: anyone holding it can use the tools it exposes.
MSG

if [ "$DETACH" = 1 ]; then
  echo "Detached. Variables are in $RUN_DIR/env; stop with scripts/down.sh"
  exit 0
fi
trap 'echo; echo "stopping..."; cluster_stop "$RUN_DIR"; exit 0' INT TERM
echo "Running in the foreground; Ctrl-C stops everything."
while true; do
  if ! kill -0 "$(awk '$1=="edge"{print $2}' "$RUN_DIR/pids")" 2>/dev/null; then
    echo "up.sh: edge exited; see $RUN_DIR/logs/edge.log" >&2
    cluster_stop "$RUN_DIR"
    exit 1
  fi
  sleep 1
done
