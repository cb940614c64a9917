import { userKey } from '../../core/model.js';
import { type AttemptRecord, requestSeconds } from '../../core/request.js';
import type { FailureInfo, ProgressView } from '../../core/views.js';
import { releaseStagedNow } from '../background/staged-sweep.js';
import { takeGenerationIds } from '../job-data.js';
import { wakeJob } from '../stores/wake-job.js';
import { actualCost, estimateFor } from './cost.js';
import { finalProgress } from './progress-message.js';
import type { Activation, WorkerContext } from './worker-context.js';

/** How an attempt ends. */
export type Ending =
  /** `videoLinks`: the chat took no post of the video; the final state says where it is kept. */
  | { outcome: 'done'; videoLinks?: ProgressView['videoLinks'] }
  | { outcome: 'failed'; failure: FailureInfo }
  | { outcome: 'cancelled'; by: ProgressView['cancelledBy'] };

/**
 * Gives back the attempt's generation slot and its quota reservation (seconds refunded unless the video
 * was delivered). Idempotent: the quota release counts once, so a re-run after a crash is harmless.
 */
export async function releaseAll(
  ctx: WorkerContext,
  act: Pick<Activation, 'request' | 'attempt'>,
  refund: boolean,
  chargedMicros: number | null = act.attempt.costMicros ?? null,
) {
  const { request, attempt } = act;
  for (const id of takeGenerationIds(attempt)) await ctx.inbox.untrackWaiting(id);
  await releaseSlot(ctx, attempt.jobId);
  await ctx.quota.release(
    userKey(request.requester),
    attempt.quotaDay,
    `${attempt.requestId}#${attempt.attempt}`,
    refund ? requestSeconds(request) : 0,
    chargedMicros,
  );
}

/**
 * What the attempt cost, to settle the team budgets with: Oxen's figures for every take, summed. A take
 * whose figure is missing makes it the estimate for a delivered video (null keeps the reserved
 * estimate) and counts nothing otherwise, since Oxen usually does not bill what produced no video.
 */
async function chargeOf(ctx: WorkerContext, act: Activation, outcome: Ending['outcome']): Promise<number | null> {
  const { attempt } = act;
  if (attempt.costMicros !== undefined) return attempt.costMicros;
  let total = 0;
  let unknown = false;
  for (const id of takeGenerationIds(attempt)) {
    const actual = await actualCost(ctx, id);
    if (actual === null) unknown = true;
    else total += actual;
  }
  // A take whose figure is missing counts at the estimate when videos were delivered, else as unbilled.
  return unknown && outcome === 'done' ? null : total;
}

/** Gives back a generation slot and wakes the jobs now first in line. */
export async function releaseSlot(ctx: WorkerContext, jobId: string): Promise<void> {
  // A few, not the whole line: one slot came free, and the rest poll for theirs anyway.
  const head = await ctx.slots.release(jobId, Math.min(ctx.limits.maxActiveGenerations, 3));
  for (const id of head) await wakeJob(ctx.queue, id);
}

/**
 * Ends the attempt exactly once: releases what it held, marks it ended (a second call finds it ended
 * and only repeats the idempotent releases), edits the progress message to its final state, and offers
 * 🔁 on failures and cancellations.
 */
export async function endAttempt(ctx: WorkerContext, act: Activation, ending: Ending): Promise<void> {
  const { request, attempt } = act;
  const charged = await chargeOf(ctx, act, ending.outcome);
  await releaseAll(ctx, act, ending.outcome !== 'done', charged);
  const endedAt = ctx.clock.now();
  const first = await ctx.requests.endUnlessEnded(request.requestId, attempt.attempt, ending.outcome, endedAt);
  if (ctx.imageStore.inputRetentionMs === 0) {
    // Repeated on a re-run: a crash right after the state was written must still delete the copies.
    await releaseStagedNow(ctx, request.requestId).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'could not delete the staged inputs now; the retention sweep will');
    });
  }
  if (!first) return;
  const settled = charged ?? estimateFor(ctx, request);
  const patch: Partial<AttemptRecord> = { ...(settled !== undefined ? { costMicros: settled } : {}) };
  if (settled !== undefined) ctx.metrics.spendActual(request.where.platform, ending.outcome, settled);
  if (ending.outcome === 'cancelled' && ending.by) patch.cancelRequestedBy = ending.by;
  await ctx.requests.patchAttempt(request.requestId, attempt.attempt, patch);
  ctx.metrics.requestFinished(request.where.platform, ending.outcome);
  ctx.logger.info({ requestId: request.requestId, attempt: attempt.attempt, outcome: ending.outcome }, 'attempt ended');
  await finalProgress(ctx, act, ending.outcome, {
    endedAt,
    failure: ending.outcome === 'failed' ? ending.failure : undefined,
    cancelledBy: ending.outcome === 'cancelled' ? ending.by : undefined,
    chargedMicros: ending.outcome === 'done' ? undefined : (charged ?? undefined),
    videoLinks: ending.outcome === 'done' ? ending.videoLinks : undefined,
  });
  const offerRetry = ending.outcome === 'cancelled' || (ending.outcome === 'failed' && ending.failure.retryable);
  if (offerRetry && attempt.progressRef) {
    await act.chat.react(attempt.progressRef, 'retry').catch((error: unknown) => {
      ctx.logger.warn({ err: error, requestId: request.requestId }, 'could not add the 🔁 reaction');
    });
  }
}
