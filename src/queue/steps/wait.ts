import { UnrecoverableError } from 'bullmq';
import { describeOxenFailure } from '../../core/failure.js';
import type { ProgressView } from '../../core/views.js';
import { endAttempt, releaseSlot } from '../finish.js';
import { cancelAndRead, type GenerationOutcome, outcomeOfEvent, outcomeOfRow } from '../generation-outcome.js';
import { updateProgress } from '../progress-message.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { parkUntil, saveData } from './delay.js';
import { recordSubmission } from './submit.js';

/** How soon a cancel that Oxen has not carried out yet is looked at again. */
const CANCEL_RECHECK_MS = 5_000;

/**
 * One wake of the wait step: a cancel or the timeout first (cancel at Oxen, then read the row); else
 * the event inbox; without an event, one status read when the reconciler saw the generation leave
 * Oxen's active list (the only way to see `cancelled`, and the cover for a lost event); then either the
 * outcome or back to sleep until the next progress edit, completion event or reconcile. Errors reaching
 * Oxen propagate: the worker parks the job and tries again, because once a generation exists only
 * Oxen's answer may end the attempt.
 */
export async function waitStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const generationId = act.data.generationId as string;
  // A crash between saving the id and indexing it leaves events unmatched and the timeout unarmed.
  await recordSubmission(ctx, act, generationId);
  const { request, attempt } = act;
  const now = ctx.clock.now();
  const deadline = (attempt.submittedAt ?? now) + ctx.timeoutMs;

  const stopBy: ProgressView['cancelledBy'] = attempt.cancelRequestedBy ?? (now >= deadline ? 'timeout' : undefined);
  if (stopBy) {
    const outcome = await cancelAndRead(ctx, generationId);
    if (outcome.kind === 'running') {
      // Oxen has not stopped it yet; what it still uses stays reserved until it has.
      ctx.logger?.info({ generationId }, 'cancel not yet carried out at Oxen; looking again');
      return parkUntil(act, now + CANCEL_RECHECK_MS);
    }
    if (outcome.kind === 'succeeded') ctx.logger?.info({ generationId }, 'finished before the cancel: delivering');
    await settle(ctx, act, outcome, stopBy);
    return;
  }

  const event = await ctx.inbox.get(generationId);
  let outcome: GenerationOutcome = {
    kind: 'running',
    processing: (await ctx.inbox.snapshotStatus(generationId)) === 'processing',
  };
  if (event) {
    outcome = outcomeOfEvent(event, now);
  } else if (!act.data.lastPollAt) {
    // Asked for by the reconciler (the generation left Oxen's active list), a crash, or an adoption.
    const row = await ctx.oxen.getStatus(generationId);
    await saveData(act, { lastPollAt: now, transientErrors: 0 });
    outcome = outcomeOfRow(row, now);
  }
  if (outcome.kind !== 'running') {
    await settle(ctx, act, outcome);
    return;
  }

  const state = outcome.processing || attempt.state === 'processing' ? 'processing' : 'submitted';
  if (state !== attempt.state) await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, state);
  await updateProgress(ctx, act, state);
  // No polling of its own: the completion event, the reconciler or the timeout wakes it early.
  const wakeAt = Math.min(now + ctx.progressEveryMs, deadline + 1);
  await parkUntil(act, Math.max(wakeAt, now + 1), async () => {
    // An event that landed between the inbox check and the park would otherwise wait for the next wake.
    if (await ctx.inbox.get(generationId)) await act.job.promote().catch(() => undefined);
  });
}

/**
 * Acts on a terminal outcome. A success is always delivered, even one that raced a cancel or the
 * timeout: Oxen billed it, so throwing it away would cost the team a video they paid for.
 */
async function settle(
  ctx: WorkerContext,
  act: Activation,
  outcome: Exclude<GenerationOutcome, { kind: 'running' }>,
  stoppedBy?: ProgressView['cancelledBy'],
): Promise<void> {
  const { request, attempt } = act;
  await ctx.inbox.untrackWaiting(act.data.generationId as string);
  if (outcome.kind === 'succeeded') {
    await releaseSlot(ctx, attempt.jobId);
    const seconds = (outcome.completedAt - (attempt.submittedAt ?? outcome.completedAt)) / 1000;
    if (seconds > 0 && !stoppedBy) {
      await ctx.inbox.recordDuration(ctx.model, request.duration, Math.round(seconds));
      ctx.metrics.generationSeconds(request.duration, seconds);
    }
    await saveData(act, {
      step: 'deliver',
      completedAt: outcome.completedAt,
      transientErrors: 0,
      ...(outcome.url ? { resultUrl: outcome.url } : {}),
    });
    return;
  }
  if (outcome.kind === 'failed') {
    await endAttempt(ctx, act, { outcome: 'failed', failure: describeOxenFailure(outcome.reason) });
    throw new UnrecoverableError(`Oxen failed the generation: ${outcome.reason ?? 'no reason'}`);
  }
  await endAttempt(ctx, act, { outcome: 'cancelled', by: stoppedBy ?? attempt.cancelRequestedBy });
}
