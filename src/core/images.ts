import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';
import { type ImageMime, ImageMimeSchema, INPUT_RULES } from './input-rules.js';
import { type Refusal, type RefusalField, refusal } from './refusal.js';

/** What is known about an image before its bytes are read (a Discord attachment's metadata). */
export interface ImageMeta {
  /** Size in bytes, when known. */
  bytes?: number;
  /** Declared or sniffed MIME type, when known. */
  mime?: string;
  width?: number;
  height?: number;
}

/** What is stored next to a checked image's bytes while it waits to be staged. */
export const CheckedImageMetaSchema = z.object({
  mime: ImageMimeSchema,
  /** File extension matching `mime` (`png`, `jpg`, `gif`, `webp`). */
  ext: z.string(),
  width: z.number(),
  height: z.number(),
});

/** An image whose bytes were downloaded, sniffed and measured, and that passed every rule. */
export type CheckedImage = z.infer<typeof CheckedImageMetaSchema> & { bytes: Uint8Array };

/**
 * Where an input image came from on its platform, kept with the request so that a 🔁 after the
 * retention could fetch it again instead of refusing (README.md, "Where input images are kept"). Slack
 * files are read again with `files.info`; a Discord message attachment through its message (attachment
 * URLs expire). A Discord slash-command upload belongs to no message and cannot be fetched again.
 */
export const ImageSourceSchema = z.discriminatedUnion('platform', [
  z.object({ platform: z.literal('slack'), fileId: z.string() }),
  z.object({ platform: z.literal('discord'), channelId: z.string(), messageId: z.string(), attachmentId: z.string() }),
]);
export type ImageSource = z.infer<typeof ImageSourceSchema>;

/** The bot's copy of a checked image in the ImageStore, kept while Oxen or a 🔁 may need it. */
export const StagedImageSchema = z.object({
  /**
   * Where the copy is. Oxen and http stores: the public URL Oxen downloads. s3: the object's address
   * without a signature (not readable as such; Oxen gets a presigned link, `ImageStore.linkFor`).
   */
  url: z.string(),
  mime: ImageMimeSchema,
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  /**
   * The store's own name for the copy (`oxen:…`, `http:…`, `s3:…`), which `ImageStore.remove` deletes.
   * Absent on copies staged before the stores tracked them.
   */
  ref: z.string().optional(),
});
export type StagedImage = z.infer<typeof StagedImageSchema>;

/**
 * Applies the input rules (docs/architecture.md#input-rules) to whatever is known. Unknown values pass, so the same function
 * serves the early check (attachment metadata) and the final one (sniffed bytes).
 */
export function checkImageMeta(meta: ImageMeta, field: RefusalField = 'image'): Result<ImageMeta, Refusal> {
  const R = INPUT_RULES;
  if (meta.bytes !== undefined && meta.bytes > R.imageMaxBytes) {
    return err(refusal('image_too_large', field, { bytes: meta.bytes }));
  }
  if (meta.mime !== undefined && !(R.imageTypes as readonly string[]).includes(meta.mime)) {
    return err(refusal('image_type', field, { detectedType: describeType(meta.mime) }));
  }
  const { width, height } = meta;
  if (width !== undefined && height !== undefined && width > 0 && height > 0) {
    if (width < R.imageMinSide || height < R.imageMinSide) {
      return err(refusal('image_too_small', field, { width, height }));
    }
    if (width > R.imageMaxSide || height > R.imageMaxSide) {
      return err(refusal('image_too_big_dimensions', field, { width, height }));
    }
    const aspect = width / height;
    if (aspect < R.aspectMin || aspect > R.aspectMax) {
      return err(refusal('image_aspect', field, { width, height }));
    }
  }
  return ok(meta);
}

/**
 * The size an image the bot makes itself (the last frame of a clip, for an extension) must be scaled
 * up to so both sides reach the model's minimum, its aspect ratio kept; null when it already does. A
 * downscaled clip, or another model's output, can be under 300 px a side.
 * @example sizeForModel(480, 272) // { width: 530, height: 300 }
 */
export function sizeForModel(width: number, height: number): { width: number; height: number } | null {
  const min = INPUT_RULES.imageMinSide;
  if (width >= min && height >= min) return null;
  const factor = min / Math.min(width, height);
  return { width: Math.max(min, Math.ceil(width * factor)), height: Math.max(min, Math.ceil(height * factor)) };
}

/** Turns a MIME type into words for a message ("a HEIC file", "a PDF file"). */
function describeType(mime: string): string {
  const sub = mime.split('/')[1] ?? mime;
  return sub.replace(/^x-/, '').toUpperCase();
}

/** File extension for a supported type. */
export function extensionFor(mime: ImageMime): string {
  return { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' }[mime];
}
