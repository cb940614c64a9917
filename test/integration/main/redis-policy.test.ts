import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper shared with scripts/start.mjs and .ci/run
import { freePort, redisAnswers } from '../../../scripts/redis-probe.mjs';
import { eventually } from '../../support/eventually.js';
import { type MainProcess, startMain } from './child.js';

describe('main: Redis eviction policy', () => {
  let redis: ChildProcess;
  let dir: string;
  let url: string;
  let proc: MainProcess | undefined;

  beforeAll(async () => {
    // A Redis of its own: the shared test Redis must keep noeviction.
    const port: number = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'animate-lru-redis-'));
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'allkeys-lru', '--dir', dir],
      { stdio: 'ignore' },
    );
    url = `redis://127.0.0.1:${port}`;
    await eventually(() => redisAnswers(url), 'the LRU redis-server to answer', { intervalMs: 100 });
  });

  afterAll(async () => {
    await proc?.dispose();
    redis?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN a Redis that may evict keys THEN startup warns and says how to fix it', async () => {
    proc = startMain('bot', { REDIS_URL: url, PORT: '0' });

    const warning = await proc.waitForLine((l) => l.policy === 'allkeys-lru', 'eviction warning');

    expect(warning.level).toBe(40);
    expect(String(warning.msg)).toContain('CONFIG SET maxmemory-policy noeviction');
    await proc.waitForLine((l) => l.msg === 'ready', 'bot ready');
  });
});
