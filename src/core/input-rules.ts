import type { Duration } from './model.js';

/**
 * What Kling O1 image-to-video accepts, checked before anything is enqueued or charged.
 * @see reference/oxen-api.md §10
 */
export const INPUT_RULES = {
  promptMinChars: 1,
  promptMaxChars: 2500,
  durations: [5, 10] as const satisfies readonly Duration[],
  defaultDuration: 5 as Duration,
  imageMaxBytes: 10 * 1024 * 1024,
  imageMinSide: 300,
  imageMaxSide: 8192,
  aspectMin: 0.4,
  aspectMax: 2.5,
  imageTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const,
} as const;

/** An image type Oxen takes. */
export type ImageMime = (typeof INPUT_RULES.imageTypes)[number];
