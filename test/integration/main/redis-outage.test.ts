import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { type RedisServers, startRedisServers } from '../../support/redis-servers.js';
import { startMain } from './child.js';
import { type Stack, startStack } from './stack.js';

/** Ports of this file's own redis-server (7100–7199 belong to the Redis topology tests). */
const OUTAGE_PORT = 7101;
const NOTHING_PORT = 7102;

describe('main: Redis trouble is logged through pino, once per outage', () => {
  let stack: Stack;
  let redis: RedisServers;

  beforeAll(async () => {
    redis = await startRedisServers([{ port: OUTAGE_PORT }]);
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
    await redis?.close();
  });

  it('GIVEN Redis stops and comes back THEN one line says so, one says it recovered, and nothing else is printed', async () => {
    const server = redis.servers[0];
    if (!server) throw new Error('no server');
    const { proc, base } = await stack.start('all', { REDIS_URL: server.url, LOG_LEVEL: 'info' });

    await server.stop('SIGKILL');
    const down = await proc.waitForLine((l) => l.event === 'redis_unreachable', 'the outage line');
    // Readiness says what is wrong meanwhile; the outage line says what the process does.
    await eventually(async () => (await fetch(`${base}/readyz`)).status === 503, '/readyz to fail');
    expect(String(down.msg)).toContain('Retrying on its own');
    expect(down.level).toBe(50);
    // Time for ioredis to fail several reconnects (each an `error` event) while Redis is away.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    await server.restart();
    const up = await proc.waitForLine((l) => l.event === 'redis_recovered', 'the recovery line');
    await eventually(async () => (await fetch(`${base}/readyz`)).status === 200, '/readyz to pass again');

    expect(proc.lines.filter((l) => l.event === 'redis_unreachable')).toHaveLength(1);
    expect(Number(up.errors)).toBeGreaterThan(1);
    const notPino = proc
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.trim().startsWith('{'));
    expect(notPino).toEqual([]);
    expect(proc.output()).not.toContain('[ioredis]');
    expect(proc.output()).not.toContain('Unhandled error event');
  });

  it('GIVEN nothing answers at REDIS_URL THEN startup stops naming REDIS_URL, before any ready, and not as "CONFIG not allowed"', async () => {
    const proc = startMain('worker', { ...stack.env, REDIS_URL: `redis://127.0.0.1:${NOTHING_PORT}` });
    try {
      const fatal = await proc.waitForLine((l) => l.msg === 'startup failed', 'startup failed');
      expect(await proc.exited()).toBe(1);
      expect(JSON.stringify(fatal.err)).toContain('REDIS_URL');
      expect(proc.lines.some((l) => l.msg === 'ready')).toBe(false);
      expect(proc.output()).not.toContain('CONFIG not allowed');
    } finally {
      await proc.dispose();
    }
  });
});
