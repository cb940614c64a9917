import { costOf, type Micros, parseUsd } from '../core/money.js';
import type { WorkerContext } from './worker-context.js';

/** The estimate of `seconds` of video at the price in force; undefined when no price is known. */
export function estimateFor(ctx: Pick<WorkerContext, 'price'>, seconds: number): Micros | undefined {
  const quote = ctx.price.current();
  return quote ? costOf(quote.perSecond, seconds) : undefined;
}

/**
 * What Oxen charged for a generation (`cost` of `GET /api/ai/generations/{id}`), or null while it is not
 * known: not reported yet, unreadable, or Oxen not answering. Never throws: a missing figure must not
 * hold up a delivery or the end of an attempt.
 */
export async function actualCost(ctx: WorkerContext, generationId: string): Promise<Micros | null> {
  try {
    const row = await ctx.oxen.generation(generationId);
    return row.cost === null || row.cost === undefined ? null : parseUsd(row.cost);
  } catch (error) {
    ctx.logger?.info({ err: error, generationId }, 'could not read what Oxen charged');
    return null;
  }
}
