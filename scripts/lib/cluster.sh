#!/usr/bin/env bash
# Starts and stops a local caspio-mcp cluster: Redis (unix socket, AOF), the
# Caspio sandbox, toolgen, token, proxy and edge, all on loopback. Sourced by
# scripts/up.sh, scripts/down.sh and the end-to-end tests.
#
#   source scripts/lib/cluster.sh
#   cluster_start "$RUN_DIR"            # needs BIN_DIR, SOURCE_DIR; optional EDGE_LISTEN, USE_SANDBOX=0,
#                                       # {SANDBOX,TOKEN,EDGE}_EXTRA_FLAGS
#   cluster_register_account "$RUN_DIR" # registers the sandbox (or CASPIO_URL/…) and mints an MCP server
#   cluster_stop "$RUN_DIR"             # stops exactly the processes recorded in $RUN_DIR/pids
#
# Every wait is bounded; a failure prints the log of the process at fault.

CLUSTER_WAIT_SECONDS="${CLUSTER_WAIT_SECONDS:-30}"

_cluster_fail() {
  echo "cluster: $*" >&2
  return 1
}

_cluster_random() { head -c "$1" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }

# _cluster_wait_port_file FILE PID NAME LOG -> echoes the port
_cluster_wait_port_file() {
  local file=$1 pid=$2 name=$3 log=$4 deadline=$((SECONDS + CLUSTER_WAIT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -s "$file" ]; then
      cat "$file"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "cluster: $name exited during startup; its log:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "cluster: $name did not start within ${CLUSTER_WAIT_SECONDS}s; its log:" >&2
  tail -n 40 "$log" >&2
  return 1
}

# _cluster_spawn RUN_DIR NAME CMD... : starts CMD in the background, records its pid.
_cluster_spawn() {
  local run_dir=$1 name=$2
  shift 2
  "$@" >>"$run_dir/logs/$name.log" 2>&1 &
  local pid=$!
  echo "$name $pid" >>"$run_dir/pids"
  echo "$pid"
}

_cluster_secret() {
  local file=$1 bytes=$2 prefix=${3:-}
  if [ ! -s "$file" ]; then
    (umask 077 && printf '%s%s' "$prefix" "$(_cluster_random "$bytes")" >"$file")
  fi
}

cluster_start() {
  local run_dir=$1
  : "${BIN_DIR:?BIN_DIR must name the directory with the built binaries}"
  : "${SOURCE_DIR:?SOURCE_DIR must name the repository root}"
  local edge_listen="${EDGE_LISTEN:-127.0.0.1:0}"
  local use_sandbox="${USE_SANDBOX:-1}"
  mkdir -p "$run_dir/logs" "$run_dir/secrets" "$run_dir/redis"
  chmod 700 "$run_dir/secrets"
  : >"$run_dir/pids"
  rm -f "$run_dir"/*.port

  _cluster_secret "$run_dir/secrets/pepper" 48
  _cluster_secret "$run_dir/secrets/session-key" 48
  _cluster_secret "$run_dir/secrets/cursor-key" 48
  _cluster_secret "$run_dir/secrets/admin-token" 32 "cmcp_"
  if [ ! -s "$run_dir/secrets/encryption-key" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$run_dir/secrets/encryption-key")
  fi

  # Redis on a unix socket: no port to race for, not reachable from the network.
  local redis_sock="$run_dir/redis/redis.sock" pid
  rm -f "$redis_sock"
  pid=$(_cluster_spawn "$run_dir" redis redis-server --port 0 --unixsocket "$redis_sock" --unixsocketperm 700 \
        --dir "$run_dir/redis" --appendonly yes --save "" --daemonize no)
  local deadline=$((SECONDS + CLUSTER_WAIT_SECONDS))
  until [ -S "$redis_sock" ] && redis-cli -s "$redis_sock" ping >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$run_dir/logs/redis.log" >&2; _cluster_fail "redis-server exited"; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { _cluster_fail "redis-server did not start"; return 1; }
    sleep 0.05
  done

  if [ "$use_sandbox" = 1 ]; then
    pid=$(_cluster_spawn "$run_dir" sandbox "$BIN_DIR/caspio-sandbox" --listen=127.0.0.1:0 \
          --port-file="$run_dir/sandbox.port" --client-id=sandbox-client --client-secret=sandbox-secret ${SANDBOX_EXTRA_FLAGS:-})
    SANDBOX_PORT=$(_cluster_wait_port_file "$run_dir/sandbox.port" "$pid" sandbox "$run_dir/logs/sandbox.log") || return 1
    SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
    SANDBOX_CLIENT_ID=sandbox-client
    SANDBOX_CLIENT_SECRET=sandbox-secret
  fi

  pid=$(_cluster_spawn "$run_dir" toolgen "$BIN_DIR/toolgen" --listen=127.0.0.1:0 --port-file="$run_dir/toolgen.port" \
        --admin-port-file="$run_dir/toolgen-admin.port" --integration-dir="$SOURCE_DIR/integrations/caspio")
  TOOLGEN_PORT=$(_cluster_wait_port_file "$run_dir/toolgen.port" "$pid" toolgen "$run_dir/logs/toolgen.log") || return 1

  pid=$(_cluster_spawn "$run_dir" token "$BIN_DIR/token" --listen=127.0.0.1:0 --port-file="$run_dir/token.port" \
        --admin-port-file="$run_dir/token-admin.port" --redis-address="unix:$redis_sock" \
        --pepper-file="$run_dir/secrets/pepper" --encryption-key-file="$run_dir/secrets/encryption-key" \
        --bootstrap-admin-token-file="$run_dir/secrets/admin-token" --toolgen-address="127.0.0.1:$TOOLGEN_PORT" \
        --allow-loopback-base-urls="${ALLOW_LOOPBACK_BASE_URLS:-true}" ${TOKEN_EXTRA_FLAGS:-})
  TOKEN_PORT=$(_cluster_wait_port_file "$run_dir/token.port" "$pid" token "$run_dir/logs/token.log") || return 1

  pid=$(_cluster_spawn "$run_dir" proxy "$BIN_DIR/proxy" --listen=127.0.0.1:0 --port-file="$run_dir/proxy.port" \
        --admin-port-file="$run_dir/proxy-admin.port" --token-address="127.0.0.1:$TOKEN_PORT" \
        --cursor-key-file="$run_dir/secrets/cursor-key")
  PROXY_PORT=$(_cluster_wait_port_file "$run_dir/proxy.port" "$pid" proxy "$run_dir/logs/proxy.log") || return 1

  pid=$(_cluster_spawn "$run_dir" edge "$BIN_DIR/edge" --listen="$edge_listen" --port-file="$run_dir/edge.port" \
        --token-address="127.0.0.1:$TOKEN_PORT" --toolgen-address="127.0.0.1:$TOOLGEN_PORT" \
        --proxy-address="127.0.0.1:$PROXY_PORT" --session-key-file="$run_dir/secrets/session-key" ${EDGE_EXTRA_FLAGS:-})
  EDGE_PORT=$(_cluster_wait_port_file "$run_dir/edge.port" "$pid" edge "$run_dir/logs/edge.log") || return 1
  EDGE_URL="http://127.0.0.1:$EDGE_PORT"
  ADMIN_TOKEN=$(cat "$run_dir/secrets/admin-token")

  # Ready means the edge answers /readyz (all backends reachable).
  deadline=$((SECONDS + CLUSTER_WAIT_SECONDS))
  until curl -fsS "$EDGE_URL/readyz" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { _cluster_fail "edge never became ready"; return 1; }
    sleep 0.05
  done
  export EDGE_URL ADMIN_TOKEN SANDBOX_URL SANDBOX_CLIENT_ID SANDBOX_CLIENT_SECRET
}

# _cluster_admin METHOD PATH [JSON] -> prints the response body; fails on HTTP >= 400.
_cluster_admin() {
  local method=$1 path=$2 body=${3:-}
  local out status
  out=$(mktemp)
  if [ -n "$body" ]; then
    status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$EDGE_URL$path" \
      -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' --data "$body")
  else
    status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$EDGE_URL$path" -H "Authorization: Bearer $ADMIN_TOKEN")
  fi
  if [ "$status" -ge 400 ]; then
    echo "cluster: $method $path failed with HTTP $status: $(cat "$out")" >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

# Reads one top-level string field from a JSON object on stdin (no jq needed).
_cluster_json_field() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined)process.exit(1);console.log(v)})' "$1"
}

# Registers the Caspio account (the sandbox, or CASPIO_URL/CASPIO_CLIENT_ID/
# CASPIO_CLIENT_SECRET) and creates an MCP server; sets ACCOUNT_ID, MCP_URL, MCP_SSE_URL.
cluster_register_account() {
  local run_dir=$1
  local url="${CASPIO_URL:-$SANDBOX_URL}" id="${CASPIO_CLIENT_ID:-$SANDBOX_CLIENT_ID}"
  local secret="${CASPIO_CLIENT_SECRET:-$SANDBOX_CLIENT_SECRET}" name="${ACCOUNT_NAME:-Caspio sandbox}"
  local body account server
  body=$(node -e 'console.log(JSON.stringify({integration:"caspio",name:process.argv[1],credentials:{base_url:process.argv[2],client_id:process.argv[3],client_secret:process.argv[4]}}))' \
         "$name" "$url" "$id" "$secret")
  account=$(_cluster_admin POST /integrated-account "$body") || return 1
  ACCOUNT_ID=$(echo "$account" | _cluster_json_field id) || return 1
  server=$(_cluster_admin POST "/integrated-account/$ACCOUNT_ID/mcp" \
           "{\"name\":\"${SERVER_NAME:-local demo}\",\"config\":${SERVER_CONFIG:-{\}}}") || return 1
  MCP_URL=$(echo "$server" | _cluster_json_field url) || return 1
  MCP_TOKEN=$(echo "$server" | _cluster_json_field token) || return 1
  MCP_SSE_URL="$EDGE_URL/mcp/$MCP_TOKEN/sse"
  export ACCOUNT_ID MCP_URL MCP_SSE_URL
}

cluster_write_env() {
  local run_dir=$1
  (umask 077 && cat >"$run_dir/env" <<ENV
EDGE_URL=$EDGE_URL
MCP_URL=$MCP_URL
MCP_SSE_URL=$MCP_SSE_URL
ADMIN_TOKEN=$ADMIN_TOKEN
SANDBOX_URL=${SANDBOX_URL:-}
SANDBOX_CLIENT_ID=${SANDBOX_CLIENT_ID:-}
SANDBOX_CLIENT_SECRET=${SANDBOX_CLIENT_SECRET:-}
ACCOUNT_ID=$ACCOUNT_ID
ENV
  )
}

# Stops exactly the processes this run started (recorded in $RUN_DIR/pids):
# whatever a test added (a load balancer, more edge replicas) first, then edge
# so clients see a clean refusal, Redis last.
cluster_stop() {
  local run_dir=$1
  [ -f "$run_dir/pids" ] || return 0
  local known=" edge proxy token toolgen sandbox redis " name pid order
  order="$(awk -v k="$known" 'index(k, " " $1 " ") == 0 {print $1}' "$run_dir/pids" | awk '!seen[$0]++' | tr '\n' ' ')$known"
  for name in $order; do
    pid=$(awk -v n="$name" '$1==n {print $2}' "$run_dir/pids" | tail -n 1)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  local deadline=$((SECONDS + 15))
  for name in $order; do
    pid=$(awk -v n="$name" '$1==n {print $2}' "$run_dir/pids" | tail -n 1)
    [ -n "$pid" ] || continue
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$run_dir/pids"
}
