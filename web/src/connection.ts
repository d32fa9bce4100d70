// The header's connection indicator: "Daring"/"Luring" (online/offline) from navigator.onLine and
// its online/offline events, and how many changes wait to be sent (setPendingCount, for the
// offline queue of issue 11). One element for the whole page load, moved into each new header,
// so that it stays one live region and screen readers hear each change once.
import { h, replace } from './dom';
import { onLocaleChange, t } from './i18n';

let online = typeof navigator === 'undefined' ? true : navigator.onLine;
let pending = 0;
let element: HTMLElement | null = null;
const listeners = new Set<(online: boolean) => void>();

/// What the indicator says: the state, and the waiting changes when there are any (none: no
/// text at all, not "0").
export function connectionText(
  isOnline: boolean,
  waiting: number,
): {
  state: string;
  detail: string;
  pending: string;
} {
  return {
    state: t(isOnline ? 'net.online' : 'net.offline'),
    detail: t(isOnline ? 'net.online.detail' : 'net.offline.detail'),
    pending:
      waiting <= 0
        ? ''
        : waiting === 1
          ? t('net.pending.one')
          : t('net.pending.many', { count: waiting }),
  };
}

function update(): void {
  if (!element) {
    return;
  }
  const text = connectionText(online, pending);
  element.dataset.state = online ? 'online' : 'offline';
  element.title = text.detail;
  replace(
    element,
    h('span', { class: 'net-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'net-state' }, text.state),
    text.pending && h('span', { class: 'net-pending' }, text.pending),
  );
}

/// The indicator (created on the first call; the same element afterwards).
export function connectionIndicator(): HTMLElement {
  if (!element) {
    element = h('span', { class: 'net-status', role: 'status', 'aria-live': 'polite' });
    update();
  }
  return element;
}

/// Whether the browser says it has a network connection.
export function isOnline(): boolean {
  return online;
}

/// `fn` runs when the browser goes online or offline.
export function onConnectionChange(fn: (online: boolean) => void): void {
  listeners.add(fn);
}

/// How many changes wait on this device to be sent to the server. Nothing shows for 0. The
/// offline queue (issue 11, item 2) calls it; nothing else does yet.
export function setPendingCount(count: number): void {
  pending = Math.max(0, Math.floor(count));
  update();
}

function setOnline(next: boolean): void {
  if (next === online) {
    return;
  }
  online = next;
  update();
  listeners.forEach((fn) => fn(online));
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => setOnline(true));
  window.addEventListener('offline', () => setOnline(false));
  onLocaleChange(update);
}
