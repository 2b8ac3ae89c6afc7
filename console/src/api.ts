// The admin API client (SPEC §3). The admin token lives only inside this
// object, in memory: never in localStorage, sessionStorage or a cookie, so a
// reload signs the operator out. Errors keep the API's own words:
// {"error":{"code","message","field?","hint?"}} becomes an ApiError.

export interface Account {
  id: string;
  integration: string;
  name: string;
  credentials: { base_url: string; client_id: string };
  created_at: string;
  updated_at: string;
}

export interface ServerConfig {
  methods: string[];
  tags: string[];
  require_api_token_auth: boolean;
}

export interface McpServer {
  id: string;
  name: string;
  integrated_account_id: string;
  config: ServerConfig;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

// Only the create response carries token and url, and only once.
export interface CreatedMcpServer extends McpServer {
  token: string;
  url: string;
}

export interface ToolSummary {
  name: string;
  title: string;
  resource: string;
  method: string;
  tags: string[];
  read_only: boolean;
  destructive: boolean;
}

export interface ToolFilter {
  methods: string[];
  tags: string[];
}

export interface NewAccount {
  name: string;
  base_url: string;
  client_id: string;
  client_secret: string;
}

export interface NewServer {
  name: string;
  methods: string[];
  tags: string[];
  require_api_token_auth: boolean;
  expires_at: string | null;
}

export interface ServerPatch {
  name?: string;
  expires_at?: string | null;
  config?: Partial<ServerConfig>;
}

export interface ApiToken {
  id: string;
  name: string;
  scope: 'admin' | 'mcp_client';
  account_ids: string[];
  expires_at: string | null;
  created_at: string;
  token?: string;
}

// One MCP tools/call as GET /log?log_type=mcp returns it (docs/observability.md).
// `arguments` is already redacted by the edge; `duration` is in milliseconds.
export type LogStatus = 'ok' | 'tool_error' | 'rpc_error';

export interface LogEntry {
  id: string;
  log_type: 'mcp';
  created_at: string;
  request_id: string | null;
  trace_id: string | null;
  integrated_account_id: string;
  integration: string | null;
  mcp_server_id: string;
  mcp_server_name: string | null;
  mcp_method: string | null;
  tool_name: string;
  resource: string | null;
  method: string | null;
  arguments: Record<string, unknown>;
  status: LogStatus;
  error_code: string | null;
  rpc_error_code: number | null;
  http_status_code: number | null;
  duration: number;
  fetch_duration: number | null;
  client_name: string | null;
  client_version: string | null;
  protocol_version: string | null;
}

// The filters the console offers; empty strings are left out of the query.
export interface LogFilter {
  integrated_account_id?: string;
  mcp_server_id?: string;
  tool_name?: string;
  status?: string;
}

export interface LogPage {
  result: LogEntry[];
  next_cursor: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly hint?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

// "?methods=read,write&tags=directory" (empty parts omitted).
export function toolsQuery(filter: ToolFilter): string {
  const params = new URLSearchParams();
  if (filter.methods.length) params.set('methods', filter.methods.join(','));
  if (filter.tags.length) params.set('tags', filter.tags.join(','));
  const text = params.toString();
  return text ? `?${text}` : '';
}

// The create body of SPEC §3: empty lists are left out (= every method/tag).
export function newServerBody(input: NewServer): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (input.methods.length) config.methods = input.methods;
  if (input.tags.length) config.tags = input.tags;
  if (input.require_api_token_auth) config.require_api_token_auth = true;
  const body: Record<string, unknown> = { name: input.name, config };
  if (input.expires_at) body.expires_at = input.expires_at;
  return body;
}

// "?log_type=mcp&mcp_server_id=…&limit=50&next_cursor=…" for GET /log.
export function logQuery(filter: LogFilter, limit: number, cursor?: string | null): string {
  const params = new URLSearchParams({ log_type: 'mcp' });
  for (const key of ['integrated_account_id', 'mcp_server_id', 'tool_name', 'status'] as const) {
    const value = filter[key]?.trim();
    if (value) params.set(key, value);
  }
  params.set('limit', String(limit));
  if (cursor) params.set('next_cursor', cursor);
  return `?${params.toString()}`;
}

const MAX_PAGES = 100;

export class AdminClient {
  readonly #token: string;
  readonly #fetch: FetchLike;
  readonly #base: string;

  constructor(token: string, fetchFn: FetchLike, baseUrl = '') {
    this.#token = token;
    this.#fetch = fetchFn;
    this.#base = baseUrl;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#token}`, Accept: 'application/json' };
    const init: RequestInit = { method, headers, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await this.#fetch(this.#base + path, init);
    } catch (e) {
      throw new ApiError(0, 'network', `the edge did not answer (${(e as Error).message || 'network error'})`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const requestId = response.headers.get('X-Request-ID') ?? undefined;
      const error = (parsed as { error?: Record<string, unknown> } | null)?.error;
      if (error && typeof error.message === 'string') {
        throw new ApiError(
          response.status,
          typeof error.code === 'string' ? error.code : `http_${response.status}`,
          error.message,
          typeof error.field === 'string' ? error.field : undefined,
          typeof error.hint === 'string' ? error.hint : undefined,
          requestId,
        );
      }
      throw new ApiError(response.status, `http_${response.status}`, `HTTP ${response.status}: ${text.slice(0, 200) || response.statusText}`, undefined, undefined, requestId);
    }
    if (parsed === null && text) throw new ApiError(response.status, 'bad_response', 'the edge answered with something that is not JSON');
    return parsed as T;
  }

  // Follows next_cursor until the last page.
  async #listAll<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = `?limit=100${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r: { result: T[]; next_cursor: string | null } = await this.request('GET', path + query);
      out.push(...r.result);
      if (!r.next_cursor) break;
      cursor = r.next_cursor;
    }
    return out;
  }

  listAccounts(): Promise<Account[]> {
    return this.#listAll<Account>('/integrated-account');
  }
  getAccount(id: string): Promise<Account> {
    return this.request('GET', `/integrated-account/${encodeURIComponent(id)}`);
  }
  createAccount(input: NewAccount): Promise<Account> {
    return this.request('POST', '/integrated-account', {
      integration: 'caspio',
      name: input.name,
      credentials: { base_url: input.base_url, client_id: input.client_id, client_secret: input.client_secret },
    });
  }
  deleteAccount(id: string): Promise<{ id: string; deleted: boolean; deleted_mcp_servers: number }> {
    return this.request('DELETE', `/integrated-account/${encodeURIComponent(id)}`);
  }
  listServers(accountId: string): Promise<McpServer[]> {
    return this.#listAll<McpServer>(`/integrated-account/${encodeURIComponent(accountId)}/mcp`);
  }
  createServer(accountId: string, input: NewServer): Promise<CreatedMcpServer> {
    return this.request('POST', `/integrated-account/${encodeURIComponent(accountId)}/mcp`, newServerBody(input));
  }
  updateServer(accountId: string, id: string, patch: ServerPatch): Promise<McpServer> {
    return this.request('PATCH', `/integrated-account/${encodeURIComponent(accountId)}/mcp/${encodeURIComponent(id)}`, patch);
  }
  deleteServer(accountId: string, id: string): Promise<{ id: string; deleted: boolean }> {
    return this.request('DELETE', `/integrated-account/${encodeURIComponent(accountId)}/mcp/${encodeURIComponent(id)}`);
  }
  tools(accountId: string, filter: ToolFilter = { methods: [], tags: [] }): Promise<{ result: ToolSummary[]; count: number }> {
    return this.request('GET', `/integrated-account/${encodeURIComponent(accountId)}/tools${toolsQuery(filter)}`);
  }
  // One page of the audit log, newest first; pass next_cursor to go further back.
  listLogs(filter: LogFilter, limit = 50, cursor?: string | null): Promise<LogPage> {
    return this.request('GET', `/log${logQuery(filter, limit, cursor)}`);
  }
  createClientToken(name: string, accountId: string): Promise<ApiToken> {
    return this.request('POST', '/api-token', { name, scope: 'mcp_client', account_ids: [accountId] });
  }
}
