// A closed-loop MCP load generator that works with any Streamable HTTP server:
// one session per connection (initialize, notifications/initialized), one GET
// stream held open per session, then tools/call in a loop. The answer is
// taken wherever the server puts it: a JSON body, an SSE body on the POST, or
// (after 202 Accepted) an event on the session's GET stream, which is what
// @ivotoby/openapi-mcp-server does and why wrk cannot measure that server.
//
//   node mcp_loadgen.mjs --url http://127.0.0.1:8080/mcp --connections 64 --duration 10 \
//     --call '{"name":"list_all_caspio_records","arguments":{"table_name":"Inventory","limit":10}}'
//
// Prints "MEASURING" and "MEASURED" around the measured window (so the caller
// can sample CPU exactly then) and "LOADGEN_JSON {...}" (same fields as
// bench/wrk/*.lua) on stdout.
import http from "node:http";

function parseArgs(argv) {
  const out = { connections: 16, duration: 10, warmup: 1, pace: 0 };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    out[key] = argv[i + 1];
  }
  for (const k of ["connections", "duration", "warmup", "pace"]) out[k] = Number(out[k]);
  if (!out.url || !out.call) throw new Error("--url and --call are required");
  out.call = JSON.parse(out.call);
  return out;
}

const opts = parseArgs(process.argv);
const target = new URL(opts.url);

function request(agent, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search,
                               method, headers, agent }, (res) => resolve(res));
    req.on("error", reject);
    req.end(body);
  });
}
function readAll(res) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}
// Calls onMessage(json) for every SSE data event of a response stream.
function readSse(res, onMessage) {
  let buffer = "";
  res.setEncoding("utf8");
  res.on("data", (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
      if (data) {
        try { onMessage(JSON.parse(data)); } catch { /* not JSON: ignore */ }
      }
    }
  });
}

class Session {
  constructor() {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.streamAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.pending = new Map();
    this.nextId = 1;
  }
  headers(extra = {}) {
    const h = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...extra };
    if (this.id) h["Mcp-Session-Id"] = this.id;
    if (this.version) h["MCP-Protocol-Version"] = this.version;
    return h;
  }
  async start() {
    const init = { jsonrpc: "2.0", id: 0, method: "initialize",
                   params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "cmcp-loadgen", version: "1" } } };
    const res = await request(this.agent, "POST", this.headers(), JSON.stringify(init));
    this.id = res.headers["mcp-session-id"];
    const text = await readAll(res);
    if (res.statusCode !== 200 || !this.id) throw new Error(`initialize: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    const m = /"protocolVersion":"([^"]+)"/.exec(text);
    this.version = m ? m[1] : "2025-06-18";
    const note = await request(this.agent, "POST", this.headers(), JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    await readAll(note);
    // The session's GET stream: answers to 202-accepted calls arrive here.
    // Some servers send its headers only with the first event, so it is not
    // awaited; a short pause lets the server register it before any call.
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search,
                               method: "GET", agent: this.streamAgent,
                               headers: { Accept: "text/event-stream", "Mcp-Session-Id": this.id,
                                          "MCP-Protocol-Version": this.version } }, (stream) => {
      if (stream.statusCode === 200) readSse(stream, (msg) => this.deliver(msg));
      else stream.resume();
    });
    req.on("error", () => {});
    req.end();
    this.stream = req;
    await new Promise((r) => setTimeout(r, 100));
  }
  deliver(msg) {
    const done = this.pending.get(msg.id);
    if (done && (msg.result !== undefined || msg.error !== undefined)) {
      this.pending.delete(msg.id);
      done(msg);
    }
  }
  call(params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // An answer that never comes is an error, not a stuck connection.
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) resolve({ id, error: { code: -1, message: "no answer in 30 s" } });
      }, 30000);
      this.pending.set(id, (msg) => { clearTimeout(timer); resolve(msg); });
      request(this.agent, "POST", this.headers(), JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params }))
        .then(async (res) => {
          const type = String(res.headers["content-type"] ?? "");
          if (res.statusCode === 202) {
            await readAll(res);  // the answer comes on the GET stream
          } else if (type.startsWith("text/event-stream")) {
            readSse(res, (msg) => this.deliver(msg));
          } else {
            const text = await readAll(res);
            let msg;
            try { msg = JSON.parse(text); } catch { msg = { id, error: { code: -1, message: `HTTP ${res.statusCode}` } }; }
            const done = this.pending.get(id);
            this.pending.delete(id);
            done?.(msg);
          }
        })
        .catch((e) => { this.pending.delete(id); reject(e); });
    });
  }
  close() {
    this.stream?.destroy();
    this.agent.destroy();
    this.streamAgent.destroy();
  }
}

const sessions = [];
for (let i = 0; i < opts.connections; i++) sessions.push(new Session());
await Promise.all(sessions.map((s) => s.start()));

const latencies = [];
const counts = { ok: 0, rpc_errors: 0, tool_errors: 0, http_errors: 0, socket_errors: 0 };
let measuring = false;
let stop = false;
async function worker(s) {
  while (!stop) {
    const t0 = process.hrtime.bigint();
    let msg;
    try {
      msg = await s.call(opts.call);
    } catch {
      if (measuring) counts.socket_errors++;
      continue;
    }
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    if (measuring) {
      latencies.push(us);
      if (msg.error) counts[msg.error.code === -1 ? "http_errors" : "rpc_errors"]++;
      else if (msg.result?.isError) counts.tool_errors++;
      else counts.ok++;
    }
    if (opts.pace > 0) await new Promise((r) => setTimeout(r, opts.pace));
  }
}
const workers = sessions.map((s) => worker(s));
await new Promise((r) => setTimeout(r, opts.warmup * 1000));
console.log("MEASURING");
measuring = true;
const started = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, opts.duration * 1000));
measuring = false;
console.log("MEASURED");
const durationUs = Number(process.hrtime.bigint() - started) / 1000;
stop = true;
await Promise.race([Promise.all(workers), new Promise((r) => setTimeout(r, 5000))]);
for (const s of sessions) s.close();

latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]) : 0);
console.log("LOADGEN_JSON " + JSON.stringify({
  requests: latencies.length, duration_us: Math.round(durationUs), ...counts, inits: opts.connections,
  p50_us: pct(50), p90_us: pct(90), p99_us: pct(99), max_us: Math.round(latencies.at(-1) ?? 0),
}));
process.exit(0);
