// Pengguna (admins): the accounts with role, areas and status; add an account (its generated
// password shown once), disable or enable one, reset a password (shown once, after a
// confirmation). Every change goes through the API, which checks the role and audits it.
import { api, ApiError, roles, type FieldIssue, type User } from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { h, replace, uid } from '../dom';
import { t, tCode } from '../i18n';
import { session } from '../session';

export function usersPage(root: HTMLElement): () => void {
  let disposed = false;
  let names: { kecamatan: AreaName[]; kelurahan: AreaName[] } = { kecamatan: [], kelurahan: [] };
  let kota: AreaName[] = [];
  const status = h('div', { class: 'notice', role: 'status', id: 'users-status' });
  const alert = h('div', { class: 'alert', role: 'alert', id: 'users-alert', tabindex: '-1' });
  const secret = h('div', { class: 'secret-box' });
  const tableBox = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  const formBox = h('div');

  function areaText(codes: string[]): string {
    if (codes.length === 0) {
      return t('users.areas.all');
    }
    return codes
      .map((c) => nameOf(kota, nameOf(names.kecamatan, nameOf(names.kelurahan, c))))
      .join(', ');
  }

  function failed(e: unknown): void {
    if (disposed || (e instanceof ApiError && e.status === 401)) {
      return;
    }
    alert.textContent =
      e instanceof ApiError && e.network
        ? t('app.error.network')
        : t('users.error', {
            title:
              e instanceof ApiError
                ? [e.title, ...e.fields.map((f) => `${f.field}: ${f.message}`)].join(' — ')
                : String(e),
          });
    alert.focus();
  }

  function showPassword(username: string, password: string): void {
    const heading = h(
      'h2',
      { tabindex: '-1', id: 'secret-heading' },
      t('users.password.heading', { username }),
    );
    replace(
      secret,
      h(
        'section',
        { class: 'panel secret', 'aria-labelledby': 'secret-heading' },
        heading,
        h('p', null, h('code', { class: 'password', id: 'new-password' }, password)),
        h('p', null, t('users.password.note')),
      ),
    );
    heading.focus();
  }

  async function load(): Promise<void> {
    try {
      const list = await api.users();
      if (!disposed) {
        tableBox.removeAttribute('aria-busy');
        replace(tableBox, table(list.items));
      }
    } catch (e) {
      failed(e);
    }
  }

  function table(users: User[]): HTMLElement {
    const me = session()?.user.username;
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data-table', id: 'users-table' },
        h('caption', null, t('users.table.caption')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('users.col.username')),
            h('th', { scope: 'col' }, t('users.col.name')),
            h('th', { scope: 'col' }, t('users.col.role')),
            h('th', { scope: 'col' }, t('users.col.areas')),
            h('th', { scope: 'col' }, t('users.col.status')),
            h('th', { scope: 'col' }, t('users.col.actions')),
          ),
        ),
        h(
          'tbody',
          null,
          users.map((u) => {
            const actions = h('td', {
              'data-label': t('users.col.actions'),
              class: 'user-actions',
            });
            const buttons = () =>
              replace(
                actions,
                u.username !== me &&
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      onclick: async () => {
                        try {
                          await api.setUserDisabled(u.username, !u.disabled);
                          status.textContent = t(
                            u.disabled ? 'users.done.enabled' : 'users.done.disabled',
                            { username: u.username },
                          );
                          await load();
                        } catch (e) {
                          failed(e);
                        }
                      },
                    },
                    t(u.disabled ? 'users.enable' : 'users.disable', { username: u.username }),
                  ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary',
                    onclick: () => confirmReset(),
                  },
                  t('users.reset', { username: u.username }),
                ),
              );
            const confirmReset = () => {
              const question = h(
                'p',
                { id: uid('q') },
                t('users.reset.confirm', { username: u.username }),
              );
              const yes = h(
                'button',
                {
                  type: 'button',
                  class: 'primary',
                  'aria-describedby': question.id,
                  onclick: async () => {
                    try {
                      const r = await api.resetPassword(u.username);
                      buttons();
                      showPassword(r.username, r.password);
                    } catch (e) {
                      failed(e);
                    }
                  },
                },
                t('users.reset.yes'),
              );
              replace(
                actions,
                question,
                yes,
                h(
                  'button',
                  { type: 'button', class: 'secondary', onclick: () => buttons() },
                  t('users.reset.no'),
                ),
              );
              yes.focus();
            };
            buttons();
            return h(
              'tr',
              { 'data-username': u.username },
              h('th', { scope: 'row' }, u.username, u.username === me ? ` ${t('users.you')}` : ''),
              h('td', { 'data-label': t('users.col.name') }, u.display_name),
              h('td', { 'data-label': t('users.col.role') }, tCode('role', u.role)),
              h('td', { 'data-label': t('users.col.areas') }, areaText(u.area_codes)),
              h(
                'td',
                { 'data-label': t('users.col.status'), class: u.disabled ? 'user-disabled' : '' },
                u.disabled ? `⊘ ${t('users.status.disabled')}` : t('users.status.active'),
              ),
              actions,
            );
          }),
        ),
      ),
    );
  }

  function addForm(): HTMLElement {
    const errors = new Map<string, HTMLElement>();
    const field = (id: string, label: string, input: HTMLElement, hint?: string) => {
      const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
      errors.set(id, error);
      const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
      if (hintEl) {
        input.setAttribute('aria-describedby', hintEl.id);
      }
      return h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, input, error);
    };
    const username = h('input', {
      id: 'new-username',
      autocomplete: 'off',
      autocapitalize: 'none',
      spellcheck: 'false',
    });
    const displayName = h('input', { id: 'new-display_name', autocomplete: 'off' });
    const role = h(
      'select',
      { id: 'new-role' },
      roles.map((r) => h('option', { value: r, selected: r === 'operator' }, tCode('role', r))),
    );
    const areaBoxes = names.kecamatan.map((k) => {
      const id = uid('area');
      const box = h('input', { type: 'checkbox', id, value: k.code });
      const kel = names.kelurahan
        .filter((x) => x.parent === k.code)
        .map((x) => {
          const kid = uid('area');
          return {
            box: h('input', { type: 'checkbox', id: kid, value: x.code }),
            label: x.name,
            id: kid,
          };
        });
      return {
        box,
        kel,
        row: [
          h(
            'div',
            { class: 'field checkbox' },
            box,
            h('label', { for: id }, `${t('filter.kecamatan')} ${k.name}`),
          ),
          h(
            'div',
            { class: 'check-grid area-kelurahan' },
            kel.map((x) =>
              h('div', { class: 'field checkbox' }, x.box, h('label', { for: x.id }, x.label)),
            ),
          ),
        ],
      };
    });
    const areasError = h('p', { class: 'field-error', id: 'new-area_codes-error', hidden: true });
    errors.set('new-area_codes', areasError);
    const areas = h(
      'fieldset',
      { id: 'new-area_codes', 'aria-describedby': 'new-areas-hint' },
      h('legend', null, t('users.add.areas')),
      h('p', { class: 'hint', id: 'new-areas-hint' }, t('users.add.areas.hint')),
      areaBoxes.map((a) => a.row),
      areasError,
    );
    const form = h(
      'form',
      { novalidate: true, id: 'add-user-form' },
      field('new-username', t('users.add.username'), username, t('users.add.username.hint')),
      field('new-display_name', t('users.add.display_name'), displayName),
      field('new-role', t('users.add.role'), role),
      areas,
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'primary' }, t('users.add.submit')),
      ),
    );
    const showErrors = (fields: FieldIssue[]) => {
      let first: HTMLElement | null = null;
      for (const f of fields) {
        const key = `new-${f.field.split('.')[0].replace(/\[.*$/, '')}`;
        const error = errors.get(key);
        const target = form.querySelector<HTMLElement>(`#${key}`);
        if (error && target) {
          error.textContent = f.message;
          error.hidden = false;
          target.setAttribute('aria-invalid', 'true');
          target.setAttribute(
            'aria-describedby',
            `${target.getAttribute('aria-describedby') ?? ''} ${error.id}`.trim(),
          );
          first ??= target.matches('fieldset') ? target.querySelector('input') : target;
        }
      }
      first?.focus();
      return first !== null;
    };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.textContent = '';
      for (const [key, error] of errors) {
        error.hidden = true;
        form.querySelector(`#${key}`)?.removeAttribute('aria-invalid');
      }
      const codes = areaBoxes.flatMap((a) => [
        ...(a.box.checked ? [a.box.value] : []),
        ...a.kel.filter((x) => x.box.checked && !a.box.checked).map((x) => x.box.value),
      ]);
      try {
        const added = await api.addUser({
          username: username.value.trim(),
          display_name: displayName.value.trim(),
          role: role.value,
          area_codes: codes,
        });
        status.textContent = t('users.add.done', { username: added.user.username });
        form.reset();
        showPassword(added.user.username, added.password);
        await load();
      } catch (e) {
        if (!(e instanceof ApiError && e.fields.length > 0 && showErrors(e.fields))) {
          failed(e);
        }
      }
    });
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'add-user-heading' },
      h('h2', { id: 'add-user-heading' }, t('users.add.heading')),
      form,
    );
  }

  replace(
    root,
    h(
      'div',
      { class: 'page form-page users-page' },
      h('h1', null, t('users.title')),
      h('p', null, t('users.intro')),
      status,
      alert,
      secret,
      tableBox,
      formBox,
    ),
  );
  Promise.all([areaNames(), api.areas({ level: 'kota' })])
    .then(([n, k]) => {
      names = n;
      kota = k.features.map((f) => ({
        code: f.properties.code,
        name: f.properties.name,
        parent: null,
      }));
    })
    .catch(() => undefined)
    .finally(() => {
      if (!disposed) {
        replace(formBox, addForm());
        void load();
      }
    });
  return () => {
    disposed = true;
  };
}
