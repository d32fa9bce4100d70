// Reading a card's QR code with the phone camera or from a photo (jsQR), shared by the public
// verifier (/verifikasi), the penyalur's handover page (/penyaluran) and the merchant's voucher
// page (/voucher). The decoder loads on first
// use: typing or pasting text needs none of it.
import { h } from './dom';
import { t } from './i18n';

/// Reads a QR code from pixels (camera frame or photo); null when there is none.
export async function readQr(image: ImageData): Promise<string | null> {
  const { default: jsQR } = await import('jsqr');
  const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
  return found && found.data ? found.data : null;
}

/// The pixels of an image or video frame, scaled to at most 1600 px (enough for a card's QR,
/// and fast on big phone photos).
export function pixels(source: CanvasImageSource, width: number, height: number): ImageData {
  const scale = Math.min(1, 1600 / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) {
    throw new Error('no 2D canvas');
  }
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/// A running camera scan: `stop()` ends it (and the camera).
export interface CameraScan {
  stop(): void;
}

/// Starts the rear camera in `video` and calls `found` once with the first QR text it sees (the
/// camera stops then). Rejects when there is no camera or it is refused.
export async function scanWithCamera(
  video: HTMLVideoElement,
  found: (text: string) => void,
): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
    audio: false,
  });
  let timer: number | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    if (timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
    }
    stream.getTracks().forEach((track) => track.stop());
    video.hidden = true;
  };
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  let busy = false;
  timer = window.setInterval(async () => {
    if (stopped || busy || video.videoWidth === 0) {
      return;
    }
    busy = true;
    const text = await readQr(pixels(video, video.videoWidth, video.videoHeight));
    busy = false;
    if (text && !stopped) {
      stop();
      found(text);
    }
  }, 250);
  return { stop };
}

/// The phone pages' "scan the card with the camera" control: a button, the video it shows and a
/// status line. The first QR read goes to `found` (the camera stops then); pressing the button
/// again stops it; `stop()` releases the camera when the page or form goes away.
export interface CardScanner {
  button: HTMLButtonElement;
  video: HTMLVideoElement;
  note: HTMLElement;
  stop(): void;
}

export function cardScanner(prefix: string, found: (text: string) => void): CardScanner {
  let camera: CameraScan | null = null;
  let gone = false;
  const video = h('video', {
    id: `${prefix}-video`,
    class: 'scan-video',
    hidden: true,
    playsinline: true,
    muted: true,
    'aria-label': t('voucher.camera'),
  }) as HTMLVideoElement;
  const note = h('p', { class: 'hint', role: 'status', id: `${prefix}-scan-note` });
  const button = h(
    'button',
    { type: 'button', class: 'button', id: `${prefix}-scan` },
    t('voucher.scan'),
  );
  const stop = () => {
    camera?.stop();
    camera = null;
    button.textContent = t('voucher.scan');
  };
  button.addEventListener('click', async () => {
    if (camera) {
      stop();
      note.textContent = '';
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia) {
      note.textContent = t('verify.scan.no_camera', { reason: 'getUserMedia' });
      return;
    }
    try {
      note.textContent = t('verify.scan.looking');
      button.textContent = t('verify.scan.stop');
      camera = await scanWithCamera(video, (text) => {
        camera = null;
        button.textContent = t('voucher.scan');
        note.textContent = '';
        found(text);
      });
      if (gone) {
        stop();
      }
    } catch (e) {
      button.textContent = t('voucher.scan');
      note.textContent = t('verify.scan.no_camera', {
        reason: e instanceof Error ? e.name : String(e),
      });
    }
  });
  return {
    button,
    video,
    note,
    stop: () => {
      gone = true;
      stop();
    },
  };
}
