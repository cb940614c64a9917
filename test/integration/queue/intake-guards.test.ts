/**
 * Guards go with their intake: an intake that died or failed between its reservation and its job
 * leaves no dedupe key behind that would turn the same event (or the same 🔁) into a silent
 * "duplicate" for 30 days; and the sweeper never releases a reservation whose intake may still be
 * writing (docs/architecture.md, "Invariants").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { utcDay } from '../../../src/core/limits.js';
import { noopMetrics } from '../../../src/core/ports/metrics.js';
import { createIntake } from '../../../src/queue/intake.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createQuotaStore } from '../../../src/queue/stores/quota-store.js';
import { eventually } from '../../support/eventually.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

describe('guards released with their intake', () => {
  let stack: Stack;
  afterEach(async () => stack.close());

  /** A reservation as an intake that died right after it would leave it, `ageMs` ago. */
  async function orphanReservation(eventId: string, ageMs: number) {
    const keys = storeKeys(stack.prefix);
    await createQuotaStore(stack.redis, keys).reserve({
      userKey: 'discord:U1',
      day: utcDay(Date.now()),
      member: `killed-intake-${eventId}#1`,
      seconds: 5,
      maxActive: 2,
      dailySeconds: 60,
      channel: 'discord:C1',
      channelDailySeconds: -1,
      eventId,
      jobId: `a-${eventId}`,
      nowMs: Date.now() - ageMs,
      costMicros: 0,
      dailyBudget: -1,
      monthlyBudget: -1,
    });
    return keys.userActive('discord:U1');
  }

  it('GIVEN an intake killed after its reservation THEN the sweeper frees it with its guard, and the redelivered event runs', async () => {
    stack = await createStack();
    const input = submitInput();
    const active = await orphanReservation(input.eventId, 10 * 60_000);
    await stack.startWorker({ timings: { reconcileMs: 200 } });
    await eventually(async () => (await stack.redis.scard(active)) === 0, 'the reservation released');
    const again = await stack.intake.submit(input);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.duplicate).toBe(false);
    await eventually(async () => (await attemptState(stack, again.value.requestId)) === 'done', 'the request');
  });

  it('GIVEN a reservation younger than the slowest intake THEN the sweeper leaves it to its intake', async () => {
    stack = await createStack();
    const healed: string[] = [];
    const active = await orphanReservation('slow-intake', 40_000);
    await stack.startWorker({
      metrics: { ...noopMetrics, healed: (kind) => healed.push(kind) },
      timings: { reconcileMs: 200 },
    });
    // Ten reconcile cycles: each would have released it under a grace of one interval.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(healed).toEqual([]);
    expect(await stack.redis.scard(active)).toBe(1);
  });

  it('GIVEN an intake slower than its deadline THEN it gives the reservation and guard back, and the same event runs later', async () => {
    stack = await createStack();
    let now = Date.now();
    let calls = 0;
    // The pending image writes take 61 s: every read of the clock after the reservation is a minute on.
    const slowClock = { now: () => (++calls > 1 ? now + 61_000 : now) };
    const slow = createIntake({ connection: stack.redis, prefix: stack.prefix, clock: slowClock });
    const input = submitInput();
    try {
      await expect(slow.submit(input)).rejects.toThrow(/longer than/);
    } finally {
      await slow.close();
    }
    expect(await stack.redis.scard(storeKeys(stack.prefix).userActive('discord:U1'))).toBe(0);
    now = Date.now();
    await stack.startWorker();
    const again = await stack.intake.submit(input);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.duplicate).toBe(false);
    await eventually(async () => (await attemptState(stack, again.value.requestId)) === 'done', 'the request');
  });
});
