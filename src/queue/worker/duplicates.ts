import { TERMINAL_STATES } from '../../core/model.js';
import type { GenerationRow } from '../../core/ports/oxen.js';
import type { WorkerContext } from './worker-context.js';

/**
 * What the generation index names for a duplicate the reconciler cancelled: no job has this id, so a
 * completion event for it wakes nothing, and a later search never adopts it.
 */
const DUPLICATE_JOB = 'duplicate-cancelled';

/**
 * Cancels at Oxen every active generation made for an attempt that already has its own, or has ended:
 * the row of an enqueue whose answer was lost, which Oxen wrote after the attempt stopped searching for
 * it. Our staged input URLs are unique per request, so the echoed `input_image` names the request; a
 * row of the request's latest attempt that no job indexes, while that attempt recorded its generations
 * or ended, can only be such a duplicate. An attempt still searching or enqueuing is left alone: the
 * row may be the one it is about to adopt. Returns how many were cancelled.
 */
export async function cancelDuplicates(
  ctx: WorkerContext,
  rows: readonly GenerationRow[],
  waiting: ReadonlySet<string>,
): Promise<number> {
  const echoed = rows.filter(
    (r): r is GenerationRow & { inputImage: string } =>
      typeof r.inputImage === 'string' && !waiting.has(r.generationId) && r.status !== 'cancelled',
  );
  if (echoed.length === 0) return 0;
  const owners = await ctx.inbox.stagedOwners(echoed.map((r) => r.inputImage));
  let cancelled = 0;
  for (const [i, row] of echoed.entries()) {
    const owner = owners[i];
    if (!owner || (await ctx.inbox.jobOf(row.generationId))) continue;
    const request = await ctx.requests.getRequest(owner.requestId);
    // A newer attempt of the request may be inside its own enqueue: the row may be its.
    if (!request || request.latestAttempt !== owner.attempt) continue;
    const attempt = await ctx.requests.getAttempt(owner.requestId, owner.attempt);
    if (!attempt) continue;
    const ours = attempt.generationIds ?? (attempt.generationId ? [attempt.generationId] : []);
    if (ours.includes(row.generationId)) continue;
    if (ours.length === 0 && !TERMINAL_STATES.has(attempt.state)) continue;
    try {
      await ctx.oxen.cancel(row.generationId);
    } catch (error) {
      ctx.logger.warn({ err: error, generationId: row.generationId }, 'could not cancel a duplicate; next cycle');
      continue;
    }
    await ctx.inbox.indexGeneration(row.generationId, DUPLICATE_JOB);
    ctx.metrics.duplicateCancelled();
    ctx.logger.error(
      { generationId: row.generationId, requestId: owner.requestId, attempt: owner.attempt, adopted: ours },
      'a generation appeared for an attempt that already has its own; cancelled at Oxen',
    );
    cancelled += 1;
  }
  return cancelled;
}
