import type { Job } from 'bullmq';
import { ChatError } from '../../core/errors.js';
import { describeError } from '../../core/failure.js';
import { TERMINAL_STATES } from '../../core/model.js';
import type { AttemptRecord, RequestRecord } from '../../core/request.js';
import { ATTEMPT_JOB_OPTIONS } from '../animate-queue.js';
import { INTAKE_GRACE_MS } from '../intake.js';
import { type AnimateJobData, takeGenerationIds } from '../job-data.js';
import type { Reservation } from '../stores/quota-store.js';
import { endAttempt, releaseAll } from '../worker/finish.js';
import { cancelAndRead } from '../worker/generation-outcome.js';
import type { WorkerContext } from '../worker/worker-context.js';

/** States in which a job is still being looked after by some worker. */
const ALIVE = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);
/** How often a failed job is put back in line before its attempt is ended instead. */
const MAX_REVIVALS = 3;

/** What one sweep found and repaired. */
export interface SweepReport {
  slots: number;
  reservations: number;
  revived: number;
  requeued: number;
  abandoned: number;
}

/** Where the sweep goes on from: SCAN cursors, `'0'` at the start of a pass. */
export interface SweepCursors {
  reservations: string;
  held: string;
  waiting: string;
}

/** A fresh pass. */
export const SWEEP_START: Readonly<SweepCursors> = { reservations: '0', held: '0', waiting: '0' };

/**
 * Heals what a job that ended badly left behind (docs/architecture.md, "Invariants"): a job that
 * failed outside the step code, stalled too often, or was never added after its reservation. Each
 * reservation is checked against its attempt record and its job; each slot against its job. Leaks
 * older than `graceMs` are repaired, so a healthy job in the middle of its bookkeeping is never touched.
 * One call looks at about `slice` reservations and `slice` slot holders from `cursors` and returns where
 * the next call goes on, so a sweep costs the same whatever is in flight; a pass over R reservations
 * takes ceil(R / slice) calls.
 */
export async function sweep(
  ctx: WorkerContext,
  graceMs: number,
  slice: number,
  cursors: SweepCursors = SWEEP_START,
): Promise<{ report: SweepReport; next: SweepCursors }> {
  const report: SweepReport = { slots: 0, reservations: 0, revived: 0, requeued: 0, abandoned: 0 };
  const now = ctx.clock.now();
  const page = await ctx.quota.reservationsPage(cursors.reservations, slice);
  for (const reservation of page.reservations) {
    if (now - reservation.reservedAt < graceMs) continue;
    const healed = await healReservation(ctx, reservation).catch((error: unknown) => {
      ctx.logger.warn({ err: error, member: reservation.member }, 'sweeper could not check a reservation');
      return null;
    });
    if (healed) {
      report[healed] += 1;
      ctx.metrics.healed(healed === 'reservations' ? 'reservation' : healed);
    }
  }
  const slots = await ctx.slots.membersPage({ held: cursors.held, waiting: cursors.waiting }, slice);
  for (const jobId of slots.jobIds) {
    if (await slotStillNeeded(ctx, jobId)) continue;
    await ctx.slots.release(jobId, 0);
    report.slots += 1;
    ctx.metrics.healed('slot');
  }
  const total = Object.values(report).reduce((a, b) => a + b, 0);
  if (total > 0) ctx.logger.warn({ ...report }, 'sweeper healed leaks');
  return { report, next: { reservations: page.next, ...slots.next } };
}

async function slotStillNeeded(ctx: WorkerContext, jobId: string): Promise<boolean> {
  // One command for the common case, a job alive in the queue; its data is read only when it is not.
  if (ALIVE.has(await ctx.queue.getJobState(jobId))) return true;
  const job = await ctx.queue.getJob(jobId);
  if (!job) return false;
  if (ALIVE.has(await job.getState())) return true;
  const attempt = await ctx.requests.getAttempt(job.data.requestId, job.data.attempt);
  // A failed job whose attempt is still open is revived by the reservation pass and needs its slot.
  return attempt !== null && !TERMINAL_STATES.has(attempt.state);
}

async function healReservation(
  ctx: WorkerContext,
  reservation: Reservation,
): Promise<'reservations' | 'revived' | 'requeued' | 'abandoned' | null> {
  const [requestId = '', n = '1'] = reservation.member.split('#');
  // The common case in two commands: an open attempt whose job is alive in the queue.
  const open = await ctx.requests.getAttempt(requestId, Number(n));
  if (open && !TERMINAL_STATES.has(open.state) && ALIVE.has(await ctx.queue.getJobState(open.jobId))) return null;
  const [request, attempt] = await Promise.all([
    ctx.requests.getRequest(requestId),
    ctx.requests.getAttempt(requestId, Number(n)),
  ]);
  const job = await ctx.queue.getJob(attempt?.jobId ?? reservation.jobId);
  // An intake writes its records and adds its job within INTAKE_DEADLINE_MS or gives everything back
  // itself: until twice that has passed, what looks like a dead intake may be a slow one.
  const intakeMayRun = ctx.clock.now() - reservation.reservedAt < INTAKE_GRACE_MS;
  if (!request || !attempt) {
    // Reserved, then the intake died before recording the attempt (nothing ran, nothing was spent), or
    // the records expired under a job that can no longer run.
    if (job && ALIVE.has(await job.getState())) return null;
    if (intakeMayRun) return null;
    await ctx.quota.release(reservation.userKey, reservation.day, reservation.member, reservation.seconds, 0);
    // Its guards go with it: the same event, or the same 🔁, must start the request when it comes again.
    await ctx.quota.dropGuards(reservation.member, reservation.guards);
    const attemptNo = Number(n);
    if (request && attemptNo > 1 && request.latestAttempt === attemptNo) {
      // A 🔁 whose intake died before its attempt record: point the request back at the attempt before.
      await ctx.requests.saveRequest({ ...request, latestAttempt: attemptNo - 1 });
    }
    return 'reservations';
  }
  if (TERMINAL_STATES.has(attempt.state)) {
    await releaseAll(ctx, { request, attempt }, attempt.state !== 'done');
    return 'reservations';
  }
  if (!job) {
    if (intakeMayRun) return null;
    // The attempt was recorded but its job never added (the intake died in between): add it now.
    await ctx.queue.add(
      'attempt',
      attempt.generationId
        ? {
            requestId,
            attempt: attempt.attempt,
            step: 'wait',
            generationId: attempt.generationId,
            ...(attempt.generationIds && attempt.generationIds.length > 1
              ? { generationIds: attempt.generationIds }
              : {}),
            lastPollAt: 0,
          }
        : { requestId, attempt: attempt.attempt, step: 'stage' },
      { ...ATTEMPT_JOB_OPTIONS, jobId: attempt.jobId },
    );
    return 'requeued';
  }
  const state = await job.getState();
  if (ALIVE.has(state)) return null;
  // The job ended (failed outside the steps, stalled too often) while its attempt is still open.
  const revivals = job.data.revivals ?? 0;
  if (revivals < MAX_REVIVALS) {
    await job.updateData({ ...job.data, revivals: revivals + 1, lastPollAt: 0 });
    await job.retry(state === 'completed' ? 'completed' : 'failed', { resetAttemptsMade: true });
    return 'revived';
  }
  await abandon(ctx, job, request, attempt);
  return 'abandoned';
}

/**
 * Ends an attempt whose job keeps failing: stops every take's generation at Oxen first (a success that raced
 * the cancel is logged loudly: it was billed and could not be delivered), then releases and tells
 * the person.
 */
async function abandon(ctx: WorkerContext, job: Job<AnimateJobData>, request: RequestRecord, attempt: AttemptRecord) {
  for (const generationId of takeGenerationIds(attempt)) {
    const outcome = await cancelAndRead(ctx, generationId);
    if (outcome.kind === 'succeeded') {
      ctx.logger.error({ generationId }, 'a billed video could not be delivered');
    }
  }
  const failure = describeError(new Error(job.failedReason || 'the job kept failing'));
  const chat = ctx.chat[request.where.platform];
  if (!chat) {
    await releaseAll(ctx, { request, attempt }, true);
    await ctx.requests.endUnlessEnded(request.requestId, attempt.attempt, 'failed', ctx.clock.now());
    return;
  }
  const act = { job, token: '', data: job.data, request, attempt, chat };
  await endAttempt(ctx, act, { outcome: 'failed', failure }).catch((error: unknown) => {
    if (!(error instanceof ChatError)) throw error;
  });
}
