import { userKey } from '../core/model.js';
import type { AttemptRecord } from '../core/request.js';
import type { FailureInfo, ProgressView } from '../core/views.js';
import { finalProgress } from './progress-message.js';
import type { Activation, WorkerContext } from './worker-context.js';

/** How an attempt ends. */
export type Ending =
  | { outcome: 'done' }
  | { outcome: 'failed'; failure: FailureInfo }
  | { outcome: 'cancelled'; by: ProgressView['cancelledBy'] };

/**
 * Gives back the attempt's generation slot and its quota reservation (seconds refunded unless the video
 * was delivered). Idempotent: the quota release counts once, so a re-run after a crash is harmless.
 */
export async function releaseAll(ctx: WorkerContext, act: Pick<Activation, 'request' | 'attempt'>, refund: boolean) {
  const { request, attempt } = act;
  if (attempt.generationId) await ctx.inbox.untrackWaiting(attempt.generationId);
  await releaseSlot(ctx, attempt.jobId);
  await ctx.quota.release(
    userKey(request.requester),
    attempt.quotaDay,
    `${attempt.requestId}#${attempt.attempt}`,
    refund ? request.duration : 0,
  );
}

/** Gives back a generation slot and wakes the jobs now first in line. */
export async function releaseSlot(ctx: WorkerContext, jobId: string): Promise<void> {
  // A few, not the whole line: one slot came free, and the rest poll for theirs anyway.
  const head = await ctx.slots.release(jobId, Math.min(ctx.limits.maxActiveGenerations, 3));
  for (const id of head) {
    const job = await ctx.queue.getJob(id);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }
}

/**
 * Ends the attempt exactly once: releases what it held, marks it ended (a second call finds it ended
 * and only repeats the idempotent releases), edits the progress message to its final state, and offers
 * 🔁 on failures and cancellations.
 */
export async function endAttempt(ctx: WorkerContext, act: Activation, ending: Ending): Promise<void> {
  const { request, attempt } = act;
  await releaseAll(ctx, act, ending.outcome !== 'done');
  const first = await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, ending.outcome);
  if (!first) return;
  const endedAt = ctx.clock.now();
  const patch: Partial<AttemptRecord> = { endedAt };
  if (ending.outcome === 'cancelled' && ending.by) patch.cancelRequestedBy = ending.by;
  await ctx.requests.patchAttempt(request.requestId, attempt.attempt, patch);
  ctx.metrics.requestFinished(request.where.platform, ending.outcome);
  ctx.logger?.info(
    { requestId: request.requestId, attempt: attempt.attempt, outcome: ending.outcome },
    'attempt ended',
  );
  await finalProgress(ctx, act, ending.outcome, {
    endedAt,
    failure: ending.outcome === 'failed' ? ending.failure : undefined,
    cancelledBy: ending.outcome === 'cancelled' ? ending.by : undefined,
  });
  const offerRetry = ending.outcome === 'cancelled' || (ending.outcome === 'failed' && ending.failure.retryable);
  if (offerRetry && attempt.progressRef) {
    await act.chat.react(attempt.progressRef, 'retry').catch((error: unknown) => {
      ctx.logger?.warn({ err: error, requestId: request.requestId }, 'could not add the 🔁 reaction');
    });
  }
}
