// Names of the kecamatan and kelurahan the user may see, loaded once per session from
// GET /api/v1/areas (the same call that carries the counts).
import { api } from './api';
import { onUserChange } from './session';

export interface AreaName {
  code: string;
  name: string;
  parent: string | null;
}

let cache: Promise<{ kecamatan: AreaName[]; kelurahan: AreaName[] }> | null = null;
onUserChange(() => {
  cache = null; // another user sees other areas
});

export function areaNames(): Promise<{ kecamatan: AreaName[]; kelurahan: AreaName[] }> {
  if (!cache) {
    const names = (level: string) =>
      api.areas({ level }).then((fc) =>
        fc.features
          .map((f) => ({
            code: f.properties.code,
            name: f.properties.name,
            parent: f.properties.parent,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    cache = Promise.all([names('kecamatan'), names('kelurahan')]).then(
      ([kecamatan, kelurahan]) => ({ kecamatan, kelurahan }),
    );
    cache.catch(() => {
      cache = null;
    });
  }
  return cache;
}

export function nameOf(list: AreaName[], code: string): string {
  return list.find((a) => a.code === code)?.name ?? code;
}

/// Whole years between a birth date ("2000-02-25") and today.
export function ageYears(birthDate: string, today = new Date()): number | null {
  const [y, m, d] = birthDate.split('-').map(Number);
  if (!y || !m || !d) {
    return null;
  }
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) {
    age -= 1;
  }
  return age;
}
