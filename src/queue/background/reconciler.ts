import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { cancelDuplicates } from '../worker/duplicates.js';
import type { WorkerContext } from '../worker/worker-context.js';
import { type ActiveList, listActive } from './active-list.js';
import { sweepStagedInputs } from './staged-sweep.js';
import { SWEEP_START, sweep } from './sweeper.js';

/** A generation enqueued this shortly before the list call may be missing from it without having ended. */
const LIST_RACE_MS = 5_000;

/** What {@link createReconciler} needs besides the worker context. */
export interface ReconcilerDeps {
  redis: Redis;
  lockKey: string;
  /** Where the sweep's SCAN cursors are kept between cycles (whichever worker runs the next one). */
  sweepCursorKey: string;
  /** Wakes a parked job; `forcePoll` makes its next wake read the generation's row. */
  wake(jobId: string, forcePoll: boolean): Promise<void>;
}

/**
 * The one reconcile of the whole deployment (docs/architecture.md, "Waiting"). Each interval one
 * worker, holding a Redis lock, lists Oxen's active generations in a single call and stores the
 * snapshot: a waiting job whose generation is in it needs no request of its own; one whose generation
 * left the list (finished while its event was lost) is woken to read its row once. The same cycle runs
 * the sweeper over its next slice (`sweepSlice` reservations and slot holders). Oxen requests while waiting are therefore one per interval, whatever the number in flight.
 */
export function createReconciler(ctx: WorkerContext, deps: ReconcilerDeps) {
  const owner = randomUUID();
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;

  /** Takes the interval's lock; `force` takes it even when another cycle ran within the interval. */
  async function lock(force: boolean): Promise<boolean> {
    // A little shorter than the interval: the next tick (one interval after this one, while the SET
    // landed a moment later) must find it gone, or every other cycle would be skipped.
    const px = String(Math.max(1, Math.floor(ctx.timings.reconcileMs * 0.9)));
    const res = force
      ? await deps.redis.set(deps.lockKey, owner, 'PX', px)
      : await deps.redis.set(deps.lockKey, owner, 'PX', px, 'NX');
    return res === 'OK';
  }

  async function cycle(force: boolean): Promise<void> {
    if (!(await lock(force))) return;
    const startedAt = ctx.clock.now();
    const waiting = await ctx.inbox.waitingGenerations();
    const waitingIds = new Set(waiting.map((w) => w.generationId));
    const list = await listEveryModel(ctx, waitingIds);
    const ttl = Math.max(1, Math.ceil((ctx.timings.reconcileMs * 3) / 1000));
    await ctx.inbox.saveSnapshot(list.rows, ttl);
    const active = new Set(list.rows.map((r) => r.generationId));
    let woken = 0;
    // A list cut short by the page cap says nothing of the generations it did not reach.
    for (const w of list.complete ? waiting : []) {
      if (active.has(w.generationId) || w.submittedAt > startedAt - LIST_RACE_MS) continue;
      await deps.wake(w.jobId, true);
      woken += 1;
    }
    if (!list.complete) ctx.logger.warn({ pages: list.pages }, 'active list longer than the page cap; no wakes');
    // A late row of a lost enqueue answer, for an attempt that already has its generation: stop it now.
    await cancelDuplicates(ctx, list.rows, waitingIds);
    ctx.logger.debug({ active: active.size, pages: list.pages, woken }, 'reconciled with Oxen');
    const cursors = await deps.redis.hgetall(deps.sweepCursorKey);
    const { next } = await sweep(ctx, Math.min(ctx.timings.reconcileMs, 30_000), ctx.timings.sweepSlice, {
      ...SWEEP_START,
      ...cursors,
    });
    await deps.redis.hset(deps.sweepCursorKey, next);
    await sweepStagedInputs(ctx);
  }

  /** Runs a cycle unless one is running here; errors are logged, the next interval tries again. */
  function run(force: boolean): Promise<void> {
    running ??= cycle(force)
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'reconcile failed; next interval tries again'))
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    /**
     * Starts the interval and runs one cycle now, taking the lock even if another worker ran one
     * recently: events that fired while this process was not listening are otherwise lost to it.
     */
    start(): void {
      void run(true);
      timer = setInterval(() => void run(false), ctx.timings.reconcileMs);
      timer.unref();
    },
    /** After an event stream reconnect: at most one cycle per interval across the deployment. */
    afterReconnect(): void {
      void run(false);
    },
    /** One cycle now (tests and benchmarks). */
    runOnce: (force = true) => run(force),
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}

/** The active list of every model on offer (one list call each; one model, one call as before). */
async function listEveryModel(ctx: WorkerContext, waitingIds: ReadonlySet<string>): Promise<ActiveList> {
  const lists = await Promise.all(ctx.models.list().map((m) => listActive(ctx.oxen, m.id, waitingIds)));
  return {
    rows: lists.flatMap((l) => l.rows),
    pages: lists.reduce((sum, l) => sum + l.pages, 0),
    complete: lists.every((l) => l.complete),
  };
}
