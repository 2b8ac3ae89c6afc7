-- wrk script that speaks MCP over Streamable HTTP (JSON responses).
--
-- Each wrk thread initializes one session on its first request and then sends
-- the request in MCP_BODY with that session's Mcp-Session-Id. (wrk has no
-- per-connection hook; a caspio-mcp session is sealed into its id, so any
-- connection may use it, and the one extra initialize per thread is noise.)
--
-- Environment:
--   MCP_PATH   path of the MCP endpoint, e.g. /mcp/<token>/mcp
--   MCP_BODY   the JSON-RPC request to repeat (its id is reused)
--   PACE_MS    optional: pause between a response and the next request on a
--              connection, on average this long (a paced, non-saturating
--              load). Each pause is drawn uniformly from 0.5 to 1.5 times
--              PACE_MS, so the connections drift apart instead of sending in
--              step, and requests arrive spread out as from independent clients.
--
-- done() prints one line "WRK_JSON {...}" with counts and latency
-- percentiles (microseconds) for bench/run.sh.

local path = os.getenv("MCP_PATH")
local body = os.getenv("MCP_BODY")
local pace = tonumber(os.getenv("PACE_MS") or "0")
local init_body = '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",' ..
                  '"capabilities":{},"clientInfo":{"name":"wrk","version":"4"}}}'
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  session = nil
  ok = 0
  rpc_errors = 0
  tool_errors = 0
  http_errors = 0
  inits = 0
end

function request()
  if session == nil then
    inits = inits + 1
    return wrk.format("POST", path, {["Content-Type"] = "application/json",
                                     ["Accept"] = "application/json, text/event-stream"}, init_body)
  end
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
                                   ["Accept"] = "application/json, text/event-stream",
                                   ["Mcp-Session-Id"] = session,
                                   ["MCP-Protocol-Version"] = "2025-11-25"}, body)
end

function response(status, headers, response_body)
  if session == nil then
    if status == 200 then
      session = headers["Mcp-Session-Id"] or headers["mcp-session-id"]
    end
    return
  end
  if status ~= 200 then
    http_errors = http_errors + 1
  elseif string.find(response_body, '"error":{"code":', 1, true) then
    rpc_errors = rpc_errors + 1
  elseif string.find(response_body, '"isError":true', 1, true) then
    tool_errors = tool_errors + 1
  else
    ok = ok + 1
  end
end

if pace > 0 then
  function delay()
    return math.floor(pace * (0.5 + math.random()))
  end
end

function done(summary, latency, requests)
  local t = {ok = 0, rpc_errors = 0, tool_errors = 0, http_errors = 0, inits = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (thread:get(k) or 0)
    end
  end
  io.write(string.format(
      'WRK_JSON {"requests":%d,"duration_us":%d,"ok":%d,"rpc_errors":%d,"tool_errors":%d,"http_errors":%d,' ..
      '"inits":%d,"socket_errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
      summary.requests, summary.duration, t.ok, t.rpc_errors, t.tool_errors, t.http_errors, t.inits,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
