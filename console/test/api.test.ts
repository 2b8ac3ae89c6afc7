import { describe, expect, it } from 'vitest';
import { AdminClient, ApiError, logQuery, newServerBody, toolsQuery, type FetchLike } from '../src/api';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(responses: Array<{ status: number; body: unknown; headers?: Record<string, string> }>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const r = responses.shift();
    if (!r) throw new TypeError('Failed to fetch');
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    return new Response(text, { status: r.status, headers: r.headers });
  };
  return { fetch, calls };
}

describe('AdminClient', () => {
  it('sends the admin token as a bearer header and never as a cookie', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { id: 'a1' } }]);
    await new AdminClient('cmcp_secret', fetch).getAccount('a1');
    expect(calls[0]!.url).toBe('/integrated-account/a1');
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer cmcp_secret');
    expect(calls[0]!.init.credentials).toBe('omit');
  });

  it('keeps the API error verbatim: code, message, field, hint and request id', async () => {
    const { fetch } = fakeFetch([{
      status: 400,
      body: { error: { code: 'invalid_field', message: 'expires_at must be at least 60 seconds in the future', field: 'expires_at', hint: 'send a later time' } },
      headers: { 'X-Request-ID': 'r123' },
    }]);
    const err = await new AdminClient('t', fetch).updateServer('a', 's', { expires_at: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_field', message: 'expires_at must be at least 60 seconds in the future', field: 'expires_at', hint: 'send a later time', requestId: 'r123' });
  });

  it('turns a non-JSON failure and a network failure into readable errors', async () => {
    const { fetch } = fakeFetch([{ status: 502, body: '<html>bad gateway</html>' }]);
    const client = new AdminClient('t', fetch);
    await expect(client.listServers('a')).rejects.toMatchObject({ status: 502, code: 'http_502' });
    await expect(client.listServers('a')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('follows next_cursor through every page', async () => {
    const { fetch, calls } = fakeFetch([
      { status: 200, body: { result: [{ id: '1' }], next_cursor: 'c/2' } },
      { status: 200, body: { result: [{ id: '2' }], next_cursor: null } },
    ]);
    const accounts = await new AdminClient('t', fetch).listAccounts();
    expect(accounts.map((a) => a.id)).toEqual(['1', '2']);
    expect(calls[1]!.url).toBe('/integrated-account?limit=100&next_cursor=c%2F2');
  });

  it('percent-encodes ids in paths', async () => {
    const { fetch, calls } = fakeFetch([{ status: 200, body: { id: 'x', deleted: true } }]);
    await new AdminClient('t', fetch).deleteServer('a/b', 's?1');
    expect(calls[0]!.url).toBe('/integrated-account/a%2Fb/mcp/s%3F1');
    expect(calls[0]!.init.method).toBe('DELETE');
  });

  it('reads one audit log page at a time, passing next_cursor back', async () => {
    const { fetch, calls } = fakeFetch([
      { status: 200, body: { result: [{ id: '2-0' }], next_cursor: 'c/1' } },
      { status: 200, body: { result: [], next_cursor: null } },
    ]);
    const client = new AdminClient('t', fetch);
    const first = await client.listLogs({ integrated_account_id: 'acc', status: 'ok' }, 50);
    expect(first).toEqual({ result: [{ id: '2-0' }], next_cursor: 'c/1' });
    await client.listLogs({ integrated_account_id: 'acc', status: 'ok' }, 50, first.next_cursor);
    expect(calls.map((c) => c.url)).toEqual([
      '/log?log_type=mcp&integrated_account_id=acc&status=ok&limit=50',
      '/log?log_type=mcp&integrated_account_id=acc&status=ok&limit=50&next_cursor=c%2F1',
    ]);
  });

  it('mints mcp_client API tokens scoped to the account', async () => {
    const { fetch, calls } = fakeFetch([{ status: 201, body: { id: 't1', token: 'cmcp_x' } }]);
    await new AdminClient('t', fetch).createClientToken('agent client', 'acc');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ name: 'agent client', scope: 'mcp_client', account_ids: ['acc'] });
  });
});

describe('request bodies and queries', () => {
  it('leaves empty filters out of the create body (= everything)', () => {
    expect(newServerBody({ name: 'n', methods: [], tags: [], require_api_token_auth: false, expires_at: null }))
      .toEqual({ name: 'n', config: {} });
    expect(newServerBody({ name: 'n', methods: ['read'], tags: ['directory'], require_api_token_auth: true, expires_at: '2030-01-01T00:00:00.000Z' }))
      .toEqual({ name: 'n', config: { methods: ['read'], tags: ['directory'], require_api_token_auth: true }, expires_at: '2030-01-01T00:00:00.000Z' });
  });

  it('builds the audit log query: log_type first, empty filters left out', () => {
    expect(logQuery({}, 20)).toBe('?log_type=mcp&limit=20');
    expect(logQuery({ integrated_account_id: 'a b', mcp_server_id: '', tool_name: ' list_x ', status: 'tool_error' }, 100, null))
      .toBe('?log_type=mcp&integrated_account_id=a+b&tool_name=list_x&status=tool_error&limit=100');
  });

  it('builds the tools preview query', () => {
    expect(toolsQuery({ methods: [], tags: [] })).toBe('');
    expect(toolsQuery({ methods: ['read', 'bulk_update'], tags: ['files & folders'] })).toBe('?methods=read%2Cbulk_update&tags=files+%26+folders');
  });
});
