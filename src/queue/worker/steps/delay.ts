import { DelayedError } from 'bullmq';
import type { AnimateJobData } from '../../job-data.js';
import type { Activation } from '../worker-context.js';

/** Saves the job's new data and the in-memory copy together. */
export async function saveData(act: Activation, patch: Partial<AnimateJobData>): Promise<void> {
  act.data = { ...act.data, ...patch };
  await act.job.updateData(act.data);
}

/**
 * Parks the job until `untilMs` (or until something promotes it) without holding a worker slot or a
 * lock. Always throws: BullMQ needs the DelayedError to leave the job where moveToDelayed put it.
 */
export async function parkUntil(act: Activation, untilMs: number, afterPark?: () => Promise<void>): Promise<never> {
  await act.job.moveToDelayed(untilMs, act.token);
  if (afterPark) await afterPark();
  throw new DelayedError();
}
