import { h, replace } from '../dom';
import { t } from '../i18n';

export function notFoundPage(root: HTMLElement): void {
  replace(
    root,
    h(
      'div',
      { class: 'page narrow' },
      h('h1', null, t('app.not_found.title')),
      h('p', null, t('app.not_found.body')),
      h('p', null, h('a', { href: '/peta' }, t('nav.map'))),
    ),
  );
}

/// A page the signed-in role may not use (the server refuses its API calls too).
export function forbiddenPage(root: HTMLElement): void {
  replace(
    root,
    h(
      'div',
      { class: 'page narrow' },
      h('h1', null, t('app.forbidden.title')),
      h('p', null, t('app.forbidden.body')),
      h('p', null, h('a', { href: '/peta' }, t('nav.map'))),
    ),
  );
}
