import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createChannelDefaultsStore } from '../../../src/queue/stores/channel-defaults.js';
import { storeKeys } from '../../../src/queue/stores/keys.js';
import { createRedisConnection } from '../../../src/queue/stores/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { deleteUnder, testRedisTarget } from '../../support/redis-target.js';

describe('the channel defaults store (Redis)', () => {
  const redis = createRedisConnection(testRedisTarget(), { forWorker: false });
  const prefix = `{t-${randomUUID()}}`;
  const keys = storeKeys(prefix);
  const store = createChannelDefaultsStore(redis, keys, silentLogger());
  afterAll(async () => {
    await deleteUnder(redis, prefix);
    await redis.quit();
  });

  it('GIVEN defaults set on a channel THEN its threads share them, other channels and platforms do not, and empty removes them', async () => {
    const channel = { platform: 'discord' as const, channelId: 'C1', threadId: null };
    await store.set(channel, { duration: 10, takes: 2 });
    expect(await store.get({ ...channel, channelId: 'T9', parentChannelId: 'C1' })).toEqual({ duration: 10, takes: 2 });
    expect(await store.get({ ...channel, channelId: 'C2' })).toEqual({});
    expect(await store.get({ ...channel, platform: 'slack' })).toEqual({});
    await store.set(channel, {});
    expect(await redis.hexists(keys.channelDefaults(), 'discord:C1')).toBe(0);
  });

  it('GIVEN a stored default the code no longer takes THEN it is dropped and the rest still apply', async () => {
    await redis.hset(keys.channelDefaults(), 'slack:C7', JSON.stringify({ duration: 10, colour: 'red', takes: 9 }));
    expect(await store.get({ platform: 'slack', channelId: 'C7', threadId: null })).toEqual({ duration: 10 });
  });
});
