import type { CheckedImage } from '../core/images.js';
import { checkImageMeta, extensionFor, INPUT_RULES } from '../core/input-rules.js';
import { type Refusal, type RefusalField, refusal } from '../core/refusal.js';
import { err, ok, type Result } from '../shared/result.js';
import { readDimensions } from './dimensions.js';
import { isSupportedImageMime, looksLikeHtml, sniffType } from './sniff.js';

/**
 * Checks image bytes the way the bot does before anything is spent: HTML refused as a login page, type
 * sniffed from the bytes, size, dimensions and aspect by the input rules. Used by the image fetcher and
 * by the CLI for local files, so both refuse the same things with the same words.
 * @see docs/architecture.md#input-rules
 */
export async function checkImageBytes(
  bytes: Uint8Array,
  field: RefusalField = 'image',
): Promise<Result<CheckedImage, Refusal>> {
  if (bytes.length > INPUT_RULES.imageMaxBytes) return err(refusal('image_too_large', field, { bytes: bytes.length }));
  if (looksLikeHtml(bytes)) return err(refusal('image_login_page', field));
  const type = await sniffType(bytes);
  if (!type) return err(refusal('image_type', field));
  const mime = type.mime;
  if (!isSupportedImageMime(mime)) {
    const typeOnly = checkImageMeta({ mime }, field);
    return err(typeOnly.ok ? refusal('image_type', field) : typeOnly.error);
  }
  const size = readDimensions(bytes);
  if (!size || isTruncatedPng(mime, bytes)) return err(refusal('image_unreadable', field));
  const checked = checkImageMeta({ bytes: bytes.length, mime, width: size.width, height: size.height }, field);
  if (!checked.ok) return checked;
  return ok({ bytes, mime, ext: extensionFor(mime), width: size.width, height: size.height });
}

/** A PNG cut short (an interrupted upload) has no IEND chunk near its end; the model would reject it. */
function isTruncatedPng(mime: string, bytes: Uint8Array): boolean {
  if (mime !== 'image/png') return false;
  return !Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).includes('IEND', 0, 'latin1');
}
