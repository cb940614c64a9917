/**
 * Per-channel quotas (README.md, "Administration"): an admin gives a channel seconds of video per UTC
 * day, everyone in it together; a request that would pass them is refused before anything reaches Oxen,
 * and a generation that fails gives its seconds back to the channel as to the person.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../../src/core/admin.js';
import { utcDay } from '../../../src/core/limits.js';
import { createIntake, type QueueIntake } from '../../../src/queue/intake.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { eventually } from '../../support/eventually.js';
import { testRedisTarget } from '../../support/redis-target.js';
import { attemptState, createStack, type Stack, submitInput } from './harness.js';

const ADMIN = { platform: 'discord' as const, userId: 'ADMIN', displayName: 'admin' };
const limits = { adminUserIds: ['discord:ADMIN'], maxActivePerUser: 5, dailySecondsPerUser: 600 };
const IN_C1 = { where: { platform: 'discord' as const, channelId: 'C1', threadId: null } };
const IN_C2 = { where: { platform: 'discord' as const, channelId: 'C2', threadId: null } };

describe('per-channel quotas', () => {
  let stack: Stack;
  const others: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of others.splice(0)) await close();
    await stack.close();
  });

  const admin = (text: string) => runAdminCommand(stack.intake.admin, ADMIN, text, 'discord');
  const channelUsed = async (channel: string) =>
    Number((await stack.redis.get(storeKeys(stack.prefix).channelDay(channel, utcDay(Date.now())))) ?? 0);

  /** A second bot process: its own connection and intake over the same prefix. */
  function secondBot(): QueueIntake {
    const redis = createRedisConnection(testRedisTarget(), { forWorker: false });
    const bot = createIntake({ connection: redis, prefix: stack.prefix, limits });
    others.push(
      () => bot.close(),
      () => redis.quit(),
    );
    return bot;
  }

  it('GIVEN a channel quota set on one bot THEN the other bot refuses what would pass it, for everyone in the channel together, with its limit and reset, and nothing reaches Oxen', async () => {
    stack = await createStack({ limits });
    const bot2 = secondBot();
    const reply = await admin('quota channel <#C1> daily 10');
    expect(reply.refused).toBeUndefined();
    expect(reply.text).toContain('Quota in discord:C1: 10 s of video per day');

    // Two people share the channel's 10 s: the second 5 s fills it, a third 5 s is refused.
    expect((await bot2.submit(submitInput(IN_C1, 'U1'))).ok).toBe(true);
    expect((await bot2.submit(submitInput(IN_C1, 'U2'))).ok).toBe(true);
    const enqueued = stack.sim.counters.enqueue;
    const refused = await bot2.submit(submitInput(IN_C1, 'U3'));
    expect(!refused.ok && refused.error.code).toBe('channel_daily_limit');
    expect(!refused.ok && refused.error.message).toContain('10 s of its 10 s of video a day used');
    expect(!refused.ok && refused.error.message).toContain('resets at 00:00 UTC');
    const pre = await bot2.precheck(submitInput({}, 'U3').requester, IN_C1.where, 5);
    expect(!pre.ok && pre.error.code).toBe('channel_daily_limit');
    expect(stack.sim.counters.enqueue).toBe(enqueued);
    expect(await channelUsed('discord:C1')).toBe(10);
    // Its own status is untouched by a refusal: nothing was reserved for U3.
    expect((await bot2.status(submitInput({}, 'U3').requester)).usedSecondsToday).toBe(0);

    // Another channel has no limit of its own; admins are not refused by it.
    expect((await bot2.submit(submitInput(IN_C2, 'U3'))).ok).toBe(true);
    expect((await bot2.submit(submitInput(IN_C1, 'ADMIN'))).ok).toBe(true);

    const lifted = await admin('quota channel <#C1> off');
    expect(lifted.text).not.toContain('Quota in discord:C1');
    expect((await bot2.submit(submitInput(IN_C1, 'U3'))).ok).toBe(true);
  });

  it('GIVEN a channel quota that is not a whole number of seconds, or below 0 THEN it is refused and nothing changes', async () => {
    stack = await createStack({ limits });
    const bad = await admin('quota channel <#C1> daily lots');
    expect(bad.refused?.code).toBe('admin_invalid');
    const negative = await admin('quota channel <#C1> daily -5');
    expect(negative.refused?.message).toContain('channelDailySeconds');
    expect((await stack.intake.admin.settings.get()).channelDailySeconds).toEqual({});
  });

  it('GIVEN a generation in a channel with a quota fails THEN the channel gets its seconds back, once, and the next request there is taken', async () => {
    stack = await createStack({ limits });
    await admin('quota channel <#C1> daily 5');
    stack.sim.knobs.failNext = 1;
    await stack.startWorker();
    const accepted = await stack.intake.submit(submitInput(IN_C1, 'U1'));
    if (!accepted.ok) throw new Error(accepted.error.message);
    expect(await channelUsed('discord:C1')).toBe(5);
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'failed', 'the failure');
    await eventually(async () => (await channelUsed('discord:C1')) === 0, "the channel's seconds given back");
    const next = await stack.intake.submit(submitInput(IN_C1, 'U2'));
    expect(next.ok).toBe(true);
    // The second one holds the channel's 5 s again; the failed one's release did not count twice.
    expect(await channelUsed('discord:C1')).toBe(5);
  });

  it('GIVEN a generation in a channel with a quota is cancelled THEN the channel gets its seconds back; a delivered one keeps them', async () => {
    stack = await createStack({ limits });
    await admin('quota channel <#C1> daily 10');
    stack.sim.knobs.holdQueue = true;
    await stack.startWorker();
    const held = submitInput(IN_C1, 'U1');
    // Its own thread, so the progress message is found by where it was posted.
    held.where = { ...IN_C1.where, threadId: 'T-held' };
    const accepted = await stack.intake.submit(held);
    if (!accepted.ok) throw new Error(accepted.error.message);
    await eventually(
      async () => (await attemptState(stack, accepted.value.requestId)) === 'submitted',
      'the submission',
    );
    expect(await channelUsed('discord:C1')).toBe(5);
    const progress = await eventually(() => stack.chat.thread(held.where)[0], 'the progress message');
    expect((await stack.intake.cancel(progress.ref, held.requester)).ok).toBe(true);
    await eventually(async () => (await attemptState(stack, accepted.value.requestId)) === 'cancelled', 'the cancel');
    await eventually(async () => (await channelUsed('discord:C1')) === 0, "the channel's seconds given back");

    stack.sim.knobs.holdQueue = false;
    const kept = submitInput({ where: { ...IN_C1.where, threadId: 'T-kept' } }, 'U2');
    const done = await stack.intake.submit(kept);
    if (!done.ok) throw new Error(done.error.message);
    await eventually(async () => (await attemptState(stack, done.value.requestId)) === 'done', 'the delivery');
    expect(await channelUsed('discord:C1')).toBe(5);
  });
});
