// Masuk: user name and password. Errors are shown at the field (missing input) and in an
// alert above the form (wrong password, throttled, server unreachable), read by screen readers.
import { api, ApiError, type Session } from '../api';
import { h, replace } from '../dom';
import { t, tCode } from '../i18n';
import { navigate, type RouteContext } from '../router';
import { keptFor, unlockOffline, unlockOnline } from '../offline/device';
import { setOfflineSession, setSession } from '../session';
import { previousPasswordPanel } from './rekey';

/// Roles the app serves (the merchant gets its pages with vouchers).
const supportedRoles = new Set(['admin', 'operator', 'auditor', 'viewer', 'penyalur', 'merchant']);

function field(
  id: string,
  label: string,
  input: HTMLInputElement,
): {
  row: HTMLElement;
  setError: (message: string | null) => void;
} {
  const error = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  input.id = id;
  input.name = id;
  const row = h('div', { class: 'field' }, h('label', { for: id }, label), input, error);
  return {
    row,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = message === null;
      if (message === null) {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      } else {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', error.id);
      }
    },
  };
}

export function loginPage(root: HTMLElement, context: RouteContext): void {
  const username = h('input', {
    type: 'text',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
  });
  const password = h('input', {
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const user = field('username', t('login.username'), username);
  const pass = field('password', t('login.password'), password);
  const show = h('input', { type: 'checkbox', id: 'show-password' });
  show.addEventListener('change', () => {
    password.type = show.checked ? 'text' : 'password';
  });
  const alert = h('div', { class: 'alert', role: 'alert', id: 'login-alert' });
  const notice = h('p', { class: 'notice', role: 'status', id: 'login-notice' });
  if (context.query.get('expired')) {
    alert.textContent = t('app.session_expired');
  } else if (context.query.get('unlock')) {
    // Opened offline with the device's data locked: signing in with the password opens it.
    notice.textContent = t('offline.login.unlock');
    username.value = keptFor() ?? '';
  }
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));

  const form = h(
    'form',
    { class: 'login-form', novalidate: true },
    user.row,
    pass.row,
    h(
      'div',
      { class: 'field checkbox' },
      show,
      h('label', { for: 'show-password' }, t('login.show_password')),
    ),
    submit,
  );

  /// To the page asked for, or the role's first page (offline: the visit list, which works from
  /// the device's data, instead of the map).
  function goOn(s: Session, offline = false): void {
    const next = context.query.get('next');
    const home =
      offline && s.user.role !== 'penyalur'
        ? '/kunjungan'
        : s.instance === 'province'
          ? '/provinsi'
          : s.user.role === 'penyalur'
            ? '/penyaluran'
            : s.user.role === 'merchant'
              ? '/voucher'
              : '/peta';
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : home, true);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.textContent = '';
    const missingUser = username.value.trim() === '';
    const missingPass = password.value === '';
    user.setError(missingUser ? t('login.required.username') : null);
    pass.setError(missingPass ? t('login.required.password') : null);
    if (missingUser || missingPass) {
      (missingUser ? username : password).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.submitting');
    form.setAttribute('aria-busy', 'true');
    try {
      const s = await api.login(username.value.trim(), password.value);
      if (!supportedRoles.has(s.user.role)) {
        await api.logout();
        alert.textContent = t('login.role_not_supported', { role: tCode('role', s.user.role) });
        return;
      }
      setOfflineSession(false);
      try {
        // A sign-out made offline earlier has nothing left to end: this is a new session.
        localStorage.removeItem('kapal.logout_pending');
      } catch {
        // No storage.
      }
      setSession(s);
      // The device's encrypted store opens with the same password (docs/sync.md).
      // Under the name the server knows (lower case), not as typed: the same store whatever
      // the case the user typed, and the same name keptFor() and the sign-out compare.
      const opened = await unlockOnline(s.user.username, password.value, s);
      if (opened === 'needs_previous') {
        // The password was changed on the server while changes wait on this device, locked
        // with the previous one: ask for it (or let the user delete them), then go on.
        password.value = '';
        form.replaceWith(previousPasswordPanel(() => goOn(s)));
        return;
      }
      goOn(s);
    } catch (e) {
      if (e instanceof ApiError && e.network) {
        // The server cannot be reached: the device's store opens with this password, or not.
        // The server keeps user names in lower case: the store is kept under that name.
        const opened = await unlockOffline(username.value.trim().toLowerCase(), password.value);
        if (typeof opened === 'object') {
          setOfflineSession(true);
          setSession(opened);
          goOn(opened, true);
          return;
        }
        alert.textContent = t(
          opened === 'wrong_password' ? 'login.wrong' : 'offline.login.no_data',
        );
        if (opened === 'wrong_password') {
          password.value = '';
          password.focus();
        }
        return;
      }
      if (e instanceof ApiError && e.status === 401) {
        alert.textContent = t('login.wrong');
        password.value = '';
        password.focus();
      } else if (e instanceof ApiError && e.code === 'user.disabled') {
        alert.textContent = t('login.disabled');
      } else if (e instanceof ApiError && e.status === 429) {
        alert.textContent = t('login.throttled', { seconds: e.retryAfterS ?? 60 });
      } else {
        alert.textContent = t('app.error.generic', {
          message: e instanceof Error ? e.message : String(e),
        });
      }
    } finally {
      if (submit.isConnected) {
        submit.disabled = false;
        submit.textContent = t('login.submit');
        form.removeAttribute('aria-busy');
      }
    }
  });

  replace(
    root,
    h(
      'div',
      { class: 'page narrow login' },
      h('h1', null, t('login.title')),
      h('p', { class: 'tagline' }, t('app.tagline')),
      h('p', null, t('login.intro')),
      notice,
      alert,
      form,
      h('p', { class: 'login-verify' }, h('a', { href: '/verifikasi' }, t('verify.login_link'))),
    ),
  );
  username.focus();
}
