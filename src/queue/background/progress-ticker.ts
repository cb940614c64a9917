import { ChatError } from '../../core/errors.js';
import type { AttemptRecord, RequestRecord } from '../../core/request.js';
import type { ProgressEntry, ScriptBudgets } from '../stores/progress-due.js';
import { wakeJob } from '../stores/wake-job.js';
import { modelOf } from '../worker/model-of.js';
import { progressView } from '../worker/progress-message.js';
import type { WorkerContext } from '../worker/worker-context.js';
import { RATE_LIMIT_PAUSE_MS } from './final-edit-drain.js';
import { type Repeating, repeatEvery } from './repeating.js';

/** Waiting messages edited per tick, at most: the rest stay due for the next tick. */
const TICK_BATCH = 200;

/** What {@link startProgressTicker} needs besides the worker context. */
export interface ProgressTickerOptions {
  everyMs: number;
  /** The Redis budget's counters, taken inside the claim; absent: each edit asks `ctx.editBudget`. */
  budgets?: ScriptBudgets | undefined;
}

/**
 * The one timer of a worker that keeps waiting messages' elapsed time moving (docs/architecture.md,
 * "Waiting"). A waiting job is parked until an event, the reconciler or its timeout wakes it, so it
 * costs nothing between events; each tick claims the messages whose periodic edit is due and that the
 * edit budget allows, in one script call, and edits them. An edit is best-effort, as at a job's own
 * wake: a 429 pauses the scope, anything else waits for the next period.
 */
export function startProgressTicker(ctx: WorkerContext, options: ProgressTickerOptions): Repeating {
  const tick = async () => {
    const now = ctx.clock.now();
    const due = await ctx.progressDue.claim(now, TICK_BATCH, ctx.timings.progressEveryMs, options.budgets);
    if (due.length === 0) return;
    // One read of the recent durations per tick, model and video length, not one per message.
    const history = new Map<string, Promise<number[]>>();
    const durations = (request: Pick<RequestRecord, 'model' | 'duration'>) => {
      const model = modelOf(ctx, request).id;
      const key = `${model}:${request.duration}`;
      let found = history.get(key);
      if (!found) {
        found = ctx.inbox.recentDurations(model, request.duration);
        history.set(key, found);
      }
      return found;
    };
    await Promise.allSettled(
      due.map(async ({ entry, request, attempt, processing }) => {
        const chat = ctx.chat[entry.platform];
        const ref = attempt.progressRef;
        if (!chat || !ref) return;
        if (!options.budgets && !(await ctx.editBudget.take(entry.platform, entry.scope)).granted) return;
        // Only a waiting attempt's message: one that moved on (delivering) is its job's to edit.
        if (attempt.state !== 'submitted' && attempt.state !== 'processing') return;
        const state = processing ? 'processing' : attempt.state;
        if (state !== attempt.state) await ctx.requests.setStateUnlessEnded(request.requestId, attempt.attempt, state);
        try {
          const view = await progressView(ctx, { request, attempt }, state, {}, await durations(request));
          await chat.edit(ref, view);
        } catch (error) {
          await skipped(ctx, entry, attempt, error);
        }
      }),
    );
    await ctx.progressDue.edited(due.map((d) => d.member));
  };
  return repeatEvery(options.everyMs, tick, (error: unknown) =>
    ctx.logger.warn({ err: error }, 'progress ticker: tick failed'),
  );
}

async function skipped(ctx: WorkerContext, entry: ProgressEntry, attempt: AttemptRecord, error: unknown) {
  if (error instanceof ChatError && error.kind === 'rate_limited') {
    await ctx.editBudget.pause(entry.platform, entry.scope, error.retryAfterMs ?? RATE_LIMIT_PAUSE_MS);
  }
  if (error instanceof ChatError && error.kind === 'gone') {
    // The thread was deleted: nobody will see the video, so the generation is stopped as a cancel would
    // (the job's wait step cancels at Oxen and ends the attempt as `thread_deleted`).
    await ctx.progressDue.untrack(entry.requestId, entry.attempt);
    if (!attempt.cancelRequestedBy) {
      await ctx.requests.patchAttempt(entry.requestId, entry.attempt, { cancelRequestedBy: 'thread_deleted' });
    }
    await wakeJob(ctx.queue, attempt.jobId);
  }
  ctx.logger.info({ err: error, requestId: entry.requestId }, 'periodic progress edit skipped');
}
