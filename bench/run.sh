#!/usr/bin/env bash
# Measures caspio-mcp against the direct Caspio call (the sandbox, the floor)
# and a public Node peer (@ivotoby/openapi-mcp-server serving the same Caspio
# OpenAPI spec against the same sandbox), on this machine, in one run.
#
#   bench/run.sh [--duration 10] [--connections "16 64 256"] [--sse-sessions 10000] [--no-readme]
#                [--only "closed paced sse"]
#
# --only runs some of the three parts (closed loop, paced, idle SSE); such a
# partial run prints its numbers and writes bench/results/<date>-<parts>.jsonl
# but no report and no README table.
#
# The cluster (and the peer) run on one CPU, the load generators on another
# (taskset), so they do not steal each other's cycles. Writes
# bench/results/<date>.md with a PNG plot beside it and, unless --no-readme,
# replaces the table between the bench markers in README.md.
#
# Scenarios, each at every connection count, closed loop (a connection sends
# its next request when the answer arrives):
#   direct_get           wrk: GET the 10-row page straight from the sandbox (the floor)
#   tools_list           wrk: tools/list through the cluster
#   call_list            wrk: tools/call list_all_caspio_records, limit 10
#   call_update          wrk: tools/call update_a_caspio_record_by_id on one row
#   call_list_nodelg     mcp_loadgen.mjs: the same call_list through the cluster
#   peer_call_list       mcp_loadgen.mjs: the same call through the peer
# wrk cannot measure the peer (it answers tools/call with 202 and sends the
# result on the session's GET stream), so both the peer and our cluster are
# also driven by bench/loadgen/mcp_loadgen.mjs; p99 is compared only between
# runs of the same load generator. Then, at 64 connections with a 200 ms
# pause between requests (about 300 calls/s, a fifth of what the cluster
# sustains on one CPU), direct_get and call_list again, whose latency
# difference is what the gateway adds to a Caspio call; and the same call
# straight at proxy over gRPC (as edge sends it), which call_list_paced
# exceeds by what the edge adds.
# Last, N idle legacy SSE sessions held open against one edge, and its RSS.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=10
CONNECTIONS="16 64 256"
SSE_SESSIONS=10000
UPDATE_README=1
PARTS="closed paced sse"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --sse-sessions) SSE_SESSIONS=$2; shift 2 ;;
    --no-readme) UPDATE_README=0; shift ;;
    --only) PARTS=$2; shift 2 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
done

# --- dependencies: the project's own, gnuplot for the plot, the peer from npm.
"$ROOT/scripts/install-deps.sh"
if ! command -v gnuplot >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null
fi
"$ROOT/scripts/build.sh" >/dev/null
PEER_DIR="$ROOT/bench/peer"
want=$(sha256sum "$PEER_DIR/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$PEER_DIR/node_modules/.cmcp-lock-sha256" 2>/dev/null)" != "$want" ]; then
  (cd "$PEER_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$PEER_DIR/node_modules/.cmcp-lock-sha256"
fi

# --- CPUs: the cluster on the first, load generators on the second.
mapfile -t CPUS < <(awk -F, '{for (i = 1; i <= NF; i++) {split($i, r, "-"); for (c = r[1]; c <= (r[2] == "" ? r[1] : r[2]); c++) print c}}' \
                    /sys/devices/system/cpu/online)
if [ "${#CPUS[@]}" -lt 2 ]; then
  echo "bench: needs at least 2 CPUs to keep the load generator off the cluster's CPU" >&2
  exit 1
fi
CLUSTER_CPU=${CPUS[0]}
LOAD_CPU=${CPUS[1]}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((SSE_SESSIONS + 1000)) ]; then
  echo "bench: open-file limit $(ulimit -n) is too low for $SSE_SESSIONS SSE sessions" >&2
  exit 1
fi

export SOURCE_DIR="$ROOT" BIN_DIR="${BIN_DIR:-$ROOT/build/bin}"
RUN_DIR=$(mktemp -d /tmp/cmcp-bench-XXXXXX)
# shellcheck source=../scripts/lib/cluster.sh
source "$ROOT/scripts/lib/cluster.sh"
PEER_PID=""
cleanup() {
  [ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null || true
  cluster_stop "$RUN_DIR"
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

# Quotas on (their Redis round trip is part of every call) but out of reach,
# and room for the idle-session test.
EDGE_EXTRA_FLAGS="--server-rate-limit=1000000000/1m --account-rate-limit=1000000000/1m --max-streams-per-server=$((SSE_SESSIONS + 100))" \
  cluster_start "$RUN_DIR" >/dev/null
cluster_register_account "$RUN_DIR" >/dev/null
MCP_PATH=${MCP_URL#"$EDGE_URL"}
SSE_URL="$EDGE_URL${MCP_PATH%/mcp}/sse"

# The peer, on the cluster's CPU, with a bearer token for the sandbox.
CASPIO_TOKEN=$(curl -fsS -d "grant_type=client_credentials&client_id=$SANDBOX_CLIENT_ID&client_secret=$SANDBOX_CLIENT_SECRET" \
               "$SANDBOX_URL/oauth/token" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')
PEER_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
taskset -c "$CLUSTER_CPU" node "$PEER_DIR/node_modules/@ivotoby/openapi-mcp-server/bin/mcp-server.js" \
  --transport http --host 127.0.0.1 --port "$PEER_PORT" --api-base-url "$SANDBOX_URL/integrations/rest" \
  --openapi-spec "$ROOT/integrations/caspio/openapi/caspio-rest-v3-openapi-2026-06-29.json" \
  --headers "Authorization:Bearer $CASPIO_TOKEN" >"$RUN_DIR/logs/peer.log" 2>&1 &
PEER_PID=$!
deadline=$((SECONDS + 30))
until grep -q "listening" "$RUN_DIR/logs/peer.log" 2>/dev/null; do
  kill -0 "$PEER_PID" 2>/dev/null || { cat "$RUN_DIR/logs/peer.log"; echo "bench: the peer did not start" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "bench: the peer did not start in 30 s" >&2; exit 1; }
  sleep 0.1
done
PEER_URL="http://127.0.0.1:$PEER_PORT/mcp"

# Pin every cluster process (all threads) to the cluster's CPU.
declare -A PIDS
while read -r name pid; do
  PIDS[$name]=$pid
  taskset -a -pc "$CLUSTER_CPU" "$pid" >/dev/null
done <"$RUN_DIR/pids"
PIDS[peer]=$PEER_PID
GATEWAY="edge token toolgen proxy redis"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
snapshot() {
  local name out=""
  for name in "${!PIDS[@]}"; do out+="$name=$(ticks "${PIDS[$name]}") "; done
  echo "$out"
}
CLK_TCK=$(getconf CLK_TCK)
RESULTS="$RUN_DIR/results.jsonl"
: >"$RESULTS"

# record SCENARIO LOADGEN CONNECTIONS PACE_MS BEFORE AFTER OUTPUT
record() {
  local scenario=$1 lg=$2 conns=$3 pace=$4 before=$5 after=$6 output=$7 name rss="" cpu=""
  local line
  line=$(grep -E '^(WRK|LOADGEN|GRPC)_JSON ' <<<"$output" | tail -n 1 | cut -d' ' -f2-)
  [ -n "$line" ] || { echo "bench: $scenario/$conns printed no result:"; echo "$output"; exit 1; } >&2
  for name in "${!PIDS[@]}"; do
    local b a
    b=$(tr ' ' '\n' <<<"$before" | awk -F= -v n="$name" '$1==n {print $2}')
    a=$(tr ' ' '\n' <<<"$after" | awk -F= -v n="$name" '$1==n {print $2}')
    cpu+="\"$name\":$(awk -v a="$a" -v b="$b" -v t="$CLK_TCK" 'BEGIN {printf "%.3f", (a - b) / t}'),"
    rss+="\"$name\":$(rss_kb "${PIDS[$name]}"),"
  done
  echo "{\"scenario\":\"$scenario\",\"loadgen\":\"$lg\",\"connections\":$conns,\"pace_ms\":$pace,\"result\":$line,\"cpu_s\":{${cpu%,}},\"rss_kb\":{${rss%,}}}" >>"$RESULTS"
  node -e 'const r=JSON.parse(process.argv[1]).result; console.log(`  ${process.argv[2].padEnd(18)} c=${process.argv[3].padStart(3)} ${(r.requests/r.duration_us*1e6).toFixed(0).padStart(7)} req/s  p50 ${(r.p50_us/1000).toFixed(2)} ms  p99 ${(r.p99_us/1000).toFixed(2)} ms  ok ${r.ok}/${r.requests}`)' \
    "$(tail -n 1 "$RESULTS")" "$scenario" "$conns"
}

# wrk_run SCENARIO CONNECTIONS PACE_MS SCRIPT URL [ENV=VALUE...]
wrk_run() {
  local scenario=$1 conns=$2 pace=$3 script=$4 url=$5 before after output
  shift 5
  # A short warm-up (connections, sessions, caches) that is not measured.
  env "$@" PACE_MS="$pace" taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d2s --timeout 10s -s "$script" "$url" >/dev/null
  before=$(snapshot)
  output=$(env "$@" PACE_MS="$pace" taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s -s "$script" "$url")
  after=$(snapshot)
  record "$scenario" wrk "$conns" "$pace" "$before" "$after" "$output"
}

# wait_line FILE TEXT PID: until FILE has a line TEXT (or PID exits).
wait_line() {
  until grep -qx "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.01
  done
}

# node_run SCENARIO CONNECTIONS URL CALL_JSON
node_run() {
  local scenario=$1 conns=$2 url=$3 call=$4 before="" after="" out="$RUN_DIR/loadgen.out" pid
  # CPU is sampled exactly around the measured window, which the load
  # generator announces on stdout (after its sessions and a 2 s warm-up).
  taskset -c "$LOAD_CPU" node "$ROOT/bench/loadgen/mcp_loadgen.mjs" --url "$url" --connections "$conns" \
    --duration "$DURATION" --warmup 2 --call "$call" >"$out" 2>&1 &
  pid=$!
  wait_line "$out" MEASURING "$pid" && before=$(snapshot)
  wait_line "$out" MEASURED "$pid" && after=$(snapshot)
  wait "$pid" || true
  [ -n "$after" ] || { echo "bench: $scenario/$conns: the load generator failed:"; cat "$out"; exit 1; } >&2
  record "$scenario" node "$conns" 0 "$before" "$after" "$(cat "$out")"
}

# grpc_run SCENARIO CONNECTIONS PACE_MS TOOL ARGUMENTS: ProxyService.CallTool
# straight at proxy (bench/loadgen/grpc_proxy_load.cc), i.e. the call without edge.
grpc_run() {
  local scenario=$1 conns=$2 pace=$3 tool=$4 arguments=$5 before="" after="" out="$RUN_DIR/grpc.out" pid
  taskset -c "$LOAD_CPU" "$BIN_DIR/grpc_proxy_load" --proxy "127.0.0.1:$PROXY_PORT" --toolgen "127.0.0.1:$TOOLGEN_PORT" \
    --account "$ACCOUNT_ID" --tool "$tool" --arguments "$arguments" --connections "$conns" --pace-ms "$pace" \
    --duration "$DURATION" --warmup 2 >"$out" 2>&1 &
  pid=$!
  wait_line "$out" MEASURING "$pid" && before=$(snapshot)
  wait_line "$out" MEASURED "$pid" && after=$(snapshot)
  wait "$pid" || true
  [ -n "$after" ] || { echo "bench: $scenario/$conns: grpc_proxy_load failed:"; cat "$out"; exit 1; } >&2
  record "$scenario" grpc "$conns" "$pace" "$before" "$after" "$(cat "$out")"
}

DIRECT_URL="$SANDBOX_URL/integrations/rest/v3/tables/Inventory/records?q.orderBy=PK_ID&q.pageSize=10&q.pageNumber=1&q.getPaginationInfo=true"
LIST_CALL='{"name":"list_all_caspio_records","arguments":{"table_name":"Inventory","limit":10}}'
UPDATE_CALL='{"name":"update_a_caspio_record_by_id","arguments":{"table_name":"Inventory","q.where":"PK_ID = 1","values":{"Quantity":7}}}'
PEER_CALL='{"name":"lst-table-records","arguments":{"tableName":"Inventory","q.orderBy":"PK_ID","q.pageSize":10,"q.pageNumber":1,"q.getPaginationInfo":true}}'
rpc() { echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-{\}}}"; }

part() { [[ " $PARTS " == *" $1 "* ]]; }

echo "bench: cluster on CPU $CLUSTER_CPU, load generators on CPU $LOAD_CPU, ${DURATION}s per run"
part closed && for c in $CONNECTIONS; do
  wrk_run direct_get "$c" 0 "$ROOT/bench/wrk/get.lua" "$DIRECT_URL" AUTHORIZATION="Bearer $CASPIO_TOKEN"
  wrk_run tools_list "$c" 0 "$ROOT/bench/wrk/mcp.lua" "$EDGE_URL$MCP_PATH" MCP_PATH="$MCP_PATH" MCP_BODY="$(rpc tools/list)"
  wrk_run call_list "$c" 0 "$ROOT/bench/wrk/mcp.lua" "$EDGE_URL$MCP_PATH" MCP_PATH="$MCP_PATH" MCP_BODY="$(rpc tools/call "$LIST_CALL")"
  wrk_run call_update "$c" 0 "$ROOT/bench/wrk/mcp.lua" "$EDGE_URL$MCP_PATH" MCP_PATH="$MCP_PATH" MCP_BODY="$(rpc tools/call "$UPDATE_CALL")"
  node_run call_list_nodelg "$c" "$MCP_URL" "$LIST_CALL"
  node_run peer_call_list "$c" "$PEER_URL" "$PEER_CALL"
done
if part paced; then
  echo "bench: paced (64 connections, 200 ms between requests on average): what the gateway adds to one Caspio call"
  wrk_run direct_get_paced 64 200 "$ROOT/bench/wrk/get.lua" "$DIRECT_URL" AUTHORIZATION="Bearer $CASPIO_TOKEN"
  wrk_run call_list_paced 64 200 "$ROOT/bench/wrk/mcp.lua" "$EDGE_URL$MCP_PATH" MCP_PATH="$MCP_PATH" MCP_BODY="$(rpc tools/call "$LIST_CALL")"
  grpc_run proxy_call_list_paced 64 200 list_all_caspio_records '{"table_name":"Inventory","limit":10}'
fi

if part sse; then
  echo "bench: $SSE_SESSIONS idle legacy SSE sessions on one edge"
  kill "$PEER_PID" 2>/dev/null || true
  PEER_PID=""
  unset 'PIDS[peer]'
  edge_before=$(rss_kb "${PIDS[edge]}")
  taskset -c "$LOAD_CPU" node "$ROOT/bench/loadgen/sse_idle.mjs" --url "$SSE_URL" --count "$SSE_SESSIONS" --hold 5 \
    >"$RUN_DIR/sse.out" 2>&1 &
  sse_pid=$!
  until grep -q '^SSE_READY ' "$RUN_DIR/sse.out" 2>/dev/null; do
    kill -0 "$sse_pid" 2>/dev/null || { cat "$RUN_DIR/sse.out"; echo "bench: sse_idle failed" >&2; exit 1; }
    sleep 0.05
  done
  edge_held=$(rss_kb "${PIDS[edge]}")
  wait "$sse_pid" || true
  ready=$(grep '^SSE_READY ' "$RUN_DIR/sse.out")
  held=$(grep '^SSE_JSON ' "$RUN_DIR/sse.out")
  echo "{\"scenario\":\"sse_idle\",\"edge_rss_before_kb\":$edge_before,\"edge_rss_held_kb\":$edge_held,\"ready\":${ready#SSE_READY },\"held\":${held#SSE_JSON }}" >>"$RESULTS"
  echo "  edge RSS ${edge_before} kB idle, ${edge_held} kB holding: $ready"
fi

# --- report
DATE=$(date -u +%Y-%m-%d)
if [ "$PARTS" != "closed paced sse" ]; then
  cp "$RESULTS" "$ROOT/bench/results/$DATE-${PARTS// /-}.jsonl"
  echo "bench: partial run ($PARTS), wrote bench/results/$DATE-${PARTS// /-}.jsonl"
  exit 0
fi
OUT="$ROOT/bench/results/$DATE.md"
META=$(node -e 'console.log(JSON.stringify({date:process.argv[1],duration_s:+process.argv[2],cluster_cpu:process.argv[3],load_cpu:process.argv[4],
  cpu_model:require("os").cpus()[0].model,kernel:require("os").release(),commit:process.argv[5]}))' \
  "$DATE" "$DURATION" "$CLUSTER_CPU" "$LOAD_CPU" "$(git -C "$ROOT" rev-parse --short HEAD)")
cp "$RESULTS" "$ROOT/bench/results/$DATE.jsonl"
node "$ROOT/bench/report.mjs" "$RESULTS" "$META" "$OUT" "$ROOT/bench/results/$DATE.png" "$([ "$UPDATE_README" = 1 ] && echo "$ROOT/README.md")"
echo "bench: wrote $OUT"
