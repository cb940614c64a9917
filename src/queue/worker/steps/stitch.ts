import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatError, isRetryable } from '../../../core/errors.js';
import type { RequestRecord } from '../../../core/request.js';
import type { MessageView, VideoLink } from '../../../core/views.js';
import { concatVideos, probeVideo } from '../../../media/frames.js';
import { downloadWithFreshLink, MAX_RESULT_BYTES } from '../result-download.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { saveData } from './delay.js';
import { refusesUpload } from './refuses-upload.js';

/** Whether delivering this request ends with a stitched video: every part of an extended one does. */
export function needsStitch(request: Pick<RequestRecord, 'part'>): boolean {
  return request.part !== undefined;
}

/** Tries of a stitch that keeps failing for a passing reason before the part is left unstitched. */
const STITCH_TRIES = 5;

/**
 * The stitch after a part was posted: the part is delivered and paid, so no failure here may undo it
 * (mark it failed, refund it, offer a 🔁 that pays again). A passing error is tried again a few times
 * (the worker parks the job); anything else, or a passing error past the tries, leaves the part as it
 * is, without the joined video, and the attempt ends done.
 */
export async function stitchAfterDelivery(ctx: WorkerContext, act: Activation): Promise<void> {
  try {
    await stitchStep(ctx, act);
  } catch (error) {
    const gone = error instanceof ChatError && error.kind === 'gone';
    if (!gone && isRetryable(error) && (act.data.transientErrors ?? 0) < STITCH_TRIES) throw error;
    ctx.logger.warn({ err: error }, 'could not post the joined video; the part itself was delivered');
    await saveData(act, { transientErrors: 0 });
  }
}

/** One clip of the chain: the generation that holds it. */
interface ChainClip {
  requestId: string;
  generationId: string;
}

/**
 * The clips from part 1 to this part: walking back through each part's `from`, the latest delivered
 * attempt of every earlier part (so a part re-rolled with 🔁 is stitched in its new take), and the
 * take the next part continued.
 */
async function chainClips(ctx: WorkerContext, act: Activation): Promise<ChainClip[]> {
  const own = act.attempt.generationIds?.[0] ?? act.attempt.generationId;
  if (!own) throw new Error('stitch without a generation of its own');
  const clips: ChainClip[] = [{ requestId: act.request.requestId, generationId: own }];
  let from = act.request.part?.from;
  while (from) {
    const request = await ctx.requests.getRequest(from.requestId);
    if (!request) throw new Error(`part ${from.requestId} of the chain is gone`);
    let attempt = await ctx.requests.getAttempt(request.requestId, request.latestAttempt);
    for (let n = request.latestAttempt; attempt && attempt.state !== 'done' && n > 1; n -= 1) {
      attempt = await ctx.requests.getAttempt(request.requestId, n - 1);
    }
    const ids = attempt?.generationIds ?? (attempt?.generationId ? [attempt.generationId] : []);
    const generationId = ids[from.take] ?? ids[0];
    if (attempt?.state !== 'done' || !generationId) throw new Error(`part ${from.requestId} has no video`);
    clips.unshift({ requestId: request.requestId, generationId });
    from = request.part?.from;
  }
  return clips;
}

/**
 * Posts one video of every part so far, joined end to end ("part 2 · 10 s total"), fitted to the
 * upload limit like any video. Its post carries an idempotency key and its id is recorded, so a crash
 * between the part's delivery and this step posts the stitched video once.
 */
export async function stitchStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const { request, attempt } = act;
  if (attempt.stitchRef) return;
  const clips = await chainClips(ctx, act);
  const dir = join(tmpdir(), `animate-stitch-${attempt.jobId}-${process.pid}`);
  const paths = clips.map((_, i) => `${dir}-${i}.mp4`);
  const out = `${dir}-all.mp4`;
  const files = [...paths, out];
  try {
    for (const [i, clip] of clips.entries()) {
      await downloadWithFreshLink(ctx.oxen, clip.generationId, null, paths[i] as string, {
        maxBytes: MAX_RESULT_BYTES,
      });
    }
    await concatVideos(paths, out);
    const { durationSeconds } = await probeVideo(out);
    const totalSeconds = Math.round(durationSeconds);
    let upload = { path: out, bytes: (await stat(out)).size };
    if (upload.bytes > request.uploadLimitBytes) {
      const fitted = await ctx.fitter.fit(out, request.uploadLimitBytes, totalSeconds).catch(() => null);
      if (fitted) files.push(fitted.path);
      if (fitted && fitted.bytes <= request.uploadLimitBytes) upload = fitted;
    }
    const view = (link?: VideoLink): MessageView => ({
      kind: 'result',
      result: {
        requestId: request.requestId,
        attempt: attempt.attempt,
        requester: request.requester,
        prompt: request.prompt,
        duration: request.duration,
        tookMs: ctx.clock.now() - attempt.createdAt,
        part: request.part?.index ?? clips.length,
        stitched: { parts: clips.length, totalSeconds },
        ...(link ? { link } : {}),
      },
    });
    const options = { idempotencyKey: `${attempt.jobId}-stitch`, mention: request.requester.userId };
    const filename = `animation-${(request.part?.chainId ?? request.requestId).slice(0, 8)}-parts-1-${clips.length}.mp4`;
    let ref = null;
    let why: VideoLink['why'] = 'too_large';
    if (upload.bytes <= request.uploadLimitBytes) {
      ref = await act.chat
        .uploadVideo(request.where, { path: upload.path, filename, bytes: upload.bytes }, view(), options)
        .catch((error: unknown) => {
          if (!refusesUpload(error)) throw error;
          if (error.kind !== 'too_large') why = 'refused';
          return null;
        });
    }
    if (!ref) {
      const stored = await ctx.imageStore.putVideo(`${request.requestId}-${attempt.attempt}-stitched`, out);
      const link = {
        url: stored.url,
        bytes: upload.bytes,
        limitBytes: request.uploadLimitBytes,
        why,
        expiresAt: stored.expiresAt,
      };
      ref = await act.chat.post(request.where, view(link), options);
    }
    await ctx.requests.patchAttempt(request.requestId, attempt.attempt, { stitchRef: ref });
    act.attempt = { ...act.attempt, stitchRef: ref };
    ctx.logger.info({ parts: clips.length, totalSeconds }, 'stitched video delivered');
  } finally {
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }
}
