import { type Refusal, refusal } from './refusal.js';

/** The most takes one request may ask for (Oxen's `num_generations` allows 1–4). */
export const MAX_TAKES = 4;

/**
 * Checks the variant options of a request: a loop ends on its start image, so it cannot also take an
 * end image; takes are 1–4. Null when they are fine.
 */
export function checkVariants(options: {
  loop?: boolean | undefined;
  takes?: number | undefined;
  hasEndImage: boolean;
}): Refusal | null {
  if (options.loop && options.hasEndImage) return refusal('loop_with_end_image', 'end_image');
  const takes = options.takes ?? 1;
  if (!Number.isInteger(takes) || takes < 1 || takes > MAX_TAKES) return refusal('takes_invalid');
  return null;
}
