import type { Api } from 'grammy';
import type { Message } from 'grammy/types';
import type { CheckedImage } from '../../core/images.js';
import type { ImageMeta } from '../../core/input-rules.js';
import type { ImageFetcher } from '../../core/ports/image-fetcher.js';
import { type Refusal, type RefusalField, refusal } from '../../core/refusal.js';
import { err, type Result } from '../../shared/result.js';

/** An image a message carries: a photo (its largest size) or a file whose type is an image. */
export interface TelegramImage {
  fileId: string;
  /** What Telegram tells before the download: the size, and a photo's dimensions. */
  meta: ImageMeta;
}

/**
 * The largest file a bot may download with getFile (20 MB, https://core.telegram.org/bots/api#getfile).
 * The input rules' own limit (10 MB, src/core/input-limits.ts) is lower and is checked first from the
 * size the message states, so a file over either is refused before anything is reserved, and getFile is
 * never asked for it.
 */
export const TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

/** The image `message` carries, if any. */
export function imageOf(message: Message | undefined): TelegramImage | null {
  if (!message) return null;
  const photo = message.photo?.at(-1);
  if (photo) {
    return {
      fileId: photo.file_id,
      // Telegram re-encodes every photo as JPEG.
      meta: {
        mime: 'image/jpeg',
        width: photo.width,
        height: photo.height,
        ...(photo.file_size ? { bytes: photo.file_size } : {}),
      },
    };
  }
  const doc = message.document;
  if (doc?.mime_type?.startsWith('image/')) {
    return {
      fileId: doc.file_id,
      meta: { mime: doc.mime_type, ...(doc.file_size ? { bytes: doc.file_size } : {}) },
    };
  }
  return null;
}

/**
 * Downloads one image: getFile for a fresh path, then the file host (`<api>/file/bot<token>/<path>`)
 * through the image fetcher (host allow-list, size cap, sniffed type, the input rules). The URL holds the
 * token, which the logger scrubs like every secret.
 */
export async function downloadImage(
  api: Api,
  fetcher: ImageFetcher,
  apiUrl: string,
  token: string,
  image: TelegramImage,
  field: RefusalField,
  signal?: AbortSignal,
): Promise<Result<CheckedImage, Refusal>> {
  if ((image.meta.bytes ?? 0) > TELEGRAM_DOWNLOAD_LIMIT_BYTES) {
    return err(refusal('image_too_large', field, { bytes: image.meta.bytes ?? 0 }));
  }
  let path: string | undefined;
  try {
    path = (await api.getFile(image.fileId)).file_path;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return err(refusal('image_unreachable', field, { reason: `Telegram's getFile failed (${reason})` }));
  }
  if (!path) return err(refusal('image_unreachable', field, { reason: 'Telegram gave no file path' }));
  const url = `${apiUrl.replace(/\/+$/, '')}/file/bot${token}/${path}`;
  return fetcher.fetch(url, { field, ...(signal ? { signal } : {}) });
}
