import { AnimateError, isRetryable } from '../../../core/errors.js';
import type { GenerationRow } from '../../../core/ports/oxen.js';
import { bodyFor } from '../../../core/video-models.js';
import { sleep } from '../../../shared/abort.js';
import { listActive } from '../../background/active-list.js';
import type { AnimateJobData } from '../../job-data.js';
import { endAttempt } from '../finish.js';
import { modelOf } from '../model-of.js';
import { updateProgress } from '../progress-message.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { parkUntil, saveData } from './delay.js';

/** How far Oxen's clock may differ from ours; `enqueued_at` is Oxen's, `submittingAt` ours. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Time other workers get to index a generation they just enqueued before this one adopts it. */
const CLAIM_GRACE_MS = 2_000;
/**
 * History rows asked for per page, and pages read at most, while looking for a lost generation. A
 * gateway may cap pages at 100 rows (GATEWAY_PAGE_CAP), so the page cap covers 10,000 rows even then.
 */
const HISTORY_PAGE_SIZE = 500;
const HISTORY_MAX_PAGES = 100;
/** Searches per adoption window, and the longest pause between two of them. */
const SEARCHES_PER_WINDOW = 8;
const MAX_SEARCH_INTERVAL_MS = 15_000;

/**
 * Answers that prove Oxen did not create a generation, when Oxen itself gave them. Anything else (a 5xx
 * from a gateway, a 408, a 200 whose body does not parse, a dropped connection, any status on a WAF's or
 * CDN's HTML page) may come before or after Oxen wrote the row, so the next try must search before it
 * enqueues again, or the team pays twice.
 */
const DEFINITIVE_REFUSALS = new Set([400, 401, 402, 403, 404, 409, 422, 429]);

/** Whether an enqueue error proves that Oxen made no generation (docs/oxen-api.md, "Errors"). */
function isDefinitiveRefusal(error: unknown): boolean {
  const { status, gatewayPage, code } = error as { status?: unknown; gatewayPage?: unknown; code?: unknown };
  if (typeof status !== 'number' || gatewayPage === true) return false;
  // Oxen's documented refusal: 200 with an empty `generations` list and an `error` (the client's typed error).
  if (status === 200) return code === 'oxen_invalid_request' || code === 'oxen_insufficient_credits';
  return DEFINITIVE_REFUSALS.has(status);
}

/** An enqueue whose answer does not say whether Oxen created the generation; the next try searches. */
class UncertainEnqueueError extends AnimateError {
  public override readonly name = 'UncertainEnqueueError';
  public readonly code = 'oxen_enqueue_uncertain';
  public readonly retryable = true;

  public constructor(cause: unknown) {
    super(`Oxen's answer to the enqueue was unclear: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/**
 * Takes a global slot (showing the queue position while there is none), then enqueues at Oxen exactly
 * once: the generation id is stored in the job data and the index the moment Oxen answers, and a job
 * that crashed or got an ambiguous answer finds its generation again instead of paying twice.
 */
export async function submitStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const { request, attempt } = act;
  if (act.data.generationId) {
    // Saved before a crash that came before the rest of the bookkeeping: finish it.
    await recordSubmission(ctx, act, generationIdsOf(act.data));
    return;
  }

  // One slot per take: MAX_ACTIVE_GENERATIONS bounds the generations Oxen runs (and bills) at once.
  const position = await ctx.slots.acquire(
    attempt.jobId,
    ctx.limits.maxActiveGenerations,
    attempt.createdAt,
    request.takes ?? 1,
  );
  if (position > 0) {
    await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'queued');
    await updateProgress(ctx, act, 'queued', { queuePosition: position });
    await parkUntil(act, ctx.clock.now() + ctx.timings.slotPollMs);
  }

  const takes = request.takes ?? 1;
  if (!(await ctx.inbox.claimSubmit(attempt.jobId, act.token || 'sweeper', ctx.timings.submitClaimMs))) {
    // Another activation of this job is inside its enqueue (our lock had expired): let it finish.
    ctx.logger.warn('another activation is submitting this job; waiting for it');
    await parkUntil(act, ctx.clock.now() + ctx.timings.slotPollMs);
  }
  // A model without `num_generations` makes its takes in separate enqueues, one generation each; those
  // already answered are in the job data (and indexed), so a re-run makes or finds only the rest.
  const model = modelOf(ctx, request);
  const separate = takes > 1 && !model.fields.numGenerations;
  const earlier = separate ? (act.data.enqueuedIds ?? []) : [];
  if (attempt.cancelRequestedBy) {
    await cancelBeforeWaiting(ctx, act, takes, earlier);
    return;
  }
  let generationIds: string[] = [];
  if (act.data.submittingAt !== undefined) {
    const found = await searchUnclearEnqueue(ctx, act, takes - earlier.length).catch(async (error: unknown) => {
      // The next activation searches again; it must not wait out this one's claim to do so.
      await ctx.inbox.releaseSubmit(attempt.jobId);
      throw error;
    });
    if (found === 'keep-searching') {
      await ctx.inbox.releaseSubmit(attempt.jobId);
      return parkUntil(act, nextSearchAt(ctx, act));
    }
    generationIds = found;
    if (found.length > 0) ctx.logger.warn({ generationIds }, 'adopted generations whose enqueue answer was lost');
  }
  // An adopted generation may have finished while no worker listened: poll it at once.
  const adopted = generationIds.length > 0;
  if (separate) {
    generationIds = [...earlier, ...generationIds];
    if (adopted) await saveEnqueued(ctx, act, generationIds);
  }
  if (!adopted || generationIds.length < takes) {
    const staged = act.request.staged;
    if (!staged) throw new Error('submit step without staged images');
    // Asked now, not at staging: an s3 link is valid for the generation timeout from here on.
    const inputImage = await ctx.imageStore.linkFor(staged.start);
    // A loop ends on its own start image (Kling's end frame), so the clip returns to where it began.
    const tailImageUrl = staged.end ? await ctx.imageStore.linkFor(staged.end) : request.loop ? inputImage : undefined;
    // Before the call: a row that shows up later echoing this image is known to be this attempt's.
    await ctx.inbox.noteStagedOwner(staged.start.url, request.requestId, attempt.attempt);
    const now = ctx.clock.now();
    const { unclearSince: _searched, ...rest } = act.data;
    act.data = rest;
    // The request's parts in the model's own fields (core/video-models.ts); sound always explicit.
    const perCall = separate ? 1 : takes;
    const fields = bodyFor(model, {
      prompt: request.prompt,
      startUrl: inputImage,
      endUrl: tailImageUrl,
      duration: request.duration,
      sound: request.sound ?? false,
      shape: request.shape ?? 'original',
      takes: perCall,
    });
    const input = {
      model: model.id,
      prompt: request.prompt,
      inputImage,
      ...(tailImageUrl ? { tailImageUrl } : {}),
      duration: request.duration,
      ...(perCall > 1 ? { numGenerations: perCall } : {}),
      fields,
    };
    try {
      do {
        await saveData(act, { submittingAt: ctx.clock.now(), firstSubmittingAt: act.data.firstSubmittingAt ?? now });
        const res = await ctx.oxen.enqueue(input);
        const ids = res.generationIds.length > 0 ? res.generationIds : [res.generationId];
        if (!separate) generationIds = ids;
        else {
          generationIds = [...generationIds, ...ids];
          await saveEnqueued(ctx, act, generationIds);
        }
      } while (separate && generationIds.length < takes);
    } catch (error) {
      if (isDefinitiveRefusal(error)) {
        const { submittingAt: _dropped, ...kept } = act.data;
        act.data = kept;
        await act.job.updateData(kept);
        // Oxen refused a later take of separate enqueues: the earlier ones are stopped, not left to bill.
        for (const id of separate ? generationIds : []) await ctx.oxen.cancel(id);
        await ctx.inbox.releaseSubmit(attempt.jobId);
        throw error;
      }
      // Even an answer that cannot be read may follow a created generation, or precede one Oxen is still
      // writing: the next tries search for it over the adoption window before enqueuing again.
      await saveData(act, { unclearSince: ctx.clock.now() });
      await ctx.inbox.releaseSubmit(attempt.jobId);
      throw isRetryable(error) ? error : new UncertainEnqueueError(error);
    }
  }
  // First the job data (what a re-run looks at), then the index the event hub uses.
  await saveData(act, {
    generationId: generationIds[0],
    ...(generationIds.length > 1 ? { generationIds } : {}),
    lastPollAt: adopted ? 0 : ctx.clock.now(),
  });
  await recordSubmission(ctx, act, generationIds);
  await ctx.inbox.releaseSubmit(attempt.jobId);
  ctx.logger.info({ generationIds, adopted }, 'generation enqueued at Oxen');
  await updateProgress(ctx, act, 'submitted');
}

/**
 * The bookkeeping after the generation id is saved in the job data: the generation → job index (so
 * completion events find the job), the attempt's id and submission time (the timeout and ❌ need them)
 * and the move to the wait step. Idempotent, so the wait step repeats it after a crash mid-way.
 */
export async function recordSubmission(ctx: WorkerContext, act: Activation, generationIds: string[]): Promise<void> {
  const { request, attempt } = act;
  const [generationId] = generationIds;
  if (!generationId) throw new Error('recordSubmission without a generation');
  for (const id of generationIds) {
    if ((await ctx.inbox.jobOf(id)) !== attempt.jobId) await ctx.inbox.indexGeneration(id, attempt.jobId);
  }
  if (attempt.generationId !== generationId || attempt.submittedAt === undefined) {
    const submittedAt = attempt.submittedAt ?? ctx.clock.now();
    const patch = { generationId, submittedAt, ...(generationIds.length > 1 ? { generationIds } : {}) };
    await ctx.requests.patchAttempt(request.requestId, attempt.attempt, patch);
    act.attempt = { ...act.attempt, ...patch };
    await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'submitted');
  }
  const submittedAt = act.attempt.submittedAt ?? ctx.clock.now();
  for (const id of generationIds) {
    // A take that already ended is not waited for again after a re-run.
    if (!act.data.takeResults?.some((r) => r.generationId === id)) {
      await ctx.inbox.trackWaiting(id, attempt.jobId, submittedAt);
    }
  }
  if (act.data.step !== 'wait') await saveData(act, { step: 'wait' });
}

/**
 * A cancel that arrived while the enqueue's answer was lost (a crash, an ambiguous error): generations
 * may exist that no record names. They are looked for first and, when found, recorded so the wait
 * step cancels them at Oxen (and delivers any that already finished); only then does the attempt end.
 */
async function cancelBeforeWaiting(
  ctx: WorkerContext,
  act: Activation,
  takes: number,
  earlier: string[],
): Promise<void> {
  const by = act.attempt.cancelRequestedBy;
  const searched =
    act.data.submittingAt === undefined ? [] : await searchUnclearEnqueue(ctx, act, takes - earlier.length);
  if (searched === 'keep-searching') {
    // A row may still appear: only once the window has passed is "none" an answer.
    await ctx.inbox.releaseSubmit(act.attempt.jobId);
    return parkUntil(act, nextSearchAt(ctx, act));
  }
  // Takes already made by separate enqueues are recorded too, so the wait step cancels them at Oxen.
  const found = [...earlier, ...searched];
  if (found.length > 0) {
    await saveData(act, {
      generationId: found[0],
      ...(found.length > 1 ? { generationIds: found } : {}),
      lastPollAt: 0,
    });
    await recordSubmission(ctx, act, found);
    await ctx.inbox.releaseSubmit(act.attempt.jobId);
    return;
  }
  await ctx.inbox.releaseSubmit(act.attempt.jobId);
  await endAttempt(ctx, act, { outcome: 'cancelled', by });
}

/**
 * Records the takes made so far by separate enqueues: indexed to this job first (so no search adopts
 * them for another take and a completion event finds the job), then in the job data, with the enqueue
 * marker dropped, since their answers arrived.
 */
async function saveEnqueued(ctx: WorkerContext, act: Activation, ids: string[]): Promise<void> {
  for (const id of ids) {
    if ((await ctx.inbox.jobOf(id)) !== act.attempt.jobId) await ctx.inbox.indexGeneration(id, act.attempt.jobId);
  }
  const { submittingAt: _answered, unclearSince: _found, ...kept } = act.data;
  act.data = { ...kept, enqueuedIds: ids };
  await act.job.updateData(act.data);
}

/** Every take's generation id of a job (one unless the request asked for several takes). */
export function generationIdsOf(data: Pick<AnimateJobData, 'generationId' | 'generationIds'>): string[] {
  if (data.generationIds && data.generationIds.length > 0) return data.generationIds;
  return data.generationId ? [data.generationId] : [];
}

/** When the adoption window of an unclear enqueue ends (ms). */
function windowEnd(ctx: WorkerContext, act: Activation): number {
  return (act.data.unclearSince ?? ctx.clock.now()) + ctx.timings.adoptWindowMs;
}

/** When the next search of the adoption window is due: a few per window, the last at its end. */
function nextSearchAt(ctx: WorkerContext, act: Activation): number {
  const every = Math.min(MAX_SEARCH_INTERVAL_MS, Math.max(250, ctx.timings.adoptWindowMs / SEARCHES_PER_WINDOW));
  return Math.min(ctx.clock.now() + every, windowEnd(ctx, act));
}

/**
 * After an enqueue whose answer was unclear (or a crash inside it): this attempt's generations if Oxen
 * has them by now; `keep-searching` while none showed up and the adoption window is still open (a gateway
 * may answer while Oxen is still writing the row, which then appears seconds, sometimes a minute, later);
 * none once a search after the window found nothing, and only then may the caller enqueue again. More
 * rows than takes mean a second enqueue already happened: the takes are adopted and the others cancelled
 * at Oxen at once, so nothing runs unwatched and nothing is billed twice.
 */
async function searchUnclearEnqueue(
  ctx: WorkerContext,
  act: Activation,
  takes: number,
): Promise<string[] | 'keep-searching'> {
  if (act.data.unclearSince === undefined) {
    // A re-run found the marker without an answer (the worker died inside the call): the window starts now.
    await saveData(act, { unclearSince: ctx.clock.now() });
  }
  const searchedAt = ctx.clock.now();
  const { adopt, extra } = await findLostGenerations(ctx, act, act.data.submittingAt ?? searchedAt, takes);
  for (const id of extra) {
    await ctx.oxen.cancel(id);
    ctx.metrics.duplicateCancelled();
    ctx.logger.error({ generationId: id, adopted: adopt }, 'a second generation for this attempt; cancelled at Oxen');
  }
  if (adopt.length > 0) return adopt;
  return searchedAt < windowEnd(ctx, act) ? 'keep-searching' : [];
}

/** What a search for an attempt's lost generations found. */
interface LostGenerations {
  /** This attempt's generations, one per take at most. */
  adopt: string[];
  /** Further generations of this attempt, beyond its takes: to be cancelled. */
  extra: string[];
}

/** Status order of adoption: a finished video is adopted (and delivered) before one still running. */
const ADOPT_ORDER: Record<string, number> = { succeeded: 0, processing: 1, queued: 2, unknown: 3, failed: 4 };

/**
 * The generations of this model enqueued around `submittingAt` that no job claims. Where Oxen echoes
 * them, only rows with this request's staged URL (unique per request) and prompt count (compared
 * trimmed and NFC-normalised: Oxen may echo either), so a generation the same account started elsewhere
 * is never taken for ours. A row without `enqueued_at` counts when its echoed image is ours; cancelled
 * rows never count (nothing to deliver or stop).
 */
async function findLostGenerations(
  ctx: WorkerContext,
  act: Activation,
  submittingAt: number,
  takes: number,
): Promise<LostGenerations> {
  const stagedUrl = act.request.staged?.start.url ?? null;
  const from = Math.min(submittingAt, act.attempt.createdAt) - CLOCK_SKEW_MS;
  const to = Math.max(submittingAt, act.data.unclearSince ?? submittingAt) + ctx.timings.adoptWindowMs + CLOCK_SKEW_MS;
  const rows = await searchRows(ctx, from, modelOf(ctx, act.request).id);
  const prompt = comparablePrompt(act.request.prompt);
  const candidates: string[] = [];
  for (const row of rows.values()) {
    if (row.status === 'cancelled') continue;
    const echoesOurs =
      typeof row.inputImage === 'string' && stagedUrl !== null && sameObject(row.inputImage, stagedUrl);
    if (typeof row.inputImage === 'string' && stagedUrl !== null && !echoesOurs) continue;
    // Oxen's `enqueued_at` is missing on some rows: then only the echoed image can say it is ours.
    if (row.enqueuedAt > 0) {
      const at = row.enqueuedAt * 1000;
      if (at < from || at > to) continue;
    } else if (!echoesOurs) continue;
    if (row.model && row.model !== modelOf(ctx, act.request).id) continue;
    if (typeof row.prompt === 'string' && comparablePrompt(row.prompt) !== prompt) continue;
    if (await ctx.inbox.jobOf(row.generationId)) continue;
    candidates.push(row.generationId);
  }
  if (candidates.length === 0) return { adopt: [], extra: [] };
  // Another worker may be between its own enqueue and its index write: give it time to claim its own.
  await sleep(CLAIM_GRACE_MS);
  const unclaimed: string[] = [];
  for (const id of candidates) if (!(await ctx.inbox.jobOf(id))) unclaimed.push(id);
  const rank = (id: string) => ADOPT_ORDER[rows.get(id)?.status ?? 'unknown'] ?? 3;
  const ordered = unclaimed.sort((a, b) => rank(a) - rank(b));
  // Oxen's order of takes is the enqueue order of the rows.
  const byEnqueue = (a: string, b: string) => (rows.get(a)?.enqueuedAt ?? 0) - (rows.get(b)?.enqueuedAt ?? 0);
  return { adopt: ordered.slice(0, takes).sort(byEnqueue), extra: ordered.slice(takes) };
}

/** A prompt as compared with Oxen's echo, which may come back trimmed or NFC-normalised. */
function comparablePrompt(prompt: string): string {
  return prompt.normalize('NFC').trim();
}

/** Whether two links name the same staged copy: a presigned link differs from the address only in its query. */
function sameObject(a: string, b: string): boolean {
  return a.split('?')[0] === b.split('?')[0];
}

/**
 * The account's active generations (every page: a gateway may cap them at 100 rows) plus its history,
 * paged. The history's order is not documented: paging stops early only on a page that is itself
 * newest-first and ends before `from`, or one that brings no row not seen (a server that ignores
 * paging); otherwise every page is read up to the cap, and what was read is searched.
 */
async function searchRows(ctx: WorkerContext, from: number, model: string): Promise<Map<string, GenerationRow>> {
  const seen = new Map<string, GenerationRow>();
  for (const row of (await listActive(ctx.oxen, model, null)).rows) seen.set(row.generationId, row);
  for (let page = 1; page <= HISTORY_MAX_PAGES; page++) {
    const { rows, hasMore } = await ctx.oxen.history({ model, page, pageSize: HISTORY_PAGE_SIZE });
    const before = seen.size;
    // Read after the active list, the history's copy of a row is the fresher one.
    for (const row of rows) seen.set(row.generationId, row);
    const first = rows[0];
    const last = rows.at(-1);
    const newestFirst = first !== undefined && last !== undefined && first.enqueuedAt >= last.enqueuedAt;
    const nothingNew = page > 1 && seen.size === before;
    if (!hasMore || nothingNew || (newestFirst && last.enqueuedAt > 0 && last.enqueuedAt * 1000 < from)) return seen;
  }
  ctx.logger.warn({ pages: HISTORY_MAX_PAGES }, 'history longer than the page cap; searched what was read');
  return seen;
}
