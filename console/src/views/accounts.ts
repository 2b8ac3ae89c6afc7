// Integrated accounts: the list, "Connect a Caspio account", delete.
import type { Account } from '../api';
import type { App } from '../app';
import { accountPath } from '../app';
import { clearErrorsOnEdit, confirmDialog, errorBox, page, showError } from '../components';
import { h, replace } from '../dom';
import { shortTime } from '../duration';

function field(label: string, input: HTMLInputElement, help?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, help ? h('div', { class: 'muted small' }, help) : null);
}

function accountForm(app: App): HTMLFormElement {
  const name = h('input', { id: 'account-name', required: true, 'data-field': 'name', 'data-testid': 'account-name', placeholder: 'Production' });
  const baseUrl = h('input', {
    id: 'account-base-url', type: 'url', required: true, 'data-field': 'credentials.base_url', 'data-testid': 'account-base-url',
    placeholder: 'https://c1abc123.caspio.com',
  });
  const clientId = h('input', { id: 'account-client-id', required: true, 'data-field': 'credentials.client_id', 'data-testid': 'account-client-id', autocomplete: 'off' });
  const clientSecret = h('input', {
    id: 'account-client-secret', type: 'password', required: true, autocomplete: 'off', 'data-field': 'credentials.client_secret',
    'data-testid': 'account-client-secret',
  });
  const errors = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'create-account' }, 'Connect account');
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'account-form', novalidate: true },
    h('h2', null, 'Connect a Caspio account'),
    h('p', { class: 'muted small' }, 'From Caspio: Account → Access Permissions → Web Services Profile (REST API v3). The secret is encrypted at rest and never shown again.'),
    h('div', { class: 'grid2' },
      field('Name', name),
      field('Integration URL', baseUrl, 'https://<account>.caspio.com (loopback only when the operator allows it)'),
      field('Client ID', clientId),
      field('Client secret', clientSecret),
    ),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  clearErrorsOnEdit(form, errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const account = await app.client().createAccount({
        name: name.value.trim(), base_url: baseUrl.value.trim(), client_id: clientId.value.trim(), client_secret: clientSecret.value,
      });
      app.navigate(accountPath(account.id));
    } catch (e) {
      if (!app.handleAuthError(e)) showError(errors, e, form);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function accountsTable(app: App, accounts: Account[], errors: HTMLElement): HTMLElement {
  if (!accounts.length) return h('p', { class: 'empty', 'data-testid': 'no-accounts' }, 'No account yet: connect one below.');
  return h(
    'table',
    { class: 'table', 'data-testid': 'accounts-table' },
    h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Integration URL'), h('th', null, 'Client ID'), h('th', null, 'Connected'), h('th', null, ''))),
    h(
      'tbody',
      null,
      accounts.map((a) => {
        const remove = h('button', { type: 'button', class: 'danger small', 'data-testid': 'delete-account' }, 'Delete');
        remove.addEventListener('click', async () => {
          const ok = await confirmDialog(`Delete account "${a.name}"?`,
            'Its credentials and every MCP server minted for it are deleted; their URLs stop working at once.', 'Delete account');
          if (!ok) return;
          try {
            await app.client().deleteAccount(a.id);
            app.navigate('/');
          } catch (e) {
            if (!app.handleAuthError(e)) showError(errors, e);
          }
        });
        return h(
          'tr',
          { 'data-account': a.id },
          h('td', null, h('a', { href: `/console${accountPath(a.id)}`, 'data-link': true, 'data-testid': 'account-link' }, a.name)),
          h('td', null, h('code', null, a.credentials.base_url)),
          h('td', null, h('code', null, a.credentials.client_id)),
          h('td', null, shortTime(a.created_at)),
          h('td', { class: 'right' }, remove),
        );
      }),
    ),
  );
}

export async function accountsView(app: App): Promise<HTMLElement> {
  const errors = errorBox();
  const list = h('section', { class: 'card' }, h('h2', null, 'Integrated accounts'), h('p', { class: 'muted' }, 'Loading…'));
  const view = page(app, 'Accounts', list, errors, accountForm(app));
  try {
    const accounts = await app.client().listAccounts();
    replace(list, h('h2', null, 'Integrated accounts'), accountsTable(app, accounts, errors));
  } catch (e) {
    if (!app.handleAuthError(e)) showError(errors, e);
  }
  return view;
}
