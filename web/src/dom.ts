// A small helper to build DOM nodes without innerHTML: text is always text (no injection), and
// no inline style attributes (the server's Content-Security-Policy forbids them).

export type Child = Node | string | number | null | undefined | false | Child[];
type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (Array.isArray(child)) {
      append(parent, child);
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else if (child !== null && child !== undefined && child !== false) {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }
}

export function clear(el: Element): void {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
}

/// Replaces the children of `el`.
export function replace(el: Element, ...children: Child[]): void {
  clear(el);
  append(el, children);
}

/// One button in the form's action row (`.form-actions`): the "next person" of the scanning
/// pages, after a handover, a redemption or a service request.
export function actionRow(label: string, onclick: () => void): HTMLElement {
  return h(
    'div',
    { class: 'form-actions' },
    h('button', { type: 'button', class: 'button', onclick }, label),
  );
}

let nextId = 0;
/// A unique id for label/aria-describedby pairs.
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/// A <select> with an "all" option (value "") followed by `options` [value, label].
export function select(
  id: string,
  options: [string, string][],
  value: string,
  allLabel: string | null,
): HTMLSelectElement {
  const el = h('select', { id, name: id });
  if (allLabel !== null) {
    el.appendChild(h('option', { value: '' }, allLabel));
  }
  for (const [v, label] of options) {
    el.appendChild(h('option', { value: v, selected: v === value }, label));
  }
  el.value = value;
  return el;
}

/// Saves `blob` as a download called `filename` (the browser's own save, no server round trip).
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = h('a', { href, download: filename, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 60000);
}
