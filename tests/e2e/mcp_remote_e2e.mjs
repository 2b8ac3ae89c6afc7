// End-to-end: mcp-remote exactly as Claude Desktop runs it — a child process
// speaking MCP over stdio (`npx -y mcp-remote <MCP URL>`), bridging to the
// cluster — driven by the official SDK's stdio client. Once with the
// handed-out URL (mcp-remote's default http-first strategy, so Streamable
// HTTP), once with the legacy SSE URL and `--transport sse-only`.
//   node mcp_remote_e2e.mjs <MCP_URL>
// Prints one line per check and a summary with counts; exits 1 on any failure.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const url = process.argv[2];
if (!url) {
  console.error("usage: node mcp_remote_e2e.mjs <MCP_URL>");
  process.exit(2);
}

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

const bin = fileURLToPath(new URL("./node_modules/.bin/mcp-remote", import.meta.url));

async function viaMcpRemote(label, args) {
  // mcp-remote keeps OAuth state under ~/.mcp-auth: a throwaway HOME per run.
  const home = mkdtempSync(join(tmpdir(), "cmcp-mcp-remote-"));
  const transport = new StdioClientTransport({ command: bin, args, env: { ...process.env, HOME: home }, stderr: "pipe" });
  let log = "";
  transport.stderr?.on("data", (d) => (log += d));
  const client = new Client({ name: `caspio-mcp-e2e-${label}`, version: "1.0.0" });
  try {
    await client.connect(transport);
    check(`${label}: initialize through mcp-remote`, client.getServerVersion()?.name === "caspio-mcp", client.getServerVersion());
    const tools = (await client.listTools()).tools;
    check(`${label}: tools/list has the Caspio tools`, tools.length >= 30 && tools.some((t) => t.name === "list_all_caspio_records"),
          tools.length);
    const seen = [];
    let cursor;
    let pages = 0;
    for (; pages < 20; pages++) {
      const r = await client.callTool({
        name: "list_all_caspio_records",
        arguments: { table_name: "Inventory", limit: 10, ...(cursor ? { next_cursor: cursor } : {}) },
      });
      if (r.isError) { check(`${label}: paging`, false, r); break; }
      seen.push(...r.structuredContent.result.map((row) => row.SKU));
      cursor = r.structuredContent.next_cursor;
      if (!cursor) break;
    }
    check(`${label}: tools/call pages through every Inventory row exactly once`,
          seen.length >= 25 && new Set(seen).size === seen.length && seen[0] === "INV-001" && pages >= 2, { pages, seen });
    const refused = await client.callTool({
      name: "list_all_caspio_records", arguments: { table_name: "Inventory", "q.where": "1=1; DROP TABLE Inventory" } });
    check(`${label}: a refused q.where comes back as an actionable isError result`,
          refused.isError === true && /q\.where/.test(refused.content?.[0]?.text ?? ""), refused);
  } catch (e) {
    check(`${label}: mcp-remote session`, false, { error: String(e), log: log.slice(-1500) });
  } finally {
    await client.close().catch(() => {});
    rmSync(home, { recursive: true, force: true });
  }
}

await viaMcpRemote("mcp-remote", [url]);
await viaMcpRemote("mcp-remote sse-only", [url.replace(/\/mcp$/, "/sse"), "--transport", "sse-only"]);

console.log(`\nmcp_remote_e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
