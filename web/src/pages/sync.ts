// Sinkron (/sinkron): what the device keeps for the server — the changes waiting to be sent, the
// changes the server refused (with its reason, until the user has read them) and those kept as
// conflicts for a supervisor ("menunggu supervisor"), and when the data was last pulled.
import { isOnline } from '../connection';
import { h, replace } from '../dom';
import { formatInstant, t, type StringKey } from '../i18n';
import {
  conflictOps,
  dismiss,
  lastPullAt,
  lastSync,
  onDeviceChange,
  rejectedOps,
  retryRejected,
  syncNow,
  unlocked,
  waitingOps,
} from '../offline/device';
import type { Op } from '../offline/queue';
import type { Problem, SyncReport } from '../offline/sync';
import { session } from '../session';
import { fieldLabel } from './conflicts';

/// What kind of change an op is; `op` when known (a photo removal is a photo op without data).
function typeName(type: string, op?: Op): string {
  if (type === 'person.photo' && op?.photo === null) {
    return t('sync.type.person.photo_remove');
  }
  return t(`sync.type.${type}` as StringKey);
}

/// The server's reason in words: the title and detail of the problem, its field issues.
export function reasonText(p: Problem): string {
  const issues = (p.errors ?? p.fields ?? [])
    .map((f) => [f.field, f.message].filter(Boolean).join(': '))
    .filter(Boolean);
  return [p.title || p.code || '', p.detail ?? '', ...issues].filter(Boolean).join(' — ');
}

/// What a refused op held, for the user to read or copy (a photo's data is not shown).
export function opContent(op: Op): string {
  const shown: Record<string, unknown> = { ...op };
  for (const k of ['key', 'seq', 'at', 'after', 'base_version']) {
    delete shown[k];
  }
  if (op.photo) {
    shown.photo = { media_type: op.photo.media_type, data: `(${op.photo.data.length} b)` };
  }
  if (op.handover?.evidence) {
    shown.handover = { ...op.handover, evidence: `(${op.handover.evidence.length} b)` };
  }
  return JSON.stringify(shown, null, 2);
}

/// The outcome of a sending, in words (announced in the page's status region).
export function reportText(r: SyncReport | null): string {
  if (!r) {
    return '';
  }
  const counts = t('sync.report', {
    applied: r.applied,
    merged: r.merged,
    conflicts: r.conflicts,
    waiting: r.waiting,
    rejected: r.rejected,
  });
  return r.stopped && r.stopped !== 'server'
    ? `${counts} ${t(`sync.stopped.${r.stopped}` as StringKey)}`
    : counts;
}

export function syncPage(root: HTMLElement): () => void {
  let disposed = false;
  const status = h('p', { class: 'notice', role: 'status', id: 'sync-status' });
  const send = h('button', { type: 'button', class: 'button primary' }, t('sync.now'));
  const waiting = h('section', { class: 'panel', 'aria-labelledby': 'sync-waiting-h' });
  const rejected = h('section', { class: 'panel', 'aria-labelledby': 'sync-rejected-h' });
  const conflicts = h('section', { class: 'panel', 'aria-labelledby': 'sync-conflicts-h' });
  const facts = h('p', { id: 'sync-last-pull' });
  const report = h('p', { id: 'sync-report' });
  replace(
    root,
    h(
      'div',
      { class: 'page narrow sync-page' },
      h('h1', null, t('sync.title')),
      h('p', null, t('sync.intro')),
      facts,
      report,
      h('div', { class: 'form-actions' }, send),
      status,
      rejected,
      conflicts,
      waiting,
    ),
  );

  async function draw(): Promise<void> {
    if (!unlocked()) {
      facts.textContent = t('sync.locked');
      send.disabled = true;
      return;
    }
    send.disabled = !isOnline();
    const when = lastPullAt();
    facts.dataset.at = when ?? '';
    facts.textContent = when
      ? t('sync.last_pull', { when: formatInstant(when) })
      : t('sync.never_pulled');
    report.textContent = reportText(lastSync());
    const [w, rej, con] = await Promise.all([waitingOps(), rejectedOps(), conflictOps()]);
    if (disposed) {
      return;
    }
    replace(
      waiting,
      h('h2', { id: 'sync-waiting-h' }, t('sync.waiting.heading')),
      w.length === 0
        ? h('p', null, t('sync.waiting.none'))
        : h(
            'ol',
            { id: 'sync-waiting' },
            w.map((q) =>
              h(
                'li',
                null,
                `${typeName(q.op.type, q.op)}: ${q.label || '—'} `,
                h('span', { class: 'hint' }, t('sync.at', { when: formatInstant(q.op.at) })),
              ),
            ),
          ),
    );
    replace(
      rejected,
      h('h2', { id: 'sync-rejected-h' }, t('sync.rejected.heading')),
      rej.length === 0
        ? h('p', null, t('sync.rejected.none'))
        : h(
            'ul',
            { id: 'sync-rejected' },
            rej.map((r) =>
              h(
                'li',
                null,
                h('strong', null, `${typeName(r.type, r.op)}: ${r.label || '—'}`),
                ' ',
                h('span', { class: 'hint' }, t('sync.at', { when: formatInstant(r.at) })),
                h('br'),
                t('sync.rejected.reason', { reason: reasonText(r.error) }),
                r.op &&
                  h(
                    'details',
                    { class: 'rejected-content' },
                    h('summary', null, t('sync.rejected.content')),
                    h('pre', { tabindex: '0' }, opContent(r.op)),
                  ),
                ' ',
                r.op &&
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'button secondary',
                      onclick: async () => {
                        await retryRejected(r.key);
                        status.textContent = t('sync.retried', {
                          label: r.label || typeName(r.type),
                        });
                        focusHeading('sync-rejected-h');
                      },
                    },
                    t('sync.retry', { label: r.label || typeName(r.type) }),
                  ),
                ' ',
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'button secondary',
                    onclick: async () => {
                      await dismiss('rejected', r.key);
                      focusHeading('sync-rejected-h');
                    },
                  },
                  t('sync.dismiss', { label: r.label || typeName(r.type) }),
                ),
              ),
            ),
          ),
    );
    const admin = session()?.user.role === 'admin' || session()?.user.role === 'operator';
    replace(
      conflicts,
      h('h2', { id: 'sync-conflicts-h' }, t('sync.conflicts.heading')),
      con.length === 0
        ? h('p', null, t('sync.conflicts.none'))
        : h(
            'ul',
            { id: 'sync-conflicts' },
            con.map((c) =>
              h(
                'li',
                null,
                h('strong', null, `${typeName(c.type)}: ${c.label || '—'}`),
                ' — ',
                t('sync.conflicts.heading').toLowerCase(),
                '. ',
                t('sync.conflicts.fields', {
                  fields: c.fields.map(fieldLabel).join(', '),
                }),
                ' ',
                admin &&
                  c.conflict_id &&
                  h(
                    'a',
                    { href: `/konflik/${c.conflict_id}` },
                    t('conflict.open', { name: c.label }),
                  ),
                ' ',
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'button secondary',
                    onclick: async () => {
                      await dismiss('conflicts', c.key);
                      focusHeading('sync-conflicts-h');
                    },
                  },
                  t('sync.dismiss', { label: c.label || typeName(c.type) }),
                ),
              ),
            ),
          ),
    );
  }

  send.addEventListener('click', async () => {
    send.disabled = true;
    status.textContent = t('sync.running');
    await syncNow();
    if (!disposed) {
      // The outcome in the live region: a screen reader hears what happened.
      status.textContent = isOnline()
        ? reportText(lastSync()) || t('sync.done')
        : t('sync.offline');
      await draw();
    }
  });
  /// After a list item is gone, focus goes to its list's heading (redrawn: found by id).
  function focusHeading(id: string): void {
    void draw().then(() => {
      const heading = document.getElementById(id);
      if (heading && !disposed) {
        heading.setAttribute('tabindex', '-1');
        heading.focus();
      }
    });
  }
  const stop = onDeviceChange(() => void draw());
  void draw();
  return () => {
    disposed = true;
    stop();
  };
}
