// The operator console in a real browser: playwright-core drives Debian's
// chromium (headless) through sign-in -> connect an account -> create an MCP
// server with a checked tool preview -> copy the URL -> use it (initialize,
// tools/list, tools/call over Streamable HTTP) -> find that call in the audit
// log (the account's tab and the server's own link: row, arguments, filters,
// errors, Load more) -> set its expiry -> delete it;
// then a second server with an API token and a 3 s expiry that stops working
// on time. One screenshot per screen goes to $OUTPUT_DIR/screenshots.
//
//   EDGE_URL=... ADMIN_TOKEN=... SANDBOX_URL=... OUTPUT_DIR=... node console_e2e.mjs
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const { EDGE_URL, ADMIN_TOKEN, SANDBOX_URL, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, OUTPUT_DIR } = process.env;
for (const [k, v] of Object.entries({ EDGE_URL, ADMIN_TOKEN, SANDBOX_URL, OUTPUT_DIR })) {
  if (!v) throw new Error(`${k} must be set`);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = join(OUTPUT_DIR, 'screenshots');
mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
const check = (name, ok, detail) => {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? '' : `: ${JSON.stringify(detail).slice(0, 600)}`}`);
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, fn, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// --- the admin API and MCP, straight from Node, to check what the console shows
async function admin(method, path, body) {
  const r = await fetch(EDGE_URL + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}
async function mcp(url, message, { session, headers = {} } = {}) {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
      ...(session ? { 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' } : {}), ...headers,
    },
    body: JSON.stringify(message),
  });
  const text = await r.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    const data = text.split('\n').find((l) => l.startsWith('data:'));
    if (data) body = JSON.parse(data.slice(5));
  }
  return { status: r.status, session: r.headers.get('mcp-session-id'), requestId: r.headers.get('x-request-id'), body };
}
async function mcpSession(url, headers = {}) {
  const init = await mcp(url, {
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'console-e2e', version: '1' } },
  }, { headers });
  if (init.status !== 200) return { init };
  await mcp(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { session: init.session, headers });
  return { init, call: (id, method, params = {}) => mcp(url, { jsonrpc: '2.0', id, method, params }, { session: init.session, headers }) };
}

// Runs a Claude Desktop snippet the way Claude Desktop does (command, args,
// env), except that `npx -y mcp-remote` is the locally installed, pinned
// mcp-remote; speaks MCP over its stdio: initialize, then tools/list.
async function claudeDesktop(snippetText) {
  const server = Object.values(JSON.parse(snippetText).mcpServers)[0];
  if (server.command !== 'npx' || server.args[0] !== '-y' || server.args[1] !== 'mcp-remote') throw new Error(`unexpected snippet ${snippetText}`);
  const bin = fileURLToPath(new URL('./node_modules/.bin/mcp-remote', import.meta.url));
  const home = mkdtempSync(join(tmpdir(), 'cmcp-mcp-remote-'));
  const child = spawn(bin, server.args.slice(2), { env: { ...process.env, ...(server.env ?? {}), HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const replies = new Map();
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const m = JSON.parse(line);
      if (m.id !== undefined) replies.set(m.id, m);
    } catch { /* not JSON-RPC */ }
  });
  const send = (m) => child.stdin.write(`${JSON.stringify(m)}\n`);
  try {
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'claude-desktop-stand-in', version: '1' } } });
    const init = await waitFor('mcp-remote initialize', async () => replies.get(1), 15_000);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const list = await waitFor('mcp-remote tools/list', async () => replies.get(2), 15_000);
    return { init, tools: (list.result?.tools ?? []).map((t) => t.name).sort(), log };
  } catch (e) {
    return { error: String(e), log: log.slice(-1500) };
  } finally {
    child.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  }
}

const profile = mkdtempSync(join(tmpdir(), 'cmcp-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 860 },
  permissions: ['clipboard-read', 'clipboard-write'],
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(10_000);
const browserErrors = [];
// Intended 4xx answers show up as "Failed to load resource"; anything else
// (a CSP refusal, an exception) is a bug.
page.on('console', (m) => {
  if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of 4')) {
    browserErrors.push(m.text());
  }
});
page.on('pageerror', (e) => browserErrors.push(String(e)));
const requests = [];
page.on('request', (r) => requests.push(r.url()));

let step = 0;
async function shot(name, { fullPage = true } = {}) {
  step++;
  const file = join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await sleep(50);
  await page.screenshot({ path: file, fullPage });
}
const testid = (id) => page.getByTestId(id);

try {
  // --- sign-in
  const first = await page.goto(`${EDGE_URL}/console/`);
  const csp = first.headers()['content-security-policy'] || '';
  check('the console is served with the strict CSP (no inline scripts)', csp.includes("script-src 'self'"), csp);
  await testid('admin-token').waitFor();
  await shot('sign-in');

  await testid('admin-token').fill('cmcp_not-the-right-token');
  await testid('sign-in').click();
  const badSignIn = await testid('error-message').textContent();
  check('a wrong admin token shows the API\'s own message', /token/i.test(badSignIn ?? ''), badSignIn);
  check('the token field is highlighted', await page.locator('[data-field="Authorization"].field-error').count() === 1);
  await shot('sign-in-refused');

  await testid('admin-token').fill(ADMIN_TOKEN);
  await testid('sign-in').click();
  await testid('account-form').waitFor();
  const storage = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
  check('the admin token is kept in memory only (no storage, no cookie)', storage.local === 0 && storage.session === 0 && storage.cookie === '', storage);
  await shot('accounts');

  // --- connect an account: first a refused URL (field highlighted), then the sandbox
  await testid('account-name').fill('Caspio sandbox');
  await testid('account-base-url').fill('ftp://example.com');
  await testid('account-client-id').fill(SANDBOX_CLIENT_ID || 'sandbox-client');
  await testid('account-client-secret').fill(SANDBOX_CLIENT_SECRET || 'sandbox-secret');
  await testid('create-account').click();
  await testid('error-message').waitFor();
  const refused = await testid('error-message').textContent();
  const apiRefusal = await admin('POST', '/integrated-account', { integration: 'caspio', name: 'x',
    credentials: { base_url: 'ftp://example.com', client_id: 'a', client_secret: 'b' } });
  check('a refused base URL shows the API message verbatim', refused === apiRefusal.body.error.message, { refused, api: apiRefusal.body });
  check('credentials.base_url is highlighted', await page.locator('[data-field="credentials.base_url"].field-error').count() === 1,
    await page.locator('.field-error').evaluateAll((els) => els.map((e) => e.getAttribute('data-field'))));
  await shot('account-refused');

  await testid('account-base-url').fill(SANDBOX_URL);
  await testid('create-account').click();
  await testid('new-server').waitFor();
  const accountId = decodeURIComponent(new URL(page.url()).pathname.split('/')[3]);
  check('connecting the account opens its page on the MCP Servers tab',
    (await testid('tab-servers').getAttribute('aria-selected')) === 'true' && (await testid('no-servers').count()) === 1);
  const listed = await admin('GET', '/integrated-account');
  check('the account exists in the API', listed.body.result.some((a) => a.id === accountId), listed.body);
  await shot('account-servers-empty');

  // --- create a server; the preview must be exactly what the tools endpoint says
  await testid('new-server').click();
  await testid('server-form').waitFor();
  const all = await admin('GET', `/integrated-account/${accountId}/tools`);
  await waitFor('the unfiltered preview', async () => (await testid('preview-count').textContent()) === String(all.body.count));
  check('the unfiltered preview counts every tool', true);
  // Tags and methods come from the catalog: tick "read" and one tag of list_all_caspio_records.
  const records = all.body.result.find((t) => t.name === 'list_all_caspio_records');
  check('the catalog has list_all_caspio_records', !!records);
  const tag = records.tags[0];
  const formTags = await page.locator('input[name=tag]').evaluateAll((els) => els.map((e) => e.value));
  const catalogTags = [...new Set(all.body.result.flatMap((t) => t.tags))].sort();
  check('the tag choices are exactly the catalog\'s tags', JSON.stringify(formTags) === JSON.stringify(catalogTags), { formTags, catalogTags });
  await testid('group-read').check();
  await page.locator(`input[name=tag][value="${tag}"]`).check();
  const expected = await admin('GET', `/integrated-account/${accountId}/tools?methods=read&tags=${encodeURIComponent(tag)}`);
  await waitFor('the filtered preview', async () => (await testid('preview-count').textContent()) === String(expected.body.count));
  const previewNames = await page.locator('[data-testid=preview-table] tr[data-tool]').evaluateAll((rows) => rows.map((r) => r.dataset.tool));
  check('the preview lists exactly the tools the filter exposes',
    JSON.stringify(previewNames) === JSON.stringify(expected.body.result.map((t) => t.name)), { previewNames, api: expected.body.result.map((t) => t.name) });
  check('the filtered preview includes list_all_caspio_records', previewNames.includes('list_all_caspio_records'));

  await testid('create-server').click(); // no name yet: the API refuses, naming the field
  await testid('error-message').waitFor();
  check('a missing name is refused with the API message', /name/.test(await testid('error-message').textContent()));
  check('the name field is highlighted', await page.locator('[data-field="name"].field-error').count() >= 1);
  await shot('create-server-refused');

  await testid('server-name').fill('support agent (read-only)');
  await shot('create-server-preview');
  await testid('create-server').click();
  await testid('server-created').waitFor();
  await shot('server-created');

  // --- copy the URL
  const url = await testid('mcp-url').inputValue();
  check('the URL has the documented form <public_url>/mcp/<token>/mcp', new RegExp(`^${EDGE_URL}/mcp/[A-Za-z0-9_-]{43}/mcp$`).test(url), url);
  await testid('copy-url').click();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  check('Copy URL puts exactly the URL on the clipboard', clipboard === url, clipboard);
  const claudeText = await testid('snippet-claude').textContent();
  const claude = JSON.parse(claudeText);
  const claudeArgs = Object.values(claude.mcpServers)[0].args;
  check('the Claude Desktop snippet runs mcp-remote with the URL', JSON.stringify(claudeArgs) === JSON.stringify(['-y', 'mcp-remote', url]), claude);
  await testid('snippet-tab-chatgpt').click();
  check('the ChatGPT snippet names the URL', (await testid('snippet-chatgpt').textContent()).includes(url));
  await shot('server-created-chatgpt');
  await testid('snippet-tab-cursor').click();
  check('the Cursor snippet names the URL', JSON.stringify(Object.values(JSON.parse(await testid('snippet-cursor').textContent()).mcpServers)[0]) === JSON.stringify({ url }));

  // --- use the URL as an MCP client would
  const session = await mcpSession(url);
  check('initialize on the copied URL answers 200 with a session', session.init.status === 200 && !!session.init.session, session.init);
  const tools = await session.call(2, 'tools/list');
  const mcpNames = (tools.body?.result?.tools ?? []).map((t) => t.name).sort();
  check('tools/list on the URL shows exactly the previewed tools', JSON.stringify(mcpNames) === JSON.stringify([...previewNames].sort()), { mcpNames, previewNames });
  const viaClaude = await claudeDesktop(claudeText);
  check('the Claude Desktop snippet works: mcp-remote lists the same tools', JSON.stringify(viaClaude.tools) === JSON.stringify(mcpNames), viaClaude);
  const rows = await session.call(3, 'tools/call', { name: 'list_all_caspio_records', arguments: { table_name: 'Inventory', limit: 2 } });
  check('tools/call list_all_caspio_records reads the sandbox', rows.status === 200 && rows.body?.result && !rows.body.result.isError, rows.body);

  // --- back to the list: the URL is never shown again
  await testid('done').click();
  await testid('servers-table').waitFor();
  const listHtml = await page.content();
  const token = url.split('/')[4];
  check('the servers list never shows the URL token again', !listHtml.includes(token));
  await shot('servers-list');
  const row = page.locator('tr[data-server-name="support agent (read-only)"]');
  const serverId = await row.getAttribute('data-server');

  // --- the audit log: the tools/call above, on the account's "Audit log" tab.
  // The edge batches audit writes (up to ~50 ms, then one RPC): refresh until
  // the entry is there, within a bound.
  const logResults = page.locator('[data-testid=log-results]:not([aria-busy])');
  async function refreshLogUntil(what, locator, timeoutMs = 5_000) {
    await waitFor(what, async () => {
      if (await locator.count()) return true;
      await testid('log-refresh').click();
      await logResults.waitFor();
      return (await locator.count()) > 0;
    }, timeoutMs);
  }
  await testid('tab-log').click();
  await testid('log-filters').waitFor();
  check('the Audit log tab sits next to MCP Servers and is selected',
    (await page.locator('[role=tablist] a.tab').evaluateAll((tabs) => tabs.map((t) => t.dataset.testid))).join() === 'tab-servers,tab-log,tab-tools'
      && (await testid('tab-log').getAttribute('aria-selected')) === 'true');
  const callRow = page.locator('[data-testid=log-row][data-tool=list_all_caspio_records]');
  await refreshLogUntil('the tools/call in the audit log', callRow);
  const cells = await callRow.locator('td').allTextContents();
  check('the audit log row shows the tool name', (await callRow.getByTestId('log-tool').textContent()) === 'list_all_caspio_records', cells);
  check('the audit log row shows status ok', (await callRow.getByTestId('log-status').textContent()) === 'ok' && (await callRow.locator('.badge.ok').count()) === 1, cells);
  check('the row shows the server, the client and the call\'s X-Request-ID',
    cells[1] === 'support agent (read-only)' && cells[6]?.startsWith('console-e2e') && !!rows.requestId && cells[7] === rows.requestId, { cells, requestId: rows.requestId });
  check('the row shows a duration', /^(< 0\.1|\d+(\.\d)?) ms$|^\d+\.\d\d s$/.test(cells[5] ?? ''), cells);
  check('one entry, so no "Load more"', (await testid('log-row').count()) === 1 && (await testid('load-more').count()) === 0
    && /^1 entry/.test(await testid('log-count').textContent()));
  await shot('audit-log');

  await callRow.click();
  const argumentsText = await callRow.locator('xpath=following-sibling::tr[1]').getByTestId('log-arguments').textContent();
  let shownArguments = null;
  try {
    shownArguments = JSON.parse(argumentsText);
  } catch { /* checked below */ }
  check('clicking the row shows its arguments with table_name', argumentsText.includes('table_name') && shownArguments?.table_name === 'Inventory'
    && shownArguments?.limit === 2 && (await callRow.getAttribute('aria-expanded')) === 'true', argumentsText);
  await shot('audit-log-arguments');

  await testid('log-filter-status').selectOption('tool_error');
  await testid('log-apply').click();
  await testid('log-empty').waitFor();
  check('status=tool_error shows the empty state', /no tool call matches these filters/i.test(await testid('log-empty').textContent())
    && (await testid('log-row').count()) === 0 && new URL(page.url()).searchParams.get('status') === 'tool_error', page.url());
  await shot('audit-log-empty');

  // A filter the API refuses (here from the address bar) shows the API's words, its field outlined.
  await page.evaluate((path) => {
    history.pushState(null, '', path);
    dispatchEvent(new PopStateEvent('popstate'));
  }, `/console/accounts/${encodeURIComponent(accountId)}/log?status=bogus`);
  await testid('error-message').waitFor();
  const logRefusal = await admin('GET', `/log?log_type=mcp&integrated_account_id=${encodeURIComponent(accountId)}&status=bogus&limit=50`);
  check('a refused filter shows the API\'s message verbatim', logRefusal.status === 400
    && (await testid('error-message').textContent()) === logRefusal.body?.error?.message, logRefusal.body);
  check('the status filter is outlined', await page.locator('[data-field="status"].field-error').count() === 1);
  await shot('audit-log-refused');

  // The server's own "Audit log" link, and "Load more": 50 more calls (an
  // unknown tool: a JSON-RPC error, no Caspio work) push the first call to page 2.
  for (let i = 0; i < 50; i++) {
    const r = await session.call(100 + i, 'tools/call', { name: 'no_such_tool', arguments: { n: i } });
    if (!r.body?.error) throw new Error(`an unknown tool should be a JSON-RPC error: ${JSON.stringify(r.body)}`);
  }
  await waitFor('51 audit entries for the server', async () =>
    (await admin('GET', `/log?log_type=mcp&mcp_server_id=${encodeURIComponent(serverId)}&limit=100`)).body?.result?.length === 51, 5_000);
  await testid('tab-servers').click();
  await row.getByTestId('server-log').click();
  await testid('log-filters').waitFor();
  const serverLogUrl = new URL(page.url());
  check('a server\'s "Audit log" link opens the log filtered to it', serverLogUrl.pathname === `/console/accounts/${accountId}/log`
    && serverLogUrl.searchParams.get('mcp_server_id') === serverId && (await testid('log-filter-server').inputValue()) === serverId, page.url());
  check('the first page holds 50 entries, newest first, with "Load more"', (await testid('log-row').count()) === 50 && (await testid('load-more').count()) === 1
    && (await page.locator('[data-testid=log-row]').first().getAttribute('data-status')) === 'rpc_error' && (await callRow.count()) === 0);
  const rpcRow = page.locator('[data-testid=log-row]').first();
  check('a JSON-RPC error shows its badge and error code', (await rpcRow.getByTestId('log-status').textContent()) === 'rpc_error'
    && (await rpcRow.locator('td').nth(4).textContent()) === 'unknown_tool', await rpcRow.locator('td').allTextContents());
  await shot('audit-log-server', { fullPage: false });
  await testid('load-more').click();
  await callRow.waitFor();
  check('"Load more" follows next_cursor to the first call and the end of the log', (await testid('log-row').count()) === 51
    && (await testid('load-more').count()) === 0 && /^51 entries — the end of the log/.test(await testid('log-count').textContent()));

  // --- set the expiry (PATCH expires_at)
  await testid('tab-servers').click();
  await testid('servers-table').waitFor();
  await row.getByTestId('set-expiry').click();
  await testid('expiry-dialog').waitFor();
  await testid('expiry-duration').fill('soon');
  await testid('save-expiry').click();
  await testid('expiry-dialog').getByTestId('error-message').waitFor();
  check('an unreadable duration is refused before any request, expiry highlighted',
    await page.locator('[data-testid=expiry-dialog] [data-field="expires_at"].field-error').count() === 1);
  await testid('expiry-duration').fill('1h');
  await shot('set-expiry');
  await testid('save-expiry').click();
  await testid('expiry-dialog').waitFor({ state: 'detached' });
  await waitFor('the new expiry in the row', async () => /in (60 min|1 h)/.test(await row.getByTestId('server-expires').textContent()));
  const patched = await admin('GET', `/integrated-account/${accountId}/mcp/${serverId}`);
  const lead = Date.parse(patched.body.expires_at) - Date.now();
  check('the API now has expires_at about an hour ahead', lead > 3_500_000 && lead <= 3_600_000, patched.body);
  await shot('server-expiring');

  // --- delete it; its URL is 404 at once
  await row.getByTestId('delete-server').click();
  await testid('confirm-dialog').waitFor();
  await shot('delete-server-confirm');
  await testid('confirm').click();
  await testid('no-servers').waitFor();
  // The edge caches a resolved URL for at most 500 ms: deletion reaches live sessions within 1 s.
  let afterDelete;
  await waitFor('the deleted URL to answer 404', async () => {
    afterDelete = await mcp(url, { jsonrpc: '2.0', id: 9, method: 'tools/list' }, { session: session.init.session });
    return afterDelete.status === 404;
  }, 2_000).catch(() => {});
  check('the deleted server\'s URL answers 404 within a second (live session included)', afterDelete.status === 404, afterDelete);
  await shot('servers-after-delete');

  // --- a second server: every tool, API token required, expires in 3 s
  await testid('new-server').click();
  await testid('server-form').waitFor();
  await testid('server-name').fill('short-lived with API token');
  await testid('require-api-token').check();
  await testid('expiry-in').check();
  await testid('expiry-duration').fill('4s');
  await testid('create-server').click();
  await testid('server-created').waitFor();
  const url2 = await testid('mcp-url').inputValue();
  await testid('mint-api-token').click();
  const apiToken = await testid('api-token').inputValue();
  check('minting an MCP client API token shows it once', /^cmcp_/.test(apiToken) || apiToken.length >= 20, apiToken.length);
  const claude2 = JSON.parse(await testid('snippet-claude').textContent());
  check('the snippets now carry the API token header', JSON.stringify(claude2).includes(`Bearer ${apiToken}`), claude2);
  await shot('server-created-api-token');
  const guardedClaude = await claudeDesktop(await testid('snippet-claude').textContent());
  check('the Claude Desktop snippet with the API token header works through mcp-remote', !!guardedClaude.init?.result && guardedClaude.tools?.length > 0,
    guardedClaude);
  const noToken = await mcpSession(url2);
  check('without the API token the URL answers 401', noToken.init.status === 401, noToken.init);
  const withToken = await mcpSession(url2, { Authorization: `Bearer ${apiToken}` });
  check('with the API token the URL works', withToken.init.status === 200, withToken.init);
  await waitFor('the expiry', async () => (await mcp(url2, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    { session: withToken.init.session, headers: { Authorization: `Bearer ${apiToken}` } })).status === 404, 8_000);
  check('after expires_at the URL answers 404', true);

  // --- the Tools tab, then sign-out; a reload does not sign back in
  await testid('done').click();
  await testid('tab-tools').click();
  await testid('tools-table').waitFor();
  check('the Tools tab lists the whole catalog', (await page.locator('[data-testid=tools-table] tr[data-tool]').count()) === all.body.count);
  await shot('tools-tab', { fullPage: false });
  await page.reload();
  await testid('admin-token').waitFor();
  check('a reload signs out (the token was only in memory)', true);
  await testid('admin-token').fill(ADMIN_TOKEN);
  await testid('sign-in').click();
  await testid('tools-table').waitFor();
  check('signing in again returns to the same page', page.url().endsWith(`/console/accounts/${accountId}/tools`), page.url());
  await testid('sign-out').click();
  await testid('admin-token').waitFor();

  const offsite = requests.filter((r) => !r.startsWith(EDGE_URL) && !r.startsWith('data:'));
  check('the console loads nothing from outside the edge', offsite.length === 0, offsite);
  check('no browser errors (CSP violations, exceptions)', browserErrors.length === 0, browserErrors);
} catch (e) {
  failed++;
  console.log(`FAIL ${e.stack || e}`);
  await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
