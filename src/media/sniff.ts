import { fileTypeFromBuffer } from 'file-type';
import { type ImageMime, INPUT_RULES } from '../core/input-rules.js';

/** What the bytes are, by their content (never the file name or a Content-Type header). */
export interface SniffedType {
  mime: string;
  ext: string;
}

/**
 * Detects the type of `bytes` with file-type. Returns null when the bytes match no known format
 * (plain text, HTML, truncated data).
 */
export async function sniffType(bytes: Uint8Array): Promise<SniffedType | null> {
  const type = await fileTypeFromBuffer(bytes);
  return type ? { mime: type.mime, ext: type.ext } : null;
}

/** Whether a MIME type is one Oxen takes for `input_image` (jpeg, png, gif, webp). */
export function isSupportedImageMime(mime: string): mime is ImageMime {
  return (INPUT_RULES.imageTypes as readonly string[]).includes(mime);
}

/**
 * Whether the bytes look like an HTML page: what Slack returns instead of a private file when the app
 * lacks `files:read`, and what many sites return for a login wall.
 */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head');
}
