// Opens N legacy HTTP+SSE sessions (GET /mcp/{token}/sse) and keeps them idle,
// for measuring what an open session costs the edge.
//
//   node sse_idle.mjs --url http://127.0.0.1:8080/mcp/<token>/sse --count 10000 --hold 5
//
// Opens them `--parallel` at a time, waits until every stream has received its
// `endpoint` event, prints "SSE_READY {...}" and holds them `--hold` seconds
// (the caller samples the edge's RSS meanwhile), then prints "SSE_JSON {...}".
import http from "node:http";

const args = { count: 10000, hold: 5, parallel: 200 };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
for (const k of ["count", "hold", "parallel"]) args[k] = Number(args[k]);
const url = new URL(args.url);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

const open = [];
let failed = 0;
function openOne() {
  return new Promise((resolve) => {
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent,
                           headers: { Accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        failed++;
        res.resume();
        return resolve();
      }
      res.setEncoding("utf8");
      let seen = "";
      const onData = (chunk) => {
        seen += chunk;
        if (seen.includes("event: endpoint")) {
          res.off("data", onData);
          res.on("data", () => {});  // keep-alives
          open.push(res);
          resolve();
        }
      };
      res.on("data", onData);
    });
    req.on("error", () => { failed++; resolve(); });
    req.setTimeout(30000, () => { failed++; req.destroy(); resolve(); });
  });
}

const started = Date.now();
let next = 0;
async function lane() {
  while (next < args.count) {
    next++;
    await openOne();
  }
}
await Promise.all(Array.from({ length: args.parallel }, lane));
console.log("SSE_READY " + JSON.stringify({ open: open.length, failed, open_ms: Date.now() - started }));
await new Promise((r) => setTimeout(r, args.hold * 1000));
const stillOpen = open.filter((res) => !res.destroyed && !res.complete).length;
console.log("SSE_JSON " + JSON.stringify({ requested: args.count, open: open.length, still_open: stillOpen, failed }));
for (const res of open) res.destroy();
process.exit(0);
