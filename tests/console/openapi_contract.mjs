// docs/openapi.json against the running edge (a whole local cluster):
//  - the document edge serves at /openapi.json is docs/openapi.json, and every $ref resolves;
//  - every admin route the edge registers (services/edge/admin_api.cc) is documented, and
//    no documented admin route is missing from the edge;
//  - every documented status code of every operation is produced here by a real request,
//    and every response is one the operation documents, with a body that matches its
//    schema and the headers it documents.
// Node only, no packages: a small JSON Schema (2020-12 subset) validator is below.
//
//   EDGE_URL=... ADMIN_TOKEN=... SANDBOX_URL=... SOURCE_DIR=... node openapi_contract.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const { EDGE_URL, ADMIN_TOKEN, SANDBOX_URL, SOURCE_DIR } = process.env;
for (const [k, v] of Object.entries({ EDGE_URL, ADMIN_TOKEN, SANDBOX_URL, SOURCE_DIR })) if (!v) throw new Error(`${k} must be set`);
const doc = JSON.parse(readFileSync(join(SOURCE_DIR, 'docs/openapi.json'), 'utf8'));

let passed = 0;
let failed = 0;
const check = (name, ok, detail) => {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? '' : `: ${JSON.stringify(detail).slice(0, 800)}`}`);
  }
  return ok;
};

// ---------------------------------------------------------------- schemas
function resolve(node) {
  let n = node;
  for (let i = 0; n && n.$ref && i < 20; i++) {
    if (!n.$ref.startsWith('#/')) throw new Error(`external $ref ${n.$ref}`);
    n = n.$ref.slice(2).split('/').reduce((o, k) => (o === undefined ? undefined : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
    if (n === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  }
  return n;
}
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
function validate(schemaIn, value, path = '$', problems = []) {
  const schema = resolve(schemaIn);
  if (schema === true || schema === undefined) return problems;
  if (schema === false) {
    problems.push(`${path}: not allowed`);
    return problems;
  }
  if (schema.type !== undefined) {
    const types = [].concat(schema.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
      problems.push(`${path}: ${t}, want ${types.join('|')}`);
      return problems;
    }
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) problems.push(`${path}: want ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${path}: does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && !(RFC3339.test(value) && !Number.isNaN(Date.parse(value)))) problems.push(`${path}: not an RFC 3339 date-time`);
    if (schema.format === 'uri') {
      try {
        new URL(value);
      } catch {
        problems.push(`${path}: not a URI`);
      }
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => validate(schema.items, v, `${path}[${i}]`, problems));
  if (typeOf(value) === 'object') {
    for (const r of schema.required ?? []) if (!(r in value)) problems.push(`${path}: missing ${r}`);
    const props = schema.properties ?? {};
    for (const [k, v] of Object.entries(value)) {
      if (k in props) validate(props[k], v, `${path}.${k}`, problems);
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected property ${k}`);
      else if (typeof schema.additionalProperties === 'object') validate(schema.additionalProperties, v, `${path}.${k}`, problems);
    }
  }
  for (const s of schema.allOf ?? []) validate(s, value, path, problems);
  if (schema.anyOf && !schema.anyOf.some((s) => validate(s, value, path, []).length === 0)) problems.push(`${path}: matches no anyOf branch`);
  if (schema.oneOf && schema.oneOf.filter((s) => validate(s, value, path, []).length === 0).length !== 1) problems.push(`${path}: must match exactly one oneOf branch`);
  return problems;
}

// ---------------------------------------------------------------- the document itself
const served = await fetch(`${EDGE_URL}/openapi.json`);
check('edge serves docs/openapi.json at /openapi.json', served.status === 200 && JSON.stringify(await served.json()) === JSON.stringify(doc));
check('the document is OpenAPI 3.1', /^3\.1\.\d+$/.test(doc.openapi));
const refs = [];
(function walk(n) {
  if (n && typeof n === 'object') {
    if (typeof n.$ref === 'string') refs.push(n.$ref);
    Object.values(n).forEach(walk);
  }
})(doc);
for (const r of refs) {
  try {
    resolve({ $ref: r });
  } catch (e) {
    check(`$ref ${r} resolves`, false, String(e));
  }
}
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const operations = [];
const ids = new Set();
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of METHODS) {
    if (!item[method]) continue;
    const op = item[method];
    operations.push({ key: `${method.toUpperCase()} ${path}`, path, method, op, item });
    check(`${method.toUpperCase()} ${path} has a unique operationId`, op.operationId && !ids.has(op.operationId), op.operationId);
    ids.add(op.operationId);
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolve);
    for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
      check(`${method.toUpperCase()} ${path} declares path parameter ${name}`, params.some((p) => p.in === 'path' && p.name === name));
    }
  }
}

// ---------------------------------------------------------------- routes in the code vs routes in the document
const source = readFileSync(join(SOURCE_DIR, 'services/edge/admin_api.cc'), 'utf8');
const codeRoutes = [...source.matchAll(/route\("([A-Z]+)",\s*"([^"]+)"/g)].map(([, m, p]) => `${m} ${p}`);
check('admin_api.cc registers routes (the scan works)', codeRoutes.length >= 10, codeRoutes);
const documented = new Set(operations.map((o) => o.key));
for (const r of codeRoutes) check(`edge route ${r} is documented`, documented.has(r));
for (const o of operations.filter((o) => o.op.tags?.includes('Admin API'))) {
  check(`documented admin route ${o.key} exists in the edge`, codeRoutes.includes(o.key));
}

// ---------------------------------------------------------------- requests
async function call(method, path, { body, token = ADMIN_TOKEN, headers = {}, rawBody } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(EDGE_URL + path, { method, headers: h, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await r.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}
const inHours = (h) => new Date(Date.now() + h * 3_600_000).toISOString();
const accountBody = (name) => ({ integration: 'caspio', name, credentials: { base_url: SANDBOX_URL, client_id: 'sandbox-client', client_secret: 'sandbox-secret' } });
const mcpHeaders = { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'openapi-contract', version: '1' } } };

// Fixtures, made through the API itself.
const account = (await call('POST', '/integrated-account', { body: accountBody('contract') })).json;
const server = (await call('POST', `/integrated-account/${account.id}/mcp`, { body: { name: 'contract', config: { methods: ['read'] } } })).json;
const guarded = (await call('POST', `/integrated-account/${account.id}/mcp`, { body: { name: 'guarded', config: { require_api_token_auth: true } } })).json;
const client = (await call('POST', '/api-token', { body: { name: 'contract client', scope: 'mcp_client', account_ids: [account.id] } })).json;
if (!account?.id || !server?.url || !guarded?.url || !client?.token) {
  console.log(`FAIL fixtures could not be created: ${JSON.stringify({ account, server, guarded, client }).slice(0, 600)}`);
  process.exit(1);
}
const A = `/integrated-account/${account.id}`;
const S = `${A}/mcp/${server.id}`;
const nobody = randomUUID();
const mcpPath = (url) => new URL(url).pathname;
const init = await call('POST', mcpPath(server.url), { token: null, headers: mcpHeaders, body: initialize });
const session = init.headers.get('mcp-session-id');

// [operation, expected status, request]; every documented (operation, status) needs one.
const scenarios = [
  ['POST /integrated-account', 201, () => call('POST', '/integrated-account', { body: accountBody('another') })],
  ['POST /integrated-account', 400, () => call('POST', '/integrated-account', { body: { integration: 'caspio', name: 'x', credentials: { base_url: 'ftp://x', client_id: 'a', client_secret: 'b' } } })],
  ['POST /integrated-account', 400, () => call('POST', '/integrated-account', { rawBody: '{', headers: { 'Content-Type': 'application/json' } })],
  ['POST /integrated-account', 401, () => call('POST', '/integrated-account', { body: accountBody('x'), token: null })],
  ['POST /integrated-account', 403, () => call('POST', '/integrated-account', { body: accountBody('x'), token: client.token })],
  ['GET /integrated-account', 200, () => call('GET', '/integrated-account?limit=1')],
  ['GET /integrated-account', 400, () => call('GET', '/integrated-account?limit=0')],
  ['GET /integrated-account', 400, () => call('GET', '/integrated-account?next_cursor=not-a-cursor')],
  ['GET /integrated-account', 401, () => call('GET', '/integrated-account', { token: 'cmcp_wrong' })],
  ['GET /integrated-account', 403, () => call('GET', '/integrated-account', { token: client.token })],
  ['GET /integrated-account/{id}', 200, () => call('GET', A)],
  ['GET /integrated-account/{id}', 401, () => call('GET', A, { token: null })],
  ['GET /integrated-account/{id}', 403, () => call('GET', A, { token: client.token })],
  ['GET /integrated-account/{id}', 404, () => call('GET', `/integrated-account/${nobody}`)],
  ['DELETE /integrated-account/{id}', 200, async () => {
    const doomed = (await call('POST', '/integrated-account', { body: accountBody('doomed') })).json;
    return call('DELETE', `/integrated-account/${doomed.id}`);
  }],
  ['DELETE /integrated-account/{id}', 401, () => call('DELETE', A, { token: null })],
  ['DELETE /integrated-account/{id}', 403, () => call('DELETE', A, { token: client.token })],
  ['DELETE /integrated-account/{id}', 404, () => call('DELETE', `/integrated-account/${nobody}`)],
  ['POST /integrated-account/{id}/mcp', 201, () => call('POST', `${A}/mcp`, { body: { name: 'n', config: { methods: ['read'], tags: [] }, expires_at: inHours(1) } })],
  ['POST /integrated-account/{id}/mcp', 400, () => call('POST', `${A}/mcp`, { body: { name: 'n', expires_at: inHours(-1) } })],
  ['POST /integrated-account/{id}/mcp', 400, () => call('POST', `${A}/mcp`, { body: { name: 'n', config: { tags: ['no-such-tag'] } } })],
  ['POST /integrated-account/{id}/mcp', 400, () => call('POST', `${A}/mcp`, { body: { config: {} } })],
  ['POST /integrated-account/{id}/mcp', 401, () => call('POST', `${A}/mcp`, { body: { name: 'n' }, token: null })],
  ['POST /integrated-account/{id}/mcp', 403, () => call('POST', `${A}/mcp`, { body: { name: 'n' }, token: client.token })],
  ['POST /integrated-account/{id}/mcp', 404, () => call('POST', `/integrated-account/${nobody}/mcp`, { body: { name: 'n' } })],
  ['GET /integrated-account/{id}/mcp', 200, () => call('GET', `${A}/mcp?limit=2`)],
  ['GET /integrated-account/{id}/mcp', 400, () => call('GET', `${A}/mcp?limit=101`)],
  ['GET /integrated-account/{id}/mcp', 401, () => call('GET', `${A}/mcp`, { token: null })],
  ['GET /integrated-account/{id}/mcp', 403, () => call('GET', `${A}/mcp`, { token: client.token })],
  ['GET /integrated-account/{id}/mcp', 404, () => call('GET', `/integrated-account/${nobody}/mcp`)],
  ['GET /integrated-account/{id}/mcp/{mcp_id}', 200, () => call('GET', S)],
  ['GET /integrated-account/{id}/mcp/{mcp_id}', 401, () => call('GET', S, { token: null })],
  ['GET /integrated-account/{id}/mcp/{mcp_id}', 403, () => call('GET', S, { token: client.token })],
  ['GET /integrated-account/{id}/mcp/{mcp_id}', 404, () => call('GET', `${A}/mcp/${nobody}`)],
  ['PATCH /integrated-account/{id}/mcp/{mcp_id}', 200, () => call('PATCH', S, { body: { name: 'renamed', expires_at: null } })],
  ['PATCH /integrated-account/{id}/mcp/{mcp_id}', 200, () => call('PATCH', S, { body: { expires_at: inHours(24) } })],
  ['PATCH /integrated-account/{id}/mcp/{mcp_id}', 400, () => call('PATCH', S, { body: { expires_at: 'tomorrow' } })],
  ['PATCH /integrated-account/{id}/mcp/{mcp_id}', 400, () => call('PATCH', S, { body: { token: 'x' } })],
  ['PATCH /integrated-account/{id}/mcp/{mcp_id}', 401, () => call('PATCH', S, { body: { name: 'x' }, token: null })],
  ['PATCH /integrated-account/{id}/mcp/{mcp_id}', 403, () => call('PATCH', S, { body: { name: 'x' }, token: client.token })],
  ['PATCH /integrated-account/{id}/mcp/{mcp_id}', 404, () => call('PATCH', `${A}/mcp/${nobody}`, { body: { name: 'x' } })],
  ['DELETE /integrated-account/{id}/mcp/{mcp_id}', 200, async () => {
    const doomed = (await call('POST', `${A}/mcp`, { body: { name: 'doomed' } })).json;
    return call('DELETE', `${A}/mcp/${doomed.id}`);
  }],
  ['DELETE /integrated-account/{id}/mcp/{mcp_id}', 401, () => call('DELETE', S, { token: null })],
  ['DELETE /integrated-account/{id}/mcp/{mcp_id}', 403, () => call('DELETE', S, { token: client.token })],
  ['DELETE /integrated-account/{id}/mcp/{mcp_id}', 404, () => call('DELETE', `${A}/mcp/${nobody}`)],
  ['GET /integrated-account/{id}/tools', 200, () => call('GET', `${A}/tools`)],
  ['GET /integrated-account/{id}/tools', 200, () => call('GET', `${A}/tools?methods=read`)],
  ['GET /integrated-account/{id}/tools', 400, () => call('GET', `${A}/tools?tags=no-such-tag`)],
  ['GET /integrated-account/{id}/tools', 401, () => call('GET', `${A}/tools`, { token: null })],
  ['GET /integrated-account/{id}/tools', 403, () => call('GET', `${A}/tools`, { token: client.token })],
  ['GET /integrated-account/{id}/tools', 404, () => call('GET', `/integrated-account/${nobody}/tools`)],
  ['GET /integrated-account/{id}/capabilities', 200, () => call('GET', `${A}/capabilities`)],
  ['GET /integrated-account/{id}/capabilities', 200, () => call('GET', `${A}/capabilities?methods=read&tags=records`)],
  ['GET /integrated-account/{id}/capabilities', 400, () => call('GET', `${A}/capabilities?methods=frobnicate`)],
  ['GET /integrated-account/{id}/capabilities', 401, () => call('GET', `${A}/capabilities`, { token: null })],
  ['GET /integrated-account/{id}/capabilities', 403, () => call('GET', `${A}/capabilities`, { token: client.token })],
  ['GET /integrated-account/{id}/capabilities', 404, () => call('GET', `/integrated-account/${nobody}/capabilities`)],
  ['POST /api-token', 201, () => call('POST', '/api-token', { body: { name: 'admin 2', scope: 'admin' } })],
  ['POST /api-token', 400, () => call('POST', '/api-token', { body: { name: 'x', scope: 'root' } })],
  ['POST /api-token', 401, () => call('POST', '/api-token', { body: { name: 'x' }, token: null })],
  ['POST /api-token', 403, () => call('POST', '/api-token', { body: { name: 'x' }, token: client.token })],
  ['DELETE /api-token/{id}', 200, async () => {
    const doomed = (await call('POST', '/api-token', { body: { name: 'doomed' } })).json;
    return call('DELETE', `/api-token/${doomed.id}`);
  }],
  ['DELETE /api-token/{id}', 400, () => call('DELETE', '/api-token/bootstrap')],
  ['DELETE /api-token/{id}', 401, () => call('DELETE', `/api-token/${client.id}`, { token: null })],
  ['DELETE /api-token/{id}', 403, () => call('DELETE', `/api-token/${client.id}`, { token: client.token })],
  ['DELETE /api-token/{id}', 404, () => call('DELETE', `/api-token/${nobody}`)],
  ['GET /log', 200, () => call('GET', `/log?log_type=mcp&integrated_account_id=${account.id}&limit=5`)],
  ['GET /log', 200, async () => {
    // A tool call, then its audit entry (written just after the answer).
    await call('POST', mcpPath(server.url), { token: null, headers: { ...mcpHeaders, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' }, body: { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_all_caspio_records', arguments: { table_name: 'Inventory', limit: 1 } } } });
    const query = `/log?log_type=mcp&mcp_server_id=${server.id}&tool_name=list_all_caspio_records&status=ok`;
    for (let i = 0; i < 100; i++) {
      const r = await call('GET', query);
      if (r.status !== 200 || r.json?.result?.length) return r;
      await new Promise((done) => setTimeout(done, 50));
    }
    return call('GET', query);
  }],
  ['GET /log', 400, () => call('GET', '/log')],
  ['GET /log', 400, () => call('GET', '/log?log_type=mcp&status=maybe')],
  ['GET /log', 401, () => call('GET', '/log?log_type=mcp', { token: null })],
  ['GET /log', 403, () => call('GET', '/log?log_type=mcp', { token: client.token })],
  ['POST /mcp/{token}/mcp', 200, async () => init],
  ['POST /mcp/{token}/mcp', 200, () => call('POST', mcpPath(server.url), { token: null, headers: { ...mcpHeaders, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' }, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } })],
  ['POST /mcp/{token}/mcp', 202, () => call('POST', mcpPath(server.url), { token: null, headers: { ...mcpHeaders, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' }, body: { jsonrpc: '2.0', method: 'notifications/initialized' } })],
  ['POST /mcp/{token}/mcp', 401, () => call('POST', mcpPath(guarded.url), { token: null, headers: mcpHeaders, body: initialize })],
  ['POST /mcp/{token}/mcp', 200, () => call('POST', mcpPath(guarded.url), { token: client.token, headers: mcpHeaders, body: initialize })],
  ['POST /mcp/{token}/mcp', 403, () => call('POST', mcpPath(server.url), { token: null, headers: { ...mcpHeaders, Origin: 'https://evil.example' }, body: initialize })],
  ['POST /mcp/{token}/mcp', 404, () => call('POST', `/mcp/${'A'.repeat(43)}/mcp`, { token: null, headers: mcpHeaders, body: initialize })],
  ['POST /mcp/{token}/mcp', 404, () => call('POST', '/mcp/not-a-token/mcp', { token: null, headers: mcpHeaders, body: initialize })],
  ['GET /openapi.json', 200, () => call('GET', '/openapi.json', { token: null })],
  ['GET /healthz', 200, () => call('GET', '/healthz', { token: null })],
  ['GET /readyz', 200, () => call('GET', '/readyz', { token: null })],
  ['GET /metrics', 200, () => call('GET', '/metrics', { token: null })],
];

const covered = new Set();
for (const [key, expected, run] of scenarios) {
  const o = operations.find((x) => x.key === key);
  if (!check(`scenario ${key} is a documented operation`, !!o)) continue;
  const r = await run();
  const name = `${key} -> ${expected}`;
  if (!check(`${name}: status`, r.status === expected, { got: r.status, body: r.text.slice(0, 300) })) continue;
  const spec = o.op.responses[String(expected)];
  if (!check(`${name}: the status is documented`, !!spec)) continue;
  const response = resolve(spec);
  for (const header of Object.keys(response.headers ?? {})) {
    if (header.toLowerCase() === 'mcp-session-id' && o.op.operationId === 'mcpStreamableHttp') continue; // only on initialize
    check(`${name}: header ${header}`, r.headers.has(header), [...r.headers.keys()]);
  }
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    check(`${name}: no body, as documented`, r.text === '', r.text.slice(0, 200));
  } else if (content['application/json']) {
    const type = r.headers.get('content-type') || '';
    if (check(`${name}: JSON body`, type.startsWith('application/json') && r.json !== undefined, { type, body: r.text.slice(0, 200) })) {
      const problems = validate(content['application/json'].schema, r.json);
      check(`${name}: body matches the schema`, problems.length === 0, { problems, body: r.json });
    }
  } else if (content['text/plain']) {
    check(`${name}: text body`, (r.headers.get('content-type') || '').startsWith('text/plain'), r.headers.get('content-type'));
  }
  covered.add(`${key} ${expected}`);
}
for (const o of operations) {
  for (const status of Object.keys(o.op.responses)) {
    if (status === 'default') continue;
    check(`${o.key} -> ${status} is exercised by a scenario`, covered.has(`${o.key} ${status}`));
  }
}

// Secrets never come back.
const again = await call('GET', A);
check('no response carries the client secret', !JSON.stringify(again.json).includes('sandbox-secret'));
const listed = await call('GET', `${A}/mcp`);
check('no list carries a URL token', !listed.text.includes(server.token) && !listed.text.includes(guarded.token));

console.log(`${passed} checks passed, ${failed} failed (${operations.length} operations, ${scenarios.length} requests)`);
process.exit(failed ? 1 : 0);
