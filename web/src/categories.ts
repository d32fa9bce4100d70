// Disability categories as the map shows them: a colour (Okabe–Ito, readable by the colour
// blind) and a letter, so that colour is never the only signal. Colours live in style.css
// (.cat-<code>), letters in the string catalogue (category.<code>.symbol).
import { categories, type Category } from './api';
import { formatNumber, t, tCode, type StringKey } from './i18n';

export function symbol(category: Category): string {
  return t(`category.${category}.symbol` as StringKey);
}

/// The category with the most persons (the first in catalogue order on a tie), or null.
export function dominant(counts: Partial<Record<Category, number>>): Category | null {
  let best: Category | null = null;
  for (const c of categories) {
    if ((counts[c] ?? 0) > 0 && (best === null || (counts[c] ?? 0) > (counts[best] ?? 0))) {
      best = c;
    }
  }
  return best;
}

/// "Fisik 40, Mental 12" in descending order.
export function describeCounts(counts: Partial<Record<Category, number>>): string {
  return categories
    .filter((c) => (counts[c] ?? 0) > 0)
    .sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0))
    .map((c) => `${tCode('category', c)} ${formatNumber(counts[c] ?? 0)}`)
    .join(', ');
}

export function categoryNames(list: Category[]): string {
  return list.map((c) => tCode('category', c)).join(', ');
}
