import type { CheckedImage, StagedImage } from '../images.js';

/**
 * Keeps the bot's own copy of an input image at a stable public URL that Oxen can download (Discord
 * URLs expire, Slack's are private, and a retry may come hours later).
 * @see DESIGN.md §3
 */
export interface ImageStore {
  /** Which implementation: `oxen` (public Oxen repo) or `http` (served by the bot from Redis). */
  readonly kind: 'oxen' | 'http';
  /**
   * Stores the image under `key` and returns its public URL. Idempotent: the same key stores to the same
   * place, so a stage step that crashed half way can simply run again.
   */
  put(key: string, image: CheckedImage, signal?: AbortSignal): Promise<StagedImage>;
  /**
   * Stores a finished video for the link fallback (when it fits no upload). Returns a durable URL,
   * never a presigned one.
   */
  putVideo(key: string, filePath: string, signal?: AbortSignal): Promise<{ url: string }>;
}
