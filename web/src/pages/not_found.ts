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
