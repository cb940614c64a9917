import { UnrecoverableError } from 'bullmq';
import { describeOxenFailure } from '../../core/failure.js';
import type { CompletionEvent, GenerationRow } from '../../core/ports/oxen.js';
import { endAttempt, releaseSlot } from '../finish.js';
import { updateProgress } from '../progress-message.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { parkUntil, saveData } from './delay.js';

type Outcome =
  | { kind: 'succeeded'; url: string | null; completedAt: number }
  | { kind: 'failed'; reason: string | null }
  | { kind: 'cancelled' }
  | { kind: 'running'; processing: boolean };

function fromEvent(event: CompletionEvent, now: number): Outcome {
  return event.status === 'succeeded'
    ? { kind: 'succeeded', url: event.url, completedAt: now }
    : { kind: 'failed', reason: event.reason };
}

function fromRow(row: GenerationRow, now: number): Outcome {
  switch (row.status) {
    case 'succeeded':
      return { kind: 'succeeded', url: row.resultUrl, completedAt: row.completedAt ? row.completedAt * 1000 : now };
    case 'failed':
      return { kind: 'failed', reason: row.reason };
    case 'cancelled':
      return { kind: 'cancelled' };
    default:
      return { kind: 'running', processing: row.status === 'processing' };
  }
}

/**
 * One wake of the wait step: the event inbox first; without an event, a reconcile poll when one is due
 * (the only way to see `cancelled`, and the cover for a dropped stream); then either the outcome or
 * back to sleep until the next poll, progress edit or completion event.
 */
export async function waitStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const { request, attempt } = act;
  const generationId = act.data.generationId as string;
  const now = ctx.clock.now();

  if (attempt.cancelRequestedBy) {
    await ctx.oxen.cancel(generationId);
    await endAttempt(ctx, act, { outcome: 'cancelled', by: attempt.cancelRequestedBy });
    return;
  }

  const event = await ctx.inbox.get(generationId);
  let outcome: Outcome = { kind: 'running', processing: false };
  if (event) {
    outcome = fromEvent(event, now);
  } else if (now - (act.data.lastPollAt ?? 0) >= ctx.reconcileMs) {
    const row = await ctx.oxen.getStatus(generationId);
    await saveData(act, { lastPollAt: now });
    outcome = fromRow(row, now);
  }

  if (outcome.kind === 'succeeded') {
    await releaseSlot(ctx, attempt.jobId);
    const seconds = (outcome.completedAt - (attempt.submittedAt ?? outcome.completedAt)) / 1000;
    if (seconds > 0) {
      await ctx.inbox.recordDuration(ctx.model, request.duration, Math.round(seconds));
      ctx.metrics.generationSeconds(request.duration, seconds);
    }
    await saveData(act, {
      step: 'deliver',
      completedAt: outcome.completedAt,
      ...(outcome.url ? { resultUrl: outcome.url } : {}),
    });
    return;
  }
  if (outcome.kind === 'failed') {
    await endAttempt(ctx, act, { outcome: 'failed', failure: describeOxenFailure(outcome.reason) });
    throw new UnrecoverableError(`Oxen failed the generation: ${outcome.reason ?? 'no reason'}`);
  }
  if (outcome.kind === 'cancelled') {
    await endAttempt(ctx, act, { outcome: 'cancelled', by: attempt.cancelRequestedBy });
    return;
  }
  if (now - (attempt.submittedAt ?? now) > ctx.timeoutMs) {
    await ctx.oxen.cancel(generationId);
    await endAttempt(ctx, act, { outcome: 'cancelled', by: 'timeout' });
    return;
  }

  const state = outcome.processing || attempt.state === 'processing' ? 'processing' : 'submitted';
  if (state !== attempt.state) await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, state);
  await updateProgress(ctx, act, state);
  const nextPoll = (act.data.lastPollAt ?? now) + ctx.reconcileMs;
  const wakeAt = Math.min(nextPoll, now + ctx.progressEveryMs, (attempt.submittedAt ?? now) + ctx.timeoutMs + 1);
  await parkUntil(act, Math.max(wakeAt, now + 1), async () => {
    // An event that landed between the inbox check and the park would otherwise wait for the next wake.
    if (await ctx.inbox.get(generationId)) await act.job.promote().catch(() => undefined);
  });
}
