import { DEFAULT_EDIT_INTERVAL_MS } from '../../core/progress.js';

/** How often and how long the worker waits, polls and holds things; all in milliseconds. */
export interface WorkerTimings {
  /** Reconcile poll interval while waiting without an event (RECONCILE_INTERVAL_SECONDS). */
  reconcileMs: number;
  /** Cancel at Oxen after this long (GENERATION_TIMEOUT_MINUTES). */
  timeoutMs: number;
  /** How often a waiting message's elapsed time is edited (by the progress ticker, not a wake of its job). */
  progressEveryMs: number;
  /** How often each worker's progress ticker looks for waiting messages due for an edit. */
  progressTickMs: number;
  /** Wake interval while waiting for a generation slot. */
  slotPollMs: number;
  /** Progress edits per message at most once per this. */
  editIntervalMs: number;
  /**
   * How long one activation holds a job's enqueue against a second activation of the same job (BullMQ
   * hands a job whose lock expired to another worker). Must exceed the Oxen client's call timeout; a
   * crash inside the call delays the job's re-run by at most this.
   */
  submitClaimMs: number;
  /**
   * After an enqueue answer that does not say whether Oxen made the generation, how long the submit step
   * searches Oxen for its row before it may enqueue again (ADOPT_WINDOW_SECONDS).
   */
  adoptWindowMs: number;
  /**
   * How long past the generation timeout an attempt may go on without Oxen's terminal answer (errors,
   * a cancel Oxen ignores, a status it does not know) before it is given up.
   */
  giveUpGraceMs: number;
  /**
   * Reservations (and slot holders) the sweeper looks at per reconcile cycle: a pass over R takes
   * ceil(R / sweepSlice) cycles, so a leak is healed within the grace plus that many intervals.
   */
  sweepSlice: number;
  /** How often the worker looks for final states to send from the outbox. */
  finalEditPollMs: number;
  /** BullMQ lock duration; a crashed worker's job is picked up again after it. */
  lockDurationMs: number;
  /** How often stalled jobs (of crashed workers) are looked for. */
  stalledIntervalMs: number;
}

/** The production timings; the first three and the adoption window match the defaults of src/config/env.ts. */
export const DEFAULT_TIMINGS: Readonly<WorkerTimings> = {
  reconcileMs: 60_000,
  timeoutMs: 30 * 60_000,
  progressEveryMs: 30_000,
  progressTickMs: 1_000,
  slotPollMs: 5_000,
  editIntervalMs: DEFAULT_EDIT_INTERVAL_MS,
  submitClaimMs: 45_000,
  adoptWindowMs: 120_000,
  giveUpGraceMs: 15 * 60_000,
  sweepSlice: 200,
  finalEditPollMs: 1_000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
};
