// Who is signed in. Filled at start from GET /api/v1/auth/me and by the login page. Whatever
// was loaded for one user (area names, the map's view) is forgotten when the user changes.
import type { Session } from './api';

let current: Session | null = null;
const listeners = new Set<() => void>();

export function session(): Session | null {
  return current;
}

export function setSession(next: Session | null): void {
  // Signing out (or the session ending) forgets; the first sign-in of a page load does not, so
  // that a reload keeps the map where it was.
  const changed = current !== null && current.user.id !== next?.user.id;
  current = next;
  if (changed) {
    listeners.forEach((fn) => fn());
  }
}

/// `fn` runs when the signed-in user signs out or is replaced by another.
export function onUserChange(fn: () => void): void {
  listeners.add(fn);
}
