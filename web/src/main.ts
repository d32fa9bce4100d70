// The app shell: header (brand, menu, language, user), the routed page in <main>, and the
// wiring of session, language and navigation.
import 'leaflet/dist/leaflet.css';
import './style.css';

import { api, ApiError, onUnauthenticated } from './api';
import { h, replace } from './dom';
import { locale, onLocaleChange, setLocale, t, tCode, type StringKey } from './i18n';
import { auditPage } from './pages/audit';
import { dashboardPage } from './pages/dashboard';
import { dataPage } from './pages/data';
import { loginPage } from './pages/login';
import { mapPage } from './pages/map';
import { forbiddenPage, notFoundPage } from './pages/not_found';
import { personPage } from './pages/person';
import { printQueuePage } from './pages/print_queue';
import { importPage } from './pages/import';
import { personEditPage } from './pages/person_edit';
import { usersPage } from './pages/users';
import { aidPage } from './pages/aid';
import { aidCyclePage } from './pages/aid_cycle';
import { handoverPage } from './pages/handover';
import { serviceScanPage } from './pages/service_scan';
import { voucherPage } from './pages/voucher';
import { merchantsPage } from './pages/merchants';
import { duplicatePairPage, duplicatesPage } from './pages/duplicates';
import { reportPage } from './pages/report';
import { provincePage } from './pages/province';
import { interceptLinks, match, navigate, onNavigate, type Render, type Route } from './router';
import { forgetKeptAreas } from './areas';
import { rememberedSession, session, setSession, onUserChange } from './session';
import { connectionIndicator, isOnline, onConnectionChange } from './connection';
import {
  keptFor,
  lock,
  pendingCount,
  startDevice,
  clearDrafts,
  lockedForOtherSession,
  onDeviceChange,
  ownsDeviceData,
  unlocked,
  unlockOffline,
  unlockOnline,
  wipeDevice,
} from './offline/device';
import { visitPage } from './pages/visit';
import { syncPage } from './pages/sync';
import { conflictPage, conflictsPage } from './pages/conflicts';
import { previousPasswordPanel } from './pages/rekey';
import { isOfflineSession, setOfflineSession } from './session';

const writers = ['admin', 'operator'];
const readers = ['admin', 'operator', 'auditor', 'viewer'];
const deliverers = ['admin', 'penyalur'];
const redeemers = ['admin', 'merchant'];
const auditors = ['admin', 'auditor'];
/// Roles that keep data on the device for offline work (docs/sync.md "Pulling").
const fieldRoles = ['admin', 'operator', 'auditor', 'viewer', 'penyalur'];
const conflictReaders = ['admin', 'operator', 'auditor'];
const reviewers = ['admin', 'operator', 'auditor'];

/// The card verifier and its QR, CBOR, zlib and Ed25519 libraries load only when it is opened.
const lazyVerifyPage: Render = (root) => {
  let cleanupPage: (() => void) | undefined;
  let gone = false;
  const navigated = !firstRender;
  root.textContent = t('app.loading');
  void import('./pages/verify').then((m) => {
    if (!gone) {
      cleanupPage = m.verifyPage(root);
      // The shell focuses a new page's heading, which did not exist yet: do it now.
      const heading = root.querySelector('h1');
      if (heading && navigated && !root.contains(document.activeElement)) {
        heading.setAttribute('tabindex', '-1');
        heading.focus();
      }
    }
  });
  return () => {
    gone = true;
    cleanupPage?.();
  };
};

const routes: Route[] = [
  { path: '/masuk', title: 'login.title', render: loginPage, public: true },
  { path: '/verifikasi', title: 'verify.title', render: lazyVerifyPage, public: true },
  { path: '/peta', title: 'map.title', render: mapPage, nav: '/peta', roles: readers },
  { path: '/data', title: 'data.title', render: dataPage, nav: '/data', roles: readers },
  { path: '/dasbor', title: 'dash.title', render: dashboardPage, nav: '/dasbor', roles: readers },
  { path: '/laporan', title: 'report.title', render: reportPage, nav: '/laporan', roles: readers },
  {
    path: '/tambah',
    title: 'form.title.new',
    render: personEditPage,
    nav: '/tambah',
    roles: writers,
  },
  { path: '/impor', title: 'import.title', render: importPage, nav: '/impor', roles: writers },
  {
    path: '/pengguna',
    title: 'users.title',
    render: usersPage,
    nav: '/pengguna',
    roles: ['admin'],
  },
  { path: '/cetak', title: 'print.title', render: printQueuePage, nav: '/cetak', roles: writers },
  { path: '/bantuan', title: 'aid.title', render: aidPage, nav: '/bantuan', roles: readers },
  {
    path: '/bantuan/tahap/:id',
    title: 'cycle.title',
    render: aidCyclePage,
    nav: '/bantuan',
    roles: readers,
  },
  {
    path: '/penyaluran',
    title: 'handover.title',
    render: handoverPage,
    nav: '/penyaluran',
    roles: deliverers,
  },
  {
    path: '/layanan',
    title: 'svcscan.title',
    render: serviceScanPage,
    nav: '/layanan',
    roles: writers,
  },
  {
    path: '/voucher',
    title: 'voucher.title',
    render: voucherPage,
    nav: '/voucher',
    roles: redeemers,
  },
  {
    path: '/ewarong',
    title: 'merchants.title',
    render: merchantsPage,
    nav: '/ewarong',
    roles: readers,
  },
  { path: '/audit', title: 'audit.title', render: auditPage, nav: '/audit', roles: auditors },
  // A province instance's page (docs/province.md); no menu entry: a city has nothing there.
  {
    path: '/provinsi',
    title: 'prov.title',
    render: provincePage,
    nav: '/provinsi',
    roles: ['admin', 'auditor', 'viewer'],
  },
  {
    path: '/duplikat',
    title: 'dup.title',
    render: duplicatesPage,
    nav: '/duplikat',
    roles: reviewers,
  },
  {
    path: '/duplikat/:id',
    title: 'dup.pair.title',
    render: duplicatePairPage,
    nav: '/duplikat',
    roles: reviewers,
  },
  {
    path: '/kunjungan',
    title: 'visit.title',
    render: visitPage,
    nav: '/kunjungan',
    roles: readers,
  },
  { path: '/sinkron', title: 'sync.title', render: syncPage, nav: '/sinkron', roles: fieldRoles },
  {
    path: '/konflik',
    title: 'conflict.title',
    render: conflictsPage,
    nav: '/konflik',
    roles: conflictReaders,
  },
  {
    path: '/konflik/:id',
    title: 'conflict.title',
    render: conflictPage,
    nav: '/konflik',
    roles: conflictReaders,
  },
  { path: '/orang/:id', title: 'person.title', render: personPage, nav: '/data', roles: readers },
  {
    path: '/orang/:id/ubah',
    title: 'form.title.edit',
    render: personEditPage,
    nav: '/data',
    roles: writers,
  },
];

/// The menu. A province instance has no persons of its own: it shows the items marked for it.
const navItems: { path: string; label: StringKey; roles?: string[]; province?: boolean }[] = [
  {
    path: '/provinsi',
    label: 'nav.province',
    roles: ['admin', 'auditor', 'viewer'],
    province: true,
  },
  { path: '/peta', label: 'nav.map', roles: readers },
  { path: '/data', label: 'nav.data', roles: readers },
  { path: '/dasbor', label: 'nav.dashboard', roles: readers },
  { path: '/laporan', label: 'nav.report', roles: readers },
  { path: '/bantuan', label: 'nav.aid', roles: readers },
  { path: '/penyaluran', label: 'nav.handover', roles: deliverers },
  { path: '/layanan', label: 'nav.services', roles: writers },
  { path: '/voucher', label: 'nav.voucher', roles: redeemers },
  { path: '/ewarong', label: 'nav.merchants', roles: readers },
  { path: '/kunjungan', label: 'nav.visit', roles: readers },
  { path: '/tambah', label: 'nav.add', roles: writers },
  { path: '/impor', label: 'nav.import', roles: writers },
  { path: '/cetak', label: 'nav.print', roles: writers },
  { path: '/pengguna', label: 'nav.users', roles: ['admin'], province: true },
  { path: '/duplikat', label: 'nav.duplicates', roles: reviewers },
  { path: '/audit', label: 'nav.audit', roles: auditors, province: true },
  { path: '/sinkron', label: 'nav.sync', roles: fieldRoles },
  { path: '/konflik', label: 'nav.conflicts', roles: conflictReaders },
];

/// Whether the instance signed in to is a province's.
function provinceInstance(): boolean {
  return session()?.instance === 'province';
}

/// The first page of a role: the penyalur's is the handover page; a province's is Provinsi.
function homeOf(role: string, province = provinceInstance()): string {
  if (province) {
    return '/provinsi';
  }
  if (role === 'merchant') {
    return '/voucher';
  }
  return role === 'penyalur' ? '/penyaluran' : '/peta';
}

const app = document.getElementById('app') as HTMLElement;
let cleanup: (() => void) | void;
let firstRender = true;

function header(activeNav: string | undefined): HTMLElement {
  const s = session();
  const other = locale() === 'id' ? 'en' : 'id';
  return h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: s ? homeOf(s.user.role) : '/masuk' }, t('app.name')),
    s &&
      h(
        'nav',
        { 'aria-label': t('nav.label'), class: 'app-nav' },
        h(
          'ul',
          null,
          navItems
            .filter((item) => !item.roles || item.roles.includes(s.user.role))
            .filter((item) => !provinceInstance() || item.province === true)
            .map((item) =>
              h(
                'li',
                null,
                h(
                  'a',
                  { href: item.path, 'aria-current': activeNav === item.path ? 'page' : null },
                  t(item.label),
                ),
              ),
            ),
        ),
      ),
    h(
      'div',
      { class: 'header-tools' },
      connectionIndicator(),
      h(
        'button',
        {
          type: 'button',
          class: 'lang-toggle',
          lang: other,
          'aria-label': t('nav.language.label'),
          onclick: () => setLocale(other),
        },
        t('nav.language'),
      ),
      s &&
        h(
          'span',
          { class: 'user' },
          t('nav.signed_in_as', {
            name: s.user.display_name || s.user.username,
            role: tCode('role', s.user.role),
          }),
        ),
      s &&
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: async () => {
              // Signing out wipes the device's data when it is this user's: say so first when
              // changes still wait. Another user's data (waiting for that user to send it) stays.
              const mine = ownsDeviceData(keptFor(), s.user.username);
              const waiting = mine ? await pendingCount() : 0;
              if (
                waiting > 0 &&
                !window.confirm(t('offline.signout.confirm', { count: waiting }))
              ) {
                return;
              }
              try {
                await api.logout();
              } catch (e) {
                // Signed out here either way; offline, the server's session is ended at the
                // next start (so that the cookie cannot sign the next person in).
                if (e instanceof ApiError && e.network) {
                  rememberLogout(true);
                }
              }
              if (mine) {
                await wipeDevice();
              } else {
                lock();
                clearDrafts();
              }
              setOfflineSession(false);
              setSession(null);
              navigate('/masuk');
            },
          },
          t('nav.logout'),
        ),
    ),
  );
}

function render(): void {
  if (cleanup) {
    cleanup();
    cleanup = undefined;
  }
  if (location.pathname === '/' || location.pathname === '') {
    navigate(session() ? homeOf(session()!.user.role) : '/masuk', true);
    return;
  }
  const found = match(routes, location);
  if (found && !found.route.public && !session()) {
    const next = location.pathname + location.search;
    navigate(`/masuk?next=${encodeURIComponent(next)}`, true);
    return;
  }
  if (found?.route.path === '/masuk' && session()) {
    navigate(homeOf(session()!.user.role), true);
    return;
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  replace(
    app,
    h('a', { class: 'skip-link', href: '#main' }, t('app.skip')),
    header(found?.route.nav),
    unlockBanner(),
    main,
  );
  document.documentElement.lang = locale();
  document.title = `${t(found ? found.route.title : 'app.not_found.title')} — ${t('app.name')}`;
  const allowed = !found?.route.roles || found.route.roles.includes(session()?.user.role ?? '');
  cleanup = !found
    ? notFoundPage(main)
    : allowed
      ? found.route.render(main, found.context)
      : forbiddenPage(main);
  if (!firstRender) {
    // Tell screen readers that the page changed: focus its heading.
    const heading = main.querySelector('h1');
    if (heading && !main.contains(document.activeElement)) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }
  firstRender = false;
}

/// Signed in (the server knows the user: a reload keeps the session cookie) but the device's
/// store is locked, as the key lives in memory only: the password opens it again.
function unlockBanner(): HTMLElement | null {
  const s = session();
  if (!s || unlocked() || !fieldRoles.includes(s.user.role) || provinceInstance()) {
    return null;
  }
  // Only when this user's data is kept (a new sign-in sets it up; nagging every reader to set
  // up offline work on every reload would be noise).
  const kept = keptFor();
  if (!ownsDeviceData(kept, s.user.username)) {
    return null;
  }
  const password = h('input', {
    type: 'password',
    id: 'unlock-password',
    autocomplete: 'current-password',
    'aria-describedby': 'unlock-error',
  });
  const other = lockedForOtherSession();
  const message = h('p', { class: 'field-error', role: 'alert', id: 'unlock-error' });
  const submit = h('button', { type: 'submit', class: 'button' }, t('offline.unlock.submit'));
  const form = h(
    'form',
    { class: 'unlock-banner', 'aria-labelledby': 'unlock-intro', novalidate: true },
    h('p', { id: 'unlock-intro' }, t('offline.locked')),
    other &&
      h('p', { class: 'notice', id: 'unlock-other' }, t('offline.other_session', { user: other })),
    h('label', { for: password.id }, t('offline.unlock.password')),
    password,
    submit,
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!password.value) {
      password.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('offline.unlock.busy');
    message.textContent = '';
    let ok = false;
    try {
      // Online, the server checks the password (and the session is renewed); offline, the
      // store opens with it or not.
      const fresh = await api.login(s.user.username, password.value);
      setSession(fresh);
      const opened = await unlockOnline(s.user.username, password.value, fresh);
      if (opened === 'needs_previous') {
        // Changed on the server meanwhile: the previous password opens what waits here.
        form.replaceWith(previousPasswordPanel(render));
        return;
      }
      ok = opened === 'unlocked';
    } catch (e) {
      if (e instanceof ApiError && e.network) {
        ok = typeof (await unlockOffline(s.user.username, password.value)) === 'object';
      }
    }
    if (!ok) {
      submit.disabled = false;
      submit.textContent = t('offline.unlock.submit');
      message.textContent = t('offline.unlock.wrong');
      password.value = '';
      password.focus();
      return;
    }
    render();
  });
  return form;
}

const logoutKey = 'kapal.logout_pending';

function rememberLogout(pending: boolean): void {
  try {
    if (pending) {
      localStorage.setItem(logoutKey, '1');
    } else {
      localStorage.removeItem(logoutKey);
    }
  } catch {
    // No storage: nothing to remember.
  }
}

/// A sign-out made offline: end the server's session now that it may be reachable.
async function finishLogout(): Promise<void> {
  let pending = false;
  try {
    pending = localStorage.getItem(logoutKey) === '1';
  } catch {
    return;
  }
  if (!pending) {
    return;
  }
  try {
    await api.logout();
    rememberLogout(false);
  } catch (e) {
    if (!(e instanceof ApiError && e.network)) {
      rememberLogout(false);
    }
  }
}

async function start(): Promise<void> {
  document.documentElement.lang = locale();
  await startDevice();
  await finishLogout();
  interceptLinks();
  onNavigate(render);
  onLocaleChange(render);
  onUnauthenticated(() => {
    if (!session()) {
      return;
    }
    setSession(null);
    const next = location.pathname + location.search;
    navigate(`/masuk?expired=1&next=${encodeURIComponent(next)}`, true);
  });
  onUserChange(forgetKeptAreas);
  // Another user, or the session ended: the key leaves memory (the data stays, encrypted).
  onUserChange(lock);
  // The device locked itself (the browser's cookie is another user's): show the banner that
  // says so and asks for the password.
  onDeviceChange(() => {
    if (lockedForOtherSession() && !unlocked() && !document.querySelector('.unlock-banner')) {
      render();
    }
  });
  onConnectionChange((online) => {
    if (online && isOfflineSession()) {
      void checkSession();
    }
  });
  try {
    const s = await api.me();
    setSession(s);
    if (!s) {
      forgetKeptAreas();
    }
  } catch (e) {
    if (!(e instanceof ApiError)) {
      throw e;
    }
    // Server unreachable: offline, the user signed in in this tab before keeps working with
    // the app shell and the cached areas (docs/web.md, "Offline: the app shell"); otherwise the
    // login page, which reports it when the user tries.
    const remembered = e.network && !isOnline() ? rememberedSession() : null;
    if (remembered && ownsDeviceData(keptFor(), remembered.user.username)) {
      // The device keeps this user's data, encrypted: signing in with the password opens it.
      const next = location.pathname + location.search;
      history.replaceState(null, '', `/masuk?unlock=1&next=${encodeURIComponent(next)}`);
      setSession(null);
    } else {
      setOfflineSession(remembered !== null);
      setSession(remembered);
    }
  }
  render();
  registerServiceWorker();
}

/// Back online after opening offline: ask the server who is signed in (and for the CSRF token).
async function checkSession(): Promise<void> {
  try {
    const s = await api.me();
    setOfflineSession(false);
    setSession(s);
    if (!s) {
      const next = location.pathname + location.search;
      navigate(`/masuk?expired=1&next=${encodeURIComponent(next)}`, true);
    }
  } catch {
    // Still unreachable: the next 'online' event tries again.
  }
}

/// The service worker (src/sw/worker.ts, built as /sw.js) in production builds only: the dev
/// server's modules are not hashed files the worker could keep.
function registerServiceWorker(): void {
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // No worker (an insecure origin, a browser setting): the app works online as before.
    });
  }
}

void start();
