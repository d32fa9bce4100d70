// Routes of the single-page app. The server answers index.html for any path without a dot
// (src/kapal/http/static_files.cpp), so the app uses real paths (/peta, /data, /orang/ID).
// A page is a function that fills `root` and may return a clean-up function; adding a page
// (Tambah, Impor, Dasbor, Pengguna) is one entry in `routes` (main.ts) and one catalogue title.
import type { StringKey } from './i18n';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
}

export type Render = (root: HTMLElement, context: RouteContext) => void | (() => void);

export interface Route {
  path: string; // "/orang/:id"
  title: StringKey;
  render: Render;
  /// Shown without a session (the login page).
  public?: boolean;
  /// The nav entry it highlights.
  nav?: string;
  /// Only these roles may open it (others are told so); every signed-in role when absent.
  roles?: string[];
}

export interface Match {
  route: Route;
  context: RouteContext;
}

export function match(routes: Route[], location: Location | URL): Match | null {
  const parts = location.pathname.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) {
      continue;
    }
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      if (p.startsWith(':')) {
        params[p.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return p === parts[i];
    });
    if (ok) {
      return { route, context: { params, query: new URLSearchParams(location.search) } };
    }
  }
  return null;
}

const navigateListeners = new Set<() => void>();

export function onNavigate(fn: () => void): void {
  navigateListeners.add(fn);
}

/// Goes to `path` (with its query) and renders it; `replace` keeps the history entry.
export function navigate(path: string, replace = false): void {
  if (replace) {
    history.replaceState(null, '', path);
  } else {
    history.pushState(null, '', path);
  }
  navigateListeners.forEach((fn) => fn());
}

/// Same-origin links navigate inside the app instead of loading the page again.
export function interceptLinks(): void {
  window.addEventListener('popstate', () => navigateListeners.forEach((fn) => fn()));
  document.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    const a = (event.target as Element | null)?.closest?.('a');
    if (
      !a ||
      a.target ||
      a.hasAttribute('download') ||
      a.origin !== location.origin ||
      a.pathname.startsWith('/api/') ||
      a.pathname.startsWith('/ogc')
    ) {
      return;
    }
    if (a.pathname === location.pathname && a.search === location.search && a.hash) {
      return; // an anchor on this page, such as the skip link
    }
    event.preventDefault();
    navigate(a.pathname + a.search + a.hash);
  });
}
