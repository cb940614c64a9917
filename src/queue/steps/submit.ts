import { UnrecoverableError } from 'bullmq';
import { AnimateError, isRetryable } from '../../core/errors.js';
import { uncertainSubmitFailure } from '../../core/failure.js';
import type { GenerationRow } from '../../core/ports/oxen.js';
import { sleep } from '../../shared/abort.js';
import { endAttempt } from '../finish.js';
import type { AnimateJobData } from '../job-data.js';
import { updateProgress } from '../progress-message.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { parkUntil, saveData } from './delay.js';

/** How long after the enqueue started a lost generation may have been created (our clock). */
const ADOPT_WINDOW_MS = 120_000;
/** How far Oxen's clock may differ from ours; `enqueued_at` is Oxen's, `submittingAt` ours. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Time other workers get to index a generation they just enqueued before this one adopts it. */
const CLAIM_GRACE_MS = 2_000;
/** History rows read per page, and pages read at most, while looking for a lost generation. */
const HISTORY_PAGE_SIZE = 500;
const HISTORY_MAX_PAGES = 20;

/**
 * Answers that prove Oxen did not create a generation. Anything else (a 5xx from a gateway, a 408, a
 * 200 whose body does not parse, a dropped connection) may come after Oxen wrote the row, so the next
 * try must search before it enqueues again, or the team pays twice.
 */
const DEFINITIVE_REFUSALS = new Set([400, 401, 402, 403, 404, 409, 422, 429]);

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
    await parkUntil(act, ctx.clock.now() + ctx.slotPollMs);
  }

  const takes = request.takes ?? 1;
  if (!(await ctx.inbox.claimSubmit(attempt.jobId, act.token || 'sweeper', ctx.submitClaimMs))) {
    // Another activation of this job is inside its enqueue (our lock had expired): let it finish.
    ctx.logger?.warn('another activation is submitting this job; waiting for it');
    await parkUntil(act, ctx.clock.now() + ctx.slotPollMs);
  }
  if (attempt.cancelRequestedBy) {
    await cancelBeforeWaiting(ctx, act, takes);
    return;
  }
  let generationIds: string[] = [];
  if (act.data.submittingAt !== undefined) {
    const found = await findLostGenerations(ctx, act, act.data.submittingAt, takes);
    if (found === 'ambiguous') {
      await endAttempt(ctx, act, { outcome: 'failed', failure: uncertainSubmitFailure() });
      throw new UnrecoverableError('could not tell which Oxen generations belong to this attempt');
    }
    generationIds = found;
    if (found.length > 0) ctx.logger?.warn({ generationIds }, 'adopted generations whose enqueue answer was lost');
  }
  // An adopted generation may have finished while no worker listened: poll it at once.
  const adopted = generationIds.length > 0;
  if (!adopted) {
    const staged = act.request.staged;
    if (!staged) throw new Error('submit step without staged images');
    // Asked now, not at staging: an s3 link is valid for the generation timeout from here on.
    const inputImage = await ctx.imageStore.linkFor(staged.start);
    // A loop ends on its own start image (Kling's end frame), so the clip returns to where it began.
    const tailImageUrl = staged.end ? await ctx.imageStore.linkFor(staged.end) : request.loop ? inputImage : undefined;
    await saveData(act, { submittingAt: ctx.clock.now() });
    try {
      const res = await ctx.oxen.enqueue({
        model: ctx.model,
        prompt: request.prompt,
        inputImage,
        ...(tailImageUrl ? { tailImageUrl } : {}),
        duration: request.duration,
        ...(takes > 1 ? { numGenerations: takes } : {}),
      });
      generationIds = res.generationIds.length > 0 ? res.generationIds : [res.generationId];
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && DEFINITIVE_REFUSALS.has(status)) {
        const { submittingAt: _dropped, ...rest } = act.data;
        act.data = rest;
        await act.job.updateData(rest);
        await ctx.inbox.releaseSubmit(attempt.jobId);
        throw error;
      }
      // Even an answer that cannot be read may follow a created generation: try again, searching first.
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
  ctx.logger?.info({ generationIds, adopted }, 'generation enqueued at Oxen');
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
async function cancelBeforeWaiting(ctx: WorkerContext, act: Activation, takes: number): Promise<void> {
  const by = act.attempt.cancelRequestedBy;
  const found =
    act.data.submittingAt === undefined ? [] : await findLostGenerations(ctx, act, act.data.submittingAt, takes);
  if (found === 'ambiguous') {
    ctx.logger?.error('cancelled while unsure which Oxen generations were ours; they were not cancelled at Oxen');
  } else if (found.length > 0) {
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

/** Every take's generation id of a job (one unless the request asked for several takes). */
export function generationIdsOf(data: Pick<AnimateJobData, 'generationId' | 'generationIds'>): string[] {
  if (data.generationIds && data.generationIds.length > 0) return data.generationIds;
  return data.generationId ? [data.generationId] : [];
}

/**
 * After a crash or an ambiguous answer between `POST /api/ai/queue` and recording it: the generations
 * (one per take) of this model enqueued around `submittingAt` that no job claims. Where Oxen echoes
 * them, only rows with this request's staged URL (unique per request) and prompt count, so a generation
 * the same account started elsewhere is never taken for ours. None means Oxen never got it; more than
 * the takes asked for means they cannot be told apart, and the attempt fails rather than risk paying
 * twice.
 */
async function findLostGenerations(
  ctx: WorkerContext,
  act: Activation,
  submittingAt: number,
  takes: number,
): Promise<string[] | 'ambiguous'> {
  const stagedUrl = act.request.staged?.start.url ?? null;
  const from = Math.min(submittingAt, act.attempt.createdAt) - CLOCK_SKEW_MS;
  const to = submittingAt + ADOPT_WINDOW_MS + CLOCK_SKEW_MS;
  const rows = await searchRows(ctx, from);
  if (rows === 'incomplete') return 'ambiguous';
  const candidates: string[] = [];
  for (const row of rows.values()) {
    const at = row.enqueuedAt * 1000;
    if (at < from || at > to) continue;
    if (row.model && row.model !== ctx.model) continue;
    if (typeof row.inputImage === 'string' && stagedUrl !== null && !sameObject(row.inputImage, stagedUrl)) continue;
    if (typeof row.prompt === 'string' && row.prompt !== act.request.prompt) continue;
    if (await ctx.inbox.jobOf(row.generationId)) continue;
    candidates.push(row.generationId);
  }
  if (candidates.length === 0) return [];
  // Another worker may be between its own enqueue and its index write: give it time to claim its own.
  await sleep(CLAIM_GRACE_MS);
  const unclaimed: string[] = [];
  for (const id of candidates) if (!(await ctx.inbox.jobOf(id))) unclaimed.push(id);
  if (unclaimed.length > takes) return 'ambiguous';
  // Oxen's order of takes is the enqueue order of the rows.
  return unclaimed.sort((a, b) => (rows.get(a)?.enqueuedAt ?? 0) - (rows.get(b)?.enqueuedAt ?? 0));
}

/** Whether two links name the same staged copy: a presigned link differs from the address only in its query. */
function sameObject(a: string, b: string): boolean {
  return a.split('?')[0] === b.split('?')[0];
}

/**
 * The account's active generations plus its history, paged. The history's order is not documented:
 * paging stops early only on a page that is itself newest-first and ends before `from`; otherwise every
 * page is read, and a history longer than the page cap cannot be searched completely (ambiguous).
 */
async function searchRows(ctx: WorkerContext, from: number): Promise<Map<string, GenerationRow> | 'incomplete'> {
  const seen = new Map<string, GenerationRow>();
  for (const row of await ctx.oxen.list({ model: ctx.model })) seen.set(row.generationId, row);
  for (let page = 1; ; page++) {
    if (page > HISTORY_MAX_PAGES) return 'incomplete';
    const { rows, hasMore } = await ctx.oxen.history({ model: ctx.model, page, pageSize: HISTORY_PAGE_SIZE });
    for (const row of rows) seen.set(row.generationId, row);
    const first = rows[0];
    const last = rows.at(-1);
    const newestFirst = first !== undefined && last !== undefined && first.enqueuedAt >= last.enqueuedAt;
    if (!hasMore || (newestFirst && last.enqueuedAt * 1000 < from)) return seen;
  }
}
