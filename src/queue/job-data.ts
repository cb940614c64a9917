import { z } from 'zod';

/**
 * A job's data. Parsed at the top of the processor: jobs outlive deploys, so old or foreign data must
 * fail clearly rather than half-work.
 */
export const AnimateJobDataSchema = z.object({
  requestId: z.string().min(1),
  attempt: z.number().int().min(1),
  step: z.enum(['stage', 'submit', 'wait', 'deliver', 'stitch']),
  /** Set the moment Oxen accepted the enqueue: a job that has it never enqueues again. */
  generationId: z.string().optional(),
  /** Every take's generation when the request asked for several (`generationId` is the first). */
  generationIds: z.array(z.string()).optional(),
  /** How each take ended, once it did; the wait step waits until every take has. */
  takeResults: z
    .array(
      z.object({
        generationId: z.string(),
        kind: z.enum(['succeeded', 'failed', 'cancelled']),
        url: z.string().nullable().optional(),
        reason: z.string().nullable().optional(),
        completedAt: z.number().optional(),
      }),
    )
    .optional(),
  /**
   * The takes made so far by separate enqueues (a model without `num_generations`), each indexed to this
   * job: a re-run enqueues or searches only for the rest.
   */
  enqueuedIds: z.array(z.string()).optional(),
  /** When the submit step was about to call Oxen (ms); lets a re-run find a generation it lost. */
  submittingAt: z.number().optional(),
  /** When the first enqueue of this attempt started (ms): the give-up clock, which no re-enqueue resets. */
  firstSubmittingAt: z.number().optional(),
  /**
   * When this attempt learned that an enqueue's answer was unclear (ms): it searches Oxen, and does not
   * enqueue again, until the adoption window from here has passed.
   */
  unclearSince: z.number().optional(),
  /** Where to download the result (the row's `result_url`, or the event's presigned `url`). */
  resultUrl: z.string().optional(),
  /** When Oxen was last polled for this generation (ms). */
  lastPollAt: z.number().optional(),
  /** BullMQ's stall count already accounted for (a stalled job may have missed its event). */
  stallsSeen: z.number().int().optional(),
  /** When Oxen finished (ms), for the durations history. */
  completedAt: z.number().optional(),
  /** Transient errors in a row since a generation may exist; sets the backoff of the next try. */
  transientErrors: z.number().int().optional(),
  /** How often the sweeper put this job back in line after it ended with its attempt open. */
  revivals: z.number().int().optional(),
});

/** A job's data. */
export type AnimateJobData = z.infer<typeof AnimateJobDataSchema>;

/** How one take ended. */
export type TakeResult = NonNullable<AnimateJobData['takeResults']>[number];

/**
 * Every take's generation id of a job or an attempt record (one unless the request asked for several):
 * cancels, releases, settling and the sweeper cover each of them (docs/architecture.md, "Takes, loop and
 * extend").
 */
export function takeGenerationIds(of: {
  generationId?: string | undefined;
  generationIds?: string[] | undefined;
}): string[] {
  if (of.generationIds && of.generationIds.length > 0) return of.generationIds;
  return of.generationId ? [of.generationId] : [];
}
