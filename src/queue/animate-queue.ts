import type { JobsOptions } from 'bullmq';

/** Job options of every attempt: transient failures retry with backoff; finished jobs are trimmed. */
export const ATTEMPT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};
