import { err, ok, type Result } from '../shared/result.js';
import { type ImageMime, INPUT_RULES } from './input-limits.js';
import type { Duration } from './model.js';
import { type Refusal, type RefusalField, refusal } from './refusal.js';

export { type ImageMime, ImageMimeSchema, INPUT_RULES } from './input-limits.js';

/** Trims the prompt and checks its length. */
export function checkPrompt(raw: string | null | undefined): Result<string, Refusal> {
  const prompt = (raw ?? '').trim();
  if (prompt.length < INPUT_RULES.promptMinChars) {
    return err(refusal('prompt_empty', 'prompt'));
  }
  if (prompt.length > INPUT_RULES.promptMaxChars) {
    return err(refusal('prompt_too_long', 'prompt', { length: prompt.length }));
  }
  return ok(prompt);
}

/**
 * A whole number of seconds (numbers or numeric strings, as Slack selects send them); absent means the
 * default. Which lengths a model takes is checked against the model (core/request-options.ts, and the
 * intake's extend for a part, which continues on its video's model).
 */
export function checkDuration(raw: unknown): Result<Duration, Refusal> {
  if (raw === undefined || raw === null || raw === '') return ok(INPUT_RULES.defaultDuration);
  const n = typeof raw === 'string' ? Number(raw.trim().replace(/s$/i, '')) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 60
    ? ok(n)
    : err(refusal('duration_invalid', 'duration'));
}

/** The most takes one request may ask for (Oxen's `num_generations` allows 1–4). */
export const MAX_TAKES = 4;

/**
 * Checks the variant options of a request: a loop ends on its start image, so it cannot also take an
 * end image; takes are 1–4. Null when they are fine.
 */
export function checkVariants(options: {
  loop?: boolean | undefined;
  takes?: unknown;
  hasEndImage: boolean;
}): Refusal | null {
  if (options.loop && options.hasEndImage) return refusal('loop_with_end_image', 'end_image');
  return parseTakes(options.takes) === null ? refusal('takes_invalid', 'takes') : null;
}

/** Takes as typed or selected (a number, "3", absent for 1), or null when not a whole number 1–4. */
export function parseTakes(raw: unknown): number | null {
  if (raw === undefined || raw === null || raw === '') return 1;
  const n = typeof raw === 'string' ? Number(raw.trim()) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_TAKES ? n : null;
}

/** What is known about an image before its bytes are read (a Discord attachment's metadata). */
export interface ImageMeta {
  /** Size in bytes, when known. */
  bytes?: number;
  /** Declared or sniffed MIME type, when known. */
  mime?: string;
  width?: number;
  height?: number;
}

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
