// Who is signed in. Filled at start from GET /api/v1/auth/me and by the login page.
import type { Session } from './api';

let current: Session | null = null;

export function session(): Session | null {
  return current;
}

export function setSession(next: Session | null): void {
  current = next;
}
