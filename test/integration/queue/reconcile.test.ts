/**
 * Waiting costs the same at any scale (docs/architecture.md, "Waiting"): one list call per reconcile
 * interval for the whole deployment, no status polls of its own, reconnect storms absorbed, and a lost
 * enqueue answer found on any page of the history whatever Oxen's clock says.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompletionEventHub, GenerationRow, OxenPort } from '../../../src/core/ports/oxen.js';
import { OxenServerError } from '../../../src/oxen/errors.js';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, MODEL, type Stack, submitInput } from './harness.js';

describe('reconcile: one list call for every waiting generation', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await createStack({ limits: { maxActivePerUser: 10, dailySecondsPerUser: 600 } });
  });
  afterEach(async () => stack.close());

  async function submitMany(n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const accepted = await stack.intake.submit(submitInput());
      if (!accepted.ok) throw new Error('refused');
      ids.push(accepted.value.requestId);
    }
    return ids;
  }

  it('GIVEN generations that run for many reconcile intervals THEN each costs enqueue, download and at most one status read', async () => {
    stack.sim.knobs.processingMs = 1_500;
    await stack.startWorker({ timings: { reconcileMs: 100, progressEveryMs: 100 } });
    const ids = await submitMany(5);
    for (const id of ids) await eventually(async () => (await attemptState(stack, id)) === 'done', 'the deliveries');
    expect(stack.sim.counters.enqueue).toBe(5);
    // Per-job polling would read each row ~15 times here (1.5 s at a 100 ms interval). At most one read
    // per generation remains: when the reconciler sees it leave Oxen's list before its event was handled.
    expect(stack.sim.counters.status).toBeLessThanOrEqual(5);
    // The event's presigned URL (storage) or the row's result_url (download): one fetch per video.
    expect(stack.sim.counters.download + stack.sim.counters.storage).toBe(5);
    expect(stack.sim.counters.list).toBeGreaterThan(0);
  });

  it('GIVEN a burst of stream reconnects THEN they cost at most one list call per interval and no per-job polls', async () => {
    const reconnectListeners = new Set<() => void>();
    const hub: CompletionEventHub = {
      ...stack.events,
      onReconnect(listener) {
        reconnectListeners.add(listener);
        return () => reconnectListeners.delete(listener);
      },
    };
    stack.sim.knobs.holdQueue = true;
    // An interval far longer than the test, so only the start-up cycle and the reconnects could list.
    await stack.startWorker({ events: hub, timings: { reconcileMs: 600_000 } });
    const ids = await submitMany(3);
    for (const id of ids) await eventually(async () => (await attemptState(stack, id)) === 'submitted', 'submissions');
    await eventually(() => stack.sim.counters.list >= 1, 'the start-up reconcile');
    for (let i = 0; i < 20; i++) for (const listener of reconnectListeners) listener();
    // A barrier: these generations finish only after every reconnect above was handled.
    stack.sim.knobs.holdQueue = false;
    stack.sim.releaseQueue();
    for (const id of ids) await eventually(async () => (await attemptState(stack, id)) === 'done', 'the deliveries');
    expect(stack.sim.counters.list).toBe(1);
    expect(stack.sim.counters.status).toBe(0);
  });

  it('GIVEN a lost enqueue answer whose row is on the third history page and Oxen clock 4 minutes behind THEN it is adopted, paid once', async () => {
    // Two generations of someone else on the same account, older than ours.
    for (const prompt of ['another team', 'the web UI']) {
      await stack.oxen.enqueue({ model: MODEL, prompt, inputImage: 'https://elsewhere.example/x.png', duration: 5 });
    }
    let lost = false;
    const skewed = (row: GenerationRow): GenerationRow => ({ ...row, enqueuedAt: row.enqueuedAt - 240 });
    const oxen: OxenPort = {
      ...stack.oxen,
      async enqueue(input, signal) {
        const res = await stack.oxen.enqueue(input, signal);
        if (!lost) {
          lost = true;
          throw new OxenServerError('Bad gateway', { status: 502 });
        }
        return res;
      },
      // Only the history knows the lost row: oldest first, one row a page, every time 4 minutes early.
      list: async () => [],
      async history(filter, signal) {
        const all = (await stack.oxen.history({ model: filter.model ?? MODEL, page: 1, pageSize: 1000 }, signal)).rows;
        const oldestFirst = [...all].reverse().map(skewed);
        return { rows: oldestFirst.slice(filter.page - 1, filter.page), hasMore: filter.page < oldestFirst.length };
      },
    };
    await stack.startWorker({ oxen });
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error('refused');
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'done', 'the delivery');
    expect(stack.sim.rows.size).toBe(3);
    expect(stack.chat.videos()).toHaveLength(1);
  });
});
