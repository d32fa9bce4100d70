// Photos taken or chosen in the browser, made small before they are sent: the handover's
// evidence (Penyaluran) and a person's photo (Tambah/Ubah). One resize for both.

/// The size a photo of w×h is drawn at so that its larger side is at most `max`.
export function fitWithin(w: number, h: number, max: number): { w: number; h: number } {
  if (w <= max && h <= max) {
    return { w, h };
  }
  const scale = max / Math.max(w, h);
  return { w: Math.max(1, Math.round(w * scale)), h: Math.max(1, Math.round(h * scale)) };
}

/// A photo drawn small and encoded as JPEG.
export interface ShrunkPhoto {
  /// The JPEG, base64 without the data: prefix.
  base64: string;
  w: number;
  h: number;
  bytes: number;
}

/// Draws a photo file at most `maxSide` px on its longer side and encodes it as JPEG, lowering
/// the quality until it is at most `maxBytes`. Throws when the file is not a picture the browser
/// reads, or will not fit.
export async function shrinkPhoto(
  file: Blob,
  maxSide: number,
  maxBytes: number,
): Promise<ShrunkPhoto> {
  const bitmap = await createImageBitmap(file);
  const size = fitWithin(bitmap.width, bitmap.height, maxSide);
  const canvas = document.createElement('canvas');
  canvas.width = size.w;
  canvas.height = size.h;
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    throw new Error('canvas');
  }
  ctx.drawImage(bitmap, 0, 0, size.w, size.h);
  bitmap.close();
  for (const quality of [0.82, 0.7, 0.55, 0.4]) {
    const url = canvas.toDataURL('image/jpeg', quality);
    const base64 = url.slice(url.indexOf(',') + 1);
    const bytes = base64Bytes(base64);
    if (bytes <= maxBytes) {
      return { base64, w: size.w, h: size.h, bytes };
    }
  }
  throw new Error('too large');
}

/// The number of bytes a base64 text holds.
export function base64Bytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/// The bytes of a base64 text, as a Blob of `type`.
export function base64Blob(base64: string, type: string): Blob {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    bytes[i] = text.charCodeAt(i);
  }
  return new Blob([bytes], { type });
}
