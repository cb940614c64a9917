import { z } from 'zod';
import { ImageSourceSchema, StagedImageSchema } from './images.js';
import { MAX_TAKES } from './input-rules.js';
import { AttemptStateSchema, ChatLocationSchema, DurationSchema, MessageRefSchema, UserRefSchema } from './model.js';
import { RequestOptionsSchema } from './request-options.js';

/*
 * The stored records as zod schemas, with their types inferred: the request store parses what it reads
 * back from Redis (which outlives deploys) with exactly these, so a field added here is kept on the way
 * back, and one added anywhere else does not exist.
 */

/** Where a part of an extended video sits in its chain. */
const PartInfoSchema = z.object({
  /** The request id of part 1: the chain's name. */
  chainId: z.string(),
  /** 2 for the first extension, and so on. */
  index: z.number().int().min(2),
  /** The video it continues: that attempt's take (0-based) gives the last frame. */
  from: z.object({ requestId: z.string(), attempt: z.number().int(), take: z.number().int().min(0) }),
});

/** A request as stored: everything needed to run (and re-run) its attempts. */
export const RequestRecordSchema = z.object({
  requestId: z.string(),
  requester: UserRefSchema,
  where: ChatLocationSchema,
  anchor: MessageRefSchema.optional(),
  prompt: z.string(),
  duration: DurationSchema,
  uploadLimitBytes: z.number(),
  createdAt: z.number(),
  /** The latest attempt number (1 for the first). */
  latestAttempt: z.number().int(),
  /** The bot's copies of the images, once staged (reused by retries). */
  staged: z.object({ start: StagedImageSchema, end: StagedImageSchema.optional() }).optional(),
  /** Whether an end image was given (its bytes wait in the pending store until staged). */
  hasEndImage: z.boolean(),
  /**
   * When the retention ended and the staged copies were deleted (ms): a 🔁 after it cannot reuse them.
   * @see README.md ("Where input images are kept")
   */
  stagedDeletedAt: z.number().optional(),
  /** Loop: the staged start image is sent as the end frame too (`tail_image_url`), so the clip ends where it began. */
  loop: z.boolean().optional(),
  /** Generations asked for in one enqueue (Oxen `num_generations`, 1–4); each is billed and counted. */
  takes: z.number().int().min(1).max(MAX_TAKES).optional(),
  // The request options (core/request-options.ts), each optional: records outlive deploys.
  /** The model id it runs on; absent on records from before models could be chosen (the default then). */
  model: RequestOptionsSchema.shape.model.optional(),
  /** Sound asked for (sent to models that make sound, always explicitly). */
  sound: RequestOptionsSchema.shape.sound.optional(),
  /** Shape asked for: the model's `aspect_ratio`, or the images cropped to it before staging. */
  shape: RequestOptionsSchema.shape.shape.optional(),
  /** Set on a part made by extending another video (⏩): its start image is that video's last frame. */
  part: PartInfoSchema.optional(),
  /**
   * Set on a remix made while the remixed video's images were kept: the stage step copies that
   * request's staged images (the end image only when `hasEndImage`) instead of pending bytes.
   */
  remixOf: z.object({ requestId: z.string() }).optional(),
  /** Where the images came from on the platform, when known (for fetching them again after the retention). */
  sources: z.object({ start: ImageSourceSchema.optional(), end: ImageSourceSchema.optional() }).optional(),
});
export type RequestRecord = z.infer<typeof RequestRecordSchema>;

/** Seconds of video a request asks for: every take is a video of its own. */
export function requestSeconds(request: Pick<RequestRecord, 'duration' | 'takes'>): number {
  return request.duration * (request.takes ?? 1);
}

/** One attempt as stored, field by field, so the worker and intake can update it independently. */
export const AttemptRecordSchema = z.object({
  requestId: z.string(),
  attempt: z.number().int(),
  jobId: z.string(),
  state: AttemptStateSchema,
  createdAt: z.number(),
  /** UTC day (`yyyy-mm-dd`) the quota was reserved on, for the refund. */
  quotaDay: z.string(),
  /** Whether limits were reserved (admins are exempt). */
  reserved: z.boolean(),
  /** The first take's generation (the only one unless `takes` > 1). */
  generationId: z.string().optional(),
  /** Every take's generation, in Oxen's order. */
  generationIds: z.array(z.string()).optional(),
  submittedAt: z.number().optional(),
  progressRef: MessageRefSchema.optional(),
  resultRef: MessageRefSchema.optional(),
  /** The stitched video of the chain, posted after this part (extended videos only). */
  stitchRef: MessageRefSchema.optional(),
  cancelRequestedBy: z.union([UserRefSchema, z.literal('timeout'), z.literal('thread_deleted')]).optional(),
  endedAt: z.number().optional(),
  /** What Oxen charged for this attempt's generation (micro-dollars), once known. */
  costMicros: z.number().int().optional(),
});
export type AttemptRecord = z.infer<typeof AttemptRecordSchema>;
