// Who is signed in. Filled at start from GET /api/v1/auth/me and by the login page. Whatever
// was loaded for one user (area names, the map's view) is forgotten when the user changes.
import type { Session } from './api';

let current: Session | null = null;
// Who is signed in in this tab, kept in sessionStorage (gone with the tab) so that the app can
// open without a connection: the user and the instance, never the CSRF token.
const rememberKey = 'kapal.session';
const listeners = new Set<() => void>();
const setListeners = new Set<() => void>();

export function session(): Session | null {
  return current;
}

export function setSession(next: Session | null): void {
  // Signing out (or the session ending) forgets; the first sign-in of a page load does not, so
  // that a reload keeps the map where it was.
  const changed = current !== null && current.user.id !== next?.user.id;
  current = next;
  try {
    if (next) {
      sessionStorage.setItem(
        rememberKey,
        JSON.stringify({ user: next.user, instance: next.instance, csrf_token: '' }),
      );
    } else {
      sessionStorage.removeItem(rememberKey);
    }
  } catch {
    // No storage (private mode, full): the app then needs the server to open.
  }
  if (changed) {
    listeners.forEach((fn) => fn());
  }
  setListeners.forEach((fn) => fn());
}

/// `fn` runs whenever the session is set (a sign-in, the server's answer at start, sign-out).
export function onSessionSet(fn: () => void): void {
  setListeners.add(fn);
}

/// `fn` runs when the signed-in user signs out or is replaced by another.
export function onUserChange(fn: () => void): void {
  listeners.add(fn);
}

/// Who was signed in in this tab when the server last answered (without the CSRF token), or
/// null. For opening the app offline only: the server still decides on every request.
export function rememberedSession(): Session | null {
  try {
    const text = sessionStorage.getItem(rememberKey);
    const s = text ? (JSON.parse(text) as Session) : null;
    return s && typeof s.user?.id === 'string' && typeof s.user.role === 'string' ? s : null;
  } catch {
    return null;
  }
}

/// True while the session was opened without the server (from the remembered tab or the
/// device's encrypted store), until the server confirms who is signed in.
let offlineSession = false;

export function isOfflineSession(): boolean {
  return offlineSession;
}

export function setOfflineSession(flag: boolean): void {
  offlineSession = flag;
}
