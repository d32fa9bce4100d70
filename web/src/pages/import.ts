// Impor: download the template, choose a CSV or XLSX file, check it with a dry run (counts,
// warnings, refused rows with their row, column and reason), import it for real, and download
// the refused rows. The upload's progress is shown as it is sent; the server's work as a busy
// bar (it answers when the whole file is done).
import { ApiError, download, uploadImport, type ImportReport, type ImportRow } from '../api';
import { h, replace, saveBlob } from '../dom';
import { formatNumber, t, type StringKey } from '../i18n';

/// Rows of each list drawn in the page (the report holds up to 1000; the file has them all).
const shownRows = 100;

export function importPage(root: HTMLElement): () => void {
  let disposed = false;
  let chosen: File | null = null;

  const templateStatus = h('p', { class: 'hint', role: 'status' });
  const fileInput = h('input', {
    type: 'file',
    id: 'import-file',
    name: 'file',
    accept:
      '.csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'aria-describedby': 'import-file-hint',
  });
  const fileError = h('p', { class: 'field-error', id: 'import-file-error', hidden: true });
  const checkButton = h('button', { type: 'submit', class: 'primary' }, t('import.check'));
  const progress = h('progress', { id: 'import-progress', max: 100, hidden: true });
  const progressText = h('p', { id: 'import-progress-text', role: 'status' });
  const alert = h('div', { class: 'alert', role: 'alert', id: 'import-alert', tabindex: '-1' });
  const result = h('div', { class: 'import-result' });

  async function templateFile(format: 'xlsx' | 'csv'): Promise<void> {
    templateStatus.textContent = t('data.export.preparing');
    try {
      const { blob, filename } = await download('/api/v1/imports/template', { format }, () => {});
      saveBlob(blob, filename);
      templateStatus.textContent = t('import.template.done', { file: filename });
    } catch (e) {
      templateStatus.textContent = problemText(e);
    }
  }

  function busy(on: boolean): void {
    checkButton.disabled = on;
    fileInput.disabled = on;
    result.querySelectorAll('button').forEach((b) => (b.disabled = on));
    if (on) {
      result.setAttribute('aria-busy', 'true');
    } else {
      result.removeAttribute('aria-busy');
      progress.hidden = true;
    }
  }

  async function send(dryRun: boolean): Promise<void> {
    const file = chosen;
    if (!file) {
      return;
    }
    alert.textContent = '';
    busy(true);
    progress.hidden = false;
    progress.value = 0;
    progressText.textContent = t('import.progress.upload', { file: file.name, percent: 0 });
    try {
      const report = await uploadImport(
        file,
        file.name,
        dryRun,
        (sent, total) => {
          const percent = total > 0 ? Math.round((100 * sent) / total) : 0;
          progress.value = percent;
          progressText.textContent = t('import.progress.upload', { file: file.name, percent });
        },
        () => {
          // The whole file is there; the server now works through it: a busy bar.
          progress.removeAttribute('value');
          progressText.textContent = t(dryRun ? 'import.progress.check' : 'import.progress.import');
        },
      );
      if (disposed) {
        return;
      }
      progressText.textContent = dryRun
        ? ''
        : t('import.done', {
            created: formatNumber(report.created),
            unchanged: formatNumber(report.unchanged),
            rejected: formatNumber(report.rejected),
          });
      showReport(report);
    } catch (e) {
      if (disposed) {
        return;
      }
      progressText.textContent = '';
      replace(result);
      if (e instanceof ApiError && e.status === 413) {
        alert.textContent = t('import.error.too_large');
      } else if (e instanceof ApiError && e.fields.length > 0) {
        alert.textContent = [
          t('import.error.file', { title: e.title }),
          ...e.fields.map((f) => `${f.field}: ${f.message}`),
        ].join(' — ');
      } else if (e instanceof ApiError && !e.network && e.status !== 401) {
        alert.textContent = t('import.error.file', { title: e.title });
      } else {
        alert.textContent = problemText(e);
      }
      alert.focus();
    } finally {
      if (!disposed) {
        busy(false);
      }
    }
  }

  function showReport(report: ImportReport): void {
    const heading = h(
      'h2',
      { tabindex: '-1', id: 'import-result-heading' },
      t(report.dry_run ? 'import.preview.heading' : 'import.result.heading'),
    );
    const counts: [StringKey, number][] = [
      ['import.count.rows', report.rows],
      ['import.count.created', report.created],
      ['import.count.unchanged', report.unchanged],
      ['import.count.changed', report.changed],
      ['import.count.rejected', report.rejected],
      ['import.count.warned', report.warned],
    ];
    const rejectsName = `${report.filename.replace(/\.[^.]*$/, '')}-ditolak.csv`;
    replace(
      result,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'import-result-heading' },
        heading,
        report.dry_run && h('p', null, t('import.preview.note')),
        h(
          'dl',
          { class: 'fields import-counts' },
          counts.map(([label, n]) => [
            h('dt', null, t(label)),
            h('dd', { 'data-count': label.split('.').pop() }, formatNumber(n)),
          ]),
        ),
        report.unknown_columns.length > 0 &&
          h('p', null, t('import.unknown_columns', { columns: report.unknown_columns.join(', ') })),
        rowsTable('import.rejects.heading', 'import-rejects', report.rejects, report.rejected),
        rowsTable('import.warnings.heading', 'import-warnings', report.warnings, report.warned),
        rowsTable('import.changes.heading', 'import-changes', report.changes, report.changed),
        h(
          'div',
          { class: 'form-actions' },
          report.rejects_csv !== null &&
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () =>
                  saveBlob(
                    new Blob([report.rejects_csv ?? ''], { type: 'text/csv;charset=utf-8' }),
                    rejectsName,
                  ),
              },
              t('import.rejects.download'),
            ),
          report.dry_run &&
            h(
              'button',
              {
                type: 'button',
                class: 'primary',
                disabled: report.created === 0,
                onclick: () => void send(false),
              },
              t('import.confirm'),
            ),
          !report.dry_run &&
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => {
                  chosen = null;
                  fileInput.value = '';
                  replace(result);
                  progressText.textContent = '';
                  fileInput.focus();
                },
              },
              t('import.again'),
            ),
        ),
        report.dry_run && report.created === 0 && h('p', null, t('import.confirm.none')),
      ),
    );
    heading.focus();
  }

  const form = h(
    'form',
    { class: 'import-form', novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'import-file' }, t('import.file')),
      h('p', { class: 'hint', id: 'import-file-hint' }, t('import.file.hint')),
      fileInput,
      fileError,
    ),
    h('div', { class: 'form-actions' }, checkButton),
  );
  fileInput.addEventListener('change', () => {
    chosen = fileInput.files?.[0] ?? null;
    fileError.hidden = true;
    fileInput.removeAttribute('aria-invalid');
    replace(result);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!chosen) {
      fileError.textContent = t('import.file.required');
      fileError.hidden = false;
      fileInput.setAttribute('aria-invalid', 'true');
      fileInput.setAttribute('aria-describedby', 'import-file-hint import-file-error');
      fileInput.focus();
      return;
    }
    void send(true);
  });

  replace(
    root,
    h(
      'div',
      { class: 'page form-page import-page' },
      h('h1', null, t('import.title')),
      h('p', null, t('import.intro')),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'import-template-heading' },
        h('h2', { id: 'import-template-heading' }, t('import.template.heading')),
        h('p', null, t('import.template.intro')),
        h(
          'div',
          { class: 'form-actions' },
          h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void templateFile('xlsx') },
            t('import.template.xlsx'),
          ),
          h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void templateFile('csv') },
            t('import.template.csv'),
          ),
        ),
        templateStatus,
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'import-file-heading' },
        h('h2', { id: 'import-file-heading' }, t('import.file.heading')),
        form,
        h(
          'label',
          { for: 'import-progress', class: 'visually-hidden' },
          t('import.progress.label'),
        ),
        progress,
        progressText,
      ),
      alert,
      result,
    ),
  );
  return () => {
    disposed = true;
  };
}

/// A table of report rows: row, column, reason (one line per issue).
function rowsTable(
  title: StringKey,
  id: string,
  rows: ImportRow[],
  total: number,
): HTMLElement | null {
  if (rows.length === 0) {
    return null;
  }
  const shown = rows.slice(0, shownRows);
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table import-rows', id },
      h('caption', null, t(title)),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('import.col.row')),
          h('th', { scope: 'col' }, t('import.col.field')),
          h('th', { scope: 'col' }, t('import.col.reason')),
        ),
      ),
      h(
        'tbody',
        null,
        shown.flatMap((r) =>
          r.errors.map((e, i) =>
            h(
              'tr',
              null,
              h(
                'th',
                { scope: 'row', 'data-label': t('import.col.row') },
                i === 0 ? String(r.row) : '',
              ),
              h('td', { 'data-label': t('import.col.field') }, e.field),
              h('td', { 'data-label': t('import.col.reason') }, e.message),
            ),
          ),
        ),
      ),
    ),
    total > shown.length &&
      h(
        'p',
        { class: 'hint' },
        t('import.more', { shown: shown.length, total: formatNumber(total) }),
      ),
  );
}

function problemText(e: unknown): string {
  if (e instanceof ApiError && e.network) {
    return t('app.error.network');
  }
  if (e instanceof ApiError) {
    return t('app.error.generic', { message: e.title || e.code });
  }
  return t('app.error.generic', { message: e instanceof Error ? e.message : String(e) });
}
