import { costOf, type Micros, parseUsd } from '../../core/money.js';
import { type RequestRecord, requestSeconds } from '../../core/request.js';
import type { WorkerContext } from './worker-context.js';

/**
 * The estimate of a request's video at its model's price in force (with sound when it asked for sound);
 * undefined when no price is known.
 */
export function estimateFor(
  ctx: Pick<WorkerContext, 'price'>,
  request: Pick<RequestRecord, 'duration' | 'takes' | 'model' | 'sound'>,
): Micros | undefined {
  const quote = ctx.price.current({ model: request.model, sound: request.sound });
  return quote ? costOf(quote.perSecond, requestSeconds(request)) : undefined;
}

/** What one read of a generation's history row tells: the charge, and a fresh link to its result. */
export interface GenerationBill {
  /** What Oxen charged, or null while it is not known. */
  costMicros: Micros | null;
  /** The row's `result_url`: the download link when the completion event carried none. */
  resultUrl: string | null;
}

/**
 * Reads `GET /api/ai/generations/{id}` once, for the charge (`cost`) and the result link together: the
 * same row serves the status read a completion event without a URL needs, so a generation costs
 * enqueue, this read and the download (docs/architecture.md, "Waiting"). Never throws: a missing figure
 * must not hold up a delivery or the end of an attempt; the download then reads the status itself.
 */
export async function readBill(ctx: WorkerContext, generationId: string): Promise<GenerationBill> {
  try {
    const row = await ctx.oxen.generation(generationId);
    const costMicros = row.cost === null || row.cost === undefined ? null : parseUsd(row.cost);
    return { costMicros, resultUrl: row.status === 'succeeded' ? row.resultUrl : null };
  } catch (error) {
    ctx.logger.info({ err: error, generationId }, 'could not read what Oxen charged');
    return { costMicros: null, resultUrl: null };
  }
}

/** What Oxen charged for a generation, or null while it is not known ({@link readBill}). */
export async function actualCost(ctx: WorkerContext, generationId: string): Promise<Micros | null> {
  return (await readBill(ctx, generationId)).costMicros;
}
