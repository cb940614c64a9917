import type { CheckedImage } from '../images.js';

/** A vision model's verdict on a prompt and its image. */
export type VisionVerdict = 'allow' | 'block';

/**
 * The optional content check (README.md, "Administration"): a vision model reads the prompt and the
 * image and says whether the request may run. Implemented on Oxen's chat endpoint (src/oxen/vision.ts).
 */
export interface VisionCheckPort {
  /** The model asked (shown in the settings). */
  readonly model: string;
  /** What one check costs, as the operator estimated it (VISION_CHECK_COST_USD), in micro-dollars. */
  readonly costMicros: number;
  /** Rejects when the model cannot be asked (the caller refuses the request rather than let it through). */
  check(prompt: string, image: CheckedImage, signal?: AbortSignal): Promise<VisionVerdict>;
}
