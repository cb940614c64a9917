import type { CheckedImage, StagedImage } from '../core/images.js';
import type { Clock } from '../core/ports/clock.js';

/** STAGED_INPUT_RETENTION_HOURS' default. */
export const DEFAULT_INPUT_RETENTION_MS = 24 * 3600_000;
/**
 * How long a link-fallback video stays downloadable with the http and s3 stores: 7 days, the longest
 * an S3 presigned link can live. README.md documents it.
 */
export const VIDEO_LIFETIME_MS = 7 * 24 * 3600_000;

/** Builds the record of a staged copy. */
export function stagedImage(url: string, ref: string, image: CheckedImage): StagedImage {
  return { url, ref, mime: image.mime, width: image.width, height: image.height, bytes: image.bytes.byteLength };
}

/** Keys are `<request id>-start` etc.: request ids are random, so paths and ids stay unguessable. */
export function safeKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A store was handed a ref that another store (or a garbled record) made. */
export class ForeignRefError extends Error {
  public override readonly name = 'ForeignRefError';
}

/** What every store's options share. */
export interface StoreRetention {
  /** STAGED_INPUT_RETENTION_HOURS in ms. @defaultValue {@link DEFAULT_INPUT_RETENTION_MS} */
  inputRetentionMs?: number;
  clock?: Clock;
}
