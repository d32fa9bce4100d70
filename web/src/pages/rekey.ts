// The step after a sign-in online whose new password does not open the device's store while
// changes not yet sent wait in it (the password was changed on the server meanwhile; docs/web.md
// "Offline: work on the device"): the previous password opens the store, which is then re-keyed
// under the new one and sent; or the user deletes the device's data, warned of what is lost.
// Used by Masuk and by the unlock banner of a reloaded page.
import { h } from '../dom';
import { t } from '../i18n';
import { discardPrevious, unlockWithPrevious, waitingUnderPrevious } from '../offline/device';

/// The panel; `done` runs once the store is open (re-keyed, or new after discarding).
export function previousPasswordPanel(done: () => void): HTMLElement {
  const waiting = waitingUnderPrevious() ?? { ops: 0, drafts: 0 };
  const count = waiting.ops;
  // What deleting loses, said the same way on the button, its warning and the confirmation.
  const lost =
    waiting.drafts > 0
      ? t('offline.rekey.lost_drafts', { count, drafts: waiting.drafts })
      : t('offline.rekey.lost', { count });
  const password = h('input', {
    type: 'password',
    id: 'previous-password',
    name: 'previous-password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'rekey-intro',
  });
  const error = h('p', { class: 'field-error', id: 'rekey-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('offline.rekey.submit'));
  const discard = h(
    'button',
    { type: 'button', class: 'secondary', 'aria-describedby': 'rekey-discard-warning' },
    t('offline.rekey.discard', { lost }),
  );
  const heading = h('h2', { id: 'rekey-h', tabindex: '-1' }, t('offline.rekey.heading'));

  function fail(message: string): void {
    error.textContent = message;
    password.setAttribute('aria-invalid', 'true');
    password.setAttribute('aria-describedby', 'rekey-intro rekey-error');
    password.value = '';
    password.focus();
  }

  function busy(on: boolean): void {
    submit.disabled = on;
    discard.disabled = on;
    submit.textContent = t(on ? 'offline.rekey.busy' : 'offline.rekey.submit');
    panel.setAttribute('aria-busy', String(on));
  }

  const form = h(
    'form',
    { class: 'rekey-form', novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: password.id }, t('offline.rekey.password')),
      password,
      error,
    ),
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!password.value) {
      fail(t('offline.rekey.wrong'));
      return;
    }
    busy(true);
    error.textContent = '';
    const result = await unlockWithPrevious(password.value);
    busy(false);
    if (result === 'unlocked') {
      done();
    } else {
      fail(t(result === 'wrong_password' ? 'offline.rekey.wrong' : 'offline.rekey.failed'));
    }
  });
  discard.addEventListener('click', async () => {
    if (!window.confirm(t('offline.rekey.discard_confirm', { lost }))) {
      return;
    }
    busy(true);
    const result = await discardPrevious();
    busy(false);
    if (result === 'unlocked') {
      done();
    } else {
      fail(t('offline.rekey.failed'));
    }
  });

  const panel = h(
    'section',
    { class: 'panel rekey', 'aria-labelledby': 'rekey-h', id: 'rekey' },
    heading,
    h(
      'p',
      { id: 'rekey-intro' },
      waiting.drafts > 0
        ? t('offline.rekey.intro_drafts', { count, drafts: waiting.drafts })
        : t('offline.rekey.intro', { count }),
    ),
    form,
    h('h3', null, t('offline.rekey.forgot')),
    h('p', { id: 'rekey-discard-warning' }, t('offline.rekey.discard_warning', { lost })),
    discard,
  );
  // The panel takes the place of what was focused (the sign-in form): start at the field.
  queueMicrotask(() => password.focus());
  return panel;
}
