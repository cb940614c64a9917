import { type Refusal, refusal } from './refusal.js';

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
