/**
 * The stores' Lua scripts are registered once per connection (src/queue/stores/scripts.ts): Redis gets a
 * script's text once, later calls name it by its SHA; and the TTLs they are passed land on the keys
 * they are meant for.
 */
import { type Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { utcDay } from '../../../src/core/limits.js';
import {
  BUDGET_DAY_TTL_SECONDS,
  BUDGET_MONTH_TTL_SECONDS,
  CHANNEL_DAY_TTL_SECONDS,
  storeKeys,
  USER_DAY_TTL_SECONDS,
} from '../../../src/queue/stores/keys.js';
import { createQuotaStore } from '../../../src/queue/stores/quota-store.js';
import { testRedis } from '../../support/redis-target.js';

describe('registered Redis scripts', () => {
  const open: Redis[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.quit().catch(() => undefined)));
  });

  function reservation(i: number, day: string) {
    return {
      userKey: 'discord:U1',
      day,
      member: `r${i}#1`,
      seconds: 5,
      maxActive: -1,
      dailySeconds: -1,
      channel: 'discord:C1',
      channelDailySeconds: -1,
      eventId: `e${i}`,
      jobId: `a-e${i}`,
      nowMs: Date.now(),
      costMicros: 1_000,
      dailyBudget: -1,
      monthlyBudget: -1,
    };
  }

  it('GIVEN twenty reservations on one connection THEN the script text is sent at most once per node, then only its SHA', async () => {
    const redis = testRedis({ forWorker: false });
    open.push(redis);
    const prefix = `{t-scripts-${Date.now()}}`;
    await redis.ping(); // a cluster knows its nodes once connected
    const cluster = redis as unknown as Partial<Cluster>;
    const nodes = cluster.isCluster && cluster.nodes ? cluster.nodes('master') : [redis];
    const seen: string[] = [];
    for (const node of nodes) {
      // A connection of its own to each node: a cluster's node clients do not hand out a monitor.
      const monitor = await new Redis({ host: node.options.host, port: node.options.port }).monitor();
      open.push(monitor);
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args.some((a) => a.includes(prefix))) seen.push(String(args[0]).toLowerCase());
      });
    }
    const quota = createQuotaStore(redis, storeKeys(prefix));
    const day = utcDay(Date.now());
    for (let i = 0; i < 20; i++) expect((await quota.reserve(reservation(i, day))).kind).toBe('reserved');
    await expect.poll(() => seen.filter((c) => c.startsWith('eval')).length).toBeGreaterThanOrEqual(20);
    expect(seen.filter((c) => c === 'eval').length).toBeLessThanOrEqual(nodes.length);
    expect(seen.filter((c) => c === 'evalsha').length).toBeGreaterThanOrEqual(20 - nodes.length);
  });

  it('GIVEN a reservation THEN the spend and seconds it counts are kept for their named periods', async () => {
    const redis = testRedis({ forWorker: false });
    open.push(redis);
    const keys = storeKeys(`{t-scripts-ttl-${Date.now()}}`);
    const day = utcDay(Date.now());
    await createQuotaStore(redis, keys).reserve(reservation(1, day));
    const near = (seconds: number) => ({ asymmetricMatch: (ttl: number) => ttl > seconds - 60 && ttl <= seconds });
    expect(await redis.ttl(keys.budgetDay(day))).toEqual(near(BUDGET_DAY_TTL_SECONDS));
    expect(await redis.ttl(keys.budgetMonth(day.slice(0, 7)))).toEqual(near(BUDGET_MONTH_TTL_SECONDS));
    expect(await redis.ttl(keys.userDay('discord:U1', day))).toEqual(near(USER_DAY_TTL_SECONDS));
    expect(await redis.ttl(keys.channelDay('discord:C1', day))).toEqual(near(CHANNEL_DAY_TTL_SECONDS));
  });
});
