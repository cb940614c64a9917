import { UnrecoverableError } from 'bullmq';
import { describeOxenFailure } from '../../../core/failure.js';
import type { ProgressView } from '../../../core/views.js';
import type { TakeResult } from '../../job-data.js';
import { editScope } from '../../stores/edit-budget.js';
import { wakeJob } from '../../stores/wake-job.js';
import { endAttempt, releaseSlot } from '../finish.js';
import { cancelAndRead, type GenerationOutcome, outcomeOfEvent, outcomeOfRow } from '../generation-outcome.js';
import { pastGiveUp } from '../give-up.js';
import { modelOf } from '../model-of.js';
import { updateProgress } from '../progress-message.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { parkUntil, saveData } from './delay.js';
import { generationIdsOf, recordSubmission } from './submit.js';

/** How soon a cancel that Oxen has not carried out yet is looked at again. */
const CANCEL_RECHECK_MS = 5_000;

/**
 * One wake of the wait step, for each take still running: a cancel or the timeout first (cancel at
 * Oxen, then read the row); else the event inbox; without an event, one status read when the reconciler
 * saw the generation leave Oxen's active list (the only way to see `cancelled`, and the cover for a lost
 * event). Once every take has ended the attempt moves on; until then it sleeps until a completion
 * event, the reconciler, a cancel or the timeout wakes it (the progress ticker edits its message
 * meanwhile). Errors reaching Oxen propagate: the worker parks the job and
 * tries again, because once a generation exists only Oxen's answer may end the attempt.
 */
export async function waitStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const ids = generationIdsOf(act.data);
  // A crash between saving the ids and indexing them leaves events unmatched and the timeout unarmed.
  await recordSubmission(ctx, act, ids);
  const { request, attempt } = act;
  const now = ctx.clock.now();
  const deadline = (attempt.submittedAt ?? now) + ctx.timings.timeoutMs;
  const results = [...(act.data.takeResults ?? [])];
  const pending = ids.filter((id) => !results.some((r) => r.generationId === id));
  const stopBy: ProgressView['cancelledBy'] = attempt.cancelRequestedBy ?? (now >= deadline ? 'timeout' : undefined);
  // The reconciler saw a generation leave Oxen's active list: read the rows this time.
  const pollAsked = await ctx.inbox.pollRequested(attempt.jobId);
  const poll = !act.data.lastPollAt || pollAsked;

  let processing = false;
  let stillRunning = false;
  for (const id of pending) {
    let outcome: GenerationOutcome;
    if (stopBy) {
      outcome = await cancelAndRead(ctx, id);
    } else {
      const event = await ctx.inbox.get(id);
      if (event) outcome = outcomeOfEvent(event, now);
      else if (poll) outcome = outcomeOfRow(await ctx.oxen.getStatus(id), now);
      else outcome = { kind: 'running', processing: (await ctx.inbox.snapshotStatus(id)) === 'processing' };
    }
    if (outcome.kind === 'running') {
      stillRunning = true;
      processing ||= outcome.processing;
      continue;
    }
    results.push(toResult(id, outcome));
    await ctx.inbox.untrackWaiting(id);
  }
  await saveData(act, {
    takeResults: results,
    ...(stopBy || !poll ? {} : { lastPollAt: now, transientErrors: 0 }),
  });
  if (pollAsked) await ctx.inbox.pollDone(attempt.jobId);

  if (stillRunning && stopBy && !pastGiveUp(ctx, act)) {
    // Oxen has not stopped every take yet; what they still use stays reserved until it has.
    ctx.logger.info({ generationIds: pending }, 'cancel not yet carried out at Oxen; looking again');
    return parkUntil(act, now + CANCEL_RECHECK_MS);
  }
  if (stillRunning && stopBy) {
    // A row that ignores DELETE, or a status we do not know, for the whole grace: the bound ends it.
    const running = pending.filter((id) => !results.some((r) => r.generationId === id));
    ctx.logger.error({ generationIds: running }, 'Oxen did not stop the generation by the give-up bound; giving up');
    for (const id of running) await ctx.inbox.untrackWaiting(id);
    await settle(ctx, act, results, stopBy);
    return;
  }
  if (!stillRunning) {
    await settle(ctx, act, results, stopBy);
    return;
  }

  const state = processing || attempt.state === 'processing' ? 'processing' : 'submitted';
  if (state !== attempt.state) await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, state);
  await updateProgress(ctx, act, state);
  // The message's elapsed time moves on without this job: the worker's progress ticker edits it.
  await ctx.progressDue.track(
    {
      platform: request.where.platform,
      scope: editScope(request.where),
      requestId: request.requestId,
      attempt: attempt.attempt,
      generationIds: pending,
    },
    now + ctx.timings.progressEveryMs,
  );
  // No wake of its own before the timeout: the completion events, the reconciler or a cancel wake it.
  await parkUntil(act, Math.max(deadline + 1, now + 1), async () => {
    // An event or a ❌ that landed between this activation's reads and the park woke nothing (the job
    // was still active): without this look it would wait for the timeout.
    const latest = await ctx.requests.getAttempt(request.requestId, attempt.attempt);
    let landed = Boolean(latest?.cancelRequestedBy);
    for (const id of pending) landed ||= Boolean(await ctx.inbox.get(id));
    if (landed) await wakeJob(ctx.queue, act.job.id ?? '');
  });
}

function toResult(generationId: string, outcome: Exclude<GenerationOutcome, { kind: 'running' }>): TakeResult {
  if (outcome.kind === 'succeeded') {
    return { generationId, kind: 'succeeded', url: outcome.url, completedAt: outcome.completedAt };
  }
  if (outcome.kind === 'failed') return { generationId, kind: 'failed', reason: outcome.reason };
  return { generationId, kind: 'cancelled' };
}

/**
 * Acts once every take has ended. Any success is delivered, even one that raced a cancel or the
 * timeout: Oxen billed it, so throwing it away would cost the team a video they paid for.
 */
async function settle(
  ctx: WorkerContext,
  act: Activation,
  results: TakeResult[],
  stoppedBy?: ProgressView['cancelledBy'],
): Promise<void> {
  const { request, attempt } = act;
  await ctx.progressDue.untrack(request.requestId, attempt.attempt);
  const succeeded = results.filter((r) => r.kind === 'succeeded');
  if (succeeded.length > 0) {
    if (stoppedBy) ctx.logger.info({ stoppedBy }, 'finished before the cancel: delivering');
    await releaseSlot(ctx, attempt.jobId);
    const first = succeeded[0] as TakeResult;
    const completedAt = first.completedAt ?? ctx.clock.now();
    const seconds = (completedAt - (attempt.submittedAt ?? completedAt)) / 1000;
    if (seconds > 0 && !stoppedBy) {
      await ctx.inbox.recordDuration(modelOf(ctx, request).id, request.duration, Math.round(seconds));
      ctx.metrics.generationSeconds(request.duration, seconds);
    }
    await saveData(act, {
      step: 'deliver',
      completedAt,
      transientErrors: 0,
      ...(first.url ? { resultUrl: first.url } : {}),
    });
    return;
  }
  const failed = results.find((r) => r.kind === 'failed');
  if (failed) {
    await endAttempt(ctx, act, { outcome: 'failed', failure: describeOxenFailure(failed.reason ?? null) });
    throw new UnrecoverableError(`Oxen failed the generation: ${failed.reason ?? 'no reason'}`);
  }
  await endAttempt(ctx, act, { outcome: 'cancelled', by: stoppedBy ?? attempt.cancelRequestedBy });
}
