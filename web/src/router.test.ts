import { describe, expect, it } from 'vitest';

import { match, type Route } from './router';

const render = () => undefined;
const routes: Route[] = [
  { path: '/masuk', title: 'login.title', render, public: true },
  { path: '/data', title: 'data.title', render },
  { path: '/orang/:id', title: 'person.title', render },
];

describe('router', () => {
  it('matches a path with its parameters and query', () => {
    const m = match(routes, new URL('http://x/orang/01a2%2F3?tab=riwayat'));
    expect(m?.route.path).toBe('/orang/:id');
    expect(m?.context.params).toEqual({ id: '01a2/3' });
    expect(m?.context.query.get('tab')).toBe('riwayat');
  });

  it('ignores a trailing slash and refuses other lengths or names', () => {
    expect(match(routes, new URL('http://x/data/'))?.route.path).toBe('/data');
    expect(match(routes, new URL('http://x/orang'))).toBeNull();
    expect(match(routes, new URL('http://x/orang/1/2'))).toBeNull();
    expect(match(routes, new URL('http://x/datas'))).toBeNull();
  });
});
