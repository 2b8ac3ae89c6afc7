// The account's "Audit log" tab: GET /log?log_type=mcp for this account, newest
// first, filtered by server, tool and status (the filters live in the address
// bar), "Load more" through next_cursor, and a row's redacted arguments on click.
import type { Account, LogEntry, McpServer } from '../api';
import type { App } from '../app';
import { accountPath } from '../app';
import { badge, clearErrorsOnEdit, showError } from '../components';
import { h, replace, type Child } from '../dom';
import { relativeTime } from '../duration';
import { apiLogFilter, formatMs, hasLogFilter, LOG_STATUSES, logSearch, logTime, statusKind, type LogViewFilter } from '../log';

const PAGE_SIZE = 50;
const COLUMNS = ['Time', 'Server', 'Tool', 'Status', 'Error code', 'Duration', 'Client', 'Request ID'];

export function logPath(accountId: string, filter: LogViewFilter): string {
  return accountPath(accountId, '/log') + logSearch(filter);
}

function muted(text: string): HTMLElement {
  return h('span', { class: 'muted' }, text);
}

// The facts of an entry that do not fit the table, left out when empty.
function facts(e: LogEntry): HTMLElement {
  const rows: Array<[string, Child]> = [
    ['Entry', h('code', null, e.id)],
    ['Received', h('code', null, e.created_at)],
    ['Server', [e.mcp_server_name ?? '', ' ', h('code', null, e.mcp_server_id)]],
    ['Resource · method', e.resource || e.method ? `${e.resource ?? '—'} · ${e.method ?? '—'}` : null],
    ['MCP method', e.mcp_method],
    ['Caspio HTTP status', e.http_status_code === null ? null : String(e.http_status_code)],
    ['JSON-RPC error', e.rpc_error_code === null ? null : String(e.rpc_error_code)],
    ['Caspio time', e.fetch_duration === null ? null : formatMs(e.fetch_duration)],
    ['Client', e.client_name ? `${e.client_name}${e.client_version ? ` ${e.client_version}` : ''}` : null],
    ['Protocol', e.protocol_version],
    ['Request ID', e.request_id ? h('code', null, e.request_id) : null],
    ['Trace ID', e.trace_id ? h('code', null, e.trace_id) : null],
  ];
  return h('dl', { class: 'facts' }, rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

// A table row and its detail row (hidden until the row is clicked).
function entryRows(e: LogEntry, now: number): HTMLTableRowElement[] {
  const detail = h(
    'tr',
    { class: 'log-detail', hidden: true, 'data-testid': 'log-detail' },
    h('td', { colspan: COLUMNS.length },
      h('div', { class: 'log-detail-body' },
        h('div', null,
          h('h3', null, 'Arguments'),
          h('pre', { 'data-testid': 'log-arguments' }, JSON.stringify(e.arguments, null, 2)),
          h('p', { class: 'muted small' }, 'As stored: the edge keeps identifiers, limits and plain column lists, and writes [REDACTED] for every other value before the entry leaves it.')),
        facts(e))),
  );
  const row = h(
    'tr',
    {
      class: 'log-row', tabindex: 0, 'aria-expanded': 'false', title: 'Show the arguments',
      'data-testid': 'log-row', 'data-log-entry': e.id, 'data-tool': e.tool_name, 'data-status': e.status,
    },
    h('td', { class: 'nowrap', title: e.created_at }, logTime(e.created_at), h('div', { class: 'muted small' }, relativeTime(e.created_at, now))),
    h('td', { title: e.mcp_server_id }, e.mcp_server_name ?? h('code', null, e.mcp_server_id)),
    h('td', null, h('code', { 'data-testid': 'log-tool' }, e.tool_name)),
    h('td', { 'data-testid': 'log-status' }, badge(e.status, statusKind(e.status))),
    h('td', null, e.error_code ? h('code', null, e.error_code) : e.rpc_error_code !== null ? h('code', null, String(e.rpc_error_code)) : muted('—')),
    h('td', { class: 'right nowrap' }, formatMs(e.duration)),
    h('td', { class: 'client' }, e.client_name ?? muted('—'), e.client_version ? h('div', { class: 'muted small' }, e.client_version) : null),
    h('td', { class: 'request-id' }, e.request_id ? h('code', null, e.request_id) : muted('—')),
  );
  const toggle = () => {
    detail.hidden = !detail.hidden;
    row.setAttribute('aria-expanded', detail.hidden ? 'false' : 'true');
    row.classList.toggle('open', !detail.hidden);
  };
  row.addEventListener('click', () => {
    if (window.getSelection()?.toString()) return; // selecting a request id to copy it
    toggle();
  });
  row.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    toggle();
  });
  return [row, detail];
}

function select(name: string, testid: string, current: string, options: Array<[string, string]>): HTMLSelectElement {
  // A value from the address bar that is not a choice (a deleted server, a
  // misspelt status) stays visible so the API's answer about it makes sense.
  if (current && !options.some(([v]) => v === current)) options.push([current, `${current} (not listed)`]);
  return h('select', { id: `log-${name}`, name, 'data-field': name, 'data-testid': testid },
    options.map(([value, label]) => h('option', { value, selected: value === current }, label)));
}

// Fills `body` (the tab panel); errors go to `errors`, the API's words verbatim.
export async function auditLogTab(app: App, account: Account, filter: LogViewFilter, body: HTMLElement, errors: HTMLElement): Promise<void> {
  let servers: McpServer[];
  try {
    servers = await app.client().listServers(account.id);
  } catch (e) {
    if (!app.handleAuthError(e)) showError(errors, e);
    return;
  }

  const serverSelect = select('mcp_server_id', 'log-filter-server', filter.mcp_server_id,
    [['', 'All servers'], ...servers.map((s): [string, string] => [s.id, s.name])]);
  const toolInput = h('input', {
    type: 'text', id: 'log-tool_name', name: 'tool_name', value: filter.tool_name, placeholder: 'any tool, e.g. list_all_caspio_records',
    spellcheck: 'false', autocomplete: 'off', 'data-field': 'tool_name', 'data-testid': 'log-filter-tool',
  });
  const statusSelect = select('status', 'log-filter-status', filter.status,
    [['', 'Any status'], ...LOG_STATUSES.map((s): [string, string] => [s.value, s.label])]);
  const refresh = h('button', { type: 'button', class: 'secondary', 'data-testid': 'log-refresh' }, 'Refresh');
  const filtered = hasLogFilter(filter);
  const form = h(
    'form',
    { class: 'filters', 'data-testid': 'log-filters', novalidate: true },
    h('div', { class: 'filter' }, h('label', { for: 'log-mcp_server_id' }, 'Server'), serverSelect),
    h('div', { class: 'filter grow' }, h('label', { for: 'log-tool_name' }, 'Tool name'), toolInput),
    h('div', { class: 'filter' }, h('label', { for: 'log-status' }, 'Status'), statusSelect),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'log-apply' }, 'Apply'),
      filtered ? h('a', { class: 'button secondary', href: `/console${logPath(account.id, { mcp_server_id: '', tool_name: '', status: '' })}`, 'data-link': true, 'data-testid': 'log-clear' }, 'Clear') : null,
      refresh),
  );
  clearErrorsOnEdit(form, errors);
  const results = h('div', { 'data-testid': 'log-results' });
  replace(body,
    h('h2', null, 'Audit log'),
    h('p', { class: 'muted small' },
      'Every MCP tools/call on this account\'s servers, newest first, about a second after its answer. Click a row for its arguments (redacted before they are stored).'),
    form,
    results);

  const query = apiLogFilter(account.id, filter);
  let cursor: string | null = null;
  let shown = 0;
  const tbody = h('tbody');
  const table = h('table', { class: 'table log', 'data-testid': 'log-table' },
    h('thead', null, h('tr', null, COLUMNS.map((c, i) => h('th', { class: i === 5 ? 'right' : null }, c)))), tbody);
  const more = h('button', { type: 'button', class: 'secondary', 'data-testid': 'load-more' }, 'Load more');

  const draw = () => {
    if (shown === 0) {
      const why = cursor
        ? 'No match among the newest entries examined. Older entries may still match: load more to look further back.'
        : filtered
          ? 'No tool call matches these filters.'
          : 'No tool call on this account\'s servers yet. Each tools/call appears here, with its outcome, shortly after the client has its answer.';
      replace(results, h('p', { class: 'empty', 'data-testid': 'log-empty' }, why), cursor ? h('div', { class: 'actions left' }, more) : null);
      return;
    }
    replace(results, table, h('div', { class: 'row log-foot' },
      h('span', { class: 'muted small', 'data-testid': 'log-count' }, `${shown} ${shown === 1 ? 'entry' : 'entries'}${cursor ? '' : ' — the end of the log'}`),
      cursor ? more : null));
  };

  const load = async (reset: boolean) => {
    results.setAttribute('aria-busy', 'true');
    more.disabled = refresh.disabled = true;
    try {
      const page = await app.client().listLogs(query, PAGE_SIZE, reset ? null : cursor);
      if (reset) {
        tbody.replaceChildren();
        shown = 0;
      }
      const now = Date.now();
      for (const e of page.result) tbody.append(...entryRows(e, now));
      shown += page.result.length;
      cursor = page.next_cursor;
      errors.hidden = true;
      draw();
    } catch (e) {
      if (app.handleAuthError(e)) return;
      showError(errors, e, form);
      if (!reset) errors.scrollIntoView({ block: 'nearest' }); // "Load more" sits far below the error box
    } finally {
      results.removeAttribute('aria-busy');
      more.disabled = refresh.disabled = false;
    }
  };

  more.addEventListener('click', () => void load(false));
  refresh.addEventListener('click', () => void load(true));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next: LogViewFilter = { mcp_server_id: serverSelect.value, tool_name: toolInput.value.trim(), status: statusSelect.value };
    if (logSearch(next) === logSearch(filter)) void load(true);
    else app.navigate(logPath(account.id, next));
  });
  await load(true);
}
