import type { CheckedImage } from '../../core/images.js';
import type { ImageFetcher } from '../../core/ports/image-fetcher.js';
import { type Refusal, type RefusalField, refusal } from '../../core/refusal.js';
import { err, type Result } from '../../shared/result.js';

/** Downloads one Slack file as a checked image. */
export type SlackImageDownloader = (
  url: string,
  field: RefusalField,
  signal?: AbortSignal,
) => Promise<Result<CheckedImage, Refusal>>;

/**
 * Downloads `url_private(_download)` with the bot token. Slack answers a missing token or `files:read`
 * scope not with 401/403 but with its HTML login page (200) or a 302 to it; the fetcher sees HTML bytes
 * or a redirect it refuses to follow (the token must not leave the host). Either is reported as the
 * missing scope, which is what the operator has to fix.
 * @see docs/platforms.md#slack-private-files
 */
export function createSlackImageDownloader(fetcher: ImageFetcher, botToken: string): SlackImageDownloader {
  return async (url, field, signal) => {
    const result = await fetcher.fetch(url, {
      field,
      headers: { Authorization: `Bearer ${botToken}` },
      ...(signal ? { signal } : {}),
    });
    if (!result.ok && looksLikeLoginPage(result.error)) return err(refusal('image_login_page', field));
    return result;
  };
}

/** Refusals that, for a Slack file URL, mean "Slack showed its login page". */
function looksLikeLoginPage(r: Refusal): boolean {
  if (r.code === 'image_login_page') return true;
  const text = r.message.toLowerCase();
  if (r.code === 'image_type') return /\bhtml\b/.test(text);
  if (r.code === 'image_unreachable') return /\b(30[1278]|redirect|login)\b/.test(text);
  return false;
}
