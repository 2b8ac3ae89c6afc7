// Pieces shared by the views: the page frame, the API error box (the API's
// words verbatim, its field highlighted), copy buttons, confirmation dialogs
// and the expiry picker.
import { ApiError } from './api';
import type { App } from './app';
import { h, replace, type Child } from './dom';
import { parseDuration, toRfc3339 } from './duration';
import { findFieldElement } from './fields';

export function page(app: App, title: string, ...content: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'page' },
    h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', href: '/console/', 'data-link': true }, 'caspio-mcp'),
      h('span', { class: 'topbar-title' }, title),
      h('button', { class: 'link', type: 'button', 'data-testid': 'sign-out', onclick: () => app.signOut() }, 'Sign out'),
    ),
    h('main', null, ...content),
  );
}

// A problem found before anything is sent (e.g. an unreadable duration).
export class FormError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'FormError';
  }
}

function highlight(form: ParentNode, field: string): void {
  const el = findFieldElement(form as ParentNode & Element, field);
  if (!el) return;
  el.classList.add('field-error');
  el.setAttribute('aria-invalid', 'true');
  const focusable = el.matches('input, select, textarea') ? el : el.querySelector('input, select, textarea');
  (focusable as HTMLElement | null)?.focus();
}

// Clears earlier highlights inside `scope`.
export function clearFieldErrors(scope: ParentNode): void {
  for (const el of scope.querySelectorAll('.field-error')) {
    el.classList.remove('field-error');
    el.removeAttribute('aria-invalid');
  }
}

// Shows `error` in `box`: message exactly as the API wrote it, then its hint,
// code and request id; the field it names is outlined in `form`.
export function showError(box: HTMLElement, error: unknown, form?: ParentNode): void {
  if (form) clearFieldErrors(form);
  if (!(error instanceof ApiError)) {
    replace(box, h('p', { class: 'error-message', 'data-testid': 'error-message' }, String((error as Error)?.message ?? error)));
    box.hidden = false;
    if (form && error instanceof FormError && error.field) highlight(form, error.field);
    return;
  }
  const details: string[] = [`${error.status ? `HTTP ${error.status} · ` : ''}${error.code}`];
  if (error.field) details.push(`field ${error.field}`);
  if (error.requestId) details.push(`request ${error.requestId}`);
  replace(
    box,
    h('p', { class: 'error-message', 'data-testid': 'error-message' }, error.message),
    error.hint ? h('p', { class: 'error-hint', 'data-testid': 'error-hint' }, error.hint) : null,
    h('p', { class: 'error-meta' }, details.join(' · ')),
  );
  box.hidden = false;
  if (form && error.field) highlight(form, error.field);
}

// Editing a highlighted field clears its highlight and hides the error box.
export function clearErrorsOnEdit(form: HTMLElement, box: HTMLElement): void {
  const handler = (event: Event) => {
    const host = (event.target as Element | null)?.closest('.field-error');
    if (!host) return;
    host.classList.remove('field-error');
    host.removeAttribute('aria-invalid');
    box.hidden = true;
  };
  form.addEventListener('input', handler);
  form.addEventListener('change', handler);
}

export function errorBox(): HTMLDivElement {
  return h('div', { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true });
}

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Non-secure origins have no async clipboard: fall back to a selection copy.
  const area = h('textarea', { class: 'offscreen' }, text);
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

export function copyButton(text: () => string, label = 'Copy', testid?: string): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'copy', 'data-testid': testid }, label);
  button.addEventListener('click', async () => {
    try {
      await writeClipboard(text());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select and copy by hand';
    }
    window.setTimeout(() => (button.textContent = label), 2000);
  });
  return button;
}

// A modal confirmation; resolves true when the operator confirms.
export function confirmDialog(title: string, body: Child, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'dialog', 'data-testid': 'confirm-dialog' },
      h('form', { method: 'dialog' },
        h('h2', null, title),
        h('div', { class: 'dialog-body' }, body),
        h('div', { class: 'actions' },
          h('button', { value: 'cancel', class: 'secondary' }, 'Cancel'),
          h('button', { value: 'confirm', class: 'danger', 'data-testid': 'confirm' }, confirmLabel),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

// Expiry: never, in a duration ("24h"), or at a date and time (local time).
export interface ExpiryPicker {
  element: HTMLFieldSetElement;
  // RFC 3339, null for "never"; throws Error with a message for bad input.
  value(nowMs: number): string | null;
}

export function expiryPicker(defaultChoice: 'never' | 'in' = 'never', defaultDuration = '24h'): ExpiryPicker {
  const name = `expiry-${Math.random().toString(36).slice(2)}`;
  const never = h('input', { type: 'radio', name, value: 'never', checked: defaultChoice === 'never', 'data-testid': 'expiry-never' });
  const inRadio = h('input', { type: 'radio', name, value: 'in', checked: defaultChoice === 'in', 'data-testid': 'expiry-in' });
  const atRadio = h('input', { type: 'radio', name, value: 'at', 'data-testid': 'expiry-at' });
  const duration = h('input', {
    type: 'text', value: defaultDuration, size: 8, 'aria-label': 'expires in', 'data-testid': 'expiry-duration',
    placeholder: '24h',
  });
  const at = h('input', { type: 'datetime-local', step: 1, 'aria-label': 'expires at', 'data-testid': 'expiry-datetime' });
  duration.addEventListener('focus', () => (inRadio.checked = true));
  at.addEventListener('focus', () => (atRadio.checked = true));
  const element = h(
    'fieldset',
    { class: 'expiry', 'data-field': 'expires_at' },
    h('legend', null, 'Expiry'),
    h('label', null, never, ' Never'),
    h('label', null, inRadio, ' Expires in ', duration, h('span', { class: 'muted' }, ' (90s, 30m, 24h, 7d)')),
    h('label', null, atRadio, ' Expires at ', at, h('span', { class: 'muted' }, ' (your local time)')),
  );
  return {
    element,
    value(nowMs: number): string | null {
      if (never.checked) return null;
      if (inRadio.checked) {
        const ms = parseDuration(duration.value);
        if (ms === null) throw new FormError(`"${duration.value}" is not a duration: write it like 90s, 30m, 24h or 7d`, 'expires_at');
        return toRfc3339(nowMs + ms);
      }
      const t = Date.parse(at.value);
      if (!at.value || Number.isNaN(t)) throw new FormError('pick a date and time for the expiry', 'expires_at');
      return toRfc3339(t);
    },
  };
}

export function badge(text: string, kind = ''): HTMLSpanElement {
  return h('span', { class: `badge ${kind}`.trim() }, text);
}
