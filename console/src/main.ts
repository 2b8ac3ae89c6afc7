// The console's entry: routing inside /console (edge falls back to
// index.html for these paths), the in-memory sign-in, and rendering.
import './styles.css';
import { AdminClient } from './api';
import { appPath, BASE, isAuthError, matchRoute, type App } from './app';
import { h, replace } from './dom';
import { accountView } from './views/account';
import { accountsView } from './views/accounts';
import { newServerView } from './views/new_server';
import { signInView } from './views/signin';
import { page } from './components';

const root = document.getElementById('app')!;
let client: AdminClient | null = null;
let renderCount = 0;

const app: App = {
  root,
  client() {
    if (!client) throw new Error('not signed in');
    return client;
  },
  navigate(path: string) {
    history.pushState(null, '', BASE + path);
    void render();
  },
  show(view: HTMLElement, path: string) {
    renderCount++;
    history.replaceState(null, '', BASE + path);
    replace(root, view);
    window.scrollTo(0, 0);
  },
  signOut(message?: string) {
    client = null;
    void render(message);
  },
  handleAuthError(error: unknown) {
    if (!isAuthError(error)) return false;
    app.signOut(`Signed out: ${(error as Error).message}`);
    return true;
  },
};

async function signIn(token: string): Promise<void> {
  const candidate = new AdminClient(token, (input, init) => fetch(input, init));
  await candidate.request('GET', '/integrated-account?limit=1'); // throws the API's 401 verbatim
  client = candidate;
  await render();
}

async function render(notice?: string): Promise<void> {
  const mine = ++renderCount;
  if (!client) {
    replace(root, signInView(signIn, notice));
    document.title = 'Sign in · caspio-mcp';
    return;
  }
  const route = matchRoute(appPath(location.pathname));
  let view: HTMLElement;
  switch (route.name) {
    case 'accounts':
      view = await accountsView(app);
      break;
    case 'account':
      view = await accountView(app, route.accountId, route.tab, location.search);
      break;
    case 'new-server':
      view = await newServerView(app, route.accountId);
      break;
    default:
      view = page(app, 'Not found', h('p', null, `No page at ${route.path}. `, h('a', { href: `${BASE}/`, 'data-link': true }, 'Accounts')));
  }
  if (mine !== renderCount || !client) return; // a newer render or a sign-out won
  replace(root, view);
  document.title = `${view.querySelector('.topbar-title')?.textContent ?? 'Console'} · caspio-mcp`;
  window.scrollTo(0, 0);
}

// In-app links navigate without reloading (a reload would sign out).
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const link = (event.target as Element | null)?.closest('a[data-link]') as HTMLAnchorElement | null;
  if (!link) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  app.navigate(appPath(url.pathname) + url.search);
});
window.addEventListener('popstate', () => void render());

void render();
