// Form pieces the social assistance pages share: a labelled control with its error line
// (aria-invalid, aria-describedby, ⚠ and text) and the API's field errors put at their field.
import { ApiError } from '../api';
import { h, type Child } from '../dom';

export interface Field {
  row: HTMLElement;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  setError(message: string | null, focus?: boolean): void;
}

/// A labelled control; `hint` is read with it (aria-describedby) and so is its error.
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
  extra?: Child,
): Field {
  const errorId = `${control.id}-error`;
  const hintId = `${control.id}-hint`;
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const describedBy = [hint ? hintId : '', errorId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  const row = h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint && h('p', { id: hintId, class: 'hint' }, hint),
    extra,
    error,
  );
  return {
    row,
    control,
    setError(message, focus = true) {
      error.textContent = message ?? '';
      error.hidden = message === null;
      if (message === null) {
        control.removeAttribute('aria-invalid');
      } else {
        control.setAttribute('aria-invalid', 'true');
        if (focus) {
          control.focus();
        }
      }
    },
  };
}

/// Shows an ApiError's per-field errors at the fields named (by the JSON path's first part);
/// returns true when at least one was placed (the first focused).
export function placeFieldErrors(e: unknown, fields: Record<string, Field>): boolean {
  if (!(e instanceof ApiError)) {
    return false;
  }
  let placed = false;
  for (const issue of e.fields) {
    const name = issue.field.replace(/^\//, '').split(/[./[]/)[0];
    const target = fields[name];
    if (target && issue.level !== 'warning') {
      target.setError(issue.message, !placed);
      placed = true;
    }
  }
  return placed;
}
