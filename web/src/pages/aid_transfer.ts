// The "Transfer bank" section of the Tahap page (/bantuan/tahap/:id) for a programme paid by
// transfer (docs/aid-transfer.md): make a batch from the approved list (how many lines, the
// total, who was left out and why), download each batch's CSV for the bank, upload the bank's
// result with a progress bar, and see the reconciliation (paid, failed with the bank's reasons,
// unmatched and invalid rows by row and column).
import { flagLabel, formatRupiah } from '../aid';
import { download, request, uploadFile, type User } from '../api';
import { h, replace, saveBlob } from '../dom';
import { formatNumber, t, type StringKey } from '../i18n';
import { errorText } from './person_card';

export interface AidBatch {
  id: string;
  number: number;
  state: string;
  line_count: number;
  total_amount: number;
  paid_count: number;
  paid_amount: number;
  failed_count: number;
  pending_count: number;
}

interface AidBatchMade extends AidBatch {
  left_out: { person_id: string; kelurahan_code: string; reason: string }[];
  flag_counts: Record<string, number>;
}

interface AidBatchLine {
  delivery_id: string;
  person_id: string;
  state: string;
  fail_reason: string;
}

interface AidReconciliation {
  batch: AidBatch;
  paid: number;
  failed: number;
  unchanged: number;
  unmatched: number;
  invalid: number;
  already_imported: boolean;
  problems: { row: number; column: string; kind: string; message: string }[];
}

/// Who may do what here: batches are made and settled by admins and operators; the file (account
/// numbers in clear) goes to roles that may unmask. A user limited to areas must also cover every
/// beneficiary of the cycle: the server checks that and answers 403 otherwise.
function may(user: User | undefined, what: 'make' | 'read' | 'file'): boolean {
  if (!user) {
    return false;
  }
  if (what === 'make') {
    return user.role === 'admin' || user.role === 'operator';
  }
  if (what === 'file') {
    return user.role === 'admin' || user.role === 'operator' || user.role === 'auditor';
  }
  return ['admin', 'operator', 'auditor', 'viewer'].includes(user.role);
}

/// Draws the section into `box` for cycle `cycleId` (its list `listState`); `onSettled` runs
/// after a bank result was imported (the realisation changed).
export function transferSection(
  box: HTMLElement,
  cycleId: string,
  listState: string,
  user: User | undefined,
  onSettled: () => void = () => {},
): void {
  if (!may(user, 'read')) {
    replace(box);
    box.hidden = true;
    return;
  }
  const status = h('p', { class: 'notice', role: 'status', id: 'transfer-status' });
  const alert = h('p', { class: 'alert', role: 'alert', id: 'transfer-alert' });
  const made = h('div', { id: 'transfer-made', 'aria-live': 'polite' });
  const list = h('div', { id: 'transfer-batches' });
  const result = h('div', { id: 'transfer-result', 'aria-live': 'polite' });
  const makeButton = h(
    'button',
    { type: 'button', id: 'transfer-make', onclick: () => void make() },
    t('transfer.make'),
  );
  replace(
    box,
    h('h2', { id: 'transfer-h' }, t('transfer.title')),
    h('p', null, t('transfer.intro')),
    may(user, 'make') &&
      listState === 'approved' &&
      h('div', { class: 'form-actions' }, makeButton),
    status,
    alert,
    made,
    list,
    result,
  );

  async function make(): Promise<void> {
    makeButton.disabled = true;
    status.textContent = t('transfer.making');
    alert.textContent = '';
    try {
      const b = await request<AidBatchMade>('POST', `/api/v1/aid/cycles/${cycleId}/batches`);
      status.textContent = t('transfer.made', {
        number: b.number,
        lines: formatNumber(b.line_count),
        total: formatRupiah(b.total_amount),
      });
      const flags = Object.entries(b.flag_counts)
        .map(([flag, n]) => {
          const f = flagLabel(flag);
          return `${f.key ? t(f.key as StringKey) : f.code} (${n})`;
        })
        .join(', ');
      replace(
        made,
        flags && h('p', { id: 'transfer-flags' }, t('transfer.flags', { flags })),
        b.left_out.length > 0 &&
          h(
            'details',
            { open: true },
            h('summary', null, t('transfer.left_out', { count: b.left_out.length })),
            h(
              'ul',
              { id: 'transfer-left-out' },
              b.left_out.map((l) =>
                h(
                  'li',
                  { 'data-reason': l.reason },
                  h('a', { href: `/orang/${l.person_id}` }, l.person_id),
                  ` — ${t(`transfer.reason.${l.reason}` as StringKey)}`,
                ),
              ),
            ),
          ),
      );
      await loadBatches();
    } catch (e) {
      status.textContent = '';
      alert.textContent = errorText(e);
    } finally {
      makeButton.disabled = false;
    }
  }

  async function loadBatches(): Promise<void> {
    try {
      const { items } = await request<{ items: AidBatch[] }>(
        'GET',
        `/api/v1/aid/cycles/${cycleId}/batches`,
      );
      if (items.length === 0) {
        replace(list, h('p', null, t('transfer.none')));
        return;
      }
      replace(
        list,
        h('h3', null, t('transfer.batches')),
        h(
          'table',
          { class: 'table', id: 'transfer-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              (['number', 'state', 'lines', 'total', 'paid', 'failed', 'pending'] as const).map(
                (c) => h('th', { scope: 'col' }, t(`transfer.col.${c}` as StringKey)),
              ),
              h('th', { scope: 'col' }, ''),
            ),
          ),
          h(
            'tbody',
            null,
            items.map((b) =>
              h(
                'tr',
                { 'data-batch': b.id, 'data-state': b.state },
                h('td', null, String(b.number)),
                h('td', null, t(`transfer.state.${b.state}` as StringKey)),
                h('td', null, formatNumber(b.line_count)),
                h('td', null, formatRupiah(b.total_amount)),
                h('td', { class: 'paid' }, formatNumber(b.paid_count)),
                h('td', { class: 'failed' }, formatNumber(b.failed_count)),
                h('td', { class: 'pending' }, formatNumber(b.pending_count)),
                h('td', null, batchActions(b)),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      replace(list, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  function batchActions(b: AidBatch): HTMLElement {
    const cell = h('div', { class: 'batch-actions' });
    if (may(user, 'file')) {
      cell.append(
        h(
          'button',
          {
            type: 'button',
            class: 'transfer-download',
            onclick: () => void downloadFile(b),
          },
          t('transfer.download', { number: b.number }),
        ),
      );
    }
    if (may(user, 'make')) {
      const input = h('input', {
        type: 'file',
        accept: '.csv,text/csv',
        class: 'transfer-file',
        'aria-label': t('transfer.upload', { number: b.number }),
      });
      const progress = h('progress', { max: 100, value: 0, hidden: true });
      const send = h(
        'button',
        {
          type: 'button',
          class: 'transfer-upload',
          onclick: () => void upload(b, input, progress),
        },
        t('transfer.upload.send'),
      );
      cell.append(
        h(
          'fieldset',
          null,
          h('legend', null, t('transfer.upload', { number: b.number })),
          input,
          send,
          progress,
        ),
      );
    }
    return cell;
  }

  async function downloadFile(b: AidBatch): Promise<void> {
    alert.textContent = '';
    try {
      const file = await download(`/api/v1/aid/batches/${b.id}/file`, {}, (received) => {
        status.textContent = t('transfer.downloading', { received: formatNumber(received) });
      });
      const text = await file.blob.text();
      const sha = /SHA256,([0-9a-f]{64})/.exec(text)?.[1] ?? '';
      saveBlob(file.blob, file.filename);
      status.textContent = t('transfer.downloaded', { filename: file.filename, sha });
    } catch (e) {
      status.textContent = '';
      alert.textContent = errorText(e);
    }
  }

  async function upload(
    b: AidBatch,
    input: HTMLInputElement,
    progress: HTMLProgressElement,
  ): Promise<void> {
    const file = input.files?.[0];
    if (!file) {
      alert.textContent = t('transfer.upload.pick');
      return;
    }
    alert.textContent = '';
    progress.hidden = false;
    try {
      const rec = await uploadFile<AidReconciliation>(
        `/api/v1/aid/batches/${b.id}/result`,
        file,
        'text/csv',
        (sent, total) => {
          const percent = total > 0 ? Math.round((100 * sent) / total) : 0;
          progress.value = percent;
          status.textContent = t('transfer.upload.progress', { percent });
        },
        () => {
          status.textContent = t('transfer.upload.working');
        },
      );
      status.textContent = '';
      await showResult(b, rec);
      await loadBatches();
      onSettled();
    } catch (e) {
      status.textContent = '';
      alert.textContent = errorText(e);
    } finally {
      progress.hidden = true;
    }
  }

  async function showResult(b: AidBatch, rec: AidReconciliation): Promise<void> {
    const detail = await request<AidBatch & { lines: AidBatchLine[] }>(
      'GET',
      `/api/v1/aid/batches/${b.id}`,
    );
    const failed = detail.lines.filter((l) => l.state === 'failed');
    replace(
      result,
      h('p', { id: 'transfer-summary' }, t('transfer.result', { ...counts(rec) })),
      rec.already_imported &&
        h('p', { class: 'notice', id: 'transfer-again' }, t('transfer.result.again')),
      rec.problems.length > 0 &&
        h(
          'table',
          { class: 'table', id: 'transfer-problems' },
          h('caption', null, t('transfer.problems')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              (['row', 'column', 'kind', 'message'] as const).map((c) =>
                h('th', { scope: 'col' }, t(`transfer.col.${c}` as StringKey)),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            rec.problems.map((p) =>
              h(
                'tr',
                { 'data-kind': p.kind },
                h('td', null, String(p.row)),
                h('td', null, p.column),
                h('td', null, t(`transfer.kind.${p.kind}` as StringKey)),
                h('td', null, p.message),
              ),
            ),
          ),
        ),
      failed.length > 0 &&
        h(
          'table',
          { class: 'table', id: 'transfer-failed' },
          h('caption', null, t('transfer.failed_lines', { number: b.number })),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('transfer.col.person')),
              h('th', { scope: 'col' }, t('transfer.col.reason')),
            ),
          ),
          h(
            'tbody',
            null,
            failed.map((l) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: `/orang/${l.person_id}` }, l.person_id)),
                h('td', null, l.fail_reason),
              ),
            ),
          ),
        ),
    );
  }

  void loadBatches();
}

function counts(rec: AidReconciliation): Record<string, string> {
  return {
    paid: formatNumber(rec.paid),
    failed: formatNumber(rec.failed),
    unchanged: formatNumber(rec.unchanged),
    unmatched: formatNumber(rec.unmatched),
    invalid: formatNumber(rec.invalid),
  };
}
