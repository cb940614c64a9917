import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { ChatError } from '../../../core/errors.js';
import { frameFailure, missingImageFailure } from '../../../core/failure.js';
import type { CheckedImage, StagedImage } from '../../../core/images.js';
import { checkImageMeta, sizeForModel } from '../../../core/input-rules.js';
import type { MessageRef } from '../../../core/model.js';
import type { RequestRecord } from '../../../core/request.js';
import { takesShape } from '../../../core/video-models.js';
import { cropToShape } from '../../../media/crop.js';
import { lastFrame, scaleFrame } from '../../../media/frames.js';
import { createImageFetcher } from '../../../media/image-fetcher.js';
import { checkBudgetAlert } from '../budget-alert.js';
import { endAttempt } from '../finish.js';
import { modelOf } from '../model-of.js';
import { progressView } from '../progress-message.js';
import { downloadWithFreshLink, MAX_RESULT_BYTES } from '../result-download.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { saveData } from './delay.js';

/**
 * Posts the progress message (once: its id is recorded and the post carries an idempotency key) and
 * stages the images in the ImageStore unless an earlier attempt already did and the copies are still
 * kept (a 🔁 within STAGED_INPUT_RETENTION_HOURS uploads nothing). Idempotent.
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
      ctx.logger.warn({ err: error }, 'could not add the ❌ reaction to the progress message');
    });
  }
  // Repeated on a re-run: a crash right after recording the post must still leave ❌ on it working.
  await ctx.requests.indexMessage(act.attempt.progressRef as MessageRef, {
    requestId: request.requestId,
    attempt: attempt.attempt,
  });
  await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'staging');

  if (!(await reusableCopies(ctx, request))) {
    // Pending bytes come first: a 🔁 after the retention fetched a remix's images again from the chat,
    // and the remixed request's copies may be long gone. A part's start is always its frame.
    const pendingStart = request.part ? null : await ctx.requests.getPendingImage(request.requestId, 'start');
    const remixed =
      request.remixOf && !pendingStart
        ? await remixedImages(ctx, request.remixOf.requestId, request.hasEndImage)
        : null;
    const start = remixed ? remixed.start : request.part ? await continuedFrame(ctx, request.part.from) : pendingStart;
    const end = remixed
      ? remixed.end
      : request.hasEndImage
        ? await ctx.requests.getPendingImage(request.requestId, 'end')
        : null;
    if (!start || (request.hasEndImage && !end)) {
      await endAttempt(ctx, act, { outcome: 'failed', failure: missingImageFailure() });
      throw new UnrecoverableError('the images of this request are gone');
    }
    // The frame is the bot's own image: the input rules apply to it as to a person's, before Oxen
    // is asked (it would refuse it after the reservation, and bill nothing, but fail the part).
    const frameRule = request.part
      ? checkImageMeta(
          { bytes: start.bytes.byteLength, mime: start.mime, width: start.width, height: start.height },
          'image',
        )
      : null;
    if (frameRule && !frameRule.ok) {
      await endAttempt(ctx, act, { outcome: 'failed', failure: frameFailure(frameRule.error) });
      throw new UnrecoverableError(`the last frame breaks the input rules: ${frameRule.error.code}`);
    }
    // A shape the model cannot take as its aspect_ratio is made by cropping the images (both alike).
    const shape = request.shape ?? 'original';
    const crop = !request.part && shape !== 'original' && !takesShape(modelOf(ctx, request), shape) ? shape : null;
    const shapedStart = crop ? await cropToShape(start, crop) : start;
    const shapedEnd = crop && end ? await cropToShape(end, crop) : end;
    const stagedStart = await ctx.imageStore.put(`${request.requestId}-start`, shapedStart);
    const stagedEnd = shapedEnd ? await ctx.imageStore.put(`${request.requestId}-end`, shapedEnd) : undefined;
    // Recorded before anything else, so the retention sweep deletes these copies whatever happens next.
    const refs = [stagedStart.ref, stagedEnd?.ref].filter((r): r is string => r !== undefined);
    await ctx.requests.ledger.recordRefs(request.requestId, refs, ctx.clock.now() + ctx.imageStore.inputRetentionMs);
    act.request = { ...request, staged: { start: stagedStart, end: stagedEnd } };
    // Re-read before writing: intake may have bumped latestAttempt meanwhile (it cannot for a running
    // attempt, but the record is the source of truth).
    const current = (await ctx.requests.getRequest(request.requestId)) ?? request;
    await ctx.requests.saveRequest({ ...current, staged: act.request.staged });
    await ctx.requests.dropPendingImages(request.requestId);
  }
  await checkBudgetAlert(ctx).catch((error: unknown) => {
    ctx.logger.warn({ err: error }, 'could not check the team budget for a warning');
  });
  await saveData(act, { step: 'submit' });
}

/**
 * Whether the request's staged copies can serve this attempt: staged, not released by the retention
 * sweep, made by this kind of store (an s3 address is no link; an http copy from before the http store
 * kept files on disk is gone), and still there (a bucket lifecycle rule may have been quicker). Copies
 * staged before the stores had refs are public Oxen URLs.
 * @see README.md ("Where input images are kept")
 */
async function reusableCopies(ctx: WorkerContext, request: RequestRecord): Promise<boolean> {
  const staged = request.staged;
  if (!staged || request.stagedDeletedAt !== undefined) return false;
  const kind = ctx.imageStore.kind;
  const fits = (ref: string | undefined) => (ref === undefined ? kind === 'oxen' : ref.startsWith(`${kind}:`));
  if (!fits(staged.start.ref) || (staged.end && !fits(staged.end.ref))) return false;
  if (await ctx.requests.ledger.isGone(request.requestId)) return false;
  const store = ctx.imageStore;
  if (!store.has) return true;
  for (const ref of [staged.start.ref, staged.end?.ref]) if (ref && !(await store.has(ref))) return false;
  return true;
}

/**
 * A remix's images: copies of the remixed request's staged copies, made under the remix's own keys, so
 * every request's input URL stays its own (the reconciler tells requests apart by it,
 * src/queue/worker/duplicates.ts) and each keeps its own retention. Null images when the remixed
 * request's copies were let go since the submit (the attempt then fails as "images gone", refunded).
 */
async function remixedImages(ctx: WorkerContext, requestId: string, withEnd: boolean) {
  const source = await ctx.requests.getRequest(requestId);
  if (!source?.staged || (await ctx.requests.ledger.isGone(requestId))) return { start: null, end: null };
  const start = await keptCopy(ctx, source.staged.start);
  const end = withEnd && source.staged.end ? await keptCopy(ctx, source.staged.end) : null;
  return { start, end };
}

/**
 * Downloads one staged copy through the link Oxen would get, with the fetcher people's images go
 * through (size cap, timeout, the bytes checked again), allowed only the link's own host: the bot's
 * store. Null when it cannot be read (the copy is gone).
 */
async function keptCopy(ctx: WorkerContext, staged: StagedImage): Promise<CheckedImage | null> {
  const link = await ctx.imageStore.linkFor(staged);
  const fetcher = createImageFetcher({ allowedHosts: [new URL(link).hostname], oxenBaseUrl: link });
  const fetched = await fetcher.fetch(link);
  if (fetched.ok) return fetched.value;
  ctx.logger.warn({ code: fetched.error.code }, 'a remixed video’s kept image could not be read');
  return null;
}

/**
 * The start image of a part of an extended video: the exact last frame of the take it continues,
 * downloaded from Oxen again (the worker keeps no videos). Null when that video cannot be found.
 */
async function continuedFrame(ctx: WorkerContext, from: NonNullable<RequestRecord['part']>['from']) {
  const attempt = await ctx.requests.getAttempt(from.requestId, from.attempt);
  const ids = attempt?.generationIds ?? (attempt?.generationId ? [attempt.generationId] : []);
  const generationId = ids[from.take];
  if (!generationId) return null;
  const path = join(tmpdir(), `animate-continue-${generationId}-${process.pid}.mp4`);
  try {
    await downloadWithFreshLink(ctx.oxen, generationId, null, path, { maxBytes: MAX_RESULT_BYTES });
    const frame = await lastFrame(path);
    // A downscaled clip, or another model's output, can be under the model's minimum size.
    const size = sizeForModel(frame.width, frame.height);
    return size ? await scaleFrame(frame, size.width, size.height) : frame;
  } finally {
    await rm(path, { force: true });
  }
}
