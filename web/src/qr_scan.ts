// Reading a card's QR code with the phone camera or from a photo (jsQR), shared by the public
// verifier (/verifikasi) and the merchant's voucher page (/voucher). The decoder loads on first
// use: typing or pasting text needs none of it.

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
