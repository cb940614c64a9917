import type { CompletionEvent, GenerationRow } from '../../core/ports/oxen.js';
import type { WorkerContext } from './worker-context.js';

/** Where a generation stands, as far as the worker needs to know. */
export type GenerationOutcome =
  | { kind: 'succeeded'; url: string | null; completedAt: number }
  | { kind: 'failed'; reason: string | null }
  | { kind: 'cancelled' }
  | { kind: 'running'; processing: boolean };

/** A completion event's outcome (the stream only reports the two terminal kinds). */
export function outcomeOfEvent(event: CompletionEvent, now: number): GenerationOutcome {
  return event.status === 'succeeded'
    ? { kind: 'succeeded', url: event.url, completedAt: now }
    : { kind: 'failed', reason: event.reason };
}

/** A status row's outcome; `unknown` statuses count as still running until a later read says more. */
export function outcomeOfRow(row: GenerationRow, now: number): GenerationOutcome {
  switch (row.status) {
    case 'succeeded':
      return { kind: 'succeeded', url: row.resultUrl, completedAt: row.completedAt ? row.completedAt * 1000 : now };
    case 'failed':
      return { kind: 'failed', reason: row.reason };
    case 'cancelled':
      return { kind: 'cancelled' };
    default:
      return { kind: 'running', processing: row.status === 'processing' };
  }
}

/**
 * Asks Oxen to cancel, then reads the row: a generation can finish between our decision and the
 * DELETE, and then it is billed and must be delivered rather than written off as cancelled
 * (docs/architecture.md, "Invariants"). Errors propagate; callers retry while the generation may run.
 */
export async function cancelAndRead(ctx: WorkerContext, generationId: string): Promise<GenerationOutcome> {
  await ctx.oxen.cancel(generationId);
  return outcomeOfRow(await ctx.oxen.getStatus(generationId), ctx.clock.now());
}
