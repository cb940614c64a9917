import { ChatError } from '../../core/errors.js';
import type { ChatPort } from '../../core/ports/chat-port.js';
import type { FinalEdit } from '../stores/final-edits.js';
import type { WorkerContext } from '../worker/worker-context.js';
import { type Repeating, repeatEvery } from './repeating.js';

/** How long edits in a scope pause after a 429 that named no Retry-After. */
export const RATE_LIMIT_PAUSE_MS = 5_000;
/** How long a claimed final edit is the claimer's before another worker may send it. */
const LEASE_MS = 30_000;
/** Finals sent per drain, at most (they mostly share a scope, and go one after another). */
const DRAIN_BATCH = 25;
/**
 * A final the chat keeps failing (an outage, a stream of 429s) is moved aside after this: it must not
 * hold back every progress edit of its scope (on Slack, the whole workspace) for longer. The video was
 * posted anyway.
 */
const FINAL_EDIT_KEEP_MS = 60 * 60_000;
/**
 * Refusals (no permission, an archived channel) a final gets before it is moved aside: they will not
 * pass by waiting, and while it waits its scope's progress edits give way.
 */
const REFUSALS_KEPT = 5;
/** The longest wait between tries while the chat is down. */
const MAX_BACKOFF_MS = 60_000;
/** How long a claimed periodic edit may hold back its message's final state (a chat call times out sooner). */
const IN_FLIGHT_LEASE_MS = 30_000;
/** When a final held back by a periodic edit in flight is tried again. */
const IN_FLIGHT_RETRY_MS = 500;
/** A final of a platform this worker has no outbox for waits this long for a worker that has. */
const NO_OUTBOX_RETRY_MS = 5_000;

/**
 * Shows a final progress state now if the edit budget and the chat allow, else keeps it in the outbox
 * for later: a final state is the last thing the message will ever say, so it is never dropped, and
 * never sent past the budget either (docs/architecture.md, "Waiting"). `queued` says it came from the
 * outbox; a new final whose scope already has finals waiting queues behind them, in order.
 * Only a deleted message, or a day without success, ends it unsent. Throws only on Redis errors.
 */
export async function sendFinalEdit(
  ctx: WorkerContext,
  chat: ChatPort | undefined,
  edit: FinalEdit,
  queued: boolean,
): Promise<void> {
  const { finalEdits } = ctx;
  const now = ctx.clock.now();
  if (queued && now - edit.firstAt > FINAL_EDIT_KEEP_MS) {
    // An hour of failures, or no worker serves its platform any more: it must not hold its scope longer.
    return deadLetter(ctx, edit, 'still unsent after an hour');
  }
  if (!queued && (await finalEdits.waiting(edit.scope)) > 0) return finalEdits.defer(edit, now);
  // A periodic edit of the same message may be on its way (progress-ticker.ts): the final must land last.
  if (await ctx.progressDue.editInFlight(edit.key, now, IN_FLIGHT_LEASE_MS)) {
    return finalEdits.defer(edit, now + IN_FLIGHT_RETRY_MS);
  }
  if (!chat) return finalEdits.defer(edit, now + NO_OUTBOX_RETRY_MS);
  const grant = await ctx.editBudget.take(edit.platform, edit.scope);
  if (!grant.granted) return finalEdits.defer(edit, now + grant.retryInMs);
  try {
    await chat.edit(edit.ref, edit.view);
  } catch (error) {
    if (error instanceof ChatError && error.kind === 'gone') {
      if (queued) await finalEdits.done(edit.key);
      return;
    }
    const refused = error instanceof ChatError && !error.retryable;
    if (refused && edit.tries + 1 >= REFUSALS_KEPT) {
      if (!queued) await finalEdits.defer(edit, now);
      return deadLetter(ctx, edit, `refused ${REFUSALS_KEPT} times (${error.kind})`);
    }
    let waitMs = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(edit.tries, 10));
    if (error instanceof ChatError && error.kind === 'rate_limited') {
      waitMs = error.retryAfterMs ?? RATE_LIMIT_PAUSE_MS;
      await ctx.editBudget.pause(edit.platform, edit.scope, waitMs);
    }
    ctx.logger.info({ err: error, key: edit.key, waitMs }, 'final progress state kept for later');
    return finalEdits.defer({ ...edit, tries: edit.tries + 1 }, now + waitMs);
  }
  if (queued) await finalEdits.done(edit.key);
}

/** Moves a final the chat keeps refusing out of the outbox (and out of its scope), counted and logged. */
async function deadLetter(ctx: WorkerContext, edit: FinalEdit, why: string): Promise<void> {
  ctx.logger.error({ key: edit.key, scope: edit.scope, tries: edit.tries, why }, 'final progress state moved aside');
  ctx.metrics.finalEditDeadLettered(edit.platform);
  await ctx.finalEdits.deadLetter(edit);
}

/**
 * Sends the outbox's due finals every `everyMs`, in every worker: claims are leased, so two workers
 * never send one final twice in a lease, and one that dies mid-send leaves it to the others.
 */
export function startFinalEditDrain(ctx: WorkerContext, everyMs: number): Repeating {
  const drain = async () => {
    const due = await ctx.finalEdits.claimDue(ctx.clock.now(), DRAIN_BATCH, LEASE_MS);
    for (const edit of due) await sendFinalEdit(ctx, ctx.chat[edit.platform], edit, true);
  };
  return repeatEvery(everyMs, drain, (error: unknown) =>
    ctx.logger.warn({ err: error }, 'final-edit outbox: drain failed'),
  );
}
