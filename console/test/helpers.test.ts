import { describe, expect, it } from 'vitest';
import { appPath, matchRoute } from '../src/app';
import { methodGroup, vocabulary } from '../src/catalog';
import { parseDuration, relativeTime, toRfc3339 } from '../src/duration';
import { fieldCandidates } from '../src/fields';
import { apiLogFilter, formatMs, hasLogFilter, logFilterFromSearch, logSearch, logTime, statusKind } from '../src/log';
import { clientSnippets, isLoopbackUrl, serverKey, TOKEN_PLACEHOLDER } from '../src/snippets';
import type { ToolSummary } from '../src/api';

describe('durations', () => {
  it('reads what operators type', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration(' 24h ')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    for (const bad of ['', '24', 'h', '0s', '-1h', '1.5h', '1 h', '1y']) expect(parseDuration(bad)).toBeNull();
  });

  it('writes RFC 3339 UTC and coarse relative times', () => {
    expect(toRfc3339(Date.UTC(2030, 0, 2, 3, 4, 5))).toBe('2030-01-02T03:04:05.000Z');
    const now = Date.UTC(2030, 0, 1);
    expect(relativeTime('2030-01-02T00:00:00Z', now)).toBe('in 24 h');
    expect(relativeTime('2029-12-31T23:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2030-01-11T00:00:00Z', now)).toBe('in 10 d');
  });
});

describe('error fields', () => {
  it('walks from the precise field to the form element that exists', () => {
    expect(fieldCandidates('config.methods[1]')).toEqual(['config.methods[1]', 'config.methods', 'config']);
    expect(fieldCandidates('credentials.base_url')).toEqual(['credentials.base_url', 'credentials']);
    expect(fieldCandidates('expires_at')).toEqual(['expires_at']);
  });
});

describe('routes', () => {
  it('maps console paths to views', () => {
    expect(appPath('/console')).toBe('/');
    expect(appPath('/console/accounts/a%2Fb/tools')).toBe('/accounts/a%2Fb/tools');
    expect(matchRoute('/')).toEqual({ name: 'accounts' });
    expect(matchRoute('/accounts/a%2Fb/tools')).toEqual({ name: 'account', accountId: 'a/b', tab: 'tools' });
    expect(matchRoute('/accounts/x/servers')).toEqual({ name: 'account', accountId: 'x', tab: 'servers' });
    expect(matchRoute('/accounts/x/servers/new')).toEqual({ name: 'new-server', accountId: 'x' });
    expect(matchRoute('/accounts/x/log')).toEqual({ name: 'account', accountId: 'x', tab: 'log' });
    expect(matchRoute('/nope')).toEqual({ name: 'not-found', path: '/nope' });
  });
});

describe('the audit log view', () => {
  it('keeps its filters in the address bar', () => {
    expect(logFilterFromSearch('')).toEqual({ mcp_server_id: '', tool_name: '', status: '' });
    const f = logFilterFromSearch('?mcp_server_id=s%2F1&status=tool_error&other=x&tool_name=+list_x+');
    expect(f).toEqual({ mcp_server_id: 's/1', tool_name: 'list_x', status: 'tool_error' });
    expect(logSearch(f)).toBe('?mcp_server_id=s%2F1&tool_name=list_x&status=tool_error');
    expect(logSearch({ mcp_server_id: '', tool_name: ' ', status: '' })).toBe('');
    expect(hasLogFilter(f)).toBe(true);
    expect(hasLogFilter(logFilterFromSearch('?other=1'))).toBe(false);
    expect(apiLogFilter('acc', f)).toEqual({ integrated_account_id: 'acc', mcp_server_id: 's/1', tool_name: 'list_x', status: 'tool_error' });
  });

  it('shows durations, times and statuses readably', () => {
    expect(formatMs(84.23)).toBe('84.2 ms');
    expect(formatMs(3)).toBe('3 ms');
    expect(formatMs(0.04)).toBe('< 0.1 ms');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(250.6)).toBe('251 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(null)).toBe('');
    expect(logTime('2026-11-22T10:00:00.123Z')).toBe('2026-11-22 10:00:00 UTC');
    expect(logTime('garbage')).toBe('garbage');
    expect([statusKind('ok'), statusKind('tool_error'), statusKind('rpc_error')]).toEqual(['ok', 'warn', 'danger']);
  });
});

describe('vocabulary from the catalog', () => {
  const tool = (method: string, tags: string[]): ToolSummary =>
    ({ name: `${method}_x`, title: '', resource: 'r', method, tags, read_only: false, destructive: false });
  it('derives groups, exact methods and tags with counts, nothing hard-coded', () => {
    const v = vocabulary([tool('list', ['tables']), tool('get', ['tables', 'records']), tool('bulk_update', ['records']), tool('create', [])]);
    expect(v.groups).toEqual([{ value: 'read', count: 2 }, { value: 'write', count: 1 }, { value: 'custom', count: 1 }]);
    expect(v.methods.map((m) => m.value)).toEqual(['bulk_update', 'create', 'get', 'list']);
    expect(v.tags).toEqual([{ value: 'records', count: 2 }, { value: 'tables', count: 2 }]);
    expect(methodGroup('delete')).toBe('write');
  });
});

describe('client snippets', () => {
  const url = 'https://mcp.example.com/mcp/tok/mcp';
  it('gives Claude Desktop an mcp-remote command and Cursor a url', () => {
    const s = clientSnippets(url, { serverName: 'Support agent', requireApiToken: false });
    expect(s.map((x) => x.id)).toEqual(['claude', 'chatgpt', 'cursor', 'inspector']);
    expect(JSON.parse(s[0]!.text)).toEqual({ mcpServers: { 'caspio-support-agent': { command: 'npx', args: ['-y', 'mcp-remote', url] } } });
    expect(JSON.parse(s[2]!.text)).toEqual({ mcpServers: { 'caspio-support-agent': { url } } });
    expect(s[1]!.text).toContain(`MCP Server URL:  ${url}`);
    expect(s[3]!.text).toContain(`--cli ${url}`);
    expect(s.flatMap((x) => x.notes).join(' ')).not.toContain('publish the edge');
  });

  it('adds the Authorization header everywhere it can go when an API token is required', () => {
    const s = clientSnippets(url, { serverName: 'x', requireApiToken: true, apiToken: 'cmcp_abc' });
    const claude = JSON.parse(s[0]!.text).mcpServers['caspio-x'];
    expect(claude.args).toEqual(['-y', 'mcp-remote', url, '--header', 'Authorization:${CASPIO_MCP_AUTH}']);
    expect(claude.env).toEqual({ CASPIO_MCP_AUTH: 'Bearer cmcp_abc' });
    expect(JSON.parse(s[2]!.text).mcpServers['caspio-x'].headers).toEqual({ Authorization: 'Bearer cmcp_abc' });
    expect(s[3]!.text).toContain('--header "Authorization: Bearer cmcp_abc"');
    expect(s[1]!.notes.join(' ')).toContain('not a static API token');
    expect(clientSnippets(url, { serverName: 'x', requireApiToken: true })[2]!.text).toContain(TOKEN_PLACEHOLDER);
  });

  it('warns that ChatGPT cannot reach a loopback URL', () => {
    expect(isLoopbackUrl('http://127.0.0.1:8080/mcp/t/mcp')).toBe(true);
    expect(isLoopbackUrl(url)).toBe(false);
    const s = clientSnippets('http://127.0.0.1:8080/mcp/t/mcp', { serverName: 'x', requireApiToken: false });
    expect(s[1]!.notes.join(' ')).toContain('publish the edge over HTTPS');
  });

  it('names config keys safely', () => {
    expect(serverKey('')).toBe('caspio');
    expect(serverKey('Caspio prod!')).toBe('caspio-prod');
    expect(serverKey('  Read only / HR ')).toBe('caspio-read-only-hr');
  });
});
