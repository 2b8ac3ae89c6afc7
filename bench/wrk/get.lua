-- wrk script for plain GETs (the direct Caspio sandbox call, the floor).
--
-- Environment:
--   AUTHORIZATION  value of the Authorization header
--   PACE_MS        optional pause between a response and the next request, on
--                  average; drawn uniformly from 0.5 to 1.5 times PACE_MS (as
--                  in mcp.lua)
--
-- done() prints "WRK_JSON {...}" in the same shape as mcp.lua.

local auth = os.getenv("AUTHORIZATION")
local pace = tonumber(os.getenv("PACE_MS") or "0")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  http_errors = 0
end

function request()
  return wrk.format("GET", nil, {["Authorization"] = auth, ["Accept"] = "application/json"})
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else http_errors = http_errors + 1 end
end

if pace > 0 then
  function delay()
    return math.floor(pace * (0.5 + math.random()))
  end
end

function done(summary, latency, requests)
  local ok_total, errors_total = 0, 0
  for _, thread in ipairs(threads) do
    ok_total = ok_total + (thread:get("ok") or 0)
    errors_total = errors_total + (thread:get("http_errors") or 0)
  end
  io.write(string.format(
      'WRK_JSON {"requests":%d,"duration_us":%d,"ok":%d,"rpc_errors":0,"tool_errors":0,"http_errors":%d,' ..
      '"inits":0,"socket_errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
      summary.requests, summary.duration, ok_total, errors_total,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
