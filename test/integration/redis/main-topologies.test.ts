import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import type { RedisServers } from '../../support/redis-servers.js';
import { type SentinelSet, startCluster, startSentinelSet } from '../../support/redis-topology.js';
import { type Stack, startStack } from '../main/stack.js';

/** This file's ports (7100–7199 belong to the Redis topology tests). */
const CLUSTER_PORTS = [7140, 7141, 7142];
const SENTINEL_PORTS = [7150, 7151, 7160, 7161, 7162] as const;

describe('main: the variables that name a Cluster or a Sentinel deployment', () => {
  let stack: Stack;
  let cluster: RedisServers;
  let sentinel: SentinelSet;

  beforeAll(async () => {
    stack = await startStack();
    cluster = await startCluster(CLUSTER_PORTS);
    sentinel = await startSentinelSet(SENTINEL_PORTS);
  });

  afterAll(async () => {
    await stack?.close();
    await cluster?.close();
    await sentinel?.close();
  });

  it('GIVEN REDIS_CLUSTER_NODES THEN role all starts on the cluster and a Slack mention ends in one video', async () => {
    const { proc, base } = await stack.start('all', {
      REDIS_CLUSTER_NODES: CLUSTER_PORTS.map((p) => `127.0.0.1:${p}`).join(','),
      // Credentials only: its host is not used. A port nothing listens on, should that ever change.
      REDIS_URL: 'redis://127.0.0.1:7199',
    });
    const ready = await proc.waitForLine((l) => l.msg === 'ready', 'ready');
    expect(ready.redis).toBe(`cluster ${CLUSTER_PORTS.map((p) => `127.0.0.1:${p}`).join(',')}`);

    const thread = await stack.mention(base, '<@U0BOT> a cat surfing', `Ev${randomUUID()}`);
    await eventually(() => stack.videos(thread).length === 1, 'the video in the thread');
  });

  it('GIVEN REDIS_SENTINELS THEN a worker finds the primary through the sentinels', async () => {
    const { proc } = await stack.start('worker', {
      REDIS_SENTINELS: sentinel.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
      REDIS_SENTINEL_NAME: sentinel.name,
      // Credentials only: its host is not used. A port nothing listens on, should that ever change.
      REDIS_URL: 'redis://127.0.0.1:7199',
    });

    const ready = await proc.waitForLine((l) => l.msg === 'ready', 'ready');
    expect(ready.redis).toBe(
      `sentinel ${sentinel.name} via ${sentinel.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}`,
    );
  });
});
