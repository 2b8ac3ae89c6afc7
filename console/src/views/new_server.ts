// "Create MCP Server": name, methods, tags (from the account's own catalog),
// expiry and require-API-token, with a live preview of exactly the tools the
// filter exposes; then the URL, shown once, with client snippets.
import type { Account, CreatedMcpServer, ToolFilter, ToolSummary } from '../api';
import type { App } from '../app';
import { accountPath } from '../app';
import { clearErrorsOnEdit, copyButton, errorBox, expiryPicker, page, showError } from '../components';
import { GROUP_HELP, vocabulary, type Choice } from '../catalog';
import { h, replace } from '../dom';
import { shortTime } from '../duration';
import { clientSnippets, type Snippet } from '../snippets';
import { accountHeader } from './account';
import { toolsTable } from './tools_table';

const PREVIEW_DELAY_MS = 200;

function checkboxes(group: string, choices: Choice[], help: (c: Choice) => string): { element: HTMLElement; selected(): string[] } {
  const boxes = choices.map((c) =>
    h('input', { type: 'checkbox', value: c.value, name: group, 'data-testid': `${group}-${c.value}` }),
  );
  return {
    element: h('div', { class: 'choices' },
      boxes.map((box, i) => h('label', { class: 'choice' }, box, ' ', h('span', null, choices[i]!.value), h('span', { class: 'muted small' }, ` ${help(choices[i]!)}`)))),
    selected: () => boxes.filter((b) => b.checked).map((b) => b.value),
  };
}

function snippetPanel(snippets: Snippet[]): HTMLElement {
  const panel = h('div', { class: 'snippet-body' });
  const buttons: HTMLButtonElement[] = [];
  const show = (i: number) => {
    const s = snippets[i]!;
    buttons.forEach((b, j) => {
      b.classList.toggle('active', i === j);
      b.setAttribute('aria-selected', i === j ? 'true' : 'false');
    });
    replace(panel,
      h('p', { class: 'muted small' }, s.where),
      h('pre', { 'data-testid': `snippet-${s.id}` }, s.text),
      h('div', { class: 'actions left' }, copyButton(() => s.text, `Copy ${s.title} settings`, `copy-snippet-${s.id}`)),
      s.notes.map((n) => h('p', { class: 'small note' }, n)));
  };
  snippets.forEach((s, i) => {
    const b = h('button', { type: 'button', class: 'tab', role: 'tab', 'data-testid': `snippet-tab-${s.id}` }, s.title);
    b.addEventListener('click', () => show(i));
    buttons.push(b);
  });
  show(0);
  return h('div', { class: 'snippets' }, h('nav', { class: 'tabs', role: 'tablist' }, buttons), panel);
}

// The URL shown once. Nothing here is kept after the operator leaves the page.
function createdView(app: App, account: Account, server: CreatedMcpServer): HTMLElement {
  const url = h('input', { type: 'text', readonly: true, value: server.url, class: 'url', 'data-testid': 'mcp-url', 'aria-label': 'MCP server URL' });
  url.addEventListener('focus', () => url.select());
  const requireToken = server.config.require_api_token_auth;
  const snippetsHost = h('div');
  const renderSnippets = (apiToken?: string) =>
    replace(snippetsHost, snippetPanel(clientSnippets(server.url, { serverName: server.name, requireApiToken: requireToken, apiToken })));
  renderSnippets();

  let tokenSection: HTMLElement | null = null;
  if (requireToken) {
    const errors = errorBox();
    const mint = h('button', { type: 'button', class: 'secondary', 'data-testid': 'mint-api-token' }, 'Mint an MCP client API token');
    const out = h('div');
    mint.addEventListener('click', async () => {
      mint.disabled = true;
      try {
        const t = await app.client().createClientToken(`${server.name} client`, account.id);
        const value = t.token ?? '';
        const field = h('input', { type: 'text', readonly: true, value, class: 'url', 'data-testid': 'api-token', 'aria-label': 'API token' });
        replace(out, h('div', { class: 'url-row' }, field, copyButton(() => value, 'Copy token', 'copy-api-token')),
          h('p', { class: 'small muted' }, `Token id ${t.id}. Scoped to this account; shown once, like the URL. The snippets below now include it.`));
        renderSnippets(value);
      } catch (e) {
        mint.disabled = false;
        if (!app.handleAuthError(e)) showError(errors, e);
      }
    });
    tokenSection = h('section', { class: 'card' },
      h('h2', null, 'Second factor: API token'),
      h('p', { class: 'small' }, 'This server also requires Authorization: Bearer <API token> from its clients. Mint a token for this account, or use one you have.'),
      errors, mint, out);
  }

  return page(
    app,
    account.name,
    accountHeader(account),
    h('section', { class: 'card created', 'data-testid': 'server-created' },
      h('h2', null, `MCP server "${server.name}" is ready`),
      h('p', { class: 'warning', role: 'note' }, 'Copy the URL now: it is shown only this once and cannot be retrieved later. ' +
        'It is a secret — anyone holding it can use the tools it exposes.'),
      h('div', { class: 'url-row' }, url, copyButton(() => server.url, 'Copy URL', 'copy-url')),
      h('p', { class: 'muted small' },
        `Methods: ${server.config.methods.join(', ') || 'all'} · Tags: ${server.config.tags.join(', ') || 'all'} · `,
        `Expires: ${server.expires_at ? shortTime(server.expires_at) : 'never'} · id ${server.id}`),
    ),
    tokenSection,
    h('section', { class: 'card' }, h('h2', null, 'Connect a client'), snippetsHost),
    h('div', { class: 'actions left' },
      h('a', { class: 'button secondary', href: `/console${accountPath(account.id, '/servers')}`, 'data-link': true, 'data-testid': 'done' },
        'Done — back to MCP Servers')),
  );
}

export async function newServerView(app: App, accountId: string): Promise<HTMLElement> {
  const errors = errorBox();
  let account: Account;
  let catalog: ToolSummary[];
  try {
    [account, { result: catalog }] = await Promise.all([app.client().getAccount(accountId), app.client().tools(accountId)]);
  } catch (e) {
    if (app.handleAuthError(e)) return h('div');
    showError(errors, e);
    return page(app, 'Create MCP Server', h('p', null, h('a', { href: '/console/', 'data-link': true }, '← Accounts')), errors);
  }
  const vocab = vocabulary(catalog);
  const name = h('input', { id: 'server-name', required: true, 'data-field': 'name', 'data-testid': 'server-name', placeholder: 'support agent (read-only)' });
  const groups = checkboxes('group', vocab.groups, (c) => `(${GROUP_HELP[c.value] ?? ''}; ${c.count} tools)`);
  const exact = checkboxes('method', vocab.methods, (c) => `(${c.count})`);
  const tags = checkboxes('tag', vocab.tags, (c) => `(${c.count})`);
  const expiry = expiryPicker('never');
  const requireToken = h('input', { type: 'checkbox', id: 'require-api-token', 'data-testid': 'require-api-token' });
  const preview = h('div', { class: 'preview-body' });
  const previewCount = h('strong', { 'data-testid': 'preview-count' }, '…');
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'create-server' }, 'Create MCP Server');

  const filter = (): ToolFilter => ({ methods: [...groups.selected(), ...exact.selected()], tags: tags.selected() });
  let sequence = 0;
  let timer = 0;
  const refreshPreview = () => {
    window.clearTimeout(timer);
    previewCount.textContent = '…';
    timer = window.setTimeout(async () => {
      const mine = ++sequence;
      const f = filter();
      try {
        const r = await app.client().tools(account.id, f);
        if (mine !== sequence) return; // a newer filter is on its way
        previewCount.textContent = String(r.count);
        previewCount.parentElement!.dataset.state = r.count ? 'ok' : 'empty';
        replace(preview, r.count
          ? toolsTable(r.result, 'preview-table')
          : h('p', { class: 'warning', 'data-testid': 'preview-empty' }, 'No tool matches this filter: the API refuses a server that exposes nothing. Widen the methods or tags.'));
      } catch (e) {
        if (mine !== sequence) return;
        if (app.handleAuthError(e)) return;
        previewCount.textContent = '?';
        replace(preview, errorBox());
        showError(preview.firstElementChild as HTMLElement, e);
      }
    }, PREVIEW_DELAY_MS);
  };

  const form = h(
    'form',
    { class: 'card', 'data-testid': 'server-form', novalidate: true },
    h('h2', null, 'Create MCP Server'),
    h('div', { class: 'field' }, h('label', { for: 'server-name' }, 'Name'), name),
    h('fieldset', { 'data-field': 'config.methods' },
      h('legend', null, 'Methods'),
      h('p', { class: 'muted small' }, 'None ticked = every method. Groups and exact methods add up (OR).'),
      groups.element,
      h('details', null, h('summary', null, `Exact methods (${vocab.methods.length})`), exact.element)),
    h('fieldset', { 'data-field': 'config.tags' },
      h('legend', null, 'Tags'),
      h('p', { class: 'muted small' }, 'None ticked = every tag. A tool needs any one ticked tag (OR), and must also match the methods (AND).'),
      tags.element),
    expiry.element,
    h('fieldset', { 'data-field': 'config.require_api_token_auth' },
      h('legend', null, 'Authentication'),
      h('label', { class: 'choice' }, requireToken, ' Require an API token',
        h('span', { class: 'muted small' }, ' (clients must also send Authorization: Bearer <API token>; ChatGPT cannot)'))),
    h('section', { class: 'preview', 'data-field': 'config', 'data-testid': 'preview' },
      h('h3', null, 'This server will expose ', previewCount, ' tools'),
      preview),
    errors,
    h('div', { class: 'actions' },
      h('a', { class: 'button secondary', href: `/console${accountPath(account.id, '/servers')}`, 'data-link': true }, 'Cancel'),
      submit),
  );
  form.addEventListener('change', refreshPreview);
  clearErrorsOnEdit(form, errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const f = filter();
      const server = await app.client().createServer(account.id, {
        name: name.value.trim(),
        methods: f.methods,
        tags: f.tags,
        require_api_token_auth: requireToken.checked,
        expires_at: expiry.value(Date.now()),
      });
      app.show(createdView(app, account, server), accountPath(account.id, '/servers'));
    } catch (e) {
      submit.disabled = false;
      if (!app.handleAuthError(e)) showError(errors, e, form);
    }
  });
  refreshPreview();
  return page(app, 'Create MCP Server', accountHeader(account), form);
}
