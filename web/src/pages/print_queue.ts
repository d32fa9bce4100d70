// Cetak kartu (/cetak; admin and operator): the print queue of one kelurahan (or of every
// kelurahan of the user's areas): the cards to print, with the A4 sheet PDF of them, and the
// cards to hand over; selected cards are marked printed or handed over.
import { api, download, type Card } from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { keepSelected, type Stage } from '../cards';
import { h, replace, saveBlob, select } from '../dom';
import { formatBytes, formatInstant, t, type StringKey } from '../i18n';
import { navigate, type RouteContext } from '../router';
import { errorText } from './person_card';

const pageSize = 1000;

export function printQueuePage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  const kelurahan = context.query.get('kelurahan') ?? '';
  const status = h('p', { class: 'notice', role: 'status' });
  const filter = h('div', { class: 'filters' }, t('app.loading'));
  const sheetStatus = h('p', { class: 'export-status', role: 'status' });
  const sheetButton = h(
    'button',
    { type: 'button', class: 'button primary', disabled: true },
    t('print.sheet'),
  );
  const lists = h('div', { class: 'print-lists', 'aria-busy': 'true' });
  replace(
    root,
    h(
      'div',
      { class: 'page print-page' },
      h('h1', null, t('print.title')),
      h('p', null, t('print.intro')),
      filter,
      h(
        'div',
        { class: 'export-links' },
        sheetButton,
        !kelurahan && h('p', { class: 'hint' }, t('print.sheet.needs_kelurahan')),
      ),
      sheetStatus,
      status,
      lists,
    ),
  );

  let names: AreaName[] = [];
  const selected: Record<Stage, Set<string>> = {
    to_print: new Set(),
    to_hand_over: new Set(),
    handed_over: new Set(),
  };

  async function load(message = ''): Promise<void> {
    lists.setAttribute('aria-busy', 'true');
    try {
      const query = { kelurahan, limit: pageSize };
      const [toPrint, toHand] = await Promise.all([
        api.cardQueue({ ...query, stage: 'to_print' }),
        api.cardQueue({ ...query, stage: 'to_hand_over' }),
      ]);
      if (disposed) {
        return;
      }
      lists.removeAttribute('aria-busy');
      selected.to_print = keepSelected(selected.to_print, toPrint.items);
      selected.to_hand_over = keepSelected(selected.to_hand_over, toHand.items);
      sheetButton.disabled = !kelurahan || toPrint.items.length === 0;
      replace(
        lists,
        stageTable('to_print', 'print.to_print', 'print.mark_printed', toPrint.items),
        stageTable('to_hand_over', 'print.to_hand_over', 'print.mark_handed_over', toHand.items),
      );
      status.textContent = message;
    } catch (e) {
      lists.removeAttribute('aria-busy');
      replace(lists, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  function stageTable(
    stage: Stage,
    titleKey: StringKey,
    markKey: StringKey,
    items: Card[],
  ): HTMLElement {
    const chosen = selected[stage];
    const markButton = h('button', { type: 'button', class: 'button primary' });
    const refresh = () => {
      markButton.textContent = t(markKey, { count: chosen.size });
      markButton.disabled = chosen.size === 0;
    };
    refresh();
    const boxes: HTMLInputElement[] = [];
    const all = h('input', {
      type: 'checkbox',
      id: `all-${stage}`,
      checked: items.length > 0 && chosen.size === items.length,
      onchange: (e: Event) => {
        const on = (e.currentTarget as HTMLInputElement).checked;
        boxes.forEach((b) => {
          b.checked = on;
          if (on) {
            chosen.add(b.value);
          } else {
            chosen.delete(b.value);
          }
        });
        refresh();
      },
    });
    markButton.addEventListener('click', async () => {
      markButton.disabled = true;
      const numbers = [...chosen];
      try {
        const r = await api.markCards(stage === 'to_print' ? 'printed' : 'handed-over', numbers);
        chosen.clear();
        await load(
          t(stage === 'to_print' ? 'print.marked_printed' : 'print.marked_handed_over', {
            count: r.changed,
          }),
        );
      } catch (e) {
        refresh();
        status.textContent = errorText(e);
      }
    });
    const headingId = `h-${stage}`;
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': headingId, id: `stage-${stage}` },
      h('h2', { id: headingId }, t(titleKey, { count: items.length })),
      items.length === 0
        ? h('p', null, t('print.empty'))
        : [
            h(
              'div',
              { class: 'field checkbox' },
              all,
              h('label', { for: all.id }, t('print.select_all')),
            ),
            h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'data-table' },
                h('caption', { class: 'visually-hidden' }, t(titleKey, { count: items.length })),
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'col' }, t('print.col.select')),
                    h('th', { scope: 'col' }, t('print.col.number')),
                    h('th', { scope: 'col' }, t('print.col.kelurahan')),
                    h('th', { scope: 'col' }, t('print.col.issued')),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  items.map((c) => {
                    const box = h('input', {
                      type: 'checkbox',
                      value: c.number,
                      checked: chosen.has(c.number),
                      'aria-label': t('print.select', { number: c.number_formatted }),
                      onchange: (e: Event) => {
                        if ((e.currentTarget as HTMLInputElement).checked) {
                          chosen.add(c.number);
                        } else {
                          chosen.delete(c.number);
                        }
                        all.checked = chosen.size === items.length;
                        refresh();
                      },
                    });
                    boxes.push(box);
                    return h(
                      'tr',
                      null,
                      h('td', null, box),
                      h(
                        'th',
                        { scope: 'row' },
                        h('a', { href: `/orang/${c.person_id}` }, c.number_formatted),
                      ),
                      h('td', null, nameOf(names, c.kelurahan_code)),
                      h('td', null, formatInstant(c.issued_at)),
                    );
                  }),
                ),
              ),
            ),
            items.length >= pageSize &&
              h('p', { class: 'hint' }, t('print.more', { count: pageSize })),
          ],
      h('div', { class: 'form-actions' }, markButton),
    );
  }

  sheetButton.addEventListener('click', async () => {
    sheetButton.disabled = true;
    sheetStatus.textContent = t('data.export.preparing');
    let last = 0;
    try {
      const { blob, filename } = await download(
        '/api/v1/cards/sheet',
        { kelurahan, stage: 'to_print' },
        (received, total) => {
          const now = Date.now();
          if (now - last > 200) {
            last = now;
            sheetStatus.textContent =
              total === null
                ? t('data.export.progress', { received: formatBytes(received) })
                : t('data.export.progress_of', {
                    received: formatBytes(received),
                    total: formatBytes(total),
                    percent: Math.round((100 * received) / total),
                  });
          }
        },
      );
      const name = filename.endsWith('.pdf') ? filename : `kartu-${kelurahan}.pdf`;
      saveBlob(blob, name);
      sheetStatus.textContent = t('data.export.done', { file: name, size: formatBytes(blob.size) });
    } catch (e) {
      sheetStatus.textContent = errorText(e);
    } finally {
      sheetButton.disabled = false;
    }
  });

  areaNames()
    .then((areas) => {
      if (disposed) {
        return;
      }
      names = areas.kelurahan;
      const choice = select(
        'print-kelurahan',
        names.map((a) => [a.code, a.name]),
        kelurahan,
        t('print.kelurahan.all'),
      );
      choice.addEventListener('change', () =>
        navigate(choice.value ? `/cetak?kelurahan=${encodeURIComponent(choice.value)}` : '/cetak'),
      );
      replace(
        filter,
        h('div', { class: 'field' }, h('label', { for: choice.id }, t('print.kelurahan')), choice),
      );
      return load();
    })
    .catch((e: unknown) => {
      replace(filter, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    });

  return () => {
    disposed = true;
  };
}
