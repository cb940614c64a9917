import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisEditBudget, EDIT_BUDGETS, editScope } from '../../../src/queue/stores/edit-budget.js';
import { testRedis } from '../../support/redis-target.js';

/** EDIT_BUDGETS with every window an hour long. */
function steady(): typeof EDIT_BUDGETS {
  return Object.fromEntries(
    Object.entries(EDIT_BUDGETS).map(([platform, b]) => [platform, { ...b, windowSeconds: 3600 }]),
  ) as typeof EDIT_BUDGETS;
}

describe('the chat edit budget kept in Redis', () => {
  let redis: Redis;
  let other: Redis;
  beforeAll(() => {
    redis = testRedis({ forWorker: false });
    other = testRedis({ forWorker: false });
  });
  afterAll(async () => {
    await redis.quit();
    await other.quit();
  });

  it('GIVEN two workers editing one Discord channel THEN together they get the channel budget, not one each', async () => {
    const prefix = `{t-${randomUUID()}}`;
    // The production points in a window far longer than the test, so no window edge falls inside it.
    const budgets = steady();
    const workers = [createRedisEditBudget(redis, prefix, budgets), createRedisEditBudget(other, prefix, budgets)];
    const scope = editScope({ platform: 'discord', channelId: 'C1', threadId: 'T1' });
    const granted: boolean[] = [];
    for (let i = 0; i < 10; i++) granted.push((await workers[i % 2]?.take('discord', scope))?.granted ?? false);
    expect(granted.filter(Boolean)).toHaveLength(EDIT_BUDGETS.discord.points);
    // Another thread is another channel with a budget of its own.
    const elsewhere = editScope({ platform: 'discord', channelId: 'C1', threadId: 'T2' });
    expect((await workers[0]?.take('discord', elsewhere))?.granted).toBe(true);
  });

  it('GIVEN a spent budget THEN the refusal says how long until the window gives edits again', async () => {
    const budget = createRedisEditBudget(redis, `{t-${randomUUID()}}`, steady());
    const scope = editScope({ platform: 'slack', channelId: 'C1', threadId: '1.2' });
    for (let i = 0; i < EDIT_BUDGETS.slack.points; i++) expect((await budget.take('slack', scope)).granted).toBe(true);
    const refused = await budget.take('slack', scope);
    expect(refused.granted).toBe(false);
    expect(refused.retryInMs).toBeGreaterThan(3_500_000);
    expect(refused.retryInMs).toBeLessThanOrEqual(3_600_000);
  });

  it('GIVEN a window under a second THEN the budget refuses to start (the limiter would never refill it)', async () => {
    const budget = createRedisEditBudget(redis, `{t-${randomUUID()}}`, {
      ...EDIT_BUDGETS,
      discord: { points: 2, windowSeconds: 0.4 },
    });
    await expect(budget.take('discord', 'discord:C1')).rejects.toThrow(/whole number of seconds/);
  });

  it('GIVEN the platform answered 429 THEN the whole scope pauses, other scopes do not', async () => {
    const budget = createRedisEditBudget(redis, `{t-${randomUUID()}}`);
    const scope = editScope({ platform: 'discord', channelId: 'C9', threadId: null });
    await budget.pause('discord', scope, 30_000);
    expect((await budget.take('discord', scope)).granted).toBe(false);
    const other = await budget.take('discord', editScope({ platform: 'discord', channelId: 'C8', threadId: null }));
    expect(other.granted).toBe(true);
  });

  it('GIVEN Slack THEN every channel of the workspace shares one budget', () => {
    expect(editScope({ platform: 'slack', channelId: 'C1', threadId: null })).toBe(
      editScope({ platform: 'slack', channelId: 'C2', threadId: '3.4' }),
    );
  });

  it('GIVEN Telegram THEN one chat shares one budget across its reply chains and topics, and chats do not', () => {
    const chat = editScope({ platform: 'telegram', channelId: '-1001', threadId: null });
    expect(editScope({ platform: 'telegram', channelId: '-1001', threadId: '120' })).toBe(chat);
    expect(editScope({ platform: 'telegram', channelId: '-1001', threadId: '121/77' })).toBe(chat);
    expect(editScope({ platform: 'telegram', channelId: '-1002', threadId: '120' })).not.toBe(chat);
  });
});
