// The person's "Kartu" and "Layanan" sections of the Detail page (issue 7): the current card
// with its faces, issue / reissue / revoke / PDF for admin and operator, the card history; the
// service requests with their steps, a form to open one, buttons to move one on (If-Match).
import { api, ApiError, download, type Card, type Service, type ServiceRequest } from '../api';
import {
  cardActions,
  cardFileName,
  cardImageUrl,
  currentCard,
  nextStatuses,
  olderCards,
  reissueReasons,
  revokeProblem,
  revokeReasons,
} from '../cards';
import { h, replace, saveBlob, uid } from '../dom';
import {
  canQueue,
  isNetworkFailure,
  queueServiceRequest,
  serviceCatalogue,
} from '../offline/device';
import { offered, serviceName as nameIn } from '../offline/catalogue';
import { uuidv7 } from '../offline/uuidv7';
import { attemptFor, type Attempt } from '../service_request';
import { formatBytes, formatInstant, locale, t, tCode } from '../i18n';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.network) {
      return t('app.error.network');
    }
    const fields = e.fields.map((f) => f.message).filter(Boolean);
    return [e.title || e.code, ...fields].join(' — ');
  }
  return t('app.error.generic', { message: e instanceof Error ? e.message : String(e) });
}

function reasonSelect(id: string, reasons: readonly string[]): HTMLSelectElement {
  return h(
    'select',
    { id, name: id, required: true },
    h('option', { value: '' }, t('card.reason.choose')),
    reasons.map((r) => h('option', { value: r }, tCode('reason', r))),
  );
}

function field(label: string, control: HTMLElement, error?: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, error);
}

/// Marks `control` invalid with `message` shown below it (or clears it when message is null).
function setError(control: HTMLElement, error: HTMLElement, message: string | null): void {
  error.textContent = message ?? '';
  error.hidden = message === null;
  if (message === null) {
    control.removeAttribute('aria-invalid');
  } else {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  }
}

function errorEl(control: HTMLElement): HTMLElement {
  const id = `${control.id}-error`;
  control.setAttribute('aria-describedby', id);
  return h('p', { id, class: 'field-error', hidden: true });
}

/// The "Kartu" section: loads the person's cards and draws itself; `canWrite` shows the buttons.
export function cardSection(personId: string, canWrite: boolean): HTMLElement {
  const headingId = uid('card-h');
  const status = h('p', { class: 'notice', role: 'status' });
  const body = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  const section = h(
    'section',
    { class: 'panel card-panel', 'aria-labelledby': headingId, id: 'kartu' },
    h('h2', { id: headingId }, t('card.title')),
    status,
    body,
  );

  async function load(message = ''): Promise<void> {
    try {
      const { items } = await api.cards(personId);
      body.removeAttribute('aria-busy');
      draw(items);
      status.textContent = message;
    } catch (e) {
      body.removeAttribute('aria-busy');
      replace(body, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  function draw(cards: Card[]): void {
    const card = currentCard(cards);
    const actions = cardActions(cards);
    const tools = h('div', { class: 'card-tools' });
    const formSlot = h('div');
    if (canWrite && actions.issue) {
      tools.append(
        h(
          'button',
          {
            type: 'button',
            class: 'button primary',
            onclick: async (e: Event) => {
              const button = e.currentTarget as HTMLButtonElement;
              button.disabled = true;
              try {
                const c = await api.issueCard(personId);
                await load(t('card.issued', { number: c.number_formatted }));
              } catch (err) {
                button.disabled = false;
                status.textContent = errorText(err);
              }
            },
          },
          t('card.issue'),
        ),
      );
    }
    if (card && card.status === 'active') {
      tools.append(
        h(
          'button',
          {
            type: 'button',
            class: 'button secondary',
            onclick: () => void downloadPdf(card),
          },
          t('card.pdf'),
        ),
      );
    }
    if (canWrite && card && actions.reissue) {
      tools.append(
        h(
          'button',
          {
            type: 'button',
            class: 'button secondary',
            'aria-expanded': 'false',
            onclick: (e: Event) => showForm(e.currentTarget as HTMLButtonElement, reissueForm()),
          },
          t('card.reissue'),
        ),
      );
    }
    if (canWrite && card && actions.revoke) {
      tools.append(
        h(
          'button',
          {
            type: 'button',
            class: 'button secondary',
            'aria-expanded': 'false',
            onclick: (e: Event) => showForm(e.currentTarget as HTMLButtonElement, revokeForm(card)),
          },
          t('card.revoke'),
        ),
      );
    }

    function showForm(button: HTMLButtonElement, form: HTMLFormElement): void {
      tools
        .querySelectorAll('[aria-expanded]')
        .forEach((b) => b.setAttribute('aria-expanded', 'false'));
      button.setAttribute('aria-expanded', 'true');
      replace(formSlot, form);
      (form.querySelector('select') as HTMLSelectElement).focus();
      form.addEventListener('reset', () => {
        button.setAttribute('aria-expanded', 'false');
        replace(formSlot);
        button.focus();
      });
    }

    const older = olderCards(cards);
    replace(
      body,
      card ? currentView(card) : h('p', null, t('card.none')),
      tools,
      formSlot,
      h('h3', null, t('card.history')),
      older.length === 0
        ? h('p', null, t('card.history.empty'))
        : h(
            'ol',
            { class: 'timeline card-history' },
            older.map((c) =>
              h(
                'li',
                null,
                h(
                  'strong',
                  null,
                  t('card.history.entry', {
                    number: c.number_formatted,
                    state: tCode('card.state', c.state),
                    when: formatInstant(c.issued_at),
                  }),
                ),
                c.revoked_at &&
                  h(
                    'p',
                    null,
                    t('card.revoked.value', {
                      when: formatInstant(c.revoked_at),
                      reason: tCode('reason', c.revoke_reason),
                    }) + (c.revoke_note ? ` — ${c.revoke_note}` : ''),
                  ),
              ),
            ),
          ),
    );
  }

  function currentView(card: Card): HTMLElement {
    const rows: [string, string][] = [
      [t('card.number'), card.number_formatted],
      [t('card.state'), tCode('card.state', card.state)],
      [t('card.stage'), card.stage ? tCode('card.stage', card.stage) : t('person.none')],
      [
        t('card.validity'),
        t('card.validity.value', {
          from: formatInstant(card.issued_at),
          until: formatInstant(card.expires_at),
        }),
      ],
    ];
    if (card.revoked_at) {
      rows.push([
        t('card.revoked_on'),
        t('card.revoked.value', {
          when: formatInstant(card.revoked_at),
          reason: tCode('reason', card.revoke_reason),
        }),
      ]);
    }
    return h(
      'div',
      { class: 'card-current' },
      h(
        'dl',
        { class: 'fields' },
        rows.map(([k, v]) => [h('dt', null, k), h('dd', { 'data-field': k }, v)]),
      ),
      card.status === 'active' &&
        h(
          'div',
          { class: 'card-faces' },
          face(card, 'front', t('card.front', { number: card.number_formatted })),
          face(card, 'back', t('card.back', { number: card.number_formatted })),
        ),
    );
  }

  function face(card: Card, side: 'front' | 'back', alt: string): HTMLElement {
    const figure = h('figure', { class: 'card-face' });
    const img = h('img', {
      src: cardImageUrl(card, side),
      alt,
      width: 1011,
      height: 638,
      loading: 'lazy',
      onerror: () =>
        replace(figure, h('p', { class: 'hint' }, `${alt}: ${t('card.image_missing')}`)),
    });
    figure.append(img);
    return figure;
  }

  async function downloadPdf(card: Card): Promise<void> {
    status.textContent = t('data.export.preparing');
    try {
      const { blob } = await download(
        cardImageUrl(card, 'pdf').split('?')[0],
        { format: 'pdf' },
        () => {},
      );
      saveBlob(blob, cardFileName(card, 'pdf'));
      status.textContent = t('data.export.done', {
        file: cardFileName(card, 'pdf'),
        size: formatBytes(blob.size),
      });
    } catch (e) {
      status.textContent = errorText(e);
    }
  }

  function reissueForm(): HTMLFormElement {
    const reason = reasonSelect(uid('reissue-reason'), reissueReasons);
    const reasonError = errorEl(reason);
    const form = h(
      'form',
      { class: 'card-form', novalidate: true },
      h(
        'fieldset',
        null,
        h('legend', null, t('card.reissue.legend')),
        field(t('card.reason'), reason, reasonError),
        h(
          'div',
          { class: 'form-actions' },
          h('button', { type: 'submit', class: 'button primary' }, t('card.reissue.submit')),
          h('button', { type: 'reset', class: 'button secondary' }, t('card.cancel')),
        ),
      ),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!reason.value) {
        setError(reason, reasonError, t('card.reason.required'));
        return;
      }
      setError(reason, reasonError, null);
      try {
        const c = await api.issueCard(personId, reason.value);
        await load(t('card.reissued', { number: c.number_formatted }));
      } catch (err) {
        status.textContent = errorText(err);
      }
    });
    return form;
  }

  function revokeForm(card: Card): HTMLFormElement {
    const reason = reasonSelect(uid('revoke-reason'), revokeReasons);
    const reasonError = errorEl(reason);
    const note = h('textarea', { id: uid('revoke-note'), name: 'note', rows: 2, maxlength: 500 });
    const noteError = errorEl(note);
    const form = h(
      'form',
      { class: 'card-form', novalidate: true },
      h(
        'fieldset',
        null,
        h('legend', null, t('card.revoke.legend', { number: card.number_formatted })),
        field(t('card.reason'), reason, reasonError),
        field(t('card.note'), note, noteError),
        h(
          'div',
          { class: 'form-actions' },
          h('button', { type: 'submit', class: 'button primary' }, t('card.revoke.submit')),
          h('button', { type: 'reset', class: 'button secondary' }, t('card.cancel')),
        ),
      ),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const problem = revokeProblem(reason.value, note.value);
      setError(note, noteError, null);
      setError(reason, reasonError, problem === 'reason' ? t('card.reason.required') : null);
      if (problem === 'note') {
        setError(note, noteError, t('card.note.required'));
      }
      if (problem !== null) {
        return;
      }
      if (!window.confirm(t('card.revoke.confirm', { number: card.number_formatted }))) {
        return;
      }
      try {
        await api.revokeCard(card.number, reason.value, note.value.trim());
        await load(t('card.revoked', { number: card.number_formatted }));
      } catch (err) {
        status.textContent = errorText(err);
      }
    });
    return form;
  }

  void load();
  return section;
}

function serviceName(services: Service[], code: string): string {
  return nameIn(services, code, locale());
}

/// The "Layanan" section: the person's service requests with their steps, a form to open one
/// and buttons to move one on. Offline (`local`: the person is shown from the device's data, or
/// the server cannot be reached) the form opens with the catalogue kept on the device and the
/// request goes into the device's queue; the requests themselves need the server.
export function servicesSection(personId: string, canWrite: boolean, local = false): HTMLElement {
  const headingId = uid('svc-h');
  const status = h('p', { class: 'notice', role: 'status' });
  const body = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  const section = h(
    'section',
    { class: 'panel services-panel', 'aria-labelledby': headingId, id: 'layanan' },
    h('h2', { id: headingId }, t('svc.title')),
    status,
    body,
  );
  let services: Service[] = [];
  /// The key of the last request sent, with its body: sent again unchanged, it keeps its key.
  let attempt: Attempt | null = null;

  async function load(message = ''): Promise<void> {
    try {
      if (!services.length) {
        const catalogue = await serviceCatalogue();
        services = catalogue.items;
      }
      let requests: ServiceRequest[] | null = null;
      try {
        requests = local ? null : (await api.serviceRequests(personId)).items;
      } catch (e) {
        if (!isNetworkFailure(e) || !canQueue()) {
          throw e;
        }
      }
      body.removeAttribute('aria-busy');
      draw(requests);
      status.textContent = message;
    } catch (e) {
      body.removeAttribute('aria-busy');
      const text =
        !services.length && isNetworkFailure(e) ? t('svc.catalogue.missing') : errorText(e);
      replace(body, h('p', { class: 'alert', role: 'alert' }, text));
    }
  }

  /// `requests`: null when only the server has them (offline).
  function draw(requests: ServiceRequest[] | null): void {
    replace(
      body,
      requests === null && h('p', { class: 'notice', id: 'svc-offline' }, t('svc.offline')),
      canWrite && openForm(),
      requests === null
        ? null
        : requests.length === 0
          ? h('p', null, t('svc.none'))
          : h('ul', { class: 'service-list' }, requests.map(requestView)),
    );
  }

  function openForm(): HTMLFormElement {
    const service = h(
      'select',
      { id: uid('svc-service'), name: 'service', required: true },
      h('option', { value: '' }, t('svc.service.choose')),
      offered(services).map((s) => h('option', { value: s.code }, serviceName(services, s.code))),
    );
    const serviceError = errorEl(service);
    const note = h('textarea', { id: uid('svc-note'), name: 'note', rows: 2, maxlength: 1000 });
    const submit = h('button', { type: 'submit', class: 'button primary' }, t('svc.open.submit'));
    const form = h(
      'form',
      { class: 'service-form', novalidate: true },
      h(
        'fieldset',
        null,
        h('legend', null, t('svc.open.legend')),
        field(t('svc.service'), service, serviceError),
        field(t('svc.note'), note),
        h('div', { class: 'form-actions' }, submit),
      ),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!service.value) {
        setError(service, serviceError, t('svc.service.required'));
        return;
      }
      setError(service, serviceError, null);
      const chosen = service.value;
      const text = note.value.trim();
      // One key per request: sent again unchanged (after a lost answer) it is opened once.
      attempt = attemptFor(attempt, { service: chosen, note: text }, () => uuidv7());
      const key = attempt.key;
      /// The server cannot be reached: a service.request op under the same key, sent when online.
      const keepOnDevice = async (): Promise<void> => {
        const name = serviceName(services, chosen);
        await queueServiceRequest(
          { service: chosen, note: text, person_id: personId },
          name,
          personId,
          key,
        );
        attempt = null;
        form.reset();
        status.textContent = `${name}: ${t('offline.saved')}`;
      };
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      status.textContent = t('svc.sending');
      try {
        if (local && canQueue()) {
          await keepOnDevice();
          return;
        }
        const r = await api.openServiceRequest(personId, chosen, text, key);
        attempt = null;
        await load(t('svc.opened', { service: serviceName(services, r.service) }));
      } catch (err) {
        if (isNetworkFailure(err) && canQueue()) {
          await keepOnDevice();
        } else if (err instanceof ApiError && err.fields.length) {
          status.textContent = '';
          setError(service, serviceError, errorText(err));
        } else {
          status.textContent = errorText(err);
        }
      } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      }
    });
    return form;
  }

  function requestView(r: ServiceRequest): HTMLElement {
    const name = serviceName(services, r.service);
    const headingId = uid('svc-req');
    const next = canWrite ? nextStatuses(r.status) : [];
    const note = next.length
      ? h('input', { id: uid('svc-move-note'), type: 'text', name: 'note', maxlength: 1000 })
      : null;
    return h(
      'li',
      { class: 'service-request' },
      h(
        'h3',
        { id: headingId },
        t('svc.request.heading', { service: name, status: tCode('svc.status', r.status) }),
      ),
      r.card_number && h('p', { class: 'hint' }, t('svc.request.card', { number: r.card_number })),
      h('h4', { class: 'visually-hidden' }, t('svc.steps')),
      h(
        'ol',
        { class: 'timeline' },
        r.history.map((s) =>
          h(
            'li',
            null,
            h(
              'strong',
              null,
              t('svc.step', {
                status: tCode('svc.status', s.status),
                when: formatInstant(s.at),
                who: s.actor,
              }),
            ),
            s.note && h('p', null, s.note),
          ),
        ),
      ),
      note &&
        h(
          'div',
          { class: 'service-move' },
          field(t('svc.move.note'), note),
          h(
            'div',
            { class: 'form-actions' },
            next.map((to) =>
              h(
                'button',
                {
                  type: 'button',
                  class:
                    to === 'selesai' || to === 'diproses' ? 'button primary' : 'button secondary',
                  onclick: async (e: Event) => {
                    const button = e.currentTarget as HTMLButtonElement;
                    button.disabled = true;
                    try {
                      const updated = await api.setServiceStatus(
                        r.id,
                        r.version,
                        to,
                        note.value.trim(),
                      );
                      await load(
                        t('svc.moved', {
                          service: name,
                          status: tCode('svc.status', updated.status),
                        }),
                      );
                    } catch (err) {
                      if (err instanceof ApiError && err.status === 412) {
                        await load(t('svc.conflict'));
                      } else {
                        button.disabled = false;
                        status.textContent = errorText(err);
                      }
                    }
                  },
                },
                t('svc.move', { status: tCode('svc.status', to) }),
              ),
            ),
          ),
        ),
    );
  }

  void load();
  return section;
}
