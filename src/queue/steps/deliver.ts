import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatError } from '../../core/errors.js';
import type { MessageRef } from '../../core/model.js';
import type { DeliveryMethod } from '../../core/ports/metrics.js';
import type { DownloadedFile } from '../../core/ports/oxen.js';
import type { VideoFitter } from '../../core/ports/video-fitter.js';
import type { MessageView, ResultView } from '../../core/views.js';
import { actualCost, estimateFor } from '../cost.js';
import { endAttempt } from '../finish.js';
import { updateProgress } from '../progress-message.js';
import { downloadWithFreshLink } from '../result-download.js';
import type { Activation, WorkerContext } from '../worker-context.js';

/** Largest result the worker downloads. */
const MAX_RESULT_BYTES = 500 * 1024 * 1024;

/**
 * Downloads the result, makes it fit the channel (re-encode, else a durable link), posts it once (the
 * message id is recorded and the post carries an idempotency key), reacts 🔁 and ends the attempt.
 */
export async function deliverStep(ctx: WorkerContext & { fitter: VideoFitter }, act: Activation): Promise<void> {
  const { request, attempt } = act;
  if (!attempt.resultRef) {
    await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'delivering');
    await updateProgress(ctx, act, 'delivering');
    if (act.attempt.costMicros === undefined && act.data.generationId) {
      const charged = await actualCost(ctx, act.data.generationId);
      if (charged !== null) {
        await ctx.requests.patchAttempt(request.requestId, attempt.attempt, { costMicros: charged });
        act.attempt = { ...act.attempt, costMicros: charged };
      }
    }
    const files: string[] = [];
    try {
      const ref = await postResult(ctx, act, files);
      await ctx.requests.patchAttempt(request.requestId, attempt.attempt, { resultRef: ref });
      act.attempt = { ...act.attempt, resultRef: ref };
    } finally {
      await Promise.all(files.map((f) => rm(f, { force: true })));
    }
  }
  // Repeated on a re-run: a crash right after recording the post must still leave 🔁 on it working.
  await ctx.requests.indexMessage(act.attempt.resultRef as MessageRef, {
    requestId: request.requestId,
    attempt: attempt.attempt,
  });
  // The video is in the thread: a missing 🔁 (no permission, message gone) must not undo that.
  if (act.attempt.resultRef) {
    await act.chat.react(act.attempt.resultRef, 'retry').catch((error: unknown) => {
      ctx.logger?.warn({ err: error }, 'could not add the 🔁 reaction to the video');
    });
  }
  await endAttempt(ctx, act, { outcome: 'done' });
}

function download(ctx: WorkerContext, act: Activation, dest: string): Promise<DownloadedFile> {
  // Presigned event URLs expire: an expired one is replaced by the row's result_url once.
  return downloadWithFreshLink(ctx.oxen, act.data.generationId as string, act.data.resultUrl, dest, {
    maxBytes: MAX_RESULT_BYTES,
  });
}

async function postResult(
  ctx: WorkerContext & { fitter: VideoFitter },
  act: Activation,
  files: string[],
): Promise<MessageRef> {
  const { request, attempt } = act;
  const path = join(tmpdir(), `animate-${attempt.jobId}-${process.pid}.mp4`);
  files.push(path);
  const file = await download(ctx, act, path);
  const limit = request.uploadLimitBytes;
  let upload: { path: string; bytes: number } | null = file.bytes <= limit ? file : null;
  let method: DeliveryMethod = 'upload';
  if (!upload) {
    const fitted = await ctx.fitter.fit(path, limit, request.duration).catch((error: unknown) => {
      ctx.logger?.warn({ err: error, requestId: request.requestId }, 'could not re-encode the video to fit');
      return null;
    });
    if (fitted) files.push(fitted.path);
    if (fitted && fitted.bytes <= limit) {
      upload = fitted;
      method = 'transcode';
    }
  }
  const options = { idempotencyKey: `${attempt.jobId}-result`, mention: request.requester.userId };
  const view = (link?: ResultView['link']): MessageView => ({ kind: 'result', result: resultView(ctx, act, link) });
  if (upload) {
    try {
      const ref = await act.chat.uploadVideo(
        request.where,
        { path: upload.path, filename: `animation-${request.requestId.slice(0, 8)}.mp4`, bytes: upload.bytes },
        view(),
        options,
      );
      ctx.metrics.delivered(request.where.platform, method);
      ctx.logger?.info({ method, bytes: upload.bytes, limitBytes: limit }, 'video delivered');
      return ref;
    } catch (error) {
      if (!(error instanceof ChatError && error.kind === 'too_large')) throw error;
    }
  }
  // Too big for this channel: a durable copy, never Oxen's presigned URL (it expires).
  const stored = await ctx.imageStore.putVideo(`${request.requestId}-${attempt.attempt}`, path);
  const ref = await act.chat.post(
    request.where,
    view({ url: stored.url, bytes: file.bytes, limitBytes: limit }),
    options,
  );
  ctx.metrics.delivered(request.where.platform, 'link');
  ctx.logger?.info({ method: 'link', bytes: file.bytes, limitBytes: limit }, 'video delivered');
  return ref;
}

function resultView(ctx: WorkerContext, act: Activation, link?: ResultView['link']): ResultView {
  const view: ResultView = {
    requestId: act.request.requestId,
    attempt: act.attempt.attempt,
    requester: act.request.requester,
    prompt: act.request.prompt,
    duration: act.request.duration,
    tookMs: ctx.clock.now() - act.attempt.createdAt,
  };
  if (link) view.link = link;
  const estimate = estimateFor(ctx, act.request.duration);
  if (act.attempt.costMicros !== undefined) view.costMicros = act.attempt.costMicros;
  else if (estimate !== undefined) Object.assign(view, { costMicros: estimate, costIsEstimate: true });
  return view;
}
