// End-to-end: the official MCP TypeScript SDK client over the legacy HTTP+SSE
// transport (2024-11-05) and the session features of Streamable HTTP that a
// plain request/response check does not reach: progress notifications,
// notifications/tools/list_changed when the operator changes the server's
// config, and session termination (DELETE).
//   EDGE_URL=… ADMIN_TOKEN=… ACCOUNT_ID=… node sdk_transports_e2e.mjs <MCP_URL>
// Prints one line per check and a summary with counts; exits 1 on any failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const url = process.argv[2];
const { EDGE_URL, ADMIN_TOKEN, ACCOUNT_ID } = process.env;
if (!url || !EDGE_URL || !ADMIN_TOKEN || !ACCOUNT_ID) {
  console.error("usage: EDGE_URL=… ADMIN_TOKEN=… ACCOUNT_ID=… node sdk_transports_e2e.mjs <MCP_URL>");
  process.exit(2);
}
const sseUrl = new URL(url.replace(/\/mcp$/, "/sse"));

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
// Resolves with the value once `probe()` returns truthy; undefined after `ms`.
async function eventually(probe, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}
async function admin(method, path, body) {
  const r = await fetch(EDGE_URL + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}
async function pageAll(client, args, limit) {
  const seen = [];
  let cursor;
  for (let i = 0; i < 50; i++) {
    const r = await client.callTool({
      name: "list_all_caspio_records",
      arguments: { ...args, limit, ...(cursor ? { next_cursor: cursor } : {}) },
    });
    if (r.isError) return { error: r };
    seen.push(...r.structuredContent.result.map((row) => row.PK_ID));
    cursor = r.structuredContent.next_cursor;
    if (!cursor) return { seen, pages: i + 1 };
  }
  return { error: "more than 50 pages" };
}

// The SDK runs notification handlers a microtask later than response
// handlers, so when a progress notification and the result arrive in one TCP
// read (a loaded machine), the result removes the progress handler first and
// the SDK reports the notification through onerror instead. Both mean the
// server sent progress for that token.
function progressSeen(client, list) {
  const dropped = [];
  client.onerror = (e) => {
    const m = /progress notification for an unknown token: (.*)$/.exec(String(e?.message ?? e));
    if (m) dropped.push(JSON.parse(m[1]).params);
  };
  return () => list.length + dropped.length;
}

// --- Legacy HTTP+SSE (2024-11-05): GET /mcp/{token}/sse, POST to the endpoint it names.
const sseClient = new Client({ name: "caspio-mcp-e2e-sse", version: "1.0.0" });
const sseListChanged = [];
sseClient.setNotificationHandler(ToolListChangedNotificationSchema, (n) => sseListChanged.push(n));
await sseClient.connect(new SSEClientTransport(sseUrl));
check("sse: initialize over the legacy transport", sseClient.getServerVersion()?.name === "caspio-mcp", sseClient.getServerVersion());
await sseClient.ping();
check("sse: ping answers", true);
const sseTools = (await sseClient.listTools()).tools;
check("sse: tools/list includes list_all_caspio_records", sseTools.some((t) => t.name === "list_all_caspio_records"));
const ssePage = await sseClient.callTool({
  name: "list_all_caspio_records",
  arguments: { table_name: "Inventory", "q.where": "Category = 'Hardware'", limit: 2 },
});
check("sse: tools/call returns the first Hardware rows", ssePage.isError === false &&
      ssePage.structuredContent?.result?.map((r) => r.SKU).join(",") === "INV-001,INV-003", ssePage.structuredContent);
const sseAll = await pageAll(sseClient, { table_name: "Inventory" }, 7);
check("sse: paging visits every Inventory row exactly once", sseAll.seen && sseAll.seen.length >= 25 &&
      new Set(sseAll.seen).size === sseAll.seen.length && sseAll.pages > 1, sseAll);
const sseProgress = [];
const sseProgressCount = progressSeen(sseClient, sseProgress);
const sseWithProgress = await sseClient.callTool(
  { name: "list_all_caspio_records", arguments: { table_name: "Inventory", limit: 1 } }, undefined,
  { onprogress: (p) => sseProgress.push(p) });
check("sse: progress notifications come with the call", sseWithProgress.isError === false && sseProgressCount() >= 1 &&
      sseProgress.every((p, i) => i === 0 || p.progress > sseProgress[i - 1].progress), sseProgress);
const sseBad = await sseClient.callTool({ name: "list_all_caspio_records", arguments: { table_name: "NoSuchTable" } });
check("sse: a Caspio error is an isError result", sseBad.isError === true, sseBad);
let sseUnknown;
await sseClient.callTool({ name: "no_such_tool", arguments: {} }).catch((e) => { sseUnknown = e; });
check("sse: an unknown tool is a JSON-RPC error", /Unknown tool/.test(String(sseUnknown)), String(sseUnknown));

// --- Streamable HTTP session features.
const client = new Client({ name: "caspio-mcp-e2e-features", version: "1.0.0" });
const listChanged = [];
client.setNotificationHandler(ToolListChangedNotificationSchema, (n) => listChanged.push(n));
const transport = new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);
check("http: the server declares tools.listChanged", client.getServerCapabilities()?.tools?.listChanged === true,
      client.getServerCapabilities());
const progress = [];
const progressCount = progressSeen(client, progress);
const withProgress = await client.callTool(
  { name: "list_all_caspio_records", arguments: { table_name: "Inventory", limit: 3 } }, undefined,
  { onprogress: (p) => progress.push(p) });
check("http: progress notifications come with the call", withProgress.isError === false && progressCount() >= 1 &&
      progress.every((p) => typeof p.progress === "number"), progress);
const before = (await client.listTools()).tools.map((t) => t.name);
check("http: the unscoped server lists write tools", before.includes("update_a_caspio_record_by_id") && before.length > 30, before.length);

// The operator narrows the server to reads: both live sessions hear about it
// on their GET stream, and the next tools/list is the narrower one.
const servers = await admin("GET", `/integrated-account/${ACCOUNT_ID}/mcp`);
const server = servers.body?.result?.find((s) => url.includes(s.id)) ?? servers.body?.result?.[0];
const patched = await admin("PATCH", `/integrated-account/${ACCOUNT_ID}/mcp/${server?.id}`, { config: { methods: ["read"] } });
check("admin: PATCH narrows the server to read methods", patched.status === 200, patched);
check("http: notifications/tools/list_changed arrives on the session's stream", await eventually(() => listChanged.length > 0),
      listChanged);
check("sse: notifications/tools/list_changed arrives on the legacy stream", await eventually(() => sseListChanged.length > 0),
      sseListChanged);
const after = (await client.listTools()).tools;
check("http: tools/list now has only read tools", after.length > 0 && after.length < before.length &&
      after.every((t) => t.annotations?.readOnlyHint === true), after.map((t) => t.name));
let hidden;
await client.callTool({ name: "update_a_caspio_record_by_id", arguments: { table_name: "Inventory", "q.where": "1=1" } })
  .catch((e) => { hidden = e; });
check("http: a tool the new config hides cannot be called", /Unknown tool/.test(String(hidden)), String(hidden));
const sseAfter = (await sseClient.listTools()).tools;
check("sse: tools/list on the legacy session is narrowed too", sseAfter.length === after.length, sseAfter.length);
await admin("PATCH", `/integrated-account/${ACCOUNT_ID}/mcp/${server?.id}`, { config: {} });

// DELETE ends the session: the same session id is 404 afterwards.
const sessionId = transport.sessionId;
await transport.terminateSession();
const afterDelete = await fetch(url, {
  method: "POST",
  headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
             "Mcp-Session-Id": sessionId, "MCP-Protocol-Version": "2025-11-25" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
});
check("http: a deleted session id is 404", afterDelete.status === 404, afterDelete.status);
await client.close();
await sseClient.close();

console.log(`\nsdk_transports_e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
