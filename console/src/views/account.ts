// One account: its header and three tabs, "MCP Servers" (list, set expiry,
// delete, each server's audit log, and the way to "Create MCP Server"),
// "Audit log" (its tool calls) and "Tools" (its catalog).
import type { Account, McpServer } from '../api';
import type { App } from '../app';
import { accountPath, type AccountTab } from '../app';
import { badge, clearErrorsOnEdit, confirmDialog, errorBox, expiryPicker, page, showError } from '../components';
import { h, replace, type Child } from '../dom';
import { relativeTime, shortTime } from '../duration';
import { logFilterFromSearch } from '../log';
import { auditLogTab, logPath } from './audit_log';
import { toolsTable } from './tools_table';

export function accountHeader(account: Account): HTMLElement {
  return h(
    'section',
    { class: 'account-head' },
    h('div', { class: 'crumbs' }, h('a', { href: '/console/', 'data-link': true }, 'Accounts'), ' / '),
    h('h1', { 'data-testid': 'account-name' }, account.name),
    h('p', { class: 'muted' }, h('code', null, account.credentials.base_url), ' · client ', h('code', null, account.credentials.client_id),
      ' · id ', h('code', null, account.id)),
  );
}

function tabs(account: Account, active: AccountTab): HTMLElement {
  const tab = (id: AccountTab, label: string, suffix: string) =>
    h('a', {
      class: `tab${id === active ? ' active' : ''}`, href: `/console${accountPath(account.id, suffix)}`, 'data-link': true,
      role: 'tab', 'aria-selected': id === active ? 'true' : 'false', 'data-testid': `tab-${id}`,
    }, label);
  return h('nav', { class: 'tabs', role: 'tablist' }, tab('servers', 'MCP Servers', '/servers'), tab('log', 'Audit log', '/log'),
    tab('tools', 'Tools', '/tools'));
}

function filterText(values: string[], all: string): Child {
  return values.length ? values.map((v) => badge(v, 'tag')) : h('span', { class: 'muted' }, all);
}

// The "Set expiry" dialog: PATCH expires_at (null clears it).
function expiryDialog(app: App, server: McpServer, onDone: () => void): void {
  const picker = expiryPicker('in', '24h');
  const errors = errorBox();
  const form = h('form', { class: 'dialog-form', novalidate: true },
    h('h2', null, `Expiry of "${server.name}"`),
    h('p', { class: 'muted small' }, server.expires_at
      ? `Now expires ${shortTime(server.expires_at)} (${relativeTime(server.expires_at, Date.now())}).`
      : 'Now never expires.', ' At the expiry the URL stops working (404) within a second, live sessions included, and the server is purged.'),
    picker.element,
    errors,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', value: 'cancel', onclick: () => dialog.close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'save-expiry' }, 'Save expiry'),
    ),
  );
  const dialog = h('dialog', { class: 'dialog', 'data-testid': 'expiry-dialog' }, form);
  clearErrorsOnEdit(form, errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const expires_at = picker.value(Date.now());
      await app.client().updateServer(server.integrated_account_id, server.id, { expires_at });
      dialog.close();
      onDone();
    } catch (e) {
      if (!app.handleAuthError(e)) showError(errors, e, form);
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
}

function serversTable(app: App, servers: McpServer[], errors: HTMLElement, reload: () => void): HTMLElement {
  if (!servers.length) {
    return h('p', { class: 'empty', 'data-testid': 'no-servers' }, 'No MCP server yet. Create one to hand an agent a URL.');
  }
  const now = Date.now();
  return h(
    'table',
    { class: 'table', 'data-testid': 'servers-table' },
    h('thead', null, h('tr', null, ...['Name', 'Methods', 'Tags', 'API token', 'Expires', 'Created', ''].map((t) => h('th', null, t)))),
    h(
      'tbody',
      null,
      servers.map((s) => {
        const log = h('a', {
          class: 'button secondary small', href: `/console${logPath(s.integrated_account_id, { mcp_server_id: s.id, tool_name: '', status: '' })}`,
          'data-link': true, 'data-testid': 'server-log', title: `The tool calls made through "${s.name}"`,
        }, 'Audit log');
        const expire = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'set-expiry' }, 'Set expiry');
        expire.addEventListener('click', () => expiryDialog(app, s, reload));
        const remove = h('button', { type: 'button', class: 'danger small', 'data-testid': 'delete-server' }, 'Delete');
        remove.addEventListener('click', async () => {
          const ok = await confirmDialog(`Delete MCP server "${s.name}"?`, 'Its URL stops working at once (404), live sessions included.', 'Delete server');
          if (!ok) return;
          try {
            await app.client().deleteServer(s.integrated_account_id, s.id);
            reload();
          } catch (e) {
            if (!app.handleAuthError(e)) showError(errors, e);
          }
        });
        return h(
          'tr',
          { 'data-server': s.id, 'data-server-name': s.name },
          h('td', null, h('strong', null, s.name), h('div', { class: 'muted small' }, h('code', null, s.id))),
          h('td', null, filterText(s.config.methods, 'all')),
          h('td', null, filterText(s.config.tags, 'all')),
          h('td', null, s.config.require_api_token_auth ? badge('required', 'warn') : h('span', { class: 'muted' }, 'no')),
          h('td', { 'data-testid': 'server-expires', title: s.expires_at ?? '' },
            s.expires_at ? [shortTime(s.expires_at), h('div', { class: 'muted small' }, relativeTime(s.expires_at, now))] : h('span', { class: 'muted' }, 'never')),
          h('td', null, shortTime(s.created_at)),
          h('td', { class: 'right nowrap' }, log, ' ', expire, ' ', remove),
        );
      }),
    ),
  );
}

export async function accountView(app: App, accountId: string, tab: AccountTab, search = ''): Promise<HTMLElement> {
  const errors = errorBox();
  let account: Account;
  try {
    account = await app.client().getAccount(accountId);
  } catch (e) {
    if (app.handleAuthError(e)) return h('div');
    showError(errors, e);
    return page(app, 'Account', h('p', null, h('a', { href: '/console/', 'data-link': true }, '← Accounts')), errors);
  }
  const body = h('section', { class: 'card', 'data-testid': `tab-panel-${tab}` }, h('p', { class: 'muted' }, 'Loading…'));
  const view = page(app, account.name, accountHeader(account), tabs(account, tab), errors, body);

  if (tab === 'log') {
    await auditLogTab(app, account, logFilterFromSearch(search), body, errors);
    return view;
  }

  if (tab === 'tools') {
    try {
      const tools = await app.client().tools(account.id);
      replace(body, h('h2', null, `Tools (${tools.count})`),
        h('p', { class: 'muted small' }, 'Every tool this account\'s integration offers. An MCP server exposes the ones its methods and tags filter keeps.'),
        toolsTable(tools.result));
    } catch (e) {
      if (!app.handleAuthError(e)) showError(errors, e);
    }
    return view;
  }

  const reload = async () => {
    try {
      const servers = await app.client().listServers(account.id);
      replace(body,
        h('div', { class: 'row' },
          h('h2', null, 'MCP Servers'),
          h('a', { class: 'button primary', href: `/console${accountPath(account.id, '/servers/new')}`, 'data-link': true, 'data-testid': 'new-server' },
            'Create MCP Server')),
        h('p', { class: 'muted small' }, 'Each server is one URL with its own tool filter and expiry. The URL is shown once, when the server is created.'),
        serversTable(app, servers, errors, () => void reload()));
    } catch (e) {
      if (!app.handleAuthError(e)) showError(errors, e);
    }
  };
  await reload();
  return view;
}
