// The audit log view's pure logic: its filters as they sit in the address
// bar (?mcp_server_id=…&tool_name=…&status=…, so Back, a bookmark and signing
// in again keep them), and how entries are shown.
import type { LogFilter, LogStatus } from './api';

// The filters the operator picks; the account comes from the page.
export interface LogViewFilter {
  mcp_server_id: string;
  tool_name: string;
  status: string;
}

const FILTER_KEYS = ['mcp_server_id', 'tool_name', 'status'] as const;

export const LOG_STATUSES: ReadonlyArray<{ value: LogStatus; label: string }> = [
  { value: 'ok', label: 'ok' },
  { value: 'tool_error', label: 'tool error (isError result)' },
  { value: 'rpc_error', label: 'RPC error (JSON-RPC error)' },
];

// "?tool_name=x&status=ok" -> the filter; unknown parameters are ignored.
export function logFilterFromSearch(search: string): LogViewFilter {
  const params = new URLSearchParams(search);
  const out: LogViewFilter = { mcp_server_id: '', tool_name: '', status: '' };
  for (const key of FILTER_KEYS) out[key] = (params.get(key) ?? '').trim();
  return out;
}

// The filter -> "?mcp_server_id=…&status=ok" ('' when nothing is filtered).
export function logSearch(filter: LogViewFilter): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key].trim();
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function hasLogFilter(filter: LogViewFilter): boolean {
  return FILTER_KEYS.some((key) => filter[key].trim() !== '');
}

// What GET /log is asked: always this account, plus the operator's filters.
export function apiLogFilter(accountId: string, filter: LogViewFilter): LogFilter {
  return { integrated_account_id: accountId, ...filter };
}

// Badge class for a status: ok green, an isError result amber, a JSON-RPC error red.
export function statusKind(status: string): string {
  if (status === 'ok') return 'ok';
  if (status === 'tool_error') return 'warn';
  return 'danger';
}

// "84.2 ms", "3 ms", "< 0.1 ms", "1.25 s".
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms > 0 && ms < 0.05) return '< 0.1 ms';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${Number(ms.toFixed(1))} ms`;
}

// "2026-12-31 23:59:59 UTC": to the second, as a log wants.
export function logTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
