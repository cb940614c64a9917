import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActionName, takeAction } from '../../../core/actions.js';
import { ChatError } from '../../../core/errors.js';
import type { MessageRef } from '../../../core/model.js';
import type { VideoFile } from '../../../core/ports/chat-port.js';
import type { StoredVideo } from '../../../core/ports/image-store.js';
import type { DeliveryMethod } from '../../../core/ports/metrics.js';
import type { MessageView, ResultView, VideoLink } from '../../../core/views.js';
import type { TakeResult } from '../../job-data.js';
import { estimateFor, readBill } from '../cost.js';
import { endAttempt } from '../finish.js';
import { modelOf, traitsOf } from '../model-of.js';
import { updateProgress } from '../progress-message.js';
import { downloadWithFreshLink, MAX_RESULT_BYTES } from '../result-download.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { saveData } from './delay.js';
import { refusesUpload } from './refuses-upload.js';
import { needsStitch, stitchAfterDelivery } from './stitch.js';

/**
 * Downloads the result of every take that succeeded, makes each fit the channel (re-encode, else a
 * durable link), posts them once, in one message (the message id is recorded and the post carries an
 * idempotency key), offers 🔁 and ⏩ (or one extend per take), stitches the parts of an extended video, and ends the attempt.
 */
export async function deliverStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const { request, attempt } = act;
  if (!attempt.resultRef) {
    // Ended by another activation of this job since this one read the attempt: nothing is left to do.
    if (!(await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'delivering'))) return;
    await updateProgress(ctx, act, 'delivering');
    const links = await recordCharge(ctx, act);
    const files: string[] = [];
    try {
      const delivery = await postResult(ctx, act, files, links);
      if ('unposted' in delivery) {
        // Paid for and kept: the attempt is done, and its final state is where the video can be found.
        ctx.logger.warn({ links: delivery.unposted.length }, 'the chat took neither the video nor its link');
        await endAttempt(ctx, act, { outcome: 'done', videoLinks: delivery.unposted });
        return;
      }
      await ctx.requests.patchAttempt(request.requestId, attempt.attempt, { resultRef: delivery.ref });
      act.attempt = { ...act.attempt, resultRef: delivery.ref };
      await recordInGallery(ctx, act, delivery);
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
  const ref = act.attempt.resultRef;
  if (ref) {
    for (const action of offeredActions(act)) {
      await act.chat.react(ref, action).catch((error: unknown) => {
        ctx.logger.warn({ err: error, action }, 'could not offer an action on the video');
      });
    }
  }
  if (needsStitch(act.request)) {
    // A step of its own, so a crash between the part's post and the stitched one resumes here.
    await saveData(act, { step: 'stitch', transientErrors: 0 });
    await stitchAfterDelivery(ctx, act);
  }
  await endAttempt(ctx, act, { outcome: 'done' });
}

/**
 * What the video's message offers: 🔁, and ⏩ to extend it, or one action per take (1️⃣–4️⃣) on a
 * message of several (docs/architecture.md, "Takes, loop and extend").
 */
function offeredActions(act: Pick<Activation, 'data'>): ActionName[] {
  const takes = succeededTakes(act).length;
  if (takes <= 1) return ['retry', 'extend'];
  const perTake = Array.from({ length: takes }, (_, i) => takeAction(i)).filter((a): a is ActionName => a !== null);
  return ['retry', ...perTake];
}

/** The takes that succeeded; a job from before takes existed has one, in `generationId`/`resultUrl`. */
export function succeededTakes(act: Pick<Activation, 'data'>): TakeResult[] {
  const results = act.data.takeResults;
  if (results) return results.filter((r) => r.kind === 'succeeded');
  return act.data.generationId
    ? [{ generationId: act.data.generationId, kind: 'succeeded', url: act.data.resultUrl ?? null }]
    : [];
}

/**
 * What Oxen charged for every take, summed, kept with the attempt for the caption and the budgets.
 * Returns the result links the same reads gave, by generation id, for takes whose event had none.
 */
async function recordCharge(ctx: WorkerContext, act: Activation): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  if (act.attempt.costMicros !== undefined) return links;
  const ids = act.attempt.generationIds ?? (act.data.generationId ? [act.data.generationId] : []);
  let total = 0;
  let known = ids.length > 0;
  for (const id of ids) {
    const bill = await readBill(ctx, id);
    if (bill.resultUrl) links.set(id, bill.resultUrl);
    if (bill.costMicros === null) known = false;
    else total += bill.costMicros;
  }
  if (!known) return links;
  await ctx.requests.patchAttempt(act.request.requestId, act.attempt.attempt, { costMicros: total });
  act.attempt = { ...act.attempt, costMicros: total };
  return links;
}

/** A downloaded take, fitted to the upload limit when it could be. */
interface Prepared {
  take: number;
  path: string;
  bytes: number;
  method: DeliveryMethod;
  fits: boolean;
}

async function prepareTake(
  ctx: WorkerContext,
  act: Activation,
  result: TakeResult,
  take: number,
  files: string[],
  rowLink: string | undefined,
): Promise<Prepared> {
  const { request, attempt } = act;
  const path = join(tmpdir(), `animate-${attempt.jobId}-${take}-${process.pid}.mp4`);
  files.push(path);
  // Presigned event URLs expire: an expired one is replaced by the row's result_url once. An event
  // without a URL uses the link the charge's read brought, so no status read of its own.
  const file = await downloadWithFreshLink(ctx.oxen, result.generationId, result.url ?? rowLink, path, {
    maxBytes: MAX_RESULT_BYTES,
  });
  const limit = request.uploadLimitBytes;
  if (file.bytes <= limit) return { take, path, bytes: file.bytes, method: 'upload', fits: true };
  const fitted = await ctx.fitter.fit(path, limit, request.duration).catch((error: unknown) => {
    ctx.logger.warn({ err: error, take }, 'could not re-encode the video to fit');
    return null;
  });
  if (fitted) files.push(fitted.path);
  if (fitted && fitted.bytes <= limit)
    return { take, path: fitted.path, bytes: fitted.bytes, method: 'transcode', fits: true };
  return { take, path, bytes: file.bytes, method: 'link', fits: false };
}

/** Chat answers that refuse any message here: the video's links go into the final state instead. */
function refusesPost(error: unknown): boolean {
  return error instanceof ChatError && (error.kind === 'forbidden' || error.kind === 'archived');
}

/** The posted message (with the copies linked from it), or the links of a video the chat would take in no form. */
type Delivery = { ref: MessageRef; stored: StoredVideo[] } | { unposted: VideoLink[] };

/**
 * Adds the delivered video to the team's gallery (README.md, "Gallery"). The video is delivered whatever
 * happens here: a failure is logged, and nothing is reserved or billed by it.
 */
async function recordInGallery(
  ctx: WorkerContext,
  act: Activation,
  delivery: { ref: MessageRef; stored: StoredVideo[] },
): Promise<void> {
  const { request, attempt } = act;
  const now = ctx.clock.now();
  try {
    await ctx.gallery.record({
      id: `${request.requestId}-${attempt.attempt}`,
      requestId: request.requestId,
      attempt: attempt.attempt,
      requester: request.requester,
      prompt: request.prompt,
      duration: request.duration,
      takes: succeededTakes(act).length,
      model: modelOf(ctx, request).id,
      ...(act.attempt.costMicros !== undefined ? { costMicros: act.attempt.costMicros } : {}),
      platform: request.where.platform,
      channelId: request.where.parentChannelId ?? request.where.channelId,
      ...(request.where.guildId ? { guildId: request.where.guildId } : {}),
      threadId: request.where.threadId,
      message: delivery.ref,
      links: delivery.stored.map((v) => v.url),
      storedRefs: delivery.stored.map((v) => v.ref),
      createdAt: now,
      expiresAt: now + ctx.videoRetentionMs,
    });
  } catch (error) {
    ctx.logger.warn({ err: error }, 'gallery: could not record the video');
  }
}

/**
 * Posts the takes: uploaded where they fit, as links to the image store's copy where they do not or
 * where the chat refuses the file. A paid video always reaches the person: when even the message of
 * links is refused, they are returned for the final state to show.
 */
async function postResult(
  ctx: WorkerContext,
  act: Activation,
  files: string[],
  rowLinks: Map<string, string>,
): Promise<Delivery> {
  const { request, attempt } = act;
  const takes = succeededTakes(act);
  const prepared: Prepared[] = [];
  for (const [i, result] of takes.entries())
    prepared.push(await prepareTake(ctx, act, result, i, files, rowLinks.get(result.generationId)));
  const limit = request.uploadLimitBytes;
  const links: NonNullable<ResultView['links']> = [];
  const copies: StoredVideo[] = [];
  // Too big for this channel: a durable copy, never Oxen's presigned URL (it expires).
  const toLink = async (p: Prepared, why: NonNullable<VideoLink['why']>) => {
    const stored = await ctx.imageStore.putVideo(`${request.requestId}-${attempt.attempt}-${p.take}`, p.path);
    copies.push(stored);
    links.push({ take: p.take, url: stored.url, bytes: p.bytes, limitBytes: limit, why, expiresAt: stored.expiresAt });
  };
  for (const p of prepared.filter((x) => !x.fits)) await toLink(p, 'too_large');
  const options = { idempotencyKey: `${attempt.jobId}-result`, mention: request.requester.userId };
  const view = (): MessageView => ({ kind: 'result', result: resultView(ctx, act, takes.length, links) });
  const uploads = prepared.filter((x) => x.fits);
  if (uploads.length > 0) {
    const name = (p: Prepared) =>
      `animation-${request.requestId.slice(0, 8)}${takes.length > 1 ? `-take${p.take + 1}` : ''}.mp4`;
    const videos: VideoFile[] = uploads.map((p) => ({ path: p.path, filename: name(p), bytes: p.bytes }));
    try {
      const ref = await act.chat.uploadVideo(
        request.where,
        videos.length === 1 ? (videos[0] as VideoFile) : videos,
        view(),
        options,
      );
      for (const p of uploads) ctx.metrics.delivered(request.where.platform, p.method);
      ctx.logger.info({ takes: uploads.length, links: links.length, limitBytes: limit }, 'video delivered');
      return { ref, stored: copies };
    } catch (error) {
      if (!refusesUpload(error)) throw error;
      // Together they are over the limit, or the chat refuses files here: every take goes as a link.
      ctx.logger.info({ kind: error.kind }, 'the chat refused the upload; posting links');
      for (const p of uploads) await toLink(p, error.kind === 'too_large' ? 'too_large' : 'refused');
    }
  }
  let ref: MessageRef;
  try {
    ref = await act.chat.post(request.where, view(), options);
  } catch (error) {
    if (!refusesPost(error)) throw error;
    return { unposted: links.map(({ take: _take, ...link }) => link) };
  }
  for (const _ of links) ctx.metrics.delivered(request.where.platform, 'link');
  ctx.logger.info({ method: 'link', links: links.length, limitBytes: limit }, 'video delivered');
  return { ref, stored: copies };
}

function resultView(ctx: WorkerContext, act: Activation, takes: number, links: ResultView['links']): ResultView {
  const { request } = act;
  const view: ResultView = {
    requestId: request.requestId,
    attempt: act.attempt.attempt,
    requester: request.requester,
    prompt: request.prompt,
    duration: request.duration,
    ...traitsOf(ctx, request),
    tookMs: ctx.clock.now() - act.attempt.createdAt,
  };
  const [firstLink] = links ?? [];
  if (firstLink && takes === 1) {
    const { take: _take, ...link } = firstLink;
    view.link = link;
  } else if (links && links.length > 0) view.links = links;
  if (takes > 1) view.takes = takes;
  if (request.loop) view.loop = true;
  if (request.part) view.part = request.part.index;
  const estimate = estimateFor(ctx, request);
  if (act.attempt.costMicros !== undefined) view.costMicros = act.attempt.costMicros;
  else if (estimate !== undefined) Object.assign(view, { costMicros: estimate, costIsEstimate: true });
  return view;
}
