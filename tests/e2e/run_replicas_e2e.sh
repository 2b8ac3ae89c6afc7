#!/usr/bin/env bash
# ctest entry: two edge replicas behind a local nginx that round-robins every
# request (no sticky sessions), then the official SDK client, a legacy SSE
# session and raw HTTP through nginx (replicas_e2e.mjs). nginx's access log
# records which replica answered each request, so the test can prove the
# requests of one session really alternated.
set -euo pipefail
SOURCE_DIR=${CMCP_SOURCE_DIR:?}
BIN_DIR=${CMCP_BIN_DIR:?}
export SOURCE_DIR BIN_DIR
command -v nginx >/dev/null || { echo "FAIL nginx is missing: scripts/install-deps.sh installs nginx-light"; exit 1; }
RUN_DIR=$(mktemp -d /tmp/cmcp-replicas-XXXXXX)
# shellcheck source=../../scripts/lib/cluster.sh
source "$SOURCE_DIR/scripts/lib/cluster.sh"
cleanup() {
  local rc=$?
  cluster_stop "$RUN_DIR"
  if [ "$rc" -ne 0 ]; then
    for f in "$RUN_DIR"/logs/*.log "$RUN_DIR"/nginx/error.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

# The sandbox's fault API lets the test slow Caspio down for the cancellation check.
SANDBOX_EXTRA_FLAGS=--enable-faults cluster_start "$RUN_DIR"

# A second edge replica: same backends, same session key, its own port.
pid=$(_cluster_spawn "$RUN_DIR" edge-b "$BIN_DIR/edge" --listen=127.0.0.1:0 --port-file="$RUN_DIR/edge-b.port" \
      --token-address="127.0.0.1:$TOKEN_PORT" --toolgen-address="127.0.0.1:$TOOLGEN_PORT" \
      --proxy-address="127.0.0.1:$PROXY_PORT" --session-key-file="$RUN_DIR/secrets/session-key")
EDGE_B_PORT=$(_cluster_wait_port_file "$RUN_DIR/edge-b.port" "$pid" edge-b "$RUN_DIR/logs/edge-b.log")
deadline=$((SECONDS + 30))
until curl -fsS "http://127.0.0.1:$EDGE_B_PORT/readyz" >/dev/null 2>&1; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "FAIL edge-b never became ready"; exit 1; }
  sleep 0.05
done

# nginx on a free port (it cannot report a port of its own choosing), retried
# if another process takes the port in between.
mkdir -p "$RUN_DIR/nginx"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
for attempt in 1 2 3; do
  LB_PORT=$(free_port)
  cat >"$RUN_DIR/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $RUN_DIR/nginx/nginx.pid;
error_log $RUN_DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path $RUN_DIR/nginx/body;
  proxy_temp_path $RUN_DIR/nginx/proxy;
  fastcgi_temp_path $RUN_DIR/nginx/fastcgi;
  uwsgi_temp_path $RUN_DIR/nginx/uwsgi;
  scgi_temp_path $RUN_DIR/nginx/scgi;
  log_format replica '\$request_method \$uri \$status \$upstream_addr';
  access_log $RUN_DIR/nginx/access.log replica;
  upstream edges {
    server 127.0.0.1:$EDGE_PORT;
    server 127.0.0.1:$EDGE_B_PORT;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://edges;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 120s;
      proxy_next_upstream off;
    }
  }
}
NGINX
  pid=$(_cluster_spawn "$RUN_DIR" nginx nginx -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf")
  deadline=$((SECONDS + 15))
  until curl -fsS "http://127.0.0.1:$LB_PORT/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || break
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.05
  done
  curl -fsS "http://127.0.0.1:$LB_PORT/readyz" >/dev/null 2>&1 && break
  kill "$pid" 2>/dev/null || true
  [ "$attempt" -lt 3 ] || { echo "FAIL nginx did not start"; cat "$RUN_DIR/nginx/error.log"; exit 1; }
done
LB_URL="http://127.0.0.1:$LB_PORT"

cluster_register_account "$RUN_DIR"
# The handed-out URL names edge A; clients use the load balancer instead.
MCP_LB_URL="$LB_URL${MCP_URL#"$EDGE_URL"}"

cd "$SOURCE_DIR/tests/e2e"
LB_URL="$LB_URL" ADMIN_TOKEN="$ADMIN_TOKEN" ACCOUNT_ID="$ACCOUNT_ID" SANDBOX_URL="$SANDBOX_URL" \
  ACCESS_LOG="$RUN_DIR/nginx/access.log" REPLICAS="127.0.0.1:$EDGE_PORT 127.0.0.1:$EDGE_B_PORT" \
  EDGE_LOGS="$RUN_DIR/logs/edge.log $RUN_DIR/logs/edge-b.log" \
  node replicas_e2e.mjs "$MCP_LB_URL"
