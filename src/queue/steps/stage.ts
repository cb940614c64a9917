import { UnrecoverableError } from 'bullmq';
import { ChatError } from '../../core/errors.js';
import { missingImageFailure } from '../../core/failure.js';
import type { MessageRef } from '../../core/model.js';
import { endAttempt } from '../finish.js';
import { progressView } from '../progress-message.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { saveData } from './delay.js';

/**
 * Posts the progress message (once: its id is recorded and the post carries an idempotency key) and
 * stages the images in the ImageStore unless an earlier attempt already did. Idempotent.
 */
export async function stageStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const { request, attempt } = act;
  if (!attempt.progressRef) {
    const ref = await act.chat.post(request.where, await progressView(ctx, act, 'staging'), {
      idempotencyKey: `${attempt.jobId}-progress`,
      mention: request.requester.userId,
    });
    await ctx.requests.patchAttempt(request.requestId, attempt.attempt, { progressRef: ref });
    act.attempt = { ...act.attempt, progressRef: ref };
    ctx.lastEdits.set(act.job.id ?? '', { atMs: ctx.clock.now(), state: 'staging' });
    await act.chat.react(ref, 'cancel').catch((error: unknown) => {
      if (error instanceof ChatError && error.kind === 'gone') throw error;
      // ❌ still works when people add it themselves; a missing permission must not stop the video.
      ctx.logger?.warn({ err: error }, 'could not add the ❌ reaction to the progress message');
    });
  }
  // Repeated on a re-run: a crash right after recording the post must still leave ❌ on it working.
  await ctx.requests.indexMessage(act.attempt.progressRef as MessageRef, {
    requestId: request.requestId,
    attempt: attempt.attempt,
  });
  await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'staging');

  if (!request.staged) {
    const start = await ctx.requests.getPendingImage(request.requestId, 'start');
    const end = request.hasEndImage ? await ctx.requests.getPendingImage(request.requestId, 'end') : null;
    if (!start || (request.hasEndImage && !end)) {
      await endAttempt(ctx, act, { outcome: 'failed', failure: missingImageFailure() });
      throw new UnrecoverableError('the images of this request are gone');
    }
    const stagedStart = await ctx.imageStore.put(`${request.requestId}-start`, start);
    const stagedEnd = end ? await ctx.imageStore.put(`${request.requestId}-end`, end) : undefined;
    act.request = { ...request, staged: { start: stagedStart, end: stagedEnd } };
    // Re-read before writing: intake may have bumped latestAttempt meanwhile (it cannot for a running
    // attempt, but the record is the source of truth).
    const current = (await ctx.requests.getRequest(request.requestId)) ?? request;
    await ctx.requests.saveRequest({ ...current, staged: act.request.staged });
    await ctx.requests.dropPendingImages(request.requestId);
  }
  await saveData(act, { step: 'submit' });
}
