import { z } from 'zod';
import { DURATIONS, type Duration } from './model.js';

// The numbers alone, apart from the checks in input-rules.ts, because refusal.ts words its messages with
// them and input-rules.ts builds its refusals with refusal.ts: one file would make an import circle.
/**
 * What Kling O1 image-to-video accepts, checked before anything is enqueued or charged.
 * @see docs/architecture.md ("Life of a request", intake)
 */
export const INPUT_RULES = {
  promptMinChars: 1,
  promptMaxChars: 2500,
  durations: DURATIONS,
  defaultDuration: 5 as Duration,
  imageMaxBytes: 10 * 1024 * 1024,
  imageMinSide: 300,
  imageMaxSide: 8192,
  aspectMin: 0.4,
  aspectMax: 2.5,
  imageTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const,
} as const;

/** An image type Oxen takes. */
export const ImageMimeSchema = z.enum(INPUT_RULES.imageTypes);
export type ImageMime = z.infer<typeof ImageMimeSchema>;
