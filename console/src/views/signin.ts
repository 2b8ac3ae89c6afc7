// Sign-in: the admin API token, checked against the API, kept in memory only.
import { clearErrorsOnEdit, errorBox, showError } from '../components';
import { h } from '../dom';

export function signInView(onSignIn: (token: string) => Promise<void>, notice?: string): HTMLElement {
  const token = h('input', {
    type: 'password', id: 'admin-token', name: 'admin-token', autocomplete: 'off', spellcheck: 'false',
    required: true, 'data-field': 'Authorization', 'data-testid': 'admin-token', placeholder: 'cmcp_…',
  });
  const errors = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'sign-in' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card signin', 'data-testid': 'signin-form' },
    h('h1', null, 'caspio-mcp console'),
    h('p', { class: 'muted' }, 'Connect Caspio accounts and mint scoped MCP server URLs for AI agents.'),
    notice ? h('p', { class: 'notice', 'data-testid': 'notice' }, notice) : null,
    h('label', { for: 'admin-token' }, 'Admin API token'),
    token,
    h(
      'p',
      { class: 'muted small' },
      'Local setup: ADMIN_TOKEN in .run/env after scripts/up.sh --detach. The token stays in this tab\'s memory only: ' +
        'it is never written to browser storage, so reloading the page signs you out.',
    ),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  clearErrorsOnEdit(form, errors);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await onSignIn(token.value.trim());
    } catch (e) {
      showError(errors, e, form);
    } finally {
      submit.disabled = false;
    }
  });
  queueMicrotask(() => token.focus());
  return h('div', { class: 'center' }, form);
}
