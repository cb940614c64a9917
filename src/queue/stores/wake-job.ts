import type { Queue } from 'bullmq';

/**
 * Runs a parked (delayed) job now; a job that is running, waiting or gone is left alone. `beforeWake`
 * runs only for a parked job, before it is promoted. A promote that loses the race with the job's own
 * timer (it is no longer delayed) is harmless, so its error is dropped.
 */
export async function wakeJob(queue: Queue, jobId: string, beforeWake?: () => Promise<void>): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job || !(await job.isDelayed())) return false;
  if (beforeWake) await beforeWake();
  await job.promote().catch(() => undefined);
  return true;
}
