/**
 * Cost visible and budgets enforced: the estimate before, Oxen's charge after, team budgets reserved
 * atomically with the per-user quota and settled exactly once.
 */
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatError } from '../../../src/core/errors.js';
import { utcDay } from '../../../src/core/limits.js';
import { userKey } from '../../../src/core/model.js';
import type { OxenPort } from '../../../src/core/ports/oxen.js';
import type { PricePort } from '../../../src/core/ports/price.js';
import { createModelBook, type ModelBookDeps } from '../../../src/queue/background/model-book.js';
import type { AnimateJobData } from '../../../src/queue/job-data.js';
import { ANIMATE_QUEUE, storeKeys } from '../../../src/queue/stores/keys.js';
import { eventually } from '../../support/eventually.js';
import { submitted } from '../../support/queue-flow.js';
import { attemptState, createStack, MODEL, type Stack, submitInput } from './harness.js';

/** $0.112 a second: $0.56 for a 5 s clip, the simulator's own price. */
const price: PricePort = { current: () => ({ perSecond: 112_000, source: 'override' }) };

describe('cost and budgets', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function spentToday(s: Stack) {
    const keys = storeKeys(s.prefix);
    const day = utcDay(Date.now());
    const [d, m] = await s.redis.mget(keys.budgetDay(day), keys.budgetMonth(day.slice(0, 7)));
    return { day: Number(d ?? 0), month: Number(m ?? 0) };
  }

  it('GIVEN a $1.00 daily budget and $0.56 clips THEN the first runs and the second is refused before any Oxen call', async () => {
    stack = await createStack({ limits: { dailyBudget: 1_000_000, maxActivePerUser: 5 }, price });
    await stack.startWorker();
    const first = await stack.intake.submit(submitInput({}, 'U1'));
    expect(first.ok).toBe(true);
    const second = await stack.intake.submit(submitInput({}, 'U2'));
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.error.code).toBe('team_daily_budget');
    expect(second.error.message).toContain("team's daily budget");
    expect(second.error.message).toContain('$0.56 of $1.00');
    const precheck = await stack.intake.precheck(submitInput().requester, submitInput().where, 5);
    expect(precheck.ok).toBe(false);
    if (first.ok) {
      const id = first.value.requestId;
      await eventually(async () => (await attemptState(stack as Stack, id)) === 'done', 'the first video');
    }
    expect(stack.sim.counters.enqueue).toBe(1);
  });

  it('GIVEN an admin and a spent budget THEN the admin still runs, and the spend counts', async () => {
    stack = await createStack({
      limits: { dailyBudget: 600_000, adminUserIds: ['discord:ADMIN'] },
      price,
    });
    expect((await stack.intake.submit(submitInput({}, 'U1'))).ok).toBe(true);
    expect((await stack.intake.submit(submitInput({}, 'U2'))).ok).toBe(false);
    expect((await stack.intake.submit(submitInput({}, 'ADMIN'))).ok).toBe(true);
    expect((await spentToday(stack)).day).toBe(1_120_000);
  });

  it('GIVEN 100 parallel submissions against a $5.60 budget THEN exactly 10 are accepted, never more', async () => {
    stack = await createStack({ limits: { dailyBudget: 5_600_000, monthlyBudget: 100_000_000 }, price });
    const s = stack;
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => s.intake.submit(submitInput({}, `P${i}`))));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.error.code === 'team_daily_budget')).toHaveLength(90);
    expect(await spentToday(s)).toEqual({ day: 5_600_000, month: 5_600_000 });
  });

  it('GIVEN a video delivered THEN the messages show the estimate then what Oxen charged, and the budget settles on it', async () => {
    // Estimated at $0.20/s ($1.00), charged $0.56 by Oxen: the budget must end at the charge.
    const dear: PricePort = { current: () => ({ perSecond: 200_000, source: 'override' }) };
    stack = await createStack({ limits: { dailyBudget: 10_000_000, adminUserIds: ['discord:ADMIN'] }, price: dear });
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    expect((await spentToday(stack)).day).toBe(1_000_000);
    const s = stack;
    await eventually(async () => (await attemptState(s, accepted.value.requestId)) === 'done', 'the delivery');
    const progress = stack.chat.thread(input.where)[0];
    expect(progress?.history.some((text) => text.includes('≈ $1.00'))).toBe(true);
    const video = stack.chat.videos()[0];
    expect(video?.text).toContain('$0.56');
    expect(video?.text).not.toContain('≈');
    expect(await spentToday(stack)).toEqual({ day: 560_000, month: 560_000 });
    const status = await stack.intake.status(input.requester);
    expect(status.spentTodayMicros).toBe(560_000);
    expect(status.teamBudgets[0]).toMatchObject({ period: 'day', limitMicros: 10_000_000, spentMicros: 560_000 });
    const notAdmin = await stack.intake.spend(input.requester);
    expect(notAdmin.ok ? 'shown' : notAdmin.error.code).toBe('admin_only');
    const report = await stack.intake.spend(submitInput({}, 'ADMIN').requester);
    if (!report.ok) throw new Error(report.error.code);
    expect(report.value.periods.map((p) => [p.days, p.totalMicros])).toEqual([
      [7, 560_000],
      [30, 560_000],
    ]);
    expect(report.value.periods[0]?.byPerson).toEqual([{ userKey: userKey(input.requester), micros: 560_000 }]);
  });

  it('GIVEN spend passes 80 % of the daily budget THEN one warning goes to the alert channel, not one per video', async () => {
    stack = await createStack({ limits: { dailyBudget: 1_300_000, maxActivePerUser: 5 }, price });
    await stack.startWorker({ budgetAlertChannel: 'discord:ALERTS' });
    const s = stack;
    const ids: string[] = [];
    for (const user of ['U1', 'U2']) ids.push((await submitted(s, {}, user)).requestId);
    for (const id of ids) await eventually(async () => (await attemptState(s, id)) === 'done', 'the videos');
    const alerts = s.chat.thread({ channelId: 'ALERTS', threadId: null });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toContain('$1.12 of its $1.30 daily budget');
  });

  it('GIVEN the first post of the budget warning fails THEN a later request posts it: it is claimed only once it is out', async () => {
    stack = await createStack({ limits: { dailyBudget: 1_300_000, maxActivePerUser: 5 }, price });
    const s = stack;
    const ids: string[] = [];
    for (const user of ['U1', 'U2']) ids.push((await submitted(s, {}, user)).requestId);
    const port = s.chat.port;
    let refusedOnce = false;
    const chat = {
      ...port,
      post: async (...args: Parameters<typeof port.post>) => {
        if (args[0].channelId === 'ALERTS' && !refusedOnce) {
          refusedOnce = true;
          throw new ChatError('transient', 'the alert channel is down for a moment');
        }
        return port.post(...args);
      },
    };
    await s.startWorker({ budgetAlertChannel: 'discord:ALERTS', chat: { discord: chat }, concurrency: 1 });
    for (const id of ids) await eventually(async () => (await attemptState(s, id)) === 'done', 'the videos');
    expect(refusedOnce).toBe(true);
    expect(s.chat.thread({ channelId: 'ALERTS', threadId: null })).toHaveLength(1);
  });

  it('GIVEN a failed generation THEN the estimate is released and the message says nothing was charged', async () => {
    stack = await createStack({ limits: { dailyBudget: 10_000_000 }, price });
    stack.sim.knobs.failNext = 1;
    await stack.startWorker();
    const input = submitInput();
    const accepted = await stack.intake.submit(input);
    if (!accepted.ok) throw new Error('refused');
    const s = stack;
    await eventually(async () => (await attemptState(s, accepted.value.requestId)) === 'failed', 'the failure');
    await eventually(() => s.chat.thread(input.where)[0]?.text.includes('nothing was charged'), 'the final message');
    expect(await spentToday(stack)).toEqual({ day: 0, month: 0 });
  });

  it('GIVEN the last activation runs again after a crash THEN the budget is settled once, not twice', async () => {
    const dear: PricePort = { current: () => ({ perSecond: 200_000, source: 'override' }) };
    stack = await createStack({ limits: { dailyBudget: 10_000_000, adminUserIds: ['discord:ADMIN'] }, price: dear });
    await stack.startWorker();
    const accepted = await stack.intake.submit(submitInput());
    if (!accepted.ok) throw new Error('refused');
    const s = stack;
    await eventually(async () => (await attemptState(s, accepted.value.requestId)) === 'done', 'the delivery');
    const settled = await spentToday(stack);
    const queue = new Queue<AnimateJobData>(ANIMATE_QUEUE, { connection: stack.redis, prefix: stack.prefix });
    try {
      const job = await queue.getJob(accepted.value.jobId);
      // The attempt is marked done a moment before the processor returns and BullMQ completes the job.
      await eventually(async () => (await job?.getState()) === 'completed', 'the job completed');
      await job?.retry('completed');
      await eventually(async () => (await job?.getState()) === 'completed', 'the re-run');
    } finally {
      await queue.close();
    }
    expect(await spentToday(stack)).toEqual(settled);
    expect(settled.day).toBe(560_000);
  });
});

describe('the model book', () => {
  it('GIVEN the models endpoint goes down or answers garbage THEN the last known price stays in force, across restarts', async () => {
    const s = await createStack();
    try {
      const key = (model: string) => `${s.prefix}:model-test-${model}`;
      let mode: 'ok' | 'down' | 'garbage' = 'ok';
      const oxen: OxenPort = {
        ...s.oxen,
        async modelInfo(model, signal) {
          if (mode === 'down') throw new Error('503 from Oxen');
          const info = await s.oxen.modelInfo(model, signal);
          const none = { method: null, perSecond: null, perSecondWithAudio: null, byResolution: {} };
          return mode === 'garbage' ? { ...info, pricing: none } : info;
        },
      };
      const book = (extra: Partial<ModelBookDeps> = {}) =>
        createModelBook({ oxen, modelIds: [MODEL], redis: s.redis, lastKnownKey: key, validate: () => null, ...extra });
      const first = book();
      await first.start();
      expect(first.current()).toEqual({ perSecond: 112_000, source: 'oxen' });
      mode = 'down';
      await first.refresh();
      expect(first.current()?.perSecond).toBe(112_000);
      mode = 'garbage';
      await first.refresh();
      expect(first.current()?.perSecond).toBe(112_000);
      first.stop();

      // A restart while Oxen is down: the facts saved in Redis, schema and price.
      mode = 'down';
      const restarted = book();
      await restarted.start();
      expect(restarted.current()).toEqual({ perSecond: 112_000, source: 'last_known' });
      expect(restarted.defaultModel().schema).not.toBeNull();
      restarted.stop();

      // PRICE_PER_SECOND_USD wins; with neither a price nor a key, nothing is claimed.
      const override = book({ override: 84_000 });
      await override.start();
      expect(override.current()).toEqual({ perSecond: 84_000, source: 'override' });
      override.stop();
      const none = createModelBook({
        modelIds: [MODEL],
        redis: s.redis,
        lastKnownKey: (m) => `${key(m)}-none`,
        validate: () => null,
      });
      await none.start();
      expect(none.current()).toBeNull();
      expect(none.defaultModel().id).toBe(MODEL);
      none.stop();
    } finally {
      await s.close();
    }
  });
});
