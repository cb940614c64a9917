import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDIT_BUDGETS, editScope } from '../../../src/core/edit-budget.js';
import { createRedisEditBudget } from '../../../src/queue/edit-budget.js';
import { createRedisConnection } from '../../../src/queue/redis.js';

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
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    redis = createRedisConnection(url, { forWorker: false });
    other = createRedisConnection(url, { forWorker: false });
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
    for (let i = 0; i < 10; i++) granted.push(await (workers[i % 2]?.take('discord', scope) ?? false));
    expect(granted.filter(Boolean)).toHaveLength(EDIT_BUDGETS.discord.points);
    // Another thread is another channel with a budget of its own.
    const elsewhere = editScope({ platform: 'discord', channelId: 'C1', threadId: 'T2' });
    expect(await workers[0]?.take('discord', elsewhere)).toBe(true);
  });

  it('GIVEN a spent budget THEN a final state still goes out (and counts)', async () => {
    const budget = createRedisEditBudget(redis, `{t-${randomUUID()}}`, steady());
    const scope = editScope({ platform: 'slack', channelId: 'C1', threadId: '1.2' });
    for (let i = 0; i < EDIT_BUDGETS.slack.points; i++) expect(await budget.take('slack', scope)).toBe(true);
    expect(await budget.take('slack', scope)).toBe(false);
    expect(await budget.take('slack', scope, true)).toBe(true);
  });

  it('GIVEN the platform answered 429 THEN the whole scope pauses, other scopes do not', async () => {
    const budget = createRedisEditBudget(redis, `{t-${randomUUID()}}`);
    const scope = editScope({ platform: 'discord', channelId: 'C9', threadId: null });
    await budget.pause('discord', scope, 30_000);
    expect(await budget.take('discord', scope)).toBe(false);
    expect(await budget.take('discord', editScope({ platform: 'discord', channelId: 'C8', threadId: null }))).toBe(
      true,
    );
  });

  it('GIVEN Slack THEN every channel of the workspace shares one budget', () => {
    expect(editScope({ platform: 'slack', channelId: 'C1', threadId: null })).toBe(
      editScope({ platform: 'slack', channelId: 'C2', threadId: '3.4' }),
    );
  });
});
