import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import type { AnimateJobData } from './job-data.js';
import { ANIMATE_QUEUE } from './keys.js';

/** Job options of every attempt: transient failures retry with backoff; finished jobs are trimmed. */
export const ATTEMPT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** The `animate` queue (intake adds jobs, the worker promotes them on completion events). */
export function createAnimateQueue(connection: ConnectionOptions, prefix: string): Queue<AnimateJobData> {
  return new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection, prefix });
}
