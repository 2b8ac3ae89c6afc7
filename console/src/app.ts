// What every view gets: the signed-in admin client, navigation inside
// /console, and sign-out. The admin token never leaves the AdminClient.
import { AdminClient, ApiError } from './api';

export const BASE = '/console';

export interface App {
  readonly root: HTMLElement;
  client(): AdminClient;
  navigate(path: string): void;
  // Shows a view that has no route of its own (the URL shown once) and sets
  // the address bar to `path` without rendering it.
  show(view: HTMLElement, path: string): void;
  signOut(message?: string): void;
  // Errors that mean "not signed in any more" end the session; returns true then.
  handleAuthError(error: unknown): boolean;
}

export function isAuthError(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

// "/console/accounts/x" -> "/accounts/x"; anything outside /console -> "/".
export function appPath(pathname: string): string {
  if (pathname === BASE || pathname === `${BASE}/`) return '/';
  if (pathname.startsWith(`${BASE}/`)) return pathname.slice(BASE.length);
  return '/';
}

export type AccountTab = 'servers' | 'log' | 'tools';

export type Route =
  | { name: 'accounts' }
  | { name: 'account'; accountId: string; tab: AccountTab }
  | { name: 'new-server'; accountId: string }
  | { name: 'not-found'; path: string };

export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'accounts')) return { name: 'accounts' };
  if (parts[0] === 'accounts' && parts.length >= 2) {
    const accountId = parts[1]!;
    if (parts.length === 2 || (parts.length === 3 && parts[2] === 'servers')) return { name: 'account', accountId, tab: 'servers' };
    if (parts.length === 3 && parts[2] === 'tools') return { name: 'account', accountId, tab: 'tools' };
    if (parts.length === 3 && parts[2] === 'log') return { name: 'account', accountId, tab: 'log' };
    if (parts.length === 4 && parts[2] === 'servers' && parts[3] === 'new') return { name: 'new-server', accountId };
  }
  return { name: 'not-found', path };
}

export function accountPath(accountId: string, suffix = ''): string {
  return `/accounts/${encodeURIComponent(accountId)}${suffix}`;
}
