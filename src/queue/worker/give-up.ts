import type { Activation, WorkerContext } from './worker-context.js';

/**
 * Whether an attempt has gone past its give-up bound (docs/architecture.md, invariant 4): the generation
 * timeout plus the grace, counted from its submission or else from its first enqueue, which no retry,
 * re-enqueue or reconcile wake moves.
 */
export function pastGiveUp(ctx: WorkerContext, act: Pick<Activation, 'attempt' | 'data'>): boolean {
  const now = ctx.clock.now();
  const since = act.attempt.submittedAt ?? act.data.firstSubmittingAt ?? act.data.submittingAt ?? now;
  return now - since > ctx.timings.timeoutMs + ctx.timings.giveUpGraceMs;
}
