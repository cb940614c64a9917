import type { Result } from '../../shared/result.js';
import type { CheckedImage, ImageSource } from '../images.js';
import type { Refusal, RefusalField } from '../refusal.js';

/**
 * Gets an input image again from the platform it came from (README.md, "Where input images are kept"):
 * a 🔁 after the input retention re-stages the request from it instead of refusing. The bot role answers
 * it with the adapter of the source's platform, which holds the credentials; the image comes back checked
 * by the same rules as a new request's. Null when no running adapter can give that source again.
 */
export type ImageRefetcher = (
  source: ImageSource,
  field: RefusalField,
  signal?: AbortSignal,
) => Promise<Result<CheckedImage, Refusal> | null>;
