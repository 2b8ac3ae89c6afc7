// End-to-end: MCP sessions through nginx round-robin over two edge replicas
// (run_replicas_e2e.sh sets it up). Streamable HTTP sessions (the official
// SDK client and raw HTTP) and a legacy SSE session keep working while their
// requests alternate between replicas; nginx's access log proves they did.
//   LB_URL=… ADMIN_TOKEN=… ACCOUNT_ID=… SANDBOX_URL=… ACCESS_LOG=… REPLICAS="a b" \
//     node replicas_e2e.mjs <MCP URL through the load balancer>
// Prints one line per check and a summary with counts; exits 1 on any failure.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const url = process.argv[2];
const { LB_URL, ADMIN_TOKEN, ACCOUNT_ID, SANDBOX_URL, ACCESS_LOG, REPLICAS } = process.env;
if (!url || !LB_URL || !ADMIN_TOKEN || !ACCOUNT_ID || !SANDBOX_URL || !ACCESS_LOG || !REPLICAS) {
  console.error("usage: LB_URL=… ADMIN_TOKEN=… ACCOUNT_ID=… SANDBOX_URL=… ACCESS_LOG=… REPLICAS=… node replicas_e2e.mjs <MCP_URL>");
  process.exit(2);
}
const replicas = REPLICAS.split(" ");
const path = new URL(url).pathname;  // /mcp/<token>/mcp
const base = path.replace(/\/mcp$/, "");  // /mcp/<token>

let passed = 0;
let failed = 0;
function check(name, condition, detail) {
  if (condition) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? "" : ": " + JSON.stringify(detail).slice(0, 800)}`);
  }
}
async function eventually(probe, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}
// nginx's access log: "METHOD URI STATUS UPSTREAM" per finished request.
function accessLog() {
  return readFileSync(ACCESS_LOG, "utf8").trim().split("\n").filter(Boolean).map((l) => {
    const [method, uri, status, upstream] = l.split(" ");
    return { method, uri, status: Number(status), upstream };
  });
}
const mark = () => accessLog().length;
const since = (m) => accessLog().slice(m);
const upstreamsOf = (lines) => new Set(lines.map((l) => l.upstream));
async function admin(method, p, body) {
  const r = await fetch(LB_URL + p, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}
const rowsOf = (r) => r.structuredContent?.result ?? [];

check("nginx fronts two distinct edge replicas", replicas.length === 2 && replicas[0] !== replicas[1], replicas);

// --- 1. The SDK over Streamable HTTP: every request may land on either replica.
{
  const client = new Client({ name: "caspio-mcp-e2e-replicas", version: "1.0.0" });
  const listChanged = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, (n) => listChanged.push(n));
  const m = mark();
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const skus = [];
  for (let i = 0; i < 6; i++) {
    const r = await client.callTool({ name: "list_all_caspio_records",
                                      arguments: { table_name: "Inventory", limit: 1, "q.where": `PK_ID = ${i + 1}` } });
    skus.push(r.isError ? `error: ${r.content?.[0]?.text}` : rowsOf(r)[0]?.SKU);
  }
  check("streamable: six tools/call answer correctly", skus.join(",") === "INV-001,INV-002,INV-003,INV-004,INV-005,INV-006", skus);
  const posts = since(m).filter((l) => l.method === "POST" && l.uri === path);
  check("streamable: the session's POSTs were spread over both replicas", upstreamsOf(posts).size === 2 &&
        posts.every((l) => l.status === 200 || l.status === 202), posts);

  // The GET stream lives on one replica; an operator PATCH through the load
  // balancer still reaches it.
  const servers = await admin("GET", `/integrated-account/${ACCOUNT_ID}/mcp`);
  const server = servers.body?.result?.[0];
  const patched = await admin("PATCH", `/integrated-account/${ACCOUNT_ID}/mcp/${server?.id}`, { config: { methods: ["read"] } });
  check("admin through nginx: PATCH the server config", patched.status === 200, patched);
  check("streamable: tools/list_changed reaches the GET stream on whichever replica holds it",
        await eventually(() => listChanged.length > 0), listChanged);
  const tools = (await client.listTools()).tools;
  check("streamable: the next tools/list (any replica) is the narrowed one",
        tools.length > 0 && tools.every((t) => t.annotations?.readOnlyHint === true), tools.length);
  await admin("PATCH", `/integrated-account/${ACCOUNT_ID}/mcp/${server?.id}`, { config: {} });
  await client.close();
}

// --- 2. Legacy HTTP+SSE: the stream is held by one replica; messages posted to
// the other are forwarded to it.
{
  const client = new Client({ name: "caspio-mcp-e2e-replicas-sse", version: "1.0.0" });
  const m = mark();
  await client.connect(new SSEClientTransport(new URL(`${LB_URL}${base}/sse`)));
  const names = [];
  for (let i = 0; i < 6; i++) {
    const r = await client.callTool({ name: "list_all_caspio_records",
                                      arguments: { table_name: "Inventory", limit: 1, "q.where": `PK_ID = ${i + 7}` } });
    names.push(r.isError ? `error: ${r.content?.[0]?.text}` : rowsOf(r)[0]?.PK_ID);
  }
  check("sse: six tools/call answer correctly over the one stream", names.join(",") === "7,8,9,10,11,12", names);
  const posts = since(m).filter((l) => l.method === "POST" && l.uri === `${base}/messages`);
  check("sse: the messages were posted to both replicas", upstreamsOf(posts).size === 2 && posts.every((l) => l.status === 202),
        posts);
  await client.close();
}

// --- 3. Raw Streamable HTTP: cancellation and DELETE across replicas.
const headers = (session) => ({ "Content-Type": "application/json", Accept: "application/json, text/event-stream",
                                "MCP-Protocol-Version": "2025-11-25", ...(session ? { "Mcp-Session-Id": session } : {}) });
async function post(session, message) {
  const r = await fetch(url, { method: "POST", headers: headers(session), body: JSON.stringify(message) });
  return { status: r.status, session: r.headers.get("mcp-session-id"), text: await r.text() };
}
const init = await post(null, { jsonrpc: "2.0", id: 0, method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
const session = init.session;
check("raw: initialize through nginx", init.status === 200 && !!session, init.status);
await post(session, { jsonrpc: "2.0", method: "notifications/initialized" });

// A slow Caspio call on one replica, cancelled by a notification that lands
// on the other: the call ends right away with "Request cancelled".
const slow = await fetch(`${SANDBOX_URL}/__sandbox/faults`, { method: "POST", body: JSON.stringify({ latency_ms: 8000 }) });
check("sandbox: Caspio slowed to 8 s per call", slow.status === 200, slow.status);
let cancelled;
for (let attempt = 0; attempt < 3 && !cancelled; attempt++) {
  const m = mark();
  const started = Date.now();
  const call = post(session, { jsonrpc: "2.0", id: 100 + attempt, method: "tools/call",
                               params: { name: "list_all_caspio_records", arguments: { table_name: "Inventory" } } });
  await new Promise((r) => setTimeout(r, 400));
  await post(session, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 100 + attempt, reason: "test" } });
  const answer = await call;
  const elapsed = Date.now() - started;
  const lines = since(m).filter((l) => l.method === "POST" && l.uri === path);
  const crossed = lines.length === 2 && lines[0].upstream !== lines[1].upstream;
  if (crossed) cancelled = { answer, elapsed, lines };
}
await fetch(`${SANDBOX_URL}/__sandbox/faults`, { method: "DELETE" });
check("raw: the call and its notifications/cancelled landed on different replicas", !!cancelled, cancelled);
check("raw: the cancelled call ended long before Caspio would have answered",
      cancelled && cancelled.elapsed < 6000 && /Request cancelled|-32800/.test(cancelled.answer.text), cancelled);

// DELETE on one replica ends the session on both: the revocation is stored
// before DELETE answers, and the other replica drops its short "not revoked"
// cache on the announcement, which travels Redis pub/sub in well under 300 ms
// (the cache itself lives 500 ms, so without the announcement this fails).
const del = await fetch(url, { method: "DELETE", headers: headers(session) });
const deletedAt = Date.now();
check("raw: DELETE the session", del.status === 200, del.status);
let after;
const m = mark();
await eventually(async () => {
  after = [];
  for (let i = 0; i < 2; i++) after.push((await post(session, { jsonrpc: "2.0", id: 200 + i, method: "tools/list" })).status);
  return after.every((s) => s === 404);
}, 300);
check("raw: the deleted session is 404 on both replicas within 300 ms", after.every((s) => s === 404) &&
      upstreamsOf(since(m).filter((l) => l.method === "POST")).size === 2, { after, ms: Date.now() - deletedAt, log: since(m) });

console.log(`\nreplicas_e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
