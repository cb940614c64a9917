import { UnrecoverableError } from 'bullmq';
import { AnimateError, isRetryable } from '../../core/errors.js';
import { uncertainSubmitFailure } from '../../core/failure.js';
import type { GenerationRow } from '../../core/ports/oxen.js';
import { sleep } from '../../shared/abort.js';
import { endAttempt } from '../finish.js';
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
    await recordSubmission(ctx, act, act.data.generationId);
    return;
  }

  const position = await ctx.slots.acquire(attempt.jobId, ctx.limits.maxActiveGenerations, attempt.createdAt);
  if (position > 0) {
    await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'queued');
    await updateProgress(ctx, act, 'queued', { queuePosition: position });
    await parkUntil(act, ctx.clock.now() + ctx.slotPollMs);
  }

  let generationId: string | null = null;
  if (act.data.submittingAt !== undefined) {
    const found = await findLostGeneration(ctx, act, act.data.submittingAt);
    if (found === 'ambiguous') {
      await endAttempt(ctx, act, { outcome: 'failed', failure: uncertainSubmitFailure() });
      throw new UnrecoverableError('could not tell which Oxen generation belongs to this attempt');
    }
    generationId = found;
    if (found) ctx.logger?.warn({ generationId }, 'adopted a generation whose enqueue answer was lost');
  }
  // An adopted generation may have finished while no worker listened: poll it at once.
  const adopted = generationId !== null;
  if (!generationId) {
    const staged = act.request.staged;
    if (!staged) throw new Error('submit step without staged images');
    // Asked now, not at staging: an s3 link is valid for the generation timeout from here on.
    const inputImage = await ctx.imageStore.linkFor(staged.start);
    const tailImageUrl = staged.end ? await ctx.imageStore.linkFor(staged.end) : undefined;
    await saveData(act, { submittingAt: ctx.clock.now() });
    try {
      const res = await ctx.oxen.enqueue({
        model: ctx.model,
        prompt: request.prompt,
        inputImage,
        ...(tailImageUrl ? { tailImageUrl } : {}),
        duration: request.duration,
      });
      generationId = res.generationId;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && DEFINITIVE_REFUSALS.has(status)) {
        const { submittingAt: _dropped, ...rest } = act.data;
        act.data = rest;
        await act.job.updateData(rest);
        throw error;
      }
      // Even an answer that cannot be read may follow a created generation: try again, searching first.
      throw isRetryable(error) ? error : new UncertainEnqueueError(error);
    }
  }
  // First the job data (what a re-run looks at), then the index the event hub uses.
  await saveData(act, { generationId, lastPollAt: adopted ? 0 : ctx.clock.now() });
  await recordSubmission(ctx, act, generationId);
  ctx.logger?.info({ generationId, adopted }, 'generation enqueued at Oxen');
  await updateProgress(ctx, act, 'submitted');
}

/**
 * The bookkeeping after the generation id is saved in the job data: the generation → job index (so
 * completion events find the job), the attempt's id and submission time (the timeout and ❌ need them)
 * and the move to the wait step. Idempotent, so the wait step repeats it after a crash mid-way.
 */
export async function recordSubmission(ctx: WorkerContext, act: Activation, generationId: string): Promise<void> {
  const { request, attempt } = act;
  if ((await ctx.inbox.jobOf(generationId)) !== attempt.jobId)
    await ctx.inbox.indexGeneration(generationId, attempt.jobId);
  if (attempt.generationId !== generationId || attempt.submittedAt === undefined) {
    const submittedAt = attempt.submittedAt ?? ctx.clock.now();
    await ctx.requests.patchAttempt(request.requestId, attempt.attempt, { generationId, submittedAt });
    act.attempt = { ...act.attempt, generationId, submittedAt };
    await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'submitted');
  }
  await ctx.inbox.trackWaiting(generationId, attempt.jobId, act.attempt.submittedAt ?? ctx.clock.now());
  if (act.data.step !== 'wait') await saveData(act, { step: 'wait' });
}

/**
 * After a crash or an ambiguous answer between `POST /api/ai/queue` and recording it: the generation of
 * this model enqueued around `submittingAt` that no job claims. Where Oxen echoes them, only a row with
 * this request's staged URL (unique per request) and prompt counts, so a generation the same account
 * started elsewhere is never taken for ours. None means Oxen never got it; more than one means it cannot
 * be told apart, and the attempt fails rather than risk paying twice.
 */
async function findLostGeneration(
  ctx: WorkerContext,
  act: Activation,
  submittingAt: number,
): Promise<string | null | 'ambiguous'> {
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
  if (candidates.length === 0) return null;
  // Another worker may be between its own enqueue and its index write: give it time to claim its own.
  await sleep(CLAIM_GRACE_MS);
  const unclaimed: string[] = [];
  for (const id of candidates) if (!(await ctx.inbox.jobOf(id))) unclaimed.push(id);
  if (unclaimed.length > 1) return 'ambiguous';
  return unclaimed[0] ?? null;
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
