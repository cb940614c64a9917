import type { Result } from '../../shared/result.js';
import type { CheckedImage } from '../images.js';
import type { Refusal, RefusalField } from '../refusal.js';

/** How to fetch one user image. */
export interface FetchImageOptions {
  /** Which input this is, so a refusal names it. @defaultValue 'image' */
  field?: RefusalField;
  /**
   * Extra request headers, e.g. Slack's `Authorization: Bearer xoxb-…` for `url_private`. They are
   * sent only to the URL's own host, never to a redirect target.
   */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Downloads a user image with a streaming size cap and a timeout, only from allowed hosts, sniffs its
 * type from the bytes, reads its dimensions and applies the input rules.
 * @see docs/architecture.md#input-rules
 */
export interface ImageFetcher {
  /** Fetches and checks; every expected failure (too big, wrong type, host refused…) is a refusal. */
  fetch(url: string, options?: FetchImageOptions): Promise<Result<CheckedImage, Refusal>>;
}
