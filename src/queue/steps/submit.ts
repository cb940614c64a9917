import { UnrecoverableError } from 'bullmq';
import { uncertainSubmitFailure } from '../../core/failure.js';
import type { GenerationRow } from '../../core/ports/oxen.js';
import { sleep } from '../../shared/abort.js';
import { endAttempt } from '../finish.js';
import { updateProgress } from '../progress-message.js';
import type { Activation, WorkerContext } from '../worker-context.js';
import { parkUntil, saveData } from './delay.js';

/** How far around the enqueue time a lost generation is looked for. */
const ADOPT_WINDOW_MS = 120_000;
/** Time other workers get to index a generation they just enqueued before this one adopts it. */
const CLAIM_GRACE_MS = 2_000;

/**
 * Takes a global slot (showing the queue position while there is none), then enqueues at Oxen exactly
 * once: the generation id is stored in the job data and the index the moment Oxen answers, and a job
 * that crashed between the call and the write finds its generation again instead of paying twice.
 */
export async function submitStep(ctx: WorkerContext, act: Activation): Promise<void> {
  const { request, attempt } = act;
  if (act.data.generationId) return;

  const position = await ctx.slots.acquire(attempt.jobId, ctx.limits.maxActiveGenerations, attempt.createdAt);
  if (position > 0) {
    await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'queued');
    await updateProgress(ctx, act, 'queued', { queuePosition: position });
    await parkUntil(act, ctx.clock.now() + ctx.slotPollMs);
  }

  let generationId: string | null = null;
  if (act.data.submittingAt !== undefined) {
    const found = await findLostGeneration(ctx, act.data.submittingAt, act.request.staged?.start.url ?? null);
    if (found === 'ambiguous') {
      await endAttempt(ctx, act, { outcome: 'failed', failure: uncertainSubmitFailure() });
      throw new UnrecoverableError('could not tell which Oxen generation belongs to this attempt');
    }
    generationId = found;
    if (found) ctx.logger?.warn({ requestId: request.requestId, generationId }, 'adopted a generation lost in a crash');
  }
  // An adopted generation may have finished while no worker listened: poll it at once.
  const adopted = generationId !== null;
  if (!generationId) {
    const staged = act.request.staged;
    if (!staged) throw new Error('submit step without staged images');
    await saveData(act, { submittingAt: ctx.clock.now() });
    try {
      const res = await ctx.oxen.enqueue({
        model: ctx.model,
        prompt: request.prompt,
        inputImage: staged.start.url,
        ...(staged.end ? { tailImageUrl: staged.end.url } : {}),
        duration: request.duration,
      });
      generationId = res.generationId;
    } catch (error) {
      // An HTTP answer (4xx/5xx) means Oxen did not take it: the next try enqueues without searching.
      // Network errors and timeouts stay ambiguous and keep the marker.
      if (typeof (error as { status?: unknown }).status === 'number') {
        const { submittingAt: _dropped, ...rest } = act.data;
        act.data = rest;
        await act.job.updateData(rest);
      }
      throw error;
    }
  }
  // First the job data (what a re-run looks at), then the index the event hub uses.
  const submittedAt = ctx.clock.now();
  await saveData(act, { generationId, step: 'wait', lastPollAt: adopted ? 0 : submittedAt });
  await ctx.inbox.indexGeneration(generationId, attempt.jobId);
  await ctx.requests.patchAttempt(request.requestId, attempt.attempt, { generationId, submittedAt });
  ctx.logger?.info({ generationId, adopted }, 'generation enqueued at Oxen');
  act.attempt = { ...act.attempt, generationId, submittedAt };
  await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, 'submitted');
  await updateProgress(ctx, act, 'submitted');
}

/**
 * After a crash between `POST /api/ai/queue` and recording its answer: the generation of this model
 * enqueued around `submittingAt` that no job claims. Where Oxen echoes `input_image`, only a row with
 * this request's staged URL (unique per request) counts, so a generation the same account started
 * elsewhere (the web UI, another app) is never taken for ours. None means Oxen never got it; more than
 * one means it cannot be told apart, and the attempt fails rather than risk paying twice.
 */
async function findLostGeneration(
  ctx: WorkerContext,
  submittingAt: number,
  stagedUrl: string | null,
): Promise<string | null | 'ambiguous'> {
  const lists = await Promise.all([
    ctx.oxen.list({ model: ctx.model }),
    ctx.oxen.list({ status: 'succeeded', model: ctx.model }),
    ctx.oxen.list({ status: 'failed', model: ctx.model }),
  ]);
  const seen = new Map<string, GenerationRow>();
  for (const row of lists.flat()) seen.set(row.generationId, row);
  const candidates: string[] = [];
  for (const row of seen.values()) {
    const at = row.enqueuedAt * 1000;
    if (at < submittingAt - 5_000 || at > submittingAt + ADOPT_WINDOW_MS) continue;
    if (row.model && row.model !== ctx.model) continue;
    if (typeof row.inputImage === 'string' && stagedUrl !== null && row.inputImage !== stagedUrl) continue;
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
