// End-to-end: the official MCP TypeScript SDK client against a running
// caspio-mcp cluster on the seeded Caspio sandbox.
//   node sdk_client_e2e.mjs <MCP_URL>
// Prints one line per check and a summary with counts; exits 1 on any failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.argv[2];
if (!url) {
  console.error("usage: node sdk_client_e2e.mjs <MCP_URL>");
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

const client = new Client({ name: "caspio-mcp-e2e", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);
check("initialize negotiated a session", typeof transport.sessionId === "string" && transport.sessionId.length > 0);
check("server identifies as caspio-mcp", client.getServerVersion()?.name === "caspio-mcp", client.getServerVersion());

await client.ping();
check("ping answers", true);

const { tools } = await client.listTools();
const records = tools.find((t) => t.name === "list_all_caspio_records");
check("tools/list includes list_all_caspio_records", records !== undefined, tools.map((t) => t.name));
check("the records tool has a description", typeof records?.description === "string" && records.description.length > 100);
check("table_name is a required argument", records?.inputSchema?.required?.includes("table_name"), records?.inputSchema);
check("limit and next_cursor are injected", records?.inputSchema?.properties?.limit && records?.inputSchema?.properties?.next_cursor);
check("the cursor argument says to send it back unchanged",
      /without decoding, modifying or parsing it/.test(records?.inputSchema?.properties?.next_cursor?.description ?? ""));
check("the records tool is annotated read-only", records?.annotations?.readOnlyHint === true, records?.annotations);

// First page of hardware rows, two at a time.
const args = { table_name: "Inventory", "q.where": "Category = 'Hardware'", limit: 2 };
const page1 = await client.callTool({ name: "list_all_caspio_records", arguments: args });
check("page 1 is not an error", page1.isError === false, page1);
const rows1 = page1.structuredContent?.result ?? [];
check("page 1 has 2 rows", rows1.length === 2, page1.structuredContent);
check("row 1 is INV-001 Widget", rows1[0]?.SKU === "INV-001" && rows1[0]?.Name === "Widget" && rows1[0]?.InStock === true, rows1[0]);
check("row 2 is INV-003 O'Brien Bracket (Hardware, PK_ID order)", rows1[1]?.SKU === "INV-003" && rows1[1]?.Name === "O'Brien Bracket", rows1[1]);
check("every row is Hardware", rows1.every((r) => r.Category === "Hardware"), rows1);
check("text content mirrors the structured result", JSON.parse(page1.content[0].text).result.length === 2);
const cursor = page1.structuredContent?.next_cursor;
check("page 1 returns a next_cursor", typeof cursor === "string" && cursor.length > 0, page1.structuredContent);

// The next page continues where page 1 stopped, without repeats.
const page2 = await client.callTool({ name: "list_all_caspio_records", arguments: { ...args, next_cursor: cursor } });
const rows2 = page2.structuredContent?.result ?? [];
check("page 2 is not an error", page2.isError === false, page2);
check("page 2 continues in PK_ID order without repeats",
      rows2.length > 0 && rows2[0].PK_ID > rows1[1].PK_ID && rows2.every((r) => r.Category === "Hardware"), rows2);

// Walk all Hardware pages; the union equals a single big page.
let all = [...rows1];
let next = cursor;
for (let i = 0; next && i < 50; i++) {
  const page = await client.callTool({ name: "list_all_caspio_records", arguments: { ...args, next_cursor: next } });
  all = all.concat(page.structuredContent.result);
  next = page.structuredContent.next_cursor;
}
const whole = await client.callTool({ name: "list_all_caspio_records",
                                      arguments: { table_name: "Inventory", "q.where": "Category = 'Hardware'", limit: 1000 } });
check("paging visits every row exactly once",
      JSON.stringify(all.map((r) => r.PK_ID)) === JSON.stringify(whole.structuredContent.result.map((r) => r.PK_ID)),
      { paged: all.map((r) => r.PK_ID), whole: whole.structuredContent.result.map((r) => r.PK_ID) });
check("the last page has no next_cursor", whole.structuredContent.next_cursor === undefined, whole.structuredContent);

// A quote inside text, escaped T-SQL style.
const obrien = await client.callTool({ name: "list_all_caspio_records",
                                       arguments: { table_name: "Inventory", "q.where": "Name = 'O''Brien Bracket'" } });
check("'' escapes a quote in q.where", obrien.structuredContent?.result?.length === 1 &&
      obrien.structuredContent.result[0].SKU === "INV-003", obrien);

// Refused before any upstream call, naming the argument.
const stacked = await client.callTool({ name: "list_all_caspio_records",
                                        arguments: { table_name: "Inventory", "q.where": "1=1; DROP TABLE Inventory" } });
check("a stacked statement in q.where is refused", stacked.isError === true && /q\.where/.test(stacked.content[0].text), stacked);
const missing = await client.callTool({ name: "list_all_caspio_records", arguments: {} });
check("a missing table_name is refused by name", missing.isError === true && /table_name/.test(missing.content[0].text), missing);
const tampered = await client.callTool({ name: "list_all_caspio_records",
                                         arguments: { ...args, "q.where": "Category = 'Electronics'", next_cursor: cursor } });
check("a cursor reused with another filter is refused", tampered.isError === true && /next_cursor/.test(tampered.content[0].text), tampered);

// Caspio's own error reaches the model with its Code.
const badField = await client.callTool({ name: "list_all_caspio_records",
                                         arguments: { table_name: "Inventory", "q.where": "NoSuchField = 1" } });
check("a Caspio error comes back as isError with its Code", badField.isError === true &&
      /SqlServerError/.test(badField.content[0].text), badField);
const noTable = await client.callTool({ name: "list_all_caspio_records", arguments: { table_name: "NoSuchTable" } });
check("an unknown table is an isError result", noTable.isError === true, noTable);

// An unknown tool is a JSON-RPC error.
let unknownError;
try {
  await client.callTool({ name: "drop_all_caspio_tables", arguments: {} });
} catch (e) {
  unknownError = e;
}
check("an unknown tool is refused", unknownError !== undefined && /Unknown tool/.test(String(unknownError)), String(unknownError));

await client.close();

// The canonical endpoint of SPEC §4, /mcp/{token}, serves the same server.
const shortUrl = new URL(url.replace(/\/mcp$/, ""));
check("the handed-out URL ends in /mcp", url.endsWith("/mcp") && shortUrl.pathname.split("/").length === 3, url.replace(/mcp\/[^/]+/, "mcp/<token>"));
const client2 = new Client({ name: "caspio-mcp-e2e-short", version: "1.0.0" });
await client2.connect(new StreamableHTTPClientTransport(shortUrl));
const tools2 = await client2.listTools();
check("/mcp/{token} serves the same tools", tools2.tools.some((t) => t.name === "list_all_caspio_records"));
await client2.close();

console.log(`\nsdk_client_e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
